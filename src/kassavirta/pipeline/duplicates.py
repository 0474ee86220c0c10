"""The one rule that depends on the rest of the run: in-run duplicate invoice numbers.

An invoice routed earlier in the run is an open assignment whose invoice is
not (yet) in an error state, so a later invoice with the same number and
invoice date is a `duplicate-number` error, whatever was prepaid on either. The rule sees the results one after another in the
run's order (sorted path order, then position in the file) and needs of each
only its `RunKey`, never the document: the key is made where the invoice is
checked (a worker process, a Dask task) and travels with its result.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from kassavirta.findings import CheckResult, Decision, Severity
from kassavirta.pipeline.final import Final

if TYPE_CHECKING:
    import sqlite3

    from kassavirta.config.policy import Policy
    from kassavirta.decision import Outcome
    from kassavirta.erp.assignments import Assignment
    from kassavirta.model import Location

RUN_SOURCE = "an invoice routed earlier in this run"


class RunKey:
    """What the in-run duplicate rule needs of one checked invoice: never the document.

    Only invoices whose content rules ran with the service active carry one
    (their decision is `route` or `error`); everything else cannot collide.
    Where the number stands (`line`, `xpath`) is needed only when the invoice
    turns out to be a duplicate: a key used at once in the process that holds
    the document finds it then (`locate`); one kept or sent to another process
    finds it first (`settle`, and `__reduce__`), since the document must not
    be kept nor can it travel.
    """

    __slots__ = ("_line", "_locate", "_xpath", "blockers", "issued_at", "number")

    def __init__(
        self,
        number: str,
        issued_at: date,
        line: int | None = None,
        xpath: str | None = None,
        blockers: tuple[str, ...] = (),
        *,
        locate: Callable[[], Location] | None = None,
    ) -> None:
        self.number = number
        self.issued_at = issued_at
        self._line = line
        self._xpath = xpath
        self.blockers = blockers
        """How the assignments known before the run that already block it are described."""
        self._locate = locate

    def settle(self) -> RunKey:
        """The key with its location found, holding nothing of the document any more."""
        if self._locate is not None:
            where = self._locate()
            self._line, self._xpath, self._locate = where.line, where.xpath, None
        return self

    @property
    def line(self) -> int | None:
        return self.settle()._line

    @property
    def xpath(self) -> str | None:
        return self.settle()._xpath

    def _fields(self) -> tuple[str, date, int | None, str | None, tuple[str, ...]]:
        return (self.number, self.issued_at, self.line, self.xpath, self.blockers)

    def __reduce__(self) -> tuple[type[RunKey], tuple[object, ...]]:
        return (RunKey, self._fields())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunKey) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        number, issued_at, line, xpath, blockers = self._fields()
        return (
            f"RunKey(number={number!r}, issued_at={issued_at!r}, line={line!r}, "
            f"xpath={xpath!r}, blockers={blockers!r})"
        )


def run_key(outcome: Outcome, policy: Policy) -> RunKey | None:
    """The key of a routed (or send-error) invoice; None for one that cannot collide."""
    invoice = outcome.invoice
    if invoice is None or outcome.result.decision not in (Decision.ROUTE, Decision.ERROR):
        return None
    if invoice.number is None or invoice.issue_date is None:
        return None
    blockers = policy.assignments.described_blockers(invoice.number, invoice.issue_date)
    return RunKey(
        number=invoice.number,
        issued_at=invoice.issue_date,
        blockers=tuple(blockers),
        locate=partial(invoice.where, "number"),
    )


def run_assignment(label: str, number: str, issued_at: date) -> Assignment:
    """The open assignment an invoice routed earlier in the run stands for."""
    from kassavirta.erp.assignments import Assignment  # pydantic: only once something routes

    assignment = Assignment(
        id=f"this run: {label}", number=number, issued_at=issued_at, status="open"
    )
    assignment.source = RUN_SOURCE
    return assignment


def _rule_order() -> dict[str, int]:
    from kassavirta.rules import RULES

    return {slug: n for n, rule in enumerate(RULES) for slug in rule.slugs}


def mark_duplicate(result: CheckResult, key: RunKey, earlier: Assignment) -> None:
    """Make `result` a `duplicate-number` error naming `earlier`, as if the rule had seen it.

    The finding goes where the rule table puts it, merged with a finding for
    assignments known before the run, so the result is the same whichever
    engine found the collision.
    """
    from kassavirta.rules.send_errors import duplicate_finding

    blockers = [*key.blockers, earlier.describe()]
    found = duplicate_finding(key.number, blockers, line=key.line, xpath=key.xpath)
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
WRITE_AT = 256
"""Routed invoices gathered in memory, once the index is in SQLite, before they are written
there together (a statement and a query per invoice cost about 8 µs of each file's check)."""
FILTER_BITS = 1 << 23
"""The size of the filter (1 MiB) that answers "never routed" without asking SQLite."""


class RunDuplicates:
    """The in-run duplicate rule, applied in sorted path order.

    Keeps, for every routed invoice, only its key (number, invoice date) and
    label. Past `SPILL_AT` routed invoices the keys move to a temporary SQLite
    file, so that a run of millions of files holds constant memory. From then
    on a Bloom filter of fixed size answers most look-ups (a key never routed
    is by far the usual one) without a query, and new keys are written in
    batches of `WRITE_AT`, the latest batch being looked up in memory.
    """

    def __init__(self, spill_at: int = SPILL_AT, filter_bits: int = FILTER_BITS) -> None:
        self._memory: dict[str, tuple[str, str]] = {}
        """Every key before the spill; after it, the keys not yet written to SQLite."""
        self._db: sqlite3.Connection | None = None
        self._spill_at = spill_at
        self._filter = bytearray(0)
        self._mask = max(8, 1 << (filter_bits - 1).bit_length()) - 1  # a power of two, less one
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
        self._db = db
        self._filter = bytearray((self._mask + 1) // 8)
        for key in self._memory:
            self._mark(key)
        self._write()

    def _mark(self, key: str) -> None:
        """Set the key's two bits in the filter, from two halves of its (per-process) hash."""
        h, mask, seen = hash(key), self._mask, self._filter
        low, high = h & mask, (h >> 32) & mask
        seen[low >> 3] |= 1 << (low & 7)
        seen[high >> 3] |= 1 << (high & 7)

    def _maybe(self, key: str) -> bool:
        """False: the key was never added; True: it may have been (ask SQLite)."""
        h, mask, seen = hash(key), self._mask, self._filter
        low, high = h & mask, (h >> 32) & mask
        return bool(seen[low >> 3] & (1 << (low & 7)) and seen[high >> 3] & (1 << (high & 7)))

    def _write(self) -> None:
        assert self._db is not None
        self._db.executemany(
            "INSERT OR IGNORE INTO routed VALUES (?, ?, ?)",
            # In key order: neighbours in the index are written together.
            ((k, label, number) for k, (label, number) in sorted(self._memory.items())),
        )
        self._memory = {}

    def _earlier(self, key: str) -> tuple[str, str] | None:
        found = self._memory.get(key)
        if found is not None or self._db is None or not self._maybe(key):
            return found
        row: Any = self._db.execute(
            "SELECT label, number FROM routed WHERE key = ?", (key,)
        ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def _add(self, key: str, label: str, number: str) -> None:
        self._memory[key] = (label, number)
        if self._db is None:
            if len(self._memory) >= self._spill_at:
                self._spill()
            return
        self._mark(key)
        if len(self._memory) >= WRITE_AT:
            self._write()

    def note(self, result: CheckResult | Final, key: RunKey | None) -> bool:
        """Apply the rule to the next result; whether it is routed (and so blocks later ones).

        A batch needs no more than this: building the `Assignment` each routed
        invoice stands for (`apply`) costs a pydantic model per invoice.
        """
        if key is None:
            return False
        k = self._key(key.number, key.issued_at)
        earlier = self._earlier(k)
        if earlier is not None:
            label, number = earlier
            marked = result.changed() if isinstance(result, Final) else result
            mark_duplicate(marked, key, run_assignment(label, number, key.issued_at))
            return False
        if result.decision is not Decision.ROUTE:
            return False
        self._add(k, result.label, key.number)
        self.routed += 1
        return True

    def apply(self, result: CheckResult, key: RunKey | None) -> Assignment | None:
        """`note`, and the run's assignment when the result is routed."""
        if not self.note(result, key):
            return None
        assert key is not None
        return run_assignment(result.label, key.number, key.issued_at)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            self._memory = {}
            self._filter = bytearray(0)
