"""The four send errors: the service refuses the invoice and does not send it.

Messages are the service's own words (SPEC §2), `{…}` filled from the invoice,
except `sum-mismatch`: the guide publishes no text for that rule, so its message
is ours, in the same SEND ERROR frame, and its detail says so. `detail` says in
our words what exactly failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from kassavirta.findings import Finding, Severity, amount_text
from kassavirta.finnish.businessdays import business_days_between
from kassavirta.model import Address
from kassavirta.rules.base import RuleContext, finding

PREFIX = "SEND ERROR (REASON: RECEIVABLES-SERVICE: "
ADDRESS_MESSAGE = PREFIX + "Postal code for {place} not found (code #5))."
"""SPEC's `Postal code for {TOWN} {POSTCODE} not found`, `place` being the town and the
postcode that are filled: an empty one leaves no double space."""
DUE_DATE_MESSAGE = (
    PREFIX
    + "The due date for the invoice is within three (3) days or has already passed (code #13))."
)
DUPLICATE_MESSAGE = (
    PREFIX + "An assignment for this invoice number {number} already exists and is still open. "
    "If you want to open a new assignment for this invoice number, you must first cancel the "
    "existing one (code #6))."
)
SUM_MESSAGE = (
    PREFIX + "The sum of the invoice rows {rows} does not match the invoice total {total})."
)
"""Our wording (SPEC §2): the guide names the rule but publishes no message for it."""
SUM_WORDING = "The wording of this message is ours: the service guide publishes none for this rule."

_FI_POSTCODE = re.compile(r"^[0-9]{5}$")
TOLERANCE = Decimal("0.01")
"""The sum rule's allowance per counted row and per document-level line (SPEC §2)."""


def country_of(ctx: RuleContext, address: Address) -> str:
    """The address's country, else the settings' default country (FI)."""
    default_country = ctx.settings.default_country if ctx.settings else "FI"
    return (address.country or default_country).upper()


def finnish_postcode(ctx: RuleContext, address: Address) -> bool:
    """A Finnish address whose postcode has the form the directory is looked up with."""
    return country_of(ctx, address) == "FI" and bool(_FI_POSTCODE.match(address.postcode or ""))


def postal_codes_strict(ctx: RuleContext) -> bool:
    return bool(ctx.settings and ctx.settings.postal_codes_strict)


def town_mismatch(ctx: RuleContext, postcode: str, town: str) -> str | None:
    """Why `town` is not a name of the (known) Finnish `postcode`, or None when it is."""
    if ctx.directory.matches(postcode, town):
        return None
    known = ", ".join(ctx.directory.names(postcode))
    return f"the postal-code directory knows {postcode} as {known}, not {town}"


def address_incomplete(ctx: RuleContext) -> Iterator[Finding]:
    """#5: the buyer postal address lacks street, postcode or town, or the postcode is wrong."""
    inv = ctx.invoice
    address = inv.buyer.address
    problems: list[str] = []
    at: tuple[str, ...] = ("buyer.address", "buyer")
    if address is None or not address.present:
        problems.append("the buyer has no postal address")
        town = postcode = ""
    else:
        town = address.town or ""
        postcode = address.postcode or ""
        country = country_of(ctx, address)
        if not address.streets:
            problems.append("the buyer address has no street")
            at = ("buyer.address",)
        if not town:
            problems.append("the buyer address has no town")
            at = ("buyer.address",)
        if not postcode:
            problems.append("the buyer address has no postcode")
            at = ("buyer.address",)
        elif country == "FI" and not _FI_POSTCODE.match(postcode):
            problems.append(f"the Finnish postcode {postcode!r} is not exactly five digits")
            at = ("buyer.address.postcode",)
        elif country == "FI" and postcode not in ctx.directory:
            problems.append(
                f"the postcode {postcode} is not in the Finnish postal-code directory "
                f"({ctx.directory.sources})"
            )
            at = ("buyer.address.postcode",)
        elif country == "FI" and town and postal_codes_strict(ctx):
            mismatch = town_mismatch(ctx, postcode, town)
            if mismatch:
                problems.append(mismatch + " (postal_codes_strict)")
                at = ("buyer.address.town", "buyer.address.postcode")
    if problems:
        place = " ".join(p.strip() for p in (town, postcode) if p.strip())
        yield finding(
            ctx,
            "address-incomplete",
            ADDRESS_MESSAGE.format(place=place).replace("for  not", "for not"),
            at=at,
            value=place or None,
            detail="; ".join(problems) + ". Complete the buyer's street, postcode and town.",
            service_code=5,
            severity=Severity.ERROR,
        )


def due_date_too_soon(ctx: RuleContext) -> Iterator[Finding]:
    """#13: no due date, or less than three days (or four banking days) ahead.

    A manual assignment needs only "a due date in the future" (the guide's words
    for `prevent_routing`): it is not sent, so there is no three-day rule.
    """
    inv = ctx.invoice
    if inv.is_credit_note:
        return
    due = inv.due_date
    rule = ctx.settings.due_date_rule if ctx.settings else "calendar-3"
    if due is None:
        detail = "the invoice has no due date"
    elif ctx.manual_assignment:
        if due > ctx.today:
            return
        detail = (
            f"the due date {due.isoformat()} is not after {ctx.today.isoformat()}; a manual "
            "assignment needs a due date in the future"
        )
    elif rule == "banking-4":
        days = business_days_between(ctx.today, due)
        if days >= 4:
            return
        detail = (
            f"the due date {due.isoformat()} is {days} banking day(s) after {ctx.today.isoformat()}; "
            "the service needs at least 4"
        )
    else:
        days = (due - ctx.today).days
        if days >= 3:
            return
        detail = (
            f"the due date {due.isoformat()} has already passed"
            if days < 0
            else f"the due date {due.isoformat()} is {days} day(s) after {ctx.today.isoformat()}; "
            "the service needs at least 3"
        )
    yield finding(
        ctx,
        "due-date-too-soon",
        DUE_DATE_MESSAGE,
        at=("due_date", "payment.due_date", "details"),
        value=due.isoformat() if due else None,
        detail=detail + ". Create a new invoice with a later due date.",
        service_code=13,
        severity=Severity.ERROR,
    )


def duplicate_finding(
    number: str, blockers: Iterable[str], *, line: int | None, xpath: str | None
) -> Finding:
    """#6 naming what the number collides with; the in-run rule (`pipeline.duplicates`) uses it too."""
    return Finding(
        rule="duplicate-number",
        severity=Severity.ERROR,
        service_code=6,
        message=DUPLICATE_MESSAGE.format(number=number),
        detail="collides with "
        + "; ".join(blockers)
        + ". Give the invoice a new number, or cancel the existing assignment first.",
        line=line,
        xpath=xpath,
        value=number,
    )


def duplicate_number(ctx: RuleContext) -> Iterator[Finding]:
    """#6: an assignment with this number and invoice date exists and blocks a new one."""
    inv = ctx.invoice
    if inv.number is None or inv.issue_date is None:
        return
    blockers = ctx.assignments.described_blockers(inv.number, inv.issue_date)
    if blockers:
        where = inv.where("number")
        yield duplicate_finding(inv.number, blockers, line=where.line, xpath=where.xpath)


def sum_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """Σ rows + document-level charges − allowances + rounding = the VAT-included total.

    Every format alike (SPEC §2): the rows the format's own total counts, each VAT
    included (else VAT excluded + its VAT, given or at its rate); the document-level
    charges and allowances, each with its VAT; for UBL and CII, whose line VAT is
    computed per line, the part of the tax total no row or charge carries
    (`rows_adjustment`); and the rounding. The total may differ by less than 0.01
    per counted row and document-level line. `sum_rule = "rows-only"` (the guide's
    literal words) adds the rows and the rounding alone.
    """
    inv = ctx.invoice
    if inv.total is None:
        return
    rows = inv.counted_amounts
    if not rows:
        return
    rows_only = ctx.settings is not None and ctx.settings.sum_rule == "rows-only"
    charges = [] if rows_only else inv.counted_charges
    rows_sum = sum(rows, Decimal(0))
    added = sum((c.signed or Decimal(0) for c in charges if not c.allowance), Decimal(0))
    taken = -sum((c.signed or Decimal(0) for c in charges if c.allowance), Decimal(0))
    adjustment = None if rows_only else inv.rows_adjustment
    rounding = inv.rounding or Decimal(0)
    summed = rows_sum + added - taken + (adjustment or Decimal(0))
    computed = summed + rounding
    tolerance = TOLERANCE * (len(rows) + len(charges))
    difference = inv.total - computed
    if abs(difference) < tolerance:
        return
    terms = [f"rows {amount_text(rows_sum)} ({len(rows)} row{'s' if len(rows) != 1 else ''})"]
    if rows_only:
        terms.append(f"+ rounding {amount_text(rounding)}")
    else:
        terms += [f"+ charges {amount_text(added)}", f"- allowances {amount_text(taken)}"]
        if adjustment is not None:
            terms.append(f"+ tax total not on rows or charges {amount_text(adjustment)}")
        terms.append(f"+ rounding {amount_text(rounding)}")
    left_out = (
        f' (sum_rule "rows-only": {len(inv.counted_charges)} document-level charge(s) and '
        "allowance(s) not counted)"
        if rows_only and inv.counted_charges
        else ""
    )
    yield finding(
        ctx,
        "sum-mismatch",
        SUM_MESSAGE.format(rows=amount_text(summed), total=amount_text(inv.total)),
        at=("total",),
        value=amount_text(inv.total),
        detail=(
            f"{' '.join(terms)} = {amount_text(computed)}{left_out}, but the VAT-included total is "
            f"{amount_text(inv.total)} (difference {amount_text(difference)}; less than {amount_text(tolerance)} "
            "is allowed: 0.01 per row and document-level line). " + SUM_WORDING
        ),
        severity=Severity.ERROR,
    )
