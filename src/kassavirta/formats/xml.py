"""XML helpers every format shares: plain texts and names, and located values.

A reader notes where each value came from (`Fields`), because a finding that
names a line and an XPath is one a user can fix; the rewriters and the rules use
the same small helpers (`text_of`, `local_name`) so that no format keeps its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, overload

from lxml import etree

from kassavirta.errors import UnreadableField
from kassavirta.model import Location
from kassavirta.pipeline.read import Part

_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
_OVT = re.compile(r"^0037[0-9]{8,13}$")
_COMPACT_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})").fullmatch
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})").fullmatch
_AMOUNT = r"[+-]?+[0-9]++(?:{}[0-9]++)?+"
"""An amount as the formats write it, around its decimal separator; the steps are possessive."""
_POINT_AMOUNT = re.compile(_AMOUNT.format(r"\."), re.ASCII).fullmatch
_COMMA_AMOUNT = re.compile(_AMOUNT.format(","), re.ASCII).fullmatch
_ALL_AMOUNTS = tuple(
    re.compile(rf"(?:\s*+{_AMOUNT.format(separator)}\s*+\x00)*+").fullmatch
    for separator in (r"\.", ",")
)
"""Point, comma: amounts as written, each followed by a NUL, which no XML text can hold.

See `amount_values`. `\\s` is exactly the whitespace `str.strip` removes and
`Decimal` skips, so the texts need not be stripped one by one; the possessive steps
never backtrack.
"""


_KEPT_AMOUNTS = 4096
"""How many distinct written amounts `read_amount` keeps per separator before it starts over."""
_READ_AMOUNTS: tuple[dict[str, Decimal | None], dict[str, Decimal | None]] = ({}, {})
"""Written amount → its value (or None), one table for the point and one for the comma."""


def read_amount(raw: str, *, comma: bool) -> Decimal | None:
    """The value of a stripped amount, `[+-]digits[<sep>digits]`, or None when it is not one.

    The separator is the decimal comma when `comma`, else the point. Rates,
    quantities and prices repeat across the rows of an invoice and across a
    batch, and a dictionary look-up costs a fraction of the pattern and the
    `Decimal`; a `Decimal` is immutable, so one value serves every reader. The
    table is bounded: it starts over after `_KEPT_AMOUNTS` distinct amounts.
    """
    kept = _READ_AMOUNTS[comma]
    value = kept.get(raw)
    if value is None and raw not in kept:
        if comma:
            value = Decimal(raw.replace(",", ".")) if _COMMA_AMOUNT(raw) else None
        else:
            value = Decimal(raw) if _POINT_AMOUNT(raw) else None
        if len(kept) >= _KEPT_AMOUNTS:
            kept.clear()
        kept[raw] = value
    return value


def amount_values(texts: list[str | None], *, comma: bool) -> list[Decimal | None] | None:
    """The amounts written as `texts` (None for an absent or empty one), or None when one
    is not plainly an amount or is blank: `Fields.filled_amounts` then names the bad one.

    An invoice's rows hold most of its amounts; matching, stripping and
    converting them one by one cost more than the rest of a row's reading, so
    they are matched as one string, unstripped (see `_ALL_AMOUNTS`).
    """
    filled = list(filter(None, texts))
    if not filled:
        return [None] * len(texts)
    written = "\x00".join(filled)
    if not _ALL_AMOUNTS[comma](written + "\x00"):
        return None
    if comma:
        written = written.replace(",", ".")
    values: list[Decimal | None] = list(map(Decimal, written.split("\x00")))
    if len(values) == len(texts):
        return values
    found = iter(values)
    return [next(found) if text else None for text in texts]


def text_of(element: etree._Element | None) -> str | None:
    """The stripped text of `element`, or None when it is absent or empty."""
    if element is None:
        return None
    return (element.text or "").strip() or None


def written_text(element: etree._Element | None) -> str | None:
    """The stripped text as written: `""` for an empty element, None only for an absent one.

    A rewrite's change log tells "was empty" from "was not there".
    """
    if element is None:
        return None
    return (element.text or "").strip()


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace."""
    return etree.QName(element).localname


def looks_like_bic(value: str | None) -> bool:
    return bool(value and _BIC.match(value.strip().upper()))


def looks_like_iban(value: str | None) -> bool:
    return bool(value and _IBAN.match(value.replace(" ", "").upper()))


def looks_like_ovt(value: str | None) -> bool:
    return bool(value and _OVT.match(value.strip()))


_FEW_NAMESAKES = 8
"""Above this many same-named siblings, `XPaths` numbers the parent's children once."""


class XPaths:
    """Absolute XPaths as lxml's `getpath` writes them, without its per-call sibling scan.

    `getpath` walks every preceding sibling of every ancestor, so asking it for
    each row's fields costs the square of the row count; here a parent's element
    children are numbered once, when the first of them is asked for.
    """

    __slots__ = ("_root", "_steps")

    def __init__(self, root: etree._Element) -> None:
        self._root = root
        self._steps: dict[etree._Element, str] = {}

    def __call__(self, element: etree._Element) -> str:
        steps: list[str] = []
        node: etree._Element | None = element
        while node is not None and node is not self._root:
            step = self._steps.get(node)
            if step is None:
                parent = node.getparent()
                if parent is None:
                    break
                step = self._alone(node, parent)
                if step is None:
                    self._number(parent)
                    step = self._steps[node]
            steps.append(step)
            node = node.getparent()
        steps.append("/" + _step_name(node if node is not None else element)[0])
        return "".join(reversed(steps))

    def _alone(self, node: etree._Element, parent: etree._Element) -> str | None:
        """The step of a plain-named element with few namesakes, without numbering its siblings.

        A finding usually asks for one field under a parent of many children
        (the invoice root holds every row); counting the namesakes alone is
        cheaper. None when the name is namespaced or shared by many siblings.
        """
        tag = node.tag
        if not isinstance(tag, str) or tag[:1] == "{" or ":" in tag:
            return None
        count = index = 0
        for sibling in parent.iterchildren(tag):
            count += 1
            if sibling is node:
                index = count
            if count > _FEW_NAMESAKES:
                return None
        step = f"/{tag}[{index}]" if count > 1 else f"/{tag}"
        self._steps[node] = step
        return step

    def _number(self, parent: etree._Element) -> None:
        """One step per element child of `parent`, numbered as libxml2's xmlGetNodePath does."""
        children: list[etree._Element] = []
        child: Any  # a comment's or instruction's tag is a function (see `Fields.children`)
        for child in parent:
            if isinstance(child.tag, str):
                children.append(child)
        named = [_step_name(c) for c in children]
        totals: dict[tuple[str, bool], int] = {}
        for key in named:
            totals[key] = totals.get(key, 0) + 1
        seen: dict[tuple[str, bool], int] = {}
        for position, (child, key) in enumerate(zip(children, named, strict=True), start=1):
            name, generic = key
            if generic:
                # An element in a default namespace is `*`, numbered among all elements.
                index = position if len(children) > 1 else 0
            else:
                seen[key] = seen.get(key, 0) + 1
                index = seen[key] if totals[key] > 1 else 0
            self._steps[child] = f"/{name}[{index}]" if index else f"/{name}"


def _step_name(element: etree._Element) -> tuple[str, bool]:
    """The element's name in a path step, and whether it is the generic `*`."""
    tag = element.tag
    assert isinstance(tag, str)
    if tag[:1] != "{":
        return tag, False
    node: Any = element  # lxml's stubs say `prefix` is a string; it is None in a default namespace
    prefix = node.prefix
    if prefix is None:
        return "*", True
    return f"{prefix}:{tag[tag.index('}') + 1 :]}", False


_T = TypeVar("_T")


class Locations(Mapping[str, Location]):
    """Field name → where its value was read, computed when a finding first asks.

    An adapter notes some hundred fields per invoice and a clean invoice needs
    none of their locations, so only the element is kept here.
    """

    __slots__ = ("_elements", "_found", "_part", "_rows", "_xpaths")

    def __init__(self, part: Part) -> None:
        self._part = part
        self._elements: dict[str, etree._Element] = {}
        self._found: dict[str, Location] = {}
        self._xpaths: XPaths | None = None
        self._rows: tuple[list[etree._Element], Mapping[str, str]] = ([], {})

    def note_rows(self, rows: list[etree._Element], fields: Mapping[str, str]) -> None:
        """The rows as read: `rows.N` is row N, `rows.N.<name>` its first child tagged `fields[name]`.

        A long invoice has some thousand rows of five fields each; naming every
        one of them up front cost more than reading the row, and a clean invoice
        asks for none of them. Only the rows are kept: holding each row's
        children as well kept the garbage collector busy for nothing.
        """
        self._rows = (rows, fields)

    def _element(self, key: str) -> etree._Element | None:
        found = self._elements.get(key)
        if found is not None or not key.startswith("rows."):
            return found
        rows, fields = self._rows
        _, number, *name = key.split(".", 2)
        if not number.isdigit() or not 0 < int(number) <= len(rows):
            return None
        row = rows[int(number) - 1]
        if not name:
            return row
        tag = fields.get(name[0])
        return None if tag is None else next(row.iterchildren(tag), None)

    def _row_keys(self) -> Iterator[str]:
        rows, fields = self._rows
        for number, row in enumerate(rows, start=1):
            children = first_children(row)
            yield f"rows.{number}"
            for name, tag in fields.items():
                if tag in children:
                    yield f"rows.{number}.{name}"

    def note(self, key: str, element: etree._Element) -> None:
        self._elements[key] = element
        if self._found:  # a location asked for before, now read again
            self._found.pop(key, None)

    def alias(self, key: str, source: str) -> None:
        """`key` stands where `source` was read (when `source` was read)."""
        element = self._element(source)
        if element is not None:
            self.note(key, element)

    def where(self, element: etree._Element) -> Location:
        if self._xpaths is None:
            self._xpaths = XPaths(self._part.root)
        return Location(line=self._part.line(element), xpath=self._xpaths(element))

    def __getitem__(self, key: str) -> Location:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    @overload
    def get(self, key: str, /) -> Location | None: ...
    @overload
    def get(self, key: str, /, default: Location | _T) -> Location | _T: ...
    def get(self, key: str, /, default: object = None) -> object:
        """As `Mapping.get`, without raising and catching a `KeyError` for a field not read
        (`Invoice.where` asks for several in turn, for every finding)."""
        found = self._found.get(key)
        if found is not None:
            return found
        element = self._element(key)
        if element is None:
            return default
        found = self._found[key] = self.where(element)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._element(key) is not None

    def __iter__(self) -> Iterator[str]:
        yield from self._elements
        yield from (key for key in self._row_keys() if key not in self._elements)

    def __len__(self) -> int:
        return sum(1 for _ in self)


_STEPS: dict[tuple[tuple[str, str], ...], dict[str, tuple[str, ...] | None]] = {}
"""Namespaces → expression → the child tags of its steps (see `Fields.find`), kept for the run.

Adapters ask the same few hundred literal paths of every invoice; the table
grows with the formats' path constants, not with the input.
"""


_UNSEEN: tuple[str, ...] = ("",)
"""Not yet in `_STEPS` (no expression has an empty step)."""


class Fields:
    """Reads text, amounts and dates under one part, recording where each came from.

    Path arguments are ElementPath expressions relative to `base`
    (default: the part's root). Values that are present but cannot be read
    raise `UnreadableField` with the line and XPath, because a rule that
    silently saw "nothing" would give a wrong decision.

    A path of plain child steps (`A/B`, `p:A/p:B`), which is nearly every path an
    adapter asks, is answered from one pass over each parent's children, kept
    for the document: an adapter asks some hundred paths per invoice, mostly
    under the same few parents, and ElementPath or a tag scan per question cost
    more than the rest of the reading.
    """

    def __init__(self, part: Part, namespaces: dict[str, str] | None = None) -> None:
        self.part = part
        self.locations = Locations(part)
        """Model key → where its value was read; the invoice keeps it."""
        self.namespaces = namespaces or {}
        self._steps = _STEPS.setdefault(tuple(sorted(self.namespaces.items())), {})
        self._children: dict[etree._Element, dict[str, list[etree._Element]]] = {}
        self._root = part.root

    def where(self, element: etree._Element) -> Location:
        return self.locations.where(element)

    def children(self, node: etree._Element) -> dict[str, list[etree._Element]]:
        """`node`'s element children by tag, in document order, from one pass (then kept)."""
        found = self._children.get(node)
        if found is None:
            found = self._children[node] = {}
            # Typed Any: the stubs say every tag is a string, but a comment's or instruction's
            # is a function, which a compiled build (mypyc) would refuse at this read.
            child: Any
            for child in node:
                tag = child.tag
                if isinstance(tag, str):
                    same = found.get(tag)
                    if same is None:
                        found[tag] = [child]
                    else:
                        same.append(child)
        return found

    def _tags(self, expr: str) -> tuple[str, ...] | None:
        tags = self._steps.get(expr, _UNSEEN)
        if tags is _UNSEEN:
            steps = [self._child_tag(step) for step in expr.split("/")]
            tags = self._steps[expr] = (
                None if None in steps else tuple(t for t in steps if t is not None)
            )
        return tags

    def _matches(self, node: etree._Element, tags: tuple[str, ...]) -> list[etree._Element]:
        """The elements at child steps `tags` under `node`, in document order (as ElementPath)."""
        found = self.children(node).get(tags[0], [])
        for tag in tags[1:]:
            found = [e for parent in found for e in self.children(parent).get(tag, ())]
        return found

    def find(self, expr: str, base: etree._Element | None = None) -> etree._Element | None:
        node = self._root if base is None else base
        tags = self._steps.get(expr, _UNSEEN)
        if tags is _UNSEEN:
            tags = self._tags(expr)
        if tags is None:
            return node.find(expr, self.namespaces)
        if len(tags) == 1:
            children = self._children.get(node)
            same = (self.children(node) if children is None else children).get(tags[0])
            return same[0] if same else None
        return self._first(node, tags)

    def _first(self, node: etree._Element, tags: tuple[str, ...]) -> etree._Element | None:
        """The first element at child steps `tags` under `node` in document order.

        As `_matches(...)[0]`, without listing every match: the search stops at the
        first parent that holds one (a payment block's account under its first
        beneficiary, not every beneficiary's).
        """
        same = self.children(node).get(tags[0])
        if not same:
            return None
        if len(tags) == 1:
            return same[0]
        rest = tags[1:]
        for parent in same:
            found = self._first(parent, rest)
            if found is not None:
                return found
        return None

    def _child_tag(self, step: str) -> str | None:
        """The tag `step` names when it is a plain child step (`Name` or `prefix:Name`), else None."""
        prefix, colon, name = step.rpartition(":")
        if not name.isidentifier():
            return None
        if not colon:
            return name if "" not in self.namespaces else None
        uri = self.namespaces.get(prefix)
        return f"{{{uri}}}{name}" if uri is not None and prefix.isidentifier() else None

    def findall(self, expr: str, base: etree._Element | None = None) -> list[etree._Element]:
        node = self._root if base is None else base
        tags = self._tags(expr)
        if tags is None:
            return list(node.findall(expr, self.namespaces))
        return list(self._matches(node, tags))

    def each(
        self, elements: Iterable[etree._Element], start: int = 1
    ) -> Iterator[tuple[int, etree._Element]]:
        """`enumerate(elements, start)` for what is read once each, such as rows.

        The children index (`children`) is kept for the document, as a header
        asks many paths under a few parents; but a row is read once, and keeping
        what was indexed under it held a Python object for every element of a
        long invoice (a 20 MiB Liinos file: 430 MiB and 3.3 s to check, 330 MiB
        and 2.7 s without). What was indexed while one element was taken and
        read is let go before the next; anything asked again is indexed again.
        """
        children = self._children
        found = iter(elements)
        n = start
        while True:
            kept = len(children)  # a dict keeps insertion order: the newer ones go
            element = next(found, None)
            if element is None:
                return
            yield n, element
            n += 1
            while len(children) > kept:
                children.popitem()

    def note(self, key: str | None, element: etree._Element) -> None:
        if key:
            self.locations.note(key, element)

    def element(
        self, key: str | None, expr: str, base: etree._Element | None = None
    ) -> etree._Element | None:
        found = self.find(expr, base)
        if found is not None and key:
            self.locations.note(key, found)
        return found

    def text(self, key: str | None, expr: str, base: etree._Element | None = None) -> str | None:
        found = self.find(expr, base)
        if found is None:
            return None
        if key:
            self.locations.note(key, found)
        return (found.text or "").strip() or None

    def filled_amount(self, element: etree._Element | None, *, comma: bool) -> Decimal | None:
        """`amount_of` an element that may be absent or empty (then None)."""
        if element is None:
            return None
        raw = element.text
        if not raw or not (raw := raw.strip()):
            return None
        value = _READ_AMOUNTS[comma].get(raw)  # read_amount's table, without the call
        if value is None:
            value = read_amount(raw, comma=comma)
        return value if value is not None else self.amount_of(element, comma=comma)

    def filled_amounts(
        self, elements: list[etree._Element | None], *, comma: bool
    ) -> list[Decimal | None]:
        """`filled_amount` of each of `elements`, read together (see `amount_values`).

        When one is not an amount (or is blank), each is read again in turn, so
        the error names the first bad one, as before.
        """
        values = amount_values([None if e is None else e.text for e in elements], comma=comma)
        if values is None:
            return [self.filled_amount(e, comma=comma) for e in elements]
        return values

    def texts(self, expr: str, base: etree._Element | None = None) -> list[str]:
        return [t for t in ((e.text or "").strip() for e in self.findall(expr, base)) if t]

    def unreadable(self, element: etree._Element, message: str, value: str) -> UnreadableField:
        """`unreadable-field` for `value`, placed at `element`."""
        where = self.where(element)
        return UnreadableField(message, path="", line=where.line, xpath=where.xpath, value=value)

    def fail(self, element: etree._Element, message: str) -> UnreadableField:
        """`element`'s text cannot be read: `message` says why."""
        text = (element.text or "").strip()
        return self.unreadable(element, f"{local_name(element)}: {message}", text)

    def amount_of(self, element: etree._Element, *, comma: bool) -> Decimal:
        raw = (element.text or "").strip()
        value = read_amount(raw, comma=comma)
        if value is not None:
            return value
        if comma and "." in raw:
            raise self.fail(element, f"amount {raw!r} must use a decimal comma")
        raise self.fail(element, f"{raw!r} is not an amount")

    def filled(
        self, key: str | None, expr: str, base: etree._Element | None = None
    ) -> etree._Element | None:
        """The element at `expr` (noted as `key`) when it has text; an empty one counts as absent."""
        found = self.element(key, expr, base)
        return found if text_of(found) else None

    def amount(
        self, key: str, expr: str, base: etree._Element | None = None, *, comma: bool = False
    ) -> Decimal | None:
        found = self.element(key, expr, base)
        if found is None:
            return None
        raw = found.text
        if not raw or not (raw := raw.strip()):
            return None
        value = read_amount(raw, comma=comma)
        return value if value is not None else self.amount_of(found, comma=comma)

    def date_of(self, element: etree._Element, *, compact: bool) -> date:
        raw = (element.text or "").strip()
        match = (_COMPACT_DATE if compact else _DATE)(raw)
        if not match:
            raise self.fail(element, f"{raw!r} is not a date")
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError as exc:
            raise self.fail(element, f"{raw!r} is not a real calendar date") from exc

    def date(
        self, key: str, expr: str, base: etree._Element | None = None, *, compact: bool = False
    ) -> date | None:
        found = self.filled(key, expr, base)
        return None if found is None else self.date_of(found, compact=compact)


def first_children(element: etree._Element) -> dict[str, etree._Element]:
    """Each child element's name → its first child of that name, from one pass over the children.

    A row's fields are its direct children: one pass per row instead of one
    search per field.
    """
    found: dict[str, etree._Element] = {}
    child: Any  # a comment's tag is a function (see `Fields.children`)
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in found:
            found[tag] = child
    return found


def missing(part: Part, message: str, at: etree._Element) -> UnreadableField:
    """An `UnreadableField` for a required element that is not there, placed at `at`."""
    return UnreadableField(message, line=part.line(at), xpath=part.tree.getpath(at))


def streets(f: Fields, key: str, elements: list[etree._Element]) -> list[str]:
    """The non-empty street lines among `elements`, noting the first as `{key}.address.street`."""
    lines = [e for e in elements if text_of(e)]
    if lines:
        f.note(f"{key}.address.street", lines[0])
    return [t for t in (text_of(e) for e in lines) if t]


_ASCII_SUPERSETS = re.compile(
    r"(?:UTF-?8|(?:US-)?ASCII|ISO[-_]?8859-[0-9]+|LATIN-?[0-9]|WINDOWS-125[0-8]|CP125[0-8])",
    re.IGNORECASE,
).fullmatch
"""Encodings in which every ASCII character is its one ASCII byte (and no other byte is one)."""


def written_alone(part: Part, attribute: str, code: str | None) -> bool:
    """Whether every `attribute` (no namespace) in the document is written `attribute="code"`.

    Looking at every element for an attribute is a walk of the whole tree; two
    counts over the bytes answer the common case, one currency written alike
    throughout. When the encoding writes ASCII as ASCII, each attribute of that
    name stands in the bytes as the name followed by `=` and its quoted value
    (entities cannot write markup here: `pipeline.read` refuses them). So if
    every occurrence of the name is followed by `="code"`, each such attribute
    holds exactly `code`; and `code` is one the caller read from the tree, so
    there is at least one. Anything else (another value, other quotes, spaces
    around `=`, an unknown encoding) is False: the caller then walks the tree.
    """
    source = part.source
    if not code or not code.isascii() or not code.isalnum() or not source:
        return False
    if part.encoding is not None and not _ASCII_SUPERSETS(part.encoding):
        return False
    # No byte-order mark but UTF-8's, and not UTF-16 or UTF-32 without one (`<` then NUL).
    if not (source[:1] == b"<" and source[1:2] != b"\x00") and not source.startswith(
        b"\xef\xbb\xbf<"
    ):
        return False
    name = attribute.encode("ascii")
    found = source.count(name)
    return found > 0 and found == source.count(b'%s="%s"' % (name, code.encode("ascii")))


def check_currencies(f: Fields, found: Iterable[tuple[str, etree._Element]]) -> list[str]:
    """The distinct currency codes of `found`, as written and in order.

    Two currencies are `unreadable-field`. Codes that differ only in case (`eur`,
    `EUR`) are one currency, both kept as written: `currency-code-case` names the
    lowercase one.
    """
    seen: dict[str, etree._Element] = {}
    currencies: dict[str, str] = {}
    for code, element in found:
        if code not in seen:
            seen[code] = element
            currencies.setdefault(code.upper(), code)
    if len(currencies) > 1:
        first, odd_code = list(currencies.values())[:2]
        mixed = ", ".join(currencies.values())
        raise f.unreadable(
            seen[odd_code],
            f"the invoice mixes currencies ({mixed}); first {first}, then {odd_code} here",
            odd_code,
        )
    return list(seen)
