"""MaventaXML 1.0: detection, every field, the rules where MaventaXML has the field, the
rewrite, and the operator's example.

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
from kassavirta.formats.maventa_xml.write import example_spec, render

D = Decimal
ROUTE = SAMPLES / "route" / "maventa-xml-1.0.xml"
CONSUMER = DATA / "maventa-xml-1.0-consumer.xml"
ACCOUNT = "/invoice/invoice_accounts/invoice_account"
EXAMPLE = "anon_maventa_xml_10_invoice.xml"
AFTER_THE_TRANSITION = date(2026, 12, 10)
"""Five days after the sample settings' activation (2026-11-28) and more."""


def _row(*values: str | int | None) -> dict[str, Any]:
    """A MaventaXML item as the model dumps it: no VAT amount of its own."""
    return {**row(*values), "counted": True}  # type: ignore[arg-type]


def test_sample_every_field() -> None:
    invoice = adapt_as(ROUTE, "maventa-xml-1.0")
    assert fields(invoice) == {
        "format": "maventa-xml-1.0",
        "version": "1.0",
        "type_code": None,
        "number": "MX-4410",
        "issue_date": date(2026, 11, 20),
        "due_date": date(2026, 12, 15),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("1925.36"),
        "total_vat_excluded": D("1537.80"),
        "total_vat": None,
        "rounding": D("0.00"),
        "paid_amount": None,
        "rows": [
            _row(
                1,
                "Valaistussuunnitelma, myymälä",
                "1",
                "kpl",
                "1240.00",
                "25.5",
                None,
                "1240.00",
                "1556.20",
            ),
            _row(2, "Työmaakäynti", "3", "h", "86.00", "25.5", None, "258.00", "323.79"),
            _row(3, "Valaisinluettelo", "2", "kpl", "19.90", "14", None, "39.80", "45.37"),
        ],
        "rows_adjustment": None,
        "charges": [],
        "vat_lines": [],
        # company_bid / customer_bid in the VAT-number form (FI + 8 digits) → the Y-tunnus.
        "seller": party_of(
            "Lahden Valaistussuunnittelu Oy",
            "1499625-9",
            None,
            ["Vesijärvenkatu 30"],
            "Lahti",
            "15140",
        ),
        "seller_accounts": [],
        "buyer": party_of(
            "Heinolan Kalustepaja Oy", "2340015-4", None, ["Kauppakatu 7"], "Heinola", "18100"
        ),
        "recipient": None,
        "language": "FI",
        "payment": {
            "iban": "FI7115798644953921",
            "iban_scheme": "IBAN",
            "bic": "NDEAFIHH",
            "beneficiary": "Lahden Valaistussuunnittelu Oy",
            "reference": "44105",
            "reference_scheme": None,
            "amount": D("1925.36"),
            "due_date": date(2026, 12, 15),
            "instruction_id": None,
        },
        "penalty_interest_percent": D("9.5"),
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "25 pv netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    where = invoice.locations
    assert (where["number"].line, where["number"].xpath) == (4, "/invoice/invoice_nr")
    assert (where["due_date"].line, where["due_date"].xpath) == (7, "/invoice/date_due")
    assert (where["payment.iban"].line, where["payment.iban"].xpath) == (40, f"{ACCOUNT}/iban")
    assert where["payment.reference"].line == 5
    assert where["buyer.business_id"].xpath == "/invoice/customer_bid"
    assert where["buyer.address"].xpath == "/invoice/customer_address1"
    assert where["rows.3.amount"].xpath == "/invoice/items/item[3]/sum_tax"
    assert (where["total"].line, where["total"].xpath) == (36, "/invoice/sum_tax")


def test_sample_routes_without_a_warning(settings: Settings) -> None:
    result = check_file(ROUTE, settings, TODAY)
    assert (result.format, result.decision.value, result.findings) == (
        "maventa-xml-1.0",
        "route",
        [],
    )


def test_consumer_to_a_netbank() -> None:
    invoice = adapt_as(CONSUMER, "maventa-xml-1.0")
    read = {
        "channel": (invoice.channel.value, invoice.channel_signals),
        "buyer": (invoice.buyer.name, invoice.buyer.business_id),
        "recipient": invoice.recipient.model_dump() if invoice.recipient else None,
        "language": invoice.language,
        "payment": (invoice.payment.iban, invoice.payment.bic, invoice.payment.reference),
        "accounts": [(a.account, a.bic) for a in invoice.seller_accounts],
        "amounts": (invoice.rows_total, invoice.rounding, invoice.total),
    }
    assert read == {
        "channel": (
            "b2c-netbank",
            [
                "buyer has no business identifier",
                "customer_type is CONSUMER",
                "receiver operator NDEAFIHH is a BIC",
                "receiver address FI2047091569868528 is an IBAN",
            ],
        ),
        "buyer": ("Aino Lehtonen", None),
        "recipient": party_of(
            "Aino Lehtonen", None, None, ["Kuninkaankatu 5 A 3"], "Tampere", "33210"
        ),
        "language": "SV",
        # The second account is the default one: it is the payment's; the first is a further one.
        "payment": ("FI7671733437428725", "BIGKFIH1", "RF542026885"),
        "accounts": [("FI2547067898087378", "POPFFI22")],
        # 200.30 + 106.68 = 306.98, + rounding 0.02 = 307.00.
        "amounts": (D("306.98"), D("0.02"), D("307.00")),
    }


def test_consumer_without_bank_signals_is_another_consumer_invoice() -> None:
    data = make_variant(
        CONSUMER,
        ("/invoice/customer_operator", "text", "003721291126"),
        ("/invoice/customer_ovt", "remove", None),
    )
    invoice = adapt_as(data, "maventa-xml-1.0")
    assert (invoice.channel.value, invoice.channel_signals) == (
        "b2c-other",
        ["buyer has no business identifier", "customer_type is CONSUMER"],
    )


def test_consumer_transition_then_routes_and_rewrites_in_swedish(settings: Settings) -> None:
    early = check_file(CONSUMER, settings, TODAY)
    assert (early.decision.value, early.reasons) == ("bypass", ["consumer-transition"])
    later = check_file(CONSUMER, settings, AFTER_THE_TRANSITION)
    assert (later.decision.value, later.reasons) == ("route", [])
    assert "consumer-si-message" in {f.rule for f in later.findings}
    result = rewrite_with(CONSUMER.read_bytes(), settings, today=AFTER_THE_TRANSITION)
    plan = result.plans[0]
    assert plan.clause.language == "sv"
    assert [(c.xpath, c.field, c.old, c.new) for c in result.changes] == [
        ("/invoice/reference_nr", "payment.reference", "RF542026885", plan.reference),
        ("/invoice/notes", "factoring.clause", None, plan.clause.text),
        ("/invoice/company_name", "payment.beneficiary", "Tampereen Kotisiivous Oy", SERVICE.payee),
        (f"{ACCOUNT}[1]", "seller_accounts", "FI2547067898087378", None),
        (f"{ACCOUNT}[2]/iban", "payment.iban", "FI7671733437428725", SERVICE.iban),
        (f"{ACCOUNT}[2]/swift", "payment.bic", "BIGKFIH1", SERVICE.bic),
    ]
    invoice = adapt_as(result.data, "maventa-xml-1.0")
    assert (invoice.seller_accounts, invoice.payment.iban) == ([], SERVICE.iban)
    assert rewrite_with(result.data, settings, today=AFTER_THE_TRANSITION).changes == []


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"format": "MaventaXML", "version": "1.0"}, ("maventa-xml-1.0", "1.0")),
        ({"format": "MaventaXML"}, ("maventa-xml-1.0", "1.0")),
        ({"format": "MaventaXML", "version": "1.1"}, ("maventa-xml-1.0", "1.1")),
        ({"version": "1.0"}, ("unknown", None)),
        ({"format": "Finvoice", "version": "1.0"}, ("unknown", None)),
        ({"format": "maventaxml", "version": "1.0"}, ("unknown", None)),
    ],
)
def test_detected_by_its_format_attribute(
    attributes: dict[str, str], expected: tuple[str, str | None]
) -> None:
    found = detect(etree.Element("invoice", attributes))
    assert (found.format, found.version) == expected


def test_a_root_invoice_without_the_format_is_unknown(settings: Settings) -> None:
    root = etree.fromstring(ROUTE.read_bytes())
    del root.attrib["format"]
    result = check_bytes(etree.tostring(root), settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        "unknown",
        "invalid",
        ["unknown-format"],
    )


def test_a_negative_total_is_a_credit_note(settings: Settings) -> None:
    result = check_file(DATA / "maventa-xml-1.0-credit-note.xml", settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    [warning] = [f for f in result.findings if f.rule == "credit-note"]
    assert (warning.line, warning.xpath) == (36, "/invoice/sum_tax")


@pytest.mark.parametrize(
    ("edit", "rule", "xpath", "message_has"),
    [
        (
            (f"{ACCOUNT}/iban", "text", "FI7115798644953922"),
            "iban-invalid",
            f"{ACCOUNT}/iban",
            "FI7115798644953922",
        ),
        ((f"{ACCOUNT}/swift", "text", "OKOYFIHH"), "iban-bic-mismatch", f"{ACCOUNT}/swift", "NDEA"),
        ((f"{ACCOUNT}/swift", "text", "NDEAFI"), "bic-invalid", f"{ACCOUNT}/swift", "NDEAFI"),
        (("/invoice/reference_nr", "text", "44106"), "reference-invalid", None, "44106"),
        (("/invoice/customer_bid", "text", "FI23400155"), "business-id-invalid", None, "buyer"),
        (("/invoice/lang", "text", "DE"), "language-unsupported", None, "DE"),
    ],
)
def test_warnings_point_at_the_maventa_element(
    edit: tuple[str, str, str], rule: str, xpath: str | None, message_has: str, settings: Settings
) -> None:
    result = check_bytes(make_variant(ROUTE, edit), settings, TODAY)
    assert result.decision.value == "route"
    [found] = [f for f in result.findings if f.rule == rule]
    assert found.xpath == (xpath or edit[0]) and message_has in found.message


def test_language_and_interest_advice_names_maventa_elements(settings: Settings) -> None:
    data = make_variant(
        ROUTE,
        ("/invoice/company_interest", "remove", None),
        ("/invoice/lang", "remove", None),
        ("/invoice/payment_terms", "text", "25 pv netto, viivästyskorko 9,5 %"),
    )
    by_rule = {f.rule: f for f in check_bytes(data, settings, TODAY).findings}
    assert by_rule["language-defaulted"].detail == "Add lang (FI, SV or EN)."
    assert by_rule["interest-not-in-xml"].detail == "Put the rate in company_interest."


@pytest.mark.parametrize(
    "edit",
    [
        ("/invoice/sum_tax", "text", "1925,36"),
        ("/invoice/date_due", "text", "15.12.2026"),
        ("/invoice/items/item[2]/sum_tax", "text", "n/a"),
    ],
)
def test_unreadable_values_are_invalid_with_their_place(
    edit: tuple[str, str, str], settings: Settings
) -> None:
    result = check_bytes(make_variant(ROUTE, edit), settings, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert (result.findings[0].xpath, result.findings[0].value) == (edit[0], edit[2])


def test_an_invoice_without_a_number_or_total_is_invalid(settings: Settings) -> None:
    for tag in ("invoice_nr", "sum_tax"):
        result = check_bytes(
            make_variant(ROUTE, (f"/invoice/{tag}", "remove", None)), settings, TODAY
        )
        assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])


# ------------------------------------------------------------------------ the rewrite


def test_rewrite_changes_and_untouched_rest(settings: Settings) -> None:
    source = ROUTE.read_bytes()
    result = rewrite_with(source, settings)
    plan = result.plans[0]
    assert [(c.xpath, c.field, c.old, c.new) for c in result.changes] == [
        ("/invoice/reference_nr", "payment.reference", "44105", plan.reference),
        ("/invoice/notes", "factoring.clause", None, plan.clause.text),
        (
            "/invoice/company_name",
            "payment.beneficiary",
            "Lahden Valaistussuunnittelu Oy",
            SERVICE.payee,
        ),
        (f"{ACCOUNT}/iban", "payment.iban", "FI7115798644953921", SERVICE.iban),
    ]
    # The seller's bank is the service's (NDEAFIHH): the swift stays as it is.
    gone, added = changed_lines(source, result.data)
    assert gone == [5, 13, 14, 40]
    assert added == [
        f"  <reference_nr>{plan.reference}</reference_nr>",
        f"  <notes>{plan.clause.text}</notes>",
        f"  <company_name>{SERVICE.payee}</company_name>",
        f"      <iban>{SERVICE.iban}</iban>",
    ]
    invoice = adapt_as(result.data, "maventa-xml-1.0")
    assert (invoice.seller.business_id, invoice.seller.name) == ("1499625-9", SERVICE.payee)
    assert any("seller name changes too" in n for n in result.notes)


def test_rewrite_adds_what_is_missing_and_keeps_existing_notes(settings: Settings) -> None:
    data = make_variant(
        ROUTE,
        ("/invoice/reference_nr", "remove", None),
        ("/invoice/invoice_accounts", "remove", None),
        ("/invoice/notes", "text", "Kiitos tilauksesta."),
    )
    result = rewrite_with(data, settings)
    assert result.rewritten
    root = etree.fromstring(result.data)
    names = [c.tag for c in root]
    assert names.index("reference_nr") == names.index("invoice_nr") + 1
    assert names.index("invoice_accounts") == names.index("items") - 1
    assert root.findtext("notes") == f"Kiitos tilauksesta.\n{result.plans[0].clause.text}"
    payment = adapt_as(result.data, "maventa-xml-1.0").payment
    assert (payment.iban, payment.bic, payment.reference) == (
        SERVICE.iban,
        SERVICE.bic,
        result.plans[0].reference,
    )
    assert rewrite_with(result.data, settings).changes == []


def test_the_writers_example_reads_back() -> None:
    spec = example_spec(date(2026, 11, 20))
    invoice = adapt_as(render(spec), "maventa-xml-1.0")
    # 680.00 × 1.255 = 853.40 and 324.00 × 1.255 = 406.62.
    assert (invoice.number, invoice.total, invoice.rows_total) == (
        spec.number,
        D("1260.02"),
        D("1260.02"),
    )


# ---------------------------------------------------------- the operator's example


@pytest.fixture
def example() -> Path:
    return operator_example(EXAMPLE)


def test_operator_example_fields(example: Path) -> None:
    invoice = adapt_as(example, "maventa-xml-1.0")
    read: dict[str, Any] = {
        "number": invoice.number,
        "dates": (invoice.issue_date, invoice.due_date),
        "currency": invoice.currency,
        "total": (invoice.total, invoice.total_vat_excluded, invoice.rounding),
        "rows": [
            (r.quantity, r.unit_price, r.vat_percent, r.vat_excluded, r.amount)
            for r in invoice.rows
        ],
        "language": invoice.language,
        "interest": invoice.penalty_interest_percent,
        "seller": (invoice.seller.name, invoice.seller.business_id),
        "buyer": (invoice.buyer.name, invoice.buyer.business_id),
        "recipient": invoice.recipient is not None and invoice.recipient.name,
        "payment": (invoice.payment.iban, invoice.payment.bic, invoice.payment.reference),
        "accounts": [(a.account, a.bic) for a in invoice.seller_accounts],
        "channel": invoice.channel.value,
    }
    assert read == {
        "number": "1000",
        "dates": (date(2008, 10, 2), date(2008, 10, 16)),
        "currency": "EUR",
        "total": (D("1081.99"), D("886.88"), D("0.0")),
        "rows": [
            (D("3.0"), D("1.63"), D("22.0"), D("4.89"), D("5.97")),
            (D("7.0"), D("96.80"), D("22.0"), D("677.6"), D("826.67")),
            (D("9.0"), D("22.71"), D("22.0"), D("204.39"), D("249.36")),
        ],
        "language": "EN",
        "interest": D("11.5"),
        # FI12345671 is the VAT-number form of 1234567-1; FI1234567 is too short to be one.
        "seller": ("Test", "1234567-1"),
        "buyer": ("Test customer 1", "FI1234567"),
        "recipient": "name",
        "payment": ("FI123456123451234", "TESTFIHH", "00000000000000001000"),
        "accounts": [("FI431123123412421", "TESTFIH2")],
        "channel": "b2b",
    }
    # The example's own arithmetic: the items' sums 886.88 at 22 % are 1081.99; the items'
    # VAT-included amounts, each rounded, add up to a cent more.
    assert invoice.rows_total == D("1082.00")


def test_operator_example_due_date_passed(example: Path, settings: Settings) -> None:
    # SPEC §2: due 2008-10-16 has passed (#13); the rows' extra cent is within 0.01 per row.
    result = check_file(example, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        "maventa-xml-1.0",
        "error",
        ["due-date-too-soon"],
    )


def _example_due_later(example: Path) -> bytes:
    return make_variant(
        example,
        ("/invoice/date", "text", "2026-11-20"),
        ("/invoice/date_due", "text", "2026-12-15"),
    )


def test_operator_example_due_later_routes(example: Path, settings: Settings) -> None:
    # Its placeholders stay: IBANs of 17 characters, the reference 1000 (its check digit
    # would be 9), the buyer's business ID FI1234567, the town TEST of postcode 00100
    # (Helsinki in the directory: a warning, SPEC §2).
    result = check_bytes(_example_due_later(example), settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    assert {f.rule for f in result.findings} == {
        "postcode-town-mismatch",
        "iban-invalid",
        "reference-invalid",
        "business-id-invalid",
    }


def test_operator_example_rewrites(example: Path, settings: Settings) -> None:
    # Straight through the format's rewriter: the check's own decision is not the point here.
    done, plan = rewrite_directly(_example_due_later(example), "maventa-xml-1.0", settings)
    assert plan.clause.language == "en"
    assert [(c.xpath, c.old, c.new) for c in done.changes if c.field != "factoring.clause"] == [
        ("/invoice/reference_nr", "00000000000000001000", plan.reference),
        ("/invoice/company_name", "Test", SERVICE.payee),
        (f"{ACCOUNT}[1]/iban", "FI123456123451234", SERVICE.iban),
        (f"{ACCOUNT}[1]/swift", "TESTFIHH", SERVICE.bic),
        (f"{ACCOUNT}[2]", "FI431123123412421", None),
    ]
    again, _ = rewrite_directly(done.data, "maventa-xml-1.0", settings)
    assert (again.changes, again.data) == ([], done.data)
