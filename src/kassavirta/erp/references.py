"""Service reference numbers ↔ assignments ↔ the company's own invoices.

The service gives every invoice it routes a new reference number, so what a
consumer quotes when they start e-invoicing (an RI message), or what a payer
writes on a payment, is a reference the ERP has never issued. The assignment
carries it in `reference_ids` (type `number`) beside the original invoice's
number and id (`invoice_id`), and the ledger filled by `ledger import` holds
them all; this module maps one to the other, both ways.

The original reference the ERP printed is not part of the service's
assignment. An ERP that keeps it can add it to the assignment JSON as one more
`reference_ids` entry of type `original_number` (**Decision**: our name), and
`original_references` reads it from the invoices as they were sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from kassavirta.erp.xmlpath import descend, local_name, text_at
from kassavirta.errors import InputError, SettingsError
from kassavirta.pipeline.read import read_bytes, read_file

if TYPE_CHECKING:
    from kassavirta.erp.assignments import Assignment
    from kassavirta.erp.ledger import Ledger

__all__ = [
    "ORIGINAL",
    "SERVICE",
    "Mapping",
    "ReceiverInfo",
    "lookup",
    "original_references",
    "read_receiver_info",
    "reference_key",
    "reference_of",
    "reverse_lookup",
]

SERVICE = "number"
"""The `reference_ids` type of the service's reference (the guide's name)."""
ORIGINAL = "original_number"
"""The `reference_ids` type under which an ERP may keep its own reference (our name)."""


def reference_key(value: str) -> str:
    """A reference as compared: no whitespace, upper case, no leading zeros.

    >>> reference_key(' 00356 24110 3452 ') == reference_key('356241103452')
    True
    """
    return "".join(value.split()).upper().lstrip("0")


def reference_of(assignment: Assignment, kind: str = SERVICE) -> str | None:
    """The assignment's `reference_ids` value of type `kind`, if it has one."""
    for ref in assignment.reference_ids:
        if ref.type == kind:
            return ref.value
    return None


@dataclass(frozen=True)
class Mapping:
    """One assignment found for a looked-up value, and how it was found."""

    query: str
    via: str
    """`service reference`, `original reference`, `invoice number` or `invoice id`."""
    assignment: Assignment

    def as_dict(self) -> dict[str, Any]:
        a = self.assignment
        return {
            "query": self.query,
            "via": self.via,
            "assignment_id": a.id,
            "invoice_number": a.number,
            "issued_at": a.issued_at.isoformat(),
            "invoice_id": reference_of(a, "invoice_id"),
            "service_reference": reference_of(a, SERVICE),
            "original_reference": reference_of(a, ORIGINAL),
            "status": a.status,
            "debtor": a.debtor.name,
        }

    def describe(self) -> str:
        a = self.assignment
        parts = [f"invoice {a.number} dated {a.issued_at.isoformat()}"]
        invoice_id = reference_of(a, "invoice_id")
        if invoice_id:
            parts.append(f"invoice id {invoice_id}")
        service = reference_of(a, SERVICE)
        if service and self.via != "service reference":
            parts.append(f"service reference {service}")
        original = reference_of(a, ORIGINAL)
        if original and self.via != "original reference":
            parts.append(f"original reference {original}")
        parts.append(a.status)
        if a.debtor.name:
            parts.append(a.debtor.name)
        return f"assignment {a.id} ({', '.join(parts)}) by its {self.via}"


def lookup(ledger: Ledger, value: str) -> list[Mapping]:
    """The assignments a reference number names: the service's reference, else an original one."""
    found = [
        Mapping(value, "service reference", a) for a in ledger.by_reference(value, kind=SERVICE)
    ]
    if found:
        return found
    return [
        Mapping(value, "original reference", a) for a in ledger.by_reference(value, kind=ORIGINAL)
    ]


def reverse_lookup(ledger: Ledger, value: str) -> list[Mapping]:
    """The assignments for an original invoice: by its number, else by its id (the invoice uuid)."""
    found = [Mapping(value, "invoice number", a) for a in ledger.assignments(number=value)]
    if found:
        return found
    return [Mapping(value, "invoice id", a) for a in ledger.by_reference(value, kind="invoice_id")]


# --- RI messages -------------------------------------------------------------------------------


@dataclass
class Identifier:
    """A value of an RI message that may be a reference: where it was, its value and type."""

    field: str
    value: str
    type: str | None = None


@dataclass
class ReceiverInfo:
    """What a FinvoiceReceiverInfo message says about the consumer and what they quoted."""

    source: str
    action: str | None
    message_date: str | None
    seller_business_id: str | None
    payment_instruction_id: str | None
    buyer_name: str | None
    recipient_address: str | None
    recipient_bank: str | None
    language: str | None
    identifiers: list[Identifier] = field(default_factory=list)


def read_receiver_info(path: str | Path) -> list[ReceiverInfo]:
    """Every FinvoiceReceiverInfo message in a file (with or without frames), either schema family."""
    name = str(path)
    try:
        documents = read_bytes(read_file(name), path=name)
    except InputError as exc:
        raise SettingsError(f"cannot read the RI message: {exc.message}", path=name) from exc
    out: list[ReceiverInfo] = []
    for doc in documents:
        root = doc.part.root
        if local_name(root) != "FinvoiceReceiverInfo":
            if etree.QName(root).localname == "Envelope":
                continue
            raise SettingsError(
                f"not a FinvoiceReceiverInfo message (root element {local_name(root)})", path=name
            )
        recipient = descend(root, "InvoiceRecipientDetails")
        identifiers = [
            Identifier(
                "SellerInvoiceIdentifier",
                (e.text or "").strip(),
                e.get("SellerInvoiceIdentifierType"),
            )
            for e in (recipient if recipient is not None else [])
            if local_name(e) == "SellerInvoiceIdentifier" and (e.text or "").strip()
        ]
        epi = text_at(recipient, "EpiRemittanceIdentifier")
        if epi:
            identifiers.append(Identifier("EpiRemittanceIdentifier", epi))
        out.append(
            ReceiverInfo(
                source=name if len(documents) == 1 else f"{name}#{doc.index}",
                action=text_at(root, "MessageDetails", "MessageActionCode"),
                message_date=_iso(text_at(root, "MessageDetails", "MessageDate")),
                seller_business_id=text_at(root, "SellerPartyDetails", "SellerPartyIdentifier"),
                payment_instruction_id=text_at(
                    root, "SellerInvoiceDetails", "PaymentInstructionIdentifier"
                ),
                buyer_name=text_at(root, "BuyerPartyDetails", "BuyerOrganisationName"),
                recipient_address=text_at(recipient, "InvoiceRecipientAddress"),
                recipient_bank=text_at(recipient, "InvoiceRecipientIntermediatorAddress"),
                language=text_at(recipient, "InvoiceRecipientLanguageCode"),
                identifiers=identifiers,
            )
        )
    return out


def _iso(value: str | None) -> str | None:
    if value and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


# --- original references from the invoices -----------------------------------------------------


def original_references(paths: Iterable[str | Path]) -> Iterator[tuple[str, date, str, str]]:
    """`(invoice number, invoice date, reference, file)` of every invoice that carries a reference.

    Read with the check's own format adapters, so any format the toolkit reads
    works; files that are not invoices, or that cannot be read, are skipped.
    """
    from kassavirta.formats import adapter_for, detect
    from kassavirta.pipeline.walk import iter_inputs

    for path in iter_inputs(paths):
        try:
            documents = read_bytes(read_file(path), path=str(path))
        except InputError:
            continue
        for doc in documents:
            found = detect(doc.part.root)
            adapt = adapter_for(found.format) if not found.not_invoice else None
            if adapt is None:
                continue
            try:
                invoice = adapt(doc)
            except (InputError, ValueError):
                continue
            ref = invoice.payment.reference
            if invoice.number and invoice.issue_date and ref:
                yield invoice.number, invoice.issue_date, ref, str(path)
