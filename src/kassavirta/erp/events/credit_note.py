"""A credit note's pair of events, as the guide asks ERPs to automate them "at minimum".

The service opens an assignment for the credit note as for any invoice, and
nothing connects it to the invoice it credits until the sender says so:

* a `credit_note` event on the **original invoice's** assignment, with the
  credit note's number and the credit sum as a positive value;
* a `paid` event on the **credit note's own** assignment, with the same sum
  as a negative value ("marking a credit note as used").

Without them the service keeps collecting the full invoice. `link_credit_note`
finds both assignments in the ledger (the credit note's by its number and
date, the original by the number the credit note names), writes the two events
and asks `validate_event` whether the service would take each one. Nothing is
posted: the events go to the ERP (a post file), as `payments` does for direct
payments. **Decision**: the `paid` event's `booked_at` is the credit note's date.

A side whose event the ledger already holds (a `credit_note` event naming this
credit note; a negative `paid` on the credit note's assignment, as linking in
the service's UI leaves it) is not written again, so running the command twice
on the same ledger export posts nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kassavirta.erp.assignments import Assignment, Event
from kassavirta.erp.events.state import apply_events, is_credit_note_assignment
from kassavirta.erp.events.types import Party, data_value, money
from kassavirta.erp.events.validate import validate_event

if TYPE_CHECKING:
    from kassavirta.erp.ledger import Ledger
    from kassavirta.model import Invoice

__all__ = ["CreditNoteLink", "Side", "link_credit_note"]


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def event_json(event: Event) -> dict[str, Any]:
    """The event as the Receivables API takes it: amounts as JSON numbers, like the guide's example."""
    data = {k: float(v) if isinstance(v, Decimal) else v for k, v in event.data.items()}
    return {"type": event.type, "data": data}


@dataclass
class Side:
    """One of the two events: on which assignment, and what became of it."""

    role: str
    """`original` (the invoice credited) or `credit-note` (the credit note's own assignment)."""
    assignment: Assignment | None = None
    event: Event | None = None
    status: str = "missing"
    """`write` (to post), `already-posted`, `refused` (the service would not take it),
    `missing` (no assignment found), `ambiguous` (several fit) or `not-built`."""
    reason: str = ""

    @property
    def done(self) -> bool:
        return self.status in ("write", "already-posted")

    def as_dict(self) -> dict[str, Any]:
        a = self.assignment
        return {
            "role": self.role,
            "status": self.status,
            "assignment": a.id if a is not None else None,
            "assignment_number": a.number if a is not None else None,
            "event": event_json(self.event) if self.event is not None else None,
            "reason": self.reason,
        }


@dataclass
class CreditNoteLink:
    """What one credit note needs posted, and why it cannot be when it cannot."""

    label: str
    number: str | None
    date: date | None
    credit: Decimal | None
    """The credit sum, positive."""
    currency: str | None
    is_credit_note: bool
    credits: str | None
    """The number of the invoice credited (from the document, or given)."""
    original: Side = field(default_factory=lambda: Side("original"))
    own: Side = field(default_factory=lambda: Side("credit-note"))
    problem: str | None = None
    """Why no event could be made at all (not a credit note, no credited invoice named)."""
    notes: list[str] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        """Both events are to be posted or already are: the credit note is connected."""
        return self.problem is None and self.original.done and self.own.done

    def events(self) -> dict[str, list[dict[str, Any]]]:
        """The post file's part for this credit note: the events to POST, by assignment id."""
        out: dict[str, list[dict[str, Any]]] = {}
        if not self.linked:
            return out
        for side in (self.original, self.own):
            if side.status == "write" and side.assignment is not None and side.event is not None:
                out.setdefault(side.assignment.id, []).append(event_json(side.event))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.label,
            "credit_note": {
                "number": self.number,
                "date": self.date.isoformat() if self.date else None,
                "sum": _amount(self.credit) if self.credit is not None else None,
                "currency": self.currency,
                "credits": self.credits,
            },
            "linked": self.linked,
            "problem": self.problem,
            "events": [self.original.as_dict(), self.own.as_dict()],
            "notes": list(self.notes),
        }


def _state_status(a: Assignment) -> str:
    return apply_events(a).status


def _pick(candidates: list[Assignment], what: str) -> tuple[Assignment | None, str, str]:
    """One assignment among `candidates`: the only open one, else the latest closed one.

    A closed one is still returned, so that `validate_event` says why the
    service would refuse the event on it.
    """
    if not candidates:
        return None, "missing", f"no assignment for {what} in the ledger"
    open_ones = [a for a in candidates if _state_status(a) == "open"]
    if len(open_ones) == 1:
        return open_ones[0], "", ""
    if len(open_ones) > 1:
        listed = ", ".join(f"{a.id} (invoice date {a.issued_at.isoformat()})" for a in open_ones)
        return None, "ambiguous", f"several open assignments fit {what}: {listed}"
    latest = max(candidates, key=lambda a: (a.issued_at, a.id))
    return latest, "", ""


def _already_linked(a: Assignment, number: str) -> bool:
    return any(
        e.type == "credit_note"
        and str(data_value(e.type, e.data, "number") or "").strip() == number
        for e in a.events
    )


def _already_used(a: Assignment) -> bool:
    return any(
        e.type == "paid" and (money(e.data.get("sum_paid")) or Decimal(0)) < 0 for e in a.events
    )


def _balance_note(original: Assignment, credit: Decimal) -> str | None:
    """What the credit does to the invoice's open balance, as the guide says the service acts."""
    if original.sum is None:
        return None
    paid = apply_events(original).paid or Decimal(0)
    balance = original.sum - paid
    if credit == balance:
        return (
            f"the credit covers the open balance {_amount(balance)} of invoice "
            f"{original.number}: the service closes its assignment"
        )
    if credit < balance:
        return (
            f"the credit covers part of the open balance {_amount(balance)} of invoice "
            f"{original.number}: the service goes on collecting the remaining "
            f"{_amount(balance - credit)}"
        )
    return (
        f"the credit {_amount(credit)} is more than the open balance {_amount(balance)} of invoice "
        f"{original.number}: check the credit note against the invoice"
    )


def _judge(side: Side, today: date | None, assignment: Assignment | None = None) -> None:
    """Would the service take the side's event (on `assignment`, default the side's own)?"""
    target = assignment or side.assignment
    assert target is not None and side.event is not None
    verdict = validate_event(target, side.event, Party.COMPANY, today)
    if verdict.accepted:
        side.status = "write"
        side.reason = verdict.reason
    else:
        side.status = "refused"
        side.reason = f"the service would refuse it [{verdict.rule}]: {verdict.reason}"


def link_credit_note(
    invoice: Invoice,
    ledger: Ledger,
    *,
    label: str,
    credits: str | None = None,
    today: date | None = None,
) -> CreditNoteLink:
    """The two events that connect the credit note `invoice` to the invoice it credits.

    `credits` names the credited invoice when the document does not (or to
    override it); `today` is the day the events would be posted (default: today in
    Europe/Helsinki).
    """
    number = (invoice.number or "").strip() or None
    credited = (credits or invoice.credited_invoice or "").strip() or None
    link = CreditNoteLink(
        label=label,
        number=number,
        date=invoice.issue_date,
        credit=abs(invoice.total) if invoice.total is not None else None,
        currency=invoice.currency,
        is_credit_note=invoice.is_credit_note,
        credits=credited,
    )
    if not link.is_credit_note:
        link.problem = (
            f"{number or 'the document'} is not a credit note (no credit-note type code and a "
            "total that is not negative): there is nothing to link"
        )
        return link
    if number is None or link.credit is None or link.credit == 0:
        link.problem = "the credit note has no number or no sum to credit"
        return link
    if credited is None:
        link.problem = (
            "the credit note does not name the invoice it credits (Finvoice "
            "OriginalInvoiceNumber, UBL BillingReference, CII InvoiceReferencedDocument, "
            "TEAPPSXML CREDIT_INVOICE_NUMBER): give its number with --original NUMBER"
        )
        return link

    # The credit note's own assignment: its number and date.
    if invoice.issue_date is not None:
        own_candidates = ledger.by_ids(ledger.ids_by_invoice(number, invoice.issue_date))
        own_what = f"the credit note {number} dated {invoice.issue_date.isoformat()}"
    else:
        own_candidates = ledger.assignments(number=number)
        own_what = f"the credit note {number}"
    own, link.own.status, link.own.reason = _pick(own_candidates, own_what)
    if link.own.status == "missing":
        link.own.reason += (
            ": the service opens it when the credit note is sent through it; import the "
            "latest Receivables API export (`kassavirta ledger import`), or record the sent "
            "credit note (`kassavirta check --record`)"
        )
    own_id = own.id if own is not None else None
    # The original's: the credited number, never a credit note, never dated after the credit.
    original_candidates = [
        a
        for a in ledger.assignments(number=credited)
        if a.id != own_id
        and not is_credit_note_assignment(a)
        and (invoice.issue_date is None or a.issued_at <= invoice.issue_date)
    ]
    original, link.original.status, link.original.reason = _pick(
        original_candidates, f"the credited invoice {credited}"
    )
    if link.original.status == "missing":
        link.original.reason += (
            f" (an invoice numbered {credited}, not a credit note, dated on or before the "
            "credit note): was it sent through the service, and is the ledger up to date?"
        )

    if original is not None:
        link.original.assignment = original
        if _already_linked(original, number):
            link.original.status = "already-posted"
            link.original.reason = (
                f"assignment {original.id} already has a credit_note event for credit note "
                f"{number}: not written again"
            )
        else:
            link.original.event = Event(
                type="credit_note", data={"number": number, "sum": link.credit}
            )
            _judge(link.original, today)
            note = _balance_note(original, link.credit)
            if note and link.original.status == "write":
                link.notes.append(note)
    if own is not None:
        # Found by the credit note's own number and date: it is the credit note's
        # assignment even where the ledger's copy does not say so (a positive UBL sum).
        marked = own.model_copy(update={"credit_note": True})
        link.own.assignment = own
        if _already_used(own):
            link.own.status = "already-posted"
            link.own.reason = (
                f"assignment {own.id} already has a negative paid event: the credit note is "
                "marked as used, not written again"
            )
        else:
            data: dict[str, Any] = {"sum_paid": -link.credit}
            if invoice.issue_date is not None:
                data["booked_at"] = invoice.issue_date.isoformat()
            link.own.event = Event(type="paid", data=data)
            _judge(link.own, today, marked)
    return link
