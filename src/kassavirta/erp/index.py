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
    from kassavirta.erp.assignments import Assignment


class AssignmentIndex:
    """Assignments by invoice number, for the duplicate rule."""

    def __init__(self, assignments: Iterable[Assignment] = ()) -> None:
        self._by_number: dict[str, list[Assignment]] = defaultdict(list)
        for a in assignments:
            self.add(a)

    def add(self, assignment: Assignment) -> None:
        self._by_number[assignment.number.strip()].append(assignment)

    def with_number(self, number: str) -> list[Assignment]:
        return list(self._by_number.get(number.strip(), ()))

    def blockers(self, number: str, invoice_date: date) -> list[Assignment]:
        """The assignments that make a new invoice a `duplicate-number` error."""
        found = self.with_number(number)
        if not found:
            return []
        from kassavirta.erp.assignments import allows_new

        return [a for a in found if not allows_new(a, invoice_date)]

    def __iter__(self) -> Iterator[Assignment]:
        for group in self._by_number.values():
            yield from group

    def copy(self) -> AssignmentIndex:
        return AssignmentIndex(self)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_number.values())
