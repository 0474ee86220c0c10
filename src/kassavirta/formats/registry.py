"""Every format the toolkit knows, one row each (SPEC §1).

A row says how `detect` recognises the format, whether the service takes it by
default, which XSDs validate it, and which modules of its folder under
`kassavirta/formats/` read, rewrite and write it. Detection, the adapter and
rewriter look-ups, the settings' `format_support` defaults and the schema store
all read these rows; no other module lists format ids.

Adding a format is one folder (`formats/<name>/` with `paths.py`, `read.py` and,
when the service rewrites it, `rewrite.py`) and one row here; see docs/formats.md.
The modules are named, not imported: a batch of Finvoice files never loads the
Peppol or CII code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from kassavirta.formats.cii import paths as cii
from kassavirta.formats.finvoice import paths as finvoice
from kassavirta.formats.liinos import paths as liinos
from kassavirta.formats.maventa_xml import paths as maventa_xml
from kassavirta.formats.peppol import paths as peppol
from kassavirta.formats.s_edi import paths as s_edi
from kassavirta.formats.teappsxml import paths as teappsxml
from kassavirta.formats.visma_xml import paths as visma
from kassavirta.lazy import module_attribute
from kassavirta.pipeline.read import FRAME_NAMESPACES

if TYPE_CHECKING:
    from kassavirta.model import Invoice
    from kassavirta.pipeline.read import Document

Adapter = Callable[["Document"], "Invoice"]
"""A reader's `adapt(document)`: the document → the normalised invoice."""

Declared = Callable[[etree._Element], str | None]
"""What version a document declares, read from its root."""


def _attribute(name: str) -> Declared:
    return lambda root: root.get(name)


def _fixed(version: str) -> Declared:
    return lambda root: version


def _text_at(path: str) -> Declared:
    def declared(root: etree._Element) -> str | None:
        return (root.findtext(path) or "").strip() or None

    return declared


def _customization(root: etree._Element) -> str | None:
    found = root.find(peppol.CUSTOMIZATION_ID)
    return ((found.text or "").strip() if found is not None else "") or None


def _facturae_version(root: etree._Element) -> str | None:
    ns = etree.QName(root).namespace or ""
    return ns.rstrip("/").split("/")[-2] if ns.count("/") > 4 else None


def _s_edi_version(root: etree._Element) -> str | None:
    found = root.find(s_edi.VERSION)
    return s_edi.version_of(found.text or "") if found is not None else None


def _maventa_version(root: etree._Element) -> str | None:
    """The declared version of a MaventaXML root; None for any other root `invoice`."""
    if (root.get(maventa_xml.FORMAT_ATTRIBUTE) or "").strip() != maventa_xml.FORMAT_NAME:
        return None
    return maventa_xml.version_of(root)


def _one_of(*versions: str) -> Callable[[str], bool]:
    return lambda declared: declared.strip() in versions


def _contains(text: str) -> Callable[[str], bool]:
    return lambda declared: text in declared


@dataclass(frozen=True)
class Signature:
    """How `detect` recognises a document: its root's local name and namespace.

    Rows with the same roots and namespaces form a family (the Finvoice
    versions; Peppol BIS 3.0 and plain UBL): `accepts` picks the member by the
    declared version, and a document that no member accepts is `unknown`.
    """

    roots: tuple[str, ...] = ()
    """Local names of the root; empty for any."""
    namespaces: tuple[str | None, ...] = (None,)
    prefix: bool = False
    """The namespaces are prefixes of the root's namespace (a family of schema versions)."""
    version: Declared | None = None
    accepts: Callable[[str], bool] | None = None
    """Whether the declared version is this row's; None accepts any."""
    not_invoice: str | None = None
    """Why a document of this kind is not an invoice (`{root}` is its root's name)."""
    fallback: bool = False
    """Checked last, with the user's own signatures, which may replace it (settings' `detection`)."""

    def matches(self, namespace: str | None, local: str) -> bool:
        if self.roots and local not in self.roots:
            return False
        if self.prefix:
            return any(namespace and namespace.startswith(p or "") for p in self.namespaces)
        return namespace in self.namespaces

    @property
    def family(self) -> tuple[tuple[str, ...], tuple[str | None, ...], bool]:
        return (self.roots, self.namespaces, self.prefix)


@dataclass(frozen=True)
class Format:
    """One format: what it is called, how it is recognised, and who handles it."""

    id: str
    name: str | None
    """How reports name it; None for pseudo formats, which are named by their id."""
    signature: Signature | None = None
    supported: bool | None = None
    """The service's default (SPEC §1); None: not in the `format_support` table at all."""
    schemas: tuple[str, ...] = ()
    """XSD file names, in order of preference."""
    root_schemas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Root local name → XSD file names, for documents whose root needs another schema."""
    version_schemas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Declared version (the signature's `version`) → XSD file names. A document declaring
    one of these versions is validated with that version's schema only, never another
    version's; `schemas` then serve the versions not listed."""
    standalone_schema: bool = False
    """The XSD imports no neighbours: `schemas add` installs it at the top of the folder.
    Other distributions (UBL, CII) import theirs by relative path and keep their layout."""
    folder: str | None = None
    """The package under `kassavirta.formats` that holds the modules below and `paths.py`."""
    read: str | None = None
    rewrite: str | None = None
    write: str | None = None
    """Module names within `folder`; None where there is none (an unadapted format)."""

    @property
    def schema_names(self) -> tuple[str, ...]:
        """Every XSD file name the row names, for whatever root or version."""
        variants = (*self.root_schemas.values(), *self.version_schemas.values())
        return (*self.schemas, *(name for names in variants for name in names))


def _finvoice(format_id: str, name: str, *versions: str) -> Format:
    return Format(
        format_id,
        name,
        Signature(
            (finvoice.ROOT,), version=_attribute(finvoice.VERSION), accepts=_one_of(*versions)
        ),
        supported=True,
        schemas=(f"Finvoice{format_id.removeprefix('finvoice-')}.xsd",),
        standalone_schema=True,
        folder="finvoice",
        read="read",
        rewrite="rewrite",
        write="write",
    )


UNKNOWN = "unknown"
"""What `detect` says of a document no signature matches (or a Finvoice of no known version)."""

_UBL = Signature(
    ("Invoice", "CreditNote", "ObjectEnvelope"),
    (
        peppol.UBL_INVOICE,
        peppol.UBL_CREDIT_NOTE,
        # UBL 1.0, and Svefaktura 1.0 (a UBL 1.0 customisation, with its transport envelope):
        # SPEC §1 counts every UBL 1.x/2.x document that is not Peppol BIS 3.0 as `ubl`.
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-1.0",
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-1.0",
        "urn:sfti:documents:BasicInvoice:1:0",
        "urn:sfti:documents:ObjectEnvelope:1:0",
    ),
    version=_customization,
)
"""Every UBL document: one family, so that what is not Peppol BIS 3.0 falls to `ubl`.

Only a UBL 2.x `cbc:CustomizationID` can name Peppol BIS 3.0; UBL 1.0 and Svefaktura
documents carry none in that namespace and are always `ubl`.
"""

FORMATS: tuple[Format, ...] = (
    _finvoice("finvoice-1.3", "Finvoice 1.3 (and 1.0–1.2)", "1.0", "1.1", "1.2", "1.3"),
    _finvoice("finvoice-2.0", "Finvoice 2.0", "2.0"),
    _finvoice("finvoice-2.01", "Finvoice 2.01", "2.01"),
    _finvoice("finvoice-3.0", "Finvoice 3.0", "3.0"),
    Format(
        "peppol-bis-3",
        "Peppol BIS Billing 3.0",
        Signature(
            _UBL.roots, _UBL.namespaces, version=_UBL.version, accepts=_contains(peppol.PEPPOL_BIS3)
        ),
        supported=True,
        # The OASIS UBL 2.1 distribution keeps these in xsd/maindoc/, importing ../common/.
        schemas=("UBL-Invoice-2.1.xsd",),
        root_schemas={"CreditNote": ("UBL-CreditNote-2.1.xsd",)},
        folder="peppol",
        read="read",
        rewrite="rewrite",
    ),
    Format(
        "cii",
        "UN/CEFACT Cross Industry Invoice",
        Signature(("CrossIndustryInvoice",), (cii.CII,)),
        supported=True,
        schemas=("CrossIndustryInvoice_100pD16B.xsd",),
        folder="cii",
        read="read",
        rewrite="rewrite",
    ),
    Format(
        "teappsxml",
        "TEAPPSXML",
        Signature((teappsxml.ROOT,), version=_text_at(teappsxml.FORMAT_VERSION)),
        supported=True,
        # TietoEVRY's file names (as phive-rules ships them). Neither includes or imports
        # anything. A version with no schema of its own here: the user's TEAPPSXML.xsd.
        schemas=("TEAPPSXML.xsd",),
        version_schemas={
            "2.7.2": ("TEAPPSXMLv272_schema_INVOICES.xsd",),
            "3.0": ("teappsxmlv30_schema_invoices_0.xsd",),
        },
        standalone_schema=True,
        folder="teappsxml",
        read="read",
        rewrite="rewrite",
    ),
    Format("ubl", "UBL (not Peppol BIS 3.0)", _UBL, supported=False),
    Format(
        "oioxml",
        "OIOXML",
        Signature(
            namespaces=("http://rep.oio.dk/ubl/xml/schemas/0p71/",),
            prefix=True,
            version=_fixed("0.7"),
        ),
        supported=False,
    ),
    Format(
        "facturae",
        "Facturae",
        Signature(
            namespaces=("http://www.facturae.es/Facturae/",), prefix=True, version=_facturae_version
        ),
        supported=False,
    ),
    # Recognised by a plain root name, which the user gives in the settings' `detection`.
    Format("woodx", "WoodX", supported=False),
    Format("bgc", "BGC", supported=False),
    Format("axflow", "Axflow", supported=False),
    Format("px", "PX", supported=False),
    Format(
        "liinos",
        "Liinos XML",
        Signature((liinos.ROOT,)),
        supported=True,
        folder="liinos",
        read="read",
        rewrite="rewrite",
        write="write",
    ),
    *(
        Format(
            visma.FORMAT_IDS[version],
            f"Visma XML {version}",
            Signature(
                (visma.ROOT,),
                (visma.NAMESPACES[version],),
                version=_attribute(visma.VERSION_ATTRIBUTE),
            ),
            supported=True,
            schemas=(visma.SCHEMAS[version],),
            folder="visma_xml",
            read="read",
            rewrite="rewrite",
            write="write",
        )
        for version in visma.VERSIONS
    ),
    Format(
        "s-edi-3.0",
        "S-EDI 3.0",
        Signature((s_edi.ROOT,), version=_s_edi_version, accepts=_one_of("3.0")),
        supported=True,
        folder="s_edi",
        read="read",
        rewrite="rewrite",
        write="write",
    ),
    Format(
        "maventa-xml-1.0",
        "MaventaXML 1.0",
        # Any version the root declares: SPEC §1 recognises MaventaXML by its format attribute.
        Signature((maventa_xml.ROOT,), version=_maventa_version, accepts=bool),
        supported=True,
        folder="maventa_xml",
        read="read",
        rewrite="rewrite",
        write="write",
    ),
    # E2B invoices are an `Interchange` with an `InterchangeHeader`; no namespace.
    Format("e2b", "E2B", Signature(("Interchange",), fallback=True)),
    # Pseudo formats: what detection says about documents that are no invoice of a known format.
    Format(
        "finvoice-notification",
        None,
        Signature(
            finvoice.NOTIFICATION_ROOTS, version=_attribute(finvoice.VERSION), not_invoice="{root}"
        ),
    ),
    Format(
        "soap-frame",
        None,
        Signature(
            ("Envelope",),
            FRAME_NAMESPACES,
            not_invoice="a transmission frame with no invoice after it",
        ),
    ),
    Format(UNKNOWN, "unknown XML"),
)

BY_ID: dict[str, Format] = {f.id: f for f in FORMATS}

DEFAULT_FORMAT_SUPPORT: dict[str, bool] = {
    f.id: f.supported for f in FORMATS if f.supported is not None
}
"""Which formats the service takes (SPEC §1). The operator's list can change: a setting."""

SCHEMA_FILES: dict[str, tuple[str, ...]] = {
    key: names
    for f in FORMATS
    for key, names in (
        *(((f.id, f.schemas),) if f.schemas else ()),
        *((f"{f.id}/{root}", names) for root, names in f.root_schemas.items()),
        *((f"{f.id}@{version}", names) for version, names in f.version_schemas.items()),
    )
}
"""Format id → the file names its schema goes by, in order of preference.

A key `format/Root` names the schema for documents of that format whose root element
is `Root` (a UBL `CreditNote` needs the credit-note schema, not the invoice one); a key
`format@version` the schema for documents that declare that version (TEAPPSXML 2.7.2
and 3.0 each have their own).
"""


def schema_key(format_id: str, root: etree._Element) -> str:
    """The `SCHEMA_FILES` key of the XSD that validates a document of `format_id` with `root`.

    By root first, then by the version the document declares, else the format's own.
    A key that is no format id (a `format@version` key itself) stands for itself.
    """
    by_root = f"{format_id}/{etree.QName(root).localname}"
    if by_root in SCHEMA_FILES:
        return by_root
    row = BY_ID.get(format_id)
    signature = row.signature if row is not None else None
    if row is not None and row.version_schemas and signature and signature.version:
        declared = signature.version(root)
        if declared is not None and declared in row.version_schemas:
            return f"{format_id}@{declared}"
    return format_id


def name_of(format_id: str) -> str:
    row = BY_ID.get(format_id)
    return row.name if row is not None and row.name else format_id


def module_of(format_id: str, role: str, attribute: str) -> Any | None:
    """`attribute` of the format's `role` module (`read`, `rewrite`, `write`, `paths`), if any.

    Imported on demand; None when the format has no such module (yet).
    """
    row = BY_ID.get(format_id)
    if row is None or row.folder is None:
        return None
    module = role if role == "paths" else getattr(row, role)
    if module is None:
        return None
    return module_attribute(f"{__name__.rsplit('.', 1)[0]}.{row.folder}", module, attribute)


def adapter_for(format_id: str) -> Adapter | None:
    """The reader of `format_id` into the normalised model; None for an unadapted format."""
    adapter: Adapter | None = module_of(format_id, "read", "adapt")
    return adapter


def with_reader() -> list[str]:
    """The ids of every format that has a reader, in the registry's order."""
    return [f.id for f in FORMATS if f.read is not None]


__all__ = [
    "BY_ID",
    "DEFAULT_FORMAT_SUPPORT",
    "FORMATS",
    "SCHEMA_FILES",
    "UNKNOWN",
    "Adapter",
    "Format",
    "Signature",
    "adapter_for",
    "module_of",
    "name_of",
    "schema_key",
    "with_reader",
]
