"""TEAPPSXML 2.7.x and 3.0 (INVOICE_CENTER): detection, adaptation, rules, schemas.

Expected values are literals read from the XML files by hand, never computed by the adapter.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from formats.cases import DATA, NOKIAN_METALLITYO, PIRKAN_KONE, teappsxml_schema_dir
from helpers import SAMPLES, TODAY, adapt_as, fields, party, row
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings
from kassavirta.formats.schemas import SchemaStore

INVOICE = "/INVOICE_CENTER/CONTENT_FRAME/INVOICES/INVOICE"
D = Decimal
FI: dict[str, Any] = {"country": "FI", "po_box": None}


def test_sample_3_0_every_field() -> None:
    invoice = adapt_as(SAMPLES / "route" / "teappsxml.xml", "teappsxml")
    assert fields(invoice) == {
        "format": "teappsxml",
        "version": "3.0",
        "type_code": "00",
        "number": "660217",
        "issue_date": date(2026, 11, 20),
        "due_date": date(2026, 12, 15),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("1265.04"),
        "total_vat_excluded": D("1008.00"),
        "total_vat": D("257.04"),
        "rounding": None,
        "paid_amount": None,
        "rows": [
            row(1, "Sähköasennustyö", "12", "h", "64.00", "25.5", "195.84", "768.00", "963.84"),
            row(2, "Johdinkouru 2 m", "10", "kpl", "14.00", "25.5", "35.70", "140.00", "175.70"),
            row(
                3,
                "Pistorasia, 2-osainen, upotettava",
                "8",
                "kpl",
                "12.50",
                "25.5",
                "25.50",
                "100.00",
                "125.50",
            ),
        ],
        "rows_adjustment": None,
        "charges": [],
        "vat_lines": [{"percent": D("25.5"), "base": D("1008.00"), "amount": D("257.04")}],
        "seller": {
            "name": "Satakunnan Sähköasennus Oy",
            "business_id": "2673112-7",
            "business_id_scheme": None,
            "vat_code": "FI26731127",
            "address": {"streets": ["Yrjönkatu 13"], "town": "Pori", "postcode": "28100", **FI},
        },
        "seller_accounts": [],
        "buyer": {
            "name": "Kotkan Konepaja Oy",
            "business_id": "3382429-2",
            "business_id_scheme": None,
            "vat_code": "FI33824292",
            "address": {"streets": ["Keskuskatu 18"], "town": "Kotka", "postcode": "48100", **FI},
        },
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "FI0342461408316002",
            "iban_scheme": "IBAN",
            "bic": "ITELFIHH",
            "beneficiary": "Satakunnan Sähköasennus Oy",
            "reference": "6602172",
            "reference_scheme": None,
            "amount": D("1265.04"),  # what the bank barcode carries (00126504)
            "due_date": date(2026, 12, 15),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "25 pv netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    where = invoice.locations
    assert (where["number"].line, where["number"].xpath) == (32, f"{INVOICE}/HEADER/INVOICE_ID")
    assert (where["due_date"].line, where["due_date"].xpath) == (
        44,
        f"{INVOICE}/HEADER/DUE_DATE/DATE",
    )
    assert (where["payment.reference"].line, where["payment.reference"].xpath) == (
        80,
        f"{INVOICE}/PAYEE/DETAILS_OF_PAYMENT/FI_PAYMENT_REFERENCE",
    )
    assert (where["payment.amount"].line, where["payment.amount"].xpath) == (
        83,
        f"{INVOICE}/PAYEE/BANK_BARCODE/FI_BANK_BARCODE",
    )
    assert where["buyer.address.postcode"].line == 91
    assert where["payment.iban"].line == 76
    assert (where["total"].line, where["total"].xpath) == (
        183,
        f"{INVOICE}/SUMMARY/INVOICE_TOTAL/AMOUNT[1]",
    )


def test_own_2_7_2_every_field() -> None:
    invoice = adapt_as(DATA / "teappsxml-2.7.2.xml", "teappsxml")
    assert fields(invoice) == {
        "format": "teappsxml",
        "version": "2.7.2",
        "type_code": "00",
        "number": "7706",
        "issue_date": date(2026, 11, 24),
        "due_date": date(2026, 12, 18),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("291.16"),
        "total_vat_excluded": D("232.00"),
        "total_vat": D("59.16"),
        "rounding": None,
        "paid_amount": None,
        "rows": [
            row(1, "Huoltotyö", "6", "h", "42.00", "25.5", "64.26", "252.00", "316.26"),
            # SIGN="-" on the quantity and on every amount of the row.
            row(
                2,
                "Hyvitys: palautettu suodatin",
                "-1",
                "kpl",
                "20.00",
                "25.5",
                "-5.10",
                "-20.00",
                "-25.10",
            ),
            row(3),  # an information row: no article name, no amounts
        ],
        "rows_adjustment": None,
        "charges": [],
        "vat_lines": [{"percent": D("25.5"), "base": D("232.00"), "amount": D("59.16")}],
        "seller": PIRKAN_KONE,
        "seller_accounts": [{"account": "FI7944052020036082", "scheme": "IBAN", "bic": "ITELFIHH"}],
        # No ORGANIZATION_NUMBER: the OVT address 003724644919 carries 2464491-9.
        "buyer": NOKIAN_METALLITYO,
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "FI4950009420028730",
            "iban_scheme": "IBAN",
            "bic": "OKOYFIHH",
            "beneficiary": "Pirkan Kone Oy",
            "reference": "7704011",
            "reference_scheme": None,
            "amount": None,
            "due_date": date(2026, 12, 18),
            "instruction_id": None,
        },
        "penalty_interest_percent": D("8.0"),
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "14 pv netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    where = invoice.locations
    assert (
        where["payment.reference"].xpath
        == f"{INVOICE}/PAYEE/DETAILS_OF_PAYMENT/FI_PAYMENT_REFERENCE"
    )
    assert (where["buyer.business_id"].line, where["buyer.business_id"].xpath) == (
        94,
        f"{INVOICE}/RECEIVER/NET_SERVICE_ID",
    )
    assert where["seller_accounts.1.account"].line == 76


def test_reference_2_7_2_every_field(reference: Path) -> None:
    invoice = adapt_as(
        reference / "samples" / "other" / "teappsxml_2.7.2_D.20180608082717.90430823.xml",
        "teappsxml",
    )
    assert fields(invoice) == {
        "format": "teappsxml",
        "version": "2.7.2",
        "type_code": "00",
        "number": "999112293",
        "issue_date": date(2018, 6, 7),
        "due_date": date(2018, 7, 7),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("210.80"),
        "total_vat_excluded": D("170.00"),
        "total_vat": D("40.80"),
        "rounding": None,
        "paid_amount": None,
        "rows": [
            row(1, "00502313200", "10", "EACH", "17.00", "24.00", "40.80", "170.00", "210.8000"),
            row(2, net="0", amount="0"),
            row(3, net="0", amount="0"),
        ],
        "rows_adjustment": None,
        "charges": [],
        "vat_lines": [{"percent": D("24"), "base": D("170.00"), "amount": D("40.80")}],
        "seller": {
            "name": "InExchange Factorum Oy - Demo",
            "business_id": "5567009-9",
            "business_id_scheme": None,
            "vat_code": "FI55670099",
            "address": {
                "streets": ["Great Street 123"],
                "town": "Espoo",
                "postcode": "12345",
                "country": None,
                "po_box": None,
            },
        },
        "seller_accounts": [],
        "buyer": party(
            "Greater Finnish Buyer Limited",
            "5567009-9",
            "FI55670099",
            ["HANKINTAPALVELUT 12", "Box 861", "SARJANUMERO 1234"],
            "Helsinki",
            "00012",
        ),
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "FI0540550011557432",
            "iban_scheme": "IBAN",
            "bic": "HELSFIHH",
            "beneficiary": "InExchange Factorum Oy - Demo",
            "reference": None,
            "reference_scheme": None,
            "amount": None,
            "due_date": date(2018, 7, 7),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "30 pv netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    assert invoice.locations["total"].line == 176
    assert invoice.locations["issue_date"].line == 38


def test_reference_2_7_2_decides(reference: Path, settings: Settings) -> None:
    path = reference / "samples" / "other" / "teappsxml_2.7.2_D.20180608082717.90430823.xml"
    result = check_file(path, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("error", ["due-date-too-soon"])
    # 5567009-9 fails the Y-tunnus check digit (it would be 5567009-5).
    assert [f.line for f in result.findings if f.rule == "business-id-invalid"] == [73, 98]


def test_non_eur_2_7_2(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        DATA / "teappsxml-2.7.2.xml",
        ("//CURRENCY/CODE", "text", "SEK"),
        ("//CURRENCY_CODE", "text", "SEK"),
    )
    result = check_bytes(data, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("bypass", ["non-eur"])


# --- the send errors, each triggered and passed -----------------------------------------------


# --- reading details -------------------------------------------------------------------------


def test_negative_total_is_a_credit_note(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "teappsxml.xml",
        ("//AMOUNT", "attr:SIGN", "-"),
        ("//HEADER/DUE_DATE", "remove", None),
    )
    invoice = adapt_as(data, "teappsxml")
    assert (invoice.total, invoice.rows[0].amount, invoice.is_credit_note) == (
        D("-1265.04"),
        D("-963.84"),
        True,
    )


def test_a_decimal_comma_is_read(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "teappsxml.xml",
        ("//SUMMARY/INVOICE_TOTAL/AMOUNT[@VAT='INCLUDED']", "text", "1265,04"),
    )
    assert adapt_as(data, "teappsxml").total == D("1265.04")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("//SUMMARY/INVOICE_TOTAL/AMOUNT[@VAT='INCLUDED']", "text", "1.265,04"),
            "mixes a decimal point",
        ),
        (("//SUMMARY/INVOICE_TOTAL/AMOUNT[@VAT='INCLUDED']", "attr:SIGN", "?"), "SIGN '?'"),
        (("//HEADER/INVOICE_DATE/DATE/DAY", "text", "31"), "not a real calendar date"),
        (("//HEADER/INVOICE_DATE/DATE/MONTH", "text", "XI"), "is not a date"),
    ],
)
def test_unreadable_values(edit: tuple[str, str, str], message: str, variant) -> None:  # type: ignore[no-untyped-def]
    result = check_bytes(variant(SAMPLES / "route" / "teappsxml.xml", edit), None, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert message in result.findings[0].message


def test_a_batch_of_two_invoices_is_refused(variant) -> None:  # type: ignore[no-untyped-def]
    from lxml import etree

    root = etree.fromstring((SAMPLES / "route" / "teappsxml.xml").read_bytes())
    invoices = root.find("CONTENT_FRAME/INVOICES")
    assert invoices is not None
    invoices.append(etree.fromstring(etree.tostring(invoices[0])))
    result = check_bytes(etree.tostring(root), None, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert "holds 2 invoices" in result.findings[0].message
    assert result.findings[0].xpath == "/INVOICE_CENTER/CONTENT_FRAME/INVOICES"


def test_mixed_currencies_are_unreadable(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "teappsxml.xml", ("//ROWS/ROW[3]/CURRENCY/CODE", "text", "SEK")
    )
    result = check_bytes(data, None, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert "EUR, SEK" in result.findings[0].message


def test_receiver_without_identifiers_is_a_consumer(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "teappsxml.xml",
        ("//RECEIVER//ORGANIZATION_NUMBER", "remove", None),
        ("//RECEIVER//VAT_NUMBER", "remove", None),
        ("//RECEIVER/NET_SERVICE_ID", "text", "FI4950009420028730"),
    )
    invoice = adapt_as(data, "teappsxml")
    assert (invoice.buyer.business_id, invoice.channel) == (None, "b2c-other")
    assert invoice.channel_signals == ["buyer has no business identifier"]


# --- the schemas (TEAPPSXML 2.7.2 and 3.0) ---------------------------------------------------

V272 = "TEAPPSXMLv272_schema_INVOICES.xsd"
V30 = "teappsxmlv30_schema_invoices_0.xsd"
OPERATOR_EXAMPLE = "maventa-examples/anon_teapps_30_invoice.xml"
REFERENCE_272 = "finvoice/samples/other/teappsxml_2.7.2_D.20180608082717.90430823.xml"


def test_each_version_is_validated_with_its_own_schema(settings: Settings) -> None:
    schemas = teappsxml_schema_dir()
    shared = schemas.parent.parent
    store = SchemaStore([schemas])
    assert store.available() == {"teappsxml@2.7.2": schemas / V272, "teappsxml@3.0": schemas / V30}
    for path, version in (
        (SAMPLES / "route" / "teappsxml.xml", "3.0"),
        (SAMPLES / "bypass" / "teappsxml-non-eur.xml", "3.0"),
        (DATA / "teappsxml-2.7.2.xml", "2.7.2"),
        (shared / OPERATOR_EXAMPLE, "3.0"),
        (shared / REFERENCE_272, "2.7.2"),
    ):
        result = check_file(path, settings, TODAY, schemas=schemas)
        assert (result.format, result.version, result.schema_check) == (
            "teappsxml",
            version,
            "valid",
        ), path
        assert "schema" not in result.reasons


def test_a_schema_violation_names_its_line(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    schemas = teappsxml_schema_dir()
    # The payment reference in HEADER, where the schemas have no DETAILS_OF_PAYMENT.
    data = variant(
        SAMPLES / "route" / "teappsxml.xml",
        ("//HEADER/TERMS_OF_PAYMENT", "remove", None),
        ("//HEADER/INVOICE_DATE", "append:DETAILS_OF_PAYMENT", None),
    )
    result = check_bytes(data, settings, TODAY, schemas=schemas)
    assert (result.decision.value, result.reasons, result.schema_check) == (
        "invalid",
        ["schema"],
        "invalid",
    )
    [violation] = [f for f in result.findings if f.rule == "schema"]
    assert "DETAILS_OF_PAYMENT" in violation.message and violation.line is not None


def test_with_one_versions_schema_the_other_version_is_not_validated(
    tmp_path: Path, settings: Settings
) -> None:
    schemas = teappsxml_schema_dir()
    (tmp_path / V272).write_bytes((schemas / V272).read_bytes())
    only_272 = check_file(DATA / "teappsxml-2.7.2.xml", settings, TODAY, schemas=tmp_path)
    assert only_272.schema_check == "valid"
    # The operator's 3.0 example breaks the 2.7.2 schema (BUSINESS_PROCESS_TYPE, SUBDIVISION
    # are 3.0's), so judging it by that schema would call a valid invoice invalid.
    example = schemas.parent.parent / OPERATOR_EXAMPLE
    skipped = check_file(example, settings, TODAY, schemas=tmp_path)
    assert (skipped.version, skipped.schema_check) == ("3.0", "skipped")
    assert "schema" not in skipped.reasons


def test_another_version_uses_the_users_teappsxml_xsd(
    tmp_path: Path, settings: Settings, variant
) -> None:  # type: ignore[no-untyped-def]
    schema = tmp_path / "TEAPPSXML.xsd"
    schema.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="INVOICE_CENTER"><xs:complexType><xs:sequence>'
        '<xs:element name="TRANSPORT_FRAME"/><xs:element name="CONTENT_FRAME"/>'
        "</xs:sequence></xs:complexType></xs:element></xs:schema>"
    )
    assert SchemaStore([tmp_path]).find("teappsxml") == schema
    older = variant(DATA / "teappsxml-2.7.2.xml", ("//FORMAT_VERSION", "text", "2.7.1"))
    good = check_bytes(older, settings, TODAY, schemas=tmp_path)
    assert (good.version, good.decision.value, good.schema_check) == ("2.7.1", "route", "valid")
    bad = check_bytes(
        b"<INVOICE_CENTER><CONTENT_FRAME/></INVOICE_CENTER>", settings, TODAY, schemas=tmp_path
    )
    assert (bad.decision.value, bad.reasons) == ("invalid", ["schema"])
    # Never for 2.7.2 or 3.0, which have schemas of their own.
    latest = check_file(SAMPLES / "route" / "teappsxml.xml", settings, TODAY, schemas=tmp_path)
    assert latest.schema_check == "skipped"


def test_schemas_add_installs_both_and_check_uses_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    schemas = teappsxml_schema_dir()
    data_home = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data_home)}
    added = cli("schemas", "add", str(schemas), env=env)
    assert added.returncode == 0, added.stderr
    installed = data_home / "kassavirta" / "schemas"
    assert sorted(p.name for p in installed.iterdir()) == sorted([V272, V30])
    listed = [line.split() for line in cli("schemas", "list", env=env).stdout.splitlines()]
    assert ["teappsxml@2.7.2", str(installed / V272)] in listed
    assert ["teappsxml@3.0", str(installed / V30)] in listed
    assert ["teappsxml", "not", "found"] in listed  # TEAPPSXML.xsd: other versions only
    checked = cli(
        "check",
        str(SAMPLES / "route" / "teappsxml.xml"),
        str(DATA / "teappsxml-2.7.2.xml"),
        "--settings",
        str(SAMPLES / "settings.json"),
        "--today",
        TODAY.isoformat(),
        "--no-config",
        "--output",
        "json",
        env=env,
    )
    assert checked.returncode == 0, checked.stderr
    results = json.loads(checked.stdout)["results"]
    assert [(r["version"], r["decision"]) for r in results] == [
        ("3.0", "route"),
        ("2.7.2", "route"),
    ]
    assert "XSD validation was skipped" not in checked.stdout + checked.stderr
    assert all(r["reasons"] == [] for r in results)
