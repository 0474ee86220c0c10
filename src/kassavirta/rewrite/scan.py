"""The elements of an XML text, found by one pattern: where a rewrite spends its time.

The source editor (`rewrite.xmlsource`) needs where each element it edits
stands in the text. A rewrite asks about a handful of elements, so the usual
way is `Tags`: inside the root element of a text with no comment, CDATA
section or processing instruction there, every `<` opens a tag, and the n-th
start tag is found by counting `<` and `</` in C, a stretch at a time, then
reading tags only in the stretch that holds it. A text that has such markup
inside its root is scanned whole (`scan`: a pattern match and a step per
element, most of a long invoice's rewrite). The module lives apart so that a
regular install can compile it (mypyc, see setup.py).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field

MARKUP = re.compile(
    r"""
     (?P<comment><!--.*?-->)
    |(?P<cdata><!\[CDATA\[.*?\]\]>)
    |(?P<pi><\?.*?\?>)
    |(?P<doctype><!DOCTYPE(?:[^\[>]|\[.*?\])*>)
    |(?P<end></(?P<ename>[^\s>]+)\s*>)
    |(?P<start><(?P<sname>[^\s/>!?]+)
        (?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(?P<empty>/)?>)
    """,
    re.S | re.X,
)
"""Every kind of markup; what lies between two of them is text, which holds no `<`."""


class SourceError(ValueError):
    """The document's text could not be matched with its parsed tree."""


StartTag = tuple[str, int, int, bool]
"""An element's start tag: its name, where it begins and ends, and whether it is `<a/>`."""


@dataclass
class Scan:
    """Every element's span in document order, as parallel lists (a Span each costs too much).

    An empty element (`<a/>`) is the one whose `end` is its `open_end`. It answers
    `open` and `close` as `Tags` does, from what it holds.
    """

    names: list[str] = field(default_factory=list)
    """Each name is stored once, however many elements carry it."""
    starts: array[int] = field(default_factory=lambda: array("q"))
    open_ends: array[int] = field(default_factory=lambda: array("q"))
    close_starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))

    @property
    def total(self) -> int:
        return len(self.names)

    def open(self, index: int) -> StartTag:
        open_end = self.open_ends[index]
        return self.names[index], self.starts[index], open_end, self.ends[index] == open_end

    def close(self, index: int, tag: StartTag) -> tuple[int, int]:
        return self.close_starts[index], self.ends[index]


def stray(text: str, upto: int) -> None:
    """Raise at the first `<` before `upto` that no markup took: markup we cannot read."""
    pos = 0
    for m in MARKUP.finditer(text, 0, upto):
        at = text.find("<", pos, m.start())
        if at >= 0:
            break
        pos = m.end()
    else:
        at = text.find("<", pos, upto)
    if at >= 0:
        raise SourceError(f"cannot read the markup at character {at}")


def scan(text: str) -> Scan:
    """Every element's span, in one pass of the pattern.

    Text between two pieces of markup holds no `<`; rather than look into each
    gap (a call per element), the `<` the markup took are counted and compared
    with the text's own count once at the end.
    """
    found = Scan()
    names, starts, open_ends = found.names, found.starts, found.open_ends
    close_starts, ends = found.close_starts, found.ends
    stack: list[int] = []  # indices of the open elements
    seen: dict[str, str] = {}
    taken = 0  # `<` inside the markup matched
    m: re.Match[str] | None = None
    try:
        for m in MARKUP.finditer(text):
            kind = m.lastgroup
            begin, pos = m.span()
            if kind == "start":
                if m.group("empty"):
                    close_starts.append(pos)
                    ends.append(pos)
                else:
                    stack.append(len(names))
                    close_starts.append(-1)
                    ends.append(-1)
                name = m.group("sname")
                names.append(seen.setdefault(name, name))
                starts.append(begin)
                open_ends.append(pos)
                taken += 1
            elif kind == "end":
                if not stack or names[stack[-1]] != m.group("ename"):
                    raise SourceError(f"unexpected end tag </{m.group('ename')}> at {begin}")
                index = stack.pop()
                close_starts[index] = begin
                ends[index] = pos
                taken += 1
            else:
                taken += text.count("<", begin, pos)
    except SourceError:
        stray(text, m.start() if m is not None else len(text))  # a stray `<` came first
        raise
    if text.count("<") != taken:
        stray(text, len(text))
    if stack:
        raise SourceError("unclosed element")
    return found


STRETCH = 1 << 14
"""Characters counted at a time: an element is then found by reading at most this many."""


def _root(text: str) -> int:
    """Where the root element's start tag begins (after the declaration, comments, DOCTYPE)."""
    for m in MARKUP.finditer(text):
        if m.lastgroup == "start":
            return m.start()
        if m.lastgroup == "end":
            break
    raise SourceError("no root element")


@dataclass
class Tags:
    """The start tags of a text inside its root, found by counting (see the module)."""

    text: str
    body: int
    """Where the root's start tag begins; the stretches are counted from here."""
    before: array[int]
    """The start tags before each stretch."""
    total: int
    stretch: int = STRETCH
    """Characters a stretch holds (`STRETCH`; tests make it small to put tags across the edges)."""

    @classmethod
    def of(cls, text: str, stretch: int = STRETCH) -> Tags | None:
        """The counted tags, or None when markup other than tags stands inside the root."""
        body = _root(text)
        if text.find("<!", body) >= 0 or text.find("<?", body) >= 0:
            return None
        before: array[int] = array("q")
        size = len(text)
        total = 0
        for start in range(body, size, stretch):
            before.append(total)
            stop = min(start + stretch, size)
            # An end tag's `/` may stand just past the stretch its `<` is in.
            total += text.count("<", start, stop) - text.count("</", start, min(stop + 1, size))
        return cls(text, body, before, total, stretch)

    def open(self, index: int) -> StartTag:
        """The `index`-th element's start tag (document order)."""
        if not 0 <= index < self.total:
            raise SourceError(f"the text has no element {index + 1}")
        text = self.text
        which = bisect_right(self.before, index) - 1
        left = index - self.before[which]
        pos = self.body + which * self.stretch
        while True:
            pos = text.find("<", pos)
            if pos < 0:  # pragma: no cover - the counts said it is there
                raise SourceError(f"the text has no element {index + 1}")
            if not text.startswith("/", pos + 1):
                if not left:
                    break
                left -= 1
            pos += 1
        m = MARKUP.match(text, pos)
        if m is None or m.lastgroup != "start":
            raise SourceError(f"cannot read the markup at character {pos}")
        return m.group("sname"), pos, m.end(), bool(m.group("empty"))

    def close(self, index: int, tag: StartTag) -> tuple[int, int]:
        """Where the end tag of the `index`-th element, whose start tag is `tag`, begins and ends.

        It reads the element's content, so it is asked only of an element that is
        edited as a whole (a leaf, a block the service replaces), never of every one.
        """
        name, _, open_end, empty = tag
        if empty:
            return open_end, open_end
        depth = 0
        for m in MARKUP.finditer(self.text, open_end):
            kind = m.lastgroup
            if kind == "start":
                if not m.group("empty"):
                    depth += 1
            elif kind != "end":  # pragma: no cover - `of` saw no other markup
                raise SourceError(f"cannot read the markup at character {m.start()}")
            elif depth:
                depth -= 1
            else:
                if m.group("ename") != name:
                    raise SourceError(f"unexpected end tag </{m.group('ename')}> at {m.start()}")
                return m.start(), m.end()
        raise SourceError("unclosed element")
