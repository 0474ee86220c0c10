"""S-EDI 3.0: detection, every field, the rules where S-EDI has the field, the rewrite,
and the operator's example.

Expected values are literals read from the XML files by hand (our own files in
samples/ and tests/data/formats/, and the operator's example in ../shared), never
computed by the adapter.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from formats.cases import DATA
from helpers import (
    SAMPLES,
    SERVICE,
    TODAY,
    adapt_as,
    changed_lines,
    fields,
    make_variant,
    operator_example,
    rewrite_directly,
    rewrite_with,
    row,
)
from helpers import party as party_of
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings
from kassavirta.formats import detect
from kassavirta.formats.s_edi.write import check_digit, example_spec, render
from kassavirta.model import Address, DocumentCharge
from kassavirta.pipeline.read import read_bytes

D = Decimal
ROUTE = SAMPLES / "route" / "s-edi-3.0.xml"
CHARGES = DATA / "s-edi-3.0-charges.xml"
CREDIT = DATA / "s-edi-3.0-credit-note.xml"
HEADER = "/S-EDI/Invoice/Header"
SELLER = f"{HEADER}/SellerParty"
EXAMPLE = "anon_sedi_30_invoice.xml"


def test_sample_every_field() -> None:
    invoice = adapt_as(ROUTE, "s-edi-3.0")
    assert fields(invoice) == {
        "format": "s-edi-3.0",
        "version": "3.0",
        "type_code": "Invoice",
        "number": "SE-7731",
        "issue_date": date(2026, 11, 20),
        "due_date": date(2026, 12, 15),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("1290.90"),
        "total_vat_excluded": D("1028.60"),
        "total_vat": D("262.30"),
        "rounding": D("0.00"),
        "paid_amount": None,
        "rows": [
            {
                **row(
                    1,
                    "Kaidetolppa RST, 900 mm",
                    "24",
                    "kpl",
                    "18.40",
                    "25.50",
                    "112.61",
                    "441.60",
                    "554.21",
                ),
                "counted": True,
            },
            {
                **row(2, "Hitsaustyö", "6.5", "h", "68.00", "25.50", "112.71", "442.00", "554.71"),
                "counted": True,
            },
            {
                **row(
                    3, "Pintakäsittely", "1", "erä", "145.00", "25.50", "36.98", "145.00", "181.98"
                ),
                "counted": True,
            },
        ],
        "rows_adjustment": None,
        "charges": [],
        "vat_lines": [{"percent": D("25.50"), "base": D("1028.60"), "amount": D("262.30")}],
        "seller": party_of(
            "Raision Teräsrakenne Oy",
            "2220609-3",
            "FI22206093",
            ["Teollisuuskatu 21"],
            "Raisio",
            "21200",
        ),
        "seller_accounts": [],
        "buyer": party_of(
            "Uudenkaupungin Veneveistämö Oy",
            "2072800-7",
            None,
            ["Satamakatu 14", "Telakka 2"],
            "Uusikaupunki",
            "23500",
        ),
        "recipient": None,
        "language": "FI",
        "payment": {
            "iban": "FI1650053318328372",
            "iban_scheme": "IBAN",
            "bic": "OKOYFIHH",
            "beneficiary": "Raision Teräsrakenne Oy",
            "reference": "77318",
            "reference_scheme": None,
            "amount": D("1290.90"),
            "due_date": date(2026, 12, 15),
            "instruction_id": None,
        },
        "penalty_interest_percent": D("8.00"),
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "21 päivää netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    where = invoice.locations
    assert (where["number"].line, where["number"].xpath) == (17, f"{HEADER}/InvoiceNo")
    assert (where["due_date"].line, where["due_date"].xpath) == (20, f"{HEADER}/DueDate")
    assert (where["payment.iban"].line, where["payment.bic"].line) == (36, 35)
    assert where["payment.reference"].line == 23
    assert where["language"].xpath == f"{HEADER}/PrintInfo/Layout"
    assert where["buyer.address.postcode"].line == 44
    assert where["rows.2.amount"].xpath == "/S-EDI/Invoice/Detail/ArticleRow[2]/SumOfLineInclVAT"
    assert (where["total"].line, where["total"].xpath) == (
        115,
        "/S-EDI/Invoice/Summary/TotalAmount",
    )


def test_sample_routes_without_a_warning(settings: Settings) -> None:
    result = check_file(ROUTE, settings, TODAY)
    assert (result.format, result.decision.value, result.findings) == ("s-edi-3.0", "route", [])


def test_charges_rounding_rf_reference_and_a_domestic_account() -> None:
    invoice = adapt_as(CHARGES, "s-edi-3.0")
    # Freight 35.00, handling 12.00 and a discount of 50.00, each at 25.5 % (8.93, 3.06, 12.75).
    assert invoice.charges == [
        DocumentCharge(
            reason="freight", amount=D("35.00"), vat_percent=D("25.50"), vat_amount=D("8.93")
        ),
        DocumentCharge(
            reason="handling charge",
            amount=D("12.00"),
            vat_percent=D("25.50"),
            vat_amount=D("3.06"),
        ),
        DocumentCharge(
            allowance=True,
            reason="invoice discount",
            amount=D("50.00"),
            vat_percent=D("25.50"),
            vat_amount=D("12.75"),
        ),
    ]
    assert [r.amount for r in invoice.rows] == [D("803.20"), D("138.05")]
    assert (invoice.rounding, invoice.total) == (D("0.01"), D("937.50"))
    # By hand: rows 941.25 + 43.93 + 15.06 − 62.75 + rounding 0.01 = 937.50.
    assert D("941.25") + D("43.93") + D("15.06") - D("62.75") + D("0.01") == invoice.total
    assert invoice.locations["charges.1"].xpath == (
        "/S-EDI/Invoice/Summary/DiscountAndCharges/VATInvoiceDiscountAndCharges/"
        "VATInvoiceDiscountAndChargesSpecification/VATFreightBasisAmount"
    )
    assert (invoice.payment.reference, invoice.language) == ("RF4190417", "EN")
    assert (invoice.payment.iban, invoice.payment.bic) == ("FI4533952980122926", "ESSEFIHX")
    assert [(a.account, a.scheme) for a in invoice.seller_accounts] == [("800212-03182240", "BBAN")]


def test_summary_charges_without_a_specification() -> None:
    # Freight given only as the Summary total: a charge with no VAT of its own.
    data = make_variant(
        ROUTE,
        ("//Summary/Freight", "text", "20.00"),
        ("//Summary/InvoiceDiscountAmount", "text", "5.00"),
    )
    invoice = adapt_as(data, "s-edi-3.0")
    assert invoice.charges == [
        DocumentCharge(reason="freight", amount=D("20.00")),
        DocumentCharge(allowance=True, reason="invoice discount", amount=D("5.00")),
    ]


def test_without_an_iban_the_first_filled_domestic_account_pays() -> None:
    data = make_variant(
        ROUTE,
        (f"{SELLER}/IBAN", "remove", None),
        (SELLER, "append:BankAccount", None),
        (SELLER, "append:PostAccount", "800012-345"),
    )
    payment = adapt_as(data, "s-edi-3.0").payment
    assert (payment.iban, payment.iban_scheme, payment.bic) == ("800012-345", "BBAN", "OKOYFIHH")


def test_charges_count_in_the_sum_rule(settings: Settings) -> None:
    assert check_file(CHARGES, settings, TODAY).reasons == []
    # Without the discount the rows and charges come to 1000.25, not 937.50.
    dropped = make_variant(CHARGES, ("//VATInvoiceDiscountBasisAmount", "text", "0.00"))
    dropped = make_variant(dropped, ("//VATInvoiceDiscountAmount", "text", "0.00"))
    assert check_bytes(dropped, settings, TODAY).reasons == ["sum-mismatch"]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("S-EDI_3_0", ("s-edi-3.0", "3.0")),
        ("S-EDI_2_0", ("unknown", "2.0")),
        ("S-EDI_3_1", ("unknown", "3.1")),
    ],
)
def test_detected_by_its_version(version: str, expected: tuple[str, str]) -> None:
    [document] = read_bytes(make_variant(ROUTE, ("//RoutingInfo/Version", "text", version)))
    found = detect(document.part.root)
    assert (found.format, found.version) == expected


def test_an_s_edi_root_without_a_version_is_unknown(settings: Settings) -> None:
    data = make_variant(ROUTE, ("//RoutingInfo/Version", "remove", None))
    result = check_bytes(data, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        "unknown",
        "invalid",
        ["unknown-format"],
    )


def test_document_type_credit_note_is_a_credit_note(settings: Settings) -> None:
    data = make_variant(ROUTE, ("//RoutingInfo/DocumentType", "text", "CreditNote"))
    assert adapt_as(data, "s-edi-3.0").is_credit_note
    credit = check_file(CREDIT, settings, TODAY)
    assert (credit.decision.value, credit.reasons) == ("route", [])
    [warning] = [f for f in credit.findings if f.rule == "credit-note"]
    assert (warning.line, warning.xpath) == (7, "/S-EDI/RoutingInfo/DocumentType")
    invoice = adapt_as(CREDIT, "s-edi-3.0")
    assert (invoice.total, invoice.rows[0].amount) == (D("-92.37"), D("-92.37"))


@pytest.mark.parametrize(
    ("edit", "rule", "message_has"),
    [
        ((f"{SELLER}/IBAN", "text", "FI1650053318328373"), "iban-invalid", "FI1650053318328373"),
        ((f"{SELLER}/BankIdentificationCode", "text", "NDEAFIHH"), "iban-bic-mismatch", "OKOY"),
        ((f"{SELLER}/BankIdentificationCode", "text", "OKOYFI"), "bic-invalid", "OKOYFI"),
        ((f"{HEADER}/PaymentReference", "text", "77319"), "reference-invalid", "77319"),
        ((f"{SELLER}/CompanyNo", "text", "2220609-4"), "business-id-invalid", "seller"),
        ((f"{HEADER}/PrintInfo/Layout", "attr:Language", "NO"), "language-unsupported", "NO"),
    ],
)
def test_warnings_point_at_the_s_edi_element(
    edit: tuple[str, str, str], rule: str, message_has: str, settings: Settings
) -> None:
    result = check_bytes(make_variant(ROUTE, edit), settings, TODAY)
    assert result.decision.value == "route"
    [found] = [f for f in result.findings if f.rule == rule]
    assert found.xpath == edit[0] and message_has in found.message


def test_language_and_interest_advice_names_s_edi_elements(settings: Settings) -> None:
    data = make_variant(
        ROUTE,
        (f"{HEADER}/Interest", "remove", None),
        (f"{HEADER}/PaymentTerms", "text", "14 päivää netto, viivästyskorko 8 %"),
    )
    result = check_bytes(
        make_variant(data, (f"{HEADER}/PrintInfo/Layout", "attr:Language", "")), settings, TODAY
    )
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["language-defaulted"].detail == (
        "Add Invoice/Header/PrintInfo/Layout/@Language (FI, SV or EN)."
    )
    assert by_rule["interest-not-in-xml"].detail == "Put the rate in Invoice/Header/Interest."
    assert (
        adapt_as(data, "s-edi-3.0").interest_in_free_text == "14 päivää netto, viivästyskorko 8 %"
    )


@pytest.mark.parametrize(
    ("edit", "xpath"),
    [
        (("//Summary/TotalAmount", "text", "1290,90"), "/S-EDI/Invoice/Summary/TotalAmount"),
        (("//Header/DueDate", "text", "2026-12-32"), f"{HEADER}/DueDate"),
        (
            ("//ArticleRow[2]/SumOfLineInclVAT", "text", "n/a"),
            "/S-EDI/Invoice/Detail/ArticleRow[2]/SumOfLineInclVAT",
        ),
    ],
)
def test_unreadable_values_are_invalid_with_their_place(
    edit: tuple[str, str, str], xpath: str, settings: Settings
) -> None:
    result = check_bytes(make_variant(ROUTE, edit), settings, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert (result.findings[0].xpath, result.findings[0].value) == (xpath, edit[2])


def test_an_invoice_without_a_number_or_total_is_invalid(settings: Settings) -> None:
    for edit in (("//Header/InvoiceNo", "remove", None), ("//Summary/TotalAmount", "remove", None)):
        result = check_bytes(make_variant(ROUTE, edit), settings, TODAY)
        assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])


# ------------------------------------------------------------------------ the rewrite


def test_rewrite_changes_and_untouched_rest(settings: Settings) -> None:
    source = ROUTE.read_bytes()
    result = rewrite_with(source, settings)
    plan = result.plans[0]
    assert [(c.xpath, c.field, c.old, c.new) for c in result.changes] == [
        (f"{HEADER}/PrintInfo/FreeText", "factoring.clause", None, plan.clause.text),
        (f"{HEADER}/PaymentReference", "payment.reference", "77318", plan.reference),
        (f"{SELLER}/Name", "payment.beneficiary", "Raision Teräsrakenne Oy", SERVICE.payee),
        (f"{SELLER}/Bank", "payment.bank", "OP Yrityspankki Oyj", ""),
        (f"{SELLER}/BankIdentificationCode", "payment.bic", "OKOYFIHH", SERVICE.bic),
        (f"{SELLER}/IBAN", "payment.iban", "FI1650053318328372", SERVICE.iban),
    ]
    gone, added = changed_lines(source, result.data)
    assert gone == [15, 23, 25, 34, 35, 36]
    assert added == [
        f"        <FreeText>{plan.clause.text}</FreeText>",
        f"      <PaymentReference>{plan.reference}</PaymentReference>",
        f"        <Name>{SERVICE.payee}</Name>",
        "        <Bank></Bank>",
        f"        <BankIdentificationCode>{SERVICE.bic}</BankIdentificationCode>",
        f"        <IBAN>{SERVICE.iban}</IBAN>",
    ]
    # The check digit of the total stays right: the rewrite does not change the amount.
    assert b"<TotalAmountCheckSum>7</TotalAmountCheckSum>" in result.data
    assert check_digit(D("1290.90")) == "7"
    invoice = adapt_as(result.data, "s-edi-3.0")
    assert (invoice.seller.business_id, invoice.seller.name) == ("2220609-3", SERVICE.payee)
    assert (invoice.seller_accounts, invoice.payment.amount) == ([], D("1290.90"))
    assert any("seller name changes too" in n for n in result.notes)


def test_rewrite_empties_domestic_accounts_and_writes_rf_and_english(settings: Settings) -> None:
    # Straight through the format's rewriter: the check's own decision is not the point here.
    done, plan = rewrite_directly(CHARGES.read_bytes(), "s-edi-3.0", settings, rf=True)
    assert plan.reference.startswith("RF") and plan.clause.language == "en"
    assert [(c.xpath, c.old, c.new) for c in done.changes if c.field != "factoring.clause"] == [
        (f"{HEADER}/PaymentReference", "RF4190417", plan.reference),
        (f"{SELLER}/Name", "Porin Konepajapalvelu Oy", SERVICE.payee),
        (f"{SELLER}/BankAccount", "800212-03182240", ""),
        (f"{SELLER}/Bank", "SEB", ""),
        (f"{SELLER}/BankIdentificationCode", "ESSEFIHX", SERVICE.bic),
        (f"{SELLER}/IBAN", "FI4533952980122926", SERVICE.iban),
    ]
    assert b"This receivable has been assigned to" in done.data
    again, _ = rewrite_directly(done.data, "s-edi-3.0", settings, rf=True)
    assert (again.changes, again.data) == ([], done.data)


def test_rewrite_adds_what_is_missing(settings: Settings) -> None:
    data = make_variant(
        ROUTE,
        (f"{HEADER}/PrintInfo", "remove", None),
        (f"{HEADER}/PaymentReference", "remove", None),
        (f"{SELLER}/BankIdentificationCode", "remove", None),
        (f"{SELLER}/IBAN", "remove", None),
    )
    result = rewrite_with(data, settings)
    assert result.rewritten
    root = etree.fromstring(result.data)
    header = root.find("Invoice/Header")
    assert header is not None
    names = [c.tag for c in header]
    assert names.index("PrintInfo") < names.index("InvoiceNo")
    assert names.index("PaymentReference") < names.index("SellerParty")
    seller = [c.tag for c in header.find("SellerParty")]  # type: ignore[union-attr]
    assert seller[-3:] == ["BankIdentificationCode", "IBAN", "BankCountryCode"]
    payment = adapt_as(result.data, "s-edi-3.0").payment
    assert (payment.iban, payment.bic, payment.reference) == (
        SERVICE.iban,
        SERVICE.bic,
        result.plans[0].reference,
    )
    assert rewrite_with(result.data, settings).changes == []


def test_the_writers_example_reads_back() -> None:
    spec = example_spec(date(2026, 11, 20))
    invoice = adapt_as(render(spec), "s-edi-3.0")
    assert (invoice.number, invoice.total, invoice.rows_total) == (
        spec.number,
        D("391.56"),
        D("391.56"),
    )


# ---------------------------------------------------------- the operator's example


@pytest.fixture
def example() -> Path:
    return operator_example(EXAMPLE)


def test_operator_example_fields(example: Path) -> None:
    invoice = adapt_as(example, "s-edi-3.0")
    read: dict[str, Any] = {
        "number": invoice.number,
        "dates": (invoice.issue_date, invoice.due_date),
        "currency": invoice.currency,
        "total": (invoice.total, invoice.rounding, invoice.total_vat_excluded, invoice.total_vat),
        "rows": [(r.vat_excluded, r.vat_amount, r.amount) for r in invoice.rows],
        "language": invoice.language,
        "interest": invoice.penalty_interest_percent,
        "payment": (invoice.payment.reference, invoice.payment.bic, invoice.payment.iban),
        "accounts": [a.account for a in invoice.seller_accounts],
        "buyer": (invoice.buyer.name, invoice.buyer.address),
    }
    assert read == {
        "number": "77120",
        "dates": (date(2015, 12, 16), date(2016, 1, 15)),
        "currency": "NOK",
        "total": (D("34012.00"), D("0.25"), D("27209.40"), D("6802.35")),
        "rows": [
            (D("26940.00"), D("6735.00"), D("33675.00")),
            (D("269.40"), D("67.35"), D("336.75")),
        ],
        "language": "NO",
        "interest": D("0.81"),
        "payment": ("123456", "DNBANOKKXXX", "IBAN"),
        "accounts": ["BankAccount", "PostAccount", "BankAccountNo"],
        "buyer": (
            "Name",
            Address(
                streets=["Address1", "Address2"],
                town="PostOffice",
                postcode="PostCode",
                country="NO",
            ),
        ),
    }
    # The example's own arithmetic: rows 33675.00 + 336.75 = TotalAmountNotRounded 34011.75,
    # + RoundingAmount 0.25 = TotalAmount 34012.00; its TotalAmountCheckSum 5 is the MOD10
    # check digit of 3401200.
    assert invoice.rows_total == D("34011.75") and check_digit(D("34012.00")) == "5"


def test_operator_example_is_bypassed_as_non_eur(example: Path, settings: Settings) -> None:
    # SPEC §1 supports S-EDI 3.0; the example is in NOK, so SPEC §2's non-eur bypass decides.
    result = check_file(example, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        "s-edi-3.0",
        "bypass",
        ["non-eur"],
    )


def _example_in_euros_and_due_later(example: Path) -> bytes:
    return make_variant(
        example,
        ("//Summary/Currency/CurrencyCode", "text", "EUR"),
        ("//Header/InvoiceDate", "text", "2026-11-20"),
        ("//Header/DueDate", "text", "2026-12-15"),
    )


def test_operator_example_in_euros_and_due_later_routes(example: Path, settings: Settings) -> None:
    # Its placeholders stay: the IBAN "IBAN", the reference 123456 (no Finnish check digit),
    # the print language NO; the Norwegian buyer's address is complete.
    result = check_bytes(_example_in_euros_and_due_later(example), settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    assert {f.rule for f in result.findings} == {
        "iban-invalid",
        "reference-invalid",
        "language-unsupported",
    }


def test_operator_example_rewrites_and_reads_back(example: Path, settings: Settings) -> None:
    source = _example_in_euros_and_due_later(example)
    result = rewrite_with(source, settings)
    assert result.rewritten
    changed = {c.xpath.rsplit("/", 1)[-1]: (c.old, c.new) for c in result.changes}
    assert changed["BankCountryCode"] == ("NO", "FI")
    assert changed["FreeText"] == (None, result.plans[0].clause.text)
    for emptied in ("BankAccount", "PostAccount", "BankAccountNo", "BankAddress"):
        assert changed[emptied] == (emptied, "")
    assert changed["Bank"] == ("DNB Bank ASA", "")
    invoice = adapt_as(result.data, "s-edi-3.0")
    assert (invoice.payment.iban, invoice.payment.bic, invoice.seller_accounts) == (
        SERVICE.iban,
        SERVICE.bic,
        [],
    )
    assert rewrite_with(result.data, settings).changes == []
