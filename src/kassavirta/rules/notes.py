"""Notes: what the service will do with an invoice that a sender may not expect.

A note has severity `info`: nothing on the invoice is wrong, so it never
changes the decision or the exit status.
"""

from __future__ import annotations

from collections.abc import Iterator

from kassavirta.findings import Finding, Severity
from kassavirta.model import Invoice
from kassavirta.rules.base import RuleContext, finding


def prepaid_in_full(invoice: Invoice) -> bool:
    """The prepaid amount covers the total: nothing is left for the service to remind."""
    paid, total = invoice.paid_amount, invoice.total
    return (
        not invoice.is_credit_note
        and paid is not None
        and total is not None
        and paid > 0
        and paid >= total
    )


def interest_missing(ctx: RuleContext) -> Iterator[Finding]:
    """The guide (interest_paid): interest must be in the invoice XML to be collected."""
    from kassavirta.formats.registry import module_of

    inv = ctx.invoice
    if (
        inv.penalty_interest_percent is not None
        or inv.penalty_fixed_amount is not None
        or inv.interest_in_free_text  # `interest-not-in-xml` warns about that one
        or inv.is_credit_note
        or prepaid_in_full(inv)
    ):
        return
    field: str | None = module_of(inv.format, "paths", "PENALTY_INTEREST")
    yield finding(
        ctx,
        "interest-missing",
        "No penalty interest in the XML: the service will collect no late-payment interest on "
        "this invoice.",
        at=("details", "payment.due_date", "due_date"),
        detail=f"To have interest collected, put the rate in {field}."
        if field
        else "This format has no element for a penalty interest rate, so the service can "
        "collect none on it.",
        severity=Severity.INFO,
    )


def prepaid(ctx: RuleContext) -> Iterator[Finding]:
    """A prepaid invoice: in full, no reminders at all; in part, only the open amount is due."""
    inv = ctx.invoice
    paid, total = inv.paid_amount, inv.total
    if paid is None or total is None or paid <= 0 or inv.is_credit_note:
        return
    if prepaid_in_full(inv):
        open_amount = total - total  # zero, written with the total's decimals
        message = (
            f"Prepaid in full: {paid} paid of the total {total}, nothing is open. The service "
            "sends no reminders for this invoice."
        )
        detail = "No reminder schedule is given for it."
    else:
        open_amount = total - paid
        message = (
            f"Partly prepaid: {paid} paid of the total {total}; the open amount is {open_amount}."
        )
        detail = "The open amount is the total less the prepaid amount the invoice declares."
    yield finding(
        ctx,
        "prepaid",
        message,
        at=("paid_amount", "total"),
        value=f"{open_amount:f}",
        detail=detail,
        severity=Severity.INFO,
    )
