"""The sender info, in terms common to both schema families, and the CHANGE message for one bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

__all__ = [
    "IDENTIFIER_TYPES",
    "SI_VERSIONS",
    "Account",
    "Address",
    "BankMessage",
    "Identifier",
    "InvoiceType",
    "SenderInfo",
]

SI_VERSIONS = ("2.0", "1.3")
"""Schema families: the SI message that goes with Finvoice 2.0 and with Finvoice 1.3."""

ROOT_VERSION = {"2.0": "2.0", "1.3": "1.0"}
"""The root `Version` attribute each family's schema allows (1.3's allows only "1.0")."""

IDENTIFIER_TYPES = {
    "01": "national reference number",
    "02": "RF creditor reference",
    "03": "Finnish personal identity code",
    "04": "business ID",
    "05": "phone number, national form",
    "06": "phone number, international form",
    "07": "identifier with IBAN check",
    "08": "other numeric identifier",
    "09": "other alphanumeric identifier",
    "99": "other identifier",
}
"""SellerInvoiceIdentifierType codes (the 2.0 schema's list)."""

REFERENCE_TYPES = frozenset({"01", "02"})
LANGUAGES = frozenset({"FI", "SV", "SE", "EN"})
HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass
class Account:
    """One `SellerAccountDetails`: the account, its BIC, and the New… pair of a change."""

    account: str
    bic: str | None = None
    scheme: str = "IBAN"
    new_account: str | None = None
    new_bic: str | None = None


@dataclass
class Identifier:
    """`SellerInvoiceIdentifierText`: what a consumer types in to name themselves."""

    text: str
    language: str = "FI"
    type: str | None = None
    min_length: str | None = None
    max_length: str | None = None
    spaces: str | None = None
    hyphens: str | None = None


@dataclass
class InvoiceType:
    """`SellerInvoiceTypeDetails`: one kind of invoice and its identifiers."""

    text: str
    language: str = "FI"
    identifiers: list[Identifier] = field(default_factory=list)


@dataclass
class Address:
    street: str
    town: str
    postcode: str
    country_code: str | None = None
    country_name: str | None = None
    po_box: str | None = None


@dataclass
class SenderInfo:
    """A FinvoiceSenderInfo message, in terms common to both schema families."""

    business_id: str
    names: list[tuple[str, list[str]]]
    """(LanguageCode, names) groups; the 1.3 family has one group without a language."""
    sender_address: str
    sender_bank: str
    """InvoiceSenderIntermediatorAddress: the BIC of the seller's own e-invoicing bank."""
    accounts: list[Account]
    payment_instruction_id: str
    invoice_types: list[InvoiceType]
    sender_info_id: str
    family: str = "2.0"
    message_type_text: str = "SENDERINFO"
    action: str = "ADD"
    action_identifier: str | None = None
    message_date: date | None = None
    bank_names: list[str] = field(default_factory=list)
    address: Address | None = None
    industry_code: str | None = None
    unit_number: str | None = None
    web_name: str | None = None
    web_address: str | None = None
    new_sender_address: str | None = None
    new_sender_bank: str | None = None
    direct_debit_id: str | None = None
    direct_payment_id: str | None = None
    free_texts: list[tuple[str, str | None]] = field(default_factory=list)
    service_code: str | None = None
    proposed_due_date_accepted: str | None = None
    proposed_invoice_period_accepted: str | None = None
    target_bank: str | None = None
    """The bank the message is for (the frame's receiving intermediator), when known."""
    source: str = "<sender info>"
    not_read: list[str] = field(default_factory=list)
    """Elements of the input that are not in the schema and so are not carried over."""


@dataclass
class BankMessage:
    """One CHANGE message for one bank, what it changes, and what stops it from being sent."""

    bank: str
    info: SenderInfo
    changes: list[str]
    kept: list[str]
    notes: list[str]
    problems: list[str]
    version: str

    @property
    def changed(self) -> bool:
        return any(not c.startswith("message:") for c in self.changes)

    @property
    def file_name(self) -> str:
        return f"senderinfo-change-{self.bank}.xml"
