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
