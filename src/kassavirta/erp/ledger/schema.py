"""The ledger's tables and how a ledger file moves from one schema version to the next.

Each migration is a list of statements run in one transaction together with
the update of `schema_version`, so a ledger is always at exactly one version.
A file written by a newer toolkit (a version we do not know) is refused
rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from kassavirta.errors import SettingsError


class LedgerError(SettingsError):
    """The ledger file cannot be opened, read or written; it is left as it was."""


MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
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
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        if before != CURRENT_VERSION:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (CURRENT_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before
