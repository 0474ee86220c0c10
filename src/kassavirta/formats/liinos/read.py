"""Liinos XML (`Liinos_XML`) → the normalised invoice.

The operator's example (`anon_liinos_invoice.xml`) is the only public
description of the format, so every reading here is one of that file; the
type codes it relies on are in `paths.py`, and docs/formats.md says which are
sure (the arithmetic of the example proves them) and which are guesses.

**Numbers.** A Liinos file declares how it writes numbers:
`Definition/DecimalSeparator` and `Definition/ThousandSeparator` (empty for
none). Every amount, quantity and percentage is read with exactly those
separators, because a reader that assumed a point would read `1.234,50` as
garbage or, worse, `1,234` as 1.234. A value that does not follow the
declaration is `unreadable-field`. No declaration means a decimal point and
no thousand separator (as in the example).

**Dates** are `Date` blocks of `Day`, `Month` and `Year` (all empty: no date).

**The sum rule.** Each row carries its total with and without VAT
(`Postings/Posting/TotalInclVat`, `TotalExclVat`), so the rule is Finvoice's:
Σ rows' VAT-included totals against `Summary Type="1"`. No document-level
charge, allowance, rounding or paid amount is known in Liinos; a credit note
is an invoice with a negative total.

**Parties.** `Party Type="IV"` (invoicee) is the buyer and the recipient of the
invoice; should a file also carry a `Type="BY"` (buyer), that one is the buyer
and the IV party the recipient. `Type="SE"` is the seller, and its
`BankAccounts` are the payment accounts (the first one is the payment's).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.finnish.reference import reference_scheme
from kassavirta.formats.en16931 import (
    FoundAccount,
    b2b_or_other,
    finnish_business_id,
    interest_text,
    split_accounts,
)
from kassavirta.formats.liinos import paths
from kassavirta.formats.xml import (
    Fields,
    check_currencies,
    local_name,
    looks_like_bic,
    looks_like_iban,
    missing,
    streets,
    text_of,
)
from kassavirta.model import Account, Address, Invoice, Party, Payment, Row, VatLine
from kassavirta.pipeline.read import Document


def typed(elements: list[etree._Element], code: str) -> etree._Element | None:
    """The first of `elements` whose `Type` attribute is `code`."""
    return next((e for e in elements if (e.get("Type") or "").strip() == code), None)


class Numbers:
    """Numbers as one file writes them: the separators its `Definition` declares."""

    def __init__(self, f: Fields) -> None:
        self.f = f
        self.decimal = self._separator(paths.DECIMAL_SEPARATOR) or "."
        self.thousand = self._separator(paths.THOUSAND_SEPARATOR)
        if self.thousand == self.decimal:
            element = f.find(paths.THOUSAND_SEPARATOR)
            assert element is not None
            raise f.unreadable(
                element,
                f"ThousandSeparator: {self.thousand!r} is also the decimal separator",
                self.thousand,
            )
        whole = "[0-9]+"
        if self.thousand:
            whole = f"[0-9]{{1,3}}(?:{re.escape(self.thousand)}[0-9]{{3}})+|[0-9]+"
        self._pattern = re.compile(f"[+-]?(?:{whole})(?:{re.escape(self.decimal)}[0-9]+)?")

    def _separator(self, expr: str) -> str | None:
        """A declared separator: one character (a space counts), or None when empty."""
        element = self.f.find(expr)
        if element is None or not element.text:
            return None
        value = element.text.strip() or element.text
        if len(value) != 1 or value.isdigit() or value in "+-":
            raise self.f.unreadable(
                element, f"{local_name(element)}: {value!r} is not a separator character", value
            )
        return value

    def of(self, element: etree._Element) -> Decimal:
        raw = (element.text or "").strip()
        if not self._pattern.fullmatch(raw):
            thousand = repr(self.thousand) if self.thousand else "none"
            raise self.f.fail(
                element,
                f"{raw!r} is not a number as the file declares them "
                f"(decimal separator {self.decimal!r}, thousand separator {thousand})",
            )
        if self.thousand:
            raw = raw.replace(self.thousand, "")
        return Decimal(raw.replace(self.decimal, "."))

    def filled(self, element: etree._Element | None) -> Decimal | None:
        return self.of(element) if text_of(element) is not None and element is not None else None

    def at(self, key: str | None, expr: str, base: etree._Element) -> Decimal | None:
        """The number at `expr` under `base` (noted as `key`), or None when absent or empty."""
        return self.filled(self.f.filled(key, expr, base))


def _date(f: Fields, key: str, element: etree._Element | None) -> date | None:
    if element is None:
        return None
    day, month, year = (
        (element.findtext(tag) or "").strip() for tag in (paths.DAY, paths.MONTH, paths.YEAR)
    )
    if not (day or month or year):
        return None
    f.note(key, element)
    written = f"{day}.{month}.{year}"
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        raise f.unreadable(element, f"Date: {written!r} is not a date (Day, Month, Year)", written)
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise f.unreadable(
            element, f"Date: {written} is not a real calendar date", written
        ) from exc


def _business_id(f: Fields, key: str, ids: list[etree._Element]) -> str | None:
    for code in paths.BUSINESS_ID_TYPES:
        entry = typed(ids, code)
        value = (
            f.text(f"{key}.business_id", paths.PARTY_ID_VALUE, entry) if entry is not None else None
        )
        if value:
            return finnish_business_id(value)
    return None


def _address(f: Fields, key: str, block: etree._Element) -> Address | None:
    found = {
        tag: f.find(tag, block)
        for tag in (paths.POSTAL_ADDRESS, paths.STREET_ADDRESS, paths.POSTCODE, paths.TOWN)
    }
    if all(e is None for e in found.values()):
        return None
    f.note(f"{key}.address", block)
    # The postal address line goes with the postcode and town; the street (visiting)
    # address stands in when there is none.
    lines = [
        e
        for e in (found[paths.POSTAL_ADDRESS], found[paths.STREET_ADDRESS])
        if e is not None and text_of(e)
    ]
    return Address(
        streets=streets(f, key, lines[:1]),
        town=f.text(f"{key}.address.town", paths.TOWN, block),
        postcode=f.text(f"{key}.address.postcode", paths.POSTCODE, block),
        country=f.text(f"{key}.address.country", paths.COUNTRY, block),
    )


def _party(f: Fields, key: str, block: etree._Element | None) -> Party | None:
    if block is None:
        return None
    f.note(key, block)
    ids = f.findall(paths.PARTY_IDS, block)
    vat = typed(ids, paths.VAT_NUMBER_TYPE)
    return Party(
        name=f.text(f"{key}.name", paths.NAME, block),
        business_id=_business_id(f, key, ids),
        vat_code=f.text(f"{key}.vat_code", paths.PARTY_ID_VALUE, vat) if vat is not None else None,
        address=_address(f, key, block),
    )


def _account(account: etree._Element) -> FoundAccount | None:
    """A `BankAccount`: the IBAN (else the account number) and the BIC (else `Bank`, if one)."""
    iban, number = account.find(paths.IBAN), account.find(paths.ACCOUNT_NUMBER)
    found = iban if text_of(iban) else number
    if found is None or text_of(found) is None:
        return None
    bic = account.find(paths.IBAN_BIC)
    if not text_of(bic):
        bank = account.find(paths.BANK)
        bic = bank if looks_like_bic(text_of(bank)) else None
    value = text_of(found)
    scheme = "IBAN" if found is iban or looks_like_iban(value) else "BBAN"
    return (found, bic, Account(account=value, scheme=scheme, bic=text_of(bic)))


def _row(
    f: Fields, numbers: Numbers, position: int, row: etree._Element
) -> tuple[Row, list[tuple[str, etree._Element]]]:
    """A row and the currency codes of its postings.

    A row's amounts are those of its `Posting Type="1"` (summed, should there be
    several); other posting types are not known and not read.
    """
    key = f"rows.{position}"
    f.note(key, row)
    postings = [
        p
        for p in f.findall(paths.POSTINGS, row)
        if (p.get("Type") or "").strip() in ("", paths.SALES_POSTING)
    ]

    def total(tag: str, name: str) -> Decimal | None:
        values = [
            numbers.at(f"{key}.{name}" if n == 0 else None, tag, p) for n, p in enumerate(postings)
        ]
        if not values or None in values:
            return None
        return sum((v for v in values if v is not None), Decimal(0))

    rates = {numbers.at(f"{key}.vat_percent", paths.ROW_VAT_PERCENT, p) for p in postings}
    quantity = f.filled(f"{key}.quantity", paths.QUANTITY, row)
    codes = [
        (code, element)
        for p in postings
        if (code := text_of(element := f.find(paths.ROW_CURRENCY, p))) and element is not None
    ]
    return (
        Row(
            index=position,
            article=f.text(None, paths.ARTICLE, row) or f.text(None, paths.ARTICLE_CODE, row),
            quantity=numbers.filled(quantity),
            unit=f.text(None, paths.UNIT, row),
            unit_price=numbers.at(f"{key}.unit_price", paths.UNIT_PRICE, postings[0])
            if postings
            else None,
            vat_percent=next(iter(rates)) if len(rates) == 1 else None,
            vat_excluded=total(paths.ROW_VAT_EXCLUDED, "vat_excluded"),
            amount=total(paths.ROW_AMOUNT, "amount"),
        ),
        codes,
    )


def _texts(f: Fields, header: etree._Element) -> tuple[list[str], list[str]]:
    """The header's free texts and its payment terms' texts."""
    free = [
        t
        for text in f.findall(f"{paths.TEXTS}/{paths.TEXT}", header)
        if (text.get("Type") or "").strip() == paths.HEADER_TEXT
        for t in f.texts(paths.TEXT_VALUE, text)
    ]
    terms = [t for term in f.findall(paths.TERMS, header) for t in f.texts(paths.TERM_TEXT, term)]
    return free, terms


def adapt(document: Document) -> Invoice:
    """Read a Liinos XML invoice into an `Invoice`."""
    part = document.part
    f = Fields(part)
    locations = f.locations
    found = f.findall(paths.DATA)
    if len(found) != 1:
        raise missing(
            part,
            "the file holds no Data (invoice)"
            if not found
            else f"the file holds {len(found)} invoices (Data); check and send each on its own",
            found[1] if found else part.root,
        )
    numbers = Numbers(f)
    data = found[0]
    header = f.element("details", paths.HEADER, data)
    if header is None:
        raise missing(part, "the invoice has no Header", data)
    number_el = typed(f.findall(paths.NUMBERS, header), paths.INVOICE_NUMBER)
    number = f.text("number", paths.NUMBER_VALUE, number_el) if number_el is not None else None
    if number is None:
        raise missing(part, 'the invoice has no Numbers/Number[@Type="1"]/Num', header)

    summaries = f.find(paths.SUMMARIES, header)
    sums = f.findall(paths.SUMMARY, summaries) if summaries is not None else []

    def summary(code: str, key: str) -> Decimal | None:
        block = typed(sums, code)
        return numbers.at(key, paths.SUM, block) if block is not None else None

    total = summary(paths.TOTAL, "total")
    if total is None:
        raise missing(
            part,
            'the invoice has no Summaries/Summary[@Type="1"]/Sum (the total)',
            summaries if summaries is not None else header,
        )
    currency_el = f.filled("currency", paths.CURRENCY, summaries) if summaries is not None else None
    codes = [(text_of(currency_el) or "", currency_el)] if currency_el is not None else []

    rows: list[Row] = []
    for position, element in f.each(f.findall(paths.ROWS, data)):
        row, row_codes = _row(f, numbers, position, element)
        rows.append(row)
        codes += row_codes
    currencies = check_currencies(f, codes)

    dates = f.findall(paths.DATES, header)
    due = _date(f, "due_date", typed(dates, paths.DUE_DATE))
    locations.alias("payment.due_date", "due_date")

    parties = f.findall(paths.PARTIES, data)
    invoicee = typed(parties, paths.INVOICEE)
    buyer_block = typed(parties, paths.BUYER)
    seller_block = typed(parties, paths.SELLER)
    buyer = _party(f, "buyer", buyer_block if buyer_block is not None else invoicee)
    recipient = _party(f, "recipient", invoicee) if buyer_block is not None else None
    seller = _party(f, "seller", seller_block)

    references = f.findall(f"{paths.REFERENCES}/{paths.REFERENCE}", header)
    payment_ref = typed(references, paths.PAYMENT_REFERENCE)
    reference = (
        f.text("payment.reference", paths.REFERENCE_VALUE, payment_ref)
        if payment_ref is not None
        else None
    )
    payment = Payment(
        reference=reference,
        reference_scheme=reference_scheme(reference) if reference else None,
        # Liinos has no separate amount to pay: the total is what the invoice asks for.
        amount=total,
        due_date=due,
    )
    locations.alias("payment.amount", "total")
    accounts = [
        entry
        for account in (
            f.findall(f"{paths.BANK_ACCOUNTS}/{paths.BANK_ACCOUNT}", seller_block)
            if seller_block is not None
            else []
        )
        if (entry := _account(account)) is not None
    ]
    seller_accounts = split_accounts(
        f,
        accounts,
        payment,
        lambda: (
            f.text("payment.beneficiary", paths.NAME, seller_block)
            if seller_block is not None
            else None
        ),
    )

    percentages = f.findall(paths.PERCENTAGES, header)
    penalty = typed(percentages, paths.PENALTY_PERCENT)
    free, terms = _texts(f, header)
    invoicee_language = (
        f.text("language", paths.PARTY_LANGUAGE, invoicee) if invoicee is not None else None
    )
    result = Invoice(
        format="liinos",
        number=number,
        issue_date=_date(f, "issue_date", typed(dates, paths.ISSUE_DATE)),
        due_date=due,
        currency=text_of(currency_el) or (currencies[0] if currencies else None),
        currencies=currencies,
        total=total,
        total_vat_excluded=summary(paths.TOTAL_VAT_EXCLUDED, "total_vat_excluded"),
        total_vat=summary(paths.TOTAL_VAT, "total_vat"),
        rows=rows,
        vat_lines=[
            VatLine(
                percent=numbers.at("vat.percent", paths.VAT_PERCENT, vat),
                base=numbers.at("vat.base", paths.VAT_BASE, vat),
                amount=numbers.at("vat.amount", paths.VAT_AMOUNT, vat),
            )
            for vat in f.findall(paths.VAT, header)
        ],
        seller=seller or Party(),
        seller_accounts=seller_accounts,
        buyer=buyer or Party(),
        recipient=recipient,
        language=invoicee_language,
        payment=payment,
        penalty_interest_percent=numbers.at("penalty_interest", paths.PERCENT, penalty)
        if penalty is not None
        else None,
        interest_in_free_text=interest_text([*terms, *free]),
        payment_terms_text=next(iter(terms), None),
        locations=locations,
    )
    result.channel, result.channel_signals = b2b_or_other(result)
    return result
