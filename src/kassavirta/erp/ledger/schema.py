"""The ledger's tables and how a ledger file moves from one schema version to the next.

Each migration is a list of statements run in one transaction together with
the update of `schema_version`, so a ledger is always at exactly one version.
A file written by a newer toolkit (a version we do not know) is refused
rather than guessed at.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Final

from kassavirta.erp.matchkeys import number_key, ref_key
from kassavirta.errors import SettingsError


class LedgerError(SettingsError):
    """The ledger file cannot be opened, read or written; it is left as it was."""


KEYED_REFERENCES: Final = ("number", "original_number")
"""The reference types a payment is matched by (the service's and the original one)."""


def key_rows(
    assignment_id: str, number: str, references: Iterable[tuple[str, str]]
) -> Iterator[tuple[str, str, str]]:
    """The `assignment_keys` rows of one assignment: its number's words, its references."""
    yield assignment_id, "words", number_key(number)
    for kind, value in references:
        if kind in KEYED_REFERENCES:
            yield assignment_id, kind, ref_key(str(value))


INSERT_KEYS: Final = "INSERT INTO assignment_keys (assignment_id, kind, key) VALUES (?, ?, ?)"


def _fill_keys(conn: sqlite3.Connection) -> None:
    """Keys for the assignments a version-1 ledger already holds, in the migration's transaction."""
    for assignment_id, number, refs in conn.execute(
        "SELECT id, number, reference_ids FROM assignments ORDER BY rowid"
    ).fetchall():
        pairs = [(str(r["type"]), str(r["value"])) for r in json.loads(refs)]
        conn.executemany(INSERT_KEYS, key_rows(assignment_id, number, pairs))


Step = str | Callable[[sqlite3.Connection], None]

MIGRATIONS: Final[tuple[tuple[Step, ...], ...]] = (
    # version 1
    (
        """
        CREATE TABLE assignments (
            id                TEXT PRIMARY KEY,
            number            TEXT NOT NULL,
            issued_at         TEXT NOT NULL,
            status            TEXT NOT NULL,
            collection_status TEXT NOT NULL,
            service_level     TEXT NOT NULL,
            debtor_name       TEXT,
            debtor_bid        TEXT,
            due_date          TEXT,
            sum               TEXT,
            paid              TEXT,
            currency          TEXT,
            reference_ids     TEXT NOT NULL DEFAULT '[]',
            origin            TEXT NOT NULL,
            source            TEXT,
            added_at          TEXT NOT NULL,
            raw               TEXT NOT NULL
        )
        """,
        "CREATE INDEX assignments_by_number ON assignments (number, issued_at)",
        "CREATE INDEX assignments_by_status ON assignments (status)",
        """
        CREATE TABLE events (
            assignment_id TEXT NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
            id            TEXT NOT NULL,
            type          TEXT NOT NULL,
            data          TEXT NOT NULL,
            party_id      TEXT,
            created_at    TEXT,
            happened_at   TEXT,
            raw           TEXT NOT NULL,
            PRIMARY KEY (assignment_id, id)
        )
        """,
    ),
    # version 2: what payments look assignments up by, so a credit costs the same in any ledger
    (
        """
        CREATE TABLE assignment_keys (
            assignment_id TEXT NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
            kind          TEXT NOT NULL,
            key           TEXT NOT NULL
        )
        """,
        "CREATE INDEX assignment_keys_by_key ON assignment_keys (kind, key)",
        "CREATE INDEX assignment_keys_by_assignment ON assignment_keys (assignment_id)",
        _fill_keys,
    ),
    # version 3: which comments someone has seen (`ledger comments --mark-seen`), and the
    # service-level groups of GET /v1/service_levels (`ledger import`)
    (
        """
        CREATE TABLE IF NOT EXISTS seen_events (
            assignment_id TEXT NOT NULL,
            event_id      TEXT NOT NULL,
            seen_at       TEXT NOT NULL,
            PRIMARY KEY (assignment_id, event_id)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS service_levels (
            key         TEXT PRIMARY KEY,
            business_id TEXT NOT NULL,
            level       TEXT NOT NULL,
            raw         TEXT NOT NULL,
            source      TEXT,
            imported_at TEXT NOT NULL
        )
        """,
    ),
)
"""`MIGRATIONS[n]` takes a ledger from version n to n + 1."""

CURRENT_VERSION: Final = len(MIGRATIONS)


def read_version(conn: sqlite3.Connection) -> int:
    """0 for an empty file; the recorded version otherwise."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def check_known(version: int, path: str) -> None:
    if version > CURRENT_VERSION:
        raise LedgerError(
            f"ledger schema version {version} is newer than this toolkit knows "
            f"({CURRENT_VERSION}): upgrade kassavirta-preflight",
            path=path,
        )


def migrate(conn: sqlite3.Connection, path: str) -> int:
    """Bring the ledger to `CURRENT_VERSION`; returns the version it had. Autocommit connection."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = read_version(conn)
        check_known(before, path)
        if before == 0:
            conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for version in range(before, CURRENT_VERSION):
            for step in MIGRATIONS[version]:
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
        if before != CURRENT_VERSION:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (CURRENT_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite has rolled back itself after some errors (disk full)
            conn.execute("ROLLBACK")
        raise
    return before
