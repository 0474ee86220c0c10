"""The XML of a CHANGE message: the FinvoiceSenderInfo element and its SOAP/ebXML frame."""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from kassavirta.erp.senderinfo.model import HELSINKI, ROOT_VERSION, BankMessage, SenderInfo
from kassavirta.finnish.bank import compact_iban
from kassavirta.pipeline.read import SOAP_ENV

__all__ = ["frame_element", "message_element", "serialise"]

EB = "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"
XLINK = "http://www.w3.org/1999/xlink"


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


def _texts(parent: etree._Element, *fields: tuple[str, str | None]) -> None:
    """Text children in schema order; one whose text is None is left out (required ones never are)."""
    for name, text in fields:
        _opt(parent, name, text)


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
        _texts(
            _sub(party, "SellerPostalAddressDetails"),
            ("SellerStreetName", a.street),
            ("SellerTownName", a.town),
            ("SellerPostCodeIdentifier", a.postcode),
            ("CountryCode", a.country_code),
            ("CountryName", a.country_name),
            ("SellerPostOfficeBoxIdentifier", a.po_box),
        )
    if v2:
        _opt(party, "IndustryCode", info.industry_code)
    _opt(root, "SellerOrganisationUnitNumber", info.unit_number)

    _texts(
        _sub(root, "InvoiceSenderInformationDetails"),
        ("SellerWebaddressNameText", info.web_name),
        ("SellerWebaddressText", info.web_address),
        ("InvoiceSenderAddress", info.sender_address),
        ("InvoiceSenderIntermediatorAddress", info.sender_bank),
        ("NewInvoiceSenderAddress", info.new_sender_address),
        ("NewInvoiceSenderIntermediatorAddress", info.new_sender_bank),
    )

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
    message_id = f"SI{stamp:%Y%m%d%H%M%S}{bank}{compact_iban(info.business_id).replace('-', '')}"[
        :48
    ]
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
