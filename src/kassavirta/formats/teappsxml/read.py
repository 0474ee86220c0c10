"""TEAPPSXML 2.7.x and 3.0 (`INVOICE_CENTER`, TietoEVRY) → the normalised invoice.

One `INVOICE_CENTER` is a batch: a transport frame, a content frame, and the
invoices under `CONTENT_FRAME/INVOICES/INVOICE`. The element names the toolkit
reads are the same in 2.7.x and 3.0; `CONTENT_FRAME/BLOCK_RULES/FORMAT_VERSION`
says which one a file is.

Amounts are `AMOUNT` elements whose `SIGN` attribute (`+`/`-`) carries the sign
and whose `VAT` attribute says whether VAT is `INCLUDED` or `EXCLUDED`; the
number itself is unsigned, with a decimal point (a decimal comma is read too).
Dates are `DATE` blocks of `DAY`, `MONTH`, `CENTURY` and `DECADE_AND_YEAR`.

**The sum rule.** TEAPPSXML rows carry their total both with and without VAT
(`ROW_TOTAL/AMOUNT[@VAT='INCLUDED']` and `[@VAT='EXCLUDED']`), so the rule is
Finvoice's: Σ rows' VAT-included totals (else VAT-excluded + row VAT, else + VAT
at the row's rate) + `SUMMARY/CHARGES` − `SUMMARY/DISCOUNT` (each with its VAT)
+ `SUMMARY/ROUNDINGS` against `SUMMARY/INVOICE_TOTAL/AMOUNT[@VAT='INCLUDED']`.
Only the rows the invoice's own totals count are counted: a row with a
`ROW_TYPE` (MAIN, SPECIFICATION, SUBTOTAL, INFO) is shown but not summed
(`paths.UNCOUNTED_ROW_TYPES`). A credit note is an invoice whose total has
`SIGN="-"`; every amount keeps the sign it is written with.

Not read: the language code (`CUSTOMER_INFORMATION/LANGUAGE_CODE` in the
schemas, whose codes they do not describe; reminders then default to Finnish)
and an amount already paid. The amount to pay is `EpiDetails`' `EpiInstructedAmount`,
else the amount the bank barcode carries.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.finnish.barcode import parse_virtual_barcode
from kassavirta.formats.en16931 import (
    FoundAccount,
    b2b_or_other,
    finnish_business_id,
    iban_or_bban,
    interest_text,
    split_accounts,
)
from kassavirta.formats.teappsxml import paths
from kassavirta.formats.teappsxml.paths import FORMAT_VERSION, INVOICE, OVERDUE_FINE_RATE
from kassavirta.formats.xml import Fields, check_currencies, missing, streets, text_of
from kassavirta.model import (
    Account,
    Address,
    DocumentCharge,
    Invoice,
    Party,
    Payment,
    Row,
    VatLine,
)
from kassavirta.pipeline.read import Document

_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_ROUNDING = re.compile(r"[+-]?[0-9]*\.?[0-9]+")


def _amount_of(f: Fields, element: etree._Element) -> Decimal:
    """An unsigned TEAPPSXML number, signed by its `SIGN` attribute."""
    raw = (element.text or "").strip()
    if "," in raw and "." in raw:
        raise f.fail(element, f"{raw!r} mixes a decimal point and a comma")
    number = raw.replace(",", ".")
    if not _NUMBER.fullmatch(number):
        raise f.fail(element, f"{raw!r} is not an amount")
    value = Decimal(number)
    sign = (element.get("SIGN") or "+").strip()
    if sign not in ("+", "-"):
        raise f.fail(element, f"SIGN {sign!r} is neither + nor -")
    return -value if sign == "-" else value


def _amount(f: Fields, key: str | None, expr: str, base: etree._Element | None) -> Decimal | None:
    element = None if base is None else f.filled(key, expr, base)
    return None if element is None else _amount_of(f, element)


def _date(f: Fields, key: str, expr: str, base: etree._Element) -> date | None:
    """A `DATE` block (DAY, MONTH, CENTURY, DECADE_AND_YEAR) under `expr`."""
    element = f.element(key, f"{expr}/DATE", base)
    if element is None:
        return None
    parts = [
        (element.findtext(tag) or "").strip()
        for tag in ("DAY", "MONTH", "CENTURY", "DECADE_AND_YEAR")
    ]
    if not any(parts):
        return f.date_of(element, compact=True) if text_of(element) else None
    day, month, century, year = parts
    if not all(p.isdigit() for p in parts):
        raise f.fail(
            element, f"{'.'.join(parts)!r} is not a date (DAY.MONTH.CENTURY.DECADE_AND_YEAR)"
        )
    try:
        return date(int(century) * 100 + int(year), int(month), int(day))
    except ValueError as exc:
        raise f.fail(element, f"{day}.{month}.{century}{year} is not a real calendar date") from exc


def _address(f: Fields, key: str, info: etree._Element) -> Address | None:
    block = f.element(f"{key}.address", "ADDRESS", info)
    if block is None:
        return None
    lines = [
        e
        for tag in ("STREET_ADDRESS1", "STREET_ADDRESS2", "STREET_ADDRESS3")
        for e in f.findall(tag, block)
    ]
    return Address(
        streets=streets(f, key, lines),
        town=f.text(f"{key}.address.town", "POST_OFFICE", block),
        postcode=f.text(f"{key}.address.postcode", "POSTAL_CODE", block),
        country=f.text(f"{key}.address.country", "COUNTRY_CODE", block),
    )


def _business_id(f: Fields, key: str, block: etree._Element, info: etree._Element) -> str | None:
    """ORGANIZATION_NUMBER, else PARTY_IDENTIFICATION_ID, else an OVT e-invoice address."""
    for element in (f.find("ORGANIZATION_NUMBER", info), f.find("PARTY_IDENTIFICATION_ID", info)):
        value = text_of(element)
        if value and element is not None:
            f.note(f"{key}.business_id", element)
            return finnish_business_id(value)
    # The party's e-invoice address is an OVT code (0037 + Y-tunnus) for a Finnish company.
    address = f.find("NET_SERVICE_ID", block)
    value = text_of(address)
    normalised = finnish_business_id(value)
    if address is not None and value and normalised != value:
        f.note(f"{key}.business_id", address)
        return normalised
    return None


def _party(f: Fields, key: str, expr: str, invoice: etree._Element) -> Party | None:
    block = f.element(key, expr, invoice)
    if block is None:
        return None
    info = f.find("CUSTOMER_INFORMATION", block)
    if info is None:
        return Party()
    return Party(
        name=f.text(f"{key}.name", "CUSTOMER_NAME", info),
        business_id=_business_id(f, key, block, info),
        vat_code=f.text(f"{key}.vat_code", "VAT_NUMBER", info),
        address=_address(f, key, info),
    )


def _rows(f: Fields, invoice: etree._Element) -> list[Row]:
    rows: list[Row] = []
    for position, row in f.each(f.findall("ROWS/ROW", invoice)):
        key = f"rows.{position}"
        f.note(key, row)
        quantity_el = f.element(f"{key}.quantity", "QUANTITY/CHARGED", row)
        vat_amount = _amount(f, f"{key}.vat_amount", "VAT/VAT_AMOUNT/AMOUNT", row)
        if vat_amount is None:
            vat_amount = _amount(f, f"{key}.vat_amount", "VAT/AMOUNT", row)
        rows.append(
            Row(
                index=position,
                article=f.text(None, "ARTICLE/ARTICLE_NAME", row),
                quantity=_amount_of(f, quantity_el)
                if quantity_el is not None and text_of(quantity_el)
                else None,
                unit=quantity_el.get("Q_UNIT") if quantity_el is not None else None,
                unit_price=_amount(f, f"{key}.unit_price", "PRICE_PER_UNIT/AMOUNT", row),
                vat_percent=_amount(f, f"{key}.vat_percent", "VAT/RATE", row),
                vat_amount=vat_amount,
                vat_excluded=_amount(
                    f, f"{key}.vat_excluded", "ROW_TOTAL/AMOUNT[@VAT='EXCLUDED']", row
                ),
                amount=_amount(f, f"{key}.amount", "ROW_TOTAL/AMOUNT[@VAT='INCLUDED']", row),
                counted=(row.get(paths.ROW_TYPE) or "").strip().upper()
                not in paths.UNCOUNTED_ROW_TYPES,
            )
        )
    return rows


def _charges(f: Fields, summary: etree._Element | None) -> list[DocumentCharge]:
    """`SUMMARY/DISCOUNT` (allowances) and `SUMMARY/CHARGES`, in document order.

    Each amount is read with the sign it is written with (so on a credit note, where
    every amount is negative, an allowance still reduces what is credited).
    """
    found: list[DocumentCharge] = []
    if summary is None:
        return found
    for block in summary.iterchildren("DISCOUNT", "CHARGES"):
        n = len(found) + 1
        f.note(f"charges.{n}", block)
        allowance = block.tag == "DISCOUNT"
        amount = paths.DISCOUNT_AMOUNT if allowance else paths.CHARGE_AMOUNT
        found.append(
            DocumentCharge(
                allowance=allowance,
                reason=f.text(None, paths.DISCOUNT_NAME if allowance else paths.CHARGE_NAME, block),
                amount=_amount(
                    f, f"charges.{n}.amount", f"{amount}/AMOUNT[@VAT='EXCLUDED']", block
                ),
                amount_with_vat=_amount(
                    f, f"charges.{n}.amount_with_vat", f"{amount}/AMOUNT[@VAT='INCLUDED']", block
                ),
                vat_percent=_amount(f, f"charges.{n}.vat_percent", "VAT/RATE", block),
                vat_amount=_amount(f, f"charges.{n}.vat_amount", "VAT/VAT_AMOUNT/AMOUNT", block),
            )
        )
    return found


def _rounding(f: Fields, invoice: etree._Element) -> Decimal | None:
    """`SUMMARY/ROUNDINGS`: a signed number as text (`0.00`, `-0.02`); blank is none."""
    element = f.filled("rounding", paths.ROUNDINGS, invoice)
    if element is None:
        return None
    raw = (element.text or "").strip()
    if not _ROUNDING.fullmatch(raw):
        raise f.fail(element, f"{raw!r} is not a rounding amount")
    return Decimal(raw)


def _payment(f: Fields, invoice: etree._Element, due: date | None) -> tuple[Payment, list[Account]]:
    payee = f.find("PAYEE", invoice)
    found: list[FoundAccount] = []
    for bank in f.findall("BANKS", payee) if payee is not None else []:
        entry = iban_or_bban(
            f.find("IBAN_ACCOUNT_NUMBER", bank),
            f.find("BANK_ACCOUNT_NUMBER", bank),
            f.find("SWIFT_CODE", bank),
        )
        if entry is not None:
            found.append(entry)
    # The schemas put DETAILS_OF_PAYMENT in PAYEE (and in a direct debit's BANK_CHARGE).
    details = f.find(paths.DETAILS, payee) if payee is not None else None
    reference = None
    if details is not None:
        reference = f.text("payment.reference", paths.NATIONAL_REFERENCE, details) or f.text(
            "payment.reference", paths.RF_REFERENCE, details
        )
    payment = Payment(
        beneficiary=f.text("payment.beneficiary", "CUSTOMER_INFORMATION/CUSTOMER_NAME", payee)
        if payee is not None
        else None,
        reference=reference,
        amount=_amount_to_pay(f, invoice, payee),
        due_date=due,
    )
    return payment, split_accounts(f, found, payment)


def _amount_to_pay(
    f: Fields, invoice: etree._Element, payee: etree._Element | None
) -> Decimal | None:
    """EpiDetails' EpiInstructedAmount, else the amount the invoice's bank barcode carries.

    TEAPPSXML has no other element for the amount to pay, and a rewritten barcode must
    carry the amount again. A barcode that does not decode (a placeholder) says nothing.
    """
    instructed = _amount(f, "payment.amount", paths.EPI_AMOUNT, invoice)
    if instructed is not None:
        return instructed
    barcode = f.find(paths.BARCODE, payee) if payee is not None else None
    code = None if barcode is None else next((c for c in barcode if isinstance(c.tag, str)), None)
    if code is None:
        return None
    try:
        carried = parse_virtual_barcode(text_of(code) or "", strict=False).amount
    except ValueError:
        return None
    if carried is not None:
        f.note("payment.amount", code)
    return carried


def adapt(document: Document) -> Invoice:
    """Read the invoice of a TEAPPSXML batch (2.7.x or 3.0) into an `Invoice`."""
    part = document.part
    root = part.root
    f = Fields(part)
    locations = f.locations
    invoices = f.findall(INVOICE)
    if len(invoices) != 1:
        where = f.find("CONTENT_FRAME/INVOICES")
        at = where if where is not None else root
        raise missing(
            part,
            "the batch holds no INVOICE"
            if not invoices
            else f"the batch holds {len(invoices)} invoices; check and send each as a batch of its own",
            at,
        )
    invoice = invoices[0]
    header = f.element("details", "HEADER", invoice)
    if header is None:
        raise missing(part, "the invoice has no HEADER", invoice)
    number = f.text("number", "INVOICE_ID", header)
    if number is None:
        raise missing(part, "the invoice has no HEADER/INVOICE_ID", header)
    codes = [
        (code, element)
        for element in (
            *f.findall(".//CURRENCY/CODE", invoice),
            *f.findall(".//CURRENCY_CODE", invoice),
        )
        if (code := text_of(element))
    ]
    currency_el = f.element("currency", "CURRENCY/CODE", header)
    currencies = check_currencies(f, codes)

    summary = f.find("SUMMARY", invoice)
    total = _amount(f, "total", "INVOICE_TOTAL/AMOUNT[@VAT='INCLUDED']", summary)
    if total is None:
        at = summary if summary is not None else invoice
        raise missing(
            part,
            'the invoice has no SUMMARY/INVOICE_TOTAL/AMOUNT with VAT="INCLUDED"',
            at,
        )
    due = _date(f, "due_date", "DUE_DATE", header)
    locations.alias("payment.due_date", "due_date")
    payment, accounts = _payment(f, invoice, due)
    texts = [*f.texts("TERMS_OF_PAYMENT", header), *f.texts("FREE_TEXT", header)]
    result = Invoice(
        format="teappsxml",
        version=f.text(None, FORMAT_VERSION),
        type_code=f.text("type_code", "INVOICE_TYPE", header),
        credited_invoice=f.text("credited_invoice", "CREDIT_INVOICE_NUMBER", header),
        number=number,
        issue_date=_date(f, "issue_date", "INVOICE_DATE", header),
        due_date=due,
        currency=text_of(currency_el) or (currencies[0] if currencies else None),
        currencies=currencies,
        total=total,
        total_vat_excluded=_amount(
            f, "total_vat_excluded", "INVOICE_TOTAL/AMOUNT[@VAT='EXCLUDED']", summary
        ),
        total_vat=_amount(f, "total_vat", "VAT_TOTAL/AMOUNT", summary),
        rounding=_rounding(f, invoice),
        rows=_rows(f, invoice),
        charges=_charges(f, summary),
        vat_lines=[
            VatLine(
                percent=_amount(f, "vat.percent", "RATE", block),
                base=_amount(f, "vat.base", "ACCORDING/AMOUNT", block),
                amount=_amount(f, "vat.amount", "VAT_RATE_TOTAL/AMOUNT", block),
            )
            for block in (f.findall("VAT_SUMMARY", summary) if summary is not None else [])
        ],
        seller=_party(f, "seller", "PAYEE", invoice) or Party(),
        seller_accounts=accounts,
        buyer=_party(f, "buyer", "RECEIVER", invoice) or Party(),
        payment=payment,
        penalty_interest_percent=_amount(f, "penalty_interest", OVERDUE_FINE_RATE, header),
        interest_in_free_text=interest_text(texts),
        payment_terms_text=next(iter(f.texts("TERMS_OF_PAYMENT", header)), None),
        locations=locations,
    )
    result.channel, result.channel_signals = b2b_or_other(result)
    return result
