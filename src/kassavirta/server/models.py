"""The shapes of the HTTP answers, for `/openapi.json` and for clients generated from it.

Check results are the core's own models (`CheckResult`, `Report`): the server
returns exactly what `kassavirta check --output json` prints. The models here
are the server's additions: problems, the rewrite's answers, the event verdict,
the schedule, the ledger summary and the probes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kassavirta.erp.assignments import Event
from kassavirta.erp.events.types import Party
from kassavirta.findings import CheckResult, Decision, Finding


class Problem(BaseModel):
    """Why a request was not answered: a stable slug and our words."""

    error: str = Field(examples=["payload-too-large"])
    detail: str


class Change(BaseModel):
    """One field the rewrite changes: where (absolute XPath), what, old → new."""

    xpath: str
    field: str
    old: str | None
    new: str | None
    document: int | None = None


class RewriteOutcome(BaseModel):
    """`POST /v1/rewrite` with `Accept: application/json`: the rewrite and its diff."""

    decision: Decision
    reasons: list[str]
    format: str | None
    rewritten: bool
    """False for accountable_party = company: routed, but the invoice is sent as it is."""
    changes: list[Change]
    notes: list[str]
    xml: str | None
    """The rewritten file as text; its XML declaration still names `encoding`. None when the
    bytes cannot be decoded as one text (ask for application/xml to get the exact bytes)."""
    encoding: str | None
    """The encoding the file is written in (and must be written back in)."""


class RewriteRefusal(BaseModel):
    """409 from `/v1/rewrite` and `/v1/preview`: the invoice would not be routed."""

    decision: Decision
    reasons: list[str]
    format: str | None
    rewritten: Literal[False] = False
    changes: list[Change] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    findings: list[Finding]
    results: list[CheckResult]
    """The check result of every invoice in the file, as `/v1/check` gives them."""


class EventCheck(BaseModel):
    """`POST /v1/events/validate`: the event an ERP is about to post, and where."""

    assignment_id: str = Field(min_length=1)
    event: Event
    party: Party = Party.COMPANY


class EventVerdict(BaseModel):
    """The same object `kassavirta event validate --output json` prints."""

    assignment: str
    event: str
    party: Party
    accepted: bool
    rule: str
    """`accepted`, or the slug of the refusal: `unknown-type`, `wrong-party`, `data`, ..."""
    reason: str
    notes: list[str] = Field(default_factory=list)
    """What follows from an accepted event (a cancellation fee, ...)."""


class ScheduleStep(BaseModel):
    step: str
    date: str
    counted_from: str
    days: int
    moved_from: str | None
    """The date the step would fall on had it not been a weekend day or a holiday."""
    source: Literal["guide", "settings", "assumed"]
    """Where the step's offset comes from: the guide, the settings file, or our assumption."""


class ScheduleOut(BaseModel):
    """The reminder schedule, as `kassavirta schedule --output json` gives it per invoice."""

    customer: Literal["b2b", "b2c"]
    due_date: str | None
    service_level: str
    steps: list[ScheduleStep]
    none_because: str | None


class LedgerComment(BaseModel):
    """One comment event, as `kassavirta ledger comments --output json` prints it."""

    model_config = ConfigDict(populate_by_name=True)

    at: str | None
    assignment: str
    number: str
    invoice_date: str
    debtor: str | None
    event_id: str | None
    author: Literal["service", "operator", "unknown"] = Field(alias="from")
    """Who wrote it, told by the other events its party created (the company's own are left out)."""
    party_id: str | None
    comment: str
    seen_at: str | None


class FailedDelivery(BaseModel):
    """An open assignment whose invoice's latest delivery status is FAILED."""

    assignment: str
    number: str
    invoice_date: str
    due_date: str | None
    debtor: str | None
    action_needed: str
    """The guide's instruction: reroute the invoice before its due date, or the service
    closes the assignment (the line `ledger list` prints)."""


class LedgerSummary(BaseModel):
    """`GET /v1/ledger/summary`: what in the ledger waits for the sender."""

    comments: int
    """The service's (and operators') comments in the ledger, seen or not."""
    unseen_comments: int
    """Those not yet marked as seen (`kassavirta ledger comments --mark-seen`)."""
    unseen: list[LedgerComment]
    """The unseen comments, newest first: the first 50 (`ledger comments --unseen` lists all)."""
    failed_deliveries: list[FailedDelivery]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class Readiness(BaseModel):
    ready: bool
    settings: str
    schemas: dict[str, str]
    """Schema key → the XSD file compiled at start."""
    ledger: str | None
    problems: list[str]
