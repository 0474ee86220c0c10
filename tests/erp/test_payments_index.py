"""Payments find the invoice numbers a message names through an index, not one regex per
assignment (issue 13): the same assignments, in the same order, at a cost that does not
grow with the ledger for each credit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from growth import FACTOR, LINEAR_LIMIT, growth
from helpers import TEST_DATA, imported_ledger
from kassavirta.erp.assignments import Assignment
from kassavirta.erp.ledger import Ledger
from kassavirta.erp.payments.classify import _Known, _mentions, classify
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
        ["a2026-1"],
        [],
    ],
)
def test_the_index_names_what_the_regex_names(texts: list[str]) -> None:
    assignments = _ledger(NUMBERS)
    expected = [a for a in assignments if _mentions(texts, a.number.strip())]
    assert _Known.build(assignments).named(texts) == expected


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
