"""Which kind of document is this? (SPEC §1)

A detection is a predicate on the root element and a few children, nothing
more: it must be cheap, because it runs on every file of a batch, and honest:
UBL documents are told apart by `cbc:CustomizationID`, never by namespace alone.
The predicates are the registry's signatures (`formats.registry`), tried in its
order; the user's own signatures (settings' `detection`) come last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from kassavirta.formats.registry import FORMATS, UNKNOWN, Format, Signature, name_of

if TYPE_CHECKING:
    from kassavirta.config.settings import Signature as UserSignature


@dataclass(frozen=True)
class Detected:
    """The format id, the version the document declares, and why it is not an invoice."""

    format: str
    version: str | None = None
    not_invoice: str | None = None

    @property
    def name(self) -> str:
        return name_of(self.format)


def _families() -> list[tuple[Signature, list[Format]]]:
    """The registry's signatures grouped into families, in the order they first appear."""
    families: dict[object, tuple[Signature, list[Format]]] = {}
    for row in FORMATS:
        signature = row.signature
        if signature is None or signature.fallback:
            continue
        families.setdefault(signature.family, (signature, []))[1].append(row)
    return list(families.values())


_FAMILIES = _families()
_FALLBACKS: dict[str, tuple[str, str | None]] = {
    row.id: (row.signature.roots[0], None)
    for row in FORMATS
    if row.signature is not None and row.signature.fallback
}
"""Formats recognised by a plain root name; users add WoodX, BGC, Axflow and PX beside them."""


def detect(root: etree._Element, extra: Mapping[str, UserSignature] | None = None) -> Detected:
    """Classify a parsed document by its root (and UBL's CustomizationID)."""
    qname = etree.QName(root)
    ns, local = qname.namespace, qname.localname
    for signature, members in _FAMILIES:
        if not signature.matches(ns, local):
            continue
        declared = signature.version(root) if signature.version is not None else None
        for row in members:
            accepts = row.signature.accepts if row.signature is not None else None
            if accepts is None or accepts(declared or ""):
                why = row.signature.not_invoice if row.signature is not None else None
                return Detected(row.id, declared, why.format(root=local) if why else None)
        return Detected(UNKNOWN, declared)
    plain = {
        **_FALLBACKS,
        **{fmt: (s.root, s.namespace or None) for fmt, s in (extra or {}).items()},
    }
    for fmt, (plain_root, plain_ns) in plain.items():
        if plain_root == local and plain_ns == ns:
            return Detected(fmt)
    return Detected(UNKNOWN)
