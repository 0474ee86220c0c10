"""Assignments as the Receivables API returns them, and the duplicate-number rule.

The JSON is `GET /v1/assignments` with events embedded (the guide's example).
Only what SPEC §4 needs is required; everything else is kept as given so the
ledger can store it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kassavirta.errors import SettingsError


class Event(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | None = None
    type: str
    data: dict[str, Any] = Field(default_factory=dict)
    party_id: str | None = None
    created_at: datetime | None = None
    happened_at: datetime | None = None


class Debtor(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str | None = None
    bid: str | None = None


class ReferenceId(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    value: str


def _when(event: Event) -> float:
    moment = event.happened_at or event.created_at
    return moment.timestamp() if moment else float("-inf")


class Assignment(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    number: str
    issued_at: date
    status: str = "open"
    collection_status: str = "unknown"
    service_level: str = "default"
    debtor: Debtor = Field(default_factory=Debtor)
    due_date: date | None = None
    sum: Decimal | None = None
    paid: Decimal | None = None
    currency: str | None = None
    reference_ids: list[ReferenceId] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    source: str | None = Field(default=None, exclude=True)
    """Where we learnt of it (an assignments file, a ledger, or an invoice of this run)."""

    def has_event(self, *types: str) -> bool:
        return any(e.type in types for e in self.events)

    def latest_delivery_status(self) -> str | None:
        deliveries = [e for e in self.events if e.type == "delivery_status"]
        if not deliveries:
            return None
        latest = max(enumerate(deliveries), key=lambda pair: (_when(pair[1]), pair[0]))[1]
        status = latest.data.get("status")
        return str(status) if status is not None else None

    def reroute_note(self, status: str | None = None, due_date: date | None = None) -> str | None:
        """What the sender must do when the invoice of an open assignment was not delivered.

        The guide: a `FAILED` delivery leaves the invoice in an error state; the
        sender reroutes it, and an invoice still in error when it falls due makes
        the service close the assignment. `status` and `due_date` default to the
        API's (`ledger status` passes the ones the events derive).
        """
        if (status or self.status) != "open" or self.latest_delivery_status() != "FAILED":
            return None
        due = due_date or self.due_date
        before = f"before its due date {due.isoformat()}" if due else "before it falls due"
        return (
            "delivery FAILED: the invoice has not reached the receiver. Reroute it (send it by "
            f"another route) {before}, or the service closes the assignment"
        )

    def payments_and_credits(self) -> list[str]:
        """Why the assignment counts as paid or credited (SPEC §4); empty when it is neither.

        The API's `paid` is "the amount that is paid or credited", so an export
        whose events were left out (or a ledger row recorded from a prepaid
        invoice) still says so through the amount alone.
        """
        why: list[str] = []
        if self.paid is not None and self.paid != 0:
            why.append(f"its paid amount is {self.paid:.2f}")
        why += [
            f"it has a {kind} event" for kind in ("paid", "credit_note") if self.has_event(kind)
        ]
        return why

    def credit_notes_named(self) -> list[str]:
        """The credit note numbers that its `credit_note` events link to it."""
        from kassavirta.erp.events.types import data_value

        named = (
            data_value(e.type, e.data, "number") for e in self.events if e.type == "credit_note"
        )
        return [str(n).strip() for n in named if n is not None and str(n).strip()]

    def describe(self, why: str | None = None) -> str:
        where = f" from {self.source}" if self.source else ""
        but = f", but {why}" if why else ""
        return (
            f"assignment {self.id} (number {self.number}, invoice date "
            f"{self.issued_at.isoformat()}, {self.status}{but}){where}"
        )


@dataclass(frozen=True, slots=True)
class DuplicateVerdict:
    """What the duplicate rule makes of one assignment for a new invoice with its number."""

    allowed: bool
    exception: int | None = None
    """1, 2 or 3 (SPEC §4) when `allowed`."""
    payments: tuple[str, ...] = ()
    """The payments and credit notes the assignment has (each as a phrase)."""
    only_payments: bool = False
    """Refused only for `payments`: closed, or open with its delivery FAILED, it would
    otherwise have been exception 2 or 3."""

    def note(self) -> str | None:
        """What a refusal adds to the assignment's description: why exception 2 or 3 fails."""
        return " and ".join(self.payments) if self.only_payments else None

    def explain(self, assignment: Assignment) -> str:
        """One line for `ledger status`: allowed by which exception, or refused and why."""
        if self.exception == 1:
            return "allowed: its invoice date differs (exception 1)"
        if self.exception == 2:
            return "allowed: closed without payments or credit notes (exception 2)"
        if self.exception == 3:
            return (
                "allowed: open, without payments or credit notes, and its invoice is in an error "
                "state (latest delivery FAILED); the service closes this assignment (exception 3)"
            )
        reasons = list(self.payments)
        if assignment.status == "open":
            delivery = assignment.latest_delivery_status()
            reasons.append(
                "it is open"
                + (f" and its latest delivery status is {delivery}" if delivery else "")
            )
        elif assignment.status != "closed":
            reasons.append(f"it is {assignment.status}")
        return "refused with SEND ERROR code #6: " + "; ".join(reasons)


def judge(
    assignment: Assignment, invoice_date: date, linked_credit_notes: Sequence[str] = ()
) -> DuplicateVerdict:
    """Whether `assignment` lets a new invoice with its number and `invoice_date` open (SPEC §4).

    Exceptions 2 and 3 need "no payments or credit notes": a paid amount other
    than 0, a `paid` or `credit_note` event, or a credit note linked to it each
    rule them out. `linked_credit_notes` says (as phrases) which other
    assignments link this one as a credit note (see `AssignmentIndex`).
    """
    if assignment.issued_at != invoice_date:
        return DuplicateVerdict(True, 1)
    payments = (*assignment.payments_and_credits(), *linked_credit_notes)
    closed = assignment.status == "closed"
    failed = assignment.status == "open" and assignment.latest_delivery_status() == "FAILED"
    if closed and not payments:
        return DuplicateVerdict(True, 2)
    if failed and not payments:
        # exception 3: the service closes that assignment and opens a new one.
        return DuplicateVerdict(True, 3)
    return DuplicateVerdict(False, payments=payments, only_payments=closed or failed)


def allows_new(
    assignment: Assignment, invoice_date: date, linked_credit_notes: Sequence[str] = ()
) -> bool:
    """Whether `assignment` lets a new invoice with its number and `invoice_date` open (SPEC §4)."""
    return judge(assignment, invoice_date, linked_credit_notes).allowed


@dataclass(frozen=True, slots=True)
class AssignmentKey:
    """What an index over a ledger needs of one assignment, read without parsing the rest."""

    id: str
    number: str
    issued_at: date
    references: tuple[tuple[str, str], ...]
    """(type, value) of each of its `reference_ids`."""

    @classmethod
    def of(cls, a: Assignment) -> AssignmentKey:
        return cls(a.id, a.number, a.issued_at, tuple((r.type, r.value) for r in a.reference_ids))


def parse_assignments(data: Any, *, source: str = "<assignments>") -> list[Assignment]:
    """Assignments from decoded API JSON: a list, or an object with an `assignments`/`data` list."""
    if isinstance(data, dict):
        for key in ("assignments", "data", "items"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            data = [data] if "number" in data else data
    if not isinstance(data, list):
        raise SettingsError("expected a JSON list of assignments", path=source)
    out: list[Assignment] = []
    for n, item in enumerate(data):
        try:
            a = Assignment.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            key = f"[{n}]." + ".".join(str(p) for p in err["loc"])
            msg = "missing (required)" if err["msg"] == "Field required" else err["msg"]
            raise SettingsError(msg, path=source, key=key) from exc
        a.source = source
        out.append(a)
    return out


def read_json(path: str | Path) -> Any:
    """A JSON file decoded, or a `SettingsError` naming the file."""
    from kassavirta.datafile import LIST_FILE_BYTES, load_json

    return load_json(path, limit=LIST_FILE_BYTES)


def load_assignments(path: str | Path) -> list[Assignment]:
    return parse_assignments(read_json(path), source=str(path))
