"""Payments find the invoice numbers a message names through an index, not one regex per
assignment (issue 13): the same assignments, in the same order, at a cost that does not
grow with the ledger for each credit."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from growth import FACTOR, LINEAR_LIMIT, growth
from helpers import TEST_DATA, imported_ledger
from kassavirta.erp.assignments import Assignment
from kassavirta.erp.ledger import Ledger, LedgerError
from kassavirta.erp.ledger.schema import CURRENT_VERSION
from kassavirta.erp.payments.classify import _InLedger, _Known, _mentions, classify
from kassavirta.erp.payments.statement import Transaction, read_statement

NUMBERS = [
    "2026-1",
    "2026-10",
    "INV-7",
    "inv 8",
    "A/12",
    "Kk-1",
    "ſ5",
    "-",
    "",
    "  77  ",
    "12",
    "12",
    "x.y",
    "1-2-3-4-5-6-7-8-9-10-11-12-13",
    "ab cd 2026 7",
]


def _assignment(serial: int, number: str) -> Assignment:
    return Assignment(
        id=f"a{serial}",
        number=number,
        issued_at=date(2026, 11, 1),
        sum=Decimal(100),
        currency="EUR",
    )


def _ledger(numbers: list[str]) -> list[Assignment]:
    return [_assignment(i, n) for i, n in enumerate(numbers)]


@pytest.mark.parametrize(
    "texts",
    [
        ["Maksu 2026-1, kiitos"],
        ["lasku 2026-10"],
        ["2026-100"],
        ["inv-7 and INV 8"],
        ["Inv-7x"],
        ["A/12 ja 12"],
        ["kK-1", "K-1"],  # the Kelvin sign is a k to re.I
        ["s5 S5"],
        ["77"],
        ["  "],
        [""],
        ["-", "x.y!"],
        ["X.Y"],
        ["0 1-2-3-4-5-6-7-8-9-10-11-12-13 14"],
        ["lasku AB CD 2026 7.", "2026-7"],
        ["ab cd 2026 77"],
        ["a2026-1"],
        [],
    ],
)
def test_the_index_names_what_the_regex_names(texts: list[str], tmp_path: Path) -> None:
    assignments = _ledger(NUMBERS)
    expected = [a for a in assignments if _mentions(texts, a.number.strip())]
    assert _Known.build(assignments).named(texts) == expected
    with Ledger.open(tmp_path / "l.db") as ledger:
        ledger.import_assignments(assignments)
        in_order = ledger.assignments()
        named = _InLedger.build(ledger, ()).named(texts)
    assert [a.id for a in named] == [a.id for a in in_order if _mentions(texts, a.number.strip())]


def _credit(i: int, text: str) -> Transaction:
    return Transaction(
        file="s.xml",
        id=f"t{i}",
        archive=None,
        booked_at=date(2026, 12, 4),
        amount=Decimal("12.34"),
        currency="EUR",
        credit=True,
        reversal=False,
        status="BOOK",
        payer="Maksaja",
        texts=[text],
    )


def test_unmatched_credits_grow_with_the_credits_plus_the_ledger() -> None:
    """Each unmatched credit used to compile a regex for every assignment, a cost of credits ×
    assignments (100 credits against 10,000 assignments: 253 s): 8× both took 64× the time."""
    day = date(2026, 11, 1)

    def run(size: int) -> Any:
        ledger = [
            Assignment(id=f"a{i}", number=f"2026-{i}", issued_at=day - timedelta(days=i % 30))
            for i in range(size * 20)
        ]
        credits = [_credit(i, f"Maksu {i}, kiitos") for i in range(size)]
        return lambda: classify(credits, ledger)

    ratio = growth(run(10), run(10 * FACTOR))
    assert ratio <= LINEAR_LIMIT, f"{FACTOR}× the credits and ledger took {ratio:.1f}× the time"


def test_a_credit_costs_the_same_in_a_ledger_16_times_larger(tmp_path: Path) -> None:
    """An open ledger is searched through its key table, one query per credit: reading every
    assignment's keys per run made 10,000 assignments cost 12× what 10 did."""
    day = date(2026, 11, 1)
    credits = [_credit(i, f"Maksu 2026-{i * 7}, kiitos") for i in range(10)]
    credits += [_credit(10 + i, f"lasku X{i}") for i in range(10)]
    for i in range(5):
        credits[i].references.append(f"RF18 5390 0754 70{i:02d}")

    def run(size: int) -> Any:
        ledger = Ledger.open(tmp_path / f"{size}.db")
        ledger.import_assignments(
            Assignment(id=f"a{i}", number=f"2026-{i}", issued_at=day - timedelta(days=i % 30))
            for i in range(size)
        )
        return lambda: classify(credits, ledger)

    small, large = run(625), run(625 * 16)
    ratio = growth(small, large, repeats=5, limit=3, attempts=5)
    print(f"16× the ledger: {ratio:.2f}× the time")
    assert ratio <= 3, f"16× the ledger took {ratio:.1f}× the time for the same credits"


def test_a_ledger_of_version_1_is_read_without_a_write_and_migrated_by_a_writer(
    tmp_path: Path, samples: Path
) -> None:
    from kassavirta.erp.references import original_references

    path = imported_ledger(tmp_path, TEST_DATA / "erp" / "assignments.json")
    statements = [TEST_DATA / "erp" / f"camt05{n}-2026-12-03.xml" for n in (3, 4)]
    transactions = [t for p in statements for st in read_statement(p) for t in st.transactions]
    originals = list(original_references([samples / "route"]))
    with Ledger.open_readonly(path) as ledger:
        before = [c.as_dict() for c in classify(transactions, ledger, originals).entries]
    keys = _keys(path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE assignment_keys")  # what a version-1 ledger lacks
    conn.execute("UPDATE schema_version SET version = 1")
    conn.commit()
    conn.close()
    old = path.read_bytes()
    path.chmod(0o444)  # a read-only open must not need to write
    try:
        with Ledger.open_readonly(path) as ledger:
            assert ledger.schema_version == CURRENT_VERSION
            entries = classify(transactions, ledger, originals).entries
            assert [c.as_dict() for c in entries] == before
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == old
    Ledger.open(path).close()
    assert _keys(path) == keys


def _keys(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT assignment_id, kind, key FROM assignment_keys ORDER BY 1, 2, 3")
    keys = rows.fetchall()
    conn.close()
    return keys


def test_a_migration_that_fails_leaves_the_ledger_as_it_was(tmp_path: Path) -> None:
    path = imported_ledger(tmp_path, TEST_DATA / "erp" / "assignments.json")
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE assignment_keys")
    conn.execute("UPDATE schema_version SET version = 1")
    conn.execute("UPDATE assignments SET reference_ids = 'not json' WHERE rowid = 2")
    conn.commit()
    conn.close()
    with pytest.raises((LedgerError, ValueError)):
        Ledger.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "assignment_keys" not in tables
    conn.close()


def test_a_credit_naming_a_number_and_its_open_amount_is_matched() -> None:
    ledger = _ledger(["2026-1", "2026-10"])
    (entry,) = classify([_credit(1, "lasku 2026-10")], ledger).entries
    assert entry.kind == "unmatched" and "invoice 2026-10 (assignment a1" in entry.reason
    assert "2026-1 " not in entry.reason


def test_an_open_ledger_sorts_the_credits_as_its_assignment_list_does(
    tmp_path: Path, samples: Path
) -> None:
    """Given the ledger itself, only the assignments a credit points at are read whole:
    the report is the same as from every assignment parsed up front."""
    from kassavirta.erp.references import original_references

    statements = [TEST_DATA / "erp" / f"camt05{n}-2026-12-03.xml" for n in (3, 4)]
    transactions = [t for p in statements for st in read_statement(p) for t in st.transactions]
    originals = list(original_references([samples / "route"]))
    for source in (TEST_DATA / "erp" / "assignments.json", samples / "assignments.json"):
        folder = tmp_path / source.parent.name
        folder.mkdir()
        with Ledger.open_readonly(imported_ledger(folder, source)) as ledger:
            listed = classify(transactions, ledger.assignments(), originals)
            indexed = classify(transactions, ledger, originals)
        assert [c.as_dict() for c in indexed.entries] == [c.as_dict() for c in listed.entries]
        assert [o.as_dict() for o in indexed.other] == [o.as_dict() for o in listed.other]
        assert indexed.summary() == listed.summary()
