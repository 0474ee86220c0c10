"""Liinos XML (`Liinos_XML`): every field, the declared separators, the type codes, the rewrite.

Expected values are literals read from the XML files by hand, never computed by the
adapter. The shared suite (`test_every_format.py`, row in `cases.py`) covers the rules.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from formats.cases import DATA
from helpers import SAMPLES, SERVICE, SHARED, TODAY, adapt_as, fields, make_variant, rewrite_with
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings
from kassavirta.finnish.barcode import parse_virtual_barcode
from kassavirta.formats import detect
from kassavirta.formats.finvoice.write import example_spec
from kassavirta.formats.liinos.write import number, render
from kassavirta.testing.profiles import profile
from kassavirta.testing.strategies.invoices import invoice_specs

ROUTE = SAMPLES / "route" / "liinos.xml"
COMMA = DATA / "liinos-decimal-comma.xml"
EXAMPLE = SHARED / "reference" / "maventa-examples" / "anon_liinos_invoice.xml"
HEADER = "/Liinos_XML/Data/Header"
D = Decimal
FI: dict[str, Any] = {"country": "FI", "po_box": None}


def _row(
    index: int, article: str, quantity: str, unit: str, price: str, net: str, amount: str
) -> dict[str, Any]:
    return {
        "index": index,
        "article": article,
        "quantity": D(quantity),
        "unit": unit,
        "unit_price": D(price),
        "vat_percent": D("25.5"),
        "vat_amount": None,
        "vat_excluded": D(net),
        "amount": D(amount),
        "counted": True,
    }


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ('<Liinos_XML DocId="10"/>', "liinos"),
        ("<liinos_xml/>", "unknown"),
        ('<Liinos_XML xmlns="urn:example:liinos"/>', "unknown"),
    ],
)
def test_detected_by_its_root_without_a_namespace(xml: str, expected: str) -> None:
    assert detect(etree.fromstring(xml.encode())).format == expected


def test_route_sample_every_field() -> None:
    invoice = adapt_as(ROUTE, "liinos")
    assert fields(invoice) == {
        "format": "liinos",
        "version": None,
        "type_code": None,
        "number": "2026-7301",
        "issue_date": date(2026, 11, 20),
        "due_date": date(2026, 12, 15),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("414.16"),
        "total_vat_excluded": D("330.00"),
        "total_vat": D("84.16"),
        "rounding": None,
        "paid_amount": None,
        "rows": [
            _row(1, "Hydrauliikkahuolto, työ", "3.0", "h", "68.00", "204.00", "256.02"),
            _row(2, 'Hydrauliikkaletku 1/2" 2 m', "2.0", "kpl", "45.50", "91.00", "114.21"),
            _row(3, "Matkakulut", "1.0", "kpl", "35.00", "35.00", "43.93"),
        ],
        "rows_adjustment": None,
        "charges": [],
        "vat_lines": [{"percent": D("25.5"), "base": D("330.00"), "amount": D("84.16")}],
        "seller": {
            "name": "Hämeen Hydrauliikkahuolto Oy",
            "business_id": "2841567-0",
            "business_id_scheme": None,
            "vat_code": "FI28415670",
            "address": {
                "streets": ["Vihiojantie 18"],
                "town": "Tampere",
                "postcode": "33800",
                **FI,
            },
        },
        "seller_accounts": [{"account": "FI1411400291576436", "scheme": "IBAN", "bic": "NDEAFIHH"}],
        "buyer": {
            "name": "Lempäälän Maansiirto Oy",
            "business_id": "2975310-2",
            "business_id_scheme": None,
            "vat_code": "FI29753102",
            "address": {
                "streets": ["Kuokkalantie 12"],
                "town": "Lempäälä",
                "postcode": "37500",
                **FI,
            },
        },
        "recipient": None,
        "language": "fi",
        "payment": {
            "iban": "FI0557100603941279",
            "iban_scheme": "IBAN",
            "bic": "OKOYFIHH",
            "beneficiary": "Hämeen Hydrauliikkahuolto Oy",
            "reference": "730150",
            "reference_scheme": "SPY",
            "amount": D("414.16"),
            "due_date": date(2026, 12, 15),
            "instruction_id": None,
        },
        "penalty_interest_percent": D("11.5"),
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "14 pv netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    where = invoice.locations
    assert (where["number"].line, where["number"].xpath) == (
        17,
        f"{HEADER}/Numbers/Number/Num",
    )
    assert (where["due_date"].line, where["due_date"].xpath) == (64, f"{HEADER}/Dates/Date[3]")
    assert (where["total"].line, where["total"].xpath) == (
        83,
        f"{HEADER}/Summaries/Summary[1]/Sum",
    )
    assert where["payment.reference"].line == 31
    assert where["payment.amount"] == where["total"]
    assert where["penalty_interest"].line == 104
    assert where["buyer.address.postcode"].line == 122
    assert where["language"].line == 126
    assert (where["payment.iban"].line, where["payment.bic"].line) == (168, 169)


def test_route_sample_routes_without_a_warning(settings: Settings) -> None:
    result = check_file(ROUTE, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == ("liinos", "route", [])
    assert [f.rule for f in result.findings] == []


def test_decimal_comma_file_every_field_it_adds() -> None:
    """Amounts with a decimal comma and a space between thousands, a BY beside the IV."""
    invoice = adapt_as(COMMA, "liinos")
    assert (invoice.number, invoice.issue_date, invoice.due_date) == (
        "LX-26-0415",
        date(2026, 11, 24),
        date(2026, 12, 18),
    )
    assert (invoice.total, invoice.total_vat_excluded, invoice.total_vat) == (
        D("3344.58"),
        D("2665.00"),
        D("679.58"),
    )
    assert [(r.quantity, r.unit_price, r.vat_excluded, r.amount) for r in invoice.rows] == [
        (D("16.0"), D("142.50"), D("2280.00"), D("2861.40")),
        (D("1.0"), D("385.00"), D("385.00"), D("483.18")),
    ]
    assert invoice.rows_total == D("3344.58")
    assert invoice.vat_lines[0].percent == D("25.5")
    assert invoice.penalty_interest_percent == D("8.0")
    # Party Type="BY" is the buyer; the invoicee (IV) is then the recipient, whose
    # language the reminders follow.
    assert fields(invoice)["buyer"] == {
        "name": "Vasa Betong Ab",
        "business_id": "3049126-9",
        "business_id_scheme": None,
        "vat_code": "FI30491269",
        "address": {"streets": ["Strandgatan 12"], "town": "Vasa", "postcode": "65100", **FI},
    }
    assert fields(invoice)["recipient"] == {
        "name": "Vasa Betong Ab, reskontra",
        "business_id": "3049126-9",
        "business_id_scheme": None,
        "vat_code": None,
        # The postal address line (a PO box here) goes with the postcode and town.
        "address": {"streets": ["PB 211"], "town": "Vasa", "postcode": "65101", **FI},
    }
    assert invoice.language == "sv"
    # The seller's business ID in PartyId Type 1, its street only in StreetAddress.
    assert invoice.seller.business_id == "3120458-3"
    assert invoice.seller.address is not None and invoice.seller.address.streets == [
        "Satamakatu 40"
    ]
    assert (invoice.payment.iban, invoice.payment.bic, invoice.seller_accounts) == (
        "FI7180000830526193",
        "DABAFIHH",
        [],
    )
    assert (invoice.payment.reference, invoice.payment.reference_scheme) == ("RF38260415", "ISO")
    assert invoice.payment_terms_text == "21 dagar netto, dröjsmålsränta 8 %"


# --------------------------------------------------------------- the separators


def _definition(decimal: str | None, thousand: str | None) -> list[tuple[str, str, str | None]]:
    return [
        ("//Definition/DecimalSeparator", "text", decimal),
        ("//Definition/ThousandSeparator", "text", thousand),
    ]


def test_a_point_and_a_point_between_thousands_read_alike() -> None:
    """The comma file rewritten with `.` between thousands reads the same numbers."""
    text = COMMA.read_bytes().decode().replace("<ThousandSeparator> <", "<ThousandSeparator>.<")
    data = re.sub(r">([0-9]) ([0-9]{3},)", r">\1.\2", text)
    assert data.count(".344,58<") == 1
    invoice = adapt_as(data.encode(), "liinos")
    assert (invoice.total, invoice.rows[0].amount) == (D("3344.58"), D("2861.40"))


@pytest.mark.parametrize(
    ("edits", "value", "says"),
    [
        # The route sample declares a decimal point: a comma is not read as one.
        (
            [("//Summary[@Type='1']/Sum", "text", "414,16")],
            "414,16",
            "decimal separator '.', thousand separator none",
        ),
        # No thousand separator declared: a space inside an amount is not skipped.
        ([("//Row[1]//TotalInclVat", "text", "2 56.02")], "2 56.02", "thousand separator none"),
    ],
)
def test_a_number_against_the_declaration_is_unreadable(
    edits: list[tuple[str, str, str | None]], value: str, says: str
) -> None:
    result = check_bytes(make_variant(ROUTE, *edits), today=TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    finding = result.findings[0]
    assert finding.value == value and says in finding.message


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("//Summary[@Type='1']/Sum", "3344.58"),  # a point where a comma is declared
        ("//Summary[@Type='1']/Sum", "33 44,58"),  # thousands grouped wrongly
        ("//Summary[@Type='1']/Sum", "3 344,"),
    ],
)
def test_the_comma_file_reads_only_comma_numbers(path: str, value: str) -> None:
    result = check_bytes(make_variant(COMMA, (path, "text", value)), today=TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert result.findings[0].xpath == f"{HEADER}/Summaries/Summary[1]/Sum"


def test_without_a_definition_numbers_take_a_point() -> None:
    invoice = adapt_as(make_variant(ROUTE, ("//Definition", "remove", None)), "liinos")
    assert invoice.total == D("414.16")


@pytest.mark.parametrize(
    ("decimal", "thousand", "message"),
    [
        (",", ",", "also the decimal separator"),
        ("dot", None, "not a separator character"),
        ("1", None, "not a separator character"),
    ],
)
def test_an_odd_declaration_is_unreadable(decimal: str, thousand: str | None, message: str) -> None:
    result = check_bytes(make_variant(ROUTE, *_definition(decimal, thousand)), today=TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert message in result.findings[0].message
    assert (result.findings[0].xpath or "").startswith("/Liinos_XML/Definition/")


SEPARATORS = [
    (".", None),
    (",", None),
    (",", " "),
    (",", "."),
    (".", ","),
    (".", "'"),
    (",", "\u00a0"),
]


@profile()
@given(data=st.data())
def test_any_declared_separators_read_back_the_written_numbers(data: st.DataObject) -> None:
    """Generated invoices written with any declared separators: the same numbers come back."""
    spec = data.draw(invoice_specs(today=TODAY))
    decimal, thousand = data.draw(st.sampled_from(SEPARATORS))
    written = render(spec, decimal=decimal, thousand=thousand, encoding="UTF-8")
    invoice = adapt_as(written, "liinos")
    assert (invoice.number, invoice.issue_date, invoice.due_date) == (
        spec.number,
        spec.issue_date,
        spec.due_date,
    )
    assert (invoice.total, invoice.total_vat_excluded, invoice.total_vat) == (
        spec.total,
        spec.total_vat_excluded,
        spec.total_vat,
    )
    assert [
        (r.quantity, r.unit_price, r.vat_percent, r.vat_excluded, r.amount) for r in invoice.rows
    ] == [(r.quantity, r.unit_price, r.vat_percent, r.vat_excluded, r.amount) for r in spec.rows]
    assert [(v.percent, v.base, v.amount) for v in invoice.vat_lines] == [
        (v.percent, v.base, v.amount) for v in spec.vat_lines
    ]
    assert invoice.penalty_interest_percent == spec.fine_percent
    assert (invoice.payment.iban, invoice.payment.bic, invoice.payment.reference) == (
        spec.payment.iban,
        spec.payment.bic,
        spec.reference,
    )
    assert (invoice.buyer.business_id, invoice.buyer.name) == (
        spec.buyer.business_id,
        spec.buyer.name,
    )


def test_a_thousand_separator_is_written_and_read_between_groups() -> None:
    assert number(D("-1234567.5"), ",", " ") == "-1 234 567,5"
    assert number(D("999.00"), ",", ".") == "999,00"
    written = render(example_spec(TODAY), decimal=",", thousand=" ")
    assert b"<DecimalSeparator>,</DecimalSeparator>" in written


# --------------------------------------------------------------- the type codes


def test_only_number_type_1_is_the_invoice_number() -> None:
    result = check_bytes(make_variant(ROUTE, ("//Numbers/Number", "attr:Type", "2")), today=TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert 'Number[@Type="1"]' in result.findings[0].message


def test_date_types_1_and_3_are_the_invoice_and_due_dates(settings: Settings) -> None:
    # Type 2 (delivery, the example's Type 2 equals its invoice date) is not the due date.
    swapped = make_variant(ROUTE, ("//Dates/Date[@Type='3']", "attr:Type", "5"))
    invoice = adapt_as(swapped, "liinos")
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 11, 20), None)
    result = check_bytes(swapped, settings, TODAY)
    assert result.reasons == ["due-date-too-soon"]
    assert "the invoice has no due date" in (result.findings[0].detail or "")


@pytest.mark.parametrize(
    ("day", "month", "year"), [("31", "11", "2026"), ("15", "12", "26"), ("", "12", "2026")]
)
def test_a_date_that_is_no_date_is_unreadable(day: str, month: str, year: str) -> None:
    date_el = "//Dates/Date[@Type='3']"
    data = make_variant(
        ROUTE,
        (f"{date_el}/Day", "text", day),
        (f"{date_el}/Month", "text", month),
        (f"{date_el}/Year", "text", year),
    )
    result = check_bytes(data, today=TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert result.findings[0].xpath == f"{HEADER}/Dates/Date[3]"


def test_the_payment_reference_is_type_pq_not_the_customer_reference() -> None:
    without = adapt_as(make_variant(ROUTE, ("//Reference[@Type='PQ']", "remove", None)), "liinos")
    assert without.payment.reference is None


def test_summary_and_percentage_types() -> None:
    """Summary Type 1 is the total; Percentage Type 2 the penalty interest, Type 1 is not."""
    no_total = make_variant(ROUTE, ("//Summary[@Type='1']", "attr:Type", "9"))
    result = check_bytes(no_total, today=TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert "the total" in result.findings[0].message
    no_rate = make_variant(ROUTE, ("//Percentage[@Type='2']", "remove", None))
    assert adapt_as(no_rate, "liinos").penalty_interest_percent is None


def test_a_row_sums_its_sales_postings_and_skips_other_types() -> None:
    """Posting Type 1 carries the row's amounts; a second one adds, another type does not."""
    tree = etree.fromstring(ROUTE.read_bytes())
    postings = tree.find("Data/Rows/Row[1]/Postings")
    assert postings is not None
    first = postings[0]
    for kind, incl in (("1", "10.00"), ("7", "999.00")):
        extra = etree.fromstring(etree.tostring(first))
        extra.set("Type", kind)
        for tag, value in (("TotalInclVat", incl), ("TotalExclVat", "8.00")):
            element = extra.find(tag)
            assert element is not None
            element.text = value
        postings.append(extra)
    data = etree.tostring(tree, xml_declaration=True, encoding="iso-8859-1")
    row = adapt_as(data, "liinos").rows[0]
    assert (row.amount, row.vat_excluded, row.vat_percent) == (D("266.02"), D("212.00"), D("25.5"))


def test_a_buyer_without_identifiers_is_a_consumer() -> None:
    data = make_variant(ROUTE, ("//Party[@Type='IV']/PartyIds", "remove", None))
    invoice = adapt_as(data, "liinos")
    assert (invoice.buyer.business_id, invoice.channel.value) == (None, "b2c-other")


def test_a_file_of_two_invoices_is_unreadable() -> None:
    tree = etree.fromstring(ROUTE.read_bytes())
    data_el = tree.find("Data")
    assert data_el is not None
    tree.append(etree.fromstring(etree.tostring(data_el)))
    data = etree.tostring(tree, xml_declaration=True, encoding="iso-8859-1")
    assert isinstance(data, bytes)
    result = check_bytes(data)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert "2 invoices" in result.findings[0].message


# --------------------------------------------------------------- the rewrite


def test_the_rewrite_recomputes_the_bank_barcode(settings: Settings) -> None:
    done = rewrite_with(ROUTE.read_bytes(), settings)
    plan = done.plans[0]
    tree = etree.fromstring(done.data)
    barcode = tree.findtext("Data/Header/References/Reference[@Type='BBC']/Ref")
    assert barcode == plan.barcode and barcode is not None
    parsed = parse_virtual_barcode(barcode)
    assert (parsed.iban, parsed.amount, parsed.reference, parsed.due_date) == (
        SERVICE.iban,
        D("414.16"),
        plan.reference,
        date(2026, 12, 15),
    )
    # One account left, the service's in both of the example's pairs.
    accounts = tree.findall("Data/Parties/Party[@Type='SE']/BankAccounts/BankAccount")
    assert [[e.text for e in a] for a in accounts] == [
        [SERVICE.bic, SERVICE.iban, SERVICE.iban, SERVICE.bic]
    ]
    # The clause is in header texts of Type 1, after the sender's own text.
    texts = tree.findall("Data/Header/Texts/Text")
    assert texts[0].findtext("Txt") == "Huoltokäynti 18.11.2026, työmaa Lempäälän Kuokkala."
    assert " ".join(t.findtext("Txt") or "" for t in texts[1:]) == plan.clause.text
    assert {t.get("Type") for t in texts} == {"1"}
    assert max(len(t.findtext("Txt") or "") for t in texts) <= 70
    assert done.data.startswith(b'<?xml version="1.0" encoding="iso-8859-1"?>')


def test_no_barcode_for_the_new_details_removes_the_old_one(settings: Settings) -> None:
    assert settings.vfsfi is not None
    foreign = settings.model_copy(
        update={
            "vfsfi": settings.vfsfi.model_copy(
                update={"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}
            )
        }
    )
    done = rewrite_with(ROUTE.read_bytes(), foreign)
    assert done.plans[0].barcode is None
    tree = etree.fromstring(done.data)
    kinds = [r.get("Type") for r in tree.findall("Data/Header/References/Reference")]
    assert kinds == ["CO", "CR", "PQ"]
    assert any("BBC" in note for note in done.notes)


def test_the_rewrite_adds_the_blocks_a_bare_invoice_lacks(settings: Settings) -> None:
    bare = make_variant(
        ROUTE,
        ("//Header/References", "remove", None),
        ("//Header/Texts", "remove", None),
        ("//Party[@Type='SE']/BankAccounts", "remove", None),
    )
    done = rewrite_with(bare, settings)
    assert done.decision.value == "route"
    tree = etree.fromstring(done.data)
    header = [c.tag for c in tree.find("Data/Header")]  # type: ignore[union-attr]
    assert header[:4] == ["Numbers", "References", "Texts", "Terms"]
    assert tree.findtext("Data/Header/References/Reference[@Type='PQ']/TypeName") == "Viitenumero"
    seller = [c.tag for c in tree.find("Data/Parties/Party[@Type='SE']")]  # type: ignore[union-attr]
    assert seller[-2:] == ["BankAccounts", "ContactPersons"]
    payment = adapt_as(done.data, "liinos").payment
    assert (payment.iban, payment.bic, payment.reference) == (
        SERVICE.iban,
        SERVICE.bic,
        done.plans[0].reference,
    )
    assert rewrite_with(done.data, settings).data == done.data


def test_a_routed_invoice_without_a_seller_party_cannot_be_rewritten(settings: Settings) -> None:
    from kassavirta.rewrite import RewriteError

    data = make_variant(ROUTE, ("//Party[@Type='SE']", "attr:Type", "XX"))
    assert check_bytes(data, settings, TODAY).decision.value == "route"
    with pytest.raises(RewriteError, match='Party Type="SE"'):
        rewrite_with(data, settings)


# --------------------------------------------------------------- the operator's example


@pytest.fixture
def example() -> Path:
    if not EXAMPLE.is_file():
        pytest.skip("../shared/reference/maventa-examples is not available")
    return Path(EXAMPLE)


def test_the_operators_example_is_read_as_written(example: Path) -> None:
    """Its placeholders (`Num`, `Ref`, `PostalNumber`) are text, so every field reads."""
    invoice = adapt_as(example, "liinos")
    assert (invoice.number, invoice.issue_date, invoice.due_date) == (
        "Num",
        date(2004, 12, 15),
        date(2004, 12, 29),
    )
    assert (invoice.total, invoice.total_vat_excluded, invoice.total_vat) == (
        D("3352.98"),
        D("2830.30"),
        D("522.68"),
    )
    # The rows' own VAT-included totals: 350.02 + 240.10 + 79.30 + 2763.56 + 20.00.
    assert invoice.rows_total == D("3452.98")
    assert sum((r.vat_excluded or D(0) for r in invoice.rows), D(0)) == D("2830.30")
    assert invoice.penalty_interest_percent == D("16.0")
    assert (invoice.seller.business_id, invoice.buyer.business_id) == ("0199920-7", "1234567-8")
    assert (invoice.payment.iban, invoice.payment.bic) == ("FI2757800750155448", "OKOYFIHH")
    assert len(invoice.seller_accounts) == 2


def test_the_operators_example_is_decided_as_spec_says(example: Path, settings: Settings) -> None:
    """Nothing in it is unreadable, so it is judged on its content (SPEC §2):

    * `address-incomplete`: the buyer's postcode is the placeholder `PostalNumber`, not
      five digits;
    * `due-date-too-soon`: due 2004-12-29, long passed;
    * `sum-mismatch`: its rows add up to 3452.98 (VAT 22 %), while its total says 3352.98
      (its header VAT is 522.68 at 18 %, 100.00 less than the rows' 622.68).

    With its dates in the future (sending on 2004-12-01) the other two remain.
    """
    result = check_file(example, settings, TODAY)
    assert (result.format, result.decision.value) == ("liinos", "error")
    assert result.reasons == ["address-incomplete", "due-date-too-soon", "sum-mismatch"]
    sent_in_time = check_file(example, settings, date(2004, 12, 1))
    assert sent_in_time.reasons == ["address-incomplete", "sum-mismatch"]
    warnings = {f.rule for f in result.findings if f.severity.value == "warning"}
    # Its IBANs carry wrong check digits, `Ref` is no reference, 1234567-8 no business ID.
    assert {"iban-invalid", "reference-invalid", "business-id-invalid"} <= warnings
    assert check_file(example, None, TODAY).decision.value == "bypass"
