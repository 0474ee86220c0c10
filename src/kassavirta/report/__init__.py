"""Reports: the same results as text for people, or JSON / JSON Lines for programs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

from kassavirta.findings import CheckResult, Decision
from kassavirta.formats.registry import SCHEMA_FILES
from kassavirta.plain import Mode, Plain


@dataclass(slots=True, kw_only=True)
class RunConfig(Plain):
    """The configuration a run used, so that a report says what it was checked against."""

    file: str | None = None
    """The `kassavirta.toml` applied, if any."""
    today: str
    """The sending date (ISO 8601)."""
    settings: str | None = None
    assignments: list[str] = field(default_factory=list)
    ledger: str | None = None
    schemas: list[str] = field(default_factory=list)
    """The XSD folders searched that exist (flags or toml, KASSAVIRTA_SCHEMAS, the user's)."""


@dataclass(slots=True, kw_only=True)
class Summary(Plain):
    files: int = 0
    invoices: int = 0
    route: int = 0
    bypass: int = 0
    error: int = 0
    invalid: int = 0
    reasons: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per decision, how many invoices give each reason (an invoice counts once per reason);
    the most frequent reason first."""
    refused_if_active: int = 0
    """Invoices the service would refuse with a SEND ERROR but that this run shows as warnings
    because the service is not active (no settings, or a status other than ACTIVE)."""
    config: RunConfig | None = None
    """The configuration of a `kassavirta check` run (absent from other reports)."""
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.error or self.invalid)

    def model_dump(self, *, mode: Mode = "python", exclude: Collection[str] = ()) -> dict[str, Any]:
        gone = exclude if self.config is not None else (*exclude, "config")
        return Plain.model_dump(self, mode=mode, exclude=gone)


@dataclass(slots=True, kw_only=True)
class Report(Plain):
    """The document `kassavirta check --output json` prints."""

    summary: Summary
    results: list[CheckResult]


class Counted(Protocol):
    """What a tally reads of a result: a `CheckResult`, or a `pipeline.final.Final` left packed."""

    @property
    def path(self) -> str: ...
    @property
    def decision(self) -> Decision: ...
    @property
    def reasons(self) -> list[str]: ...
    @property
    def schema_check(self) -> str: ...
    @property
    def format(self) -> str | None: ...
    @property
    def refused_if_active(self) -> bool: ...


class Tally:
    """Counts results as they stream past, without keeping them."""

    def __init__(self) -> None:
        self.decisions: Counter[str] = Counter()
        self.paths: set[str] = set()
        self.schema_skipped: set[str] = set()
        self.reasons: dict[str, Counter[str]] = {}
        self.refused_if_active = 0
        self.invoices = 0

    def add(self, result: Counted) -> None:
        self.paths.add(result.path)
        self.count(result)

    def count(self, result: Counted) -> None:
        """Everything `add` counts but the file: a streaming tally counts files its own way."""
        self.invoices += 1
        decision = result.decision.value
        self.decisions[decision] += 1
        reasons = result.reasons
        if reasons:
            counts = self.reasons.get(decision)
            if counts is None:
                counts = self.reasons[decision] = Counter()
            for reason in set(reasons):
                counts[reason] += 1
            if result.refused_if_active:
                self.refused_if_active += 1
        if result.schema_check == "skipped" and (result.format or "") in SCHEMA_FILES:
            self.schema_skipped.add(result.format or "")

    def summary(self) -> Summary:
        notes = []
        if self.schema_skipped:
            formats = ", ".join(sorted(self.schema_skipped))
            notes.append(
                f"XSD validation was skipped for {formats}: no official schema found "
                "(use --schemas DIR, KASSAVIRTA_SCHEMAS, or `kassavirta schemas add DIR`)."
            )
        return Summary(
            files=len(self.paths),
            invoices=self.invoices,
            route=self.decisions["route"],
            bypass=self.decisions["bypass"],
            error=self.decisions["error"],
            invalid=self.decisions["invalid"],
            reasons={
                decision: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
                for decision in ("bypass", "error", "invalid")
                if (counts := self.reasons.get(decision))
            },
            refused_if_active=self.refused_if_active,
            notes=notes,
        )
