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
