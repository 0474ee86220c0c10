"""Editing an XML document's text by element, leaving every other byte alone.

lxml reads a document faithfully but does not write it back the same way: it
turns `<a></a>` into `<a/>`, single-quoted attributes into double-quoted ones,
CR LF into LF, character references into characters, and rewrites the XML
declaration. A rewritten invoice must differ from its input only where the
service changes it (SPEC §3), so the rewrite never serialises the tree: it
finds the text span of each element with a small tokenizer and splices new
text into the original.

The tokenizer runs on a document that lxml has already parsed (well-formed,
no entities), so it only needs to find tags, not to validate. An element is
found by its place in document order, which libxml2 counts; the tag found at
that place in the text must carry the element's name, and the text must hold
as many elements as the tree: any disagreement is an error rather than a guess.

Everything here costs time in proportion to the document, and on a long
invoice far less: a rewrite asks about a handful of elements, and the text is
read tag by tag only near them (`scan.Tags`), never by an XPath, which lxml
computes by walking all preceding siblings; what depends on the whole text
(the newline, the indentation unit) is worked out once.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from kassavirta.rewrite.scan import Scan, SourceError, StartTag, Tags, scan

_ATTRIBUTE = r"""(\s{name}\s*=\s*)("[^"]*"|'[^']*')"""
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    # UTF-32 before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Span:
    """Where one element stands in the text: `start` < `open_end` ≤ `close_start` ≤ `end`."""

    name: str
    start: int
    open_end: int
    close_start: int
    end: int
    empty: bool


@dataclass(frozen=True)
class Node:
    """A new element to write: tag, optional text, attributes in order, children."""

    tag: str
    text: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[Node, ...] = ()

    def render(self, indent: str | None, unit: str, newline: str = "\n") -> str:
        """The element as text; children on their own lines when `indent` is not None."""
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in self.attrs)
        if not self.children:
            if self.text is None or self.text == "":
                return f"<{self.tag}{attrs}/>"
            return f"<{self.tag}{attrs}>{escape(self.text)}</{self.tag}>"
        if indent is None:
            inner = "".join(c.render(None, unit, newline) for c in self.children)
            return f"<{self.tag}{attrs}>{inner}</{self.tag}>"
        deeper = indent + unit
        inner = "".join(newline + deeper + c.render(deeper, unit, newline) for c in self.children)
        return f"<{self.tag}{attrs}>{inner}{newline}{indent}</{self.tag}>"


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    order: int


@dataclass
class SourceText:
    """A part's bytes decoded to text, and how to encode the edited text back."""

    text: str
    encoding: str
    bom: bytes = b""

    @classmethod
    def decode(cls, data: bytes, declared: str | None) -> SourceText:
        for bom, name in _BOMS:
            if data.startswith(bom) or data.lstrip(b" \t\r\n").startswith(bom):
                head, _, rest = data.partition(bom)
                return cls(head.decode("ascii") + rest.decode(name), name, bom)
        encoding = declared or "utf-8"
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise SourceError(f"unknown encoding {encoding!r}") from exc
        return cls(data.decode(encoding), encoding)

    def encode(self, text: str) -> bytes:
        if self.bom:
            lead = len(text) - len(text.lstrip(" \t\r\n"))
            return (
                text[:lead].encode("ascii")
                + self.bom
                + text[lead:].encode(self.encoding, "xmlcharrefreplace")
            )
        return text.encode(self.encoding, "xmlcharrefreplace")


def _span(elements: Scan | Tags, index: int, tag: StartTag) -> Span:
    close_start, end = elements.close(index, tag)
    name, start, open_end, empty = tag
    return Span(name, start, open_end, close_start, end, empty)


def tokenize_spans(text: str) -> list[Span]:
    """The span of every element in document order (the order of their start tags)."""
    found = scan(text)
    return [_span(found, i, found.open(i)) for i in range(found.total)]


def _with_attribute(open_tag: str, name: str, value: str) -> str:
    found = re.compile(_ATTRIBUTE.format(name=re.escape(name))).search(open_tag)
    if found:
        quote = found.group(2)[0]
        escaped = escape(value, {'"': "&quot;"} if quote == '"' else {"'": "&apos;"})
        return open_tag[: found.start(2)] + quote + escaped + quote + open_tag[found.end(2) :]
    cut = len(open_tag) - (2 if open_tag.endswith("/>") else 1)
    while cut > 0 and open_tag[cut - 1] in " \t\r\n":
        cut -= 1
    return f"{open_tag[:cut]} {name}={quoteattr(value)}{open_tag[cut:]}"


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


_POSITION = etree.XPath("count(preceding::*) + count(ancestor::*)")
_AFTER = etree.XPath("count(following::*) + count(descendant::*)")
_COUNT = etree.XPath("count(//*)")
UNIT_SEARCH = 64
"""Elements looked at for the document's indentation unit before the default is taken."""


@dataclass
class SourceEditor:
    """Splices edits into `text`; elements are addressed as lxml elements of `tree`."""

    text: str
    tree: etree._ElementTree
    _elements: Tags | Scan = field(init=False)
    """The text's elements: counted (`Tags`), or scanned whole when that cannot be done."""
    _index: dict[etree._Element, int] = field(init=False, default_factory=dict)
    """The position in document order of each element asked about (a handful per rewrite)."""
    _opened: dict[int, StartTag] = field(init=False, default_factory=dict)
    _spans: dict[int, Span] = field(init=False, default_factory=dict)
    _edits: list[_Edit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._map()

    def _map(self) -> None:
        """Find the text's elements, and check that they are as many as the tree's.

        A rewrite asks where a handful of elements stand: `_position` counts an
        element's place in libxml2, `Tags` finds the start tag at that place by
        counting (scanning the whole text only when it holds comments and the
        like inside the root), and the name found there is checked against the
        element asked about. No proxy is kept per element (that cost a long
        invoice some 90 MiB), nor a span (most of a long invoice's rewrite).
        """
        total = _COUNT(self.tree)
        assert isinstance(total, float)
        counted = int(total)
        elements = Tags.of(self.text) or scan(self.text)
        if counted != elements.total:
            raise SourceError(
                f"found {elements.total} elements in the text but {counted} in the tree"
            )
        self._elements = elements

    def _position(self, element: etree._Element) -> int:
        """The element's place in document order: the elements before it and above it."""
        found = self._index.get(element)
        if found is None:
            # libxml2 counts a node set of the axis it walks, which costs more than its
            # share on a long document: an element in the second half of the lines is
            # placed by what comes after it (the elements after and below it).
            line = element.sourceline
            if isinstance(line, int) and line > self._lines // 2:
                after = _AFTER(element)
                assert isinstance(after, float)
                found = self._elements.total - 1 - int(after)
            else:
                counted = _POSITION(element)
                assert isinstance(counted, float)
                found = int(counted)
            name = self._open(found)[0]
            tag: str = element.tag
            if _local(name) != tag.rpartition("}")[2]:
                raise SourceError(f"<{name}> in the text is {tag} in the tree")
            self._index[element] = found
        return found

    def _open(self, index: int) -> StartTag:
        opened = self._opened.get(index)
        if opened is None:
            opened = self._opened[index] = self._elements.open(index)
        return opened

    # ------------------------------------------------------------------ reading

    def start(self, element: etree._Element) -> int:
        """Where the element's start tag begins (without reading to its end)."""
        return self._open(self._position(element))[1]

    def span(self, element: etree._Element) -> Span:
        index = self._position(element)
        span = self._spans.get(index)
        if span is None:
            span = self._spans[index] = _span(self._elements, index, self._open(index))
        return span

    def indent_of(self, element: etree._Element) -> str | None:
        """The whitespace that starts the element's line, or None when it shares a line."""
        start = self.start(element)
        line_start = self.text.rfind("\n", 0, start) + 1
        lead = self.text[line_start:start]
        if line_start == 0 or lead.strip(" \t"):
            return None
        return lead

    def newline(self) -> str:
        return self._newline

    @cached_property
    def _lines(self) -> int:
        return self.text.count("\n") + 1

    @cached_property
    def _newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    def unit(self) -> str:
        """One level of indentation, as the document uses it (two spaces by default)."""
        return self._unit

    @cached_property
    def _unit(self) -> str:
        root = self.tree.getroot()
        # The document's first indented parents say it; a file written on one line has
        # none, and asking each of its parents would cost a count over the document each.
        for parent in itertools.islice(root.iter(), UNIT_SEARCH):
            if not len(parent) or not isinstance(parent.tag, str):
                continue
            first = next((c for c in parent if isinstance(c.tag, str)), None)
            if first is None:
                continue
            outer = self.indent_of(parent) if parent is not root else ""
            inner = self.indent_of(first)
            if outer is not None and inner is not None and inner.startswith(outer):
                step = inner[len(outer) :]
                if step:
                    return step
        return "  "

    # ------------------------------------------------------------------ editing

    def _add(self, start: int, end: int, text: str) -> None:
        self._edits.append(_Edit(start, end, text, len(self._edits)))

    def update(
        self,
        element: etree._Element,
        text: str | None = None,
        attributes: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Set a leaf element's text and/or attributes in one edit.

        Other attributes keep their order and quoting; a new attribute goes last.
        """
        span = self.span(element)
        open_tag = self.text[span.start : span.open_end]
        for name, value in attributes:
            open_tag = _with_attribute(open_tag, name, value)
        if text is None:
            self._add(span.start, span.open_end, open_tag)
            return
        if len(element):
            raise SourceError(f"{element.tag} has children; its text cannot be replaced")
        if span.empty:
            opened = re.sub(r"\s*/>$", ">", open_tag)
            self._add(span.start, span.end, f"{opened}{escape(text)}</{span.name}>")
        else:
            self._add(span.start, span.close_start, open_tag + escape(text))

    def replace(self, element: etree._Element, node: Node) -> None:
        span = self.span(element)
        indent = self.indent_of(element)
        self._add(span.start, span.end, node.render(indent, self.unit(), self.newline()))

    def remove(self, element: etree._Element) -> None:
        """Remove the element and the whitespace that put it on its own line."""
        span = self.span(element)
        text = self.text
        start = cut = span.start
        while cut > 0 and text[cut - 1] in " \t":
            cut -= 1
        if cut > 0 and text[cut - 1] == "\n":
            start = cut - 1
            if cut > 1 and text[cut - 2] == "\r":
                start -= 1
        self._add(start, span.end, "")

    def insert_before(self, anchor: etree._Element, node: Node) -> None:
        indent = self.indent_of(anchor)
        rendered = node.render(indent, self.unit(), self.newline())
        gap = "" if indent is None else self.newline() + indent
        start = self.start(anchor)
        self._add(start, start, rendered + gap)

    def insert_after(self, anchor: etree._Element, node: Node) -> None:
        indent = self.indent_of(anchor)
        rendered = node.render(indent, self.unit(), self.newline())
        gap = "" if indent is None else self.newline() + indent
        self._add(self.span(anchor).end, self.span(anchor).end, gap + rendered)

    def append_child(self, parent: etree._Element, node: Node) -> None:
        """Add `node` as the last child of `parent`."""
        children = [c for c in parent if isinstance(c.tag, str)]
        if children:
            self.insert_after(children[-1], node)
            return
        span = self.span(parent)
        outer = self.indent_of(parent) if parent is not self.tree.getroot() else ""
        inner = None if outer is None else outer + self.unit()
        rendered = node.render(inner, self.unit(), self.newline())
        body = (
            rendered
            if inner is None
            else f"{self.newline()}{inner}{rendered}{self.newline()}{outer}"
        )
        if span.empty:
            open_tag = re.sub(r"\s*/>$", ">", self.text[span.start : span.end])
            self._add(span.start, span.end, f"{open_tag}{body}</{span.name}>")
        else:
            self._add(span.open_end, span.close_start, body)

    def insert_child(
        self,
        parent: etree._Element,
        node: Node,
        before: Sequence[str] = (),
        skip: Sequence[etree._Element] = (),
    ) -> etree._Element:
        """Insert `node` into `parent` before the first child named in `before`, else last.

        Children in `skip` (being removed) are never anchors. Returns the element
        the new one was placed next to (or `parent`), for reporting.
        """
        for child in parent:
            if (
                isinstance(child.tag, str)
                and etree.QName(child).localname in before
                and not any(child is s for s in skip)
            ):
                self.insert_before(child, node)
                return child
        self.append_child(parent, node)
        return parent

    @property
    def changed(self) -> bool:
        return bool(self._edits)

    def result(self) -> str:
        # An insertion at a point goes before a replacement that starts there.
        edits = sorted(self._edits, key=lambda e: (e.start, e.end > e.start, e.order))
        out: list[str] = []
        pos = 0
        for edit in edits:
            if edit.start < pos:
                raise SourceError("overlapping edits")
            out.append(self.text[pos : edit.start])
            out.append(edit.text)
            pos = edit.end
        out.append(self.text[pos:])
        return "".join(out)
