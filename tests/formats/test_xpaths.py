"""Finding locations: the lazy XPath builder writes exactly what lxml's getpath writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from helpers import SAMPLES, SHARED
from kassavirta.formats.xml import Locations, XPaths
from kassavirta.pipeline.read import Part

FILES = sorted(
    p for folder in (SAMPLES, SHARED / "reference") for p in folder.rglob("*.xml") if p.is_file()
)


def _tree(path: Path) -> etree._ElementTree | None:
    try:
        return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_element_path_is_getpaths(path: Path) -> None:
    tree = _tree(path)
    if tree is None:
        pytest.skip("not well-formed")
    xpaths = XPaths(tree.getroot())
    for element in tree.getroot().iter(etree.Element):
        assert xpaths(element) == tree.getpath(element)


def test_prefixes_default_namespaces_and_repeats_are_numbered_as_getpath_does() -> None:
    root = etree.fromstring(
        b'<r xmlns:a="urn:a"><a:x/><x/><a:x/><d xmlns="urn:d"><y/><z/><y/></d>'
        b"<!-- c --><x/><e xmlns='urn:e'/></r>"
    )
    tree = etree.ElementTree(root)
    xpaths = XPaths(root)
    for element in root.iter(etree.Element):
        assert xpaths(element) == tree.getpath(element)


def test_locations_are_computed_only_when_asked() -> None:
    root = etree.fromstring(b"<r>\n<a/>\n<b/></r>")
    locations = Locations(
        Part(tree=etree.ElementTree(root), line_offset=10, encoding=None, start=0, end=0)
    )
    locations.note("a", root[0])
    locations.alias("copy", "a")
    locations.alias("none", "missing")
    assert "copy" in locations and "none" not in locations
    assert locations["copy"].line == 12
    assert locations["a"].xpath == "/r/a"
    assert dict(locations) == {"a": locations["a"], "copy": locations["copy"]}
    assert locations.get("a") is locations["a"] and locations.get("rows.1.price") is None
    sentinel = object()
    assert locations.get("none", sentinel) is sentinel
    with pytest.raises(KeyError):
        locations["none"]


def test_row_fields_are_located_when_asked_as_if_noted() -> None:
    root = etree.fromstring(b"<r>\n<row><p>1</p></row>\n<row><p/><q>2</q></row></r>")
    locations = Locations(
        Part(tree=etree.ElementTree(root), line_offset=0, encoding=None, start=0, end=0)
    )
    locations.note_rows(list(root), {"price": "p", "quantity": "q"})
    locations.alias("first", "rows.1.price")
    assert locations["rows.2"].line == 3
    assert locations["rows.2.price"].xpath == "/r/row[2]/p"
    assert locations["first"].xpath == "/r/row[1]/p"
    assert "rows.1.quantity" not in locations and "rows.3" not in locations
    assert "rows.x.price" not in locations and "rows.2.other" not in locations
    with pytest.raises(KeyError):
        locations["rows.1.quantity"]
    assert list(locations) == [
        "first",
        "rows.1",
        "rows.1.price",
        "rows.2",
        "rows.2.price",
        "rows.2.quantity",
    ]
    assert len(locations) == 6


def test_a_path_asked_alone_is_getpaths_with_few_or_many_namesakes() -> None:
    root = etree.fromstring(
        b"<r>" + b"<row/>" * 20 + b"<a/><b/><b/>" + b"<x:c xmlns:x='urn:x'/>" * 3 + b"</r>"
    )
    tree = etree.ElementTree(root)
    for element in root.iter(etree.Element):
        assert XPaths(root)(element) == tree.getpath(element)
