"""Peppol BIS Billing 3.0 (UBL 2.1 Invoice / CreditNote): detection, adaptation, rules, schemas.

Expected values are literals read from the XML files by hand, never computed by the adapter.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from formats.cases import DATA, NOKIAN_METALLITYO, PIRKAN_KONE
from helpers import SAMPLES, TODAY, adapt_as, charge, fields, party
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings
from kassavirta.formats import detect
from kassavirta.formats.en16931 import finnish_business_id
from kassavirta.formats.schemas import SchemaStore, add_schemas
from kassavirta.model import LEGAL_REGISTRATION, Invoice
from kassavirta.pipeline.read import read_bytes

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
D = Decimal


def at(invoice: Invoice, key: str) -> tuple[int | None, str | None]:
    where = invoice.locations[key]
    return where.line, where.xpath


def local(name: str) -> str:
    """An XPath step for a UBL element by local name (the `variant` edits use plain XPath)."""
    return f"*[local-name()='{name}']"


ADDRESS_NONE: dict[str, Any] = {"po_box": None}


# --- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "root"),
    [
        (SAMPLES / "route" / "peppol-bis-3.xml", "Invoice"),
        (SAMPLES / "route" / "peppol-bis-3-credit-note.xml", "CreditNote"),
        (SAMPLES / "error" / "peppol-bis-3-due-date-too-soon.xml", "Invoice"),
        (SAMPLES / "bypass" / "peppol-bis-3-non-eur.xml", "Invoice"),
        (DATA / "peppol-bis-3-allowances.xml", "Invoice"),
    ],
)
def test_detected_as_peppol_with_customization_as_version(path: Path, root: str) -> None:
    [document] = read_bytes(path.read_bytes())
    detected = detect(document.part.root)
    assert (detected.format, detected.version) == ("peppol-bis-3", PEPPOL)
    assert (
        document.part.root.tag == f"{{urn:oasis:names:specification:ubl:schema:xsd:{root}-2}}{root}"
    )


# --- adaptation: every field ----------------------------------------------------------------


def test_sample_invoice_every_field() -> None:
    invoice = adapt_as(SAMPLES / "route" / "peppol-bis-3.xml", "peppol-bis-3")
    assert fields(invoice) == {
        "format": "peppol-bis-3",
        "version": PEPPOL,
        "type_code": "380",
        "number": "HLP-2026-0311",
        "issue_date": date(2026, 11, 20),
        "due_date": date(2026, 12, 15),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("637.54"),
        "total_vat_excluded": D("508.00"),
        "total_vat": D("129.54"),
        "rounding": None,
        "paid_amount": None,
        "rows": [
            {
                "index": 1,
                "article": "Vesinäytteen mikrobiologinen analyysi",
                "quantity": D("6"),
                "unit": "C62",
                "unit_price": D("48.00"),
                "vat_percent": D("25.5"),
                "vat_amount": D("73.44"),
                "vat_excluded": D("288.00"),
                "amount": None,
                "counted": True,
            },
            {
                "index": 2,
                "article": "Näytteenotto kohteessa",
                "quantity": D("1"),
                "unit": "C62",
                "unit_price": D("96.00"),
                "vat_percent": D("25.5"),
                "vat_amount": D("24.48"),
                "vat_excluded": D("96.00"),
                "amount": None,
                "counted": True,
            },
            {
                "index": 3,
                "article": "Raportointi ja lausunto",
                "quantity": D("1"),
                "unit": "C62",
                "unit_price": D("124.00"),
                "vat_percent": D("25.5"),
                "vat_amount": D("31.62"),
                "vat_excluded": D("124.00"),
                "amount": None,
                "counted": True,
            },
        ],
        # 129.54 tax total − (73.44 + 24.48 + 31.62) line VAT; no allowances or charges.
        "rows_adjustment": D("0.00"),
        "charges": [],
        "vat_lines": [{"percent": D("25.5"), "base": D("508.00"), "amount": D("129.54")}],
        "seller": party(
            "Hämeen Laboratoriopalvelut Oy",
            "2744961-7",
            "FI27449617",
            ["Raatihuoneenkatu 9"],
            "Hämeenlinna",
            "13100",
            scheme="0212",
        ),
        "seller_accounts": [],
        "buyer": party(
            "Ravintola Sointu Oy",
            "2837920-0",
            "FI28379200",
            ["Kalevankatu 30"],
            "Helsinki",
            "00100",
            scheme="0212",
        ),
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "FI3734093754188204",
            "iban_scheme": None,
            "bic": "DABAFIHH",
            "beneficiary": "Hämeen Laboratoriopalvelut Oy",
            "reference": "202603111",
            "reference_scheme": None,
            "amount": D("637.54"),
            "due_date": date(2026, 12, 15),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "14 päivää netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    assert invoice.rows_total + (invoice.rows_adjustment or 0) == invoice.total
    assert at(invoice, "number") == (8, "/*/cbc:ID")
    assert at(invoice, "due_date") == (10, "/*/cbc:DueDate")
    assert at(invoice, "total") == (
        108,
        "/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
    )
    assert at(invoice, "buyer.address.postcode")[0] == 54
    assert at(invoice, "payment.iban")[0] == 81
    assert at(invoice, "rows.2.vat_excluded") == (
        132,
        "/*/cac:InvoiceLine[2]/cbc:LineExtensionAmount",
    )


def test_sample_credit_note_fields() -> None:
    invoice = adapt_as(SAMPLES / "route" / "peppol-bis-3-credit-note.xml", "peppol-bis-3")
    assert invoice.credit_note and invoice.is_credit_note
    assert (invoice.type_code, invoice.number, invoice.issue_date) == (
        "381",
        "HLP-2026-0312",
        date(2026, 11, 20),
    )
    # A CreditNote has no cbc:DueDate; BT-9 is cac:PaymentMeans/cbc:PaymentDueDate.
    assert invoice.due_date == date(2026, 12, 15)
    assert at(invoice, "due_date") == (84, "/*/cac:PaymentMeans/cbc:PaymentDueDate")
    assert (invoice.total, invoice.total_vat, invoice.payment.amount) == (
        D("60.24"),
        D("12.24"),
        D("60.24"),
    )
    [row] = invoice.rows
    assert (row.article, row.quantity, row.vat_excluded, row.vat_amount) == (
        "Hyvitys: uusittu vesinäytteen analyysi",
        D("1"),
        D("48.00"),
        D("12.24"),
    )
    assert (invoice.payment.reference, invoice.payment.iban, invoice.payment.bic) == (
        "202603124",
        "FI3734093754188204",
        "DABAFIHH",
    )
    assert invoice.buyer.business_id == "2837920-0"


def test_allowances_rounding_prepaid_and_ovt_buyer_every_field() -> None:
    invoice = adapt_as(DATA / "peppol-bis-3-allowances.xml", "peppol-bis-3")
    assert fields(invoice) == {
        "format": "peppol-bis-3",
        "version": PEPPOL,
        "type_code": "380",
        "number": "PK-2026-7704",
        "issue_date": date(2026, 11, 24),
        "due_date": date(2026, 12, 18),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        # TaxInclusiveAmount 563.07 + PayableRoundingAmount 0.03, as Finvoice's total includes it.
        "total": D("563.10"),
        "total_vat_excluded": D("452.05"),
        "total_vat": D("111.02"),
        "rounding": D("0.03"),
        "paid_amount": D("100.00"),
        "rows": [
            {
                "index": 1,
                "article": "Huoltotyö",
                "quantity": D("10"),
                "unit": "HUR",
                "unit_price": D("42.00"),
                "vat_percent": D("25.5"),
                "vat_amount": D("107.10"),
                "vat_excluded": D("420.00"),
                "amount": None,
                "counted": True,
            },
            {
                "index": 2,
                "article": "Kahvitarjoilu",
                "quantity": D("3"),
                "unit": "C62",
                "unit_price": D("12.35"),
                "vat_percent": D("14"),
                "vat_amount": D("5.19"),
                "vat_excluded": D("37.05"),
                "amount": None,
                "counted": True,
            },
        ],
        # Each at 25.5 %: allowance 20.00 (VAT 5.10), charge 15.00 (VAT 3.825 → 3.83).
        "charges": [
            charge("Sopimusalennus", "20.00", "25.5", "5.10", allowance=True),
            charge("Rahti", "15.00", "25.5", "3.83"),
        ],
        # tax 111.02 − line VAT (107.10 + 5.19) − charge VAT (3.83 − 5.10)
        "rows_adjustment": D("0.00"),
        "vat_lines": [
            {"percent": D("25.5"), "base": D("415.00"), "amount": D("105.83")},
            {"percent": D("14"), "base": D("37.05"), "amount": D("5.19")},
        ],
        "seller": {**PIRKAN_KONE, "business_id_scheme": "0212"},
        "seller_accounts": [{"account": "FI7944052020036082", "scheme": None, "bic": "ITELFIHH"}],
        # Only cbc:EndpointID schemeID="0216" 003724644919: an OVT code, 0037 + 2464491-9.
        "buyer": {**NOKIAN_METALLITYO, "business_id_scheme": "0216"},
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "FI4950009420028730",
            "iban_scheme": None,
            "bic": "OKOYFIHH",
            "beneficiary": "Pirkan Kone Oy",
            "reference": "RF892026770402",
            "reference_scheme": None,
            "amount": D("463.10"),
            "due_date": date(2026, 12, 18),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": "14 päivää netto, viivästyskorko 8 %",
        "payment_terms_text": "14 päivää netto, viivästyskorko 8 %",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    assert at(invoice, "buyer.business_id") == (
        43,
        "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
    )
    assert at(invoice, "seller_accounts.1.account")[0] == 72
    assert at(invoice, "rounding")[0] == 139


def test_reference_invoice_every_field(reference: Path) -> None:
    invoice = adapt_as(
        reference / "samples" / "other" / "peppol_bis3_base-example.xml", "peppol-bis-3"
    )
    assert fields(invoice) == {
        "format": "peppol-bis-3",
        "version": PEPPOL,
        "type_code": "380",
        "number": "Snippet1",
        "issue_date": date(2017, 11, 13),
        "due_date": date(2017, 12, 1),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("1656.25"),
        "total_vat_excluded": D("1325"),
        "total_vat": D("331.25"),
        "rounding": None,
        "paid_amount": None,
        "rows": [
            {
                "index": 1,
                "article": "item name",
                "quantity": D("7"),
                "unit": "DAY",
                "unit_price": D("400"),
                "vat_percent": D("25.0"),
                "vat_amount": D("700.00"),
                "vat_excluded": D("2800"),
                "amount": None,
                "counted": True,
            },
            {
                "index": 2,
                "article": "item name 2",
                "quantity": D("-3"),
                "unit": "DAY",
                "unit_price": D("500"),
                "vat_percent": D("25.0"),
                "vat_amount": D("-375.00"),
                "vat_excluded": D("-1500"),
                "amount": None,
                "counted": True,
            },
        ],
        "charges": [charge("Insurance", "25", "25.0", "6.25")],
        # tax 331.25 − line VAT (700.00 − 375.00) − charge VAT 6.25
        "rows_adjustment": D("0.00"),
        "vat_lines": [{"percent": D("25.0"), "base": D("1325"), "amount": D("331.25")}],
        "seller": {
            "name": "SupplierOfficialName Ltd",
            "business_id": "GB983294",
            "business_id_scheme": LEGAL_REGISTRATION,
            "vat_code": "GB1232434",
            "address": {
                "streets": ["Main street 1", "Postbox 123"],
                "town": "London",
                "postcode": "GB 123 EW",
                "country": "GB",
                "po_box": None,
            },
        },
        "seller_accounts": [],
        "buyer": {
            "name": "Buyer Official Name",
            "business_id": "39937423947",
            "business_id_scheme": "0183",
            "vat_code": "SE4598375937",
            "address": {
                "streets": ["Hovedgatan 32", "Po box 878"],
                "town": "Stockholm",
                "postcode": "456 34",
                "country": "SE",
                "po_box": None,
            },
        },
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "IBAN32423940",
            "iban_scheme": None,
            "bic": "BIC324098",
            "beneficiary": "AccountName",
            "reference": "Snippet1",
            "reference_scheme": None,
            "amount": D("1656.25"),
            "due_date": date(2017, 12, 1),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "Payment within 10 days, 2% discount",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    assert at(invoice, "total")[0] == 142
    assert at(invoice, "buyer.business_id")[0] == 70


def test_reference_credit_note_fields(reference: Path) -> None:
    invoice = adapt_as(
        reference / "samples" / "other" / "peppol_bis3_base-creditnote-correction.xml",
        "peppol-bis-3",
    )
    assert (invoice.type_code, invoice.credit_note, invoice.number) == ("381", True, "Snippet1")
    # Not cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID (also "Snippet1", line 16).
    assert at(invoice, "number")[0] == 7
    assert invoice.due_date is None
    assert [(r.quantity, r.vat_excluded) for r in invoice.rows] == [
        (D("7"), D("2800")),
        (D("-3"), D("-1500")),
    ]
    assert (invoice.total, invoice.rows_adjustment) == (D("1656.25"), D("0.00"))
    assert [(c.allowance, c.amount) for c in invoice.charges] == [(False, D("25"))]
    assert invoice.payment.iban == "IBAN32423940"


def test_reference_credit_note_routes_without_a_due_date(
    reference: Path, settings: Settings
) -> None:
    path = reference / "samples" / "other" / "peppol_bis3_base-creditnote-correction.xml"
    result = check_file(path, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    assert "credit-note" in {f.rule for f in result.findings}


# --- decisions on the samples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "decision", "reasons"),
    [
        (SAMPLES / "route" / "peppol-bis-3.xml", "route", []),
        (SAMPLES / "route" / "peppol-bis-3-credit-note.xml", "route", []),
        (SAMPLES / "error" / "peppol-bis-3-due-date-too-soon.xml", "error", ["due-date-too-soon"]),
        (SAMPLES / "bypass" / "peppol-bis-3-non-eur.xml", "bypass", ["non-eur"]),
        (DATA / "peppol-bis-3-allowances.xml", "route", []),
    ],
)
def test_sample_decisions(
    path: Path, decision: str, reasons: list[str], settings: Settings
) -> None:
    result = check_file(path, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        "peppol-bis-3",
        decision,
        reasons,
    )


# --- the send errors, each triggered and passed -----------------------------------------------


def test_no_due_date_at_all_is_too_soon(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "peppol-bis-3.xml", (f"/*/{local('DueDate')}", "remove", None)
    )
    result = check_bytes(data, settings, TODAY)
    assert result.reasons == ["due-date-too-soon"]
    assert "no due date" in (result.findings[0].detail or "")


def test_address_incomplete_points_at_the_element_and_counts_the_street(
    settings: Settings, variant
) -> None:  # type: ignore[no-untyped-def]
    # Triggered and passed for every format in test_every_format.py.
    sample = SAMPLES / "route" / "peppol-bis-3.xml"
    zone = f"//{local('AccountingCustomerParty')}//{local('PostalZone')}"
    bad = check_bytes(variant(sample, (zone, "text", "0010")), settings, TODAY)
    assert (bad.findings[0].xpath or "").endswith("/cac:PostalAddress/cbc:PostalZone")
    street = f"//{local('AccountingCustomerParty')}//{local('StreetName')}"
    no_street = check_bytes(variant(sample, (street, "remove", None)), settings, TODAY)
    assert no_street.reasons == ["address-incomplete"]


def test_a_document_level_allowance_is_part_of_the_sum(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    # The sum rule on lines, charges, allowances and tax: test_every_format.py.
    sample = DATA / "peppol-bis-3-allowances.xml"
    allowance = f"/*/{local('AllowanceCharge')}[1]/{local('Amount')}"
    assert check_bytes(variant(sample, (allowance, "text", "0.00")), settings, TODAY).reasons == [
        "sum-mismatch"
    ]


def test_duplicate_number_triggered_and_passed(settings: Settings, tmp_path: Path) -> None:
    sample = SAMPLES / "route" / "peppol-bis-3.xml"

    def assignment(invoice_date: str) -> list[dict[str, object]]:
        return [
            {
                "id": "a-1",
                "number": "HLP-2026-0311",
                "issued_at": invoice_date,
                "status": "open",
                "events": [{"type": "paid", "data": {"sum_paid": 100.0}}],
            }
        ]

    same = tmp_path / "same.json"
    same.write_text(json.dumps(assignment("2026-11-20")))
    other = tmp_path / "other.json"
    other.write_text(json.dumps(assignment("2026-10-20")))
    dup = check_file(sample, settings, TODAY, assignments=same)
    assert (dup.decision.value, dup.reasons) == ("error", ["duplicate-number"])
    assert dup.findings[0].line == 8
    assert check_file(sample, settings, TODAY, assignments=other).decision.value == "route"


# --- reading details -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scheme", "expected"),
    [
        ("003715728600", "0216", "1572860-0"),
        ("003715728600", "0037", "1572860-0"),
        ("003715728600", None, "1572860-0"),
        ("0037157286001A", "0216", "1572860-0"),  # an OVT code with a unit suffix
        ("003715728601", "0216", "003715728601"),  # wrong check digit: left for the warning
        ("003715728600", "0088", "003715728600"),  # a GLN that merely starts with 0037
        ("FI15728600", "0213", "1572860-0"),
        ("1572860-0", "0212", "1572860-0"),
        (" GB983294 ", None, "GB983294"),
    ],
)
def test_finnish_business_ids(value: str, scheme: str | None, expected: str) -> None:
    assert finnish_business_id(value, scheme) == expected


def test_payee_party_names_the_beneficiary() -> None:
    from lxml import etree

    root = etree.fromstring(SAMPLES.joinpath("route", "peppol-bis-3.xml").read_bytes())
    assert (
        adapt_as(etree.tostring(root), "peppol-bis-3").payment.beneficiary
        == "Hämeen Laboratoriopalvelut Oy"
    )
    payee = etree.Element(f"{{{CAC}}}PayeeParty")
    name = etree.SubElement(etree.SubElement(payee, f"{{{CAC}}}PartyName"), f"{{{CBC}}}Name")
    name.text = "Laboratoriorahoitus Oy"
    root.find(f"{{{CAC}}}Delivery").addnext(payee)  # type: ignore[union-attr]
    invoice = adapt_as(etree.tostring(root), "peppol-bis-3")
    assert invoice.payment.beneficiary == "Laboratoriorahoitus Oy"
    assert (
        invoice.locations["payment.beneficiary"].xpath == "/*/cac:PayeeParty/cac:PartyName/cbc:Name"
    )


def test_buyer_without_identifiers_is_a_consumer(variant) -> None:  # type: ignore[no-untyped-def]
    party = f"//{local('AccountingCustomerParty')}/{local('Party')}"
    data = variant(
        SAMPLES / "route" / "peppol-bis-3.xml",
        (f"{party}/{local('PartyTaxScheme')}", "remove", None),
        (f"{party}/{local('PartyLegalEntity')}/{local('CompanyID')}", "remove", None),
        (f"{party}/{local('EndpointID')}", "attr:schemeID", "EM"),
    )
    invoice = adapt_as(data, "peppol-bis-3")
    assert (invoice.buyer.business_id, invoice.buyer.vat_code) == (None, None)
    assert (invoice.channel, invoice.channel_signals) == (
        "b2c-other",
        ["buyer has no business identifier"],
    )


def test_mixed_currencies_are_unreadable(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "peppol-bis-3.xml",
        (f"/*/{local('InvoiceLine')}[2]/{local('LineExtensionAmount')}", "attr:currencyID", "SEK"),
    )
    result = check_bytes(data, None, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert "EUR, SEK" in result.findings[0].message
    assert result.findings[0].xpath == "/*/cac:InvoiceLine[2]/cbc:LineExtensionAmount"


def test_vat_in_the_tax_currency_is_not_mixing(settings: Settings) -> None:
    from lxml import etree

    root = etree.fromstring(SAMPLES.joinpath("route", "peppol-bis-3.xml").read_bytes())
    code = etree.Element(f"{{{CBC}}}TaxCurrencyCode")
    code.text = "SEK"
    root.find(f"{{{CBC}}}DocumentCurrencyCode").addnext(code)  # type: ignore[union-attr]
    second = etree.Element(f"{{{CAC}}}TaxTotal")
    amount = etree.SubElement(second, f"{{{CBC}}}TaxAmount", currencyID="SEK")
    amount.text = "1490.00"
    root.find(f"{{{CAC}}}TaxTotal").addnext(second)  # type: ignore[union-attr]
    result = check_bytes(etree.tostring(root), settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    assert adapt_as(etree.tostring(root), "peppol-bis-3").total_vat == D("129.54")


def test_a_bad_date_is_unreadable_with_its_line(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "peppol-bis-3.xml", (f"/*/{local('IssueDate')}", "text", "2026-11-31")
    )
    result = check_bytes(data, None, TODAY)
    assert (result.decision.value, result.reasons, result.findings[0].xpath) == (
        "invalid",
        ["unreadable-field"],
        "/*/cbc:IssueDate",
    )


def test_missing_total_is_unreadable(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "peppol-bis-3.xml",
        (f"//{local('LegalMonetaryTotal')}/{local('TaxInclusiveAmount')}", "remove", None),
    )
    result = check_bytes(data, None, TODAY)
    assert result.reasons == ["unreadable-field"]
    assert "TaxInclusiveAmount" in result.findings[0].message


# --- what stays unsupported -----------------------------------------------------------------


def test_generic_ubl_is_unsupported(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "peppol-bis-3.xml",
        (f"/*/{local('CustomizationID')}", "text", "urn:cen.eu:en16931:2017"),
    )
    result = check_bytes(data, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        "ubl",
        "bypass",
        ["unsupported-format"],
    )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("ubl-unsupported-format.xml", "ubl"),
        ("ubl-oioubl-unsupported-format.xml", "ubl"),
        ("oioxml-unsupported-format.xml", "oioxml"),
    ],
)
def test_sample_ubl_family_bypassed(name: str, fmt: str, settings: Settings) -> None:
    result = check_file(SAMPLES / "bypass" / name, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        fmt,
        "bypass",
        ["unsupported-format"],
    )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("ubl21_en16931_ubl-tc434-example1.xml", "ubl"),
        ("ubl21_en16931_ubl-tc434-creditnote1.xml", "ubl"),
        ("oioubl_2.1_OIOUBL_Invoice_v2p2.xml", "ubl"),
        ("oioubl_2.1_OIOUBL_CreditNote_v2p2.xml", "ubl"),
        ("oioubl_3.0_Invoice_billing_with_response_base_Example.xml", "ubl"),
        ("oioxml_0.7_OIOXML_Invoice_v0.7.xml", "oioxml"),
        ("oioxml_0.7_OIOXML_CreditNote_v0.7.xml", "oioxml"),
    ],
)
def test_reference_ubl_family_bypassed(
    reference: Path, name: str, fmt: str, settings: Settings
) -> None:
    result = check_file(reference / "samples" / "other" / name, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        fmt,
        "bypass",
        ["unsupported-format"],
    )


# --- schema validation hook -----------------------------------------------------------------

SCHEMA_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{ns}"
    elementFormDefault="qualified">
  <xs:element name="{root}">
    <xs:complexType>
      <xs:sequence>
        <xs:any namespace="##other" processContents="skip" minOccurs="{min}" maxOccurs="{max}"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""
"""A stand-in for the OASIS schema: the real one is not ours to ship. `max` bounds the children."""


def ubl_schema(folder: Path, root: str, *, max_children: str = "unbounded") -> Path:
    ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    path = folder / "maindoc" / f"UBL-{root}-2.1.xsd"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SCHEMA_TEMPLATE.format(ns=ns, root=root, min="0", max=max_children))
    return path


def test_ubl_schema_is_found_in_the_maindoc_folder(tmp_path: Path, settings: Settings) -> None:
    installed = ubl_schema(tmp_path, "Invoice")
    assert SchemaStore([tmp_path]).find("peppol-bis-3") == installed
    result = check_file(SAMPLES / "route" / "peppol-bis-3.xml", settings, TODAY, schemas=tmp_path)
    assert (result.decision.value, result.schema_check) == ("route", "valid")


def test_ubl_schema_violation_is_invalid(tmp_path: Path, settings: Settings) -> None:
    ubl_schema(tmp_path, "Invoice", max_children="3")
    result = check_file(SAMPLES / "route" / "peppol-bis-3.xml", settings, TODAY, schemas=tmp_path)
    assert (result.decision.value, result.reasons) == ("invalid", ["schema"])
    assert result.findings[0].line is not None


def test_credit_note_uses_the_credit_note_schema(tmp_path: Path, settings: Settings) -> None:
    credit = SAMPLES / "route" / "peppol-bis-3-credit-note.xml"
    ubl_schema(tmp_path, "Invoice")
    # Only the invoice schema: a CreditNote is not judged by it, validation is skipped.
    only_invoice = check_file(credit, settings, TODAY, schemas=tmp_path)
    assert (only_invoice.decision.value, only_invoice.schema_check) == ("route", "skipped")
    ubl_schema(tmp_path, "CreditNote")
    both = check_file(credit, settings, TODAY, schemas=tmp_path)
    assert (both.decision.value, both.schema_check) == ("route", "valid")


def test_schemas_add_keeps_the_ubl_layout(tmp_path: Path) -> None:
    source = tmp_path / "UBL-2.1" / "xsd"
    ubl_schema(source, "Invoice")
    common = source / "common" / "UBL-CommonBasicComponents-2.1.xsd"
    common.parent.mkdir(parents=True)
    common.write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>')
    target = tmp_path / "installed"
    add_schemas(source, target)
    # maindoc/ stays beside common/, so the real schema's ../common/ imports still resolve.
    assert (target / "maindoc" / "UBL-Invoice-2.1.xsd").is_file()
    assert (target / "common" / "UBL-CommonBasicComponents-2.1.xsd").is_file()
    assert not (target / "UBL-Invoice-2.1.xsd").exists()
    assert SchemaStore([target]).find("peppol-bis-3") == target / "maindoc" / "UBL-Invoice-2.1.xsd"


def test_error_sample_names_the_due_date_line(settings: Settings) -> None:
    result = check_file(SAMPLES / "error" / "peppol-bis-3-due-date-too-soon.xml", settings, TODAY)
    [error] = [f for f in result.findings if f.severity.value == "error"]
    assert (error.rule, error.service_code, error.line, error.xpath, error.value) == (
        "due-date-too-soon",
        13,
        10,
        "/*/cbc:DueDate",
        "2026-12-02",
    )
