"""The elements of an XML text, found by one pattern: where a rewrite spends its time.

The source editor (`rewrite.xmlsource`) needs where each element it edits
stands in the text, and finds it by scanning the whole text once: on a long
invoice that scan is most of a rewrite (a pattern match and a step per
element). It lives apart so that a regular install can compile it (mypyc, see
setup.py), which takes about a third off it.
"""

from __future__ import annotations

import re
from array import array
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


@dataclass
class Scan:
    """Every element's span in document order, as parallel lists (a Span each costs too much).

    An empty element (`<a/>`) is the one whose `end` is its `open_end`.
    """

    names: list[str] = field(default_factory=list)
    """Each name is stored once, however many elements carry it."""
    starts: array[int] = field(default_factory=lambda: array("q"))
    open_ends: array[int] = field(default_factory=lambda: array("q"))
    close_starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))


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
