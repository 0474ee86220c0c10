"""Checking files and folders: read → detect → adapt → rules → decision.

A check has two halves so that it can run on many processes and still be
exact. The first half, `evaluate_path` / `evaluate_bytes`, needs nothing but
the file and the run's policy: it reads, detects, adapts, validates and runs
every rule against the assignments known before the run. It returns each
result with its `RunKey`, the little that the second half needs. A run's
files go through `evaluate_paths`, which does the same for each in order,
parsing a few files ahead of judging them. The second
half, `pipeline.duplicates.RunDuplicates`, sees the results one after another
in sorted path order and applies the one rule that depends on the rest of the
run (in-run duplicate invoice numbers).
`Checker` (one process, the Python API), `kassavirta.pipeline.batch` (a process pool)
and `kassavirta.pipeline.dask` (a cluster) all combine the two halves the same way,
which is why they give the same results.

Every input, however broken, becomes a result: a batch never stops, and
never loses a file. In one process the result comes with its `Outcome` (the
parsed document and the adapted invoice, `decide_bytes` / `Checker.outcomes`),
so that `rewrite` and `preview` go on from them instead of reading again;
across processes only the result and its key travel.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kassavirta.config.policy import Policy
from kassavirta.decision import Outcome, Subject, examine, invalid_from_error, invalid_result, judge
from kassavirta.errors import InputError
from kassavirta.findings import CheckResult, Finding, Severity
from kassavirta.pipeline.duplicates import RunDuplicates, RunKey, run_key
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES, Document, read_bytes, read_file

if TYPE_CHECKING:
    from kassavirta.erp.assignments import Assignment


def today_in_helsinki() -> date:
    """The sending date as the service sees it: today in Europe/Helsinki."""
    from zoneinfo import ZoneInfo  # not at import: a run given --today never needs it

    return datetime.now(ZoneInfo("Europe/Helsinki")).date()


# --- the first half: one file, no knowledge of the rest of the run ----------------------

Checked = tuple[CheckResult, RunKey | None]
"""A result and its key: what a worker process sends back."""
Decided = tuple[Outcome, RunKey | None]
"""An outcome and its key: what stays in the process that decided."""


def internal_error(
    path: str, message: str, detail: str, *, index: int | None = None
) -> CheckResult:
    """`invalid` / `internal-error`: what kassavirta failed at is reported, never lost."""
    found = Finding(rule="internal-error", severity=Severity.ERROR, message=message, detail=detail)
    return invalid_result(path, "internal-error", [found], index=index)


def _internal_error(path: str, exc: Exception, index: int | None = None) -> Outcome:
    """A bug of ours must not stop a batch either: the invoice is reported, not lost."""
    return Outcome(
        internal_error(
            path,
            f"kassavirta failed on this input: {type(exc).__name__}: {exc}",
            "This is a bug in kassavirta, not in the invoice: please report it "
            "with the file if you can.",
            index=index,
        )
    )


Examined = tuple[Document, Subject | Outcome]
"""A parsed document and the first half of its decision (`decision.examine`)."""


def _examine_bytes(
    data: bytes, path: str, max_bytes: int, policy: Policy
) -> list[Examined] | Decided:
    """One file's documents, each examined; or the one invalid outcome of a file that has none."""
    try:
        documents = read_bytes(data, path=path, max_bytes=max_bytes)
    except InputError as exc:
        return (invalid_from_error(path, exc), None)
    except Exception as exc:  # a batch never stops: see _internal_error
        return (_internal_error(path, exc), None)
    multi = len(documents) > 1
    return [(document, _examine_one(document, path, policy, multi)) for document in documents]


def _examine_one(document: Document, path: str, policy: Policy, multi: bool) -> Subject | Outcome:
    try:
        return examine(document, path, policy)
    except Exception as exc:  # a batch never stops: see _internal_error
        return _internal_error(path, exc, document.index if multi else None)


def _judged(found: list[Examined] | Decided, path: str, policy: Policy) -> list[Decided]:
    """Each of one file's examined documents decided (an outcome passed on as it is)."""
    if isinstance(found, tuple):
        return [found]
    multi = len(found) > 1
    decided: list[Decided] = []
    for document, examined in found:
        try:
            outcome = examined if isinstance(examined, Outcome) else judge(examined)
            key = run_key(outcome, policy)
        except Exception as exc:
            decided.append((_internal_error(path, exc, document.index if multi else None), None))
            continue
        if not multi:
            outcome.result.document = None
        decided.append((outcome, key))
    return decided


def decide_bytes(
    data: bytes, path: str, policy: Policy, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Decided]:
    """Every invoice in one file's bytes, decided against what was known before the run."""
    return _judged(_examine_bytes(data, path, max_bytes, policy), path, policy)


def _examine_path(
    path: str | Path, max_bytes: int, shown: str, policy: Policy
) -> tuple[list[Examined] | Decided, int]:
    """The examined documents of the file at `path` (see `_examine_bytes`), and its size."""
    try:
        data = read_file(path, max_bytes=max_bytes)
    except InputError as exc:
        exc.path = shown
        return (invalid_from_error(shown, exc), None), 0
    return _examine_bytes(data, shown, max_bytes, policy), len(data)


def decide_path(
    path: str | Path,
    policy: Policy,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    label: str | None = None,
) -> list[Decided]:
    """Every invoice in the file at `path` (see `decide_bytes`); unreadable → one invalid result."""
    shown = label or str(path)
    return _judged(_examine_path(path, max_bytes, shown, policy)[0], shown, policy)


def _checked(decided: list[Decided]) -> list[Checked]:
    """Only what may cross a process boundary: never the document or the invoice."""
    return [(outcome.result, key and key.settle()) for outcome, key in decided]


def evaluate_bytes(
    data: bytes, path: str, policy: Policy, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Checked]:
    """`decide_bytes` for another process: each result with its key."""
    return _checked(decide_bytes(data, path, policy, max_bytes=max_bytes))


def evaluate_path(
    path: str | Path, policy: Policy, *, max_bytes: int = DEFAULT_MAX_BYTES, here: bool = False
) -> list[Checked]:
    """`decide_path` for another process: each result with its key.

    `here`: for a caller in this process that applies each key before it asks
    for the next file. Its keys still hold the document until then, so that
    where an invoice's number stands is found only for one that turns out to
    be a duplicate.
    """
    return _handed(decide_path(path, policy, max_bytes=max_bytes), here)


def _handed(decided: list[Decided], here: bool) -> list[Checked]:
    """The results and keys a caller gets (`evaluate_path`'s `here`)."""
    return [(outcome.result, key) for outcome, key in decided] if here else _checked(decided)


READ_AHEAD_FILES = 16
"""Files `evaluate_paths` reads and parses together before it decides them."""
READ_AHEAD_BYTES = 1 << 20
"""... and no more bytes together than this: a larger file is a group of its own."""


def evaluate_paths(
    paths: Iterable[str | Path],
    policy: Policy,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    here: bool = False,
    ahead: int | None = None,
) -> Iterator[list[Checked]]:
    """`evaluate_path` of each of `paths`, in order, parsing a few files ahead of deciding them.

    Parsing and validating against the XSD are libxml2's work, reading fields
    and judging them Python's; done in turn for every file, each evicts the
    other's tables and code from the processor's caches. Parsing and examining
    a handful of files one after another (`decision.examine`: the steps on the
    document alone, the XSD among them), then judging them one after another,
    costs about a seventh less. The answers are the same: a file's decision
    never depends on another's (see `pipeline.duplicates`). The group is small
    and bounded in bytes, so memory stays bounded per input and results still
    stream. `ahead` overrides `READ_AHEAD_FILES` (1: each file decided before the
    next is read).
    """
    most = READ_AHEAD_FILES if ahead is None else max(1, ahead)
    group: list[tuple[str, list[Examined] | Decided]] = []
    held = 0
    for path in paths:
        shown = str(path)
        found, size = _examine_path(path, max_bytes, shown, policy)
        group.append((shown, found))
        del found  # the group holds it, until it is decided
        held += size
        if len(group) >= most or held >= READ_AHEAD_BYTES:
            yield from _decided_group(group, policy, here)
            held = 0
    yield from _decided_group(group, policy, here)


def _decided_group(
    group: list[tuple[str, list[Examined] | Decided]], policy: Policy, here: bool
) -> Iterator[list[Checked]]:
    """Decide a group's files in order, letting go of each one's documents as it is decided."""
    files = group[:]
    group.clear()
    files.reverse()
    while files:
        shown, found = files.pop()
        checked = _handed(_judged(found, shown, policy), here)
        del found  # not held while the caller writes the result
        yield checked


# --- one process: the Python API ----------------------------------------------------------


@dataclass
class Checker:
    """One run in one process: its policy, and the invoices it has routed so far."""

    policy: Policy
    max_bytes: int = DEFAULT_MAX_BYTES
    track_run: bool = True
    routed: list[Assignment] = field(default_factory=list)
    duplicates: RunDuplicates = field(default_factory=RunDuplicates, repr=False)

    def _finish(self, decided: list[Decided]) -> list[Outcome]:
        if self.track_run:
            for outcome, key in decided:
                assignment = self.duplicates.apply(outcome.result, key)
                if assignment is not None:
                    self.routed.append(assignment)
        return [outcome for outcome, _ in decided]

    def outcomes(self, data: bytes, path: str = "<bytes>") -> list[Outcome]:
        """All the invoices in one file's bytes, each decided, with its document and invoice."""
        return self._finish(decide_bytes(data, path, self.policy, max_bytes=self.max_bytes))

    def check_bytes(self, data: bytes, path: str = "<bytes>") -> list[CheckResult]:
        """All the invoices in one file's bytes, each with its decision."""
        return [outcome.result for outcome in self.outcomes(data, path)]

    def path_outcomes(self, path: Path, label: str | None = None) -> list[Outcome]:
        """`outcomes` for the file at `path`; an unreadable file is one invalid outcome."""
        decided = decide_path(path, self.policy, max_bytes=self.max_bytes, label=label)
        return self._finish(decided)

    def check_path(self, path: Path, label: str | None = None) -> list[CheckResult]:
        return [outcome.result for outcome in self.path_outcomes(path, label)]

    def check_paths(self, paths: Iterable[Path]) -> Iterator[CheckResult]:
        for p in paths:
            yield from self.check_path(p)
