"""Would the service accept one more event? The party, the data, then the assignment's stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kassavirta.erp.assignments import Assignment, Event
from kassavirta.erp.events.state import AssignmentState, apply_events, is_credit_note_assignment
from kassavirta.erp.events.types import EVENT_TYPES, Party, money

__all__ = ["Verdict", "validate_event"]

COLLECTION_STARTED = frozenset(
    {
        "debt_collection",
        "legal_collection",
        "recovery_proceedings",
        "debt_surveillance",
        "lack_of_means",
        "payment_plan",
    }
)
"""Statuses at which "the debt collection process has already started"."""

LEGAL_OR_LATER = frozenset({"legal_collection", "recovery_proceedings"})


@dataclass(frozen=True)
class Verdict:
    """Whether the service would accept an event; `rule` is a stable slug, `reason` our words."""

    accepted: bool
    rule: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _refuse(rule: str, reason: str) -> Verdict:
    return Verdict(False, rule, reason)


def _who(creators: frozenset[Party]) -> str:
    names = [p.label for p in Party if p in creators]
    return " and ".join(names)


def validate_event(
    assignment: Assignment, event: Event, party: Party | str = Party.COMPANY
) -> Verdict:
    """Would the service accept `event` on `assignment` from `party`? With the reason when not."""
    who = Party(party)
    spec = EVENT_TYPES.get(event.type)
    if spec is None:
        return _refuse(
            "unknown-type",
            f"{event.type!r} is not an event type of the service "
            f"(known: {', '.join(sorted(EVENT_TYPES))})",
        )
    if who not in spec.creators:
        return _refuse(
            "wrong-party",
            f"only {_who(spec.creators)} can create {event.type} events, not {who.label}",
        )
    problem = spec.data_problem(event.data)
    if problem:
        return _refuse("data", problem)
    state = apply_events(assignment)
    refusal = _stage_refusal(assignment, state, event, who)
    if refusal is not None:
        return refusal
    return Verdict(
        True,
        "accepted",
        f"{event.type} ({spec.summary}) on {_label(assignment, state)}",
    )


def _label(assignment: Assignment, state: AssignmentState) -> str:
    return (
        f"assignment {assignment.id} (number {assignment.number}, {state.status}, "
        f"collection {state.collection_status})"
    )


def _stage_refusal(
    assignment: Assignment, state: AssignmentState, event: Event, who: Party
) -> Verdict | None:
    kind = event.type
    if who is Party.COMPANY and kind != "comment":
        if state.cancelled:
            return _refuse(
                "cancelled",
                "the assignment was cancelled, and a cancellation is final: only comments can "
                "still be added",
            )
        if state.closed:
            return _refuse(
                "closed",
                f"the assignment is {state.status.replace('_', ' ')}; a closure cannot be "
                "reversed or modified: only comments can still be added",
            )
    if kind == "paid":
        amount = money(event.data.get("sum_paid"))
        assert amount is not None
        credit_note = is_credit_note_assignment(assignment)
        if amount < 0 and not credit_note:
            return _refuse(
                "negative-paid",
                f"a negative sum_paid ({amount}) only marks a credit note as used, and this "
                "assignment is not a credit note (its sum is not negative)",
            )
        if amount > 0 and credit_note:
            return _refuse(
                "credit-note-paid",
                "this assignment is a credit note: mark it as used with a negative sum_paid, "
                f"not {amount}",
            )
    elif kind == "credit_loss" and state.credit_loss:
        return _refuse(
            "credit-loss-final",
            "the assignment is already marked as a credit loss; a credit loss cannot be posted "
            "twice, reversed or modified",
        )
    elif kind == "freeze":
        if state.legal_collection_started or state.collection_status in LEGAL_OR_LATER:
            return _refuse(
                "freeze-after-legal",
                "a suspension can be requested only before legal collection starts "
                f"(collection status: {state.collection_status})",
            )
        if state.lack_of_means or state.collection_status == "lack_of_means":
            return _refuse(
                "freeze-after-lack-of-means",
                "a suspension cannot be requested once the enforcement authority has found the "
                "debtor insolvent (lack_of_means)",
            )
    elif kind == "due_date_change_request" and state.collection_status in COLLECTION_STARTED:
        return _refuse(
            "collection-started",
            "the debt collection process has already started (collection status: "
            f"{state.collection_status}): the service rejects due date change requests",
        )
    elif kind in ("close", "partially_closed") and state.status == "closed":
        return _refuse("closed", "the assignment is already closed")
    return None
