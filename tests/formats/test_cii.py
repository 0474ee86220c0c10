"""UN/CEFACT CII D16B: detection, adaptation, rules, schemas.

Expected values are literals read from the XML files by hand, never computed by the adapter.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from formats.cases import DATA, PIRKAN_KONE
from helpers import SAMPLES, TODAY, adapt_as, charge, fields, local, party, row
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings
from kassavirta.formats.schemas import SchemaStore
from kassavirta.model import LEGAL_REGISTRATION, PARTNER_ASSIGNED

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
EN16931 = "urn:cen.eu:en16931:2017"
D = Decimal
FI: dict[str, Any] = {"country": "FI", "po_box": None}


def test_sample_every_field() -> None:
    invoice = adapt_as(SAMPLES / "route" / "cii.xml", "cii")
    assert fields(invoice) == {
        "format": "cii",
        "version": EN16931,
        "type_code": "380",
        "number": "KKP-26-1207",
        "issue_date": date(2026, 11, 20),
        "due_date": date(2026, 12, 15),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("4422.62"),
        "total_vat_excluded": D("3524.00"),
        "total_vat": D("898.62"),
        "rounding": None,
        "paid_amount": None,
        "rows": [
            row(1, "Ravintolatuoli, tammi", "12", "C62", "146.00", "25.5", "446.76", "1752.00"),
            row(2, "Pöytä 80x80, tammi", "4", "C62", "388.00", "25.5", "395.76", "1552.00"),
            row(3, "Kuljetus ja asennus", "1", "C62", "220.00", "25.5", "56.10", "220.00"),
        ],
        "rows_adjustment": D("0.00"),
        "charges": [],
        "vat_lines": [{"percent": D("25.5"), "base": D("3524.00"), "amount": D("898.62")}],
        "seller": party(
            "Karjalan Kalustepaja Oy",
            "2702543-5",
            "FI27025435",
            ["Torikatu 30"],
            "Joensuu",
            "80100",
            scheme="0212",
        ),
        "seller_accounts": [],
        "buyer": party(
            "Lapin Matkailupalvelut Oy",
            "2540092-4",
            "FI25400924",
            ["Koskikatu 25"],
            "Rovaniemi",
            "96100",
            scheme="0212",
        ),
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "FI5647097686335382",
            "iban_scheme": "IBAN",
            "bic": "POPFFI22",
            "beneficiary": None,
            "reference": "2612072",
            "reference_scheme": None,
            "amount": D("4422.62"),
            "due_date": date(2026, 12, 15),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "21 päivää netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    where = invoice.locations
    assert (where["number"].line, where["number"].xpath) == (
        12,
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID",
    )
    assert where["issue_date"].line == 15
    assert where["buyer.address.postcode"].line == 129
    assert where["payment.iban"].line == 152
    assert where["total"].line == 175
    assert where["rows.2.vat_excluded"].line == 70


def test_xrechnung_every_field() -> None:
    invoice = adapt_as(DATA / "cii-xrechnung.xml", "cii")
    assert fields(invoice) == {
        "format": "cii",
        "version": "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
        "type_code": "380",
        "number": "PK-2026-7705",
        "issue_date": date(2026, 11, 24),
        "due_date": date(2026, 12, 18),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        # GrandTotalAmount 699.88 + RoundingAmount 0.02.
        "total": D("699.90"),
        "total_vat_excluded": D("565.00"),
        "total_vat": D("134.88"),
        "rounding": D("0.02"),
        "paid_amount": D("199.88"),
        # Line 1.1 has ParentLineID 1: a detail of line 1, not a row of its own.
        "rows": [
            row(1, "Servicearbete", "10", "HUR", "50.00", "25.5", "127.50", "500.00"),
            row(2, "Kaffeservering", "4", "C62", "20.00", "14", "11.20", "80.00"),
        ],
        # Each at 25.5 %: allowance 25.00 (VAT 6.375 → 6.38), charge 10.00 (VAT 2.55).
        "charges": [
            charge("Avtalsrabatt", "25.00", "25.5", "6.38", allowance=True),
            charge("Frakt", "10.00", "25.5", "2.55"),
        ],
        # tax 134.88 − line VAT (127.50 + 11.20) − charge VAT (2.55 − 6.38): the file's
        # tax, computed per rate, is a cent above the VAT computed per line.
        "rows_adjustment": D("0.01"),
        "vat_lines": [
            {"percent": D("25.5"), "base": D("485.00"), "amount": D("123.68")},
            {"percent": D("14"), "base": D("80.00"), "amount": D("11.20")},
        ],
        # SpecifiedLegalOrganization/ID schemeID="0216" 003715728600: the OVT code of 1572860-0.
        "seller": {**PIRKAN_KONE, "business_id_scheme": "0216"},
        "seller_accounts": [],
        "buyer": party(
            "Vasa Verkstad Ab",
            "2464491-9",
            "FI24644919",
            ["Hovrättsesplanaden 12", "Port 3"],
            "Vasa",
            "65100",
            scheme="0212",
        ),
        "recipient": {
            "name": "Vasa Verkstad Ab, reskontra",
            "business_id": None,
            "business_id_scheme": None,
            "vat_code": None,
            "address": {"streets": ["PB 44"], "town": "Vasa", "postcode": "65101", **FI},
        },
        "language": "sv",
        "payment": {
            "iban": "FI4950009420028730",
            "iban_scheme": "IBAN",
            "bic": "OKOYFIHH",
            "beneficiary": "Pirkan Kone Oy",
            "reference": "20263115",
            "reference_scheme": None,
            "amount": D("500.02"),
            "due_date": date(2026, 12, 18),
            "instruction_id": None,
        },
        "penalty_interest_percent": D("8.00"),
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": "14 dagar netto",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    assert invoice.locations["penalty_interest"].line == 206
    assert invoice.locations["recipient.name"].line == 144


def test_reference_business_example_every_field(reference: Path) -> None:
    invoice = adapt_as(
        reference / "samples" / "other" / "cii_en16931_CII_business_example_01.xml", "cii"
    )
    no = {"country": "NO", "po_box": None}
    assert fields(invoice) == {
        "format": "cii",
        "version": EN16931,
        "type_code": "380",
        "number": "TOSL108",
        "issue_date": date(2013, 6, 30),
        "due_date": date(2013, 7, 20),
        "terms_due_date": None,
        "currency": "NOK",
        "currencies": ["NOK"],
        "total": D("1801.78"),
        "total_vat_excluded": D("1436.5"),
        "total_vat": D("365.28"),
        "rounding": None,
        "paid_amount": D("1000"),
        "rows": [
            row(1, "Laptop computer", "1", "NAR", "1273", "25", "318.25", "1273"),
            row(
                2, 'Returned "Advanced computing" book', "-1", "NAR", "3.96", "15", "-0.59", "-3.96"
            ),
            row(3, '"Computing for dummies" book', "2", "NAR", "2.48", "15", "0.74", "4.96"),
            row(4, "Returned IBM 5150 desktop", "-1", "NAR", "25", "0", "0", "-25"),
            row(5, "Network cable", "250", "MTR", "0.75", "25", "46.88", "187.5"),
        ],
        "charges": [
            charge("Promotion discount", "100", "25", "25.00", allowance=True),
            charge("Freight", "100", "25", "25.00"),
        ],
        # tax 365.28 − line VAT 365.28 − charge VAT (25.00 − 25.00)
        "rows_adjustment": D("0.00"),
        "vat_lines": [
            {"percent": D("25"), "base": D("1460.5"), "amount": D("365.13")},
            {"percent": D("15"), "base": D("1"), "amount": D("0.15")},
            {"percent": D("0"), "base": D("-25"), "amount": D("0")},
        ],
        "seller": {
            "name": "Salescompany ltd.",
            "business_id": "123456789",
            "business_id_scheme": LEGAL_REGISTRATION,
            "vat_code": "NO123456789MVA",
            "address": {
                "streets": ["Main street 34", "Suite 123"],
                "town": "Big city",
                "postcode": "303",
                **no,
            },
        },
        # The second payment means repeats the first account (without a BIC).
        "seller_accounts": [{"account": "NO9386011117947", "scheme": "IBAN", "bic": None}],
        "buyer": {
            "name": "The Buyercompany",
            "business_id": "987654321",
            "business_id_scheme": LEGAL_REGISTRATION,
            "vat_code": "NO987654321MVA",
            "address": {
                "streets": ["Anystreet 8", "Back door"],
                "town": "Anytown",
                "postcode": "101",
                **no,
            },
        },
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "NO9386011117947",
            "iban_scheme": "IBAN",
            "bic": "DNBANOKK",
            "beneficiary": "Ebeneser Scrooge AS",
            "reference": "0003434323213231",
            "reference_scheme": None,
            "amount": D("801.78"),
            "due_date": date(2013, 7, 20),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": "2 % discount if paid within 2 days\nPenalty percentage 10% from due date",
        "payment_terms_text": "2 % discount if paid within 2 days\nPenalty percentage 10% from due date",
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    assert invoice.locations["total"].line == 478
    assert invoice.locations["payment.beneficiary"].line == 389


EXAMPLE1_ROWS = [
    ("PATAT FRITES 10MM 10KG", "2", "9.95", "6", "19.9"),
    ("KAAS 50PL. JONG BEL. 1KG", "1", "9.85", "6", "9.85"),
    ("POT KETCHUP 3 LT", "1", "8.29", "6", "8.29"),
    ("FRITESSAUS 3 LRR", "2", "7.23", "6", "14.46"),
    ("KOFFIE BLIK 3,5KG SNELF", "1", "35", "6", "35"),
    ("KOFFIE 3.5 KG BLIK STAND", "1", "35", "6", "35"),
    ("SUIKERKLONT", "1", "10.65", "6", "10.65"),
    ("1 KG UL BLOKJES", "1", "1.55", "6", "1.55"),
    ("BLOCKNOTE A5", "3", "4.79", "6", "14.37"),
    ("CHIPS NAT KLEIN ZAKJES", "1", "8.29", "6", "8.29"),
    ("CHIPS PAP KLEINE ZAKJES", "2", "8.29", "6", "16.58"),
    ("TR KL PAKJES APPELSAP", "1", "9.95", "6", "9.95"),
    ("PK CHOCOLADEMELK", "2", "1.65", "6", "3.3"),
    ("KRAT BIER", "1", "10.8", "21", "10.8"),
    ("STATIEGELD", "1", "3.9", "6", "3.9"),
    ("BLEEK 3 X 750 ML", "2", "3.8", "21", "7.6"),
    ("WC PAPIER", "2", "4.67", "21", "9.34"),
    ("BALPENNEN 50 ST BLAUW", "1", "18.63", "21", "18.63"),
    ("EM FRITUURVET", "6", "17.02", "6", "102.12"),
    ("FRITUUR VET 10 KG RETOUR", "6", "18.33", "6", "-109.98"),
]
"""(name, quantity, net price, VAT %, line net) of the 20 lines, unit H87 throughout."""


def test_reference_example1_every_field(reference: Path) -> None:
    invoice = adapt_as(reference / "samples" / "other" / "cii_en16931_CII_example1.xml", "cii")
    data = fields(invoice)
    rows = data.pop("rows")
    assert [
        (
            r["article"],
            r["quantity"],
            r["unit"],
            r["unit_price"],
            r["vat_percent"],
            r["vat_excluded"],
        )
        for r in rows
    ] == [(a, D(q), "H87", D(p), D(v), D(n)) for a, q, p, v, n in EXAMPLE1_ROWS]
    assert [r["index"] for r in rows] == list(range(1, 21))
    assert all(r["amount"] is None for r in rows)
    assert (rows[0]["vat_amount"], rows[13]["vat_amount"], rows[19]["vat_amount"]) == (
        D("1.19"),  # 19.9 × 6 %
        D("2.27"),  # 10.8 × 21 %
        D("-6.60"),  # −109.98 × 6 %
    )
    nl = {"country": "NL", "po_box": None}
    assert data == {
        "format": "cii",
        "version": EN16931,
        "type_code": "380",
        "number": "12115118",
        "issue_date": date(2015, 1, 9),
        "due_date": date(2015, 1, 9),
        "terms_due_date": None,
        "currency": "EUR",
        "currencies": ["EUR"],
        "total": D("250.33"),
        "total_vat_excluded": D("229.6"),
        "total_vat": D("20.73"),
        "rounding": None,
        "paid_amount": None,
        "rows_adjustment": D("0.00"),
        "charges": [],
        "vat_lines": [
            {"percent": D("6"), "base": D("183.23"), "amount": D("10.99")},
            {"percent": D("21"), "base": D("46.37"), "amount": D("9.74")},
        ],
        "seller": {
            "name": "De Koksmaat",
            "business_id": "57151520",
            "business_id_scheme": LEGAL_REGISTRATION,
            "vat_code": "NL8200.98.395.B.01",
            "address": {
                "streets": ["Postbus 7l"],
                "town": "Velsen-Noord",
                "postcode": "1950 AB",
                **nl,
            },
        },
        "seller_accounts": [{"account": "NL57 RABO 0107307510", "scheme": "IBAN", "bic": None}],
        "buyer": {
            "name": "ODIN 59",
            "business_id": "10202",
            "business_id_scheme": PARTNER_ASSIGNED,
            "vat_code": None,
            "address": {
                "streets": ["POSTBUS 367"],
                "town": "HEEMSKERK",
                "postcode": "1960 AJ",
                **nl,
            },
        },
        "recipient": None,
        "language": None,
        "payment": {
            "iban": "NL57 RABO 0107307510",
            "iban_scheme": "IBAN",
            "bic": None,
            "beneficiary": None,
            "reference": "Deb. 10202 / Fact. 12115118",
            "reference_scheme": None,
            "amount": D("250.33"),
            "due_date": date(2015, 1, 9),
            "instruction_id": None,
        },
        "penalty_interest_percent": None,
        "penalty_fixed_amount": None,
        "interest_in_free_text": None,
        "payment_terms_text": None,
        "credit_note": False,
        "credited_invoice": None,
        "channel": "b2b",
        "channel_signals": [],
    }
    assert invoice.rows_total + (invoice.rows_adjustment or 0) == invoice.total


def test_reference_examples_decide(reference: Path, settings: Settings) -> None:
    other = reference / "samples" / "other"
    nok = check_file(other / "cii_en16931_CII_business_example_01.xml", settings, TODAY)
    assert (nok.decision.value, nok.reasons) == ("bypass", ["non-eur"])
    old = check_file(other / "cii_en16931_CII_example1.xml", settings, TODAY)
    assert (old.decision.value, old.reasons) == ("error", ["due-date-too-soon"])


# --- the send errors, each triggered and passed -----------------------------------------------


def test_sub_lines_are_not_rows(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    # The sum rule itself is in test_every_format.py (the XRechnung's allowances and charges).
    sample = DATA / "cii-xrechnung.xml"
    sub_line = "(" + local("IncludedSupplyChainTradeLineItem") + ")[2]" + local("LineTotalAmount")
    # The sub-line's amount is not a row: changing it changes nothing.
    assert check_bytes(variant(sample, (sub_line, "text", "999.00")), settings, TODAY).reasons == []


# --- reading details -------------------------------------------------------------------------


def test_credit_note_type_code(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "cii.xml",
        (local("ExchangedDocument") + "/*[local-name()='TypeCode']", "text", "381"),
        (local("SpecifiedTradePaymentTerms", "DueDateDateTime"), "remove", None),
    )
    invoice = adapt_as(data, "cii")
    assert (invoice.credit_note, invoice.is_credit_note, invoice.due_date) == (True, True, None)


def test_only_date_format_102_is_read(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "cii.xml",
        (local("IssueDateTime", "DateTimeString"), "attr:format", "610"),
    )
    result = check_bytes(data, None, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert "'610' is not 102" in result.findings[0].message


def test_penalty_interest_only_in_free_text_warns(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    sample = DATA / "cii-xrechnung.xml"
    assert "interest-not-in-xml" not in {
        f.rule for f in check_file(sample, settings, TODAY).findings
    }
    data = variant(
        sample,
        (local("ApplicableTradePaymentPenaltyTerms"), "remove", None),
        (
            local("SpecifiedTradePaymentTerms", "Description"),
            "text",
            "14 dagar netto, dröjsmålsränta 8 %",
        ),
    )
    assert "interest-not-in-xml" in {f.rule for f in check_bytes(data, settings, TODAY).findings}


def test_mixed_currencies_are_unreadable(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "cii.xml", (local("TaxTotalAmount"), "attr:currencyID", "SEK")
    )
    result = check_bytes(data, None, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    assert "EUR, SEK" in result.findings[0].message


def test_buyer_without_identifiers_is_a_consumer(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "cii.xml",
        (local("BuyerTradeParty", "SpecifiedLegalOrganization"), "remove", None),
        (local("BuyerTradeParty", "SpecifiedTaxRegistration"), "remove", None),
    )
    invoice = adapt_as(data, "cii")
    assert (invoice.channel, invoice.channel_signals) == (
        "b2c-other",
        ["buyer has no business identifier"],
    )


def test_missing_grand_total_is_unreadable(variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(SAMPLES / "route" / "cii.xml", (local("GrandTotalAmount"), "remove", None))
    result = check_bytes(data, None, TODAY)
    assert result.reasons == ["unreadable-field"]
    assert "GrandTotalAmount" in result.findings[0].message


# --- schema validation hook -----------------------------------------------------------------

CII_SCHEMA = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{ns}"
    elementFormDefault="qualified">
  <xs:element name="CrossIndustryInvoice">
    <xs:complexType>
      <xs:sequence>
        <xs:any namespace="##any" processContents="skip" minOccurs="0" maxOccurs="{max}"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""
"""A stand-in for the UN/CEFACT schema (not ours to ship); `max` bounds the children."""


@pytest.mark.parametrize(
    ("max_children", "decision", "check"), [("unbounded", "route", "valid"), ("2", "invalid", None)]
)
def test_cii_schema_one_folder_down(
    tmp_path: Path, settings: Settings, max_children: str, decision: str, check: str | None
) -> None:
    path = tmp_path / "D16B" / "CrossIndustryInvoice_100pD16B.xsd"
    path.parent.mkdir()
    path.write_text(CII_SCHEMA.format(ns=RSM, max=max_children))
    assert SchemaStore([tmp_path]).find("cii") == path
    result = check_file(SAMPLES / "route" / "cii.xml", settings, TODAY, schemas=tmp_path)
    assert result.decision.value == decision
    if check is not None:
        assert result.schema_check == check
    else:
        assert result.reasons == ["schema"]
