"""One row per format with a reader: the documents and edits the shared suite runs.

`test_every_format.py` runs every row; a format the registry can read but that
has no row here fails `test_every_readable_format_has_a_case`. Expected values
are read from the sample files by hand (row amounts, totals, dates), or come
from SPEC's wording of the findings, never from the toolkit's own output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, SHARED, TEST_DATA, Edit, local, party, step

DATA = TEST_DATA / "formats"
TEAPPSXML_INVOICE = "/INVOICE_CENTER/CONTENT_FRAME/INVOICES/INVOICE"


def teappsxml_schema_dir() -> Path:
    """The TEAPPSXML 2.7.2 and 3.0 XSDs in ../shared/reference; the test skips without them."""
    found = SHARED / "reference" / "teappsxml" / "schemas"
    if not (found / "teappsxmlv30_schema_invoices_0.xsd").is_file():
        pytest.skip("the TEAPPSXML XSDs in ../shared/reference are not available")
    return found


# The seller and buyer of the test files in tests/data/formats, as every reader must read them.
PIRKAN_KONE = party(
    "Pirkan Kone Oy", "1572860-0", "FI15728600", ["Hatanpään valtatie 34"], "Tampere", "33100"
)
NOKIAN_METALLITYO = party(
    "Nokian Metallityö Oy", "2464491-9", None, ["Teollisuustie 7", "Halli B"], "Nokia", "37150"
)


@dataclass(frozen=True)
class Triggered:
    """Edits that make a routed sample fail one rule, and what the finding then says."""

    edits: tuple[Edit, ...]
    message_ends: str | None = None
    detail_has: str | None = None
    xpath: str | None = None
    sample: Path | None = None
    """The document to edit, when not the case's `route` sample."""


@dataclass(frozen=True)
class FormatCase:
    format: str
    route: Path
    """A document of the format that routes as it is (today = helpers.TODAY)."""
    detected: tuple[Path, ...]
    """Further documents of the format: each is detected as it."""
    due_soon: Triggered
    """The due date two days after today: `due-date-too-soon`."""
    due_in_three_days: tuple[Edit, ...]
    """The due date exactly three days after today: routes."""
    address: Triggered
    sum_mismatch: Triggered
    number: str
    issued: str
    """The route sample's number and date: an open, part-paid assignment with both is a duplicate."""
    non_eur: Path | tuple[Edit, ...]
    """A document (or edits of `route`) whose amounts are not in euros: bypassed."""
    credit_note: Path | tuple[Edit, ...]
    """A credit note (or edits of `route` making one): routed, with the `credit-note` warning."""
    due_also: tuple[Path, ...] = ()
    """Further documents the due-date edits apply to, with the same finding."""
    rewrites: tuple[Path, ...] = ()
    """Documents the rewrite must handle validly and idempotently, besides `route`."""


def _finvoice(version: str, number: str, rows_sum: str, total: str) -> FormatCase:
    route = SAMPLES / "route" / f"finvoice-{version}.xml"
    bypass = SAMPLES / "bypass" / f"finvoice-{version}-non-eur.xml"
    due = ("//InvoiceDueDate", "//EpiDateOptionDate")
    return FormatCase(
        format=f"finvoice-{version}",
        route=route,
        detected=tuple(
            p
            for p in (*sorted((SAMPLES / "error").glob(f"finvoice-{version}-*.xml")), bypass)
            if p.is_file()
        ),
        due_soon=Triggered(
            tuple((path, "text", "20261203") for path in due),
            xpath="/Finvoice/InvoiceDetails/PaymentTermsDetails/InvoiceDueDate",
        ),
        due_in_three_days=tuple((path, "text", "20261204") for path in due),
        address=Triggered(
            (("//BuyerTownName", "remove", None),),
            detail_has="the buyer address has no town",
            xpath="/Finvoice/BuyerPartyDetails/BuyerPostalAddressDetails",
        ),
        # The first row's amount set to 100,00: the rows no longer add up to the total.
        sum_mismatch=Triggered(
            (("(//RowAmount)[1]", "text", "100,00"),),
            message_ends=f"The sum of the invoice rows {rows_sum} does not match the invoice total {total}).",
        ),
        number=number,
        issued="2026-11-20",
        credit_note=(("//InvoiceTypeCode", "text", "INV02"),),
        non_eur=bypass
        if bypass.is_file()
        else (("//*[@AmountCurrencyIdentifier]", "attr:AmountCurrencyIdentifier", "SEK"),),
    )


_VISMA_DUE = local("PaymentDate")
"""The header's due date and any payment instruction's own."""
_VISMA_ROW_AMOUNT = "(" + local("DetailLine", "AmountInclVAT") + ")"


def _visma(version: str, **fields: Any) -> FormatCase:
    """A Visma XML case: what both versions share (our samples, the rules' edits)."""
    return FormatCase(
        format=f"visma-xml-{version}",
        route=SAMPLES / "route" / f"visma-xml-{version}.xml",
        due_soon=Triggered(
            ((_VISMA_DUE, "text", "2026-12-03"),), xpath="/inv:Invoice/inv:PaymentDate"
        ),
        due_in_three_days=((_VISMA_DUE, "text", "2026-12-04"),),
        issued="2026-11-20",
        **fields,
    )


_TEAPPSXML_DUE = ("//HEADER/DUE_DATE/DATE/DAY", "//HEADER/DUE_DATE/DATE/MONTH")
_CII_DUE = local("DueDateDateTime", "DateTimeString")
_LIINOS_DUE_DAY = "//Header/Dates/Date[@Type='3']/Day"
_LIINOS_CREDIT = {
    # The route sample credited in full: every amount negative, and no due date.
    "//Summary[@Type='1']/Sum": "-414.16",
    "//Summary[@Type='2']/Sum": "-330.00",
    "//Summary[@Type='3']/Sum": "-84.16",
    "//Taxes/Vat/VatSum": "-84.16",
    "//Taxes/Vat/TotalExclVat": "-330.00",
    "//Row[1]//TotalExclVat": "-204.00",
    "//Row[1]//TotalInclVat": "-256.02",
    "//Row[2]//TotalExclVat": "-91.00",
    "//Row[2]//TotalInclVat": "-114.21",
    "//Row[3]//TotalExclVat": "-35.00",
    "//Row[3]//TotalInclVat": "-43.93",
}
_CII_CHARGE = (
    "(" + local("ApplicableHeaderTradeSettlement", "SpecifiedTradeAllowanceCharge") + ")[2]"
)

CASES: dict[str, FormatCase] = {
    case.format: case
    for case in (
        _finvoice("1.3", "18201", "328.42", "711.60"),
        _finvoice("2.0", "LL-10452", "477.00", "937.99"),
        _finvoice("2.01", "P26-0881", "423.79", "1026.59"),
        _finvoice("3.0", "2026-4101", "563.85", "575.55"),
        FormatCase(
            format="teappsxml",
            route=SAMPLES / "route" / "teappsxml.xml",
            detected=(SAMPLES / "bypass" / "teappsxml-non-eur.xml", DATA / "teappsxml-2.7.2.xml"),
            due_soon=Triggered(
                ((_TEAPPSXML_DUE[0], "text", "03"), (_TEAPPSXML_DUE[1], "text", "12")),
                xpath=f"{TEAPPSXML_INVOICE}/HEADER/DUE_DATE/DATE",
            ),
            due_in_three_days=((_TEAPPSXML_DUE[0], "text", "04"),),
            due_also=(DATA / "teappsxml-2.7.2.xml",),
            address=Triggered(
                (("//RECEIVER//POSTAL_CODE", "text", "4810"),),
                message_ends="Postal code for Kotka 4810 not found (code #5)).",
            ),
            # Row 2 without its minus sign: 316.26 + 25.10 = 341.36 against 291.16.
            sum_mismatch=Triggered(
                (("//ROWS/ROW[2]/ROW_TOTAL/AMOUNT[@VAT='INCLUDED']", "attr:SIGN", "+"),),
                message_ends="The sum of the invoice rows 341.36 does not match the invoice total 291.16).",
                sample=DATA / "teappsxml-2.7.2.xml",
            ),
            number="660217",
            issued="2026-11-20",
            non_eur=SAMPLES / "bypass" / "teappsxml-non-eur.xml",
            # Every AMOUNT signed "-", and no due date (a credit note needs none).
            credit_note=(("//AMOUNT", "attr:SIGN", "-"), ("//HEADER/DUE_DATE", "remove", None)),
            rewrites=(DATA / "teappsxml-2.7.2.xml",),
        ),
        FormatCase(
            format="peppol-bis-3",
            route=SAMPLES / "route" / "peppol-bis-3.xml",
            detected=(
                SAMPLES / "route" / "peppol-bis-3-credit-note.xml",
                SAMPLES / "error" / "peppol-bis-3-due-date-too-soon.xml",
                SAMPLES / "bypass" / "peppol-bis-3-non-eur.xml",
                DATA / "peppol-bis-3-allowances.xml",
            ),
            due_soon=Triggered(
                ((f"/*/{step('DueDate')}", "text", "2026-12-03"),), xpath="/*/cbc:DueDate"
            ),
            due_in_three_days=((f"/*/{step('DueDate')}", "text", "2026-12-04"),),
            address=Triggered(
                ((local("AccountingCustomerParty") + local("PostalZone"), "text", "0010"),),
                message_ends="Postal code for Helsinki 0010 not found (code #5)).",
            ),
            # Line 1 at 430.00: Σ line net 467.05 + charge 15.00 − allowance 20.00 + tax 111.02
            # + rounding 0.03 against 563.10.
            sum_mismatch=Triggered(
                ((f"/*/{step('InvoiceLine')}[1]/{step('LineExtensionAmount')}", "text", "430.00"),),
                message_ends="The sum of the invoice rows 573.07 does not match the invoice total 563.10).",
                detail_has="+ rounding 0.03",
                sample=DATA / "peppol-bis-3-allowances.xml",
            ),
            number="HLP-2026-0311",
            issued="2026-11-20",
            non_eur=SAMPLES / "bypass" / "peppol-bis-3-non-eur.xml",
            credit_note=SAMPLES / "route" / "peppol-bis-3-credit-note.xml",
            rewrites=(
                DATA / "peppol-bis-3-allowances.xml",
                SAMPLES / "route" / "peppol-bis-3-credit-note.xml",
            ),
        ),
        FormatCase(
            format="cii",
            route=SAMPLES / "route" / "cii.xml",
            detected=(SAMPLES / "bypass" / "cii-non-eur.xml", DATA / "cii-xrechnung.xml"),
            due_soon=Triggered(
                ((_CII_DUE, "text", "20261203"),),
                xpath="/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
                "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradePaymentTerms/"
                "ram:DueDateDateTime/udt:DateTimeString",
            ),
            due_in_three_days=((_CII_DUE, "text", "20261204"),),
            address=Triggered(
                ((local("BuyerTradeParty", "CityName"), "remove", None),), detail_has="no town"
            ),
            # The second charge at 20.00: Σ line net 580.00 + charge 20.00 − allowance 25.00
            # + tax 134.88 = 709.88, against 699.90.
            sum_mismatch=Triggered(
                ((_CII_CHARGE + local("ActualAmount"), "text", "20.00"),),
                message_ends="The sum of the invoice rows 709.88 does not match the invoice total 699.90).",
                sample=DATA / "cii-xrechnung.xml",
            ),
            number="KKP-26-1207",
            issued="2026-11-20",
            non_eur=SAMPLES / "bypass" / "cii-non-eur.xml",
            # Type code 381 (UNTDID 1001: a credit note), and no due date.
            credit_note=(
                (local("ExchangedDocument") + "/" + step("TypeCode"), "text", "381"),
                (local("SpecifiedTradePaymentTerms", "DueDateDateTime"), "remove", None),
            ),
            rewrites=(DATA / "cii-xrechnung.xml",),
        ),
        FormatCase(
            format="s-edi-3.0",
            route=SAMPLES / "route" / "s-edi-3.0.xml",
            detected=(DATA / "s-edi-3.0-charges.xml", DATA / "s-edi-3.0-credit-note.xml"),
            due_soon=Triggered(
                (("//Header/DueDate", "text", "2026-12-03"),),
                xpath="/S-EDI/Invoice/Header/DueDate",
            ),
            due_in_three_days=(("//Header/DueDate", "text", "2026-12-04"),),
            address=Triggered(
                (("//BuyerParty/InvoiceAddress/PostOffice", "remove", None),),
                detail_has="the buyer address has no town",
                xpath="/S-EDI/Invoice/Header/BuyerParty/InvoiceAddress",
            ),
            # Row 1 at 454.21 instead of 554.21: 454.21 + 554.71 + 181.98 against 1290.90.
            sum_mismatch=Triggered(
                (("//ArticleRow[1]/SumOfLineInclVAT", "text", "454.21"),),
                message_ends="The sum of the invoice rows 1190.90 does not match the invoice total 1290.90).",
            ),
            number="SE-7731",
            issued="2026-11-20",
            non_eur=(("//Summary/Currency/CurrencyCode", "text", "SEK"),),
            credit_note=DATA / "s-edi-3.0-credit-note.xml",
            rewrites=(DATA / "s-edi-3.0-credit-note.xml",),
        ),
        FormatCase(
            format="maventa-xml-1.0",
            route=SAMPLES / "route" / "maventa-xml-1.0.xml",
            detected=(
                DATA / "maventa-xml-1.0-consumer.xml",
                DATA / "maventa-xml-1.0-credit-note.xml",
            ),
            due_soon=Triggered(
                (("/invoice/date_due", "text", "2026-12-03"),), xpath="/invoice/date_due"
            ),
            due_in_three_days=(("/invoice/date_due", "text", "2026-12-04"),),
            address=Triggered(
                (("/invoice/customer_post_code", "text", "1810"),),
                message_ends="Postal code for Heinola 1810 not found (code #5)).",
                xpath="/invoice/customer_post_code",
            ),
            # Item 1 at 1456.20 instead of 1556.20: 1456.20 + 323.79 + 45.37 against 1925.36.
            sum_mismatch=Triggered(
                (("/invoice/items/item[1]/sum_tax", "text", "1456.20"),),
                message_ends="The sum of the invoice rows 1825.36 does not match the invoice total 1925.36).",
            ),
            number="MX-4410",
            issued="2026-11-20",
            non_eur=(("/invoice/currency/abbr", "text", "SEK"),),
            credit_note=DATA / "maventa-xml-1.0-credit-note.xml",
            rewrites=(DATA / "maventa-xml-1.0-credit-note.xml",),
        ),
        FormatCase(
            format="liinos",
            route=SAMPLES / "route" / "liinos.xml",
            detected=(DATA / "liinos-decimal-comma.xml",),
            due_soon=Triggered(((_LIINOS_DUE_DAY, "text", "03"),), detail_has="is 2 day(s) after"),
            due_in_three_days=((_LIINOS_DUE_DAY, "text", "04"),),
            due_also=(DATA / "liinos-decimal-comma.xml",),
            address=Triggered(
                (("//Party[@Type='IV']/PostalNumber", "text", "3750"),),
                message_ends="Postal code for Lempäälä 3750 not found (code #5)).",
                xpath="/Liinos_XML/Data/Parties/Party[1]/PostalNumber",
            ),
            # Row 1 at 2 871,40 (decimal comma, space between thousands): 2 871,40 + 483,18
            # = 3 354,58 against 3 344,58.
            sum_mismatch=Triggered(
                (("//Row[1]//TotalInclVat", "text", "2 871,40"),),
                message_ends="The sum of the invoice rows 3354.58 does not match the invoice total 3344.58).",
                sample=DATA / "liinos-decimal-comma.xml",
            ),
            number="2026-7301",
            issued="2026-11-20",
            non_eur=(("//Currency", "text", "SEK"),),
            credit_note=(
                *((path, "text", value) for path, value in _LIINOS_CREDIT.items()),
                ("//Header/Dates/Date[@Type='3']", "remove", None),
            ),
            rewrites=(DATA / "liinos-decimal-comma.xml",),
        ),
        _visma(
            "5.3",
            detected=(DATA / "visma-xml-5.3-freight.xml",),
            address=Triggered(
                ((local("Invoicee", "PostCode"), "text", "1510"),),
                message_ends="Postal code for Lahti 1510 not found (code #5)).",
                xpath="/inv:Invoice/inv:Invoicee/inv:PostCode",
            ),
            # Row 1 at 300.00: 300.00 + 60.24 + 20.08 = 380.32 against 404.11.
            sum_mismatch=Triggered(
                ((f"{_VISMA_ROW_AMOUNT}[1]", "text", "300.00"),),
                message_ends="The sum of the invoice rows 380.32 does not match the invoice total 404.11).",
                xpath="/inv:Invoice/inv:InvoiceTotalAmount",
            ),
            number="530117",
            non_eur=((local("CurrencyCode"), "text", "SEK"),),
            credit_note=((local("CreditNote"), "text", "true"),),
        ),
        _visma(
            "6.0",
            detected=(DATA / "visma-xml-6.0-charges.xml", DATA / "visma-xml-6.0-credit-note.xml"),
            address=Triggered(
                ((local("Invoicee", "PostOffice"), "remove", None),),
                detail_has="the buyer address has no town",
                xpath="/inv:Invoice/inv:Invoicee",
            ),
            # Row 3 at 67.00: 587.34 + 110.44 + 67.00 = 764.78 (+ rounding 0.02) against 754.80.
            sum_mismatch=Triggered(
                ((f"{_VISMA_ROW_AMOUNT}[3]", "text", "67.00"),),
                message_ends="The sum of the invoice rows 764.78 does not match the invoice total 754.80).",
                detail_has="+ rounding 0.02",
            ),
            number="600412",
            non_eur=(
                (local("CurrencyCode"), "text", "SEK"),
                ("//*[@currency]", "attr:currency", "SEK"),
            ),
            credit_note=DATA / "visma-xml-6.0-credit-note.xml",
        ),
    )
}
