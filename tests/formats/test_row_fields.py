"""Rows' fields from one tag-filtered walk: the same elements as a pass over each row's children."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from kassavirta.formats.xml import first_children, rows_and_fields
from kassavirta.model import Row

XML = b"""<doc xmlns:x="urn:x">
  <price>0</price>
  <row>
    <name>one</name><!-- a comment among the fields --><?pi?>
    <block><price>deeper, not the row's</price><row><price>a row in a row</price></row></block>
    <price>1</price>
    <price>1, the second</price>
    <x:price>another namespace</x:price>
    <qty/>
  </row>
  <wrapper><row><price>not a child of doc</price></row></wrapper>
  <price>between the rows</price>
  <row/>
  <row><qty>3</qty><name>three</name></row>
  <qty>after the rows</qty>
</doc>"""
SLOTS = {"name": 0, "qty": 1, "price": 2}


def _expected(parent: etree._Element) -> list[list[etree._Element | None]]:
    """`first_children` of each `row` child, placed by `SLOTS`: what a reader read before."""
    found = []
    for row in parent.iterchildren("row"):
        children = first_children(row)
        found.append([children.get(tag) for tag in SLOTS])
    return found


@pytest.mark.parametrize("path", [".", "wrapper", "row/block"])
def test_only_the_rows_own_children_are_their_fields(path: str) -> None:
    parent = etree.fromstring(XML).find(path)
    assert parent is not None
    rows, fields = rows_and_fields(parent, "row", SLOTS)
    assert rows == list(parent.iterchildren("row"))
    assert fields == _expected(parent)


def test_the_fields_read_are_the_first_of_each_directly_under_the_row() -> None:
    _, fields = rows_and_fields(etree.fromstring(XML), "row", SLOTS)
    texts = [[None if e is None else e.text for e in field] for field in fields]
    assert texts == [["one", None, "1"], [None, None, None], ["three", "3", None]]


def test_no_rows() -> None:
    assert rows_and_fields(etree.fromstring(b"<doc><price>1</price></doc>"), "row", SLOTS) == (
        [],
        [],
    )


def test_a_row_is_built_from_positional_arguments_in_field_order() -> None:
    one = Decimal("1")
    assert Row(3, "a", one, "h", one, Decimal("24"), None, one, Decimal("1.24"), False) == Row(
        index=3,
        article="a",
        quantity=one,
        unit="h",
        unit_price=one,
        vat_percent=Decimal("24"),
        vat_excluded=one,
        amount=Decimal("1.24"),
        counted=False,
    )
