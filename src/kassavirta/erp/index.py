"""The known assignments by invoice number, without the pydantic records' import.

A check with no assignments given still holds an (empty) index; keeping it apart
from `erp.assignments` keeps a one-file check from loading pydantic for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kassavirta.erp.assignments import Assignment, DuplicateVerdict


class AssignmentIndex:
    """Assignments by invoice number, for the duplicate rule.

    It also knows which assignments a `credit_note` event elsewhere links as a
    credit note (by the credit note's number): such an assignment has "a credit
    note" in the sense of duplicate exceptions 2 and 3, even with no event of
    its own.
    """

    def __init__(self, assignments: Iterable[Assignment] = ()) -> None:
        self._by_number: dict[str, list[Assignment]] = defaultdict(list)
        self._crediting: dict[str, list[Assignment]] = defaultdict(list)
        for a in assignments:
            self.add(a)

    def add(self, assignment: Assignment) -> None:
        self._by_number[assignment.number.strip()].append(assignment)
        for number in assignment.credit_notes_named():
            self._crediting[number].append(assignment)

    def with_number(self, number: str) -> list[Assignment]:
        return list(self._by_number.get(number.strip(), ()))

    def links(self, assignment: Assignment) -> list[str]:
        """How other assignments link `assignment` as a credit note (a phrase each)."""
        return [
            f"a credit_note event on assignment {other.id} (number {other.number}) links it as "
            "a credit note"
            for other in self._crediting.get(assignment.number.strip(), ())
            if other.id != assignment.id
        ]

    def blocking(
        self, number: str, invoice_date: date
    ) -> list[tuple[Assignment, DuplicateVerdict]]:
        """The assignments that make a new invoice a `duplicate-number` error, with the verdicts."""
        found = self.with_number(number)
        if not found:
            return []
        from kassavirta.erp.assignments import judge

        verdicts = ((a, judge(a, invoice_date, self.links(a))) for a in found)
        return [(a, v) for a, v in verdicts if not v.allowed]

    def blockers(self, number: str, invoice_date: date) -> list[Assignment]:
        """The assignments that make a new invoice a `duplicate-number` error."""
        return [a for a, _ in self.blocking(number, invoice_date)]

    def described_blockers(self, number: str, invoice_date: date) -> list[str]:
        """The blockers as a finding names them: with why exception 2 or 3 does not apply."""
        return [a.describe(v.note()) for a, v in self.blocking(number, invoice_date)]

    def __iter__(self) -> Iterator[Assignment]:
        for group in self._by_number.values():
            yield from group

    def copy(self) -> AssignmentIndex:
        return AssignmentIndex(self)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_number.values())
