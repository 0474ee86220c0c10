"""The assignment ledger (SPEC §4): the assignments the service holds, kept in one SQLite file.

`kassavirta ledger import` loads a Receivables API export into it,
`kassavirta check --ledger FILE` reads it for duplicate numbers, and
`kassavirta check --record` adds the run's routed invoices to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from kassavirta.erp.assignments import Assignment
from kassavirta.erp.ledger.schema import LedgerError
from kassavirta.erp.ledger.store import Counts, Ledger, LevelCounts, StoredEvent

__all__ = [
    "Counts",
    "Ledger",
    "LedgerError",
    "LevelCounts",
    "StoredEvent",
    "default_ledger_path",
    "load_ledger_assignments",
    "load_ledger_groups",
]


def default_ledger_path() -> Path:
    """`$XDG_DATA_HOME/kassavirta/ledger.sqlite3` (XDG_DATA_HOME defaults to ~/.local/share)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kassavirta" / "ledger.sqlite3"


def load_ledger_assignments(path: str | Path) -> list[Assignment]:
    """Every assignment of an existing ledger, read-only (a check never writes the ledger)."""
    with Ledger.open_readonly(path) as ledger:
        return ledger.assignments()


def load_ledger_groups(path: str | Path) -> dict[str, list[str]]:
    """The ledger's service-level groups (`ledger import` of GET /v1/service_levels), read-only."""
    from kassavirta.erp.service_levels import groups_of

    with Ledger.open_readonly(path) as ledger:
        return groups_of(ledger.service_levels())
