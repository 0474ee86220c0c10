"""`kassavirta references map` and the ledger's look-up by reference number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import TEST_DATA, imported_ledger
from kassavirta.cli import main
from kassavirta.erp.ledger import Ledger
from kassavirta.erp.references import (
    lookup,
    original_references,
    read_receiver_info,
    reference_key,
    reverse_lookup,
)
from kassavirta.errors import SettingsError

ERP = TEST_DATA / "erp"
RI = ERP / "receiverinfo.xml"
A1 = "69217e15-d7a7-5e68-9653-bbd0ef98e132"  # 2026-6001, service reference 356241200012
A2 = "01109b9c-4403-50aa-a7ff-0d758bd5eb40"  # 2026-6002, original reference 2026600246
A8 = "4f6f90d6-4912-5447-83f9-ed8d726120e8"  # 2026-6008, original reference RF422026600819


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return imported_ledger(tmp_path, ERP / "assignments.json")


def _map(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["references", "map", *args])
    return code, capsys.readouterr().out


# --- the ledger query --------------------------------------------------------------------------


def test_ledger_finds_assignments_by_reference_in_any_printed_form(ledger_path: Path) -> None:
    with Ledger.open_readonly(ledger_path) as ledger:
        for form in ("356241200012", "35624 12000 12", "00000000356241200012", " 356241200012\t"):
            assert [a.id for a in ledger.by_reference(form)] == [A1], form
        assert ledger.by_reference("356241200013") == []
        assert ledger.by_reference("0000") == []
        # the type matters: an invoice id is not a service reference
        invoice_id = "0c01d797-7f61-5a5e-b4b3-f52b8effdb83"
        assert ledger.by_reference(invoice_id) == []
        assert [a.id for a in ledger.by_reference(invoice_id, kind="invoice_id")] == [A1]
        assert [a.id for a in ledger.by_reference(invoice_id.upper(), kind=None)] == [A1]
        found = ledger.by_reference("rf42 2026 6008 19", kind="original_number")
        assert [a.id for a in found] == [A8]
        assert [e.type for e in found[0].events] == []
        events = ledger.by_reference("356241200041")[0].events
        assert [e.type for e in events] == ["paid"]  # events come with the assignment


def test_reference_key() -> None:
    assert reference_key(" 00356 24120\u00a00012 ") == "356241200012"
    assert reference_key("rf42 2026 6008 19") == "RF422026600819"


# --- mapping -----------------------------------------------------------------------------------


def test_lookup_prefers_the_service_reference_then_the_original(ledger_path: Path) -> None:
    with Ledger.open_readonly(ledger_path) as ledger:
        (service,) = lookup(ledger, "35624 12000 25")
        (original,) = lookup(ledger, "2026600246")
        assert service.assignment.id == original.assignment.id == A2
        assert (service.via, original.via) == ("service reference", "original reference")
        row = original.as_dict()
        assert row["invoice_number"] == "2026-6002"
        assert row["invoice_id"] == "1de08f7a-581f-5334-bb37-85c0b25504a9"
        assert row["service_reference"] == "356241200025"
        assert lookup(ledger, "2026-6002") == []  # an invoice number is not a reference


def test_reverse_lookup_by_invoice_number_or_id(ledger_path: Path) -> None:
    with Ledger.open_readonly(ledger_path) as ledger:
        (by_number,) = reverse_lookup(ledger, "2026-6008")
        (by_id,) = reverse_lookup(ledger, "7cda620d-a236-5edf-8122-7401bbc436f3")
        assert by_number.assignment.id == by_id.assignment.id == A8
        assert (by_number.via, by_id.via) == ("invoice number", "invoice id")
        assert reverse_lookup(ledger, "2026-9999") == []


def test_cli_map_text(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _map(capsys, "356241200012", "--ledger", str(ledger_path))
    assert code == 0
    assert out == (
        f"356241200012: assignment {A1} (invoice 2026-6001 dated 2026-11-16, invoice id "
        "0c01d797-7f61-5a5e-b4b3-f52b8effdb83, open, Matti Virtanen) by its service reference\n"
    )
    code, out = _map(capsys, "356241200012", "999999999", "--ledger", str(ledger_path))
    assert code == 1
    assert "999999999: no assignment in" in out


def test_cli_map_reverse_json(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _map(capsys, "--reverse", "2026-6002", "--ledger", str(ledger_path), "-O", "json")
    assert code == 0
    doc = json.loads(out)
    (row,) = doc["results"]
    assert row["found"] is True
    (match,) = row["matches"]
    assert match["service_reference"] == "356241200025"
    assert match["original_reference"] == "2026600246"
    assert match["via"] == "invoice number"


# --- RI messages -------------------------------------------------------------------------------


def test_read_receiver_info_fields() -> None:
    (ri,) = read_receiver_info(RI)
    assert (ri.action, ri.message_date, ri.buyer_name) == ("ADD", "2026-12-03", "Matti Virtanen")
    assert (ri.recipient_address, ri.recipient_bank) == ("FI4250001510000023", "OKOYFIHH")
    assert [(i.field, i.value, i.type) for i in ri.identifiers] == [
        ("SellerInvoiceIdentifier", "35624 12000 12", "09"),
        ("SellerInvoiceIdentifier", "ASIAKAS-4471", "09"),
        ("EpiRemittanceIdentifier", "RF42 2026 6008 19", None),
    ]


def test_cli_map_ri(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _map(capsys, "--ri", str(RI), "--ledger", str(ledger_path), "-O", "json")
    assert code == 1  # the customer number is not a reference
    rows = json.loads(out)["results"]
    assert [(r["field"], r["found"]) for r in rows] == [
        ("SellerInvoiceIdentifier", True),
        ("SellerInvoiceIdentifier", False),
        ("EpiRemittanceIdentifier", True),
    ]
    assert rows[0]["matches"][0]["assignment_id"] == A1
    assert rows[0]["recipient_address"] == "FI4250001510000023"
    assert rows[2]["matches"][0]["assignment_id"] == A8
    code, out = _map(capsys, "--ri", str(RI), "--ledger", str(ledger_path))
    assert "RI message" in out and "consumer Matti Virtanen" in out
    assert "ASIAKAS-4471 (type 09: other alphanumeric identifier): not a reference" in out


def test_ri_13_and_a_frame(tmp_path: Path, reference: Path) -> None:
    import xmlschema

    text = RI.read_text(encoding="utf-8")
    # The 1.3 family: Version 1.0, names without a language group, no BuyerServiceCode.
    old = (
        text.replace('Version="2.0"', 'Version="1.0"')
        .replace('<SellerOrganisationNames LanguageCode="FI">', "")
        .replace("</SellerOrganisationNames>", "")
        .replace("<BuyerServiceCode>00</BuyerServiceCode>", "")
        .replace(' SellerInvoiceIdentifierType="09"', "")
        .replace("2026-12-03T08:14:55<", "2026-12-03T08:14:55.00<")  # 1.3: exactly 22
    )
    path = tmp_path / "ri13.xml"
    path.write_text(old, encoding="utf-8")
    schema = xmlschema.XMLSchema(
        str(reference / "schemas" / "extra" / "1.3" / "FinvoiceReceiverInfo.xsd")
    )
    assert [str(e) for e in schema.iter_errors(str(path))][:1] == []
    (ri,) = read_receiver_info(path)
    assert ri.identifiers[0].value == "35624 12000 12"
    # As it arrives from the operator bank: a SOAP frame before the message.
    frame = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        "<SOAP-ENV:Header/><SOAP-ENV:Body/></SOAP-ENV:Envelope>\n"
    )
    framed = tmp_path / "framed.xml"
    framed.write_text(frame + old, encoding="utf-8")
    (again,) = read_receiver_info(framed)
    assert again.identifiers == ri.identifiers and again.buyer_name == "Matti Virtanen"


def test_not_an_ri_message_is_a_usage_error(tmp_path: Path, ledger_path: Path) -> None:
    with pytest.raises(SettingsError, match="not a FinvoiceReceiverInfo"):
        read_receiver_info(ERP / "senderinfo-2.0-op.xml")
    assert main(["references", "map", "--ledger", str(ledger_path)]) == 2
    assert main(["references", "map", "1232", "--ledger", str(tmp_path / "none.db")]) == 2


def test_original_references_from_invoices(samples: Path) -> None:
    found = {(number, ref) for number, _, ref, _ in original_references([samples / "route"])}
    assert ("2026-5011", "202650119") in found
    assert ("2026-4106", "RF68202641063") in found
