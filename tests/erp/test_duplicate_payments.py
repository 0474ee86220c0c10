"""Duplicate exceptions 2 and 3 need "no payments or credit notes" (issue 15, item 1).

A paid amount other than 0, a `paid` or `credit_note` event, or a credit note
linked to the assignment each keep the exceptions from applying, and
`check --record` records an invoice's prepaid amount as paid.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from helpers import PINNED_CHECK, SAMPLES, imported_ledger
from kassavirta.erp.assignments import judge, parse_assignments
from kassavirta.erp.index import AssignmentIndex
from kassavirta.erp.ledger import Ledger

BASE_INVOICE = SAMPLES / "route" / "finvoice-3.0.xml"
NUMBER = "2026-4101"  # the base invoice's number and date
DATE = date(2026, 11, 20)


def assignment(
    ident: str,
    *,
    status: str,
    paid: float = 0,
    events: list[dict[str, Any]] | None = None,
    number: str = NUMBER,
    issued_at: str = DATE.isoformat(),
    total: float = 575.55,
) -> dict[str, Any]:
    return {
        "id": ident,
        "status": status,
        "number": number,
        "issued_at": issued_at,
        "sum": total,
        "paid": paid,
        "currency": "EUR",
        "debtor": {"name": "Rakennusliike Niemelä Oy", "bid": "2589381-0"},
        "events": events or [],
    }


def delivery(status: str, at: str) -> dict[str, Any]:
    return {"type": "delivery_status", "data": {"status": status}, "created_at": at}


FAILED = [delivery("DELIVERED", "2026-11-20T08:00:00Z"), delivery("FAILED", "2026-11-20T09:00:00Z")]


def index_of(*items: dict[str, Any]) -> AssignmentIndex:
    return AssignmentIndex(parse_assignments(list(items)))


# --- the rule ----------------------------------------------------------------------------------


def test_a_closed_assignment_with_a_paid_amount_and_no_events_blocks() -> None:
    """The issue's first case: `paid: 575.55`, no embedded events."""
    index = index_of(assignment("closed-paid", status="closed", paid=575.55))
    assert [a.id for a in index.blockers(NUMBER, DATE)] == ["closed-paid"]
    assert index.described_blockers(NUMBER, DATE) == [
        "assignment closed-paid (number 2026-4101, invoice date 2026-11-20, closed, but its "
        "paid amount is 575.55) from <assignments>"
    ]


def test_an_open_assignment_with_a_paid_amount_and_a_failed_delivery_blocks() -> None:
    """The issue's second case: `paid: 100`, delivery FAILED, no paid event."""
    index = index_of(assignment("open-failed-paid", status="open", paid=100, events=FAILED))
    assert [a.id for a in index.blockers(NUMBER, DATE)] == ["open-failed-paid"]
    verdict = judge(index.with_number(NUMBER)[0], DATE)
    assert (verdict.allowed, verdict.payments) == (False, ("its paid amount is 100.00",))


@pytest.mark.parametrize("paid", [0, 0.0, None])
def test_a_zero_or_missing_paid_amount_still_allows_exceptions_2_and_3(paid: float | None) -> None:
    closed = assignment("closed", status="closed")
    failed = assignment("failed", status="open", events=FAILED)
    closed["paid"] = failed["paid"] = paid
    index = index_of(closed, failed)
    assert index.blockers(NUMBER, DATE) == []
    assert [judge(a, DATE).exception for a in index.with_number(NUMBER)] == [2, 3]


def test_a_negative_paid_amount_blocks_too() -> None:
    """A credit note's assignment marked used carries a negative paid amount."""
    index = index_of(assignment("used", status="closed", paid=-575.55, total=-575.55))
    assert [a.id for a in index.blockers(NUMBER, DATE)] == ["used"]


def test_a_credit_note_linked_from_another_assignment_blocks() -> None:
    """The credit note's own assignment has no event of its own, but the invoice's
    assignment links it with a `credit_note` event naming its number."""
    credit_note = assignment(
        "credit-note", status="closed", number="2026-4105", total=-575.55, paid=0
    )
    invoice = assignment(
        "invoice",
        status="closed",
        number="2026-4100",
        paid=575.55,
        events=[
            {
                "type": "credit_note",
                "data": {"credit_note_number": "2026-4105", "sum": 575.55},
                "created_at": "2026-11-21T08:00:00Z",
            }
        ],
    )
    index = index_of(credit_note, invoice)
    assert [a.id for a in index.blockers("2026-4105", DATE)] == ["credit-note"]
    (described,) = index.described_blockers("2026-4105", DATE)
    assert "a credit_note event on assignment invoice (number 2026-4100) links it" in described
    # without the link, the closed, unpaid credit note is exception 2
    assert index_of(credit_note).blockers("2026-4105", DATE) == []


def test_an_open_assignment_that_is_simply_open_is_described_as_before() -> None:
    index = index_of(
        assignment("open", status="open", paid=100, events=[delivery("DELIVERED", "2026-11-20")])
    )
    assert index.described_blockers(NUMBER, DATE) == [
        "assignment open (number 2026-4101, invoice date 2026-11-20, open) from <assignments>"
    ]


# --- through the command line ------------------------------------------------------------------


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def check_json(cli: Any, *args: str) -> tuple[int, dict[str, Any], str]:
    done = cli("check", *args, *PINNED_CHECK, "--output", "json")
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def record(cli: Any, invoice: Path, ledger: Path) -> Any:
    return cli("check", str(invoice), *PINNED_CHECK, "--ledger", str(ledger), "--record", "-q")


@pytest.mark.parametrize(
    "existing",
    [
        assignment("closed-paid", status="closed", paid=575.55),
        assignment("open-failed-paid", status="open", paid=100, events=FAILED),
    ],
    ids=["closed-paid-amount", "open-failed-paid-amount"],
)
def test_check_refuses_the_same_number_and_date(
    tmp_path: Path, cli: Any, existing: dict[str, Any]
) -> None:
    source = write_json(tmp_path / "assignments.json", [existing])
    code, doc, err = check_json(cli, str(BASE_INVOICE), "--assignments", str(source))
    assert code == 1, err
    (result,) = doc["results"]
    assert (result["decision"], result["reasons"]) == ("error", ["duplicate-number"])
    (finding,) = [f for f in result["findings"] if f["rule"] == "duplicate-number"]
    assert finding["service_code"] == 6
    assert f"assignment {existing['id']} " in finding["detail"]
    assert "but its paid amount is" in finding["detail"]


def prepaid_variant(folder: Path, paid: str = "100,00") -> Path:
    """The route sample stating a prepaid amount (`InvoicePaidAmount`, after the total)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(BASE_INVOICE), parser)
    total = tree.find("InvoiceDetails/InvoiceTotalVatIncludedAmount")
    assert total is not None
    element = etree.Element("InvoicePaidAmount", AmountCurrencyIdentifier="EUR")
    element.text = paid
    element.tail = total.tail
    total.addnext(element)
    out = folder / "prepaid.xml"
    out.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    return out


def test_the_report_shows_a_prepaid_amount_only_when_the_invoice_states_one(
    tmp_path: Path, cli: Any
) -> None:
    code, doc, err = check_json(cli, str(prepaid_variant(tmp_path)))
    assert code == 0, err
    assert doc["results"][0]["invoice"]["paid"] == "100.00"
    code, doc, err = check_json(cli, str(BASE_INVOICE))
    assert code == 0, err
    assert "paid" not in doc["results"][0]["invoice"]


def test_record_keeps_the_prepaid_amount_as_paid(tmp_path: Path, cli: Any) -> None:
    ledger = tmp_path / "l.db"
    invoice = prepaid_variant(tmp_path)
    done = record(cli, invoice, ledger)
    assert done.returncode == 0, done.stderr
    with Ledger.open_readonly(ledger) as opened:
        (recorded,) = opened.assignments()
    assert (recorded.number, recorded.status, str(recorded.paid)) == (NUMBER, "open", "100.00")
    assert recorded.payments_and_credits() == ["its paid amount is 100.00"]


def test_record_does_not_close_a_failed_assignment_with_a_paid_amount(
    tmp_path: Path, cli: Any
) -> None:
    """Exception 3 does not apply, so `--record` must not close it either."""
    source = write_json(
        tmp_path / "a.json",
        [assignment("open-failed-paid", status="open", paid=100, events=FAILED)],
    )
    ledger = imported_ledger(tmp_path, source)
    done = record(cli, BASE_INVOICE, ledger)
    assert done.returncode == 1  # the duplicate: nothing routed, nothing closed
    assert "closed" not in done.stderr
    with Ledger.open_readonly(ledger) as opened:
        assert [a.status for a in opened.assignments()] == ["open"]


def test_ledger_status_says_why_a_closed_paid_assignment_blocks(tmp_path: Path, cli: Any) -> None:
    source = write_json(
        tmp_path / "a.json", [assignment("closed-paid", status="closed", paid=575.55)]
    )
    ledger = imported_ledger(tmp_path, source)
    done = cli("ledger", "status", "closed-paid", "--ledger", str(ledger), "--output", "json")
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)["duplicate"]
    assert verdict == {
        "new_invoice_allowed": False,
        "reason": "refused with SEND ERROR code #6: its paid amount is 575.55",
    }


def test_ledger_status_finds_a_link_from_another_assignment(tmp_path: Path, cli: Any) -> None:
    items = [
        assignment("credit-note", status="closed", number="2026-4105", total=-575.55),
        assignment(
            "invoice",
            status="closed",
            number="2026-4100",
            paid=575.55,
            events=[{"type": "credit_note", "data": {"number": "2026-4105", "sum": 575.55}}],
        ),
    ]
    ledger = imported_ledger(tmp_path, write_json(tmp_path / "a.json", items))
    done = cli("ledger", "status", "credit-note", "--ledger", str(ledger))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "a new invoice 2026-4105 dated 2026-11-20: refused with SEND ERROR code #6: a credit_note "
        "event on assignment invoice (number 2026-4100) links it as a credit note"
    )
