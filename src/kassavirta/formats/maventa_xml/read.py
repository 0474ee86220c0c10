"""MaventaXML 1.0 (root `invoice`, `format="MaventaXML"`) → the normalised invoice.

MaventaXML is the operator's own flat invoice: every field is a child of the
root (`invoice_nr`, `date_due`, `company_…` for the seller, `customer_…` for the
buyer), rows are `items/item`, accounts `invoice_accounts/invoice_account`.
Amounts have a decimal point, dates are ISO 8601.

What each element means is read from the operator's example, whose numbers
agree: each item's `price` × `amount` (the quantity) is its `sum`, and `sum` at
the item's `tax` percent is its `sum_tax`; the items' `sum`s add up to the
invoice's `sum` (886.88), and `sum` at 22 % is the invoice's `sum_tax`
(1081.99). So `sum` is VAT excluded, `sum_tax` VAT included, and `tax` a VAT
rate. The items' `sum_tax`s add up to 1082.00, a cent over the total, because
the example computes VAT per row and on the total; the sum rule's tolerance of a
cent per row covers that.

The sum rule is Finvoice's: the items' `sum_tax` plus `rounding_amount` against
the invoice's `sum_tax`, which is read as the total with the rounding in it (our
reading: the example's rounding is 0.0) and as the amount to pay. MaventaXML
has no document-level charges, no payee and no credit-note code that the
example shows: the seller (`company_name`) is the payee, the `default` account
(else the first) the payment account, and a negative total a credit note.
Uncertain readings are listed in docs/formats.md.
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
from kassavirta.formats.maventa_xml import paths
from kassavirta.formats.xml import (
    Fields,
    first_children,
    looks_like_bic,
    looks_like_iban,
    looks_like_ovt,
    missing,
    streets,
    text_of,
)
from kassavirta.model import Address, Channel, Invoice, Party, Payment, Row
from kassavirta.pipeline.read import Document

_ROW_FIELDS = {
    "quantity": paths.ROW_QUANTITY,
    "unit_price": paths.ROW_UNIT_PRICE,
    "vat_percent": paths.ROW_VAT_PERCENT,
    "vat_excluded": paths.ROW_VAT_EXCLUDED,
    "amount": paths.ROW_AMOUNT,
}
"""Row field → its element; where each was read is named through `Locations.note_rows`."""


def _business_id(f: Fields, key: str, element: etree._Element | None) -> str | None:
    """`…_bid`; a Finnish VAT-number form (`FI15728600`, as the example writes it) → Y-tunnus."""
    value = text_of(element)
    if element is None or not value:
        return None
    f.note(f"{key}.business_id", element)
    return finnish_business_id(value, "0213" if value.upper().startswith("FI") else None)


def _party(f: Fields, key: str, prefix: str) -> Party:
    lines = [e for tail in paths.STREETS for e in f.findall(f"{prefix}{tail}")]
    town = None
    for tail in paths.TOWNS:
        town = f.text(f"{key}.address.town", f"{prefix}{tail}")
        if town:
            break
    name = f.element(key, f"{prefix}{paths.PARTY_NAME}")
    if name is not None:
        f.note(f"{key}.name", name)
    # A flat party: its address is where its first address field stands (else its name).
    fields = [*lines, *(f.find(f"{prefix}{t}") for t in (paths.POSTCODE, *paths.TOWNS))]
    anchor = next((e for e in fields if e is not None), name)
    if anchor is not None:
        f.note(f"{key}.address", anchor)
    return Party(
        name=text_of(name),
        business_id=_business_id(f, key, f.find(f"{prefix}{paths.PARTY_ID}")),
        vat_code=f.text(f"{key}.vat_code", f"{prefix}{paths.PARTY_VAT}"),
        address=Address(
            streets=streets(f, key, lines),
            town=town,
            postcode=f.text(f"{key}.address.postcode", f"{prefix}{paths.POSTCODE}"),
            country=f.text(f"{key}.address.country", f"{prefix}{paths.COUNTRY}"),
        ),
    )


def _recipient(f: Fields) -> Party | None:
    block = f.element("recipient", paths.RECIPIENT)
    if block is None:
        return None
    lines = [e for tag in paths.RECIPIENT_STREETS for e in f.findall(tag, block)]
    party = Party(
        name=f.text("recipient.name", paths.RECIPIENT_NAME, block),
        address=Address(
            streets=streets(f, "recipient", lines),
            town=f.text("recipient.address.town", paths.RECIPIENT_TOWN, block),
            postcode=f.text("recipient.address.postcode", paths.RECIPIENT_POSTCODE, block),
            country=f.text("recipient.address.country", paths.RECIPIENT_COUNTRY, block),
        ),
    )
    return party if party.name or (party.address and party.address.present) else None


def _rows(f: Fields) -> list[Row]:
    rows: list[Row] = []
    found: list[etree._Element] = []
    amount = f.filled_amount
    for position, item in enumerate(f.findall(paths.ROWS), start=1):
        field = first_children(item)
        found.append(item)
        rows.append(
            Row(
                index=position,
                article=text_of(field.get(paths.ROW_ARTICLE)),
                quantity=amount(field.get(paths.ROW_QUANTITY), comma=False),
                unit=text_of(field.get(paths.ROW_UNIT)),
                unit_price=amount(field.get(paths.ROW_UNIT_PRICE), comma=False),
                vat_percent=amount(field.get(paths.ROW_VAT_PERCENT), comma=False),
                vat_excluded=amount(field.get(paths.ROW_VAT_EXCLUDED), comma=False),
                amount=amount(field.get(paths.ROW_AMOUNT), comma=False),
            )
        )
    f.locations.note_rows(found, _ROW_FIELDS)
    return rows


def _accounts(f: Fields) -> list[FoundAccount]:
    """Every `invoice_account` with a number, the `default` one first."""
    found: list[tuple[bool, FoundAccount]] = []
    for block in f.findall(f"{paths.ACCOUNTS}/{paths.ACCOUNT}"):
        entry = iban_or_bban(
            f.find(paths.ACCOUNT_IBAN, block),
            f.find(paths.ACCOUNT_DOMESTIC, block),
            f.find(paths.ACCOUNT_BIC, block),
        )
        if entry is not None:
            default = (f.text(None, paths.ACCOUNT_DEFAULT, block) or "").lower() == "true"
            found.append((default, entry))
    return [entry for default, entry in found if default] + [
        entry for default, entry in found if not default
    ]


def _channel(f: Fields, invoice: Invoice) -> tuple[Channel, list[str]]:
    """SPEC §1's netbank signals, in MaventaXML's terms: the buyer's operator and address."""
    channel, signals = b2b_or_other(invoice)
    if channel is Channel.B2B:
        return channel, signals
    kind = f.text(None, paths.CUSTOMER_TYPE)
    if kind:
        signals.append(f"customer_type is {kind}")
    bank: list[str] = []
    operator = f.text("transmission.to_intermediator", paths.CUSTOMER_OPERATOR)
    if looks_like_bic(operator):
        bank.append(f"receiver operator {operator} is a BIC")
    address = f.text("transmission.to_identifier", paths.CUSTOMER_ADDRESS)
    if address and looks_like_iban(address):
        bank.append(f"receiver address {address} is an IBAN")
    elif address and not looks_like_ovt(address):
        bank.append(f"receiver address {address} is not an OVT code")
    return (Channel.B2C_NETBANK, signals + bank) if bank else (channel, signals)


def adapt(document: Document) -> Invoice:
    """Read a MaventaXML 1.0 invoice into an `Invoice`."""
    part = document.part
    root = part.root
    f = Fields(part)
    locations = f.locations
    number = f.text("number", paths.NUMBER)
    if number is None:
        raise missing(part, f"the invoice has no {paths.NUMBER}", root)
    total_el = f.filled("total", paths.TOTAL)
    if total_el is None:
        raise missing(part, f"the invoice has no {paths.TOTAL}", root)
    total = f.amount_of(total_el, comma=False)
    currency = f.text("currency", paths.CURRENCY)
    due: date | None = f.date("due_date", paths.DUE_DATE)
    locations.alias("payment.due_date", "due_date")
    locations.alias("payment.amount", "total")
    payment = Payment(
        beneficiary=f.text("payment.beneficiary", f"{paths.SELLER}{paths.PARTY_NAME}"),
        reference=f.text("payment.reference", paths.REFERENCE),
        amount=total,
        due_date=due,
    )
    accounts = split_accounts(f, _accounts(f), payment)
    terms = f.text(None, paths.PAYMENT_TERMS)
    notes = f.text(None, paths.NOTES)
    rounding: Decimal | None = f.amount("rounding", paths.ROUNDING)
    result = Invoice(
        format="maventa-xml-1.0",
        version=paths.version_of(root),
        number=number,
        issue_date=f.date("issue_date", paths.DATE),
        due_date=due,
        currency=currency,
        currencies=[currency] if currency else [],
        total=total,
        total_vat_excluded=f.amount("total_vat_excluded", paths.TOTAL_VAT_EXCLUDED),
        rounding=rounding,
        rows=_rows(f),
        seller=_party(f, "seller", paths.SELLER),
        seller_accounts=accounts,
        buyer=_party(f, "buyer", paths.BUYER),
        recipient=_recipient(f),
        language=f.text("language", paths.LANG),
        payment=payment,
        penalty_interest_percent=f.amount("penalty_interest", paths.INTEREST),
        interest_in_free_text=interest_text(t for t in (terms, notes) if t),
        payment_terms_text=terms,
        locations=locations,
    )
    result.channel, result.channel_signals = _channel(f, result)
    return result
