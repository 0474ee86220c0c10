"""The assignment ledger: one SQLite file, WAL, every write one transaction.

Each assignment and event is stored as the API's JSON (`raw`) plus the
columns we search by. The JSON is the truth and goes back through
`kassavirta.erp.assignments` when read, so the ledger never has a second idea of
what an assignment is. Imports upsert by assignment id and event id and skip
rows whose JSON is unchanged: the same export imported twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kassavirta.config.settings import _compact_bid
from kassavirta.erp.assignments import Assignment, Event, parse_assignments
from kassavirta.erp.index import AssignmentIndex
from kassavirta.erp.ledger.schema import (
    CURRENT_VERSION,
    INSERT_KEYS,
    LedgerError,
    check_known,
    key_rows,
    migrate,
    read_version,
)
from kassavirta.erp.service_levels import CustomerLevel

BUSY_TIMEOUT_MS = 10_000
WAIT_ENV = "KASSAVIRTA_LEDGER_WAIT"
"""Seconds a write waits for another process's write lock (default 10) before giving up."""


def busy_timeout_ms() -> int:
    """How long to wait for another run's write lock: `KASSAVIRTA_LEDGER_WAIT` seconds, or 10."""
    import os

    given = os.environ.get(WAIT_ENV, "")
    try:
        return max(0, int(float(given) * 1000)) if given else BUSY_TIMEOUT_MS
    except ValueError:
        return BUSY_TIMEOUT_MS


def use_wal(conn: sqlite3.Connection) -> None:
    """Put the ledger in WAL mode, waiting as for any lock while another run does the same.

    Two runs creating the same ledger at once both ask for WAL mode; SQLite answers
    the second "database is locked" at once, without waiting its busy timeout, so
    this waits (up to that timeout) instead of refusing a run that only came second.
    Once the file is in WAL mode (it stays so), nothing needs changing.
    """
    import time

    deadline = time.monotonic() + busy_timeout_ms() / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_BUSY")
            if not busy or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def explain(exc: sqlite3.Error) -> str:
    """SQLite's error in words a user can act on: locked, disk full, damaged, not a ledger."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"the ledger is locked by another process (a `check --record` or `ledger import` "
            f"still running?) and stayed locked for {busy_timeout_ms() / 1000:g} s; try again "
            f"when it has finished, or wait longer with {WAIT_ENV}=SECONDS"
        )
    if name == "SQLITE_FULL":
        return "the disk is full (or the file size limit is reached)"
    if name.startswith("SQLITE_IOERR"):
        what = "disk I/O error" if str(exc) == "disk I/O error" else f"disk I/O error ({exc})"
        return f"{what}: the disk may be full or failing"
    if name.startswith("SQLITE_CORRUPT"):
        return (
            f"the ledger file is damaged ({exc}): restore it from a backup, or import the "
            "service's export into a new ledger"
        )
    if name == "SQLITE_NOTADB":
        return f"not a kassavirta ledger ({exc})"
    return str(exc)


def explain_open(exc: sqlite3.Error) -> str:
    """Why a ledger could not be opened: only a file that is no SQLite database at all, or the
    wrong one, is "not a kassavirta ledger"; a lock, a full disk or damage say so."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(
        ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CORRUPT")
    ):
        return f"cannot open the ledger: {explain(exc)}"
    return f"not a kassavirta ledger ({exc})"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def event_id(event: Event) -> str:
    """The event's own id, or a stable one made from its content (hand-written events have none)."""
    if event.id:
        return event.id
    body = event.model_dump(mode="json", exclude={"id"})
    return "local-" + hashlib.sha256(_canonical(body).encode()).hexdigest()[:32]


def _assignment_raw(a: Assignment) -> dict[str, Any]:
    return a.model_dump(mode="json", exclude={"events", "source"})


def _event_raw(e: Event) -> dict[str, Any]:
    raw = e.model_dump(mode="json")
    raw["id"] = event_id(e)
    return raw


@dataclass
class Counts:
    """What a write did, for the user and for tests."""

    assignments_new: int = 0
    assignments_updated: int = 0
    assignments_unchanged: int = 0
    events_new: int = 0
    events_updated: int = 0
    events_unchanged: int = 0
    closed: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.assignments_new
            or self.assignments_updated
            or self.events_new
            or self.events_updated
            or self.closed
        )


@dataclass
class LevelCounts:
    """What an import of the service-level groups changed: customers new to a group, moved to
    another group, out of every group, or still in the same one."""

    new: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class StoredEvent:
    """One event with the assignment it belongs to, as `Ledger.events_of_type` finds it."""

    assignment_id: str
    number: str
    issued_at: str
    debtor: str | None
    event: Event
    seen_at: str | None
    """When `mark_seen` recorded it as seen (UTC, ISO 8601); None: not seen yet."""


class Ledger:
    """An open ledger file. Use `Ledger.open` (writes, migrates) or `Ledger.open_readonly`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly
        self._held = False
        self._verified = False

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Ledger:
        """Open for writing, creating the file (and its folder) and migrating it as needed."""
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(p, isolation_level=None, timeout=busy_timeout_ms() / 1000)
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(f"cannot open the ledger: {exc}", path=str(p)) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
            use_wal(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, str(p))
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise LedgerError(explain_open(exc), path=str(p)) from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, p, readonly=False)

    @classmethod
    def open_readonly(cls, path: str | Path) -> Ledger:
        """Open an existing ledger without any possibility of writing to it."""
        p = Path(path)
        if not p.is_file():
            raise LedgerError(
                "no such ledger file (create one with `kassavirta ledger import FILE --ledger "
                f"{p}` or `kassavirta check --record`)",
                path=str(p),
            )
        try:
            conn = sqlite3.connect(
                f"{p.resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = read_version(conn)
        except sqlite3.Error as exc:
            raise LedgerError(f"not a kassavirta ledger ({exc})", path=str(p)) from exc
        check_known(version, str(p))
        if version < CURRENT_VERSION:
            if version == 0:
                conn.close()
                raise LedgerError("not a kassavirta ledger (no schema_version table)", path=str(p))
            # An older ledger is read, never written: a copy in memory is brought up to date
            # (a read-only disk, or a ledger another version of the toolkit still uses, stays
            # as it is); `ledger import` or `check --record` migrate the file itself.
            try:
                memory = sqlite3.connect(":memory:", isolation_level=None)
                conn.backup(memory)
                migrate(memory, str(p))
            except sqlite3.Error as exc:
                raise LedgerError(f"not a kassavirta ledger ({exc})", path=str(p)) from exc
            finally:
                conn.close()
            return cls(memory, p, readonly=True)
        return cls(conn, p, readonly=True)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return read_version(self._conn)

    # -- transactions ----------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it commits, or none of it does.

        It holds SQLite's write lock from its start (`BEGIN IMMEDIATE`), so what
        it reads before writing is still true when it writes. Inside `locked()`
        it is part of the held transaction and commits with it.
        """
        if self.readonly:
            raise LedgerError("the ledger is open read-only", path=str(self.path))
        if self._held:
            yield self._conn
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            if not self._verified:
                self._verify()
                self._verified = True
        except sqlite3.Error as exc:
            self._rollback()
            raise LedgerError(
                f"cannot write the ledger: {explain(exc)}", path=str(self.path)
            ) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            yield self._conn
        except BaseException:
            self._rollback()
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise LedgerError(
                f"cannot write the ledger, it is unchanged: {explain(exc)}", path=str(self.path)
            ) from exc

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already (it does after a full disk)."""
        # An error from ROLLBACK itself is not the one to report: the one that brought us here is.
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _verify(self) -> None:
        """Refuse to write into a damaged file: SQLite notices bad pages only when it reads them,
        so an import would succeed beside them and the damage spread unseen.

        The check reads the whole file, so it runs once per open ledger, at its first write
        (a command opens the ledger once): many small writes through one connection
        (`mark_seen`, `record`) would otherwise each cost as much as the whole ledger."""
        rows = self._conn.execute("PRAGMA quick_check(1)").fetchall()
        if rows != [("ok",)]:
            said = str(rows[0][0]) if rows else "no answer"
            detail = " ".join(said.replace("*** in database main ***", "").split())
            raise LedgerError(
                f"the ledger file is damaged ({detail}): restore it from a backup, or import the "
                "service's export into a new ledger",
                path=str(self.path),
            )

    @contextmanager
    def locked(self) -> Iterator[Ledger]:
        """Hold the write lock over a whole decide-and-record step (`check --record`).

        A second run waits here until the first has recorded, then reads what
        it recorded, so two runs over the same invoices open one assignment
        each, never two. Every write inside is one transaction with it.
        """
        with self.transaction():
            self._held = True
            try:
                yield self
            finally:
                self._held = False

    # -- writing ---------------------------------------------------------------------------------

    def import_assignments(
        self, assignments: Iterable[Assignment], *, origin: str = "import"
    ) -> Counts:
        """Upsert assignments and their events in one transaction."""
        counts = Counts()
        items = list(assignments)
        try:
            with self.transaction() as conn:
                for a in items:
                    self._upsert_assignment(conn, a, origin, counts)
                    for e in a.events:
                        self._upsert_event(conn, a.id, e, counts)
        except sqlite3.Error as exc:
            raise LedgerError(
                f"import failed, the ledger is unchanged: {explain(exc)}", path=str(self.path)
            ) from exc
        return counts

    def record(self, new: Sequence[Assignment], close: Sequence[tuple[str, str]]) -> Counts:
        """Add `new` open assignments and close `(id, why)` ones, all in one transaction."""
        counts = Counts()
        try:
            with self.transaction() as conn:
                for assignment_id, why in close:
                    self._close(conn, assignment_id, why, counts)
                for a in new:
                    self._upsert_assignment(conn, a, "record", counts)
        except sqlite3.Error as exc:
            raise LedgerError(
                f"recording failed, the ledger is unchanged: {explain(exc)}", path=str(self.path)
            ) from exc
        return counts

    def import_service_levels(
        self, customers: Sequence[CustomerLevel], *, source: str
    ) -> LevelCounts:
        """Make the ledger's groups exactly `customers` (the API's whole answer), in one
        transaction; a customer left out of the answer is in no group any more."""
        counts = LevelCounts()
        wanted: dict[str, CustomerLevel] = {}
        for c in customers:
            wanted.setdefault(_compact_bid(c.business_id), c)
        try:
            with self.transaction() as conn:
                before = {
                    key: (bid, level, raw)
                    for key, bid, level, raw in conn.execute(
                        "SELECT key, business_id, level, raw FROM service_levels"
                    )
                }
                now = _now()
                for key in before.keys() - wanted.keys():
                    conn.execute("DELETE FROM service_levels WHERE key = ?", (key,))
                    counts.removed += 1
                for key, c in wanted.items():
                    row = (c.business_id, c.level, _canonical(dict(c.raw)))
                    old = before.get(key)
                    if old is None:
                        counts.new += 1
                    elif old[1] != c.level:
                        counts.changed += 1
                    else:
                        counts.unchanged += 1  # the same group (its other details may be newer)
                    if old == row:
                        continue
                    conn.execute(
                        "INSERT OR REPLACE INTO service_levels "
                        "(key, business_id, level, raw, source, imported_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (key, *row, source, now),
                    )
        except sqlite3.Error as exc:
            raise LedgerError(
                f"import failed, the ledger is unchanged: {explain(exc)}", path=str(self.path)
            ) from exc
        return counts

    def service_levels(self) -> list[CustomerLevel]:
        """The customers in a service-level group, by group then business ID."""
        rows = self._read(
            "SELECT business_id, level, raw FROM service_levels ORDER BY level, key", ()
        )
        return [CustomerLevel(bid, level, json.loads(raw)) for bid, level, raw in rows]

    def events_of_type(self, kind: str) -> list[StoredEvent]:
        """Every event of type `kind` across the ledger, with its assignment and seen mark."""
        sql = (
            "SELECT e.assignment_id, a.number, a.issued_at, a.debtor_name, e.raw, s.seen_at "
            "FROM events e JOIN assignments a ON a.id = e.assignment_id "
            "LEFT JOIN seen_events s ON s.assignment_id = e.assignment_id AND s.event_id = e.id "
            "WHERE e.type = ? ORDER BY e.rowid"
        )
        return [
            StoredEvent(ident, number, issued, debtor, Event.model_validate_json(raw), seen)
            for ident, number, issued, debtor, raw, seen in self._read(sql, (kind,))
        ]

    def parties(self) -> dict[str, set[str]]:
        """Every `party_id` in the ledger with the event types it created."""
        sql = "SELECT DISTINCT party_id, type FROM events WHERE party_id IS NOT NULL"
        found: dict[str, set[str]] = {}
        for party, kind in self._read(sql, ()):
            found.setdefault(str(party), set()).add(str(kind))
        return found

    def mark_seen(self, events: Iterable[tuple[str, str]]) -> tuple[int, str]:
        """Record `(assignment id, event id)` pairs as seen now; how many were new, and when.

        An event seen before keeps its first time.
        """
        now = _now()
        try:
            with self.transaction() as conn:
                before = conn.total_changes
                conn.executemany(
                    "INSERT OR IGNORE INTO seen_events (assignment_id, event_id, seen_at) "
                    "VALUES (?, ?, ?)",
                    ((a, e, now) for a, e in events),
                )
                marked = conn.total_changes - before
        except sqlite3.Error as exc:
            raise LedgerError(
                f"cannot mark as seen, the ledger is unchanged: {exc}", path=str(self.path)
            ) from exc
        return marked, now

    def _upsert_assignment(
        self, conn: sqlite3.Connection, a: Assignment, origin: str, counts: Counts
    ) -> None:
        raw = _canonical(_assignment_raw(a))
        row = conn.execute("SELECT raw FROM assignments WHERE id = ?", (a.id,)).fetchone()
        if row is not None and row[0] == raw:
            counts.assignments_unchanged += 1
            return
        values = {
            "id": a.id,
            "number": a.number.strip(),
            "issued_at": a.issued_at.isoformat(),
            "status": a.status,
            "collection_status": a.collection_status,
            "service_level": a.service_level,
            "debtor_name": a.debtor.name,
            "debtor_bid": a.debtor.bid,
            "due_date": a.due_date.isoformat() if a.due_date else None,
            "sum": None if a.sum is None else str(a.sum),
            "paid": None if a.paid is None else str(a.paid),
            "currency": a.currency,
            "reference_ids": _canonical([r.model_dump(mode="json") for r in a.reference_ids]),
            "origin": origin,
            "source": a.source,
            "added_at": _now(),
            "raw": raw,
        }
        if row is None:
            names = ", ".join(values)
            marks = ", ".join(f":{k}" for k in values)
            conn.execute(f"INSERT INTO assignments ({names}) VALUES ({marks})", values)
            counts.assignments_new += 1
        else:
            keep = {"id", "origin", "added_at"}
            sets = ", ".join(f"{k} = :{k}" for k in values if k not in keep)
            conn.execute(f"UPDATE assignments SET {sets} WHERE id = :id", values)
            conn.execute("DELETE FROM assignment_keys WHERE assignment_id = ?", (a.id,))
            counts.assignments_updated += 1
        references = [(r.type, r.value) for r in a.reference_ids]
        conn.executemany(INSERT_KEYS, key_rows(a.id, a.number, references))

    def _upsert_event(
        self, conn: sqlite3.Connection, assignment_id: str, e: Event, counts: Counts
    ) -> None:
        body = _event_raw(e)
        raw = _canonical(body)
        row = conn.execute(
            "SELECT raw FROM events WHERE assignment_id = ? AND id = ?",
            (assignment_id, body["id"]),
        ).fetchone()
        if row is not None and row[0] == raw:
            counts.events_unchanged += 1
            return
        values = (
            e.type,
            _canonical(e.data),
            e.party_id,
            body.get("created_at"),
            body.get("happened_at"),
            raw,
            assignment_id,
            body["id"],
        )
        if row is None:
            conn.execute(
                "INSERT INTO events (type, data, party_id, created_at, happened_at, raw, "
                "assignment_id, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            counts.events_new += 1
        else:
            conn.execute(
                "UPDATE events SET type = ?, data = ?, party_id = ?, created_at = ?, "
                "happened_at = ?, raw = ? WHERE assignment_id = ? AND id = ?",
                values,
            )
            counts.events_updated += 1

    def _close(
        self, conn: sqlite3.Connection, assignment_id: str, why: str, counts: Counts
    ) -> None:
        row = conn.execute("SELECT raw FROM assignments WHERE id = ?", (assignment_id,)).fetchone()
        if row is None:
            return
        now = _now()
        raw = json.loads(row[0])
        raw["status"] = "closed"
        raw["closed_at"] = now
        conn.execute(
            "UPDATE assignments SET status = 'closed', raw = ? WHERE id = ?",
            (_canonical(raw), assignment_id),
        )
        close = Event(
            type="close",
            data={"reason": why},
            party_id="kassavirta-preflight",
            created_at=datetime.fromisoformat(now),
        )
        self._upsert_event(conn, assignment_id, close, Counts())
        counts.closed += 1

    # -- reading ---------------------------------------------------------------------------------

    def assignments(
        self, *, status: str | None = None, number: str | None = None
    ) -> list[Assignment]:
        """Assignments (with their events), by invoice number then invoice date."""
        where: list[str] = []
        args: list[str] = []
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if number is not None:
            where.append("number = ?")
            args.append(number.strip())
        sql = "SELECT id, raw, source FROM assignments"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY number, issued_at, id"
        try:
            rows = self._conn.execute(sql, args).fetchall()
            events = self._events_of([r[0] for r in rows])
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=str(self.path)) from exc
        items: list[dict[str, Any]] = []
        for assignment_id, raw, _source in rows:
            item = json.loads(raw)
            item["events"] = events.get(assignment_id, [])
            items.append(item)
        return parse_assignments(items, source=f"ledger {self.path}")

    def ids_by_key(self, kind: str, key: str) -> list[str]:
        """Ids of the assignments with a `kind` key (see `schema.key_rows`), in ledger order.

        One id per matching row: an assignment holding the same reference twice
        is listed twice, as an index built from its references would list it.
        """
        sql = (
            "SELECT a.id FROM assignment_keys k JOIN assignments a ON a.id = k.assignment_id "
            "WHERE k.kind = ? AND k.key = ? ORDER BY a.number, a.issued_at, a.id, k.rowid"
        )
        return [row[0] for row in self._read(sql, (kind, key))]

    def ids_by_number_keys(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """(id, number) of the assignments whose `matchkeys.number_key` is among `keys`, in
        ledger order: given `matchkeys.text_keys`, the only ones those texts can name."""
        wanted = sorted(set(keys))
        found: set[tuple[str, str, str, str]] = set()
        chunk = 500  # below SQLite's limit on bound parameters
        for start in range(0, len(wanted), chunk):
            part = wanted[start : start + chunk]
            marks = ", ".join("?" * len(part))
            sql = (
                "SELECT a.number, a.issued_at, a.id, a.number FROM assignment_keys k "
                "JOIN assignments a ON a.id = k.assignment_id "
                f"WHERE k.kind = 'words' AND k.key IN ({marks})"
            )
            found.update(self._read(sql, part))
        return [(i, number) for _, _, i, number in sorted(found)]

    def ids_by_invoice(self, number: str, issued_at: date) -> list[str]:
        """Ids of the assignments for this invoice number and date, in ledger order."""
        sql = "SELECT id FROM assignments WHERE number = ? AND issued_at = ? ORDER BY id"
        return [row[0] for row in self._read(sql, (number.strip(), issued_at.isoformat()))]

    def _read(self, sql: str, args: Sequence[str]) -> list[Any]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=str(self.path)) from exc

    def by_ids(self, ids: Sequence[str]) -> list[Assignment]:
        """The assignments with these ids, with their events, in the order given."""
        found: dict[str, str] = {}
        chunk = 500  # below SQLite's limit on bound parameters
        try:
            for start in range(0, len(ids), chunk):
                part = list(ids[start : start + chunk])
                marks = ", ".join("?" * len(part))
                sql = f"SELECT id, raw FROM assignments WHERE id IN ({marks})"
                found.update(self._conn.execute(sql, part).fetchall())
            events = self._events_of([i for i in ids if i in found])
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=str(self.path)) from exc
        items: list[dict[str, Any]] = []
        for assignment_id in ids:
            if assignment_id in found:
                item = json.loads(found[assignment_id])
                item["events"] = events.get(assignment_id, [])
                items.append(item)
        return parse_assignments(items, source=f"ledger {self.path}")

    def by_reference(self, value: str, *, kind: str | None = "number") -> list[Assignment]:
        """Assignments whose `reference_ids` hold `value` (of type `kind`; any type when None).

        References are printed in groups and padded with leading zeros, so both
        sides are compared without whitespace, in upper case, without leading zeros.
        """
        key = "".join(value.split()).upper().lstrip("0")
        if not key:
            return []
        sql = (
            "SELECT id, raw FROM assignments WHERE id IN ("
            " SELECT a.id FROM assignments a, json_each(a.reference_ids) r"
            " WHERE (:kind IS NULL OR json_extract(r.value, '$.type') = :kind)"
            " AND ltrim(upper(replace(replace(replace("
            "   CAST(json_extract(r.value, '$.value') AS TEXT), ' ', ''), char(9), ''),"
            "   char(160), '')), '0') = :key"
            ") ORDER BY number, issued_at, id"
        )
        try:
            rows = self._conn.execute(sql, {"kind": kind, "key": key}).fetchall()
            events = self._events_of([r[0] for r in rows])
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=str(self.path)) from exc
        items: list[dict[str, Any]] = []
        for assignment_id, raw in rows:
            item = json.loads(raw)
            item["events"] = events.get(assignment_id, [])
            items.append(item)
        return parse_assignments(items, source=f"ledger {self.path}")

    def get(self, assignment_id: str) -> Assignment | None:
        try:
            row = self._conn.execute(
                "SELECT raw FROM assignments WHERE id = ?", (assignment_id,)
            ).fetchone()
            if row is None:
                return None
            events = self._events_of([assignment_id])
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=str(self.path)) from exc
        item = json.loads(row[0])
        item["events"] = events.get(assignment_id, [])
        return parse_assignments([item], source=f"ledger {self.path}")[0]

    def _events_of(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        chunk = 500  # below SQLite's limit on bound parameters
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            marks = ", ".join("?" * len(part))
            for assignment_id, raw in self._conn.execute(
                f"SELECT assignment_id, raw FROM events WHERE assignment_id IN ({marks}) "
                "ORDER BY rowid",
                part,
            ):
                out.setdefault(assignment_id, []).append(json.loads(raw))
        return out

    def crediting(self) -> AssignmentIndex:
        """Only the assignments with a `credit_note` event: enough to find what links a credit
        note (`AssignmentIndex.links`) without reading the whole ledger."""
        sql = "SELECT DISTINCT assignment_id FROM events WHERE type = 'credit_note'"
        return AssignmentIndex(self.by_ids([row[0] for row in self._read(sql, ())]))

    def index(self) -> AssignmentIndex:
        """Every assignment, for the duplicate-number rule."""
        return AssignmentIndex(self.assignments())

    def dump(self) -> list[tuple[Any, ...]]:
        """Every row of the tables, in a stable order: what tests compare before and after."""
        rows = self._conn.execute("SELECT * FROM assignments ORDER BY id").fetchall()
        rows += self._conn.execute("SELECT * FROM events ORDER BY assignment_id, id").fetchall()
        rows += self._conn.execute("SELECT * FROM service_levels ORDER BY key").fetchall()
        rows += self._conn.execute("SELECT * FROM seen_events ORDER BY 1, 2").fetchall()
        return rows
