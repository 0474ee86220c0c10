"""Assignments as the Receivables API returns them, and the duplicate-number rule.

The JSON is `GET /v1/assignments` with events embedded (the guide's example).
Only what SPEC §4 needs is required; everything else is kept as given so the
ledger can store it.
"""

from __future__ import annotations

import json
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

    def describe(self) -> str:
        where = f" from {self.source}" if self.source else ""
        return f"assignment {self.id} (number {self.number}, invoice date {self.issued_at.isoformat()}, {self.status}){where}"


def allows_new(assignment: Assignment, invoice_date: date) -> bool:
    """Whether `assignment` lets a new invoice with its number and `invoice_date` open (SPEC §4)."""
    if assignment.issued_at != invoice_date:
        return True  # exception 1
    untouched = not assignment.has_event("paid", "credit_note")
    if assignment.status == "closed" and untouched:
        return True  # exception 2
    # exception 3: the service closes that assignment and opens a new one.
    return (
        assignment.status == "open"
        and untouched
        and assignment.latest_delivery_status() == "FAILED"
    )


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


def load_assignments(path: str | Path) -> list[Assignment]:
    p = Path(path)
    try:
        data = json.loads(p.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise SettingsError(f"cannot read: {exc.strerror or exc}", path=str(p)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise SettingsError(f"not valid JSON: {exc}", path=str(p)) from exc
    return parse_assignments(data, source=str(p))
