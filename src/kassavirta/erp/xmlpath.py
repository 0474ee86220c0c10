"""Reading ERP messages by local name: SI and RI messages, camt statements.

These messages are matched by local name, so that a namespace that differs
between versions (or is missing) reads alike; the helpers walk a path of local
names the way the schema documents it.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["children", "descend", "descend_all", "local_name", "text_at", "texts_at"]


def local_name(el: etree._Element) -> str:
    """The element's name without its namespace ("" for comments and processing instructions).

    The messages read here (SI and RI messages, camt statements) are matched by
    local name, so that a namespace that differs between versions reads alike.
    """
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def children(el: etree._Element | None, name: str) -> list[etree._Element]:
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and local_name(c) == name]


def descend(el: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down `path` (local names), or None."""
    node = el
    for name in path:
        found = children(node, name)
        if not found:
            return None
        node = found[0]
    return node


def descend_all(el: etree._Element | None, *path: str) -> list[etree._Element]:
    """Every element down `path` (local names), in document order."""
    nodes = [el] if el is not None else []
    for name in path:
        nodes = [k for n in nodes for k in children(n, name)]
    return nodes


def text_at(el: etree._Element | None, *path: str) -> str | None:
    """The stripped text down `path`, or None when absent or empty; inner spacing is kept."""
    node = descend(el, *path)
    if node is None:
        return None
    return (node.text or "").strip() or None


def texts_at(el: etree._Element | None, *path: str) -> list[str]:
    return [t for n in descend_all(el, *path) if (t := (n.text or "").strip())]
