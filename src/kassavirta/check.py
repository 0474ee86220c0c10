"""Checking files and folders: read → detect → adapt → rules → decision.

`Checker` holds what a run shares (policy, compiled schemas, the assignments
seen so far) and turns every input, however broken, into results: a batch
never stops, and never loses a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .assignments import Assignment
from .decision import Outcome, Policy, decide, invalid_from_error
from .errors import InputError
from .findings import CheckResult, Decision
from .reading import DEFAULT_MAX_BYTES, read_bytes, read_file

HELSINKI = ZoneInfo("Europe/Helsinki")


def today_in_helsinki() -> date:
    """The sending date as the service sees it: today in Europe/Helsinki."""
    return datetime.now(HELSINKI).date()


@dataclass
class Checker:
    """One run: its policy, and the invoices it has routed so far (for duplicates)."""

    policy: Policy
    max_bytes: int = DEFAULT_MAX_BYTES
    track_run: bool = True
    routed: list[Assignment] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A private copy: invoices routed in this run must not leak into the caller's index.
        self.policy.assignments = self.policy.assignments.copy()

    def check_bytes(self, data: bytes, path: str = "<bytes>") -> list[CheckResult]:
        """All the invoices in one file's bytes, each with its decision."""
        try:
            documents = read_bytes(data, path=path, max_bytes=self.max_bytes)
        except InputError as exc:
            return [invalid_from_error(path, exc).result]
        multi = len(documents) > 1
        results: list[CheckResult] = []
        for document in documents:
            outcome = decide(document, path, self.policy)
            if not multi:
                outcome.result.document = None
            self._remember(outcome, path)
            results.append(outcome.result)
        return results

    def check_path(self, path: Path, label: str | None = None) -> list[CheckResult]:
        shown = label or str(path)
        try:
            data = read_file(path, max_bytes=self.max_bytes)
        except InputError as exc:
            exc.path = shown
            return [invalid_from_error(shown, exc).result]
        return self.check_bytes(data, shown)

    def check_paths(self, paths: Iterable[Path]) -> Iterator[CheckResult]:
        for p in paths:
            yield from self.check_path(p)

    def _remember(self, outcome: Outcome, path: str) -> None:
        invoice = outcome.invoice
        if not self.track_run or outcome.result.decision is not Decision.ROUTE or invoice is None:
            return
        if invoice.number is None or invoice.issue_date is None:
            return
        label = (
            outcome.result.path
            if outcome.result.document is None
            else f"{path}#{outcome.result.document}"
        )
        assignment = Assignment(
            id=f"this run: {label}",
            number=invoice.number,
            issued_at=invoice.issue_date,
            status="open",
        )
        assignment.source = "an invoice routed earlier in this run"
        self.policy.assignments.add(assignment)
        self.routed.append(assignment)


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to check, in sorted path order: files as given, folders recursively (`*.xml`).

    A named path that does not exist is still yielded, so that it becomes an
    `invalid` result instead of silently vanishing from the report.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found: list[Path] = []
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames.sort()
                base = Path(dirpath)
                found.extend(base / name for name in filenames if name.lower().endswith(".xml"))
                found.extend(base / name for name in dirnames if name.lower().endswith(".xml"))
            yield from sorted(found, key=lambda q: q.as_posix())
        else:
            yield p
