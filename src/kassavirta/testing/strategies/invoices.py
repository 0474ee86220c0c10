"""The data of valid Finvoice invoices, and their bytes with the invoice they encode."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from hypothesis import strategies as st

from kassavirta.finnish.barcode import virtual_barcode
from kassavirta.finnish.businessdays import business_days_between, is_business_day
from kassavirta.formats.finvoice.write import (
    CENT,
    ENCODINGS,
    VERSIONS,
    InvoiceSpec,
    PartySpec,
    PostalAddress,
    RowSpec,
    Transmission,
    VatSpec,
    expected,
    render,
)
from kassavirta.model import Channel, Invoice
from kassavirta.testing import data
from kassavirta.testing.strategies.common import CHANNELS, LANGUAGES, pick, today_or_helsinki
from kassavirta.testing.strategies.identifiers import business_ids, finnish_accounts, references

__all__ = [
    "addresses",
    "company_names",
    "finvoice_invoices",
    "invoice_rows",
    "invoice_specs",
    "person_names",
    "rebarcode",
    "with_totals",
]

_TEXT_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖé0123456789 &<>\"'-.,/()%+"
)


def _free_text(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(_TEXT_ALPHABET, min_size=2, max_size=max_size)
        .map(lambda s: " ".join(s.split()))
        .filter(lambda s: len(s) >= 2)
    )


@st.composite
def addresses(draw: st.DrawFn) -> PostalAddress:
    """A Finnish postal address whose postcode belongs to its town."""
    postcode, town = draw(st.sampled_from(data.POSTCODES))
    street = f"{draw(st.sampled_from(data.STREETS))} {draw(st.integers(1, 120))}"
    if draw(st.booleans()):
        street += f" {draw(st.sampled_from('ABCDE'))} {draw(st.integers(1, 40))}"
    town = draw(st.sampled_from((town, town.title())))
    country = draw(st.sampled_from(("FI", "FI", None)))
    return PostalAddress(streets=(street,), town=town, postcode=postcode, country=country)


@st.composite
def company_names(draw: st.DrawFn) -> str:
    stem = draw(st.sampled_from(data.COMPANY_STEMS))
    trade = draw(st.sampled_from(data.COMPANY_TRADES))
    form = draw(st.sampled_from(data.COMPANY_FORMS))
    return draw(st.sampled_from((f"{stem} {trade} {form}", f"{trade} {stem} {form}")))


@st.composite
def person_names(draw: st.DrawFn) -> str:
    return f"{draw(st.sampled_from(data.FIRST_NAMES))} {draw(st.sampled_from(data.LAST_NAMES))}"


def _row(
    article: str,
    unit: str,
    quantity: Decimal,
    price: Decimal,
    rate: Decimal,
    article_id: str | None,
) -> RowSpec:
    excluded = (quantity * price).quantize(CENT, ROUND_HALF_UP)
    vat = (excluded * rate / 100).quantize(CENT, ROUND_HALF_UP)
    return RowSpec(
        article=article,
        quantity=quantity,
        unit=unit,
        unit_price=price,
        vat_percent=rate,
        vat_excluded=excluded,
        vat_amount=vat,
        amount=excluded + vat,
        article_id=article_id,
    )


@st.composite
def invoice_rows(draw: st.DrawFn, *, credit: bool = False) -> tuple[RowSpec, ...]:
    """1-6 rows (and sometimes a discount row) whose VAT-included total is positive.

    Every amount is derived from quantity x unit price at two decimals, so the
    rows add up to the totals exactly. `credit` negates the quantities, as
    credit notes do (unit prices stay positive).
    """
    rows: list[RowSpec] = []
    sign = Decimal(-1) if credit else Decimal(1)
    for n in range(draw(st.integers(1, 6))):
        article, unit = draw(st.sampled_from(data.ARTICLES))
        if draw(st.integers(0, 9)) == 0:
            article = draw(_free_text(35))
        quantity = draw(
            st.one_of(
                st.integers(1, 40).map(Decimal),
                st.integers(1, 500).map(lambda q: Decimal(q) / 10),
            )
        )
        price = Decimal(draw(st.integers(10, 250_000))) / 100
        rate = Decimal(draw(st.sampled_from(data.VAT_RATES)))
        article_id = draw(st.none() | st.integers(1000, 99999).map(lambda i: f"A{i}"))
        rows.append(_row(article, unit, sign * quantity, price, rate, article_id if n else None))
    positive = sum((r.vat_excluded for r in rows), Decimal(0)) * sign
    if not credit and positive >= 2 and draw(st.integers(0, 3)) == 0:
        discount = Decimal(draw(st.integers(1, int(positive * 50)))) / 100
        rows.append(_row("Alennus", "kpl", Decimal(-1), discount, rows[0].vat_percent, None))
    return tuple(rows)


def _vat_lines(rows: Sequence[RowSpec]) -> tuple[VatSpec, ...]:
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for row in rows:
        base, amount = by_rate.get(row.vat_percent, (Decimal(0), Decimal(0)))
        by_rate[row.vat_percent] = (base + row.vat_excluded, amount + row.vat_amount)
    return tuple(VatSpec(rate, base, amount) for rate, (base, amount) in by_rate.items())


def _due_date(issue: date, today: date, days: int) -> date:
    """The first business day on or after issue + days that both due-date rules accept."""
    due = max(issue + timedelta(days=days), today + timedelta(days=3))
    while not is_business_day(due) or business_days_between(today, due) < 4:
        due += timedelta(days=1)
    return due


def with_totals(spec: InvoiceSpec, rows: Sequence[RowSpec]) -> InvoiceSpec:
    """`spec` with `rows` and every total, VAT line and payment amount derived from them."""
    total = sum((r.amount for r in rows), Decimal(0))
    paid = spec.paid if spec.paid is not None and 0 < spec.paid < total else None
    return rebarcode(
        replace(
            spec,
            rows=tuple(rows),
            total_vat_excluded=sum((r.vat_excluded for r in rows), Decimal(0)),
            total_vat=sum((r.vat_amount for r in rows), Decimal(0)),
            total=total,
            vat_lines=_vat_lines(rows),
            paid=paid,
            instructed=total - (paid or Decimal(0)),
        )
    )


def rebarcode(spec: InvoiceSpec) -> InvoiceSpec:
    """Recompute the virtual bank barcode (when the invoice has one) from the payment data."""
    if spec.barcode is None:
        return spec
    try:
        code = virtual_barcode(spec.payment.iban, spec.instructed, spec.reference, spec.due_date)
    except ValueError:
        return spec
    return replace(spec, barcode=code)


@st.composite
def invoice_specs(
    draw: st.DrawFn,
    version: str | None = "3.0",
    channel: Channel | str | None = None,
    language: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
    *,
    terms_due: bool | None = None,
    fine: bool | None = None,
    prepaid: bool | None = False,
) -> InvoiceSpec:
    """The data of a valid Finvoice invoice, before it is written as XML.

    `None` for `version`, `channel`, `language` or `encoding` draws any
    supported value. `terms_due` forces (True) or forbids (False) a payment-terms
    due date, None draws. An invoice has a late-payment interest clause unless
    `fine` is False (without one, the check notes `interest-missing`). `prepaid`
    (3.0 only) adds a prepaid amount below the total when True, draws when None;
    the default, False, leaves it out (a prepaid amount is noted `prepaid`).
    """
    sending = today_or_helsinki(today)
    chosen_version = draw(pick(version, VERSIONS))
    chosen_channel = Channel(draw(pick(Channel(channel).value if channel else None, CHANNELS)))
    lang = draw(pick(language, LANGUAGES))
    chosen_encoding = draw(pick(encoding, ENCODINGS))

    seller_id = draw(business_ids())
    seller_digits = seller_id.replace("-", "")
    seller_name = draw(company_names())
    seller = PartySpec(
        name=seller_name,
        business_id=seller_id,
        vat_code=draw(st.sampled_from((f"FI{seller_digits}", None))),
        address=draw(st.none() | addresses()),
    )
    if chosen_channel is Channel.B2B:
        buyer_id = draw(business_ids().filter(lambda b: b != seller_id))
        buyer = PartySpec(
            name=draw(company_names()),
            business_id=buyer_id,
            vat_code=draw(st.sampled_from((f"FI{buyer_id.replace('-', '')}", None))),
            address=draw(addresses()),
        )
    else:
        buyer = PartySpec(name=draw(person_names()), address=draw(addresses()))

    number = draw(
        st.one_of(
            st.integers(1, 10**9).map(str),
            st.integers(1, 99999).map(lambda n: f"{sending.year}-{n:05d}"),
            st.integers(1, 10**7).map(lambda n: f"L{n}"),
        )
    )
    issue = sending - timedelta(days=draw(st.integers(0, 14)))
    term_days = draw(st.sampled_from((7, 14, 21, 30, 45, 60)))
    due = _due_date(issue, sending, term_days)
    payment = draw(finnish_accounts())
    extra_accounts = draw(st.lists(finnish_accounts(), max_size=2))
    accounts = draw(
        st.sampled_from(((), (payment,), (payment, *extra_accounts), (*extra_accounts, payment)))
    )
    reference, scheme = draw(references())
    instruction_id: str | None = None
    transmission: Transmission | None = None
    stamp = datetime.combine(issue, time(draw(st.integers(6, 20)), draw(st.integers(0, 59))))
    message_id = f"{number}-{draw(st.integers(1, 10**6))}"
    if chosen_channel is Channel.B2B and draw(st.booleans()):
        assert buyer.business_id is not None
        transmission = Transmission(
            from_identifier=f"0037{seller_digits}",
            from_intermediator=draw(st.sampled_from(data.OPERATORS)),
            to_identifier=f"0037{buyer.business_id.replace('-', '')}",
            to_intermediator=draw(st.sampled_from(data.OPERATORS)),
            message_id=message_id,
            timestamp=stamp,
        )
    elif chosen_channel is Channel.B2C_NETBANK:
        instruction_id = f"{draw(st.integers(10**15, 10**16 - 1))}"
        if draw(st.booleans()):
            consumer = draw(finnish_accounts())
            transmission = Transmission(
                from_identifier=f"0037{seller_digits}",
                from_intermediator=payment.bic,
                to_identifier=consumer.iban,
                to_intermediator=consumer.bic,
                message_id=message_id,
                timestamp=stamp,
            )
    want_fine = True if fine is None else fine
    fine_percent = Decimal(draw(st.sampled_from(("7", "8", "10.5", "11.5")))) if want_fine else None
    fine_text = (
        data.INTEREST_TEXTS[lang].format(percent=str(fine_percent).replace(".", ","))
        if want_fine and (fine or draw(st.booleans()))
        else None
    )
    has_terms_due = draw(st.booleans()) if terms_due is None else terms_due
    type_text = data.TYPE_TEXTS[lang][0]
    spec = InvoiceSpec(
        version=chosen_version,
        encoding=chosen_encoding,
        seller=seller,
        buyer=buyer,
        number=number,
        issue_date=issue,
        rows=(),
        total_vat_excluded=Decimal(0),
        total_vat=Decimal(0),
        total=Decimal(0),
        vat_lines=(),
        payment=payment,
        beneficiary=seller_name,
        reference=reference,
        reference_scheme=scheme,
        instructed=Decimal(0),
        due_date=due,
        terms_due_date=due if has_terms_due else None,
        terms_text=data.PAYMENT_TERMS[lang].format(days=term_days),
        language=draw(st.sampled_from((lang.upper(), lang.upper(), lang))),
        type_text=type_text,
        paid=Decimal(draw(st.integers(1, 10**6))) / 100
        if chosen_version == "3.0" and (prepaid or (prepaid is None and draw(st.booleans())))
        else None,
        seller_accounts=accounts,
        seller_ovt=draw(st.sampled_from((f"0037{seller_digits}", None))),
        buyer_ovt=f"0037{buyer.business_id.replace('-', '')}"
        if buyer.business_id and draw(st.booleans())
        else None,
        transmission=transmission,
        instruction_id=instruction_id,
        fine_percent=fine_percent,
        fine_text=fine_text,
        barcode="" if draw(st.booleans()) else None,
        scheme_ids=chosen_version == "3.0" and draw(st.booleans()),
        pretty=draw(st.booleans()),
        stylesheet=draw(st.booleans()),
        charge=draw(st.sampled_from(("SLEV", "SHA"))),
    )
    spec = with_totals(spec, draw(invoice_rows()))
    if spec.barcode == "":
        spec = replace(spec, barcode=None)
    return spec


class GeneratedInvoice(NamedTuple):
    """(xml bytes, expected Invoice) with a one-line repr.

    Hypothesis prints the falsifying example and pytest the test's arguments;
    the pair's own repr would be the whole XML and every field of the invoice.
    """

    xml: bytes
    invoice: Invoice

    def __repr__(self) -> str:
        i = self.invoice
        rows = f"{len(i.rows)} row{'s' if len(i.rows) != 1 else ''}"
        return (
            f"<Finvoice {i.number}: {rows}, total {i.total} {i.currency or ''}, "
            f"due {i.due_date}, {len(self.xml)} bytes>"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def finvoice_invoices(
    version: str | None = "3.0",
    channel: Channel | str | None = None,
    language: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
) -> st.SearchStrategy[GeneratedInvoice]:
    """(xml bytes, expected normalised invoice) of schema-valid Finvoice invoices (a `GeneratedInvoice`).

    Each one routes with no finding at all under settings from
    `settings_files(today=today)`: every identifier validates, the rows add up,
    the due date is at least four banking days ahead and a banking day.

    `version`: "1.3", "2.0", "2.01", "3.0" or None (any). `channel`: "b2b",
    "b2c-netbank", "b2c-other" or None. `language`: "fi", "sv", "en" or None.
    `encoding`: "UTF-8", "ISO-8859-15", "ISO-8859-1" or None. `today`: the
    sending date the due dates are relative to (default: today in Helsinki).
    """
    return invoice_specs(version, channel, language, encoding, today).map(
        lambda spec: GeneratedInvoice(render(spec), expected(spec))
    )
