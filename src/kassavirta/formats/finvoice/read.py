"""Finvoice 1.3 / 2.0 / 2.01 / 3.0 → the normalised invoice.

No element the toolkit reads was renamed between 1.3 and 3.0 (FIELDS.md §14),
so one adapter serves every version; only presence and cardinality differ.
Amounts carry a decimal comma and dates are `CCYYMMDD`.
"""

from __future__ import annotations

import re

from lxml import etree

from kassavirta.errors import UnreadableField
from kassavirta.formats.finvoice import paths
from kassavirta.formats.xml import (
    Fields,
    amount_values,
    check_currencies,
    first_children,
    looks_like_bic,
    looks_like_iban,
    looks_like_ovt,
    missing,
)
from kassavirta.model import (
    Account,
    Address,
    Channel,
    DocumentCharge,
    Invoice,
    Party,
    Payment,
    Row,
    VatLine,
)
from kassavirta.pipeline.read import Document, Part, frame_intermediators

_INTEREST_WORDS = re.compile(r"viiv[äa]stys|korko|dröjsmålsränta|\bränta|interest", re.IGNORECASE)


def _address(f: Fields, prefix: str, key: str, base: etree._Element | None) -> Address | None:
    if base is None:
        return None
    block = f.element(f"{key}.address", f"{prefix}{paths.ADDRESS}", base)
    if block is None:
        return None
    streets_el = f.findall(f"{prefix}{paths.STREET}", block)
    if streets_el:
        f.note(f"{key}.address.street", streets_el[0])
    return Address(
        streets=[t for t in ((e.text or "").strip() for e in streets_el) if t],
        town=f.text(f"{key}.address.town", f"{prefix}{paths.TOWN}", block),
        postcode=f.text(f"{key}.address.postcode", f"{prefix}{paths.POSTCODE}", block),
        country=f.text(f"{key}.address.country", paths.COUNTRY, block),
        po_box=f.text(None, f"{prefix}{paths.PO_BOX}", block),
    )


def _party(f: Fields, element: str, prefix: str, key: str) -> Party | None:
    base = f.element(key, element)
    if base is None:
        return None
    business_id = f.text(f"{key}.business_id", f"{prefix}{paths.PARTY_ID}", base)
    # Finvoice 3.0 may name the identifier's ISO 6523 scheme (`SchemeID`).
    identifier = f.find(f"{prefix}{paths.PARTY_ID}", base) if business_id else None
    scheme = (identifier.get("SchemeID") or "").strip() if identifier is not None else ""
    return Party(
        name=f.text(f"{key}.name", f"{prefix}{paths.PARTY_NAME}", base),
        business_id=business_id,
        business_id_scheme=scheme or None,
        vat_code=f.text(f"{key}.vat_code", f"{prefix}{paths.PARTY_VAT}", base),
        address=_address(f, prefix, key, base),
    )


_DISTINCT_CURRENCIES = etree.XPath(
    f"set:distinct(descendant-or-self::*/@{paths.CURRENCY})",
    namespaces={"set": "http://exslt.org/sets"},
    smart_strings=False,
)
_CURRENCY_ELEMENTS = etree.XPath(f"descendant-or-self::*[@{paths.CURRENCY}]")


def _currencies(part: Part, f: Fields) -> list[str]:
    # One XPath query in C (EXSLT's set:distinct keeps the first of each written code)
    # instead of a Python pass over every element of the invoice. The distinct
    # stripped codes (unordered: used only when there is one) answer a one-currency
    # invoice, and the elements, in document order, are looked up only to place a mix.
    codes = _DISTINCT_CURRENCIES(part.root)
    assert isinstance(codes, list)
    distinct = list({str(code).strip() for code in codes})
    if len(distinct) < 2:
        return distinct
    found = _CURRENCY_ELEMENTS(part.root)
    assert isinstance(found, list)
    return check_currencies(
        f,
        (
            (str(element.get(paths.CURRENCY)).strip(), element)
            for element in found
            if isinstance(element, etree._Element)
        ),
    )


_ROW_FIELDS = {
    "unit_price": paths.UNIT_PRICE,
    "vat_percent": paths.ROW_VAT_PERCENT,
    "vat_amount": paths.ROW_VAT,
    "vat_excluded": paths.ROW_VAT_EXCLUDED,
    "amount": paths.ROW_AMOUNT,
}
"""Row field → its element; where each was read is named through `Locations.note_rows`."""


_ROW_SLOTS = {
    tag: n
    for n, tag in enumerate(
        (
            paths.ARTICLE_NAME,
            paths.INVOICED_QUANTITY,
            paths.DELIVERED_QUANTITY,
            paths.UNIT_PRICE,
            paths.ROW_VAT_PERCENT,
            paths.ROW_VAT,
            paths.ROW_VAT_EXCLUDED,
            paths.ROW_AMOUNT,
        )
    )
}
"""The row children read, by tag → their place among one row's texts (see `_row_texts`)."""
_NO_FIELDS: list[str | None] = [None] * len(_ROW_SLOTS)
_ROW_AMOUNTS = (
    paths.UNIT_PRICE,
    paths.ROW_VAT_PERCENT,
    paths.ROW_VAT,
    paths.ROW_VAT_EXCLUDED,
    paths.ROW_AMOUNT,
)
"""A row's amounts after its quantity, in the order they are read."""


def _row_texts(
    root: etree._Element,
) -> tuple[list[etree._Element], list[str | None], list[str | None]]:
    """The invoice's rows, their fields' texts and their quantities' units, from one walk.

    lxml's tag-filtered `iter` walks the invoice in C and hands over only the rows
    and the elements a row reads, where a pass over every row's children made a
    Python object of each; what it finds outside a row, or deeper inside one, is
    not the row's child and is passed over. Row N's field in slot n (`_ROW_SLOTS`)
    is `texts[8 * (N - 1) + n]`: the text of the row's first child of that tag, ""
    when it has none, None when there is no such child. Only the texts are kept:
    holding the elements kept the garbage collector busy on a long invoice (where
    a field was read is found again from its row, see `Locations.note_rows`).
    """
    rows: list[etree._Element] = []
    texts: list[str | None] = []
    units: list[str | None] = []
    slot = _ROW_SLOTS.get
    current: etree._Element | None = None
    at = 0
    for element in root.iter(paths.ROW, *_ROW_SLOTS):
        tag = element.tag
        if tag == paths.ROW:
            if element.getparent() is root:
                current = element
                rows.append(element)
                at = len(texts)
                texts += _NO_FIELDS
                units.append(None)
        elif current is not None:
            n = slot(tag)
            if n is not None and texts[at + n] is None and element.getparent() is current:
                texts[at + n] = element.text or ""
                if n == 1 or (n == 2 and texts[at + 1] is None):
                    # InvoicedQuantity's unit, else DeliveredQuantity's.
                    units[-1] = element.get(paths.UNIT)
    return rows, texts, units


def _amount_elements(rows: list[etree._Element]) -> list[etree._Element | None]:
    """The rows' amount elements in reading order, for `Fields.filled_amounts` to name a bad one."""
    found: list[etree._Element | None] = []
    for row in rows:
        children = first_children(row)
        quantity = children.get(paths.INVOICED_QUANTITY)
        if quantity is None:
            quantity = children.get(paths.DELIVERED_QUANTITY)
        found += quantity, *(children.get(tag) for tag in _ROW_AMOUNTS)
    return found


def _rows(f: Fields) -> list[Row]:
    # The rows' texts from one walk (see `_row_texts`), and all their amounts read
    # together (see `amount_values`). A blank or bad amount sends them all through
    # `Fields.filled_amounts` in the order they were read one by one before, so a
    # bad amount is named as it was.
    found, texts, units = _row_texts(f.part.root)
    amounts: list[str | None] = []
    for at in range(0, len(texts), len(_ROW_SLOTS)):
        invoiced = texts[at + 1]
        amounts += texts[at + 2] if invoiced is None else invoiced, *texts[at + 3 : at + 8]
    values = amount_values(amounts, comma=True)
    if values is None:
        values = f.filled_amounts(_amount_elements(found), comma=True)
    rows: list[Row] = []
    for position, unit in enumerate(units, start=1):
        at = 6 * position
        quantity, unit_price, vat_percent, vat_amount, vat_excluded, amount = values[at - 6 : at]
        article = texts[8 * position - 8]
        rows.append(
            Row(
                position,
                (article.strip() or None) if article else None,
                quantity,
                None if quantity is None else unit,
                unit_price,
                vat_percent,
                vat_amount,
                vat_excluded,
                amount,
            )
        )
    f.locations.note_rows(found, _ROW_FIELDS)
    return rows


def _charges(f: Fields, details: etree._Element, version: str | None) -> list[DocumentCharge]:
    """Finvoice 3.0's document-level `DiscountDetails` and `ChargeDetails`, in document order.

    Their amounts are VAT excluded, with the VAT at `VatRatePercent`. Row-level
    discounts and charges are already inside each row's amounts. Before 3.0 only
    `DiscountDetails` exists, without a VAT rate, and the total is the rows' alone
    (see `paths.COUNTED_CHARGES_FROM`): nothing is read.
    """
    if version is None or not version.startswith(paths.COUNTED_CHARGES_FROM):
        return []
    found: list[DocumentCharge] = []
    for block in details.iterchildren(paths.DISCOUNT, paths.CHARGE):
        n = len(found) + 1
        f.note(f"charges.{n}", block)
        allowance = block.tag == paths.DISCOUNT
        reason = paths.DISCOUNT_REASON if allowance else paths.CHARGE_REASON
        found.append(
            DocumentCharge(
                allowance=allowance,
                reason=f.text(None, reason, block) or f.text(None, paths.CHARGE_REASON_CODE, block),
                amount=f.amount(f"charges.{n}.amount", paths.CHARGE_AMOUNT, block, comma=True),
                vat_percent=f.amount(
                    f"charges.{n}.vat_percent", paths.CHARGE_VAT_PERCENT, block, comma=True
                ),
            )
        )
    return found


def _channel(f: Fields, invoice: Invoice, frame: Part | None) -> tuple[Channel, list[str]]:
    """Consumer e-invoice to a netbank, after SPEC §1 / FIELDS.md §11."""
    if invoice.buyer_is_business:
        return Channel.B2B, []
    signals: list[str] = ["buyer has no business identifier"]
    bank_signals: list[str] = []
    to_intermediator = f.text(
        "transmission.to_intermediator",
        paths.TO_INTERMEDIATOR,
    )
    if looks_like_bic(to_intermediator):
        bank_signals.append(f"receiver intermediator {to_intermediator} is a BIC")
    if frame is not None:
        for party in frame_intermediators(frame.root):
            if looks_like_bic(party):
                bank_signals.append(f"transmission frame's receiver intermediator {party} is a BIC")
    to_identifier = f.text(
        "transmission.to_identifier",
        paths.TO_IDENTIFIER,
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
    f = Fields(part)
    locations = f.locations
    version = root.get(paths.VERSION)
    details = f.element("details", paths.DETAILS)
    if details is None:
        raise UnreadableField(
            "the invoice has no InvoiceDetails", line=part.line(root), xpath="/Finvoice"
        )
    currencies = _currencies(part, f)
    total_el = f.element("total", paths.TOTAL, details)
    total = f.amount("total", paths.TOTAL, details, comma=True)
    currency = total_el.get(paths.CURRENCY) if total_el is not None else None

    terms_due = None
    for terms in f.findall(paths.PAYMENT_TERMS, details):
        due = f.date("terms_due_date", paths.TERMS_DUE_DATE, terms, compact=True)
        if due is not None:
            terms_due = due
            break
    epi = f.find(paths.EPI)
    instruction = f.find(paths.EPI_INSTRUCTION, epi) if epi is not None else None
    epi_due = (
        f.date("payment.due_date", paths.EPI_DUE_DATE, instruction, compact=True)
        if instruction is not None
        else None
    )
    reference_el = (
        f.element("payment.reference", paths.EPI_REMITTANCE, instruction)
        if instruction is not None
        else None
    )
    account_el = f.element("payment.iban", paths.EPI_ACCOUNT_PATH, epi) if epi is not None else None
    bic_el = f.element("payment.bic", paths.EPI_BIC_PATH, epi) if epi is not None else None
    payment = Payment(
        iban=(account_el.text or "").strip() or None if account_el is not None else None,
        iban_scheme=account_el.get(paths.SCHEME) if account_el is not None else None,
        bic=(bic_el.text or "").strip() or None if bic_el is not None else None,
        beneficiary=f.text(
            "payment.beneficiary",
            paths.EPI_PAYEE_PATH,
            epi,
        )
        if epi is not None
        else None,
        reference=(reference_el.text or "").strip() or None if reference_el is not None else None,
        reference_scheme=reference_el.get(paths.SCHEME) if reference_el is not None else None,
        amount=f.amount("payment.amount", paths.EPI_AMOUNT, instruction, comma=True)
        if instruction is not None
        else None,
        due_date=epi_due,
        instruction_id=f.text("payment.instruction_id", paths.EPI_INSTRUCTION_ID, instruction)
        if instruction is not None
        else None,
    )
    if terms_due is not None:
        locations.alias("due_date", "terms_due_date")
    else:
        locations.alias("due_date", "payment.due_date")

    accounts = [
        Account(
            account=f.text(None, paths.SELLER_ACCOUNT_ID, block),
            scheme=(
                acc.get(paths.SCHEME)
                if (acc := f.find(paths.SELLER_ACCOUNT_ID, block)) is not None
                else None
            ),
            bic=f.text(None, paths.SELLER_BIC, block),
        )
        for block in f.findall(paths.SELLER_ACCOUNTS)
    ]
    for n, block in enumerate(f.findall(paths.SELLER_ACCOUNTS), start=1):
        f.element(f"seller_accounts.{n}.account", paths.SELLER_ACCOUNT_ID, block)
        f.element(f"seller_accounts.{n}.bic", paths.SELLER_BIC, block)

    fine_percent = None
    fine_fixed = None
    free_texts: list[str] = []
    for terms in f.findall(paths.PAYMENT_TERMS, details):
        fine = f.find(paths.FINE, terms)
        if fine is not None:
            fine_percent = fine_percent or f.amount(
                "penalty_interest", paths.FINE_PERCENT, fine, comma=True
            )
            fine_fixed = fine_fixed or f.amount(
                "penalty_interest", paths.FINE_FIXED, fine, comma=True
            )
            free_texts += f.texts(paths.FINE_FREE_TEXT, fine)
        free_texts += f.texts(paths.TERMS_FREE_TEXT, terms)
    free_texts += f.texts(paths.INVOICE_FREE_TEXT, details)
    free_texts += f.texts(paths.SPECIFICATION_FREE_TEXT)
    interest_text = next((t for t in free_texts if _INTEREST_WORDS.search(t)), None)

    vat_lines = [
        VatLine(
            percent=f.amount("vat.percent", paths.VAT_PERCENT, spec, comma=True),
            base=f.amount("vat.base", paths.VAT_BASE, spec, comma=True),
            amount=f.amount("vat.amount", paths.VAT_AMOUNT, spec, comma=True),
        )
        for spec in f.findall(paths.VAT_SPECIFICATION, details)
    ]
    recipient = _party(f, paths.RECIPIENT, paths.RECIPIENT_PREFIX, "recipient")
    invoice = Invoice(
        format="finvoice-1.3" if (version or "").startswith("1.") else f"finvoice-{version}",
        version=version,
        type_code=f.text("type_code", paths.TYPE_CODE, details),
        number=f.text("number", paths.NUMBER, details),
        issue_date=f.date("issue_date", paths.DATE, details, compact=True),
        due_date=terms_due or epi_due,
        terms_due_date=terms_due,
        currency=(currency or "").strip() or (currencies[0] if currencies else None),
        currencies=currencies,
        total=total,
        total_vat_excluded=f.amount(
            "total_vat_excluded", paths.TOTAL_VAT_EXCLUDED, details, comma=True
        ),
        total_vat=f.amount("total_vat", paths.TOTAL_VAT, details, comma=True),
        rounding=f.amount("rounding", paths.ROUNDING, details, comma=True),
        paid_amount=f.amount("paid_amount", paths.PAID, details, comma=True),
        credited_invoice=next(
            filter(None, (f.text("credited_invoice", p, details) for p in paths.CREDITED)), None
        ),
        rows=_rows(f),
        charges=_charges(f, details, version),
        vat_lines=vat_lines,
        seller=_party(f, paths.SELLER, paths.SELLER_PREFIX, "seller") or Party(),
        seller_accounts=accounts,
        buyer=_party(f, paths.BUYER, paths.BUYER_PREFIX, "buyer") or Party(),
        recipient=recipient,
        language=f.text("language", paths.LANGUAGE),
        payment=payment,
        penalty_interest_percent=fine_percent,
        penalty_fixed_amount=fine_fixed,
        interest_in_free_text=interest_text,
        payment_terms_text=next(
            iter(f.texts(f"{paths.PAYMENT_TERMS}/{paths.TERMS_FREE_TEXT}", details)), None
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
