"""`kassavirta event credit-note`: the credit_note and paid events that connect a credit note.

The guide: "Assignment receives a credit_note event with the credit sum as a
positive value. Credit note receives a paid event with the paid sum as a
negative value." The credit notes are our samples and test data; the ledgers
are written here, as the Receivables API would list the assignments.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, TEST_DATA, TODAY, adapt_as, credit_note_naming
from kassavirta.erp.assignments import parse_assignments
from kassavirta.erp.events.credit_note import CreditNoteLink, link_credit_note
from kassavirta.erp.ledger import Ledger

FINVOICE = SAMPLES / "route" / "finvoice-3.0-credit-note.xml"  # 2026-4105 credits 2026-4101
PEPPOL = SAMPLES / "route" / "peppol-bis-3-credit-note.xml"  # HLP-2026-0312 credits HLP-2026-0311
CII = TEST_DATA / "formats" / "cii-credit-note.xml"  # KKP-26-1231 credits KKP-26-1207
TEAPPS = TEST_DATA / "formats" / "teappsxml-credit-note.xml"  # 660231 credits 660217


def assignment(
    id: str, number: str, issued_at: str, sum: float, *events: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "id": id, "status": "open", "collection_status": "unknown", "number": number,
        "issued_at": issued_at, "due_date": "2026-12-15", "sum": sum, "paid": 0,
        "currency": "EUR", "events": list(events), **extra,
    }  # fmt: skip


INVOICE = assignment("a-invoice", "2026-4101", "2026-11-20", 575.55)
CREDIT = assignment("a-credit", "2026-4105", "2026-11-20", -82.58)


def write_ledger(directory: Path, *items: dict[str, Any]) -> Path:
    path = directory / f"ledger-{len(list(directory.glob('ledger-*.sqlite3')))}.sqlite3"
    with Ledger.open(path) as ledger:
        ledger.import_assignments(parse_assignments(list(items), source="test"))
    return path


@pytest.fixture
def ledger_of(tmp_path: Path) -> Iterator[Any]:
    opened: list[Ledger] = []

    def make(*items: dict[str, Any]) -> Ledger:
        ledger = Ledger.open_readonly(write_ledger(tmp_path, *items))
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


def link(source: Path | bytes, format_id: str, ledger: Ledger, **kw: Any) -> CreditNoteLink:
    return link_credit_note(
        adapt_as(source, format_id), ledger, label="credit-note.xml", today=TODAY, **kw
    )


# --- the pair ----------------------------------------------------------------------------------


def test_the_pair_the_guide_describes(ledger_of: Any) -> None:
    done = link(FINVOICE, "finvoice-3.0", ledger_of(INVOICE, CREDIT))
    assert done.linked
    assert (done.original.status, done.own.status) == ("write", "write")
    assert done.events() == {
        "a-invoice": [{"type": "credit_note", "data": {"number": "2026-4105", "sum": 82.58}}],
        "a-credit": [{"type": "paid", "data": {"sum_paid": -82.58, "booked_at": "2026-11-20"}}],
    }
    assert done.notes == [
        "the credit covers part of the open balance 575.55 of invoice 2026-4101: the service "
        "goes on collecting the remaining 492.97"
    ]


@pytest.mark.parametrize(
    ("source", "format_id", "invoice", "credit", "total"),
    [
        (PEPPOL, "peppol-bis-3", ("HLP-2026-0311", 637.54), ("HLP-2026-0312", 60.24), 60.24),
        (CII, "cii", ("KKP-26-1207", 4422.62), ("KKP-26-1231", 486.94), 486.94),
        (TEAPPS, "teappsxml", ("660217", 1265.04), ("660231", -125.50), 125.50),
    ],
)
def test_every_format_that_names_the_credited_invoice(
    ledger_of: Any,
    source: Path,
    format_id: str,
    invoice: tuple[str, float],
    credit: tuple[str, float],
    total: float,
) -> None:
    # A UBL or CII credit note's assignment may carry a positive sum: it is the credit
    # note's all the same, found by the credit note's own number and date.
    ledger = ledger_of(
        assignment("a-invoice", invoice[0], "2026-11-20", invoice[1]),
        assignment("a-credit", credit[0], str(adapt_as(source, format_id).issue_date), credit[1]),
    )
    done = link(source, format_id, ledger)
    assert done.linked, (done.original, done.own)
    events = done.events()
    assert events["a-invoice"] == [
        {"type": "credit_note", "data": {"number": credit[0], "sum": total}}
    ]
    assert events["a-credit"][0]["data"]["sum_paid"] == -total


def test_a_credit_that_covers_the_balance_closes_and_more_is_flagged(ledger_of: Any) -> None:
    part_paid = assignment(
        "a-invoice", "2026-4101", "2026-11-20", 575.55,
        {"type": "paid", "data": {"sum_paid": 492.97}, "created_at": "2026-11-25T08:00:00Z"},
    )  # fmt: skip
    done = link(FINVOICE, "finvoice-3.0", ledger_of(part_paid, CREDIT))
    assert done.notes == [
        "the credit covers the open balance 82.58 of invoice 2026-4101: the service closes its "
        "assignment"
    ]
    small = assignment("a-invoice", "2026-4101", "2026-11-20", 50.00)
    over = link(FINVOICE, "finvoice-3.0", ledger_of(small, CREDIT))
    assert over.linked
    assert over.notes == [
        "the credit 82.58 is more than the open balance 50.00 of invoice 2026-4101: check the "
        "credit note against the invoice"
    ]


# --- which assignment is missing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "statuses", "said"),
    [
        (CREDIT, ("missing", "write"), "no assignment for the credited invoice 2026-4101 in the "
         "ledger"),
        (INVOICE, ("write", "missing"), "no assignment for the credit note 2026-4105 dated "
         "2026-11-20 in the ledger: the service opens it when the credit note is sent through it"),
    ],
    ids=["the original invoice missing", "the credit note's own assignment missing"],
)  # fmt: skip
def test_one_side_missing_writes_neither(
    ledger_of: Any, held: Any, statuses: tuple[str, str], said: str
) -> None:
    done = link(FINVOICE, "finvoice-3.0", ledger_of(held))
    assert not done.linked
    assert (done.original.status, done.own.status) == statuses
    missing = done.original if statuses[0] == "missing" else done.own
    assert missing.reason.startswith(said)
    assert done.events() == {}  # half a pair is never written


def test_only_invoices_dated_up_to_the_credit_note_and_no_credit_notes_are_originals(
    ledger_of: Any,
) -> None:
    later = assignment("a-later", "2026-4101", "2026-11-21", 575.55)
    other_credit = assignment("a-other", "2026-4101", "2026-11-19", -10.0)
    done = link(FINVOICE, "finvoice-3.0", ledger_of(later, other_credit, CREDIT))
    assert done.original.status == "missing"


def test_two_open_invoices_with_the_number_are_ambiguous(ledger_of: Any) -> None:
    older = assignment("a-older", "2026-4101", "2026-10-20", 100.0)
    done = link(FINVOICE, "finvoice-3.0", ledger_of(older, INVOICE, CREDIT))
    assert done.original.status == "ambiguous"
    assert done.original.reason == (
        "several open assignments fit the credited invoice 2026-4101: a-older (invoice date "
        "2026-10-20), a-invoice (invoice date 2026-11-20)"
    )
    closed_older = {**older, "status": "closed"}
    assert link(FINVOICE, "finvoice-3.0", ledger_of(closed_older, INVOICE, CREDIT)).linked


def test_a_closed_original_is_refused_with_the_services_reason(ledger_of: Any) -> None:
    closed = {**INVOICE, "status": "closed"}
    done = link(FINVOICE, "finvoice-3.0", ledger_of(closed, CREDIT))
    assert (done.linked, done.original.status) == (False, "refused")
    assert done.original.reason.startswith("the service would refuse it [closed]:")


# --- what the document does not say ------------------------------------------------------------


def test_no_credited_invoice_named_then_given(ledger_of: Any) -> None:
    ledger = ledger_of(INVOICE, CREDIT)
    done = link(credit_note_naming(None), "finvoice-3.0", ledger)
    assert not done.linked
    assert done.problem is not None and "give its number with --original NUMBER" in done.problem
    given = link(credit_note_naming(None), "finvoice-3.0", ledger, credits="2026-4101")
    assert given.linked


def test_an_invoice_is_not_a_credit_note(ledger_of: Any) -> None:
    done = link(SAMPLES / "route" / "finvoice-3.0.xml", "finvoice-3.0", ledger_of(INVOICE))
    assert not done.linked
    assert done.problem == (
        "2026-4101 is not a credit note (no credit-note type code and a total that is not "
        "negative): there is nothing to link"
    )


# --- never twice -------------------------------------------------------------------------------

LINKED = {"type": "credit_note", "data": {"number": "2026-4105", "sum": 82.58}}
USED = {"type": "paid", "data": {"sum_paid": -82.58, "booked_at": "2026-11-20"}}


def test_both_already_posted_writes_nothing_and_holds(ledger_of: Any) -> None:
    ledger = ledger_of(
        assignment("a-invoice", "2026-4101", "2026-11-20", 575.55, LINKED),
        assignment("a-credit", "2026-4105", "2026-11-20", -82.58, USED),
    )
    done = link(FINVOICE, "finvoice-3.0", ledger)
    assert done.linked
    assert (done.original.status, done.own.status) == ("already-posted", "already-posted")
    assert done.events() == {}


def test_half_posted_writes_the_other_half(ledger_of: Any) -> None:
    ledger = ledger_of(assignment("a-invoice", "2026-4101", "2026-11-20", 575.55, LINKED), CREDIT)
    done = link(FINVOICE, "finvoice-3.0", ledger)
    assert done.linked
    assert done.events() == {"a-credit": [{"type": "paid", "data": USED["data"]}]}
    other = {"type": "credit_note", "data": {"number": "2026-4199", "sum": 10}}
    not_this_one = ledger_of(
        assignment("a-invoice", "2026-4101", "2026-11-20", 575.55, other), CREDIT
    )
    assert link(FINVOICE, "finvoice-3.0", not_this_one).original.status == "write"


# --- the command -------------------------------------------------------------------------------


def test_command_writes_the_post_file(cli: Any, tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path, INVOICE, CREDIT)
    out = tmp_path / "post" / "events.json"
    done = cli(
        "event", "credit-note", str(FINVOICE), "--ledger", str(ledger), "--post-file", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{FINVOICE}: credit note 2026-4105 of 2026-11-20, 82.58 EUR, credits invoice 2026-4101",
        '  credit_note  assignment a-invoice (invoice 2026-4101, open)  {"number": "2026-4105", '
        '"sum": 82.58}',
        '  paid         assignment a-credit (credit note 2026-4105, open)  {"sum_paid": -82.58, '
        '"booked_at": "2026-11-20"}',
        "  note: the credit covers part of the open balance 575.55 of invoice 2026-4101: the "
        "service goes on collecting the remaining 492.97",
        f"wrote 2 event(s) to {out} (nothing was posted)",
    ]
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "a-invoice": [{"type": "credit_note", "data": {"number": "2026-4105", "sum": 82.58}}],
        "a-credit": [{"type": "paid", "data": {"sum_paid": -82.58, "booked_at": "2026-11-20"}}],
    }
    assert [p.name for p in out.parent.iterdir()] == ["events.json"]  # no temporary file left


def test_command_says_which_assignment_is_missing(cli: Any, tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path, CREDIT)
    out = tmp_path / "events.json"
    out.write_text('{"stale": []}\n', encoding="utf-8")
    done = cli(
        "event", "credit-note", str(FINVOICE), "--ledger", str(ledger), "--post-file", str(out),
        "--output", "json",
    )  # fmt: skip
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["linked"] is False and doc["post"] == {}
    [result] = doc["results"]
    assert result["credit_note"] == {
        "number": "2026-4105", "date": "2026-11-20", "sum": "82.58", "currency": "EUR",
        "credits": "2026-4101",
    }  # fmt: skip
    assert [(e["role"], e["status"], e["assignment"]) for e in result["events"]] == [
        ("original", "missing", None),
        ("credit-note", "write", "a-credit"),
    ]
    assert json.loads(out.read_text(encoding="utf-8")) == {}  # the stale file is replaced
    text = cli("event", "credit-note", str(FINVOICE), "--ledger", str(ledger))
    assert text.returncode == 1
    assert "  credit_note  missing: no assignment for the credited invoice 2026-4101" in text.stdout
    assert "  not linked: no event of this credit note is written" in text.stdout


def test_command_original_option_and_errors(cli: Any, tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path, INVOICE, CREDIT)
    source = tmp_path / "no-original.xml"
    source.write_bytes(credit_note_naming(None))
    named = cli("event", "credit-note", str(source), "--ledger", str(ledger))
    assert named.returncode == 1
    assert "cannot link: the credit note does not name the invoice it credits" in named.stdout
    given = cli(
        "event", "credit-note", str(source), "--ledger", str(ledger), "--original", "2026-4101"
    )
    assert given.returncode == 0, given.stdout
    unread = cli("event", "credit-note", str(tmp_path / "nope.xml"), "--ledger", str(ledger))
    assert unread.returncode == 1
    assert "nope.xml: not read (invalid: " in unread.stdout
    no_ledger = cli("event", "credit-note", str(FINVOICE), "--ledger", str(tmp_path / "x.db"))
    assert no_ledger.returncode == 2
    assert "no such ledger file" in no_ledger.stderr


def test_command_help() -> None:
    from kassavirta.cli import build_parser

    parser = build_parser()
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["event", "credit-note", "--help"])
    assert stop.value.code == 0
