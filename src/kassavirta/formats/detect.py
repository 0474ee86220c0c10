"""Which kind of document is this? (SPEC §1)

A detection is a predicate on the root element and a few children, nothing
more: it must be cheap, because it runs on every file of a batch, and honest:
UBL documents are told apart by `cbc:CustomizationID`, never by namespace alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from kassavirta.config.settings import Signature

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
PEPPOL_BIS3 = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
OIOXML_PREFIX = "http://rep.oio.dk/ubl/xml/schemas/0p71/"
FACTURAE_PREFIX = "http://www.facturae.es/Facturae/"
VISMA_NAMESPACES = (
    "http://www.vismasoftware.com/EDI/Schemas/Invoice53",
    "http://www.vismasoftware.com/EDI/Schemas/Invoice60",
)
SVEFAKTURA_NAMESPACES = (
    "urn:sfti:documents:BasicInvoice:1:0",
    "urn:sfti:documents:ObjectEnvelope:1:0",
)
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NOTIFICATION_ROOTS = ("FinvoiceReceiverInfo", "FinvoiceSenderInfo", "ReceiverProposal")

FORMAT_NAMES: dict[str, str] = {
    "finvoice-1.3": "Finvoice 1.3 (and 1.0–1.2)",
    "finvoice-2.0": "Finvoice 2.0",
    "finvoice-2.01": "Finvoice 2.01",
    "finvoice-3.0": "Finvoice 3.0",
    "teappsxml": "TEAPPSXML",
    "peppol-bis-3": "Peppol BIS Billing 3.0",
    "cii": "UN/CEFACT Cross Industry Invoice",
    "ubl": "UBL 2.x (not Peppol BIS 3.0)",
    "oioxml": "OIOXML",
    "facturae": "Facturae",
    "woodx": "WoodX",
    "bgc": "BGC",
    "axflow": "Axflow",
    "px": "PX",
    "visma-xml": "Visma XML",
    "svefaktura": "Svefaktura",
    "e2b": "E2B",
    "unknown": "unknown XML",
}

DEFAULT_SIGNATURES: dict[str, Signature] = {
    # E2B invoices are an `Interchange` with an `InterchangeHeader`; no namespace.
    "e2b": Signature(root="Interchange"),
}
"""Formats recognised by a plain root name; users add WoodX, BGC, Axflow and PX here."""


@dataclass(frozen=True)
class Detected:
    """The format id, the version the document declares, and why it is not an invoice."""

    format: str
    version: str | None = None
    not_invoice: str | None = None

    @property
    def name(self) -> str:
        return FORMAT_NAMES.get(self.format, self.format)


def _finvoice_format(version: str | None) -> str | None:
    if version is None:
        return None
    v = version.strip()
    if v in {"1.0", "1.1", "1.2", "1.3"}:
        return "finvoice-1.3"
    if v in {"2.0", "2.01", "3.0"}:
        return f"finvoice-{v}"
    return None


def _customization(root: etree._Element) -> str:
    found = root.find(f"{{{UBL_CBC}}}CustomizationID")
    return (found.text or "").strip() if found is not None else ""


def detect(root: etree._Element, extra: Mapping[str, Signature] | None = None) -> Detected:
    """Classify a parsed document by its root (and UBL's CustomizationID)."""
    qname = etree.QName(root)
    ns, local = qname.namespace, qname.localname
    if ns is None and local == "Finvoice":
        version = root.get("Version")
        fmt = _finvoice_format(version)
        return Detected(fmt or "unknown", version)
    if ns is None and local in NOTIFICATION_ROOTS:
        return Detected("finvoice-notification", root.get("Version"), not_invoice=local)
    if ns == SOAP_ENV and local == "Envelope":
        return Detected(
            "soap-frame", None, not_invoice="a transmission frame with no invoice after it"
        )
    if ns is None and local == "INVOICE_CENTER":
        return Detected("teappsxml")
    if ns in (UBL_INVOICE, UBL_CREDIT_NOTE) and local in ("Invoice", "CreditNote"):
        customization = _customization(root)
        fmt = "peppol-bis-3" if PEPPOL_BIS3 in customization else "ubl"
        return Detected(fmt, customization or None)
    if ns == CII and local == "CrossIndustryInvoice":
        return Detected("cii")
    if ns and ns.startswith(OIOXML_PREFIX):
        return Detected("oioxml", "0.7")
    if ns and ns.startswith(FACTURAE_PREFIX):
        return Detected("facturae", ns.rstrip("/").split("/")[-2] if ns.count("/") > 4 else None)
    if ns in VISMA_NAMESPACES:
        return Detected("visma-xml", ns.rsplit("Invoice", 1)[-1])
    if ns in SVEFAKTURA_NAMESPACES:
        return Detected("svefaktura", "1.0")
    signatures = {**DEFAULT_SIGNATURES, **(extra or {})}
    for fmt, signature in signatures.items():
        if signature.root == local and (signature.namespace or None) == ns:
            return Detected(fmt)
    return Detected("unknown")
