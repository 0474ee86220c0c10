"""Amounts as written: exactly `[+-]digits[<separator>digits]`, ASCII digits only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from kassavirta.errors import UnreadableField
from kassavirta.formats import xml
from kassavirta.formats.xml import read_amount
from kassavirta.pipeline.read import Part


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


def _amount_elements(*texts: str | None) -> tuple[xml.Fields, list[etree._Element | None]]:
    root = etree.fromstring(b"<r/>")
    part = Part(tree=etree.ElementTree(root), line_offset=0, encoding=None, start=0, end=0)
    elements: list[etree._Element | None] = []
    for text in texts:
        element = etree.SubElement(root, "a")
        element.text = text
        elements.append(element)
    return xml.Fields(part), elements


def test_many_amounts_read_together_as_one_by_one() -> None:
    fields, elements = _amount_elements("12,50", None, "", " \n-0,5\t", "+7", "0")
    elements.insert(1, None)
    found = fields.filled_amounts(elements, comma=True)
    assert found == [fields.filled_amount(e, comma=True) for e in elements]
    assert [str(v) for v in found] == ["12.50", "None", "None", "None", "-0.5", "7", "0"]
    assert fields.filled_amounts([None, None], comma=False) == [None, None]


@pytest.mark.parametrize("bad", ["1\n2", "1,2", "1.2.3", "12 50", "1\u0661"])
def test_the_first_bad_amount_among_many_is_named(bad: str) -> None:
    # A line break inside one amount must not pass for two amounts.
    fields, elements = _amount_elements("3.5", bad, "x")
    with pytest.raises(UnreadableField) as raised:
        fields.filled_amounts(elements, comma=False)
    assert (raised.value.xpath, raised.value.value) == ("/r/a[2]", bad.strip())


def test_amounts_with_any_blank_str_strip_removes_read_as_one_by_one() -> None:
    # Matched together unstripped: the pattern's and Decimal's blanks are str.strip's.
    fields, elements = _amount_elements("\u00a012,50\u2003", "\x85-1\u3000", " \u00a0", "\t+0,0\n")
    found = fields.filled_amounts(elements, comma=True)
    assert found == [fields.filled_amount(e, comma=True) for e in elements]
    assert [str(v) for v in found] == ["12.50", "-1", "None", "0.0"]


def test_an_amount_split_by_a_non_breaking_space_is_named() -> None:
    fields, elements = _amount_elements("1", "1\u00a0000,00")
    with pytest.raises(UnreadableField) as raised:
        fields.filled_amounts(elements, comma=True)
    assert (raised.value.xpath, raised.value.value) == ("/r/a[2]", "1\u00a0000,00")


@pytest.mark.parametrize(
    ("texts", "values"),
    [
        pytest.param([None, "", "1,5", " -2\n"], [None, None, "1.5", "-2"], id="amounts"),
        pytest.param([None, ""], [None, None], id="none written"),
        pytest.param(["1", " "], None, id="a blank one: read one by one"),
        pytest.param(["1", "1,2,3"], None, id="a bad one: read one by one"),
    ],
)
def test_amount_values_answers_only_plain_amounts(
    texts: list[str | None], values: list[str | None] | None
) -> None:
    found = xml.amount_values(texts, comma=True)
    assert (None if found is None else [None if v is None else str(v) for v in found]) == values
