"""Reading the SI messages the company sent before, with the frame that names their bank."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from lxml import etree

from kassavirta.erp.senderinfo.model import Account, Address, Identifier, InvoiceType, SenderInfo
from kassavirta.erp.xmlpath import children, descend, local_name, text_at
from kassavirta.errors import ReadError, SettingsError
from kassavirta.pipeline.read import (
    Document,
    frame_intermediators,
    is_frame,
    read_bytes,
    read_file,
)

__all__ = ["parse_sender_info", "read_sender_info_files"]


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
    return next((party.upper() for party in frame_intermediators(frame)), None)


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
        try:
            documents: list[Document] = read_bytes(read_file(name), path=name)
        except ReadError as exc:
            raise SettingsError(f"cannot read the SI message: {exc}", path=name) from exc
        for doc in documents:
            if is_frame(doc.part.root):
                continue
            frame = doc.frame.root if doc.frame is not None else None
            label = name if len(documents) == 1 else f"{name}#{doc.index}"
            out.append(parse_sender_info(doc.part.root, source=label, frame=frame))
    return out
