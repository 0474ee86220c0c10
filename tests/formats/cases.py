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

from helpers import SAMPLES, TEST_DATA, Edit, local, party, step

DATA = TEST_DATA / "formats"
TEAPPSXML_INVOICE = "/INVOICE_CENTER/CONTENT_FRAME/INVOICES/INVOICE"

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
