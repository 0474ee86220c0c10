"""Assignment events: who may post each one, what its data must hold, and what it changes.

An ERP posts events to the Receivables API (direct payments, credit notes,
due-date change requests, freezes, cancellations) and reads the ones the
service and the operator post. The service refuses an event from the wrong
party, with the wrong data, or at the wrong stage of the assignment, and the
ERP only learns so after the fact; `validate_event` answers beforehand, from
the assignment as the ledger knows it.

The rules restate the guide's "Events" chapter. Where the guide names a field
but not its JSON key (credit note number and sum, the new due date, the comment
text, the service level), the key is a **Decision** listed in `EVENT_TYPES`,
with the aliases we also accept.

`apply_events` derives an assignment's state from its events: `status`,
`paid`, `collection_status` (the guide's table), `service_level` and the due
date after `due_date_changed`. A field that no event sets keeps the value the
API reported, so that an export whose events are incomplete still reads right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from kassavirta.erp.assignments import Assignment, Event

__all__ = [
    "COLLECTION_STATUS_BY_EVENT",
    "EVENT_TYPES",
    "AssignmentState",
    "EventType",
    "Party",
    "Verdict",
    "apply_events",
    "delivery_view",
    "is_credit_note_assignment",
    "ordered",
    "validate_event",
]


class Party(StrEnum):
    """Who posts an event: the sender company, the service (Visma Amili), the operator (Maventa)."""

    COMPANY = "company"
    SERVICE = "service"
    OPERATOR = "operator"

    @property
    def label(self) -> str:
        return _PARTY_LABEL[self]


_PARTY_LABEL = {
    Party.COMPANY: "the sender company",
    Party.SERVICE: "Visma Amili (the service)",
    Party.OPERATOR: "Maventa (the operator)",
}


# --- data fields -------------------------------------------------------------------------------

Checker = Callable[[Any], str | None]
"""Returns why a value is wrong, or None when it is fine."""


def _money(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        # str() first: Decimal(0.1) would carry the float's binary error.
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _is_money(value: Any) -> str | None:
    found = _money(value)
    if found is None or not found.is_finite():
        return "must be a number"
    return None


def _is_nonzero_money(value: Any) -> str | None:
    wrong = _is_money(value)
    if wrong is None and _money(value) == 0:
        return "must not be zero"
    return wrong


def _is_positive_money(value: Any) -> str | None:
    wrong = _is_money(value)
    if wrong is None and (_money(value) or Decimal(0)) <= 0:
        return "must be a positive amount"
    return wrong


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text[:10]) if len(text) >= 10 else None
        except ValueError:
            return None
    return None


def _is_date(value: Any) -> str | None:
    return None if _as_date(value) is not None else "must be a date (YYYY-MM-DD)"


def _is_text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return None  # a credit note number may come as a JSON number
    return "must be a non-empty text"


def _is_true(value: Any) -> str | None:
    return None if value is True else "must be true"


SERVICE_LEVELS = ("default", "vip", "premium")


def _is_service_level(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in SERVICE_LEVELS:
        return None
    return "must be one of " + ", ".join(SERVICE_LEVELS)


@dataclass(frozen=True)
class DataField:
    """One key of an event's `data`; `aliases` are other spellings we accept."""

    key: str
    check: Checker
    required: bool = True
    aliases: tuple[str, ...] = ()

    def find(self, data: dict[str, Any]) -> tuple[str, Any] | None:
        for name in (self.key, *self.aliases):
            if name in data and data[name] is not None:
                return name, data[name]
        return None


@dataclass(frozen=True)
class EventType:
    name: str
    creators: frozenset[Party]
    summary: str
    fields: tuple[DataField, ...] = ()

    def data_problem(self, data: dict[str, Any]) -> str | None:
        for f in self.fields:
            found = f.find(data)
            if found is None:
                if f.required:
                    also = f" (or {', '.join(f.aliases)})" if f.aliases else ""
                    return f"data.{f.key}{also} is required for a {self.name} event"
                continue
            key, value = found
            wrong = f.check(value)
            if wrong:
                return f"data.{key} {wrong} (got {value!r})"
        return None


_C, _S, _O = Party.COMPANY, Party.SERVICE, Party.OPERATOR


def _type(
    name: str, creators: Iterable[Party], summary: str, *fields: DataField
) -> tuple[str, EventType]:
    return name, EventType(name, frozenset(creators), summary, fields)


EVENT_TYPES: dict[str, EventType] = dict(
    [
        _type(
            "comment",
            (_C, _S),
            "a comment or question",
            DataField("comment", _is_text, aliases=("message", "text")),
        ),
        _type(
            "paid",
            (_C, _S),
            "a payment, or a credit note marked as used when negative",
            DataField("sum_paid", _is_nonzero_money),
            DataField("booked_at", _is_date, required=False),
            DataField("archive_number", _is_text, required=False),
        ),
        _type("close", (_S,), "the assignment is closed"),
        _type("partially_closed", (_S,), "paid, but fees remain for the service to collect"),
        _type(
            "due_date_change_request",
            (_C,),
            "a request for a new due date",
            DataField("due_date", _is_date, aliases=("new_due_date",)),
        ),
        _type(
            "due_date_changed",
            (_S,),
            "the due date change was accepted",
            DataField("due_date", _is_date, aliases=("new_due_date",)),
        ),
        _type(
            "credit_note",
            (_C,),
            "a credit note linked to the assignment (positive credit sum)",
            DataField("number", _is_text, aliases=("credit_note_number",)),
            DataField("sum", _is_positive_money, aliases=("credit_sum",)),
        ),
        _type("cancel", (_C,), "cancel the whole process (final)"),
        _type(
            "freeze",
            (_C,),
            "suspend collection until a date",
            DataField("frozen", _is_true),
            DataField("end_date", _is_date),
        ),
        _type(
            "freeze_confirmed",
            (_S,),
            "the suspension is applied",
            DataField("end_date", _is_date),
            DataField("happened_at", _is_date, required=False),
        ),
        _type(
            "unfreezed",
            (_S,),
            "the suspension has ended",
            DataField("happened_at", _is_date, required=False),
        ),
        _type(
            "interest_paid",
            (_S,),
            "interest was paid",
            DataField("sum", _is_money, required=False, aliases=("interest", "amount")),
        ),
        _type(
            "cash_discount",
            (_S,),
            "the customer took a cash discount",
            DataField("sum", _is_money, required=False, aliases=("amount",)),
        ),
        _type("reminder_sent", (_S,), "the first reminder was sent"),
        _type("second_reminder_sent", (_S,), "the second reminder was sent"),
        _type("collection_started", (_S,), "the first payment demand was sent"),
        _type("second_demand_sent", (_S,), "the second payment demand was sent"),
        _type("tratta_sent", (_S,), "a tratta was sent"),
        _type("legal_collection_started", (_S,), "legal collection started"),
        _type("application_for_enforcement", (_S,), "sent to the enforcement authority"),
        _type("lack_of_means", (_S,), "the debtor was found insolvent"),
        _type("payment_plan", (_S,), "a payment plan was agreed"),
        _type("credit_loss_suggestion", (_S,), "the service suggests marking a credit loss"),
        _type("credit_loss", (_C,), "marked as a credit loss (final)"),
        _type(
            "service_level_changed",
            (_S,),
            "the customer's service level group",
            DataField("service_level", _is_service_level),
        ),
        _type(
            "delivery_status",
            (_O,),
            "delivery of the original invoice (DELIVERED / FAILED)",
            DataField("status", _is_text),
        ),
    ]
)
"""Every event type of the guide, with who may create it and the data it must carry."""


# --- collection status -------------------------------------------------------------------------

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
    freeze_requested: bool = False
    legal_collection_started: bool = False
    lack_of_means: bool = False
    credited: Decimal = Decimal(0)
    derived: set[str] = field(default_factory=set)
    """The fields that events set (the others are the API's reported values)."""

    @property
    def closed(self) -> bool:
        return self.status in ("closed", "partially_closed")


def _data_value(event: Event, spec_key: str) -> Any:
    spec = EVENT_TYPES.get(event.type)
    if spec is not None:
        for f in spec.fields:
            if f.key == spec_key:
                found = f.find(event.data)
                return found[1] if found else None
    return event.data.get(spec_key)


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
            amount = _money(event.data.get("sum_paid"))
            if amount is not None:
                state.paid = (state.paid or Decimal(0)) + amount
                touched.add("paid")
        elif kind == "credit_note":
            # The assignment's `paid` is "the amount that is paid or credited".
            amount = _money(_data_value(event, "sum"))
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
            new = _as_date(_data_value(event, "due_date"))
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
        elif kind == "freeze":
            state.freeze_requested = True
        elif kind == "freeze_confirmed":
            state.frozen_until = _as_date(event.data.get("end_date"))
            state.freeze_requested = False
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


# --- validation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """Whether the service would accept an event; `rule` is a stable slug, `reason` our words."""

    accepted: bool
    rule: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rule": self.rule, "reason": self.reason}


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
        amount = _money(event.data.get("sum_paid"))
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


# --- delivery-status view ----------------------------------------------------------------------


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
