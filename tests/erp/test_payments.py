"""`kassavirta payments`: camt statements read across versions, every credit sorted, and the
paid events it writes pass the service's event rules."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import TEST_DATA, imported_ledger
from kassavirta.cli import main
from kassavirta.erp.assignments import Event, load_assignments
from kassavirta.erp.events.types import Party
from kassavirta.erp.events.validate import validate_event
from kassavirta.erp.ledger import Ledger
from kassavirta.erp.payments.classify import Report, classify, is_interest, is_service_payer
from kassavirta.erp.payments.statement import Transaction, read_statement

ERP = TEST_DATA / "erp"
C053 = ERP / "camt053-2026-12-03.xml"
C054 = ERP / "camt054-2026-12-03.xml"
ASSIGNMENTS = ERP / "assignments.json"

A = {
    "6001": "69217e15-d7a7-5e68-9653-bbd0ef98e132",
    "6002": "01109b9c-4403-50aa-a7ff-0d758bd5eb40",
    "6003": "04a2739c-9c82-5c3b-a5cb-2814780ac8f0",
    "6004": "cfa53d05-2d46-5886-9e13-048f33b7e04c",
    "6005": "ce31de59-de29-50ff-9983-8b23ab4b0e50",
    "6006": "23707271-a43a-5f17-a6b6-70859ab15763",
    "6007": "b1540da9-3ea7-5f58-a9e9-9b2d2646c43d",
    "6008": "4f6f90d6-4912-5447-83f9-ed8d726120e8",
}


def _txs(*paths: Path) -> list[Transaction]:
    return [t for p in paths for st in read_statement(p) for t in st.transactions]


def _report(*paths: Path) -> Report:
    return classify(_txs(*paths), load_assignments(ASSIGNMENTS))


def _entry(
    amount: str,
    ref: str,
    *,
    payer: str = "Maksaja",
    reference: str | None = None,
    text: str | None = None,
    credit: bool = True,
    reversal: bool = False,
    ccy: str = "EUR",
    day: str = "2026-12-04",
) -> str:
    rmt = ""
    if reference:
        rmt += f"<Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>"
    if text:
        rmt += f"<Ustrd>{text}</Ustrd>"
    return (
        f'<Ntry><Amt Ccy="{ccy}">{amount}</Amt><CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>'
        + ("<RvslInd>true</RvslInd>" if reversal else "")
        + f"<Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>"
        f"<RmtInf>{rmt}</RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def _camt(tmp_path: Path, *entries: str, name: str = "s.xml") -> Path:
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>T</MsgId><CreDtTm>2026-12-04T20:00:00</CreDtTm></GrpHdr><Stmt><Id>T</Id>"
        "<Acct><Id><IBAN>FI7657062096654282</IBAN></Id></Acct>"
        + "".join(entries)
        + "</Stmt></BkToCstmrStmt></Document>",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return imported_ledger(tmp_path, ASSIGNMENTS)


# --- reading -----------------------------------------------------------------------------------


def test_camt053_entries_batch_and_fields() -> None:
    (st,) = read_statement(C053)
    assert (st.message, st.account) == ("camt.053.001.02", "FI7657062096654282")
    ids = [t.id for t in st.transactions]
    assert len(ids) == 13  # 12 entries, one of them a batch of two
    batch = [t for t in st.transactions if t.batch == 2]
    assert [(t.id, t.archive, t.amount) for t in batch] == [
        ("20261203593500011", "20261203593500011", Decimal("420.00")),
        ("20261203593500012", "20261203593500012", Decimal("150.00")),
    ]
    first = st.transactions[0]
    assert first.references == ["00000000356241200012"]
    assert first.payer == "MATTI VIRTANEN"
    assert str(first.booked_at) == "2026-12-03" and first.currency == "EUR"
    fees = st.transactions[6]
    assert (fees.credit, fees.payer, fees.texts) == (False, None, ["PALVELUMAKSUT 11/2026"])
    sek = next(t for t in st.transactions if t.currency == "SEK")
    assert sek.amount == Decimal("1000.00")  # the entry's amount when the transaction has none
    reversal = next(t for t in st.transactions if t.reversal)
    assert reversal.texts == ["PALAUTUS: KATE EI RIITA"]


def test_camt054_v08_payer_under_party_and_status_code() -> None:
    (st,) = read_statement(C054)
    assert st.message == "camt.054.001.08"
    assert [t.payer for t in st.transactions] == [
        "MATTI VIRTANEN",
        "visma financial solutions oy",
        "Aino Järvinen",
        "Nokian Kaivinkone Oy",
    ]
    assert [t.status for t in st.transactions] == ["BOOK", "BOOK", "BOOK", "PDNG"]


@pytest.mark.parametrize(
    "namespace",
    [
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.13",
        "",
    ],
)
def test_any_version_reads_alike(tmp_path: Path, namespace: str) -> None:
    text = C053.read_text(encoding="utf-8")
    other = tmp_path / "v.xml"
    old = 'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"'
    other.write_text(text.replace(old, f'xmlns="{namespace}"' if namespace else ""), "utf-8")
    assert _txs(other) == [t.__class__(**{**t.__dict__, "file": str(other)}) for t in _txs(C053)]


def test_camt052_report_is_read(tmp_path: Path) -> None:
    text = (
        C054.read_text(encoding="utf-8")
        .replace("camt.054.001.08", "camt.052.001.08")
        .replace("BkToCstmrDbtCdtNtfctn", "BkToCstmrAcctRpt")
        .replace("Ntfctn>", "Rpt>")
    )
    path = tmp_path / "r.xml"
    path.write_text(text, encoding="utf-8")
    (st,) = read_statement(path)
    assert st.message == "camt.052.001.08" and len(st.transactions) == 4


def test_other_documents_are_refused(tmp_path: Path) -> None:
    from kassavirta.erp.payments.statement import StatementError

    with pytest.raises(StatementError, match="camt"):
        read_statement(ERP / "receiverinfo.xml")
    pain = tmp_path / "pain.xml"
    pain.write_text(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/>'
        "</Document>",
        encoding="utf-8",
    )
    with pytest.raises(StatementError):
        read_statement(pain)


# --- the rules of the guide --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("VISMA AMILI FINLAND OY", True),
        ("Visma  Amili Finland", True),
        ("visma amili", True),
        ("VISMA\u00a0AMILI OY", True),
        ("VismaAmili", True),
        ("VISMA FINANCIAL SOLUTIONS OY", True),
        ("Visma Financ", True),
        ("VISMA FINANC", True),
        ("Visma Software Oy", False),
        ("Amili Visma", False),
        ("Matti Visma Amili", False),
        # cut off by the bank (issue 15): a prefix of VISMA AMILI / VISMA FINANC, 7 characters
        # or more once the spacing is normalised
        ("VISMA AMIL", True),
        ("VISMA AMI", True),
        ("VISMA A", True),
        ("VISMAA", True),
        ("VISMA FINANC", True),
        ("VISMA FIN", True),
        ("visma  f", True),
        ("VISMAAMILI", True),
        ("VISMA", False),
        ("VISMA ", False),
        ("VISMA AMX", False),
        ("VISMA FINLAND OY", False),
        ("VISMA FIVALDI", False),
        ("VISMA ADVANTAGE OY", False),
        ("", False),
        (None, False),
    ],
)
def test_service_payer_names(name: str | None, service: bool) -> None:
    assert is_service_payer(name) is service


def test_interest_texts() -> None:
    assert is_interest(["Korkotilitys PVM 03.12.2026"])
    assert is_interest(["KORKOTILITYS pvm 01.12.2026"])
    assert not is_interest(["Korko 2026-6001", "Tilitys 2026-12-02"])


def test_every_credit_of_the_day_is_sorted() -> None:
    report = _report(C053, C054)
    got = {c.tx.id: (c.kind, c.assignment.id if c.assignment else None) for c in report.entries}
    assert got == {
        "20261203593500001": ("direct-payment", A["6001"]),  # service reference, zero-padded
        "20261203593500002": ("direct-payment", A["6002"]),  # original reference, partial
        "20261203593500003": ("service-settlement", None),  # "Visma  Amili Finland"
        "20261203593500004": ("interest", None),  # Korkotilitys
        "20261203593500005": ("direct-payment", A["6003"]),  # invoice number + amount
        "20261203593500006": ("unmatched", None),
        "20261203593500008": ("direct-payment", A["6004"]),  # over-payment
        "20261203593500009": ("unmatched", None),  # SEK
        "20261203593500011": ("direct-payment", A["6006"]),  # batch, first
        "20261203593500012": ("direct-payment", A["6007"]),  # batch, second, then reversed
        "20261203593500014": ("unmatched", A["6005"]),  # closed: the service would refuse
        "20261203593500101": ("service-settlement", None),  # visma financial solutions
        "20261203593500102": ("direct-payment", A["6008"]),  # RF original reference
    }
    other = {o.tx.id: o.kind for o in report.other}
    assert other == {
        "20261203593500007": "debit",
        "20261203593500013": "reversal",
        "20261203593500001": "duplicate",  # the camt.054 copy of entry 1
        "20261204593500001": "not-booked",
    }
    by_id = {c.tx.id: c for c in report.entries}
    assert "partial payment: 640.00 remains open" in by_id["20261203593500002"].reason
    over = by_id["20261203593500008"]
    assert over.flags == ["over-payment"] and "100.00 is extra" in over.reason
    assert over.event is not None and over.event.data["sum_paid"] == Decimal("310.00")
    assert "SEK" in by_id["20261203593500009"].reason
    assert "[closed]" in by_id["20261203593500014"].reason
    reversed_ = by_id["20261203593500012"]
    assert reversed_.event is None and reversed_.flags == ["reversed"]
    assert report.needs_person


def test_post_file_events_pass_the_event_rules() -> None:
    report = _report(C053, C054)
    events = report.events_by_assignment()
    assert set(events) == {A["6001"], A["6002"], A["6003"], A["6004"], A["6006"], A["6008"]}
    assert events[A["6001"]] == [
        {
            "type": "paid",
            "data": {
                "sum_paid": 248.0,
                "booked_at": "2026-12-03",
                "archive_number": "20261203593500001",
            },
        }
    ]
    by_id = {a.id: a for a in load_assignments(ASSIGNMENTS)}
    for assignment_id, posts in events.items():
        a = by_id[assignment_id]
        for post in posts:
            event = Event.model_validate(post)
            verdict = validate_event(a, event, Party.COMPANY)
            assert verdict.accepted, verdict.reason
            a = a.model_copy(update={"events": [*a.events, event]})


def test_payments_add_up_within_a_run(tmp_path: Path) -> None:
    path = _camt(
        tmp_path,
        _entry("600.00", "A1", reference="356241200025", day="2026-12-04"),
        _entry("700.00", "A2", reference="35624 12000 25", day="2026-12-05"),
    )
    first, second = _report(path).entries
    assert "640.00 remains open" in first.reason
    assert second.flags == ["over-payment"] and "60.00 is extra" in second.reason


def test_already_reported_payments_are_not_reported_again(tmp_path: Path) -> None:
    # 2026-6004 already has a paid event with this archive number.
    path = _camt(tmp_path, _entry("100.00", "20261127593500077", reference="356241200041"))
    (entry,) = _report(path).entries
    assert entry.kind == "direct-payment" and entry.event is None
    assert "already has a paid event with archive number 20261127593500077" in entry.reason


def test_invoice_number_needs_the_amount(tmp_path: Path) -> None:
    path = _camt(
        tmp_path,
        _entry("80.00", "B1", text="Lasku 2026-6003"),
        _entry("89.90", "B2", text="Lasku 2026-60031"),  # another number, not 2026-6003
        _entry("89.90", "B3", text="lasku 2026-6003 / Kuljetus Lahtinen"),
    )
    wrong, other_number, right = _report(path).entries
    assert wrong.kind == "unmatched" and "neither its open balance nor its sum" in wrong.reason
    assert other_number.kind == "unmatched" and "no reference" in other_number.reason
    assert (right.kind, right.assignment and right.assignment.id) == ("direct-payment", A["6003"])


def test_a_reference_in_the_message_text_counts(tmp_path: Path) -> None:
    path = _camt(
        tmp_path,
        _entry("420.00", "C1", text="Viite 35624 12000 67 kiitos"),
        _entry("96.00", "C2", text="viite rf42 2026 6008 19 ok"),
    )
    first, second = _report(path).entries
    assert first.kind == "direct-payment" and "in the message text" in first.reason
    assert first.assignment is not None and first.assignment.id == A["6006"]
    assert second.assignment is not None and second.assignment.id == A["6008"]
    assert "original reference RF422026600819" in second.reason


def test_a_reversal_without_its_credit_needs_a_person(tmp_path: Path) -> None:
    path = _camt(
        tmp_path, _entry("150.00", "D1", reference="356241200070", credit=False, reversal=True)
    )
    report = _report(path)
    (rev,) = report.other
    assert rev.kind == "reversal" and rev.needs_person and "comment event" in rev.reason
    assert report.needs_person


def test_a_clean_statement_needs_no_one(tmp_path: Path) -> None:
    path = _camt(
        tmp_path,
        _entry("248.00", "E1", reference="356241200012"),
        _entry("500.00", "E2", payer="VISMA AMILI FINLAND OY", text="Tilitys"),
        _entry("3.10", "E3", payer="VISMA AMILI FINLAND OY", text="Korkotilitys PVM 04.12.2026"),
        _entry("9.00", "E4", credit=False, text="Palvelumaksu"),
    )
    report = _report(path)
    assert [c.kind for c in report.entries] == ["direct-payment", "service-settlement", "interest"]
    assert not report.needs_person


def test_original_references_from_the_sent_invoices(tmp_path: Path, samples: Path) -> None:
    from kassavirta.erp.references import original_references

    # samples/route/finvoice-3.0-same-number-delivery-failed.xml: invoice 2026-5011, ref 202650119.
    path = _camt(tmp_path, _entry("348.64", "F1", reference="202650119"))
    assignments = load_assignments(samples / "assignments.json")
    without = classify(_txs(path), assignments).entries[0]
    assert without.kind == "unmatched"
    originals = list(original_references([samples / "route"]))
    (entry,) = classify(_txs(path), assignments, originals).entries
    assert entry.kind == "direct-payment"
    assert entry.assignment is not None and entry.assignment.number == "2026-5011"
    assert "original reference 202650119" in entry.reason


# --- the command -------------------------------------------------------------------------------


def test_cli_json_and_post_file(
    tmp_path: Path, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / "post" / "events.json"
    before = C053.read_bytes()
    code = main(
        [
            "payments",
            str(C053),
            str(C054),
            "--ledger",
            str(ledger_path),
            "--output",
            "json",
            "--post-file",
            str(post),
        ]
    )
    assert code == 1  # unmatched entries and an over-payment need a person
    doc = json.loads(capsys.readouterr().out)
    first = doc["entries"][0]
    assert {k: first[k] for k in ("entry", "booked_at", "amount", "payer", "class")} == {
        "entry": "20261203593500001",
        "booked_at": "2026-12-03",
        "amount": "248.00",
        "payer": "MATTI VIRTANEN",
        "class": "direct-payment",
    }
    assert first["assignment_id"] == A["6001"]
    assert first["event"]["data"]["archive_number"] == "20261203593500001"
    assert set(first) >= {"entry", "booked_at", "amount", "payer", "class", "assignment_id"}
    assert set(first) >= {"event", "reason"}
    assert doc["summary"]["direct-payment"] == 7 and doc["summary"]["events"] == 6
    assert doc["summary"]["sum_to_report"] == "1763.90"
    interest = next(e for e in doc["entries"] if e["class"] == "interest")
    assert interest["event"] is None and interest["assignment_id"] is None
    written = json.loads(post.read_text(encoding="utf-8"))
    assert written == _report(C053, C054).events_by_assignment()
    assert not list(post.parent.glob(".*.tmp"))
    assert C053.read_bytes() == before


def test_cli_text_exit_0_when_all_handled(
    tmp_path: Path, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _camt(
        tmp_path,
        _entry("248.00", "G1", reference="356241200012", payer="Matti Virtanen"),
        _entry("12.00", "G2", payer="Visma  Amili Finland", text="Tilitys"),
    )
    assert main(["payments", str(path), "--ledger", str(ledger_path)]) == 0
    out = capsys.readouterr().out
    assert "DIRECT PAYMENT      G1  2026-12-04      248.00 EUR  Matti Virtanen" in out
    assert "SERVICE SETTLEMENT  G2" in out
    assert "1 paid event(s) to post, 248.00 EUR" in out


def test_cli_unreadable_files_and_usage(
    tmp_path: Path, ledger_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["payments", str(ERP / "receiverinfo.xml"), "--ledger", str(ledger_path)]) == 1
    assert "not read" in capsys.readouterr().out
    assert main(["payments", str(C053), "--ledger", str(tmp_path / "missing.db")]) == 2


def test_cli_invoices_option(
    tmp_path: Path, samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "samples.db"
    with Ledger.open(ledger) as opened:
        opened.import_assignments(load_assignments(samples / "assignments.json"))
    camt = ERP / "camt054-original-reference.xml"
    assert main(["payments", str(camt), "--ledger", str(ledger)]) == 1
    assert "the reference 202650119 is not one the ledger knows" in capsys.readouterr().out
    args = ["payments", str(camt), "--ledger", str(ledger), "--invoices", str(samples / "route")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(invoice 2026-5011) by its original reference 202650119" in out
