"""Amounts as written: exactly `[+-]digits[<separator>digits]`, ASCII digits only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kassavirta.formats import xml
from kassavirta.formats.xml import read_amount


@pytest.mark.parametrize(
    ("raw", "comma", "value"),
    [
        ("12,50", True, Decimal("12.50")),
        ("-0,5", True, Decimal("-0.5")),
        ("+7", True, Decimal("7")),
        ("12.50", False, Decimal("12.50")),
        ("3", False, Decimal("3")),
    ],
)
def test_amounts_are_read(raw: str, comma: bool, value: Decimal) -> None:
    found = read_amount(raw, comma=comma)
    assert found == value and str(found) == str(value)
    assert read_amount(raw, comma=comma) == value  # the second time from the table


@pytest.mark.parametrize(
    "raw", ["", "+", "1,", ",5", "1,2,3", "1.5", "1e5", "NaN", "1_000", "١٢", "1²", "--1", " 1"]
)
def test_what_is_not_an_amount_is_refused(raw: str) -> None:
    assert read_amount(raw, comma=True) is None
    assert read_amount(raw.replace(",", "."), comma=False) is None or raw == "1.5"


def test_the_table_keeps_refusals_apart_per_separator_and_stays_bounded() -> None:
    # "1.5" is refused with the decimal comma and read with the point, however often asked.
    for _ in range(2):
        assert read_amount("1.5", comma=True) is None
        assert read_amount("1.5", comma=False) == Decimal("1.5")
    for n in range(3 * xml._KEPT_AMOUNTS):
        assert read_amount(f"{n},25", comma=True) == Decimal(f"{n}.25")
    assert 0 < len(xml._READ_AMOUNTS[True]) <= xml._KEPT_AMOUNTS
    assert read_amount("1.5", comma=True) is None
