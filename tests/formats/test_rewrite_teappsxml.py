"""The TEAPPSXML rewrite: changed fields, the untouched rest byte for byte, determinism,
idempotence, the variants of where the payment blocks are, and the console script."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from formats.cases import DATA
from helpers import SAMPLES, SERVICE, adapt_as, changed_lines, rewrite_with
from kassavirta.config.settings import Settings

INVOICE = "/INVOICE_CENTER/CONTENT_FRAME/INVOICES/INVOICE"
EXAMPLE = "samples/other/teappsxml_2.7.2_D.20180608082717.90430823.xml"


def test_sample_changes_and_untouched_rest(settings: Settings) -> None:
    source = (SAMPLES / "route" / "teappsxml.xml").read_bytes()
    result = rewrite_with(source, settings)
    assert result.rewritten and result.format == "teappsxml"
    plan = result.plans[0]
    assert [(c.xpath, c.field, c.old, c.new) for c in result.changes] == [
        (
            f"{INVOICE}/HEADER/DETAILS_OF_PAYMENT/FI_PAYMENT_REFERENCE",
            "payment.reference",
            "6602172",
            plan.reference,
        ),
        (f"{INVOICE}/HEADER/FREE_TEXT", "factoring.clause", None, plan.clause.text),
        (
            f"{INVOICE}/PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME",
            "payment.beneficiary",
            "Satakunnan Sähköasennus Oy",
            SERVICE.payee,
        ),
        (f"{INVOICE}/PAYEE/BANKS/SWIFT_CODE", "payment.bic", "ITELFIHH", SERVICE.bic),
        (
            f"{INVOICE}/PAYEE/BANKS/IBAN_ACCOUNT_NUMBER",
            "payment.iban",
            "FI0342461408316002",
            SERVICE.iban,
        ),
    ]
    # Only those lines differ; the clause lines follow the header's FREE_TEXT (line 59).
    gone, added = changed_lines(source.decode("utf-8"), result.data.decode("utf-8"))
    assert gone == [53, 63, 78, 79]
    assert added == [
        f"            <FI_PAYMENT_REFERENCE>{plan.reference}</FI_PAYMENT_REFERENCE>",
        *(f"          <FREE_TEXT>{line}</FREE_TEXT>" for line in plan.clause.lines),
        f"            <CUSTOMER_NAME>{SERVICE.payee}</CUSTOMER_NAME>",
        f"            <SWIFT_CODE>{SERVICE.bic}</SWIFT_CODE>",
        f"            <IBAN_ACCOUNT_NUMBER>{SERVICE.iban}</IBAN_ACCOUNT_NUMBER>",
    ]
    lines = result.data.decode("utf-8").splitlines()
    assert lines[58] == "          <FREE_TEXT>Sähkötyöt tehty 10.-18.11.2026.</FREE_TEXT>"
    assert all(len(line) <= 70 for line in plan.clause.lines)
    # Everything before the first change is the same bytes, declaration and comment included.
    first = source.index(b"<FI_PAYMENT_REFERENCE>")
    assert result.data[:first] == source[:first]
    assert any("seller name changes too" in n for n in result.notes)
    assert not any("stand-in" in n for n in result.notes)  # TEAPPSXML carries no agreement id


def test_rewritten_invoice_reads_back_routes_and_is_idempotent(settings: Settings) -> None:
    source = (SAMPLES / "route" / "teappsxml.xml").read_bytes()
    result = rewrite_with(source, settings)
    invoice = adapt_as(result.data, "teappsxml")
    assert invoice.seller_accounts == []
    # The seller keeps its identifiers and address; only the name in PAYEE is the service's.
    assert (invoice.seller.business_id, invoice.seller.vat_code) == ("2673112-7", "FI26731127")
    assert invoice.seller.address is not None and invoice.seller.address.town == "Pori"
    assert (invoice.number, invoice.total, invoice.due_date) == (
        "660217",
        result.originals[0].total,
        date(2026, 12, 15),
    )


def test_iso_8859_1_tabs_further_accounts_and_reference_in_payee(settings: Settings) -> None:
    source = (DATA / "teappsxml-2.7.2.xml").read_bytes()
    result = rewrite_with(source, settings)
    plan = result.plans[0]
    assert [(c.xpath, c.field, c.old, c.new) for c in result.changes] == [
        (f"{INVOICE}/HEADER/FREE_TEXT", "factoring.clause", None, plan.clause.text),
        (
            f"{INVOICE}/PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME",
            "payment.beneficiary",
            "Pirkan Kone Oy",
            SERVICE.payee,
        ),
        (f"{INVOICE}/PAYEE/BANKS[1]/SWIFT_CODE", "payment.bic", "OKOYFIHH", SERVICE.bic),
        (
            f"{INVOICE}/PAYEE/BANKS[1]/IBAN_ACCOUNT_NUMBER",
            "payment.iban",
            "FI4950009420028730",
            SERVICE.iban,
        ),
        (f"{INVOICE}/PAYEE/BANKS[2]", "seller_accounts", "FI7944052020036082", None),
        (
            f"{INVOICE}/PAYEE/DETAILS_OF_PAYMENT/FI_PAYMENT_REFERENCE",
            "payment.reference",
            "7704011",
            plan.reference,
        ),
    ]
    # Still ISO-8859-1 (the clause's ä is one byte), still tab-indented.
    assert result.data.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    text = result.data.decode("iso-8859-1")
    assert f"\t\t\t\t\t<FREE_TEXT>{plan.clause.lines[0]}</FREE_TEXT>\n" in text
    assert b"T\xe4m\xe4 saatava" in result.data
    assert b"FI7944052020036082" not in result.data and b"ITELFIHH" not in result.data
    gone, _ = changed_lines(source.decode("iso-8859-1"), text)
    assert gone == [60, 71, 72, 73, 74, 75, 76, 80]  # name, both BANKS, reference
    assert any("further PAYEE/BANKS" in n for n in result.notes)


def test_rf_reference_goes_to_ipi_reference(settings: Settings) -> None:
    source = (DATA / "teappsxml-2.7.2.xml").read_bytes()
    result = rewrite_with(source, settings, rf=True)
    plan = result.plans[0]
    assert plan.reference.startswith("RF")
    [change] = [c for c in result.changes if c.field == "payment.reference"]
    assert (change.xpath, change.old, change.new) == (
        f"{INVOICE}/PAYEE/DETAILS_OF_PAYMENT/IPI_REFERENCE",
        "7704011",
        plan.reference,
    )
    details = etree.fromstring(result.data).find(".//DETAILS_OF_PAYMENT")
    assert details is not None
    assert [(c.tag, c.text) for c in details] == [("IPI_REFERENCE", plan.reference)]
    assert adapt_as(result.data, "teappsxml").payment.reference == plan.reference
    # Back to a national reference: the RF one gives way in its place.
    national = rewrite_with(result.data, settings)
    details = etree.fromstring(national.data).find(".//DETAILS_OF_PAYMENT")
    assert details is not None
    assert [(c.tag, c.text) for c in details] == [
        ("FI_PAYMENT_REFERENCE", national.plans[0].reference)
    ]


def test_domestic_account_without_bic_becomes_iban_and_bic(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "teappsxml.xml",
        ("//PAYEE/BANKS/SWIFT_CODE", "remove", None),
        ("//PAYEE/BANKS/IBAN_ACCOUNT_NUMBER", "remove", None),
        ("//PAYEE/BANKS", "append:BANK_ACCOUNT_NUMBER", "424614-0831600"),
    )
    result = rewrite_with(data, settings)
    banks = etree.fromstring(result.data).find(".//PAYEE/BANKS")
    assert banks is not None
    assert [(c.tag, c.text) for c in banks] == [
        ("SWIFT_CODE", SERVICE.bic),
        ("IBAN_ACCOUNT_NUMBER", SERVICE.iban),
    ]
    assert [(c.field, c.old, c.new) for c in result.changes if c.field.startswith("payment.")][
        -2:
    ] == [("payment.bic", None, SERVICE.bic), ("payment.iban", "424614-0831600", SERVICE.iban)]
    assert rewrite_with(result.data, settings).changes == []


def test_missing_blocks_are_added_where_the_example_puts_them(settings: Settings, variant) -> None:  # type: ignore[no-untyped-def]
    data = variant(
        SAMPLES / "route" / "teappsxml.xml",
        ("//PAYEE/BANKS", "remove", None),
        ("//HEADER/DETAILS_OF_PAYMENT", "remove", None),
        ("//HEADER/FREE_TEXT", "remove", None),
    )
    result = rewrite_with(data, settings)
    invoice = etree.fromstring(result.data).find("CONTENT_FRAME/INVOICES/INVOICE")
    assert invoice is not None
    header = [c.tag for c in invoice.find("HEADER")]  # type: ignore[union-attr]
    clause = len(result.plans[0].clause.lines)
    assert header == [
        "INVOICE_ID",
        "PROCESS_CODE",
        "INVOICE_TYPE",
        "INVOICE_DATE",
        "DUE_DATE",
        "TERMS_OF_PAYMENT",
        "DETAILS_OF_PAYMENT",
        "CURRENCY",
        "ORDER_REFERENCE",
        *["FREE_TEXT"] * clause,
    ]
    assert [c.tag for c in invoice.find("PAYEE")] == [  # type: ignore[union-attr]
        "CUSTOMER_INFORMATION",
        "BANKS",
        "NET_SERVICE_ID",
    ]
    read = adapt_as(result.data, "teappsxml")
    assert (read.payment.iban, read.payment.bic, read.payment.reference) == (
        SERVICE.iban,
        SERVICE.bic,
        result.plans[0].reference,
    )
    assert [c.old for c in result.changes] == [None, None, "Satakunnan Sähköasennus Oy", None, None]
    assert rewrite_with(result.data, settings).data == result.data


def test_the_example_written_by_others(reference: Path, settings: Settings) -> None:
    source = (reference / EXAMPLE).read_bytes()
    # Routed on the day it was written (its due date is 2018-07-07).
    result = rewrite_with(source, settings, today=date(2018, 6, 8))
    assert result.rewritten
    plan = result.plans[0]
    assert [(c.xpath, c.old) for c in result.changes] == [
        (f"{INVOICE}/HEADER/DETAILS_OF_PAYMENT/FI_PAYMENT_REFERENCE", None),
        (f"{INVOICE}/HEADER/FREE_TEXT", None),
        (
            f"{INVOICE}/PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME",
            "InExchange Factorum Oy - Demo",
        ),
        (f"{INVOICE}/PAYEE/BANKS/SWIFT_CODE", "HELSFIHH"),
        (f"{INVOICE}/PAYEE/BANKS/IBAN_ACCOUNT_NUMBER", "FI0540550011557432"),
    ]
    gone, added = changed_lines(source.decode("iso-8859-1"), result.data.decode("iso-8859-1"))
    assert gone == [66, 80, 81]
    assert added[:3] == [
        "\t\t\t\t\t<DETAILS_OF_PAYMENT>",
        f"\t\t\t\t\t\t<FI_PAYMENT_REFERENCE>{plan.reference}</FI_PAYMENT_REFERENCE>",
        "\t\t\t\t\t</DETAILS_OF_PAYMENT>",
    ]
    assert rewrite_with(result.data, settings, today=date(2018, 6, 8)).changes == []


# --------------------------------------------------------------------------- console script


def test_cli_rewrite_diff_and_preview(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pypdf = pytest.importorskip("pypdf")
    sample = str(SAMPLES / "route" / "teappsxml.xml")
    args = ("--settings", str(SAMPLES / "settings.json"), "--today", "2026-12-01", "--no-config")
    out = tmp_path / "out.xml"
    done = cli("rewrite", sample, *args, "--diff", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert (
        f"{INVOICE}/PAYEE/BANKS/IBAN_ACCOUNT_NUMBER: FI0342461408316002 → {SERVICE.iban}"
        in done.stdout.splitlines()
    )
    assert f"{INVOICE}/PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME: " in done.stdout
    assert adapt_as(out.read_bytes(), "teappsxml").payment.iban == SERVICE.iban

    pdf = tmp_path / "x.pdf"
    shown = cli("preview", sample, *args, "-o", str(pdf))
    assert shown.returncode == 0, shown.stderr
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "FI55 1572 5137 7904 45" in text and SERVICE.bic in text and "velkojalle" in text
    assert "25 pv netto" in text and "12 h" in text and "10 kpl" in text
