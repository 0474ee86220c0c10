"""What an assignment's events make of it: status, paid sum, collection status, due date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kassavirta.erp.assignments import Assignment, Event
from kassavirta.erp.events.types import as_date, data_value, money

__all__ = [
    "COLLECTION_STATUS_BY_EVENT",
    "AssignmentState",
    "apply_events",
    "delivery_view",
    "is_credit_note_assignment",
    "ordered",
]


COLLECTION_STATUS_BY_EVENT: dict[str, str] = {
    "reminder_sent": "reminder_sent",
    "second_reminder_sent": "reminder_sent",
    "collection_started": "debt_collection",
    "second_demand_sent": "debt_collection",
    "tratta_sent": "debt_collection",
    "legal_collection_started": "legal_collection",
    "application_for_enforcement": "recovery_proceedings",
    "credit_loss_suggestion": "debt_surveillance",
    "lack_of_means": "lack_of_means",
    "payment_plan": "payment_plan",
}
"""The guide's table. `credit_loss` is deliberately absent: it changes nothing."""

_ONLY_IF_NOT_SET = frozenset(
    {
        "reminder_sent",
        "second_reminder_sent",
        "collection_started",
        "second_demand_sent",
        "tratta_sent",
    }
)
"""Events the guide says set the status "if it is not already set"."""

_LADDER = {"unknown": 0, "reminder_sent": 1, "debt_collection": 2}
"""How far a status is: anything outside the reminder → demand ladder counts as beyond it."""


def _rank(status: str) -> int:
    return _LADDER.get(status, 3)


def _next_collection_status(current: str, event_type: str) -> str:
    """The guide's "if it is not already set": such an event never moves the status back.

    Read literally ("only when unknown") a payment demand after a reminder
    would leave `reminder_sent`, and `debt_collection` could hardly ever be
    reached, so "already set" means: already at this stage or beyond it.
    The other events of the table set their status unconditionally.
    """
    target = COLLECTION_STATUS_BY_EVENT.get(event_type)
    if target is None:
        return current
    if event_type in _ONLY_IF_NOT_SET and _rank(current) >= _rank(target):
        return current
    return target


# --- derived state -----------------------------------------------------------------------------


def _moment(event: Event) -> datetime | None:
    return event.happened_at or event.created_at


def ordered(events: Sequence[Event]) -> list[Event]:
    """Events in the order they happened.

    By time when every event has one (the API's order is not promised);
    otherwise as given, which is the order a hand-written file or a new
    event appended at the end means.
    """
    moments = [_moment(e) for e in events]
    if all(m is not None for m in moments):
        pairs = sorted(
            zip(moments, range(len(events)), strict=True),
            key=lambda pair: (_aware(pair[0]), pair[1]),
        )
        return [events[i] for _, i in pairs]
    return list(events)


def _aware(moment: datetime | None) -> float:
    assert moment is not None
    return moment.timestamp()


@dataclass
class AssignmentState:
    """An assignment as its events leave it."""

    status: str
    paid: Decimal | None
    collection_status: str
    service_level: str
    due_date: date | None
    cancelled: bool = False
    credit_loss: bool = False
    frozen_until: date | None = None
    legal_collection_started: bool = False
    lack_of_means: bool = False
    credited: Decimal = Decimal(0)
    derived: set[str] = field(default_factory=set)
    """The fields that events set (the others are the API's reported values)."""

    @property
    def closed(self) -> bool:
        return self.status in ("closed", "partially_closed")


def _data_value(event: Event, spec_key: str) -> Any:
    return data_value(event.type, event.data, spec_key)


def apply_events(assignment: Assignment, events: Sequence[Event] | None = None) -> AssignmentState:
    """The state after `events` (default: the assignment's own), in the order they happened."""
    history = ordered(assignment.events if events is None else events)
    state = AssignmentState(
        status="open",
        paid=Decimal(0),
        collection_status="unknown",
        service_level="default",
        due_date=assignment.due_date,
    )
    touched: set[str] = set()
    for event in history:
        kind = event.type
        if kind == "paid":
            amount = money(event.data.get("sum_paid"))
            if amount is not None:
                state.paid = (state.paid or Decimal(0)) + amount
                touched.add("paid")
        elif kind == "credit_note":
            # The assignment's `paid` is "the amount that is paid or credited".
            amount = money(_data_value(event, "sum"))
            if amount is not None:
                state.paid = (state.paid or Decimal(0)) + amount
                state.credited += amount
                touched.add("paid")
        elif kind in ("close", "cancel"):
            state.status = "closed"
            state.cancelled = state.cancelled or kind == "cancel"
            touched.add("status")
        elif kind == "partially_closed":
            if state.status != "closed":
                state.status = "partially_closed"
            touched.add("status")
        elif kind == "due_date_changed":
            new = as_date(_data_value(event, "due_date"))
            if new is not None:
                state.due_date = new
                touched.add("due_date")
        elif kind == "service_level_changed":
            level = _data_value(event, "service_level")
            if isinstance(level, str) and level.strip():
                state.service_level = level.strip().lower()
                touched.add("service_level")
        elif kind == "credit_loss":
            state.credit_loss = True
        elif kind == "freeze_confirmed":
            state.frozen_until = as_date(event.data.get("end_date"))
        elif kind == "unfreezed":
            state.frozen_until = None
        if kind in COLLECTION_STATUS_BY_EVENT:
            state.collection_status = _next_collection_status(state.collection_status, kind)
            touched.add("collection_status")
        if kind == "legal_collection_started":
            state.legal_collection_started = True
        if kind == "lack_of_means":
            state.lack_of_means = True
    # What no event spoke about keeps the value the API reported.
    if "status" not in touched:
        state.status = assignment.status
    if "paid" not in touched:
        state.paid = assignment.paid
    if "collection_status" not in touched:
        state.collection_status = assignment.collection_status
    if "service_level" not in touched:
        state.service_level = assignment.service_level.lower()
    state.derived = touched
    return state


def is_credit_note_assignment(assignment: Assignment) -> bool:
    """An assignment opened for a credit note: negative sum, or recorded from one by `check --record`."""
    if assignment.sum is not None and assignment.sum < 0:
        return True
    extra = assignment.model_extra or {}
    return extra.get("credit_note") is True


def delivery_view(events: Sequence[Event]) -> list[Event]:
    """The delivery_status events worth showing, as the guide's own UI does.

    The first DELIVERED, every FAILED, and the first DELIVERED after a FAILED;
    a DELIVERED is hidden when the delivery event before it was also
    DELIVERED (the operator posts one per update of the invoice). Statuses
    other than those two are shown: they are rare and say something.
    """
    shown: list[Event] = []
    previous: str | None = None
    for event in ordered([e for e in events if e.type == "delivery_status"]):
        status = str(event.data.get("status", "")).upper()
        if status != "DELIVERED" or previous != "DELIVERED":
            shown.append(event)
        previous = status
    return shown
