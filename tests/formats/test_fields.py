"""`Fields` answers plain child paths from one pass per parent: the same elements as ElementPath."""

from __future__ import annotations

import pytest
from lxml import etree

from kassavirta.formats.xml import Fields
from kassavirta.pipeline.read import Part

XML = b"""<r xmlns:x="urn:x">
  <a><!-- no b here --><c>0</c></a>
  <a><b><c>1</c><c>2</c></b><b/><?pi?><b><c>3</c></b></a>
  <a><b><c>4</c></b></a>
  <x:a><x:b>5</x:b><x:b>6</x:b></x:a>
  <x:a><x:b>7</x:b></x:a>
  <d e="1">8</d><d>9</d>
</r>"""
NS = {"x": "urn:x"}
PATHS = ["a", "a/b", "a/b/c", "a/c", "b", "a/b/c/d", "x:a/x:b", "x:a", "d", "d[2]", ".//c", "*/c"]
"""Plain child steps (answered by the index) and others (ElementPath itself)."""


def _fields() -> tuple[Fields, etree._Element]:
    root = etree.fromstring(XML)
    part = Part(tree=etree.ElementTree(root), line_offset=0, encoding=None, start=0, end=0)
    return Fields(part, NS), root


@pytest.mark.parametrize("path", PATHS)
def test_find_and_findall_match_elementpath(path: str) -> None:
    fields, root = _fields()
    for base in [None, *root.iter("a", "{urn:x}a")]:
        node = root if base is None else base
        assert fields.findall(path, base) == node.findall(path, NS)
        assert fields.find(path, base) is node.find(path, NS)


def test_an_amount_path_of_two_steps_reads_the_first_in_document_order() -> None:
    fields, _ = _fields()
    assert fields.text("key", "a/b/c") == "1"
    assert fields.texts("a/b/c") == ["1", "2", "3", "4"]
    assert fields.locations["key"].xpath == "/r/a[2]/b[1]/c[1]"


def test_a_path_of_several_steps_stops_at_its_first_match() -> None:
    """`find` indexes the parents up to the first match, not every parent the path could reach."""
    root = etree.fromstring(XML)
    part = Part(tree=etree.ElementTree(root), line_offset=0, encoding=None, start=0, end=0)
    fields = Fields(part, NS)
    found = fields.find("a/b/c")
    assert found is not None and found.text == "1"
    # The parents indexed so far (`Fields` is compiled in a built install: no subclass can count).
    indexed = list(fields._children)
    first, second, third = root.iterchildren("a")
    assert set(indexed) == {root, first, second, second[0]}
    assert third not in indexed


def test_each_lets_go_of_what_was_indexed_under_one_element_before_the_next() -> None:
    """Rows are read once: `each` keeps the index of the document, not of every row read."""
    fields, root = _fields()
    fields.find("d")  # the document's own index, made before the rows
    seen = []
    for position, row in fields.each(fields.findall("a")):
        assert fields.texts("b/c", row) == [c.text for c in row.findall("b/c")]
        seen.append((position, row))
        assert row in fields._children  # indexed while it is read
    assert seen == list(enumerate(root.findall("a"), start=1))
    assert list(fields._children) == [root]
    # What was left behind is indexed again when asked: the answers are unchanged.
    assert fields.texts("a/b/c") == ["1", "2", "3", "4"]


def test_each_counts_only_what_a_filter_lets_through_and_forgets_the_rest() -> None:
    fields, root = _fields()
    with_b = (a for a in fields.findall("a") if fields.find("b", a) is not None)
    _, second, third = root.findall("a")
    assert list(fields.each(with_b, start=7)) == [(7, second), (8, third)]
    assert list(fields._children) == [root]
