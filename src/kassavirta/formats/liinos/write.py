"""A Liinos XML invoice written from the Finvoice writer's `InvoiceSpec`: a test writer.

The shared per-format suite checks that `example` routes; the Liinos tests write
generated invoices with any declared separators and see that the reader gives
back the same numbers. The layout follows the operator's example (the only
description of the format there is), with the elements the reader reads.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.formats.finvoice.write import AccountSpec, InvoiceSpec, PartySpec, example_spec
from kassavirta.formats.liinos import paths


def number(value: Decimal, decimal: str = ".", thousand: str | None = None) -> str:
    """`value` as a file declaring these separators writes it (`1 234,50`)."""
    sign, digits = ("-", f"{-value:f}") if value < 0 else ("", f"{value:f}")
    whole, _, fraction = digits.partition(".")
    if thousand:
        groups: list[str] = []
        while len(whole) > 3:
            whole, groups = whole[:-3], [whole[-3:], *groups]
        whole = thousand.join([whole, *groups])
    return sign + whole + (decimal + fraction if fraction else "")


def _add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _path(
    parent: etree._Element, path: str, text: str | None = None, **attrs: str
) -> etree._Element:
    """`a/b/c` under `parent` (containers reused), the last one new, with `text` and `attrs`."""
    *steps, last = path.split("/")
    for step in steps:
        found = parent.find(step)
        parent = found if found is not None else _add(parent, step)
    return _add(parent, last, text, **attrs)


def _entry(parent: etree._Element, path: str, code: str, tag: str, text: str | None) -> None:
    """A typed entry (`Numbers/Number Type="1"`) holding `tag` with `text`."""
    _add(_path(parent, path, Type=code), tag, text)


def _party(
    parties: etree._Element, code: str, party: PartySpec, language: str | None
) -> etree._Element:
    block = _add(parties, "Party", Type=code)
    ids = _add(block, "PartyIds")
    for kind, value in (
        (paths.BUSINESS_ID_TYPES[0], party.business_id),
        (paths.VAT_NUMBER_TYPE, party.vat_code),
    ):
        if value:
            _add(_add(ids, "PartyId", Type=kind), paths.PARTY_ID_VALUE, value)
    _add(block, paths.NAME, party.name)
    if party.address is not None:
        _add(
            block, paths.POSTAL_ADDRESS, party.address.streets[0] if party.address.streets else None
        )
        _add(block, paths.POSTCODE, party.address.postcode)
        _add(block, paths.TOWN, party.address.town)
        _add(block, paths.COUNTRY, party.address.country)
    if language:
        _add(block, paths.PARTY_LANGUAGE, language.lower())
    return block


def _date(dates: etree._Element, code: str, day: date) -> None:
    block = _add(dates, "Date", Type=code)
    for tag, value in ((paths.DAY, day.day), (paths.MONTH, day.month), (paths.YEAR, day.year)):
        _add(block, tag, f"{value:02d}")


def render(
    spec: InvoiceSpec,
    *,
    decimal: str = ".",
    thousand: str | None = None,
    encoding: str = "iso-8859-1",
) -> bytes:
    """`spec` as a Liinos XML file that declares (and uses) these separators."""

    def n(value: Decimal) -> str:
        return number(value, decimal, thousand)

    root = etree.Element(paths.ROOT, DocId="10")
    definition = _add(root, "Definition")
    _add(definition, "ThousandSeparator", thousand)
    _add(definition, "DecimalSeparator", decimal)
    data = _add(root, paths.DATA)
    header = _add(data, paths.HEADER)
    _entry(header, paths.NUMBERS, paths.INVOICE_NUMBER, paths.NUMBER_VALUE, spec.number)
    for code, text in ((paths.PAYMENT_REFERENCE, spec.reference), (paths.BARCODE, spec.barcode)):
        if text:
            reference = f"{paths.REFERENCES}/{paths.REFERENCE}"
            _entry(header, reference, code, paths.REFERENCE_VALUE, text)
    _entry(header, paths.TERMS, "1", paths.TERM_TEXT, spec.terms_text)
    dates = _add(header, "Dates")
    _date(dates, paths.ISSUE_DATE, spec.issue_date)
    _date(dates, paths.DUE_DATE, spec.due_date)
    summaries = _add(header, paths.SUMMARIES)
    _add(summaries, paths.CURRENCY, "EUR")
    for code, value in (
        (paths.TOTAL, spec.total),
        (paths.TOTAL_VAT_EXCLUDED, spec.total_vat_excluded),
        (paths.TOTAL_VAT, spec.total_vat),
    ):
        _entry(summaries, paths.SUMMARY, code, paths.SUM, n(value))
    taxes = _add(header, "Taxes")
    for line in spec.vat_lines:
        vat = _add(taxes, "Vat", VatCode="S")
        for tag, amount in (
            (paths.VAT_PERCENT, line.percent),
            (paths.VAT_AMOUNT, line.amount),
            (paths.VAT_BASE, line.base),
        ):
            _add(vat, tag, n(amount))
    if spec.fine_percent is not None:
        fine = n(spec.fine_percent)
        _entry(header, paths.PERCENTAGES, paths.PENALTY_PERCENT, paths.PERCENT, fine)

    parties = _add(data, "Parties")
    _party(parties, paths.INVOICEE, spec.buyer, spec.language)
    # The seller's party carries the accounts, and its name is the payee's.
    seller = _party(parties, paths.SELLER, spec.seller, None)
    accounts = _add(seller, paths.BANK_ACCOUNTS)
    others = [a for a in spec.seller_accounts if a != spec.payment]
    for account in (spec.payment, *others):
        _account(accounts, account)

    rows = _add(data, "Rows")
    for row in spec.rows:
        block = _add(rows, "Row")
        _path(block, paths.ARTICLE, row.article)
        units = _add(block, "Units")
        _add(units, "PriceUnit", row.unit)
        _add(units, "PriceQuantity", n(row.quantity))
        posting = _path(block, paths.POSTINGS, Type=paths.SALES_POSTING)
        for tag, text in (
            (paths.ROW_CURRENCY, "EUR"),
            (paths.UNIT_PRICE, n(row.unit_price)),
            (paths.ROW_VAT_EXCLUDED, n(row.vat_excluded)),
            (paths.ROW_AMOUNT, n(row.amount)),
            (paths.ROW_VAT_PERCENT, n(row.vat_percent)),
        ):
            _add(posting, tag, text)
    written = etree.tostring(root, xml_declaration=True, encoding=encoding, pretty_print=True)
    assert isinstance(written, bytes)
    return written


def _account(accounts: etree._Element, account: AccountSpec) -> None:
    block = _add(accounts, paths.BANK_ACCOUNT)
    for tag in paths.BANK_ACCOUNT_FIELDS:
        _add(block, tag, account.bic if tag in (paths.BANK, paths.IBAN_BIC) else account.iban)


def example(today: date, format_id: str) -> bytes:
    """The Finvoice writer's example invoice, written as Liinos XML with a decimal comma.

    The registry's writer hook: the shared per-format tests check that it routes.
    """
    return render(example_spec(today), decimal=",", thousand=" ")
