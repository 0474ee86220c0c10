"""The reader drops the layout whitespace between elements, and nothing a field holds.

A pretty-printed invoice holds about as many whitespace-only text nodes as
elements; libxml2 leaves them out of the tree (`remove_blank_text`), so that
building, validating, walking and freeing it costs less. What any reader or
rule asks of the tree - elements, their stripped texts, attributes, lines,
validity against the XSD - must be what a plain parse of the same bytes gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from helpers import SAMPLES, SHARED
from kassavirta.errors import ReadError
from kassavirta.pipeline.read import read_bytes

_PLAIN = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _files() -> list[Path]:
    found = sorted(SAMPLES.rglob("*.xml"))
    if (SHARED / "reference").is_dir():
        found += sorted((SHARED / "reference").rglob("*.xml"))
    return [p for p in found if p.stat().st_size <= 2_000_000]


def _seen(root: etree._Element) -> list[tuple[object, int | None, str, str, list[tuple[str, str]]]]:
    """Every node a reader sees: tag, line, stripped text and tail, attributes."""
    return [
        (
            e.tag,
            e.sourceline,
            (e.text or "").strip(),
            (e.tail or "").strip(),
            sorted(e.attrib.items()),
        )
        for e in root.iter()
    ]


def _plain_roots(data: bytes) -> list[etree._Element] | None:
    try:
        return [etree.fromstring(data, _PLAIN)]
    except etree.XMLSyntaxError:
        return None  # several documents or a broken one: compared through read_bytes alone


def test_every_file_reads_as_a_plain_parse_does() -> None:
    compared = 0
    for path in _files():
        data = path.read_bytes()
        plain = _plain_roots(data)
        try:
            docs = read_bytes(data, path=str(path))
        except ReadError:
            continue
        if plain is None or len(docs) != 1 or docs[0].frame is not None:
            continue
        assert _seen(docs[0].part.root) == _seen(plain[0]), path
        compared += 1
    assert compared >= 40


def test_the_whitespace_between_elements_is_not_in_the_tree() -> None:
    data = b"<Finvoice Version='3.0'>\n  <InvoiceDetails>\n    <InvoiceNumber>7</InvoiceNumber>\n  </InvoiceDetails>\n</Finvoice>\n"
    root = read_bytes(data)[0].part.root
    details = root[0]
    assert root.text is None and details.text is None and details[0].tail is None
    assert details[0].text == "7" and details[0].sourceline == 3


@pytest.mark.parametrize(
    ("inner", "text"),
    [
        ("<A>   </A>", "   "),  # a field of blanks stays a field of blanks
        ("<A> x </A>", " x "),
        ("<A><![CDATA[  ]]></A>", "  "),
        ("<A>x <B/> y</A>", "x "),  # mixed text is text
    ],
)
def test_a_field_keeps_its_text(inner: str, text: str) -> None:
    root = read_bytes(f"<R>\n  {inner}\n</R>".encode())[0].part.root
    assert root[0].text == text


def test_xml_space_preserve_keeps_the_whitespace() -> None:
    data = b"<R xml:space='preserve'>\n  <A>1</A>\n</R>"
    root = read_bytes(data)[0].part.root
    assert root.text == "\n  " and root[0].tail == "\n"


def test_the_schema_answer_is_that_of_a_plain_parse(schema_dir: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(schema_dir / "Finvoice3.0.xsd")))
    judged = 0
    for path in _files():
        data = path.read_bytes()
        plain = _plain_roots(data)
        if plain is None or plain[0].tag != "Finvoice" or plain[0].get("Version") != "3.0":
            continue
        try:
            [doc] = read_bytes(data, path=str(path))
        except ReadError:
            continue  # refused before any schema is asked (an entity declaration)
        ours = schema.validate(doc.part.root)
        assert ours == schema.validate(plain[0]), path
        judged += 1
    assert judged >= 10


_WORDS = st.sampled_from(["", " ", "\n  ", "1", " x ", "\t", "a b"])


@st.composite
def _layouts(draw: st.DrawFn) -> bytes:
    """A small tree written with any mix of blanks, text, comments and CDATA between its parts."""
    parts = ["<R>"]
    for n in range(draw(st.integers(1, 5))):
        parts.append(draw(_WORDS))
        kind = draw(st.sampled_from(["leaf", "empty", "comment", "cdata", "nested"]))
        if kind == "leaf":
            parts.append(f"<F{n}>{draw(_WORDS)}</F{n}>")
        elif kind == "empty":
            parts.append(f"<F{n}/>")
        elif kind == "comment":
            parts.append(f"<F{n}>{draw(_WORDS)}<!-- c -->{draw(_WORDS)}</F{n}>")
        elif kind == "cdata":
            parts.append(f"<F{n}><![CDATA[{draw(_WORDS)}]]>{draw(_WORDS)}</F{n}>")
        else:
            parts.append(f"<F{n}>{draw(_WORDS)}<G>{draw(_WORDS)}</G>{draw(_WORDS)}</F{n}>")
    parts.append(draw(_WORDS) + "</R>")
    return "".join(parts).encode()


@settings(max_examples=300, deadline=None)
@given(_layouts())
def test_any_layout_reads_as_a_plain_parse_does(data: bytes) -> None:
    [doc] = read_bytes(data)
    [plain] = _plain_roots(data) or []
    assert _seen(doc.part.root) == _seen(plain)
