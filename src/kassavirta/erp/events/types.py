"""The event catalogue: every event type, who may post it, and the data it must carry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

__all__ = [
    "EVENT_TYPES",
    "SERVICE_LEVELS",
    "DataField",
    "EventType",
    "Party",
    "as_date",
    "data_value",
    "money",
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


def money(value: Any) -> Decimal | None:
    """An amount as the API writes it (a number or its text); None when it is not one."""
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
    found = money(value)
    if found is None or not found.is_finite():
        return "must be a number"
    return None


def _is_nonzero_money(value: Any) -> str | None:
    wrong = _is_money(value)
    if wrong is None and money(value) == 0:
        return "must not be zero"
    return wrong


def _is_positive_money(value: Any) -> str | None:
    wrong = _is_money(value)
    if wrong is None and (money(value) or Decimal(0)) <= 0:
        return "must be a positive amount"
    return wrong


def as_date(value: Any) -> date | None:
    """A date, a datetime or an ISO text as a date; None when it is none of them."""
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
    return None if as_date(value) is not None else "must be a date (YYYY-MM-DD)"


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


def data_value(kind: str, data: dict[str, Any], key: str) -> Any:
    """The value of `key` in an event's `data`, under its name or one of its aliases."""
    spec = EVENT_TYPES.get(kind)
    if spec is not None:
        for f in spec.fields:
            if f.key == key:
                found = f.find(data)
                return found[1] if found else None
    return data.get(key)
