"""Hypothesis strategies: Finvoice invoices the service routes, and ones it must not.

`finvoice_invoices()` draws a schema-valid Finvoice (1.3, 2.0, 2.01 or 3.0)
with realistic Finnish content and returns its bytes with the normalised
`Invoice` it encodes. `defective_invoices(rule=R)` draws a valid invoice and
then changes exactly what makes rule R fire: a send error makes the service
refuse the invoice with R alone, a warning leaves it routed with R as the only
warning. `settings_files()` and `assignments_json()` draw the two input files
a check needs besides the invoice.

Everything a strategy draws is relative to one sending date (`today`), so
that "due in three days" means the same to the generator and to the check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from hypothesis import strategies as st

from kassavirta.finnish.businessdays import business_days_between, is_business_day
from kassavirta.finnish.identifiers import make_fi_reference, make_rf_reference, virtual_barcode
from kassavirta.formats.finvoice.write import (
    CENT,
    ENCODINGS,
    VERSIONS,
    AccountSpec,
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
from kassavirta.rules import RULE_SLUGS, SEND_ERROR_SLUGS
from kassavirta.testing import data

if TYPE_CHECKING:
    from kassavirta.findings import CheckResult

JSON = dict[str, Any]
SEND_ERRORS: Final[tuple[str, ...]] = tuple(SEND_ERROR_SLUGS)
WARNINGS: Final[tuple[str, ...]] = tuple(s for s in RULE_SLUGS if s not in SEND_ERROR_SLUGS)
CHANNELS: Final[tuple[str, ...]] = tuple(c.value for c in Channel)
LANGUAGES: Final[tuple[str, ...]] = ("fi", "sv", "en")

_SERVICE_LEVEL_IDS = (3_400_000, 3_999_999)
"""Business IDs for settings' service-level groups are drawn from this range and
invoice buyers' from below it, so that a generated buyer is never in a group by
accident (hypothesis shrinks towards equal values)."""
_BUYER_IDS = (100_000, 3_399_999)


def _today(today: date | None) -> date:
    if today is not None:
        return today
    from kassavirta.pipeline.evaluate import today_in_helsinki

    return today_in_helsinki()


def _pick(value: str | None, choices: Sequence[str]) -> st.SearchStrategy[str]:
    if value is None:
        return st.sampled_from(tuple(choices))
    if value not in choices:
        raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
    return st.just(value)


# --------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------


def ytunnus_check_digit(base: str) -> int | None:
    """The Y-tunnus check digit for seven digits (stdnum's checksum); None if none exists."""
    from stdnum.fi import alv

    digit = (-alv.checksum(base + "0")) % 11
    return digit if digit < 10 else None


def business_ids(low: int = _BUYER_IDS[0], high: int = _BUYER_IDS[1]) -> st.SearchStrategy[str]:
    """Valid Finnish business IDs (Y-tunnus, `nnnnnnn-n`)."""

    def build(n: int) -> str | None:
        base = f"{n:07d}"
        digit = ytunnus_check_digit(base)
        return None if digit is None else f"{base}-{digit}"

    return st.integers(low, high).map(build).filter(lambda v: v is not None).map(str)


def invalid_business_id(valid: str) -> str:
    """The same seven digits with the wrong check digit."""
    base, digit = valid.split("-")
    return f"{base}-{(int(digit) + 1) % 10}"


def finnish_accounts(
    bank: data.Bank | None = None, *, exclude_bic: str | None = None
) -> st.SearchStrategy[AccountSpec]:
    """A valid Finnish IBAN with the BIC of its bank."""
    from schwifty import IBAN

    banks = [b for b in data.BANKS if b.bic[:6] != (exclude_bic or "")[:6]]

    def build(pair: tuple[data.Bank, int]) -> AccountSpec:
        chosen, number = pair
        iban = IBAN.generate("FI", bank_code=chosen.code, account_code=str(number))
        return AccountSpec(iban=str(iban.compact), bic=chosen.bic)

    banks_strategy = st.just(bank) if bank is not None else st.sampled_from(banks)
    return st.tuples(banks_strategy, st.integers(1, 9_999_999)).map(build)


def references(scheme: Literal["SPY", "ISO"] | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """(reference, scheme): a Finnish reference (7-3-1) or an RF creditor reference."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, str]:
        chosen = draw(st.just(scheme) if scheme else st.sampled_from(("SPY", "ISO")))
        national = make_fi_reference(str(draw(st.integers(100, 10**15))))
        if chosen == "ISO":
            return make_rf_reference(national), "ISO"
        if draw(st.booleans()):
            national = national.zfill(20)  # Finvoice files often pad to 20 digits
        return national, "SPY"

    return build()


# --------------------------------------------------------------------------
# Invoice content
# --------------------------------------------------------------------------

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
) -> InvoiceSpec:
    """The data of a valid Finvoice invoice, before it is written as XML.

    `None` for `version`, `channel`, `language` or `encoding` draws any
    supported value. `terms_due` / `fine` force (True) or forbid (False) a
    payment-terms due date and a late-payment interest clause.
    """
    sending = _today(today)
    chosen_version = draw(_pick(version, VERSIONS))
    chosen_channel = Channel(draw(_pick(Channel(channel).value if channel else None, CHANNELS)))
    lang = draw(_pick(language, LANGUAGES))
    chosen_encoding = draw(_pick(encoding, ENCODINGS))

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
    want_fine = draw(st.booleans()) if fine is None else fine
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
        if chosen_version == "3.0" and draw(st.integers(0, 4)) == 0
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


def finvoice_invoices(
    version: str | None = "3.0",
    channel: Channel | str | None = None,
    language: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
) -> st.SearchStrategy[tuple[bytes, Invoice]]:
    """(xml bytes, expected normalised invoice) of schema-valid Finvoice invoices.

    Each one routes with no finding at all under settings from
    `settings_files(today=today)`: every identifier validates, the rows add up,
    the due date is at least four banking days ahead and a banking day.

    `version`: "1.3", "2.0", "2.01", "3.0" or None (any). `channel`: "b2b",
    "b2c-netbank", "b2c-other" or None. `language`: "fi", "sv", "en" or None.
    `encoding`: "UTF-8", "ISO-8859-15", "ISO-8859-1" or None. `today`: the
    sending date the due dates are relative to (default: today in Helsinki).
    """
    return invoice_specs(version, channel, language, encoding, today).map(
        lambda spec: (render(spec), expected(spec))
    )


# --------------------------------------------------------------------------
# Settings and assignments
# --------------------------------------------------------------------------


def _email(local: str, name: str) -> str:
    slug = "".join(
        c for c in name.lower().replace(" ", "-") if (c.isascii() and c.isalnum()) or c == "-"
    )
    return f"{local}@{slug.strip('-') or 'yritys'}.example.fi"


_NOTES: Final[dict[str, str]] = {
    "fi": "Saatava on siirretty Visma Amili Finland Oy:lle. Maksu vain tilille {iban}.",
    "sv": "Fordran har överlåtits till Visma Amili Finland Oy. Betala endast till {iban}.",
    "en": "This receivable has been assigned to Visma Amili Finland Oy. Pay only to {iban}.",
}


@st.composite
def settings_files(
    draw: st.DrawFn,
    status: Literal["ACTIVE", "PENDING", "DISABLED"] | None = "ACTIVE",
    today: date | None = None,
    *,
    accountable_party: Literal["vfsfi", "company"] | None = None,
    si_change_sent: bool = True,
    due_date_rule: Literal["calendar-3", "banking-4"] | None = None,
    service_levels: dict[str, list[str]] | None = None,
) -> JSON:
    """The activation settings JSON (as `GET /v2/services/amili/receivables` returns it,
    with the toolkit's own keys), as a dict ready for `json.dumps`.

    With the defaults, a valid generated invoice routes under them with no
    finding: the service was activated long enough ago for consumer invoices,
    the SI message has been sent, and the service-level groups hold no
    generated buyer. Pass `service_levels` to put buyers in a group.
    """
    sending = _today(today)
    chosen_status = draw(_pick(status, ("ACTIVE", "PENDING", "DISABLED")))
    company = draw(company_names())
    own = draw(finnish_accounts())
    service = draw(finnish_accounts())
    bank = next(b.name for b in data.BANKS if b.bic == own.bic)
    postcode, town = draw(st.sampled_from(data.POSTCODES))
    street = f"{draw(st.sampled_from(data.STREETS))} {draw(st.integers(1, 90))}"
    transition = draw(st.sampled_from((None, 5, 7)))
    activated = sending - timedelta(days=draw(st.integers(transition or 5, 400)))
    phone = f"+358{draw(st.sampled_from(('40', '50', '44', '9')))}{draw(st.integers(1_000_000, 9_999_999))}"
    result: JSON = {
        "iban": own.iban,
        "bic": own.bic,
        "bank": bank,
        "contact_person": draw(person_names()),
        "contact_email": _email("talous", company),
        "contact_phone_number": phone,
        "authorization_email": _email("hyvaksynta", company),
        "accountable_party": draw(_pick(accountable_party, ("vfsfi", "company"))),
        "service_type": draw(st.sampled_from(("full", "express"))),
        "customer_service_email": _email("reskontra", company),
        "customer_service_phone_number": phone,
        "billing_address": {
            "country": "FI",
            "streets": [street],
            "city": town.title(),
            "zip_code": postcode,
        },
        "postal_address": {
            "country": "FI",
            "streets": [street],
            "city": town.title(),
            "zip_code": postcode,
        },
        "status": chosen_status,
        "vfsfi": {
            "iban": service.iban,
            "bic": service.bic,
            "account_number": draw(st.sampled_from(("", f"{draw(st.integers(10000, 99999))}"))),
            "notes": [
                {"phrase": _NOTES[code].format(iban=service.iban), "code": code}
                for code in draw(st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=3))
            ],
        },
        "activated_on": activated.isoformat(),
        "payee_name": "Visma Amili Finland Oy",
        "si_change_sent": si_change_sent,
    }
    if transition is not None:
        result["consumer_transition_days"] = transition
    rule = due_date_rule or draw(st.sampled_from((None, "calendar-3", "banking-4")))
    if rule is not None:
        result["due_date_rule"] = rule
    if service_levels is not None:
        result["service_levels"] = service_levels
    elif draw(st.booleans()):
        ids = business_ids(*_SERVICE_LEVEL_IDS)
        result["service_levels"] = {
            "vip": draw(st.lists(ids, max_size=2)),
            "premium": draw(st.lists(ids, max_size=2)),
        }
    return result


def _uuid(n: int) -> str:
    digits = f"{n:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _stamp(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def _event(kind: str, day: date, hour: int, n: int, **payload: Any) -> JSON:
    return {
        "id": _uuid(n),
        "type": kind,
        "data": payload,
        "party_id": "maventa" if kind == "delivery_status" else _uuid(n + 1),
        "seens": [],
        "created_at": _stamp(day, hour),
        "happened_at": _stamp(day, hour),
    }


BlockingKind = Literal[
    "open", "open-delivered", "open-paid", "open-credited", "closed-paid", "partially-closed"
]
FreeKind = Literal["other-date", "closed-unpaid", "open-delivery-failed"]
BLOCKING_KINDS: Final[tuple[str, ...]] = (
    "open",
    "open-delivered",
    "open-paid",
    "open-credited",
    "closed-paid",
    "partially-closed",
)
FREE_KINDS: Final[tuple[str, ...]] = ("other-date", "closed-unpaid", "open-delivery-failed")


def assignment(number: str, issued_at: date, kind: str, n: int = 1) -> JSON:
    """One assignment as `GET /v1/assignments` returns it, in a state named by `kind`.

    Blocking kinds make a new invoice with the same number and date a
    `duplicate-number` error; free kinds are SPEC §4's three exceptions.
    """
    issued = issued_at - timedelta(days=400) if kind == "other-date" else issued_at
    status = {
        "closed-paid": "closed",
        "closed-unpaid": "closed",
        "partially-closed": "partially_closed",
    }
    events: list[JSON] = []
    sent = issued + timedelta(days=1)
    if kind in ("open-delivered", "open-paid", "open-credited", "closed-paid", "partially-closed"):
        events.append(_event("delivery_status", sent, 8, n * 10, status="DELIVERED"))
    if kind == "open-delivery-failed":
        events.append(_event("delivery_status", sent, 8, n * 10, status="DELIVERED"))
        events.append(_event("delivery_status", sent, 9, n * 10 + 2, status="FAILED"))
    if kind in ("open-paid", "closed-paid", "partially-closed"):
        events.append(
            _event(
                "paid",
                sent + timedelta(days=5),
                12,
                n * 10 + 4,
                sum_paid=10.0,
                booked_at=(sent + timedelta(days=5)).isoformat(),
                archive_number=f"{n:014d}",
            )
        )
    if kind == "open-credited":
        events.append(_event("credit_note", sent + timedelta(days=3), 10, n * 10 + 6))
    return {
        "id": _uuid(n),
        "status": status.get(kind, "open"),
        "collection_status": "unknown",
        "service_level": "default",
        "debtor": {"name": "Asiakas Oy"},
        "due_date": (issued + timedelta(days=14)).isoformat(),
        "issued_at": issued.isoformat(),
        "number": number,
        "sum": 124.0,
        "paid": 10.0 if kind in ("open-paid", "closed-paid", "partially-closed") else 0,
        "currency": "EUR",
        "created_at": _stamp(issued, 7),
        "partially_closed_at": None,
        "updated_at": _stamp(issued, 7),
        "closed_at": None,
        "reference_ids": [{"type": "number", "value": make_fi_reference(f"{n + 100}")}],
        "events": events,
    }


@st.composite
def assignments_json(
    draw: st.DrawFn,
    number: str | None = None,
    issued_at: date | None = None,
    blocking: bool | None = None,
) -> list[JSON]:
    """The Receivables API assignments JSON (a list), for the duplicate-number rule.

    Without `number`: assignments for other invoice numbers only (numbers
    `ASG-…`, which the invoice strategies never write). With `number` and
    `issued_at`: `blocking=True` adds at least one assignment that makes that
    invoice a duplicate; `blocking=False` adds only assignments the service lets
    a new invoice pass (another date, closed unpaid, open with failed delivery).
    """
    day = issued_at or date(2026, 1, 2)
    serial = iter(range(1, 10**6))
    items = [
        assignment(f"ASG-{draw(st.integers(1, 99999))}", day, kind, next(serial))
        for kind in draw(st.lists(st.sampled_from(BLOCKING_KINDS + FREE_KINDS), max_size=3))
    ]
    if number is not None:
        free = draw(st.lists(st.sampled_from(FREE_KINDS), max_size=3))
        blockers = (
            draw(st.lists(st.sampled_from(BLOCKING_KINDS), min_size=1, max_size=2))
            if (blocking if blocking is not None else draw(st.booleans()))
            else []
        )
        items += [assignment(number, day, kind, next(serial)) for kind in [*free, *blockers]]
    return draw(st.permutations(items))


# --------------------------------------------------------------------------
# Cases: an invoice together with what it is checked against
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """An invoice, its expected reading, and the inputs of its check."""

    spec: InvoiceSpec
    settings: JSON
    today: date
    assignments: list[JSON] | None = None
    xml: bytes = dataclasses.field(init=False)
    expected: Invoice = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "xml", render(self.spec))
        object.__setattr__(self, "expected", expected(self.spec))

    def check(self) -> CheckResult:
        """`kassavirta.check_bytes` of the invoice under this case's settings, today and assignments."""
        from kassavirta import check_bytes
        from kassavirta.config.settings import settings_from_mapping
        from kassavirta.erp.assignments import parse_assignments

        return check_bytes(
            self.xml,
            settings_from_mapping(self.settings),
            self.today,
            assignments=parse_assignments(self.assignments) if self.assignments else None,
        )


@dataclass(frozen=True)
class DefectiveInvoice:
    """An invoice with exactly one defect, and the valid invoice it was made from."""

    rule: str
    """The finding slug the defect must produce (and, for a send error, the only reason)."""
    kind: Literal["send-error", "warning"]
    defective: Case
    valid: Case
    """Routes with no finding under its own settings and assignments."""

    @property
    def xml(self) -> bytes:
        return self.defective.xml

    @property
    def expected(self) -> Invoice:
        return self.defective.expected

    @property
    def settings(self) -> JSON:
        return self.defective.settings

    @property
    def assignments(self) -> list[JSON] | None:
        return self.defective.assignments

    @property
    def today(self) -> date:
        return self.defective.today

    def check(self) -> CheckResult:
        return self.defective.check()


@st.composite
def routable_invoices(
    draw: st.DrawFn,
    version: str | None = "3.0",
    channel: Channel | str | None = None,
    language: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
) -> Case:
    """A valid invoice with ACTIVE settings (and unrelated assignments) it routes under."""
    sending = _today(today)
    spec = draw(invoice_specs(version, channel, language, encoding, sending))
    settings = draw(settings_files("ACTIVE", sending))
    assignments = draw(st.none() | assignments_json(spec.number, spec.issue_date, blocking=False))
    return Case(spec=spec, settings=settings, today=sending, assignments=assignments)


@dataclass(frozen=True)
class _Env:
    settings: JSON
    assignments: list[JSON] | None


Defect = Callable[[st.DrawFn, InvoiceSpec, _Env, date], tuple[InvoiceSpec, _Env]]
SpecChange = Callable[[st.DrawFn, InvoiceSpec, date], InvoiceSpec]


def _spec_only(change: SpecChange) -> Defect:
    """A defect in the invoice alone: the settings and assignments stay as they were."""

    def defect(
        draw: st.DrawFn, spec: InvoiceSpec, env: _Env, today: date
    ) -> tuple[InvoiceSpec, _Env]:
        return change(draw, spec, today), env

    return defect


def _set_due(spec: InvoiceSpec, due: date) -> InvoiceSpec:
    return rebarcode(
        replace(spec, due_date=due, terms_due_date=due if spec.terms_due_date else None)
    )


def _address_incomplete(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    address = spec.buyer.address
    assert address is not None
    how = draw(st.sampled_from(("no-address", "short-postcode", "long-postcode", "letters")))
    if how == "no-address":
        return replace(spec, buyer=replace(spec.buyer, address=None))
    postcode = {
        "short-postcode": address.postcode[:4],
        "long-postcode": address.postcode + "0",
        "letters": f"FI-{address.postcode}",
    }[how]
    return replace(
        spec, buyer=replace(spec.buyer, address=replace(address, postcode=postcode, country="FI"))
    )


def _too_soon(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # A banking day (else due-date-weekend fires too) at most two days ahead, or past.
    days = [today + timedelta(days=d) for d in range(-30, 3)]
    return _set_due(spec, draw(st.sampled_from([d for d in days if is_business_day(d)])))


def _sum_mismatch(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    index = draw(st.integers(0, len(spec.rows) - 1))
    delta = Decimal(draw(st.integers(1, 10_000))) / 100 * draw(st.sampled_from((1, -1)))
    rows = list(spec.rows)
    rows[index] = replace(rows[index], amount=rows[index].amount + delta)
    return replace(spec, rows=tuple(rows))


def _iban_invalid(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # Only the payment account: a seller account with the same IBAN keeps the right one.
    from stdnum import iban as stdnum_iban

    iban = spec.payment.iban
    shift = draw(st.integers(1, 96))
    wrong = f"{iban[:2]}{(int(iban[2:4]) + shift) % 100:02d}{iban[4:]}"
    while stdnum_iban.is_valid(wrong):  # 00/01/98/99 can wrap onto another valid pair
        shift += 1
        wrong = f"{iban[:2]}{(int(iban[2:4]) + shift) % 100:02d}{iban[4:]}"
    return replace(spec, payment=replace(spec.payment, iban=wrong))


def _bic_invalid(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # Nine or ten characters: never a BIC, but its bank part still matches the IBAN's
    # bank, so iban-bic-mismatch does not fire as well.
    tail = draw(st.sampled_from(("1", "12", "X")))
    return replace(spec, payment=replace(spec.payment, bic=spec.payment.bic[:8] + tail))


def _iban_bic_mismatch(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    other = draw(st.sampled_from([b for b in data.BANKS if b.bic[:6] != spec.payment.bic[:6]]))
    return replace(spec, payment=replace(spec.payment, bic=other.bic))


def _reference_invalid(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    reference = spec.reference
    if spec.reference_scheme == "ISO":
        good = int(reference[2:4])
        check = draw(st.sampled_from([c for c in range(2, 99) if c != good]))
        wrong = f"RF{check:02d}{reference[4:]}"
    else:
        wrong = reference[:-1] + str((int(reference[-1]) + draw(st.integers(1, 9))) % 10)
    return replace(spec, reference=wrong)


def _business_id_invalid(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    assert spec.seller.business_id is not None
    wrong = invalid_business_id(spec.seller.business_id)
    return replace(spec, seller=replace(spec.seller, business_id=wrong))


def _service_level(
    draw: st.DrawFn, spec: InvoiceSpec, env: _Env, today: date
) -> tuple[InvoiceSpec, _Env]:
    """The settings put one business ID in a group; the defect makes it the buyer's."""
    level = draw(st.sampled_from(("vip", "premium", "service_bypass")))
    member = draw(business_ids(*_SERVICE_LEVEL_IDS))
    settings = {**env.settings, "service_levels": {level: [member]}}
    buyer = replace(spec.buyer, business_id=member)
    return replace(spec, buyer=buyer), _Env(settings, env.assignments)


def _weekend(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    start = max(spec.due_date, today + timedelta(days=10))
    days = [start + timedelta(days=d) for d in range(40)]
    return _set_due(spec, draw(st.sampled_from([d for d in days if not is_business_day(d)])))


def _conflict(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    days = [spec.due_date + timedelta(days=d) for d in range(-20, 21) if d]
    choices = [d for d in days if is_business_day(d) and d > spec.issue_date]
    return rebarcode(replace(spec, due_date=draw(st.sampled_from(choices))))


def _instructed(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    delta = Decimal(draw(st.integers(1, 10_000))) / 100
    return replace(spec, instructed=spec.instructed - delta)


def _credit_note(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    rows = draw(invoice_rows(credit=True))
    lang = (spec.language or "fi").lower()
    text = data.TYPE_TEXTS.get(lang, data.TYPE_TEXTS["fi"])[1]
    return with_totals(replace(spec, type_code="INV02", type_text=text, paid=None), rows)


def _duplicate(
    draw: st.DrawFn, spec: InvoiceSpec, env: _Env, today: date
) -> tuple[InvoiceSpec, _Env]:
    """The invoice stays as it is; an assignment that blocks its number joins the JSON."""
    blocking = draw(assignments_json(spec.number, spec.issue_date, blocking=True))
    return spec, _Env(env.settings, blocking)


def _consumer_si(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # A paper consumer invoice becomes a netbank e-invoice by its payment instruction id.
    return replace(spec, instruction_id=str(draw(st.integers(10**15, 10**16 - 1))))


def _language(value: str | None) -> SpecChange:
    def change(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
        code = value if value is not None else draw(st.sampled_from(("DE", "ET", "RU")))
        return replace(spec, language=code or None)

    return change


def _no_fine_percent(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    return replace(spec, fine_percent=None)


@dataclass(frozen=True)
class _Recipe:
    defect: Defect
    channel: str | None = None
    terms_due: bool | None = None
    fine: bool | None = None
    si_change_sent: bool = True


_RECIPES: Final[dict[str, _Recipe]] = {
    "address-incomplete": _Recipe(_spec_only(_address_incomplete)),
    "duplicate-number": _Recipe(_duplicate),
    "due-date-too-soon": _Recipe(_spec_only(_too_soon)),
    "sum-mismatch": _Recipe(_spec_only(_sum_mismatch)),
    "iban-invalid": _Recipe(_spec_only(_iban_invalid)),
    "bic-invalid": _Recipe(_spec_only(_bic_invalid)),
    "iban-bic-mismatch": _Recipe(_spec_only(_iban_bic_mismatch)),
    "reference-invalid": _Recipe(_spec_only(_reference_invalid)),
    "business-id-invalid": _Recipe(_spec_only(_business_id_invalid)),
    "language-defaulted": _Recipe(_spec_only(_language(""))),
    "language-unsupported": _Recipe(_spec_only(_language(None))),
    "service-level": _Recipe(_service_level, channel="b2b"),
    "interest-not-in-xml": _Recipe(_spec_only(_no_fine_percent), fine=True),
    "consumer-si-message": _Recipe(
        _spec_only(_consumer_si), channel="b2c-other", si_change_sent=False
    ),
    "due-date-weekend": _Recipe(_spec_only(_weekend)),
    "due-date-conflict": _Recipe(_spec_only(_conflict), terms_due=True),
    "instructed-amount-mismatch": _Recipe(_spec_only(_instructed)),
    "credit-note": _Recipe(_spec_only(_credit_note)),
}

DEFECT_RULES: Final[tuple[str, ...]] = tuple(_RECIPES)
"""Every rule slug `defective_invoices` can trigger: each send error and each warning."""


def defective_invoices(
    rule: str | None = None,
    version: str | None = "3.0",
    language: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
    channel: Channel | str | None = None,
) -> st.SearchStrategy[DefectiveInvoice]:
    """Invoices that differ from a valid one by exactly the defect that triggers `rule`.

    Send errors (`address-incomplete`, `due-date-too-soon`, `duplicate-number`
    (the defect is in the assignments JSON), `sum-mismatch`): the check decides
    `error` with `reasons == [rule]`. Warnings (every other slug of
    `kassavirta.rules.RULE_SLUGS`): the check routes and `rule` is the only
    warning. `rule=None` draws any of them. Rules that need a particular
    channel (`service-level`: b2b, `consumer-si-message`: a consumer invoice)
    ignore `channel`.
    """
    known = set(_RECIPES)
    missing = sorted((set(SEND_ERRORS) | set(WARNINGS)) - known)
    if missing:  # a rule was added to kassavirta.rules without a defect here
        raise NotImplementedError(f"no defect known for rule(s) {', '.join(missing)}")
    if rule is not None and rule not in known:
        raise ValueError(f"unknown rule {rule!r}; known: {', '.join(DEFECT_RULES)}")
    sending = _today(today)

    @st.composite
    def build(draw: st.DrawFn) -> DefectiveInvoice:
        slug = draw(_pick(rule, DEFECT_RULES))
        recipe = _RECIPES[slug]
        spec = draw(
            invoice_specs(
                version,
                recipe.channel or channel,
                language,
                encoding,
                sending,
                terms_due=recipe.terms_due,
                fine=recipe.fine,
            )
        )
        settings = draw(settings_files("ACTIVE", sending, si_change_sent=recipe.si_change_sent))
        assignments = draw(
            st.none() | assignments_json(spec.number, spec.issue_date, blocking=False)
        )
        env = _Env(settings, assignments)
        bad_spec, bad_env = recipe.defect(draw, spec, env, sending)
        valid_env = env if slug != "service-level" else bad_env
        return DefectiveInvoice(
            rule=slug,
            kind="send-error" if slug in SEND_ERRORS else "warning",
            defective=Case(bad_spec, bad_env.settings, sending, bad_env.assignments),
            valid=Case(spec, valid_env.settings, sending, valid_env.assignments),
        )

    return build()


__all__ = [
    "BLOCKING_KINDS",
    "CHANNELS",
    "DEFECT_RULES",
    "ENCODINGS",
    "FREE_KINDS",
    "LANGUAGES",
    "SEND_ERRORS",
    "VERSIONS",
    "WARNINGS",
    "Case",
    "DefectiveInvoice",
    "addresses",
    "assignment",
    "assignments_json",
    "business_ids",
    "company_names",
    "defective_invoices",
    "finnish_accounts",
    "finvoice_invoices",
    "invoice_rows",
    "invoice_specs",
    "person_names",
    "references",
    "routable_invoices",
    "settings_files",
]
