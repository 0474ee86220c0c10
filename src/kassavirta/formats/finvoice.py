"""Finvoice 1.3 / 2.0 / 2.01 / 3.0 → the normalised invoice.

No element the toolkit reads was renamed between 1.3 and 3.0 (FIELDS.md §14),
so one adapter serves every version; only presence and cardinality differ.
Amounts carry a decimal comma and dates are `CCYYMMDD`.
"""

from __future__ import annotations

import re

from lxml import etree

from kassavirta.errors import UnreadableField
from kassavirta.formats.base import Fields, looks_like_bic, looks_like_iban, looks_like_ovt, missing
from kassavirta.model import (
    Account,
    Address,
    Channel,
    Invoice,
    Location,
    Party,
    Payment,
    Row,
    VatLine,
)
from kassavirta.pipeline.read import Document, Part

EB = "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"

_INTEREST_WORDS = re.compile(r"viiv[äa]stys|korko|dröjsmålsränta|\bränta|interest", re.IGNORECASE)


def _address(f: Fields, prefix: str, key: str, base: etree._Element | None) -> Address | None:
    if base is None:
        return None
    block = f.element(f"{key}.address", f"{prefix}PostalAddressDetails", base)
    if block is None:
        return None
    streets_el = f.findall(f"{prefix}StreetName", block)
    if streets_el:
        f.note(f"{key}.address.street", streets_el[0])
    return Address(
        streets=[t for t in ((e.text or "").strip() for e in streets_el) if t],
        town=f.text(f"{key}.address.town", f"{prefix}TownName", block),
        postcode=f.text(f"{key}.address.postcode", f"{prefix}PostCodeIdentifier", block),
        country=f.text(f"{key}.address.country", "CountryCode", block),
        po_box=f.text(None, f"{prefix}PostOfficeBoxIdentifier", block),
    )


def _party(f: Fields, element: str, prefix: str, key: str) -> Party | None:
    base = f.element(key, element)
    if base is None:
        return None
    return Party(
        name=f.text(f"{key}.name", f"{prefix}OrganisationName", base),
        business_id=f.text(f"{key}.business_id", f"{prefix}PartyIdentifier", base),
        vat_code=f.text(f"{key}.vat_code", f"{prefix}OrganisationTaxCode", base),
        address=_address(f, prefix, key, base),
    )


def _currencies(part: Part, f: Fields) -> list[str]:
    seen: dict[str, etree._Element] = {}
    for element in part.root.iter():
        code = element.get("AmountCurrencyIdentifier") if isinstance(element.tag, str) else None
        if code is not None and code.strip() not in seen:
            seen[code.strip()] = element
    if len(seen) > 1:
        first, *others = list(seen.items())
        odd = others[0][1]
        where = f.where(odd)
        raise UnreadableField(
            f"the invoice mixes currencies ({', '.join(seen)}); "
            f"first {first[0]}, then {others[0][0]} here",
            path=f.path,
            line=where.line,
            xpath=where.xpath,
            value=others[0][0],
        )
    return list(seen)


def _rows(f: Fields) -> list[Row]:
    rows: list[Row] = []
    for position, row in enumerate(f.findall("InvoiceRow"), start=1):
        key = f"rows.{position}"
        f.note(key, row)
        quantity_el = f.find("InvoicedQuantity", row)
        if quantity_el is None:
            quantity_el = f.find("DeliveredQuantity", row)
        quantity = None
        unit = None
        if quantity_el is not None and (quantity_el.text or "").strip():
            quantity = f.amount_of(f"{key}.quantity", quantity_el, comma=True)
            unit = quantity_el.get("QuantityUnitCode")
        rows.append(
            Row(
                index=position,
                article=f.text(None, "ArticleName", row),
                quantity=quantity,
                unit=unit,
                unit_price=f.amount(f"{key}.unit_price", "UnitPriceAmount", row, comma=True),
                vat_percent=f.amount(f"{key}.vat_percent", "RowVatRatePercent", row, comma=True),
                vat_amount=f.amount(f"{key}.vat_amount", "RowVatAmount", row, comma=True),
                vat_excluded=f.amount(
                    f"{key}.vat_excluded", "RowVatExcludedAmount", row, comma=True
                ),
                amount=f.amount(f"{key}.amount", "RowAmount", row, comma=True),
            )
        )
    return rows


def _channel(f: Fields, invoice: Invoice, frame: Part | None) -> tuple[Channel, list[str]]:
    """Consumer e-invoice to a netbank, after SPEC §1 / FIELDS.md §11."""
    if invoice.buyer_is_business:
        return Channel.B2B, []
    signals: list[str] = ["buyer has no business identifier"]
    bank_signals: list[str] = []
    to_intermediator = f.text(
        "transmission.to_intermediator",
        "MessageTransmissionDetails/MessageReceiverDetails/ToIntermediator",
    )
    if looks_like_bic(to_intermediator):
        bank_signals.append(f"receiver intermediator {to_intermediator} is a BIC")
    if frame is not None:
        for to in frame.root.iter(f"{{{EB}}}To"):
            role = to.findtext(f"{{{EB}}}Role")
            party = (to.findtext(f"{{{EB}}}PartyId") or "").strip()
            if role == "Intermediator" and looks_like_bic(party):
                bank_signals.append(f"transmission frame's receiver intermediator {party} is a BIC")
    to_identifier = f.text(
        "transmission.to_identifier",
        "MessageTransmissionDetails/MessageReceiverDetails/ToIdentifier",
    )
    if to_identifier and looks_like_iban(to_identifier):
        bank_signals.append(f"receiver address {to_identifier} is an IBAN")
    elif to_identifier and not looks_like_ovt(to_identifier):
        bank_signals.append(f"receiver address {to_identifier} is not an OVT code")
    if invoice.payment.instruction_id:
        bank_signals.append("EpiPaymentInstructionId is filled")
    if bank_signals:
        return Channel.B2C_NETBANK, signals + bank_signals
    return Channel.B2C_OTHER, signals


def adapt(document: Document) -> Invoice:
    """Read a Finvoice document (any supported version) into an `Invoice`."""
    part = document.part
    root = part.root
    locations: dict[str, Location] = {}
    f = Fields(part, path="", locations=locations)
    version = root.get("Version")
    details = f.element("details", "InvoiceDetails")
    if details is None:
        raise UnreadableField(
            "the invoice has no InvoiceDetails", line=part.line(root), xpath="/Finvoice"
        )
    currencies = _currencies(part, f)
    total_el = f.element("total", "InvoiceTotalVatIncludedAmount", details)
    total = f.amount("total", "InvoiceTotalVatIncludedAmount", details, comma=True)
    currency = total_el.get("AmountCurrencyIdentifier") if total_el is not None else None

    terms_due = None
    for terms in f.findall("PaymentTermsDetails", details):
        due = f.date("terms_due_date", "InvoiceDueDate", terms, compact=True)
        if due is not None:
            terms_due = due
            break
    epi = f.find("EpiDetails")
    instruction = f.find("EpiPaymentInstructionDetails", epi) if epi is not None else None
    epi_due = (
        f.date("payment.due_date", "EpiDateOptionDate", instruction, compact=True)
        if instruction is not None
        else None
    )
    reference_el = (
        f.element("payment.reference", "EpiRemittanceInfoIdentifier", instruction)
        if instruction is not None
        else None
    )
    account_el = (
        f.element("payment.iban", "EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID", epi)
        if epi is not None
        else None
    )
    bic_el = (
        f.element("payment.bic", "EpiPartyDetails/EpiBfiPartyDetails/EpiBfiIdentifier", epi)
        if epi is not None
        else None
    )
    payment = Payment(
        iban=(account_el.text or "").strip() or None if account_el is not None else None,
        iban_scheme=account_el.get("IdentificationSchemeName") if account_el is not None else None,
        bic=(bic_el.text or "").strip() or None if bic_el is not None else None,
        beneficiary=f.text(
            "payment.beneficiary",
            "EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiNameAddressDetails",
            epi,
        )
        if epi is not None
        else None,
        reference=(reference_el.text or "").strip() or None if reference_el is not None else None,
        reference_scheme=reference_el.get("IdentificationSchemeName")
        if reference_el is not None
        else None,
        amount=f.amount("payment.amount", "EpiInstructedAmount", instruction, comma=True)
        if instruction is not None
        else None,
        due_date=epi_due,
        instruction_id=f.text("payment.instruction_id", "EpiPaymentInstructionId", instruction)
        if instruction is not None
        else None,
    )
    if terms_due is not None:
        locations["due_date"] = locations["terms_due_date"]
    elif "payment.due_date" in locations:
        locations["due_date"] = locations["payment.due_date"]

    accounts = [
        Account(
            account=f.text(None, "SellerAccountID", block),
            scheme=(
                acc.get("IdentificationSchemeName")
                if (acc := f.find("SellerAccountID", block)) is not None
                else None
            ),
            bic=f.text(None, "SellerBic", block),
        )
        for block in f.findall("SellerInformationDetails/SellerAccountDetails")
    ]
    for n, block in enumerate(f.findall("SellerInformationDetails/SellerAccountDetails"), start=1):
        f.element(f"seller_accounts.{n}.account", "SellerAccountID", block)
        f.element(f"seller_accounts.{n}.bic", "SellerBic", block)

    fine_percent = None
    fine_fixed = None
    free_texts: list[str] = []
    for terms in f.findall("PaymentTermsDetails", details):
        fine = f.find("PaymentOverDueFineDetails", terms)
        if fine is not None:
            fine_percent = fine_percent or f.amount(
                "penalty_interest", "PaymentOverDueFinePercent", fine, comma=True
            )
            fine_fixed = fine_fixed or f.amount(
                "penalty_interest", "PaymentOverDueFixedAmount", fine, comma=True
            )
            free_texts += f.texts("PaymentOverDueFineFreeText", fine)
        free_texts += f.texts("PaymentTermsFreeText", terms)
    free_texts += f.texts("InvoiceFreeText", details)
    free_texts += f.texts("SpecificationDetails/SpecificationFreeText")
    interest_text = next((t for t in free_texts if _INTEREST_WORDS.search(t)), None)

    vat_lines = [
        VatLine(
            percent=f.amount("vat.percent", "VatRatePercent", spec, comma=True),
            base=f.amount("vat.base", "VatBaseAmount", spec, comma=True),
            amount=f.amount("vat.amount", "VatRateAmount", spec, comma=True),
        )
        for spec in f.findall("VatSpecificationDetails", details)
    ]
    recipient = _party(f, "InvoiceRecipientPartyDetails", "InvoiceRecipient", "recipient")
    invoice = Invoice(
        format="finvoice-1.3" if (version or "").startswith("1.") else f"finvoice-{version}",
        version=version,
        type_code=f.text("type_code", "InvoiceTypeCode", details),
        number=f.text("number", "InvoiceNumber", details),
        issue_date=f.date("issue_date", "InvoiceDate", details, compact=True),
        due_date=terms_due or epi_due,
        terms_due_date=terms_due,
        currency=(currency or "").strip() or (currencies[0] if currencies else None),
        currencies=currencies,
        total=total,
        total_vat_excluded=f.amount(
            "total_vat_excluded", "InvoiceTotalVatExcludedAmount", details, comma=True
        ),
        total_vat=f.amount("total_vat", "InvoiceTotalVatAmount", details, comma=True),
        rounding=f.amount("rounding", "InvoiceTotalRoundoffAmount", details, comma=True),
        paid_amount=f.amount("paid_amount", "InvoicePaidAmount", details, comma=True),
        rows=_rows(f),
        vat_lines=vat_lines,
        seller=_party(f, "SellerPartyDetails", "Seller", "seller") or Party(),
        seller_accounts=accounts,
        buyer=_party(f, "BuyerPartyDetails", "Buyer", "buyer") or Party(),
        recipient=recipient,
        language=f.text("language", "InvoiceRecipientLanguageCode"),
        payment=payment,
        penalty_interest_percent=fine_percent,
        penalty_fixed_amount=fine_fixed,
        interest_in_free_text=interest_text,
        payment_terms_text=next(
            iter(f.texts("PaymentTermsDetails/PaymentTermsFreeText", details)), None
        ),
        locations=locations,
    )
    if invoice.number is None:
        raise missing(part, "the invoice has no InvoiceNumber", details)
    if invoice.total is None:
        raise missing(part, "the invoice has no InvoiceTotalVatIncludedAmount", details)
    channel, signals = _channel(f, invoice, document.frame)
    invoice.channel = channel
    invoice.channel_signals = signals
    return invoice
