"""Invoices written by others (../shared/reference): read, detected and decided as expected.

Values compared here were read by hand from those files.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kassavirta import check_file
from kassavirta.config.policy import Policy
from kassavirta.config.settings import load_settings
from kassavirta.formats import adapter_for, detect
from kassavirta.formats.schemas import SchemaStore
from kassavirta.pipeline.evaluate import Checker
from kassavirta.pipeline.read import SOAP_ENV, SOAP_ENV_2001, read_bytes

MALFORMED = "fv2.01_niq_finvoice3_MALFORMED_endtag.xml"


def _finvoice_samples(reference: Path) -> list[Path]:
    return sorted(p for p in (reference / "samples").glob("fv*.xml") if p.name != MALFORMED)


def test_every_wellformed_finvoice_sample_reads(reference: Path) -> None:
    files = _finvoice_samples(reference)
    assert len(files) >= 20
    for f in files:
        docs = read_bytes(f.read_bytes(), path=str(f))
        assert docs, f
        assert docs[-1].part.root.tag == "Finvoice", f


def test_the_malformed_sample_is_not_xml_with_its_line(reference: Path) -> None:
    result = check_file(reference / "samples" / MALFORMED, today=date(2026, 12, 1))
    assert result.decision.value == "invalid"
    assert result.reasons == ["not-xml"]
    assert result.findings[0].line == 37


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("cii_en16931_CII_business_example_01.xml", "cii"),
        ("cii_en16931_CII_example1.xml", "cii"),
        ("facturae_3.1_factura_ejemplo_31.xml", "facturae"),
        ("facturae_3.2_Invoice32.xsig.xml", "facturae"),
        ("oioubl_2.1_OIOUBL_CreditNote_v2p2.xml", "ubl"),
        ("oioubl_2.1_OIOUBL_Invoice_v2p2.xml", "ubl"),
        ("oioubl_3.0_Invoice_billing_with_response_base_Example.xml", "ubl"),
        ("oioxml_0.7_OIOXML_CreditNote_v0.7.xml", "oioxml"),
        ("oioxml_0.7_OIOXML_Invoice_v0.7.xml", "oioxml"),
        ("peppol_bis3_base-creditnote-correction.xml", "peppol-bis-3"),
        ("peppol_bis3_base-example.xml", "peppol-bis-3"),
        ("svefaktura_1.0_ObjectEnvelope.xml", "ubl"),
        ("svefaktura_1.0_svefaktura_bas.xml", "ubl"),
        ("teappsxml_2.7.2_D.20180608082717.90430823.xml", "teappsxml"),
        ("ubl21_en16931_ubl-tc434-creditnote1.xml", "ubl"),
        ("ubl21_en16931_ubl-tc434-example1.xml", "ubl"),
    ],
)
def test_other_formats_are_detected(reference: Path, name: str, fmt: str) -> None:
    [doc] = read_bytes((reference / "samples" / "other" / name).read_bytes())
    assert detect(doc.part.root).format == fmt


@pytest.mark.parametrize(
    ("name", "fmt", "version"),
    [
        ("fv1.0_rfinvoice_1.0.xml", "finvoice-1.3", "1.0"),
        ("fv1.3_phive_example.xml", "finvoice-1.3", "1.3"),
        ("fv2.01_phive_finvoice_201_example.xml", "finvoice-2.01", "2.01"),
        ("fv3.0_phive_finvoice_30_example.xml", "finvoice-3.0", "3.0"),
    ],
)
def test_finvoice_versions(reference: Path, name: str, fmt: str, version: str) -> None:
    [doc] = read_bytes((reference / "samples" / name).read_bytes())
    detected = detect(doc.part.root)
    assert (detected.format, detected.version) == (fmt, version)


def test_unsupported_others_bypass_and_notification_is_not_an_invoice(reference: Path) -> None:
    other = reference / "samples" / "other"
    for name in (
        "oioxml_0.7_OIOXML_Invoice_v0.7.xml",
        "ubl21_en16931_ubl-tc434-example1.xml",
        "facturae_3.2_Invoice32.xsig.xml",
    ):
        r = check_file(other / name, today=date(2026, 12, 1))
        assert (r.decision.value, r.reasons) == ("bypass", ["unsupported-format"]), name
    frame = check_file(
        reference / "samples" / "soapframe_only_pyfinvoice_sample_soap_ReceiverProposal.xml"
    )
    assert (frame.decision.value, frame.reasons) == ("invalid", ["not-an-invoice"])


@pytest.mark.parametrize(
    "name",
    [
        # Svefaktura 1.0 BasicInvoice 15 from Moderna Produkter AB, in SEK.
        "svefaktura_1.0_svefaktura_bas.xml",
        # Its ObjectEnvelope: the transport wrapper of that invoice, with an attachment.
        "svefaktura_1.0_ObjectEnvelope.xml",
    ],
)
def test_svefaktura_is_the_guides_unsupported_ubl(reference: Path, name: str) -> None:
    # SPEC §1: Svefaktura is UBL 1.x, row `ubl`, unsupported: bypassed before anything is read
    # (so the SEK currency is not the reason).
    [r] = Checker(Policy(today=date(2026, 12, 1))).check_path(
        reference / "samples" / "other" / name
    )
    assert (r.format, r.decision.value, r.reasons) == ("ubl", "bypass", ["unsupported-format"])


@pytest.mark.parametrize("namespace", [SOAP_ENV, SOAP_ENV_2001])
def test_framed_files_give_one_result_each(reference: Path, namespace: str) -> None:
    """The two framed files written by others, read in both envelope namespaces.

    The gobl file: a SOAP frame (receiver intermediator 003700020002, an operator OVT),
    then a Finvoice 3.0 invoice 2026-77 of 2026-09-22 from 7654321-2 to the business
    4567890-7 (Testitie 2, 02100 Espoo), EUR, rows 325,50 = total 325,50, due 2026-10-06,
    no InvoiceRecipientLanguageCode and no penalty interest. On 2026-09-23, with active
    settings, SPEC routes it (13 days to the due date, B2B) with the warning
    `language-defaulted` and the note `interest-missing`, and the frame is no result of its
    own. The py-finvoice file is a frame with no invoice after it:
    `invalid`/`not-an-invoice`.
    """
    settings = load_settings(reference.parent.parent / "examples" / "settings.json")
    checker = Checker(Policy(today=date(2026, 9, 23), settings=settings))
    gobl = (reference / "samples" / "fv3.0_gobl_soap-framed_RECONSTRUCTED.xml").read_bytes()
    assert gobl.count(SOAP_ENV.encode()) == 1
    [invoice] = checker.check_bytes(gobl.replace(SOAP_ENV.encode(), namespace.encode()), "gobl")
    assert (invoice.format, invoice.decision.value, invoice.reasons) == (
        "finvoice-3.0",
        "route",
        [],
    )
    assert [f.rule for f in invoice.findings] == ["language-defaulted", "interest-missing"]
    assert invoice.invoice is not None and invoice.invoice.number == "2026-77"
    alone = reference / "samples" / "soapframe_only_pyfinvoice_sample_soap_ReceiverProposal.xml"
    frame = alone.read_bytes().replace(SOAP_ENV.encode(), namespace.encode())
    [result] = checker.check_bytes(frame, "frame")
    assert (result.decision.value, result.reasons) == ("invalid", ["not-an-invoice"])


def test_framed_invoice_fields(reference: Path) -> None:
    path = reference / "samples" / "fv3.0_gobl_soap-framed_RECONSTRUCTED.xml"
    [doc] = read_bytes(path.read_bytes())
    assert doc.frame is not None
    adapt = adapter_for("finvoice-3.0")
    assert adapt is not None
    inv = adapt(doc)
    assert inv.number == "2026-77"
    assert inv.issue_date == date(2026, 9, 22)
    assert inv.due_date == date(2026, 10, 6)
    assert inv.total == Decimal("325.50")
    assert inv.rows_total == Decimal("325.50")
    assert inv.currency == "EUR"
    assert inv.seller.business_id == "7654321-2"
    assert inv.buyer.business_id == "4567890-7"
    assert inv.buyer.address is not None
    assert (inv.buyer.address.streets, inv.buyer.address.postcode, inv.buyer.address.town) == (
        ["Testitie 2"],
        "02100",
        "Espoo",
    )
    assert inv.payment.iban == "FI2112345600000785"
    assert inv.payment.bic == "NDEAFIHH"
    assert (inv.payment.reference, inv.payment.reference_scheme) == ("RF18539007547034", "ISO")
    assert inv.payment.amount == Decimal("325.50")
    assert inv.channel.value == "b2b"
    # Lines are counted in the whole file, frame included (InvoiceNumber is on line 87).
    assert inv.locations["number"].line == 87
    assert inv.locations["number"].xpath == "/Finvoice/InvoiceDetails/InvoiceNumber"


def test_subinvoice_rows_never_count(reference: Path) -> None:
    path = reference / "samples" / "fv3.0_energia_Verkkoyhtion_kulutuslaskuesimerkki_20190405.xml"
    [doc] = read_bytes(path.read_bytes())
    adapt = adapter_for("finvoice-3.0")
    assert adapt is not None
    inv = adapt(doc)
    assert inv.total == Decimal("57.12")
    assert inv.rows_total == Decimal("57.12")
    assert inv.channel.value == "b2c-netbank"
    assert any("IBAN" in s for s in inv.channel_signals)


def test_paid_amount_sample_has_no_instructed_mismatch(reference: Path) -> None:
    path = (
        reference
        / "samples"
        / "fv3.0_energia_Verkkoyhtion_kulutuslaskuesimerkki_Ennakko_PaidAmount_20190405.xml"
    )
    r = check_file(path, today=date(2018, 10, 1))
    assert "instructed-amount-mismatch" not in {f.rule for f in r.findings}
    fortum = check_file(
        reference / "samples" / "fv2.01_niq_finvoice2_fortum.xml", today=date(2023, 5, 1)
    )
    assert "instructed-amount-mismatch" in {f.rule for f in fortum.findings}


def test_xsd_validation_with_official_schemas(reference: Path, schema_dir: Path) -> None:
    store = SchemaStore([schema_dir])
    policy = Policy(today=date(2026, 9, 23), schemas=store)
    checker = Checker(policy)
    [ok] = checker.check_path(reference / "samples" / "fv3.0_gobl_soap-framed_RECONSTRUCTED.xml")
    assert ok.schema_check == "valid"
    [bad] = checker.check_path(reference / "samples" / "fv2.01_niq_finvoice1_stockmann.xml")
    assert (bad.decision.value, bad.reasons) == ("invalid", ["schema"])
    assert bad.findings[0].line == 9
    assert "SellerTownName" in bad.findings[0].message


def test_shared_example_settings_load(reference: Path) -> None:
    settings = load_settings(reference.parent.parent / "examples" / "settings.json")
    assert settings.active
    assert settings.vfsfi is not None and settings.vfsfi.iban == "FI5050000001205037"
