"""S-EDI 3.0 (root `S-EDI`) → the normalised invoice.

S-EDI is a flat XML invoice that the operator accepts: a `RoutingInfo` block, then
`Invoice` with `Header` (dates, terms, the seller and the buyer), `Detail` (one
`ArticleRow` per row) and `Summary` (currency, VAT, charges, totals). Amounts
have a decimal point, dates are ISO 8601; an element with `xsi:nil="true"` is
empty.

What each element means is read from the operator's example, whose numbers
agree: every row's `SumOfLine` + `VATAmount` = `SumOfLineInclVAT`, the rows'
VAT-included amounts add up to `TotalAmountNotRounded`, and that plus
`RoundingAmount` is `TotalAmount`. So `TotalAmount` is the VAT-included total
with the rounding in it (as Finvoice's), and the sum rule is Finvoice's: the
rows' VAT-included amounts, the document-level charges (`Freight`,
`HandlingCharge`) less the invoice discount, each with its VAT, plus the
rounding. `TotalAmount` is also the amount to pay: S-EDI has no other.

S-EDI has no payee of its own: the seller (`SellerParty`) is the payee, its
`IBAN` and `BankIdentificationCode` the payment account (else its first domestic
account), and its domestic `BankAccount`, `PostAccount` and `BankAccountNo` further
accounts (BBAN). The
language is the print layout's (`PrintInfo/Layout/@Language`). A credit note is
a negative total, or a `DocumentType` that names a credit note (our guess: the
example is an `Invoice`). Uncertain readings are listed in docs/formats.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.formats.en16931 import (
    FoundAccount,
    b2b_or_other,
    finnish_business_id,
    iban_or_bban,
    interest_text,
    split_accounts,
)
from kassavirta.formats.s_edi import paths
from kassavirta.formats.xml import (
    Fields,
    first_children,
    missing,
    streets,
    text_of,
)
from kassavirta.model import (
    Address,
    DocumentCharge,
    Invoice,
    Party,
    Payment,
    Row,
    VatLine,
)
from kassavirta.pipeline.read import Document

_ROW_FIELDS = {
    "quantity": paths.ROW_QUANTITY,
    "unit_price": paths.ROW_UNIT_PRICE,
    "vat_percent": paths.ROW_VAT_PERCENT,
    "vat_amount": paths.ROW_VAT,
    "vat_excluded": paths.ROW_VAT_EXCLUDED,
    "amount": paths.ROW_AMOUNT,
}
"""Row field → its element; where each was read is named through `Locations.note_rows`."""


def _amount(f: Fields, key: str | None, expr: str, base: etree._Element | None) -> Decimal | None:
    element = None if base is None else f.filled(key, expr, base)
    return None if element is None else f.amount_of(element, comma=False)


def _address(f: Fields, key: str, block: etree._Element) -> Address:
    lines = [e for tag in paths.STREETS for e in f.findall(tag, block)]
    return Address(
        streets=streets(f, key, lines),
        town=f.text(f"{key}.address.town", paths.TOWN, block),
        postcode=f.text(f"{key}.address.postcode", paths.POSTCODE, block),
        country=f.text(f"{key}.address.country", paths.COUNTRY, block),
    )


def _business_id(f: Fields, key: str, block: etree._Element) -> str | None:
    """`CompanyNo`, else a Finnish OVT code in `EANLocationNo` (read as its Y-tunnus)."""
    company = f.find(paths.COMPANY_NO, block)
    value = text_of(company)
    if company is not None and value:
        f.note(f"{key}.business_id", company)
        return finnish_business_id(value, "0213" if value.upper().startswith("FI") else None)
    location = f.find(paths.LOCATION_NO, block)
    value = text_of(location)
    normalised = finnish_business_id(value)
    if location is not None and value and normalised != value:
        f.note(f"{key}.business_id", location)
        return normalised
    return None


def _party(f: Fields, key: str, expr: str, header: etree._Element) -> Party:
    block = f.element(key, expr, header)
    if block is None:
        return Party()
    f.note(f"{key}.address", block)
    return Party(
        name=f.text(f"{key}.name", paths.NAME, block),
        business_id=_business_id(f, key, block),
        vat_code=f.text(f"{key}.vat_code", paths.VAT_NUMBER, block),
        address=_address(f, key, block),
    )


def _rows(f: Fields) -> list[Row]:
    rows: list[Row] = []
    found: list[etree._Element] = []
    amount = f.filled_amount
    for position, row in enumerate(f.findall(paths.DETAIL_ROWS), start=1):
        field = first_children(row)
        found.append(row)
        quantity = amount(field.get(paths.ROW_QUANTITY), comma=False)
        if quantity is None:
            quantity = amount(field.get(paths.ROW_QUANTITY_ORDERED), comma=False)
        unit = field.get(paths.ROW_UNIT)
        rows.append(
            Row(
                index=position,
                article=text_of(field.get(paths.ROW_ARTICLE)),
                quantity=quantity,
                unit=(text_of(unit) or (unit.get("Code") or "").strip() or None)
                if unit is not None
                else None,
                unit_price=amount(field.get(paths.ROW_UNIT_PRICE), comma=False),
                vat_percent=amount(field.get(paths.ROW_VAT_PERCENT), comma=False),
                vat_amount=amount(field.get(paths.ROW_VAT), comma=False),
                vat_excluded=amount(field.get(paths.ROW_VAT_EXCLUDED), comma=False),
                amount=amount(field.get(paths.ROW_AMOUNT), comma=False),
            )
        )
    f.locations.note_rows(found, _ROW_FIELDS)
    return rows


def _charges(f: Fields, summary: etree._Element | None) -> list[DocumentCharge]:
    """Freight, handling charge and invoice discount, each per VAT rate where specified.

    Each `VATInvoiceDiscountAndChargesSpecification` gives a rate and, for each
    kind, the amount it applies to and its VAT; the `Summary` elements of the same
    name are their sums, read only when no specification gives the kind. Zero
    amounts are no charge.
    """
    if summary is None:
        return []
    specifications = f.findall(paths.CHARGE_SPECIFICATION, summary)
    charges: list[DocumentCharge] = []
    for reason, total_tag, prefix, allowance in paths.CHARGES:
        found: list[DocumentCharge] = []
        for spec in specifications:
            base = _amount(f, None, f"{prefix}BasisAmount", spec)
            vat = _amount(f, None, f"{prefix}Amount", spec)
            if not base and not vat:
                continue
            key = f"charges.{len(charges) + len(found) + 1}"
            f.element(key, f"{prefix}BasisAmount", spec)
            found.append(
                DocumentCharge(
                    allowance=allowance,
                    reason=reason,
                    amount=base,
                    vat_percent=_amount(f, None, f"{prefix}Percentage", spec),
                    vat_amount=vat,
                )
            )
        if not found:
            key = f"charges.{len(charges) + 1}"
            written = _amount(f, None, total_tag, summary)
            if written:
                f.element(key, total_tag, summary)
                found.append(DocumentCharge(allowance=allowance, reason=reason, amount=written))
        charges += found
    return charges


def _payment(
    f: Fields, seller: etree._Element | None, total: Decimal, due: date | None
) -> tuple[Payment, list[FoundAccount]]:
    """The seller's IBAN (else its first domestic account) and BIC; the other accounts."""
    if seller is None:
        return Payment(amount=total, due_date=due), []
    bic = f.find(paths.BIC, seller)
    domestic = [e for tag in paths.DOMESTIC_ACCOUNTS for e in f.findall(tag, seller)]
    filled = next((e for e in domestic if text_of(e)), None)
    first = iban_or_bban(f.find(paths.IBAN, seller), filled, bic)
    found = [first] if first is not None else []
    seen = {text_of(first[0])} if first is not None else set()
    for element in domestic:
        entry = iban_or_bban(None, element, None)
        if entry is not None and text_of(element) not in seen:
            seen.add(text_of(element))
            found.append(entry)
    payment = Payment(
        beneficiary=f.text("payment.beneficiary", paths.NAME, seller),
        amount=total,
        due_date=due,
    )
    return payment, found


def _language(f: Fields, header: etree._Element) -> str | None:
    layout = f.find(paths.LAYOUT, header)
    value = (layout.get(paths.LAYOUT_LANGUAGE) or "").strip() if layout is not None else ""
    if layout is None or not value:
        return None
    f.note("language", layout)
    return value


def adapt(document: Document) -> Invoice:
    """Read an S-EDI 3.0 invoice into an `Invoice`."""
    part = document.part
    root = part.root
    f = Fields(part)
    locations = f.locations
    header = f.element("details", paths.HEADER)
    if header is None:
        raise missing(part, "the document has no Invoice/Header", root)
    number = f.text("number", paths.NUMBER, header)
    if number is None:
        raise missing(part, f"the invoice has no Header/{paths.NUMBER}", header)
    summary = f.find(paths.SUMMARY)
    total = _amount(f, "total", paths.TOTAL, summary)
    if total is None:
        at = summary if summary is not None else header
        raise missing(part, f"the invoice has no Summary/{paths.TOTAL}", at)
    # Only the invoice currency: `CurrencyCodeAC` is the seller's accounting currency.
    currency_el = f.filled("currency", paths.CURRENCY, summary) if summary is not None else None
    code = text_of(currency_el)

    due = f.date("due_date", paths.DUE_DATE, header)
    locations.alias("payment.due_date", "due_date")
    seller_block = f.find(paths.SELLER, header)
    payment, found = _payment(f, seller_block, total, due)
    locations.alias("payment.amount", "total")
    reference = f.element("payment.reference", paths.REFERENCE, header)
    payment.reference = text_of(reference)
    accounts = split_accounts(f, found, payment)

    document_type = f.text("type_code", paths.DOCUMENT_TYPE)
    terms = f.text(None, paths.PAYMENT_TERMS, header)
    free_text = f.text(None, f"{paths.PRINT_INFO}/{paths.FREE_TEXT}", header)
    vat_lines = [
        VatLine(
            percent=_amount(f, "vat.percent", paths.VAT_PERCENT, spec),
            base=_amount(f, "vat.base", paths.VAT_BASE, spec),
            amount=_amount(f, "vat.amount", paths.VAT_AMOUNT, spec),
        )
        for spec in (f.findall(paths.VAT_SPECIFICATION, summary) if summary is not None else [])
    ]
    result = Invoice(
        format="s-edi-3.0",
        version=paths.version_of(f.text(None, paths.VERSION) or "") or None,
        type_code=document_type,
        number=number,
        issue_date=f.date("issue_date", paths.DATE, header),
        due_date=due,
        currency=code,
        currencies=[code] if code else [],
        total=total,
        total_vat_excluded=_amount(f, "total_vat_excluded", paths.TOTAL_VAT_EXCLUDED, summary),
        total_vat=_amount(f, "total_vat", paths.TOTAL_VAT, summary),
        rounding=_amount(f, "rounding", paths.ROUNDING, summary),
        rows=_rows(f),
        charges=_charges(f, summary),
        vat_lines=vat_lines,
        seller=_party(f, "seller", paths.SELLER, header),
        seller_accounts=accounts,
        buyer=_party(f, "buyer", paths.BUYER, header),
        language=_language(f, header),
        payment=payment,
        penalty_interest_percent=_amount(f, "penalty_interest", paths.INTEREST, header),
        interest_in_free_text=interest_text(t for t in (terms, free_text) if t),
        payment_terms_text=terms,
        credit_note="credit" in (document_type or "").lower(),
        locations=locations,
    )
    result.channel, result.channel_signals = b2b_or_other(result)
    return result
