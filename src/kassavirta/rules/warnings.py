"""Warnings: worth fixing before sending, but they never change the decision."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from kassavirta.findings import Finding, amount_text
from kassavirta.finnish.bank import bic_problem, iban_answer
from kassavirta.finnish.business_id import grouping_id, implied_business_id
from kassavirta.finnish.business_id import is_valid as _valid_ytunnus
from kassavirta.finnish.businessdays import is_business_day
from kassavirta.finnish.reference import is_valid_reference, reference_scheme
from kassavirta.model import Channel
from kassavirta.rules.base import RuleContext, finding
from kassavirta.rules.send_errors import finnish_postcode, postal_codes_strict, town_mismatch

SUPPORTED_LANGUAGES = ("fi", "sv", "en")
GUIDE_MANDATORY_TRANSITION_DAYS = 7
"""The guide's other figure for the consumer transition ("a mandatory 7 days transition period",
its consumer section); its list of exceptions says 5, the default of `consumer_transition_days`."""
LEVEL_COST_NOTE = (
    "the guide: adding a customer to a VIP or PREMIUM group transfers the responsibility for "
    "monitoring assignments, preventing expirations, etc., to the sender; in some cases, this "
    "may incur additional costs"
)
_YTUNNUS_FORM = re.compile(r"^(FI)?[0-9]{6,7}-?[0-9]$", re.IGNORECASE)


def _path(ctx: RuleContext, name: str) -> str | None:
    """Where the invoice's format puts a field (`LANGUAGE`, `PENALTY_INTEREST` of its `paths.py`).

    None when the format has no element for it. Looked up only when a finding is
    about to name it.
    """
    from kassavirta.formats.registry import module_of

    path: str | None = module_of(ctx.invoice.format, "paths", name)
    return path


def _accounts(ctx: RuleContext) -> list[tuple[str, str | None, str | None, str]]:
    """(label, account, scheme, location key) for the payment and every seller account."""
    inv = ctx.invoice
    out = [("payment account", inv.payment.iban, inv.payment.iban_scheme, "payment.iban")]
    for n, acc in enumerate(inv.seller_accounts, start=1):
        out.append((f"seller account {n}", acc.account, acc.scheme, f"seller_accounts.{n}.account"))
    return out


def _bics(ctx: RuleContext) -> list[tuple[str, str | None, str]]:
    inv = ctx.invoice
    out = [("payment BIC", inv.payment.bic, "payment.bic")]
    for n, acc in enumerate(inv.seller_accounts, start=1):
        out.append((f"seller account {n} BIC", acc.bic, f"seller_accounts.{n}.bic"))
    return out


def postcode_town_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """A known Finnish postcode with a town the directory does not name for it.

    Only a warning: the directory (GeoNames) has one post-office name and the
    municipality for each code, and people write other true names (Swedish
    post-office names, villages). With `postal_codes_strict` the address rule
    makes it send error #5 instead.
    """
    address = ctx.invoice.buyer.address
    if address is None or not address.town or postal_codes_strict(ctx):
        return
    if not finnish_postcode(ctx, address) or address.postcode not in ctx.directory:
        return
    assert address.postcode is not None
    mismatch = town_mismatch(ctx, address.postcode, address.town)
    if mismatch:
        yield finding(
            ctx,
            "postcode-town-mismatch",
            f"The buyer's town {address.town} is not a name of the postcode {address.postcode}.",
            at=("buyer.address.town", "buyer.address.postcode"),
            value=f"{address.town} {address.postcode}",
            detail=f"{mismatch} ({ctx.directory.sources}). The service looks the pair up "
            "and may refuse it (code #5): check the address, or add the name to the "
            "postal_codes directory.",
        )


def iban_invalid(ctx: RuleContext) -> Iterator[Finding]:
    for label, account, scheme, key in _accounts(ctx):
        if not account or (scheme or "IBAN").upper() != "IBAN":
            continue
        problem = iban_answer(account)[0]
        if problem is not None:
            yield finding(
                ctx,
                "iban-invalid",
                f"The {label} {account} is not a valid IBAN.",
                at=(key,),
                value=account,
                detail=problem,
            )


def bic_invalid(ctx: RuleContext) -> Iterator[Finding]:
    for label, bic, key in _bics(ctx):
        if not bic:
            continue
        problem = bic_problem(bic)
        if problem is not None:
            yield finding(
                ctx,
                "bic-invalid",
                f"The {label} {bic} is not a valid BIC.",
                at=(key,),
                value=bic,
                detail=problem,
            )


def iban_bic_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """The BIC must be the bank the IBAN belongs to, where schwifty knows that bank."""
    inv = ctx.invoice
    pairs = [("payment", inv.payment.iban, inv.payment.iban_scheme, inv.payment.bic, "payment.bic")]
    for n, acc in enumerate(inv.seller_accounts, start=1):
        pairs.append(
            (f"seller account {n}", acc.account, acc.scheme, acc.bic, f"seller_accounts.{n}.bic")
        )
    for label, account, scheme, bic, key in pairs:
        if not account or not bic or (scheme or "IBAN").upper() != "IBAN":
            continue
        problem, expected = iban_answer(account)
        if problem is not None or expected is None:
            continue  # iban-invalid says so, or schwifty does not know the bank
        if expected[:6].upper() != bic.strip().upper()[:6]:
            yield finding(
                ctx,
                "iban-bic-mismatch",
                f"The {label} BIC {bic} is not the bank of {account} ({expected}).",
                at=(key,),
                value=bic,
                detail=f"{account} belongs to {expected}; the invoice says {bic}.",
            )


def reference_invalid(ctx: RuleContext) -> Iterator[Finding]:
    ref = ctx.invoice.payment.reference
    if not ref:
        return
    declared = (ctx.invoice.payment.reference_scheme or "").upper() or None
    scheme = declared if declared in ("SPY", "ISO") else reference_scheme(ref)
    if is_valid_reference(ref, scheme):
        return
    kind = "RF creditor reference (ISO 11649)" if scheme == "ISO" else "Finnish reference number"
    yield finding(
        ctx,
        "reference-invalid",
        f"The payment reference {ref} is not a valid {kind}.",
        at=("payment.reference",),
        value=ref,
        detail="Finnish references end in a 7-3-1 check digit; RF references carry ISO 11649 check digits.",
    )


def business_id_invalid(ctx: RuleContext) -> Iterator[Finding]:
    """Finnish business IDs (Y-tunnus) must carry a valid check digit; service levels group by them."""
    inv = ctx.invoice
    for label, party, key in (
        ("seller", inv.seller, "seller.business_id"),
        ("buyer", inv.buyer, "buyer.business_id"),
    ):
        bid = party.business_id
        if not bid:
            continue
        country = (party.address.country if party.address else None) or "FI"
        if country.upper() != "FI" and not _YTUNNUS_FORM.match(bid.strip()):
            continue
        if not _valid_ytunnus(bid.strip().upper().removeprefix("FI")):
            yield finding(
                ctx,
                "business-id-invalid",
                f"The {label}'s business ID {bid} is not a valid Finnish business ID.",
                at=(key,),
                value=bid,
                detail="A Y-tunnus is seven digits, a hyphen and a check digit (e.g. 2077474-0).",
            )


def business_id_missing(ctx: RuleContext) -> Iterator[Finding]:
    """Service levels group customers by business ID: a buyer with only a Finnish VAT code is
    looked up by the ID it implies, but the guide wants the ID itself in the XML."""
    buyer = ctx.invoice.buyer
    implied = None if buyer.business_id else implied_business_id(buyer.vat_code)
    if implied is None:
        return
    wrong = "" if _valid_ytunnus(implied) else f" ({implied} does not carry a valid check digit)"
    yield finding(
        ctx,
        "business-id-missing",
        f"The buyer has the VAT code {buyer.vat_code} but no business ID: the service groups "
        f"customers into service levels by business ID. Looked up here as {implied}.",
        at=("buyer.vat_code", "buyer"),
        value=buyer.vat_code,
        detail=f"Write the buyer's business ID {implied} in the invoice as well{wrong}; the "
        "guide asks for it to be correct in the invoice XML.",
    )


def language(ctx: RuleContext) -> Iterator[Finding]:
    code = ctx.invoice.language
    if not code:
        field = _path(ctx, "LANGUAGE")
        if field is None:
            return  # only Finvoice carries a recipient language code; nothing to fix elsewhere
        yield finding(
            ctx,
            "language-defaulted",
            "No recipient language code: reminders and collection letters will be in Finnish.",
            at=("buyer",),
            detail=f"Add {field} (FI, SV or EN).",
        )
    elif code.strip().lower() not in SUPPORTED_LANGUAGES:
        yield finding(
            ctx,
            "language-unsupported",
            f"The recipient language code {code} is not fi, sv or en: reminders will be in Finnish.",
            at=("language",),
            value=code,
        )


def service_level(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.settings is None:
        return
    bid = grouping_id(ctx.invoice.buyer)
    level = ctx.settings.service_levels.level_of(bid)
    if level:
        yield finding(
            ctx,
            "service-level",
            f"The buyer {bid} is in the {level.upper()} group: the default reminder schedule "
            f"does not apply; monitoring is the sender's ({LEVEL_COST_NOTE}).",
            at=("buyer.business_id", "buyer.vat_code"),
            value=level,
        )


def interest_not_in_xml(ctx: RuleContext) -> Iterator[Finding]:
    inv = ctx.invoice
    if inv.penalty_interest_percent is not None or inv.penalty_fixed_amount is not None:
        return
    if inv.interest_in_free_text:
        yield finding(
            ctx,
            "interest-not-in-xml",
            "Penalty interest is mentioned only in free text; the service charges only interest given in the XML.",
            at=("details",),
            value=inv.interest_in_free_text,
            detail=f"Put the rate in {field}."
            if (field := _path(ctx, "PENALTY_INTEREST"))
            else "This format has no element for a penalty interest rate (Peppol BIS 3.0 has "
            "none), so only the free text mentions it.",
        )


def _to_a_netbank(ctx: RuleContext) -> bool:
    """A consumer e-invoice that is delivered to a netbank. A manual assignment is never
    delivered ("marked as SENT immediately, without any delivery"), so no bank sees it."""
    return not ctx.manual_assignment and ctx.invoice.channel is Channel.B2C_NETBANK


def consumer_si_message(ctx: RuleContext) -> Iterator[Finding]:
    """The banks see the rewritten payment details only on an invoice delivered to them."""
    settings = ctx.settings
    if not _to_a_netbank(ctx) or settings is None or settings.si_change_sent:
        return
    iban = settings.vfsfi.iban if settings.vfsfi else None
    yield finding(
        ctx,
        "consumer-si-message",
        f"Consumer e-invoice: the service's IBAN {iban or ''} must be in the SI messages sent to the banks, "
        "or the banks reject the rewritten invoice.".replace("  ", " "),
        at=("payment.instruction_id", "buyer"),
        detail="Send a CHANGE-type SI message to every bank, then set si_change_sent in the settings.",
    )


def _consumer_netbank_active(ctx: RuleContext) -> bool:
    """A consumer e-invoice delivered to a netbank under active settings: the transition
    concerns it."""
    settings = ctx.settings
    return _to_a_netbank(ctx) and settings is not None and settings.active


def consumer_transition_uncertain(ctx: RuleContext) -> Iterator[Finding]:
    """The guide gives two lengths for the consumer transition: between them, routing is a guess."""
    settings = ctx.settings
    if not _consumer_netbank_active(ctx) or settings is None or settings.activated_on is None:
        return
    day = (ctx.today - settings.activated_on).days
    if not settings.consumer_transition_days <= day < GUIDE_MANDATORY_TRANSITION_DAYS:
        return
    until = settings.activated_on + timedelta(days=GUIDE_MANDATORY_TRANSITION_DAYS)
    yield finding(
        ctx,
        "consumer-transition-uncertain",
        f"Consumer e-invoice to a netbank {day} days after the activation on "
        f"{settings.activated_on.isoformat()}: routed here, but the guide says 5 days in its "
        'exceptions and "a mandatory 7 days" in its consumer section, so the service may still '
        "send it directly to the bank.",
        at=("payment.instruction_id", "buyer"),
        value=str(day),
        detail=f"consumer_transition_days is {settings.consumer_transition_days}; on 7 days "
        f"(from {until.isoformat()}) both figures agree.",
    )


def consumer_transition_unknown(ctx: RuleContext) -> Iterator[Finding]:
    """Without the activation date, the consumer transition cannot be checked."""
    settings = ctx.settings
    if not _consumer_netbank_active(ctx) or settings is None or settings.activated_on is not None:
        return
    yield finding(
        ctx,
        "consumer-transition-unknown",
        "Consumer e-invoice to a netbank, but the settings give no activation date: whether the "
        f"consumer transition ({settings.consumer_transition_days} days after activation; the "
        "guide also says 7) still sends it directly to the bank could not be checked.",
        at=("payment.instruction_id", "buyer"),
        detail="Add activated_on (the date the service became ACTIVE) to the settings file: the "
        "GET response has no such field.",
    )


def due_date_weekend(ctx: RuleContext) -> Iterator[Finding]:
    due = ctx.invoice.due_date
    if due is not None and not ctx.invoice.is_credit_note and not is_business_day(due):
        yield finding(
            ctx,
            "due-date-weekend",
            f"The due date {due.isoformat()} is a Finnish weekend day or public holiday.",
            at=("due_date",),
            value=due.isoformat(),
        )


def due_date_conflict(ctx: RuleContext) -> Iterator[Finding]:
    inv = ctx.invoice
    terms, payment = inv.terms_due_date, inv.payment.due_date
    if terms is not None and payment is not None and terms != payment:
        yield finding(
            ctx,
            "due-date-conflict",
            f"The payment terms say due {terms.isoformat()} but the payment instruction says {payment.isoformat()}.",
            at=("payment.due_date",),
            value=payment.isoformat(),
            detail="The check uses the payment terms' date; banks use the payment instruction's.",
        )


def instructed_amount_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    inv = ctx.invoice
    if inv.payment.amount is None or inv.total is None:
        return
    expected = inv.total - (inv.paid_amount or Decimal(0))
    if inv.payment.amount != expected:
        paid = f" less the {amount_text(inv.paid_amount)} already paid" if inv.paid_amount else ""
        yield finding(
            ctx,
            "instructed-amount-mismatch",
            f"The amount to pay {amount_text(inv.payment.amount)} is not the total "
            f"{amount_text(inv.total)}{paid} ({amount_text(expected)}).",
            at=("payment.amount",),
            value=amount_text(inv.payment.amount),
        )


def currency_code_case(ctx: RuleContext) -> Iterator[Finding]:
    """ISO 4217 codes are upper case: `eur` is decided as EUR, but the service may not read it so."""
    inv = ctx.invoice
    written = [c for c in dict.fromkeys([inv.currency or "", *inv.currencies]) if c]
    odd = [c for c in written if c != c.upper()]
    if odd:
        yield finding(
            ctx,
            "currency-code-case",
            f"The currency code {odd[0]} is not upper case: the ISO code is {odd[0].upper()}, and "
            f"the service may not treat {odd[0]} as {odd[0].upper()}. Fix it before sending.",
            at=("currency", "total"),
            value=odd[0],
            detail=f"Checked as {odd[0].upper()} here; an invoice the service takes for another "
            "currency is sent directly and not monitored.",
        )


def credit_note(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.invoice.is_credit_note:
        yield finding(
            ctx,
            "credit-note",
            "Credit note: the service opens its own assignment. Link it to the invoice's assignment "
            "with a credit_note event, and mark it used with a negative paid event.",
            at=("type_code", "total"),
            value=ctx.invoice.type_code,
        )
