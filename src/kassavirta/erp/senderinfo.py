"""FinvoiceSenderInfo (SI) CHANGE messages for Finnish consumer e-invoicing.

Once the service rewrites consumer e-invoices, they carry the service's IBAN
and a reference number the company never issued. Banks reject an e-invoice
whose IBAN is not in the seller's sender info, and some banks validate the
identifier a consumer types in when the SI message says it is a reference
number (SellerInvoiceIdentifierType 01 or 02). So before consumer invoices go
through the service, the company sends every bank it has an SI agreement
with a CHANGE message that adds the service's IBAN as one more seller
account and moves the identifier type to one that banks do not validate.

The company's current sender info is read from the SI files it sent before
(`parse_sender_info`) or described in a small seller file (`SellerFile`);
everything but the account list, the identifier type and the message
details is carried over. Messages are written for the schema family of
Finvoice 2.0 (root Version "2.0") or, on request, of Finvoice 1.3 (whose
schema only allows Version "1.0" and identifier types 01/02), each in the
SOAP/ebXML frame that tells the operator bank which bank it is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kassavirta.errors import SettingsError
from kassavirta.pipeline.read import SOAP_ENV, Document, read_bytes, read_file

__all__ = [
    "IDENTIFIER_TYPES",
    "SI_VERSIONS",
    "Account",
    "BankMessage",
    "Identifier",
    "InvoiceType",
    "SellerFile",
    "SenderInfo",
    "build_messages",
    "load_seller_file",
    "parse_sender_info",
    "read_sender_info_files",
    "serialise",
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
EB = "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"
XLINK = "http://www.w3.org/1999/xlink"
HELSINKI = ZoneInfo("Europe/Helsinki")


# --- the model ---------------------------------------------------------------------------------


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


# --- reading SI XML ----------------------------------------------------------------------------


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


def _need(value: str | None, what: str, source: str) -> str:
    if value is None:
        raise SettingsError(f"the sender info has no {what}", path=source)
    return value


_KNOWN = {
    "FinvoiceSenderInfo": {
        "MessageDetails",
        "SellerPartyDetails",
        "SellerOrganisationUnitNumber",
        "InvoiceSenderInformationDetails",
        "SellerAccountDetails",
        "SellerInvoiceDetails",
        "ProposedDueDateAccepted",
        "ProposedInvoicePeriodAccepted",
    },
    "SellerPartyDetails": {
        "SellerPartyIdentifier",
        "SellerOrganisationNames",
        "SellerOrganisationName",
        "SellerOrganisationBankName",
        "SellerPostalAddressDetails",
        "IndustryCode",
    },
    "SellerInvoiceDetails": {
        "SellerDirectDebitIdentifier",
        "SellerDirectPaymentIdentifier",
        "PaymentInstructionIdentifier",
        "SellerInstructionFreeText",
        "SellerInvoiceTypeDetails",
        "SellerServiceCode",
    },
}


def _unknown(el: etree._Element | None) -> list[str]:
    if el is None:
        return []
    known = _KNOWN.get(local_name(el), set())
    return [
        f"{local_name(el)}/{local_name(c)}"
        for c in el
        if isinstance(c.tag, str) and local_name(c) not in known
    ]


def _frame_bank(frame: etree._Element | None) -> str | None:
    """The receiving intermediator of an ebXML frame: the bank the message went to."""
    if frame is None:
        return None
    for to in frame.iter(f"{{{EB}}}To"):
        role = text_at(to, "Role")
        party = text_at(to, "PartyId")
        if role == "Intermediator" and party:
            return party.upper()
    return None


def parse_sender_info(
    root: etree._Element, *, source: str = "<sender info>", frame: etree._Element | None = None
) -> SenderInfo:
    """The sender info in a FinvoiceSenderInfo document of either schema family."""
    if local_name(root) != "FinvoiceSenderInfo" or etree.QName(root).namespace:
        raise SettingsError(
            f"not a FinvoiceSenderInfo message (root element {etree.QName(root).localname})",
            path=source,
        )
    details = descend(root, "MessageDetails")
    party = descend(root, "SellerPartyDetails")
    sender = descend(root, "InvoiceSenderInformationDetails")
    invoice = descend(root, "SellerInvoiceDetails")
    grouped = children(party, "SellerOrganisationNames")
    family = "2.0" if root.get("Version") == "2.0" or grouped else "1.3"
    names: list[tuple[str, list[str]]] = []
    for group in grouped:
        texts = [(n.text or "").strip() for n in children(group, "SellerOrganisationName")]
        names.append(((group.get("LanguageCode") or "FI").upper(), [t for t in texts if t]))
    plain = [(n.text or "").strip() for n in children(party, "SellerOrganisationName")]
    if plain:
        names.append(("FI", [t for t in plain if t]))
    if not any(group for _, group in names):
        raise SettingsError("the sender info has no SellerOrganisationName", path=source)
    postal = descend(party, "SellerPostalAddressDetails")
    address = None
    if postal is not None:
        address = Address(
            street=text_at(postal, "SellerStreetName") or "",
            town=text_at(postal, "SellerTownName") or "",
            postcode=text_at(postal, "SellerPostCodeIdentifier") or "",
            country_code=text_at(postal, "CountryCode"),
            country_name=text_at(postal, "CountryName"),
            po_box=text_at(postal, "SellerPostOfficeBoxIdentifier"),
        )
    accounts: list[Account] = []
    for details_el in children(root, "SellerAccountDetails"):
        account_el = descend(details_el, "SellerAccountID")
        account = _need(text_at(details_el, "SellerAccountID"), "SellerAccountID", source)
        accounts.append(
            Account(
                account=account,
                bic=text_at(details_el, "SellerBic"),
                scheme=(
                    account_el.get("IdentificationSchemeName") if account_el is not None else None
                )
                or "IBAN",
                new_account=text_at(details_el, "NewSellerAccountID"),
                new_bic=text_at(details_el, "NewSellerBic"),
            )
        )
    types: list[InvoiceType] = []
    for type_el in children(invoice, "SellerInvoiceTypeDetails"):
        type_text = descend(type_el, "SellerInvoiceTypeText")
        identifiers = [
            Identifier(
                text=(i.text or "").strip(),
                language=(i.get("LanguageCode") or "FI").upper(),
                type=i.get("SellerInvoiceIdentifierType"),
                min_length=i.get("SellerInvoiceIdentifierMinLength"),
                max_length=i.get("SellerInvoiceIdentifierMaxLength"),
                spaces=i.get("SellerInvoiceIdentifierSpaces"),
                hyphens=i.get("SellerInvoiceIdentifierHyphens"),
            )
            for i in children(type_el, "SellerInvoiceIdentifierText")
        ]
        types.append(
            InvoiceType(
                text=(type_text.text or "").strip() if type_text is not None else "",
                language=(
                    (type_text.get("LanguageCode") if type_text is not None else None) or "FI"
                ).upper(),
                identifiers=identifiers,
            )
        )
    date_text = text_at(details, "MessageDate")
    try:
        message_date = datetime.strptime(date_text, "%Y%m%d").date() if date_text else None
    except ValueError:
        message_date = None
    return SenderInfo(
        family=family,
        message_type_text=text_at(details, "MessageTypeText") or "SENDERINFO",
        action=text_at(details, "MessageActionCode") or "ADD",
        action_identifier=text_at(details, "MessageActionCodeIdentifier"),
        message_date=message_date,
        sender_info_id=_need(
            text_at(details, "SenderInfoIdentifier"), "SenderInfoIdentifier", source
        ),
        business_id=_need(text_at(party, "SellerPartyIdentifier"), "SellerPartyIdentifier", source),
        names=[(lang, group) for lang, group in names if group],
        bank_names=[(b.text or "").strip() for b in children(party, "SellerOrganisationBankName")],
        address=address,
        industry_code=text_at(party, "IndustryCode"),
        unit_number=text_at(root, "SellerOrganisationUnitNumber"),
        web_name=text_at(sender, "SellerWebaddressNameText"),
        web_address=text_at(sender, "SellerWebaddressText"),
        sender_address=text_at(sender, "InvoiceSenderAddress") or "",
        sender_bank=_need(
            text_at(sender, "InvoiceSenderIntermediatorAddress"),
            "InvoiceSenderIntermediatorAddress",
            source,
        ),
        new_sender_address=text_at(sender, "NewInvoiceSenderAddress"),
        new_sender_bank=text_at(sender, "NewInvoiceSenderIntermediatorAddress"),
        accounts=accounts,
        direct_debit_id=text_at(invoice, "SellerDirectDebitIdentifier"),
        direct_payment_id=text_at(invoice, "SellerDirectPaymentIdentifier"),
        payment_instruction_id=text_at(invoice, "PaymentInstructionIdentifier") or "",
        free_texts=[
            ((t.text or "").strip(), t.get("LanguageCode"))
            for t in children(invoice, "SellerInstructionFreeText")
        ],
        invoice_types=types,
        service_code=text_at(invoice, "SellerServiceCode"),
        proposed_due_date_accepted=text_at(root, "ProposedDueDateAccepted"),
        proposed_invoice_period_accepted=text_at(root, "ProposedInvoicePeriodAccepted"),
        target_bank=_frame_bank(frame),
        source=source,
        not_read=_unknown(root) + _unknown(party) + _unknown(invoice),
    )


def read_sender_info_files(paths: Iterable[str | Path]) -> list[SenderInfo]:
    """Every SI message in the files (a file may hold frame + message pairs), in file order."""
    out: list[SenderInfo] = []
    for path in paths:
        name = str(path)
        from kassavirta.errors import ReadError

        try:
            documents: list[Document] = read_bytes(read_file(name), path=name)
        except ReadError as exc:
            raise SettingsError(f"cannot read the SI message: {exc}", path=name) from exc
        for doc in documents:
            if doc.part.root.tag == f"{{{SOAP_ENV}}}Envelope":
                continue
            frame = doc.frame.root if doc.frame is not None else None
            label = name if len(documents) == 1 else f"{name}#{doc.index}"
            out.append(parse_sender_info(doc.part.root, source=label, frame=frame))
    return out


# --- the seller file ---------------------------------------------------------------------------


class _AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iban: str
    bic: str | None = None


class _IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: str = "FI"
    type: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    spaces: bool | None = None
    hyphens: bool | None = None


class _InvoiceTypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: str = "FI"
    identifiers: list[_IdentifierIn] = Field(min_length=1, max_length=2)


class _AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str
    town: str
    postcode: str
    country_code: str | None = "FI"
    country_name: str | None = None
    po_box: str | None = None


class _FreeTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: str | None = None


class SellerFile(BaseModel):
    """The company's sender info when it has no SI file at hand (`si-change --seller FILE`).

    Keys are named after what they mean, not after the XML; every optional
    one maps to an optional element of the message.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    """The seller's name, in Finnish (FI); `names` gives names per language instead."""
    names: dict[str, list[str]] = Field(default_factory=dict)
    business_id: str
    bank_names: list[str] = Field(default_factory=list, max_length=2)
    address: _AddressIn | None = None
    industry_code: str | None = None
    unit_number: str | None = None
    """SellerOrganisationUnitNumber, e.g. the company's OVT code."""
    web_name: str | None = None
    web_address: str | None = None
    sender_address: str | None = None
    """InvoiceSenderAddress, the company's e-invoice address (default: the first account)."""
    sender_bank: str | None = None
    """The BIC of the company's own e-invoicing bank (default: the first account's BIC)."""
    accounts: list[_AccountIn] = Field(min_length=1)
    sender_info_id: str | None = None
    """SenderInfoIdentifier (default: the business ID without hyphen)."""
    payment_instruction_id: str
    direct_debit_id: str | None = None
    free_texts: list[_FreeTextIn] = Field(default_factory=list, max_length=3)
    invoice_types: list[_InvoiceTypeIn] = Field(min_length=1, max_length=3)
    service_code: Literal["00", "01", "02"] = "00"
    proposed_due_date_accepted: bool | None = None
    proposed_invoice_period_accepted: bool | None = None

    @field_validator("names")
    @classmethod
    def _languages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        out = {k.upper(): v for k, v in value.items()}
        wrong = sorted(set(out) - LANGUAGES)
        if wrong:
            raise ValueError(f"language codes must be FI, SV, SE or EN (got {', '.join(wrong)})")
        return out


def _bic_of(iban: str) -> str | None:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return None
    return str(bic) if bic else None


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("YES" if value else "NO")


def _str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_seller_file(path: str | Path) -> SenderInfo:
    """A `SellerFile` (JSON or TOML) as the sender info it describes."""
    from kassavirta.config.settings import load_mapping

    p = Path(path)
    data = load_mapping(p)
    try:
        seller = SellerFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        msg = "missing (required)" if err["msg"] == "Field required" else err["msg"]
        raise SettingsError(msg, path=str(p), key=key) from exc
    names = dict(seller.names)
    if seller.name:
        names.setdefault("FI", [seller.name])
    if not names:
        raise SettingsError("give the seller's name (name, or names per language)", path=str(p))
    accounts = [
        Account(account=_compact(a.iban), bic=(a.bic or _bic_of(a.iban) or None))
        for a in seller.accounts
    ]
    sender_bank = seller.sender_bank or accounts[0].bic
    if not sender_bank:
        raise SettingsError(
            "sender_bank is needed: the BIC of the bank that sends your e-invoices", path=str(p)
        )
    a = seller.address
    return SenderInfo(
        business_id=seller.business_id,
        names=list(names.items()),
        bank_names=seller.bank_names,
        address=Address(a.street, a.town, a.postcode, a.country_code, a.country_name, a.po_box)
        if a
        else None,
        industry_code=seller.industry_code,
        unit_number=seller.unit_number,
        web_name=seller.web_name,
        web_address=seller.web_address,
        sender_address=seller.sender_address or accounts[0].account,
        sender_bank=sender_bank.upper(),
        accounts=accounts,
        sender_info_id=seller.sender_info_id or seller.business_id.replace("-", ""),
        payment_instruction_id=seller.payment_instruction_id,
        direct_debit_id=seller.direct_debit_id,
        free_texts=[(t.text, t.language) for t in seller.free_texts],
        invoice_types=[
            InvoiceType(
                text=t.text,
                language=t.language.upper(),
                identifiers=[
                    Identifier(
                        text=i.text,
                        language=i.language.upper(),
                        type=i.type,
                        min_length=_str(i.min_length),
                        max_length=_str(i.max_length),
                        spaces=_str(i.spaces),
                        hyphens=_str(i.hyphens),
                    )
                    for i in t.identifiers
                ],
            )
            for t in seller.invoice_types
        ],
        service_code=seller.service_code,
        proposed_due_date_accepted=_yes_no(seller.proposed_due_date_accepted),
        proposed_invoice_period_accepted=_yes_no(seller.proposed_invoice_period_accepted),
        source=str(p),
    )


# --- the change --------------------------------------------------------------------------------


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


def bank_label(bic: str) -> str:
    """`NDEAFIHH (Nordea Bank Finland Plc)` where schwifty knows the bank."""
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        names = BIC(bic).bank_names
    except SchwiftyException:
        names = []
    if not names:
        return bic
    # Title case reads better than the registry's capitals, but "OP" is a name, not a word.
    words = [w if len(w) <= 2 else w.title() for w in names[0].split()]
    return f"{bic} ({' '.join(words)})"


def _pretty_iban(value: str) -> str:
    compact = _compact(value)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _carried(info: SenderInfo) -> list[str]:
    kept = ["seller name", "business ID", "e-invoice address and bank"]
    if info.address:
        kept.append("postal address")
    kept.append("PaymentInstructionIdentifier " + (info.payment_instruction_id or "(empty)"))
    kept.append(f"{len(info.invoice_types)} invoice type(s)")
    if info.free_texts:
        kept.append("instruction texts")
    if info.web_address or info.web_name:
        kept.append("web address")
    return kept


def change_for_bank(
    info: SenderInfo,
    bank: str,
    *,
    service_iban: str,
    service_bic: str,
    identifier_type: str,
    today: date,
    version: str,
) -> BankMessage:
    """The CHANGE message for `bank`: the service's account added, reference types replaced."""
    new = replace(
        info,
        accounts=[replace(a) for a in info.accounts],
        invoice_types=[
            replace(t, identifiers=[replace(i) for i in t.identifiers]) for t in info.invoice_types
        ],
        target_bank=bank,
    )
    changes: list[str] = []
    notes: list[str] = []
    problems: list[str] = []
    service = _compact(service_iban)
    listed = [_compact(a.account) for a in new.accounts] + [
        _compact(a.new_account) for a in new.accounts if a.new_account
    ]
    existing = ", ".join(
        _pretty_iban(a.account) + (f" ({a.bic})" if a.bic else "") for a in new.accounts
    )
    if service in listed:
        notes.append(f"the service's account {_pretty_iban(service)} is already a seller account")
    else:
        new.accounts.append(Account(account=service, bic=service_bic))
        changes.append(
            f"adds the service's account {_pretty_iban(service)} ({service_bic}) as a seller "
            f"account beside {existing or 'no other account'}"
        )
    for t in new.invoice_types:
        for ident in t.identifiers:
            if ident.type not in REFERENCE_TYPES:
                continue
            old = ident.type
            if version == "1.3":
                ident.type = None
                changes.append(
                    f'identifier "{ident.text}": type {old} ({IDENTIFIER_TYPES[old]}) removed; '
                    "the 1.3 schema knows only the reference types 01 and 02, and without a "
                    "type banks do not validate it as a reference"
                )
            else:
                ident.type = identifier_type
                changes.append(
                    f'identifier "{ident.text}": type {old} ({IDENTIFIER_TYPES[old]}) → '
                    f"{identifier_type} ({IDENTIFIER_TYPES[identifier_type]})"
                )
    if info.action != "CHANGE":
        changes.append(f"message: action {info.action} → CHANGE")
    new.action = "CHANGE"
    new.message_date = today
    changes.append(f"message: dated {today.isoformat()}")
    if info.family != version:
        notes.append(f"converted from the {info.family} schema family to {version}")
    notes.extend(f"not carried over (not in the schema): {n}" for n in info.not_read)
    _fit(new, version, notes, problems)
    return BankMessage(
        bank=bank,
        info=new,
        changes=changes,
        kept=_carried(new),
        notes=notes,
        problems=problems,
        version=version,
    )


def _fit(info: SenderInfo, version: str, notes: list[str], problems: list[str]) -> None:
    """What the target family cannot carry: dropped with a note, or a problem that stops it."""
    if version == "1.3":
        if len(info.names) > 1:
            notes.append(
                "1.3 has one set of names without a language: kept "
                f"{info.names[0][0]}, dropped {', '.join(lang for lang, _ in info.names[1:])}"
            )
        for name in info.names[0][1]:
            if len(name) > 35:
                problems.append(f'the name "{name}" is longer than the 35 characters 1.3 allows')
        for label, value in (
            ("IndustryCode", info.industry_code),
            ("MessageActionCodeIdentifier", info.action_identifier),
            ("SellerServiceCode", info.service_code),
        ):
            if value:
                notes.append(f"{label} {value} dropped: the 1.3 schema has no such element")
        for text, _ in info.free_texts:
            if len(text) > 140:
                problems.append("an instruction text is longer than the 140 characters 1.3 allows")
        if info.bank_names:
            notes.append("SellerOrganisationBankName dropped: the 1.3 schema has no such element")
        for t in info.invoice_types:
            for i in t.identifiers:
                if i.type is not None and i.type not in REFERENCE_TYPES:
                    notes.append(
                        f'identifier "{i.text}": type {i.type} dropped (1.3 knows only 01 and 02)'
                    )
                    i.type = None
                if i.min_length or i.max_length or i.spaces or i.hyphens:
                    notes.append(
                        f'identifier "{i.text}": length/space/hyphen rules dropped (not in 1.3)'
                    )
        return
    if info.direct_payment_id:
        notes.append("SellerDirectPaymentIdentifier dropped: the 2.0 schema has no such element")
    if info.service_code is None:
        info.service_code = "00"
        notes.append("SellerServiceCode set to 00 (the input had none; check it with your bank)")
    for a in info.accounts:
        if a.scheme != "IBAN":
            problems.append(f"account {a.account} is a {a.scheme}: 2.0 takes IBANs only")
        if not a.bic:
            a.bic = _bic_of(a.account)
            if a.bic:
                notes.append(
                    f"BIC {a.bic} of account {_pretty_iban(a.account)} taken from the IBAN"
                )
            else:
                problems.append(f"account {a.account} has no BIC, which 2.0 requires")
    for t in info.invoice_types:
        if not t.text:
            problems.append("an invoice type has no SellerInvoiceTypeText, which 2.0 requires")
        for i in t.identifiers:
            if len(i.text) < 4:
                problems.append(
                    f'identifier text "{i.text}" is shorter than the 4 characters 2.0 requires'
                )


# --- writing -----------------------------------------------------------------------------------


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str | None
) -> etree._Element:
    el = etree.SubElement(parent, name, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _opt(parent: etree._Element, name: str, text: str | None, **attrs: str | None) -> None:
    if text is not None:
        _sub(parent, name, text, **attrs)


def message_element(info: SenderInfo, version: str) -> etree._Element:
    """The FinvoiceSenderInfo element, in the element order of the family's XSD."""
    v2 = version == "2.0"
    root = etree.Element("FinvoiceSenderInfo", Version=ROOT_VERSION[version])
    md = _sub(root, "MessageDetails")
    _sub(md, "MessageTypeCode", "SENDERINFO")
    _sub(md, "MessageTypeText", info.message_type_text)
    _sub(md, "MessageActionCode", info.action)
    if v2:
        _opt(md, "MessageActionCodeIdentifier", info.action_identifier)
    day = info.message_date or date.today()
    _sub(md, "MessageDate", day.strftime("%Y%m%d"), Format="CCYYMMDD")
    _sub(md, "SenderInfoIdentifier", info.sender_info_id)

    party = _sub(root, "SellerPartyDetails")
    _sub(party, "SellerPartyIdentifier", info.business_id)
    if v2:
        for lang, names in info.names[:3]:
            group = _sub(party, "SellerOrganisationNames", LanguageCode=lang)
            for name in names[:2]:
                _sub(group, "SellerOrganisationName", name)
    else:
        for name in info.names[0][1][:2]:
            _sub(party, "SellerOrganisationName", name)
    if v2:
        for bank_name in info.bank_names[:2]:
            _sub(party, "SellerOrganisationBankName", bank_name)
    if info.address is not None:
        a = info.address
        postal = _sub(party, "SellerPostalAddressDetails")
        _sub(postal, "SellerStreetName", a.street)
        _sub(postal, "SellerTownName", a.town)
        _sub(postal, "SellerPostCodeIdentifier", a.postcode)
        _opt(postal, "CountryCode", a.country_code)
        _opt(postal, "CountryName", a.country_name)
        _opt(postal, "SellerPostOfficeBoxIdentifier", a.po_box)
    if v2:
        _opt(party, "IndustryCode", info.industry_code)
    _opt(root, "SellerOrganisationUnitNumber", info.unit_number)

    sender = _sub(root, "InvoiceSenderInformationDetails")
    _opt(sender, "SellerWebaddressNameText", info.web_name)
    _opt(sender, "SellerWebaddressText", info.web_address)
    _sub(sender, "InvoiceSenderAddress", info.sender_address)
    _sub(sender, "InvoiceSenderIntermediatorAddress", info.sender_bank)
    _opt(sender, "NewInvoiceSenderAddress", info.new_sender_address)
    _opt(sender, "NewInvoiceSenderIntermediatorAddress", info.new_sender_bank)

    for account in info.accounts:
        details = _sub(root, "SellerAccountDetails")
        _sub(details, "SellerAccountID", account.account, IdentificationSchemeName=account.scheme)
        if account.bic:
            _sub(details, "SellerBic", account.bic, IdentificationSchemeName="BIC")
        if account.new_account:
            _sub(
                details, "NewSellerAccountID", account.new_account, IdentificationSchemeName="IBAN"
            )
        if account.new_bic:
            _sub(details, "NewSellerBic", account.new_bic, IdentificationSchemeName="BIC")

    inv = _sub(root, "SellerInvoiceDetails")
    _opt(inv, "SellerDirectDebitIdentifier", info.direct_debit_id)
    if not v2:
        _opt(inv, "SellerDirectPaymentIdentifier", info.direct_payment_id)
    _sub(inv, "PaymentInstructionIdentifier", info.payment_instruction_id)
    for text, text_lang in info.free_texts[:3]:
        _sub(
            inv,
            "SellerInstructionFreeText",
            text,
            LanguageCode=text_lang.upper() if text_lang else None,
        )
    for t in info.invoice_types[:3]:
        details = _sub(inv, "SellerInvoiceTypeDetails")
        _sub(details, "SellerInvoiceTypeText", t.text, LanguageCode=t.language)
        for i in t.identifiers[:2]:
            attrs: dict[str, str | None] = {
                "LanguageCode": i.language,
                "SellerInvoiceIdentifierType": i.type,
            }
            if v2:
                attrs |= {
                    "SellerInvoiceIdentifierMinLength": i.min_length,
                    "SellerInvoiceIdentifierMaxLength": i.max_length,
                    "SellerInvoiceIdentifierSpaces": i.spaces,
                    "SellerInvoiceIdentifierHyphens": i.hyphens,
                }
            _sub(details, "SellerInvoiceIdentifierText", i.text, **attrs)
    if v2:
        _sub(inv, "SellerServiceCode", info.service_code or "00")
    _opt(root, "ProposedDueDateAccepted", info.proposed_due_date_accepted)
    _opt(root, "ProposedInvoicePeriodAccepted", info.proposed_invoice_period_accepted)
    return root


def frame_element(info: SenderInfo, bank: str, version: str, stamp: datetime) -> etree._Element:
    """The SOAP/ebXML frame that addresses the message to `bank` (eb:To, Role Intermediator)."""
    message_id = f"SI{stamp:%Y%m%d%H%M%S}{bank}{_compact(info.business_id).replace('-', '')}"[:48]
    env = etree.Element(
        f"{{{SOAP_ENV}}}Envelope", nsmap={"SOAP-ENV": SOAP_ENV, "eb": EB, "xlink": XLINK}
    )
    header = etree.SubElement(env, f"{{{SOAP_ENV}}}Header")
    mh = etree.SubElement(header, f"{{{EB}}}MessageHeader")
    mh.set(f"{{{SOAP_ENV}}}mustUnderstand", "1")
    mh.set(f"{{{EB}}}version", "2.0")
    for tag, party, role in (
        ("From", info.sender_address, "Sender"),
        ("From", info.sender_bank, "Intermediator"),
        ("To", "SENDERINFO", "Receiver"),
        ("To", bank, "Intermediator"),
    ):
        el = etree.SubElement(mh, f"{{{EB}}}{tag}")
        etree.SubElement(el, f"{{{EB}}}PartyId").text = party
        etree.SubElement(el, f"{{{EB}}}Role").text = role
    etree.SubElement(mh, f"{{{EB}}}CPAId").text = "yoursandmycpa"
    etree.SubElement(mh, f"{{{EB}}}Service").text = "Routing"
    etree.SubElement(mh, f"{{{EB}}}Action").text = "ProcessInvoice"
    data = etree.SubElement(mh, f"{{{EB}}}MessageData")
    etree.SubElement(data, f"{{{EB}}}MessageId").text = message_id
    etree.SubElement(data, f"{{{EB}}}Timestamp").text = stamp.isoformat()
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    manifest = etree.SubElement(body, f"{{{EB}}}Manifest")
    manifest.set(f"{{{EB}}}id", "Manifest")
    manifest.set(f"{{{EB}}}version", "2.0")
    ref = etree.SubElement(manifest, f"{{{EB}}}Reference")
    ref.set(f"{{{EB}}}id", "FinvoiceSenderInfo")
    ref.set(f"{{{XLINK}}}href", message_id)
    schema = etree.SubElement(ref, f"{{{EB}}}Schema")
    schema.set(f"{{{EB}}}location", "FinvoiceSenderInfo.xsd")
    schema.set(f"{{{EB}}}version", ROOT_VERSION[version])
    return env


def _xml(element: etree._Element, encoding: str) -> bytes:
    data = etree.tostring(element, xml_declaration=True, encoding=encoding, pretty_print=True)
    assert isinstance(data, bytes)
    return data


def serialise(message: BankMessage, *, frame: bool = True, stamp: datetime | None = None) -> bytes:
    """The file for one bank: the frame (unless `frame=False`), then the SI message.

    ISO-8859-15, as Finvoice messages are usually exchanged; characters outside
    it become character references, so nothing is lost.
    """
    encoding = "ISO-8859-15"
    body = _xml(message_element(message.info, message.version), encoding)
    if not frame:
        return body
    when = stamp or datetime.now(HELSINKI).replace(microsecond=0)
    head = _xml(frame_element(message.info, message.bank, message.version, when), encoding)
    return head + body


def build_messages(
    infos: Sequence[SenderInfo],
    banks: Sequence[str],
    *,
    service_iban: str,
    service_bic: str,
    identifier_type: str,
    today: date,
    version: str,
) -> list[BankMessage]:
    """One CHANGE message per bank.

    An SI file read with its frame is for the bank its frame names; `banks`
    are the banks for sender info that names none (a seller file, or a
    message without a frame). Two sender infos for one bank are refused:
    which one is current is for the company to say.
    """
    out: list[BankMessage] = []
    seen: dict[str, str] = {}
    for info in infos:
        targets = [info.target_bank] if info.target_bank else [b.upper() for b in banks]
        if not targets:
            raise SettingsError(
                "the message has no frame naming its bank: say which bank(s) it is for with "
                "--bank BIC",
                path=info.source,
            )
        for bank in targets:
            if bank in seen:
                raise SettingsError(
                    f"two sender infos for bank {bank} ({seen[bank]} and {info.source}): give one "
                    "per bank",
                    path=info.source,
                )
            seen[bank] = info.source
            out.append(
                change_for_bank(
                    info,
                    bank,
                    service_iban=service_iban,
                    service_bic=service_bic,
                    identifier_type=identifier_type,
                    today=today,
                    version=version,
                )
            )
    return out


def describe(message: BankMessage) -> list[str]:
    """The plain-language summary lines for one bank."""
    lines = [f"bank {bank_label(message.bank)}: FinvoiceSenderInfo {message.version} CHANGE"]
    changes = [c for c in message.changes if not c.startswith("message:")]
    for c in changes:
        lines.append(f"  changes: {c}")
    if not changes:
        lines.append("  changes: nothing — the sender info already has what the service needs")
    for c in message.changes:
        if c.startswith("message:"):
            lines.append(f"  message: {c.removeprefix('message: ')}")
    lines.append(f"  carried over: {', '.join(message.kept)}")
    for n in message.notes:
        lines.append(f"  note: {n}")
    for p in message.problems:
        lines.append(f"  cannot write: {p}")
    return lines


def service_account(settings: Any, *, source: str | None = None) -> tuple[str, str]:
    """The service's IBAN and BIC from the settings' `vfsfi` block (BIC from the IBAN if absent)."""
    vfsfi = getattr(settings, "vfsfi", None)
    iban = getattr(vfsfi, "iban", None)
    if not iban:
        raise SettingsError(
            "the settings have no vfsfi.iban (the service's account)", path=source, key="vfsfi.iban"
        )
    bic = getattr(vfsfi, "bic", None) or _bic_of(iban)
    if not bic:
        raise SettingsError(
            "the settings have no vfsfi.bic and the IBAN does not tell the bank",
            path=source,
            key="vfsfi.bic",
        )
    return _compact(iban), bic.upper()
