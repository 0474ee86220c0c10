"""Would the service accept one more event? The party, the data, then the assignment's stage.

Some events are accepted with a consequence the sender must know (a cancellation
fee, a credit loss posted the wrong way): those verdicts carry `notes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kassavirta.erp.assignments import Assignment, Event
from kassavirta.erp.events.state import AssignmentState, apply_events, is_credit_note_assignment
from kassavirta.erp.events.types import EVENT_TYPES, Party, as_date, data_value, money

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
    notes: tuple[str, ...] = ()
    """What follows from an accepted event that the sender must know (our words)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rule": self.rule,
            "reason": self.reason,
            "notes": list(self.notes),
        }


def _refuse(rule: str, reason: str) -> Verdict:
    return Verdict(False, rule, reason)


def _who(creators: frozenset[Party]) -> str:
    names = [p.label for p in Party if p in creators]
    return " and ".join(names)


def validate_event(
    assignment: Assignment,
    event: Event,
    party: Party | str = Party.COMPANY,
    today: date | None = None,
) -> Verdict:
    """Would the service accept `event` on `assignment` from `party`? With the reason when not.

    `today` (default: today in Europe/Helsinki) is the day the event is posted:
    a requested due date and a suspension's end are judged against it.
    """
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
    if refusal is None:
        refusal = _date_refusal(event, _today(today))
    if refusal is not None:
        return refusal
    return Verdict(
        True,
        "accepted",
        f"{event.type} ({spec.summary}) on {_label(assignment, state)}",
        _notes(assignment, state, event, _today(today)),
    )


def _today(today: date | None) -> date:
    if today is not None:
        return today
    from kassavirta.pipeline.evaluate import today_in_helsinki

    return today_in_helsinki()


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


def _date_in(event: Event, key: str) -> date | None:
    """The date under `key` (or one of its aliases) in the event's data."""
    return as_date(data_value(event.type, event.data, key))


def _date_refusal(event: Event, today: date) -> Verdict | None:
    """A new due date must lie ahead; a suspension may end today (ending it early), not before."""
    if event.type == "due_date_change_request":
        new = _date_in(event, "due_date")
        if new is not None and new <= today:
            return _refuse(
                "due-date-not-future",
                f"the requested due date {new.isoformat()} is not after today "
                f"({today.isoformat()}): a due date can only be moved to a day after today",
            )
    elif event.type == "freeze":
        end = _date_in(event, "end_date")
        if end is not None and end < today:
            return _refuse(
                "freeze-end-past",
                f"the suspension end date {end.isoformat()} is before today ({today.isoformat()}): "
                "give a later date, or today's date to end a suspension early",
            )
    return None


def _notes(
    assignment: Assignment, state: AssignmentState, event: Event, today: date
) -> tuple[str, ...]:
    notes: list[str] = []
    if event.type == "cancel":
        if state.collection_status != "unknown":
            notes.append(
                "reminder or collection actions have already started (collection status "
                f"{state.collection_status}): the service charges the sender a cancellation fee"
            )
        if state.collection_status == "debt_surveillance" or any(
            e.type == "credit_loss_suggestion" for e in assignment.events
        ):
            notes.append(
                "the service suggested a credit loss: a credit loss is posted with a credit_loss "
                "event, never with cancel (cancel ends the whole process for good, and the "
                "service no longer collects)"
            )
    elif event.type == "freeze" and _date_in(event, "end_date") == today:
        frozen = state.frozen_until
        notes.append(
            "an end date of today ends the suspension early"
            + (
                f" (it was to last until {frozen.isoformat()})"
                if frozen is not None
                else " (the ledger knows of no confirmed suspension on this assignment)"
            )
        )
    return tuple(notes)
