"""Reports: the same results as text for people, or JSON / JSON Lines for programs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kassavirta.findings import CheckResult
from kassavirta.formats.registry import SCHEMA_FILES
from kassavirta.plain import Plain


@dataclass(slots=True, kw_only=True)
class Summary(Plain):
    files: int = 0
    invoices: int = 0
    route: int = 0
    bypass: int = 0
    error: int = 0
    invalid: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.error or self.invalid)


@dataclass(slots=True, kw_only=True)
class Report(Plain):
    """The document `kassavirta check --output json` prints."""

    summary: Summary
    results: list[CheckResult]


class Tally:
    """Counts results as they stream past, without keeping them."""

    def __init__(self) -> None:
        self.decisions: Counter[str] = Counter()
        self.paths: set[str] = set()
        self.schema_skipped: set[str] = set()
        self.invoices = 0

    def add(self, result: CheckResult) -> None:
        self.invoices += 1
        self.paths.add(result.path)
        self.decisions[result.decision.value] += 1
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
            notes=notes,
        )
