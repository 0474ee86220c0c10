"""One defect per rule: the smallest change that makes a valid invoice trigger it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st

from kassavirta.finnish.businessdays import is_business_day
from kassavirta.finnish.postcodes import shipped_directory
from kassavirta.formats.finvoice.write import InvoiceSpec
from kassavirta.model import Channel
from kassavirta.testing import data
from kassavirta.testing.strategies.assignments import assignments_json
from kassavirta.testing.strategies.cases import Case, DefectiveInvoice
from kassavirta.testing.strategies.common import (
    JSON,
    NOTES,
    SEND_ERRORS,
    SERVICE_LEVEL_IDS,
    WARNINGS,
    pick,
    today_or_helsinki,
)
from kassavirta.testing.strategies.identifiers import business_ids, invalid_business_id
from kassavirta.testing.strategies.invoices import (
    invoice_rows,
    invoice_specs,
    rebarcode,
    with_totals,
)
from kassavirta.testing.strategies.settings import settings_files

__all__ = ["DEFECT_RULES", "defective_invoices"]


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
    how = draw(
        st.sampled_from(("no-address", "short-postcode", "long-postcode", "letters", "unknown"))
    )
    if how == "no-address":
        return replace(spec, buyer=replace(spec.buyer, address=None))
    postcode = {
        "short-postcode": address.postcode[:4],
        "long-postcode": address.postcode + "0",
        "letters": f"FI-{address.postcode}",
        "unknown": "00000",  # five digits, but no Finnish postcode
    }[how]
    return replace(
        spec, buyer=replace(spec.buyer, address=replace(address, postcode=postcode, country="FI"))
    )


def _postcode_town_mismatch(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    """The town of another real postcode: the postcode exists, the town is not one of its names."""
    address = spec.buyer.address
    assert address is not None
    directory = shipped_directory()
    towns = [t for _, t in data.POSTCODES if not directory.matches(address.postcode, t)]
    return replace(
        spec,
        buyer=replace(spec.buyer, address=replace(address, town=draw(st.sampled_from(towns)))),
    )


def _too_soon(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # A banking day (else due-date-weekend fires too) at most two days ahead, or past.
    days = [today + timedelta(days=d) for d in range(-30, 3)]
    return _set_due(spec, draw(st.sampled_from([d for d in days if is_business_day(d)])))


def _sum_mismatch(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # The rule allows less than a cent per row, so the smallest defect is a cent per row.
    index = draw(st.integers(0, len(spec.rows) - 1))
    cents = draw(st.integers(len(spec.rows), 10_000))
    delta = Decimal(cents) / 100 * draw(st.sampled_from((1, -1)))
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
    member = draw(business_ids(*SERVICE_LEVEL_IDS))
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


def _business_id_missing(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # The buyer keeps only its Finnish VAT code: FI + the business ID's digits.
    assert spec.buyer.business_id is not None
    vat = f"FI{spec.buyer.business_id.replace('-', '')}"
    return replace(spec, buyer=replace(spec.buyer, business_id=None, vat_code=vat))


def _currency_case(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    return replace(spec, currency=draw(st.sampled_from(("eur", "Eur", "eUR"))))


def _no_interest(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    return replace(spec, fine_percent=None, fine_text=None)


def _prepaid(draw: st.DrawFn, spec: InvoiceSpec, today: date) -> InvoiceSpec:
    # In full (nothing open, no reminders) or in part (the open amount is shown).
    cents = int(spec.total * 100)
    paid = spec.total if draw(st.booleans()) else Decimal(draw(st.integers(1, cents))) / 100
    return rebarcode(replace(spec, paid=paid, instructed=spec.total - paid))


def _transition(*, days_since: tuple[int, ...] | None) -> Defect:
    """A settings defect: activated 5 or 6 days ago, or with no activation date at all."""

    def defect(
        draw: st.DrawFn, spec: InvoiceSpec, env: _Env, today: date
    ) -> tuple[InvoiceSpec, _Env]:
        settings = {k: v for k, v in env.settings.items() if k != "consumer_transition_days"}
        if days_since is None:
            del settings["activated_on"]
        else:
            since = timedelta(days=draw(st.sampled_from(days_since)))
            settings["activated_on"] = (today - since).isoformat()
        return spec, _Env(settings, env.assignments)

    return defect


@dataclass(frozen=True)
class _Recipe:
    defect: Defect
    channel: str | None = None
    terms_due: bool | None = None
    fine: bool | None = None
    si_change_sent: bool = True
    version: str | None = None


_RECIPES: Final[dict[str, _Recipe]] = {
    "address-incomplete": _Recipe(_spec_only(_address_incomplete)),
    "duplicate-number": _Recipe(_duplicate),
    "due-date-too-soon": _Recipe(_spec_only(_too_soon)),
    "sum-mismatch": _Recipe(_spec_only(_sum_mismatch)),
    "postcode-town-mismatch": _Recipe(_spec_only(_postcode_town_mismatch)),
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
    "business-id-missing": _Recipe(_spec_only(_business_id_missing), channel="b2b"),
    "consumer-transition-uncertain": _Recipe(_transition(days_since=(5, 6)), channel="b2c-netbank"),
    "consumer-transition-unknown": _Recipe(_transition(days_since=None), channel="b2c-netbank"),
    "currency-code-case": _Recipe(_spec_only(_currency_case)),
    "interest-missing": _Recipe(_spec_only(_no_interest), fine=True),
    "prepaid": _Recipe(_spec_only(_prepaid), version="3.0"),
}

DEFECT_RULES: Final[tuple[str, ...]] = tuple(_RECIPES)
"""Every rule slug `defective_invoices` can trigger: each send error, warning and note."""


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
    `error` with `reasons == [rule]`. Warnings and notes (every other slug of
    `kassavirta.rules.RULE_SLUGS`): the check routes and `rule` is the only
    finding. `rule=None` draws any of them. Rules that need a particular
    channel (`service-level`, `business-id-missing`: b2b; `consumer-si-message`,
    `consumer-transition-*`: a consumer invoice) ignore `channel`, and `prepaid`
    ignores `version` (only Finvoice 3.0 has `InvoicePaidAmount`). The
    `consumer-transition-*` defects are in the settings, not in the invoice.
    """
    known = set(_RECIPES)
    missing = sorted((set(SEND_ERRORS) | set(WARNINGS) | set(NOTES)) - known)
    if missing:  # a rule was added to kassavirta.rules without a defect here
        raise NotImplementedError(f"no defect known for rule(s) {', '.join(missing)}")
    if rule is not None and rule not in known:
        raise ValueError(f"unknown rule {rule!r}; known: {', '.join(DEFECT_RULES)}")
    sending = today_or_helsinki(today)

    @st.composite
    def build(draw: st.DrawFn) -> DefectiveInvoice:
        slug = draw(pick(rule, DEFECT_RULES))
        recipe = _RECIPES[slug]
        spec = draw(
            invoice_specs(
                recipe.version or version,
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
            kind="send-error" if slug in SEND_ERRORS else "note" if slug in NOTES else "warning",
            defective=Case(bad_spec, bad_env.settings, sending, bad_env.assignments),
            valid=Case(spec, valid_env.settings, sending, valid_env.assignments),
        )

    return build()
