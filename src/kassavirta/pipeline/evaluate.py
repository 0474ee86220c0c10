"""Checking files and folders: read → detect → adapt → rules → decision.

A check has two halves so that it can run on many processes and still be
exact. The first half, `evaluate_path` / `evaluate_bytes`, needs nothing but
the file and the run's policy: it reads, detects, adapts, validates and runs
every rule against the assignments known before the run. It returns each
result with its `RunKey`, the little that the second half needs. The second
half, `RunDuplicates`, sees the results one after another in sorted path order
and applies the one rule that depends on the rest of the run: an invoice
routed earlier in the run is an open assignment with no payments, so a later
invoice with the same number and invoice date is a `duplicate-number` error.
`Checker` (one process, the Python API), `kassavirta.pipeline.batch` (a process pool)
and `kassavirta.pipeline.dask` (a cluster) all combine the two halves the same way,
which is why they give the same results.

Every input, however broken, becomes a result: a batch never stops, and
never loses a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kassavirta.decision import Outcome, Policy, decide, invalid_from_error
from kassavirta.erp.assignments import Assignment
from kassavirta.errors import InputError
from kassavirta.findings import CheckResult, Decision, Finding, Severity
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES, read_bytes, read_file

if TYPE_CHECKING:
    import sqlite3

HELSINKI = ZoneInfo("Europe/Helsinki")
RUN_SOURCE = "an invoice routed earlier in this run"


def today_in_helsinki() -> date:
    """The sending date as the service sees it: today in Europe/Helsinki."""
    return datetime.now(HELSINKI).date()


# --- the first half: one file, no knowledge of the rest of the run ----------------------


@dataclass(frozen=True, slots=True)
class RunKey:
    """What the in-run duplicate rule needs of one checked invoice: never the document.

    Only invoices whose content rules ran with the service active carry one
    (their decision is `route` or `error`); everything else cannot collide.
    """

    number: str
    issued_at: date
    line: int | None = None
    xpath: str | None = None
    blockers: tuple[str, ...] = ()
    """How the assignments known before the run that already block it are described."""


Checked = tuple[CheckResult, RunKey | None]


def _run_key(outcome: Outcome, policy: Policy) -> RunKey | None:
    invoice = outcome.invoice
    if invoice is None or outcome.result.decision not in (Decision.ROUTE, Decision.ERROR):
        return None
    if invoice.number is None or invoice.issue_date is None:
        return None
    where = invoice.where("number")
    blockers = policy.assignments.blockers(invoice.number, invoice.issue_date)
    return RunKey(
        number=invoice.number,
        issued_at=invoice.issue_date,
        line=where.line,
        xpath=where.xpath,
        blockers=tuple(b.describe() for b in blockers),
    )


def _internal_error(path: str, exc: Exception, index: int | None = None) -> CheckResult:
    """A bug of ours must not stop a batch either: the invoice is reported, not lost."""
    return CheckResult(
        path=path,
        document=index,
        decision=Decision.INVALID,
        reasons=["internal-error"],
        findings=[
            Finding(
                rule="internal-error",
                severity=Severity.ERROR,
                message=f"kassavirta failed on this input: {type(exc).__name__}: {exc}",
                detail="This is a bug in kassavirta, not in the invoice: please report it "
                "with the file if you can.",
            )
        ],
    )


def evaluate_bytes(
    data: bytes, path: str, policy: Policy, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Checked]:
    """Every invoice in one file's bytes, decided against what was known before the run."""
    try:
        documents = read_bytes(data, path=path, max_bytes=max_bytes)
    except InputError as exc:
        return [(invalid_from_error(path, exc).result, None)]
    except Exception as exc:  # a batch never stops: see _internal_error
        return [(_internal_error(path, exc), None)]
    multi = len(documents) > 1
    checked: list[Checked] = []
    for document in documents:
        try:
            outcome = decide(document, path, policy)
            key = _run_key(outcome, policy)
        except Exception as exc:
            checked.append((_internal_error(path, exc, document.index if multi else None), None))
            continue
        if not multi:
            outcome.result.document = None
        checked.append((outcome.result, key))
    return checked


def evaluate_path(
    path: str | Path,
    policy: Policy,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    label: str | None = None,
) -> list[Checked]:
    """Every invoice in the file at `path` (see `evaluate_bytes`); unreadable → one invalid result."""
    shown = label or str(path)
    try:
        data = read_file(path, max_bytes=max_bytes)
    except InputError as exc:
        exc.path = shown
        return [(invalid_from_error(shown, exc).result, None)]
    return evaluate_bytes(data, shown, policy, max_bytes=max_bytes)


# --- the second half: the run, in sorted path order --------------------------------------


def run_assignment(label: str, number: str, issued_at: date) -> Assignment:
    """The open assignment an invoice routed earlier in the run stands for."""
    assignment = Assignment(
        id=f"this run: {label}", number=number, issued_at=issued_at, status="open"
    )
    assignment.source = RUN_SOURCE
    return assignment


def duplicate_finding(key: RunKey, blockers: Iterable[str]) -> Finding:
    """The `duplicate-number` finding, in the service's words (SPEC §4)."""
    from kassavirta.rules.send_errors import DUPLICATE_MESSAGE

    return Finding(
        rule="duplicate-number",
        severity=Severity.ERROR,
        service_code=6,
        message=DUPLICATE_MESSAGE.format(number=key.number),
        detail="collides with "
        + "; ".join(blockers)
        + ". Give the invoice a new number, or cancel the existing assignment first.",
        line=key.line,
        xpath=key.xpath,
        value=key.number,
    )


def _rule_order() -> dict[str, int]:
    from kassavirta.rules import RULES

    return {slug: n for n, rule in enumerate(RULES) for slug in rule.slugs}


def mark_duplicate(result: CheckResult, key: RunKey, earlier: Assignment) -> None:
    """Make `result` a `duplicate-number` error naming `earlier`, as if the rule had seen it.

    The finding goes where the rule table puts it, merged with a finding for
    assignments known before the run, so the result is the same whichever
    engine found the collision.
    """
    found = duplicate_finding(key, [*key.blockers, earlier.describe()])
    order = _rule_order()
    findings = [f for f in result.findings if f.rule != "duplicate-number"]
    mine = order["duplicate-number"]
    at = next(
        (n for n, f in enumerate(findings) if order.get(f.rule, len(order)) > mine), len(findings)
    )
    findings.insert(at, found)
    result.findings = findings
    result.decision = Decision.ERROR
    result.reasons = list(dict.fromkeys(f.rule for f in findings if f.severity is Severity.ERROR))
    result.schedule = None  # only routed invoices have a reminder schedule


SPILL_AT = 1_000
"""Routed invoices kept in memory before the index moves to a temporary SQLite file."""


class RunDuplicates:
    """The in-run duplicate rule, applied in sorted path order.

    Keeps, for every routed invoice, only its key (number, invoice date) and
    label. Past `SPILL_AT` routed invoices the keys move to a temporary SQLite
    file, so that a run of millions of files holds constant memory.
    """

    def __init__(self, spill_at: int = SPILL_AT) -> None:
        self._memory: dict[str, tuple[str, str]] = {}
        self._db: sqlite3.Connection | None = None
        self._spill_at = spill_at
        self.routed = 0

    @staticmethod
    def _key(number: str, issued_at: date) -> str:
        return f"{number.strip()}\x00{issued_at.isoformat()}"

    def _spill(self) -> None:
        import sqlite3

        db = sqlite3.connect("", isolation_level=None)  # "": a private temporary file
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-256")  # KiB: the file is the store, not memory
        db.execute(
            "CREATE TABLE routed (key TEXT PRIMARY KEY, label TEXT, number TEXT) WITHOUT ROWID"
        )
        db.executemany(
            "INSERT INTO routed VALUES (?, ?, ?)",
            ((k, label, number) for k, (label, number) in self._memory.items()),
        )
        self._memory = {}
        self._db = db

    def _earlier(self, key: str) -> tuple[str, str] | None:
        if self._db is None:
            return self._memory.get(key)
        row: Any = self._db.execute(
            "SELECT label, number FROM routed WHERE key = ?", (key,)
        ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def _add(self, key: str, label: str, number: str) -> None:
        if self._db is None:
            self._memory[key] = (label, number)
            if len(self._memory) >= self._spill_at:
                self._spill()
        else:
            self._db.execute("INSERT OR IGNORE INTO routed VALUES (?, ?, ?)", (key, label, number))

    def apply(self, result: CheckResult, key: RunKey | None) -> Assignment | None:
        """Apply the rule to the next result; the run's assignment when it is routed."""
        if key is None:
            return None
        k = self._key(key.number, key.issued_at)
        earlier = self._earlier(k)
        if earlier is not None:
            label, number = earlier
            mark_duplicate(result, key, run_assignment(label, number, key.issued_at))
            return None
        if result.decision is not Decision.ROUTE:
            return None
        self._add(k, result.label, key.number)
        self.routed += 1
        return run_assignment(result.label, key.number, key.issued_at)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# --- one process: the Python API ----------------------------------------------------------


@dataclass
class Checker:
    """One run in one process: its policy, and the invoices it has routed so far."""

    policy: Policy
    max_bytes: int = DEFAULT_MAX_BYTES
    track_run: bool = True
    routed: list[Assignment] = field(default_factory=list)
    duplicates: RunDuplicates = field(default_factory=RunDuplicates, repr=False)

    def _finish(self, checked: list[Checked]) -> list[CheckResult]:
        results: list[CheckResult] = []
        for result, key in checked:
            if self.track_run:
                assignment = self.duplicates.apply(result, key)
                if assignment is not None:
                    self.routed.append(assignment)
            results.append(result)
        return results

    def check_bytes(self, data: bytes, path: str = "<bytes>") -> list[CheckResult]:
        """All the invoices in one file's bytes, each with its decision."""
        return self._finish(evaluate_bytes(data, path, self.policy, max_bytes=self.max_bytes))

    def check_path(self, path: Path, label: str | None = None) -> list[CheckResult]:
        return self._finish(evaluate_path(path, self.policy, max_bytes=self.max_bytes, label=label))

    def check_paths(self, paths: Iterable[Path]) -> Iterator[CheckResult]:
        for p in paths:
            yield from self.check_path(p)


# --- inputs ----------------------------------------------------------------------------


def _walk(folder: str) -> Iterator[str]:
    """`*.xml` under `folder`, in the order of sorting the whole list by path, lazily.

    Sorting each folder's entries by name, with a sub-folder keyed by its name
    plus "/", gives exactly the order of sorting every path as a string, while
    holding only one folder's listing at a time. Symbolic links to folders are
    not followed (they cannot loop); a folder named `*.xml` is itself an input
    (it becomes an `invalid` result), and so is a folder that cannot be listed.
    """
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        yield folder
        return
    keyed: list[tuple[str, int, str]] = []
    for entry in entries:
        name = entry.name
        path = name if folder == "." else entry.path  # as pathlib joins: "." / "a" is "a"
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        xml = name.lower().endswith(".xml")
        if is_dir:
            if xml:
                keyed.append((name, 0, path))
            if not entry.is_symlink():
                keyed.append((name + "/", 1, path))
        elif xml:
            keyed.append((name, 0, path))
    keyed.sort()
    for _, recurse, path in keyed:
        if recurse:
            yield from _walk(path)
        else:
            yield path


def iter_input_names(paths: Iterable[str | Path]) -> Iterator[str]:
    """Files to check, as strings: files as given, folders recursively (`*.xml`), sorted.

    A named path that does not exist is still yielded, so that it becomes an
    `invalid` result instead of silently vanishing from the report.
    """
    for raw in paths:
        name = str(Path(raw))  # as the report has always shown paths: "./a/" → "a"
        if os.path.isdir(name):
            yield from _walk(name)
        else:
            yield name


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to check, in sorted path order: files as given, folders recursively (`*.xml`)."""
    for name in iter_input_names(paths):
        yield Path(name)


def count_inputs(paths: Iterable[str | Path]) -> int:
    """How many inputs `iter_input_names` will yield (for a progress bar's total)."""
    return sum(1 for _ in iter_input_names(paths))
