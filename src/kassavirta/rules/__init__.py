"""Every content rule, registered in one table (SPEC §2).

The order is the order findings are reported in: send errors first, in the
service's code order, then warnings, then notes. A slug never changes once released:
reports, SARIF rule ids and users' suppressions depend on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from kassavirta.findings import Finding
from kassavirta.rules import notes as n
from kassavirta.rules import send_errors as se
from kassavirta.rules import warnings as w
from kassavirta.rules.base import Kind, Rule, RuleContext

RULES: tuple[Rule, ...] = (
    Rule(
        "address-incomplete",
        Kind.SEND_ERROR,
        5,
        "The buyer postal address must be complete and valid.",
        se.address_incomplete,
    ),
    Rule(
        "duplicate-number",
        Kind.SEND_ERROR,
        6,
        "The invoice number must not collide with an open assignment.",
        se.duplicate_number,
    ),
    Rule(
        "due-date-too-soon",
        Kind.SEND_ERROR,
        13,
        "The due date must be at least three days ahead.",
        se.due_date_too_soon,
    ),
    Rule(
        "sum-mismatch",
        Kind.SEND_ERROR,
        None,
        "The invoice rows must add up to the total.",
        se.sum_mismatch,
    ),
    Rule(
        "postcode-town-mismatch",
        Kind.WARNING,
        None,
        "The buyer's town must be a name of its Finnish postcode.",
        w.postcode_town_mismatch,
    ),
    Rule(
        "iban-invalid",
        Kind.WARNING,
        None,
        "Every IBAN on the invoice must be valid.",
        w.iban_invalid,
    ),
    Rule(
        "bic-invalid", Kind.WARNING, None, "Every BIC on the invoice must be valid.", w.bic_invalid
    ),
    Rule(
        "iban-bic-mismatch",
        Kind.WARNING,
        None,
        "Each BIC must be the bank of its IBAN.",
        w.iban_bic_mismatch,
    ),
    Rule(
        "reference-invalid",
        Kind.WARNING,
        None,
        "The payment reference must carry valid check digits.",
        w.reference_invalid,
    ),
    Rule(
        "business-id-invalid",
        Kind.WARNING,
        None,
        "Finnish business IDs must carry a valid check digit.",
        w.business_id_invalid,
    ),
    Rule(
        "business-id-missing",
        Kind.WARNING,
        None,
        "A buyer with a Finnish VAT code must carry its business ID too.",
        w.business_id_missing,
    ),
    Rule(
        "language",
        Kind.WARNING,
        None,
        "The recipient language decides the reminders' language.",
        w.language,
        emits=("language-defaulted", "language-unsupported"),
    ),
    Rule(
        "service-level",
        Kind.WARNING,
        None,
        "VIP, PREMIUM and bypass customers get no default schedule.",
        w.service_level,
    ),
    Rule(
        "interest-not-in-xml",
        Kind.WARNING,
        None,
        "Penalty interest must be in the XML, not only in text.",
        w.interest_not_in_xml,
    ),
    Rule(
        "consumer-si-message",
        Kind.WARNING,
        None,
        "Consumer e-invoices need the service's IBAN in the SI messages.",
        w.consumer_si_message,
    ),
    Rule(
        "consumer-transition-uncertain",
        Kind.WARNING,
        None,
        "The guide gives the consumer transition as 5 days and as 7.",
        w.consumer_transition_uncertain,
    ),
    Rule(
        "consumer-transition-unknown",
        Kind.WARNING,
        None,
        "The consumer transition needs the activation date.",
        w.consumer_transition_unknown,
    ),
    Rule(
        "due-date-weekend",
        Kind.WARNING,
        None,
        "A due date on a weekend or holiday moves the schedule.",
        w.due_date_weekend,
    ),
    Rule(
        "due-date-conflict",
        Kind.WARNING,
        None,
        "The two due dates of a Finvoice must agree.",
        w.due_date_conflict,
    ),
    Rule(
        "instructed-amount-mismatch",
        Kind.WARNING,
        None,
        "The amount to pay must be the total less what is paid.",
        w.instructed_amount_mismatch,
    ),
    Rule(
        "currency-code-case",
        Kind.WARNING,
        None,
        "The currency code must be upper case (EUR).",
        w.currency_code_case,
    ),
    Rule(
        "credit-note", Kind.WARNING, None, "A credit note opens its own assignment.", w.credit_note
    ),
    Rule(
        "interest-missing",
        Kind.NOTE,
        None,
        "The service collects interest only when the XML gives it.",
        n.interest_missing,
    ),
    Rule(
        "prepaid",
        Kind.NOTE,
        None,
        "A prepaid amount lowers what is open; in full, no reminders.",
        n.prepaid,
    ),
)

RULE_SLUGS: dict[str, str] = {slug: rule.slug for rule in RULES for slug in rule.slugs}
"""Finding slug → the rule that emits it (the language rule emits two slugs)."""

SEND_ERROR_SLUGS = tuple(r.slug for r in RULES if r.kind is Kind.SEND_ERROR)
NOTE_SLUGS = tuple(slug for r in RULES if r.kind is Kind.NOTE for slug in r.slugs)
"""Findings of severity `info`: what the service will do, nothing to fix."""


def run_rules(ctx: RuleContext) -> Iterator[Finding]:
    """Every finding of every rule: all failing rules, never just the first."""
    for rule in RULES:
        yield from rule.check(ctx)


__all__ = [
    "NOTE_SLUGS",
    "RULES",
    "RULE_SLUGS",
    "SEND_ERROR_SLUGS",
    "Kind",
    "Rule",
    "RuleContext",
    "run_rules",
]
