"""SI CHANGE messages (`kassavirta si-change`): what changes, what is carried over, and that
every message validates against the FinvoiceSenderInfo XSD of its schema family."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from helpers import ROOT, TEST_DATA, TODAY
from kassavirta.cli import main
from kassavirta.config.settings import load_settings
from kassavirta.erp.senderinfo.change import build_messages
from kassavirta.erp.senderinfo.model import BankMessage
from kassavirta.erp.senderinfo.read import parse_sender_info, read_sender_info_files
from kassavirta.erp.senderinfo.seller import load_seller_file
from kassavirta.erp.senderinfo.write import serialise
from kassavirta.errors import SettingsError
from kassavirta.pipeline.read import SOAP_ENV, SOAP_ENV_2001, read_bytes

ERP = TEST_DATA / "erp"
SETTINGS = ROOT / "samples" / "settings.json"
NORDEA = ERP / "senderinfo-2.0-nordea.xml"
OP = ERP / "senderinfo-2.0-op.xml"
OLD = ERP / "senderinfo-1.3.xml"
SELLER = ERP / "seller.toml"
SERVICE_IBAN = "FI5515725137790445"
EB = "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"


def _xsd(reference: Path, family: str) -> Any:
    import xmlschema

    path = reference / "schemas" / "extra" / family / "FinvoiceSenderInfo.xsd"
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return xmlschema.XMLSchema(str(path))


def _message(data: bytes) -> etree._Element:
    docs = read_bytes(data)
    return docs[-1].part.root


def _assert_valid(reference: Path, family: str, data: bytes) -> None:
    errors = [str(e) for e in _xsd(reference, family).iter_errors(_message(data))]
    assert errors == []


def _build(
    *paths: Path, banks: tuple[str, ...] = (), version: str = "2.0", kind: str = "09"
) -> list[BankMessage]:
    return build_messages(
        read_sender_info_files(paths),
        list(banks),
        service_iban=SERVICE_IBAN,
        service_bic="NDEAFIHH",
        identifier_type=kind,
        today=TODAY,
        version=version,
    )


def _texts(root: etree._Element, path: str) -> list[str]:
    return [(e.text or "").strip() for e in root.iterfind(path)]


def _run(tmp_path: Path, *args: str) -> int:
    return main(["si-change", "--settings", str(SETTINGS), "-o", str(tmp_path), *args])


# --- the change itself -------------------------------------------------------------------------


def test_change_adds_the_service_account_last_and_replaces_reference_types(
    reference: Path,
) -> None:
    (msg,) = _build(NORDEA)
    assert msg.bank == "NDEAFIHH"  # from the frame of the file it came in
    root = _message(serialise(msg))
    assert _texts(root, "SellerAccountDetails/SellerAccountID") == [
        "FI7657062096654282",
        "FI8511420001234563",
        SERVICE_IBAN,
    ]
    assert _texts(root, "SellerAccountDetails/SellerBic")[-1] == "NDEAFIHH"
    types = [e.get("SellerInvoiceIdentifierType") for e in root.iter("SellerInvoiceIdentifierText")]
    assert types == ["09", "09", "09"]  # 01, 01 → 09; the third was 09 already
    assert _texts(root, "MessageDetails/MessageActionCode") == ["CHANGE"]
    assert _texts(root, "MessageDetails/MessageDate") == ["20261201"]
    _assert_valid(reference, "2.0", serialise(msg))


def test_a_frame_in_the_2001_12_envelope_namespace_names_the_bank_too(tmp_path: Path) -> None:
    older = tmp_path / "nordea-2001-12.xml"
    older.write_bytes(NORDEA.read_bytes().replace(SOAP_ENV.encode(), SOAP_ENV_2001.encode()))
    [info] = read_sender_info_files([older])  # the frame is no SI message of its own
    assert info.target_bank == "NDEAFIHH"


def test_everything_else_is_carried_over() -> None:
    (msg,) = _build(NORDEA)
    before = _message(NORDEA.read_bytes())
    after = _message(serialise(msg))
    for path in (
        "MessageDetails/SenderInfoIdentifier",
        "MessageDetails/MessageTypeText",
        "SellerPartyDetails/SellerPartyIdentifier",
        "SellerPartyDetails/SellerOrganisationNames/SellerOrganisationName",
        "SellerPartyDetails/SellerOrganisationBankName",
        "SellerPartyDetails/SellerPostalAddressDetails/*",
        "SellerPartyDetails/IndustryCode",
        "SellerOrganisationUnitNumber",
        "InvoiceSenderInformationDetails/*",
        "SellerInvoiceDetails/PaymentInstructionIdentifier",
        "SellerInvoiceDetails/SellerInstructionFreeText",
        "SellerInvoiceDetails/SellerInvoiceTypeDetails/SellerInvoiceTypeText",
        "SellerInvoiceDetails/SellerInvoiceTypeDetails/SellerInvoiceIdentifierText",
        "SellerInvoiceDetails/SellerServiceCode",
        "ProposedDueDateAccepted",
    ):
        assert _texts(after, path) == _texts(before, path), path
    first = next(after.iter("SellerInvoiceIdentifierText"))
    assert first.get("SellerInvoiceIdentifierMinLength") == "4"
    assert first.get("SellerInvoiceIdentifierMaxLength") == "20"
    assert [g.get("LanguageCode") for g in after.iter("SellerOrganisationNames")] == ["FI", "SV"]


def test_identifier_type_is_a_setting() -> None:
    (msg,) = _build(OP, banks=("OKOYFIHH",), kind="08")
    root = _message(serialise(msg))
    assert [
        e.get("SellerInvoiceIdentifierType") for e in root.iter("SellerInvoiceIdentifierText")
    ] == ["08"]
    assert any("02 (RF creditor reference) → 08" in c for c in msg.changes)


def test_the_identifier_type_setting_allows_only_non_reference_types(tmp_path: Path) -> None:
    data = json.loads(SETTINGS.read_text(encoding="utf-8"))
    settings = tmp_path / "settings.json"
    data["si_identifier_type"] = "01"
    settings.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SettingsError, match="si_identifier_type"):
        load_settings(settings)
    assert load_settings(SETTINGS).si_identifier_type == "09"


def test_nothing_to_change_means_no_message(tmp_path: Path) -> None:
    done = tmp_path / "done.xml"
    (msg,) = _build(OP, banks=("OKOYFIHH",))
    done.write_bytes(serialise(msg, frame=False))
    (again,) = _build(done, banks=("OKOYFIHH",))
    assert not again.changed
    assert any("already a seller account" in n for n in again.notes)
    assert (
        _texts(_message(serialise(again)), "SellerAccountDetails/SellerAccountID").count(
            SERVICE_IBAN
        )
        == 1
    )
    out = tmp_path / "out"
    assert _run(out, "--from", str(done), "--bank", "OKOYFIHH") == 0
    assert not out.exists() or not list(out.iterdir())


def test_one_message_per_bank_addressed_by_its_frame(reference: Path) -> None:
    messages = _build(NORDEA, OP, banks=("OKOYFIHH", "HELSFIHH"))
    assert [m.bank for m in messages] == ["NDEAFIHH", "OKOYFIHH", "HELSFIHH"]
    for m in messages:
        data = serialise(m)
        docs = read_bytes(data)
        assert len(docs) == 1 and docs[0].frame is not None
        frame = docs[0].frame.root
        assert frame.tag == f"{{{SOAP_ENV}}}Envelope"
        to = {
            t.findtext(f"{{{EB}}}Role"): t.findtext(f"{{{EB}}}PartyId")
            for t in frame.iter(f"{{{EB}}}To")
        }
        assert to == {"Receiver": "SENDERINFO", "Intermediator": m.bank}
        _assert_valid(reference, "2.0", data)
        assert not serialise(m, frame=False).count(b"Envelope")


def test_two_sender_infos_for_one_bank_are_refused() -> None:
    with pytest.raises(SettingsError, match="two sender infos for bank NDEAFIHH"):
        _build(NORDEA, OP, banks=("NDEAFIHH",))


def test_a_message_without_frame_needs_a_bank() -> None:
    with pytest.raises(SettingsError, match="--bank"):
        _build(OP)


# --- schema families ---------------------------------------------------------------------------


def test_version_13_output_validates_and_drops_what_13_cannot_carry(reference: Path) -> None:
    (msg,) = _build(NORDEA, version="1.3")
    data = serialise(msg)
    _assert_valid(reference, "1.3", data)
    root = _message(data)
    assert root.get("Version") == "1.0"
    assert [
        e.get("SellerInvoiceIdentifierType") for e in root.iter("SellerInvoiceIdentifierText")
    ] == [
        None,
        None,
        None,
    ]
    assert _texts(root, "SellerPartyDetails/SellerOrganisationName") == [
        "Pirkanmaan Työkonehuolto Oy"
    ]
    assert _texts(root, "SellerAccountDetails/SellerAccountID")[-1] == SERVICE_IBAN
    notes = " | ".join(msg.notes)
    assert "dropped SV" in notes and "IndustryCode 331 dropped" in notes
    assert not msg.problems


def test_version_13_input_to_20_takes_the_bic_from_the_iban(reference: Path) -> None:
    (msg,) = _build(OLD, banks=("OKOYFIHH",))
    data = serialise(msg)
    _assert_valid(reference, "2.0", data)
    root = _message(data)
    assert _texts(root, "SellerAccountDetails/SellerBic") == ["OKOYFIHH", "NDEAFIHH"]
    assert _texts(root, "SellerInvoiceDetails/SellerServiceCode") == ["00"]
    assert any("SellerDirectPaymentIdentifier dropped" in n for n in msg.notes)


def test_version_13_input_stays_valid_as_13(reference: Path) -> None:
    (msg,) = _build(OLD, banks=("OKOYFIHH",), version="1.3")
    data = serialise(msg)
    _assert_valid(reference, "1.3", data)
    assert _texts(_message(data), "SellerInvoiceDetails/SellerDirectPaymentIdentifier") == [
        "TKH-SUORAMAKSU"
    ]


def test_a_name_too_long_for_13_is_a_problem_not_a_truncation(tmp_path: Path) -> None:
    root = _message(NORDEA.read_bytes())
    name = root.find("SellerPartyDetails/SellerOrganisationNames/SellerOrganisationName")
    assert name is not None
    name.text = "Pirkanmaan Työkonehuolto ja Maanrakennuskoneet Oy"
    long = tmp_path / "long.xml"
    long.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    (msg,) = _build(long, banks=("NDEAFIHH",), version="1.3")
    assert msg.problems and "longer than the 35 characters" in msg.problems[0]
    out = tmp_path / "out"
    assert _run(out, "--from", str(long), "--bank", "NDEAFIHH", "--version", "1.3") == 1
    assert not out.exists() or not list(out.iterdir())
    # 2.0 allows 70 characters: the same input is fine there.
    assert _run(out, "--from", str(long), "--bank", "NDEAFIHH") == 0


# --- the seller file ---------------------------------------------------------------------------


def test_seller_file_builds_valid_messages(reference: Path) -> None:
    info = load_seller_file(SELLER)
    assert [a.bic for a in info.accounts] == ["OKOYFIHH", "HELSFIHH"]  # second from the IBAN
    assert info.accounts[0].account == "FI7657062096654282"
    messages = build_messages(
        [info],
        ["OKOYFIHH", "DABAFIHH"],
        service_iban=SERVICE_IBAN,
        service_bic="NDEAFIHH",
        identifier_type="99",
        today=TODAY,
        version="2.0",
    )
    for m in messages:
        data = serialise(m)
        _assert_valid(reference, "2.0", data)
        root = _message(data)
        assert [
            e.get("SellerInvoiceIdentifierType") for e in root.iter("SellerInvoiceIdentifierText")
        ] == ["99", "99"]
        assert _texts(root, "SellerAccountDetails/SellerAccountID")[-1] == SERVICE_IBAN
        assert _texts(root, "MessageDetails/SenderInfoIdentifier") == ["26487160"]


def test_seller_file_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "seller.json"
    bad.write_text(json.dumps({"name": "X Oy", "business_id": "2648716-0"}), encoding="utf-8")
    with pytest.raises(SettingsError, match="accounts"):
        load_seller_file(bad)


def test_not_a_sender_info_is_a_usage_error(tmp_path: Path) -> None:
    invoice = ROOT / "samples" / "route" / "finvoice-3.0.xml"
    with pytest.raises(SettingsError, match="not a FinvoiceSenderInfo"):
        parse_sender_info(_message(invoice.read_bytes()))
    assert _run(tmp_path, "--from", str(invoice), "--bank", "OKOYFIHH") == 2


# --- the command -------------------------------------------------------------------------------


def test_cli_writes_one_file_per_bank_and_summarises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: Path
) -> None:
    code = _run(
        tmp_path,
        "--from",
        str(NORDEA),
        str(OP),
        "--bank",
        "OKOYFIHH",
        "--today",
        "2026-12-01",
    )
    out = capsys.readouterr().out
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "senderinfo-change-NDEAFIHH.xml",
        "senderinfo-change-OKOYFIHH.xml",
    ]
    assert "bank NDEAFIHH (Nordea Bank Finland Plc): FinvoiceSenderInfo 2.0 CHANGE" in out
    assert "adds the service's account FI55 1572 5137 7904 45 (NDEAFIHH)" in out
    assert 'identifier "RF-viite": type 02 (RF creditor reference) → 09' in out
    assert '"si_change_sent": true' in out
    for path in tmp_path.iterdir():
        _assert_valid(reference, "2.0", path.read_bytes())
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_is_deterministic_for_a_given_date(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert _run(tmp_path / name, "--from", str(NORDEA), "--today", "2026-12-01") == 0
    first = (tmp_path / "a" / "senderinfo-change-NDEAFIHH.xml").read_bytes()
    assert first == (tmp_path / "b" / "senderinfo-change-NDEAFIHH.xml").read_bytes()


def test_cli_usage_errors(tmp_path: Path) -> None:
    assert _run(tmp_path, "--seller", str(SELLER)) == 2  # no --bank
    assert _run(tmp_path, "--seller", str(SELLER), "--bank", "NDEA-FI") == 2
    with pytest.raises(SystemExit) as exc:
        _run(tmp_path, "--from", str(NORDEA), "--seller", str(SELLER))
    assert exc.value.code == 2
    assert not list(tmp_path.iterdir())


def test_cli_leaves_the_inputs_alone(tmp_path: Path) -> None:
    before = NORDEA.read_bytes()
    assert _run(tmp_path, "--from", str(NORDEA), "--no-frame") == 0
    assert NORDEA.read_bytes() == before
    written = (tmp_path / "senderinfo-change-NDEAFIHH.xml").read_bytes()
    assert written.startswith(b"<?xml") and b"Envelope" not in written
