"""The one rule that depends on the rest of the run: in-run duplicate invoice numbers.

An invoice routed earlier in the run is an open assignment whose invoice is
not (yet) in an error state, so a later invoice with the same number and
invoice date is a `duplicate-number` error, whatever was prepaid on either. The rule sees the results one after another in the
run's order (sorted path order, then position in the file) and needs of each
only its `RunKey`, never the document: the key is made where the invoice is
checked (a worker process, a Dask task) and travels with its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kassavirta.findings import CheckResult, Decision, Severity

if TYPE_CHECKING:
    import sqlite3

    from kassavirta.config.policy import Policy
    from kassavirta.decision import Outcome
    from kassavirta.erp.assignments import Assignment

RUN_SOURCE = "an invoice routed earlier in this run"


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


def run_key(outcome: Outcome, policy: Policy) -> RunKey | None:
    """The key of a routed (or send-error) invoice; None for one that cannot collide."""
    invoice = outcome.invoice
    if invoice is None or outcome.result.decision not in (Decision.ROUTE, Decision.ERROR):
        return None
    if invoice.number is None or invoice.issue_date is None:
        return None
    where = invoice.where("number")
    blockers = policy.assignments.described_blockers(invoice.number, invoice.issue_date)
    return RunKey(
        number=invoice.number,
        issued_at=invoice.issue_date,
        line=where.line,
        xpath=where.xpath,
        blockers=tuple(blockers),
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

    def note(self, result: CheckResult, key: RunKey | None) -> bool:
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
            mark_duplicate(result, key, run_assignment(label, number, key.issued_at))
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
