"""What every format's rewriter shares: the editor, namespace prefixes, and the change log.

Each rewriter applies the same plan to a different vocabulary, but the
bookkeeping around an edit is the same everywhere: splice the edit into the
original text (`xmlsource.SourceEditor`), log the change at the position of
the element it touched so that the diff reads in document order whatever order
the fields were visited in, keep removed elements from serving as anchors for
insertions, and return the original bytes untouched when nothing changed (so a
second run is byte-identical, whatever the encoder would have made of them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from kassavirta.formats.xml import local_name, written_text
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import FieldChange, PartRewrite, Plan, RewriteError
from kassavirta.rewrite.xmlsource import Node, SourceEditor, SourceText


@dataclass
class LoggedChange:
    """A change and where in the text it happened, for sorting the diff."""

    position: int
    change: FieldChange


def compact(value: str | None) -> str:
    """An account or BIC without spaces, upper case: how two of them are compared."""
    return "".join((value or "").split()).upper()


def matches(element: etree._Element, node: Node) -> bool:
    """Whether `element` already is the block `node` would write (names, texts, attributes).

    Prefixes are not compared, only local names, so a block written with the
    document's own prefixes is recognised on the next run.
    """
    if local_name(element) != node.tag.rsplit(":", 1)[-1]:
        return False
    if sorted((str(k), str(v)) for k, v in element.attrib.items()) != sorted(node.attrs):
        return False
    children = [c for c in element if isinstance(c.tag, str)]
    if not node.children:
        return not children and (element.text or "").strip() == (node.text or "")
    return len(children) == len(node.children) and all(
        matches(c, n) for c, n in zip(children, node.children, strict=True)
    )


class ElementRewrite:
    """One document being rewritten: its tree, its editor and what has changed so far.

    A format's rewriter subclasses it, writes `run`, and exposes `rewrite = Class.apply`.
    `invoice` is the document as the check read it: a rewriter takes a value from it
    rather than finding and reading the element again.
    """

    def __init__(self, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> None:
        self.invoice = invoice
        self.part = document.part
        self.tree = self.part.tree
        self.root = self.part.root
        self.plan = plan
        self.original = source
        self.source = SourceText.decode(source, self.part.encoding)
        self.editor = SourceEditor(self.source.text, self.tree)
        self.changes: list[LoggedChange] = []
        self.notes: list[str] = []
        self.removed: list[etree._Element] = []

    def tag(self, context: etree._Element, namespace: str, local: str) -> str:
        """`local` with the prefix `context` binds to `namespace` (none for the default)."""
        for prefix, uri in context.nsmap.items():
            if uri == namespace:
                return local if prefix is None else f"{prefix}:{local}"
        raise RewriteError(f"the document declares no prefix for {namespace}")

    def path(self, element: etree._Element) -> str:
        return self.tree.getpath(element)

    def record(
        self, at: etree._Element, xpath: str, name: str, old: str | None, new: str | None
    ) -> None:
        position = self.editor.start(at)
        self.changes.append(LoggedChange(position, FieldChange(xpath, name, old, new)))

    def settext_of(self, element: etree._Element, name: str, value: str) -> None:
        """Set a leaf's text, unless it already is `value`."""
        old = written_text(element)
        if old != value:
            self.record(element, self.path(element), name, old, value)
            self.editor.update(element, value)

    def insert(
        self,
        parent: etree._Element,
        node: Node,
        before: tuple[str, ...],
        name: str,
        value: str | None,
    ) -> None:
        """Add `node` to `parent` before the first child named in `before` (else last)."""
        anchor = self.editor.insert_child(parent, node, before, self.removed)
        self.record(anchor, f"{self.path(parent)}/{node.tag}", name, None, value)

    def put(
        self,
        parent: etree._Element,
        found: etree._Element | None,
        make: Callable[[], Node],
        before: tuple[str, ...],
        name: str,
        value: str,
        *,
        account: bool = False,
    ) -> None:
        """`value` into the leaf `found`, or a new leaf `make()` in `parent` when there is none.

        An account or BIC (`account=True`) that differs only in spaces or case stays as written.
        """
        if found is None:
            self.insert(parent, make(), before, name, value)
        elif not (account and compact(found.text) == compact(value)):
            self.settext_of(found, name, value)

    def replace(
        self, element: etree._Element, node: Node, name: str, old: str | None, new: str
    ) -> None:
        """Put the block `node` in place of `element`, unless `element` already is it."""
        if matches(element, node):
            return
        self.editor.replace(element, node)
        self.record(element, self.path(element), name, old, new)

    def drop(self, element: etree._Element, name: str, old: str | None, why: str) -> None:
        """Remove `element`, log `old` → nothing, and say `why` in the notes."""
        self.removed.append(element)
        self.editor.remove(element)
        self.record(element, self.path(element), name, old, None)
        self.notes.append(why)

    def clear(self, element: etree._Element, name: str, why: str) -> None:
        """Empty a leaf that has text, keeping the element (for formats that write every field).

        Logs the old text → `""` (an emptied element, where None would be a removed one)
        and says `why` in the notes, once per reason.
        """
        old = written_text(element)
        if not old:
            return
        self.editor.update(element, "")
        self.record(element, self.path(element), name, old, "")
        if why not in self.notes:
            self.notes.append(why)

    def append_text(self, element: etree._Element, name: str, text: str) -> None:
        """Add `text` as a new line of a free-text leaf, unless it is already there."""
        old = written_text(element) or ""
        if " ".join(text.split()) in " ".join(old.split()):
            return
        joined = f"{old.rstrip()}\n{text}" if old else text
        self.editor.update(element, joined)
        self.record(element, self.path(element), name, old or None, joined)

    @classmethod
    def apply(cls, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> PartRewrite:
        """`plan` applied to the document whose bytes are `source` (a `FormatRewriter`)."""
        return cls(source, document, invoice, plan).run()

    STEPS: tuple[str, ...] = ()
    """The methods that apply the plan, field by field, in the order they run."""

    def run(self) -> PartRewrite:
        for step in self.STEPS:
            getattr(self, step)()
        return self.finish()

    def finish(self) -> PartRewrite:
        changes = [c.change for c in sorted(self.changes, key=lambda c: c.position)]
        if not self.editor.changed:
            return PartRewrite(data=self.original, changes=changes, notes=self.notes)
        return PartRewrite(
            data=self.source.encode(self.editor.result()), changes=changes, notes=self.notes
        )
