"""Finding an element's tags by counting (`scan.Tags`) agrees with the whole-text scan.

The editor finds the handful of elements a rewrite asks about by counting `<`
and `</` a stretch at a time; a miscount would edit the wrong element
silently, so every element of every sample and reference file is looked up
both ways, with stretches so short that tags cross their edges everywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from helpers import SAMPLES, SHARED
from kassavirta.rewrite.scan import STRETCH, SourceError, Tags, scan
from kassavirta.rewrite.xmlsource import Node, SourceEditor, SourceText

LARGEST = 400_000
"""Files above this are left out: looking up every element one by one is quadratic."""


def _texts() -> list[Path]:
    found = sorted(SAMPLES.rglob("*.xml"))
    if (SHARED / "reference").is_dir():
        found += sorted((SHARED / "reference").rglob("*.xml"))
    return [p for p in found if p.stat().st_size <= LARGEST]


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError:
        return None
    try:
        return SourceText.decode(data, tree.docinfo.encoding).text
    except (SourceError, UnicodeDecodeError):
        return None


def _agree(text: str, stretch: int) -> bool:
    """Every element's tags found by counting are the scan's; False when counting is not used."""
    tags = Tags.of(text, stretch)
    if tags is None:
        return False
    whole = scan(text)
    assert tags.total == len(whole.names)
    for index in range(tags.total):
        tag = tags.open(index)
        name, start, open_end, empty = tag
        assert (name, start, open_end) == (
            whole.names[index],
            whole.starts[index],
            whole.open_ends[index],
        )
        assert empty == (whole.ends[index] == open_end)
        assert tags.close(index, tag) == (whole.close_starts[index], whole.ends[index])
    return True


def test_every_file_s_elements_are_found_alike() -> None:
    counted = 0
    for path in _texts():
        text = _text(path)
        if text is not None and _agree(text, STRETCH):
            assert _agree(text, 7), path  # tags across stretch edges
            counted += 1
    # Most files have no comment inside the root: counting is the usual way.
    assert counted >= 20


@pytest.mark.parametrize("stretch", range(1, 40))
def test_an_end_tag_split_by_a_stretch_edge_is_counted_once(stretch: int) -> None:
    text = '<?xml version="1.0"?>\n<a x="1>2"><b/><c y=\'/\'>t</c><d><e/></d>\n</a>'
    assert _agree(text, stretch)


@pytest.mark.parametrize(
    "inside", ["<!-- <b/> -->", "<![CDATA[<b/>]]>", "<?pi <b/>?>"], ids=["comment", "cdata", "pi"]
)
def test_markup_other_than_tags_inside_the_root_is_scanned_whole(inside: str) -> None:
    text = f'<?xml version="1.0"?><!-- before --><a><b>1</b>{inside}<c>2</c></a>'
    assert Tags.of(text) is None
    tree = etree.ElementTree(etree.fromstring(text.encode()))
    editor = SourceEditor(text, tree)
    second = tree.getroot().find("c")
    assert second is not None
    editor.update(second, "3")
    assert editor.result() == text.replace("<c>2</c>", "<c>3</c>")


def test_markup_before_the_root_is_not_counted() -> None:
    text = '<?xml version="1.0"?>\n<!DOCTYPE a [<!ELEMENT a ANY>]>\n<!-- <x/> -->\n<a><b/></a>'
    tags = Tags.of(text, 3)
    assert tags is not None
    assert tags.total == 2
    assert tags.open(1)[:2] == ("b", text.index("<b/>"))


def test_an_element_the_text_does_not_have_is_an_error() -> None:
    tags = Tags.of("<a><b/></a>")
    assert tags is not None
    with pytest.raises(SourceError, match="the text has no element 3"):
        tags.open(2)


_NAMES = st.sampled_from(["a", "b", "p:c", "Row"])
_VALUES = st.text(alphabet="x/>'\"<&é ", max_size=4)


@st.composite
def _trees(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    element = etree.Element(draw(_NAMES).replace("p:", ""))
    for key in draw(st.lists(st.sampled_from(["k", "m"]), unique=True, max_size=2)):
        element.set(key, draw(_VALUES))
    element.text = draw(st.none() | _VALUES)
    if depth < 3:
        for child in draw(st.lists(_trees(depth + 1), max_size=3)):
            child.tail = draw(st.none() | st.sampled_from(["\n  ", " "]))
            element.append(child)
    return element


@settings(max_examples=150, deadline=None)
@given(_trees(), st.integers(1, 12))
def test_any_tree_s_elements_are_found_alike(root: etree._Element, stretch: int) -> None:
    text = etree.tostring(root, encoding="unicode")
    assert _agree(text, stretch)


def test_the_editor_edits_the_element_asked_about_in_a_long_text() -> None:
    rows = "".join(f"<Row><N>{i}</N></Row>" for i in range(5_000))
    text = f"<a>{rows}<Tail/></a>"
    tree = etree.ElementTree(etree.fromstring(text))
    editor = SourceEditor(text, tree)
    root = tree.getroot()
    editor.update(root[4_321][0], "changed")
    editor.insert_before(root[-1], Node("New", "1"))
    out = editor.result()
    assert "<Row><N>changed</N></Row><Row><N>4322</N>" in out
    assert "<Row><N>4320</N></Row><Row><N>changed</N>" in out
    assert out.endswith("<New>1</New><Tail/></a>")


def test_the_editor_places_every_element_from_either_end() -> None:
    """Elements in the second half of the lines are placed by what follows them."""
    rows = "".join(f"\n  <Row>\n    <N>{i}</N>\n  </Row>" for i in range(300))
    text = f'<?xml version="1.0"?>\n<a>{rows}\n  <Tail><T/></Tail>\n</a>\n'
    tree = etree.ElementTree(etree.fromstring(text.encode()))
    editor = SourceEditor(text, tree)
    whole = scan(text)
    for index, element in enumerate(tree.getroot().iter()):
        assert editor.start(element) == whole.starts[index]
        assert editor.span(element).end == whole.ends[index]
