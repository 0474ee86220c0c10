"""Finvoice 1.3 / 2.0 / 2.01 / 3.0 → the normalised invoice.

No element the toolkit reads was renamed between 1.3 and 3.0 (FIELDS.md §14),
so one adapter serves every version; only presence and cardinality differ.
Amounts carry a decimal comma and dates are `CCYYMMDD`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date

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
    text_of,
    written_alone,
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


def _first(index: Mapping[str, list[etree._Element]], tag: str) -> etree._Element | None:
    """The first of `index[tag]` (see `Fields.children`), or None."""
    found = index.get(tag)
    return found[0] if found else None


def _take(
    note: Callable[[str, etree._Element], None],
    index: Mapping[str, list[etree._Element]],
    key: str,
    tag: str,
) -> etree._Element | None:
    """The first of `index[tag]`, noted as `key` (as `Fields.element`), or None."""
    found = index.get(tag)
    if not found:
        return None
    note(key, found[0])
    return found[0]


def _texts(elements: Iterable[etree._Element]) -> list[str]:
    """The non-empty stripped texts of `elements`, in order."""
    return [t for t in ((e.text or "").strip() for e in elements) if t]


def _date(f: Fields, element: etree._Element | None) -> date | None:
    """The compact date `element` holds; None when it is absent or empty (as `Fields.date`)."""
    return f.date_of(element, compact=True) if element is not None and text_of(element) else None


_NOTHING: Mapping[str, list[etree._Element]] = {}
"""The children of an absent element."""


class _PartyNames:
    """One party's element names and location keys, spelled once per run, not per invoice."""

    __slots__ = (
        "address",
        "address_key",
        "business_id_key",
        "country_key",
        "element",
        "identifier",
        "key",
        "name",
        "name_key",
        "po_box",
        "postcode",
        "postcode_key",
        "street",
        "street_key",
        "town",
        "town_key",
        "vat",
        "vat_key",
    )

    def __init__(self, element: str, prefix: str, key: str) -> None:
        self.element = element
        self.key = key
        self.identifier = f"{prefix}{paths.PARTY_ID}"
        self.name = f"{prefix}{paths.PARTY_NAME}"
        self.vat = f"{prefix}{paths.PARTY_VAT}"
        self.address = f"{prefix}{paths.ADDRESS}"
        self.street = f"{prefix}{paths.STREET}"
        self.town = f"{prefix}{paths.TOWN}"
        self.postcode = f"{prefix}{paths.POSTCODE}"
        self.po_box = f"{prefix}{paths.PO_BOX}"
        self.business_id_key = f"{key}.business_id"
        self.name_key = f"{key}.name"
        self.vat_key = f"{key}.vat_code"
        self.address_key = f"{key}.address"
        self.street_key = f"{key}.address.street"
        self.town_key = f"{key}.address.town"
        self.postcode_key = f"{key}.address.postcode"
        self.country_key = f"{key}.address.country"


_SELLER = _PartyNames(paths.SELLER, paths.SELLER_PREFIX, "seller")
_BUYER = _PartyNames(paths.BUYER, paths.BUYER_PREFIX, "buyer")
_RECIPIENT = _PartyNames(paths.RECIPIENT, paths.RECIPIENT_PREFIX, "recipient")


def _address(
    f: Fields, party: Mapping[str, list[etree._Element]], names: _PartyNames
) -> Address | None:
    block = _first(party, names.address)
    if block is None:
        return None
    note = f.locations.note
    note(names.address_key, block)
    at = f.children(block)
    streets = at.get(names.street)
    if streets:
        note(names.street_key, streets[0])
    town = _take(note, at, names.town_key, names.town)
    postcode = _take(note, at, names.postcode_key, names.postcode)
    country = _take(note, at, names.country_key, paths.COUNTRY)
    return Address(
        streets=_texts(streets or ()),
        town=text_of(town),
        postcode=text_of(postcode),
        country=text_of(country),
        po_box=text_of(_first(at, names.po_box)),
    )


def _party(f: Fields, top: Mapping[str, list[etree._Element]], names: _PartyNames) -> Party | None:
    base = _first(top, names.element)
    if base is None:
        return None
    note = f.locations.note
    note(names.key, base)
    at = f.children(base)
    identifier = _take(note, at, names.business_id_key, names.identifier)
    business_id = text_of(identifier)
    # Finvoice 3.0 may name the identifier's ISO 6523 scheme (`SchemeID`).
    scheme = (
        (identifier.get("SchemeID") or "").strip() if identifier is not None and business_id else ""
    )
    name = _take(note, at, names.name_key, names.name)
    vat = _take(note, at, names.vat_key, names.vat)
    return Party(
        name=text_of(name),
        business_id=business_id,
        business_id_scheme=scheme or None,
        vat_code=text_of(vat),
        address=_address(f, at, names),
    )


_DETAILS = (
    ("type_code", paths.TYPE_CODE),
    ("number", paths.NUMBER),
    ("issue_date", paths.DATE),
    ("total_vat_excluded", paths.TOTAL_VAT_EXCLUDED),
    ("total_vat", paths.TOTAL_VAT),
    ("rounding", paths.ROUNDING),
    ("paid_amount", paths.PAID),
)
"""The invoice's own fields under InvoiceDetails, by location key, in the order they are read."""


_DISTINCT_CURRENCIES = etree.XPath(
    f"set:distinct(descendant-or-self::*/@{paths.CURRENCY})",
    namespaces={"set": "http://exslt.org/sets"},
    smart_strings=False,
)
_CURRENCY_ELEMENTS = etree.XPath(f"descendant-or-self::*[@{paths.CURRENCY}]")


def _currencies(part: Part, f: Fields, written: str | None) -> list[str]:
    # The total's currency (`written`), written alike on every amount, is answered
    # from the bytes (see `written_alone`). Otherwise one XPath query in C (EXSLT's
    # set:distinct keeps the first of each written code) instead of a Python pass
    # over every element of the invoice. The distinct stripped codes (unordered:
    # used only when there is one) answer a one-currency invoice, and the elements,
    # in document order, are looked up only to place a mix.
    if written and written_alone(part, paths.CURRENCY, written):
        return [written]
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


_ROW_AMOUNTS = tuple(_ROW_FIELDS.values())
"""A row's amounts after its quantity, in the order they are read."""
_ARTICLE, _INVOICED, _DELIVERED, _FIRST_AMOUNT = range(4)
_ROW_SLOTS = {
    tag: n
    for n, tag in enumerate(
        (paths.ARTICLE_NAME, paths.INVOICED_QUANTITY, paths.DELIVERED_QUANTITY, *_ROW_AMOUNTS)
    )
}
"""The row children read, by tag → their place among one row's texts (see `_row_texts`)."""
_WIDTH = len(_ROW_SLOTS)
"""A row's texts in `_row_texts`."""
_NO_FIELDS: list[str | None] = [None] * _WIDTH
_VALUES = 1 + len(_ROW_AMOUNTS)
"""A row's amounts in `_rows`: its quantity, then `_ROW_AMOUNTS`."""


def _row_texts(
    root: etree._Element,
) -> tuple[list[etree._Element], list[str | None], list[str | None]]:
    """The invoice's rows, their fields' texts and their quantities' units, from one walk.

    lxml's tag-filtered `iter` walks the invoice in C and hands over only the rows
    and the elements a row reads, where a pass over every row's children made a
    Python object of each; what it finds outside a row, or deeper inside one, is
    not the row's child and is passed over. Row N's field in slot n (`_ROW_SLOTS`)
    is `texts[_WIDTH * (N - 1) + n]`: the text of the row's first child of that tag, ""
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
                if n == _INVOICED or (n == _DELIVERED and texts[at + _INVOICED] is None):
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
    for at in range(0, len(texts), _WIDTH):
        invoiced = texts[at + _INVOICED]
        amounts += (
            texts[at + _DELIVERED] if invoiced is None else invoiced,
            *texts[at + _FIRST_AMOUNT : at + _WIDTH],
        )
    values = amount_values(amounts, comma=True)
    if values is None:
        values = f.filled_amounts(_amount_elements(found), comma=True)
    rows: list[Row] = []
    for n, unit in enumerate(units):
        at = _VALUES * n
        quantity, unit_price, vat_percent, vat_amount, vat_excluded, amount = values[
            at : at + _VALUES
        ]
        article = texts[_WIDTH * n + _ARTICLE]
        rows.append(
            Row(
                n + 1,
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
    at = f.children(details)
    if paths.DISCOUNT not in at and paths.CHARGE not in at:
        return []  # the usual invoice: no block to put in document order
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
    """Read a Finvoice document (any supported version) into an `Invoice`.

    Each parent the invoice is read from has its children indexed once (see
    `Fields.children`) and each field is a look-up there: the header holds some
    hundred elements and a path search per field cost more than reading them.
    Values are read, and a bad one raised, in the order they always were, so that
    the first bad field of an invoice is the one named.
    """
    part = document.part
    root = part.root
    f = Fields(part)
    locations = f.locations
    note = locations.note
    children = f.children
    amount = f.filled_amount
    version = root.get(paths.VERSION)
    top = children(root)
    details = _first(top, paths.DETAILS)
    if details is None:
        raise UnreadableField(
            "the invoice has no InvoiceDetails", line=part.line(root), xpath="/Finvoice"
        )
    note("details", details)
    at = children(details)
    total_el = _take(note, at, "total", paths.TOTAL)
    currency = total_el.get(paths.CURRENCY) if total_el is not None else None
    currencies = _currencies(part, f, currency)
    total = amount(total_el, comma=True)

    terms = [children(block) for block in at.get(paths.PAYMENT_TERMS, ())]
    terms_due = None
    for block in terms:
        terms_due = _date(f, _take(note, block, "terms_due_date", paths.TERMS_DUE_DATE))
        if terms_due is not None:
            break
    epi = _first(top, paths.EPI)
    epi_due = None
    if epi is None:
        payment = Payment()
    else:
        instruction = _first(children(epi), paths.EPI_INSTRUCTION)
        given = _NOTHING if instruction is None else children(instruction)
        epi_due = _date(f, _take(note, given, "payment.due_date", paths.EPI_DUE_DATE))
        reference = _take(note, given, "payment.reference", paths.EPI_REMITTANCE)
        account = f.element("payment.iban", paths.EPI_ACCOUNT_PATH, epi)
        bic = f.element("payment.bic", paths.EPI_BIC_PATH, epi)
        beneficiary = f.text("payment.beneficiary", paths.EPI_PAYEE_PATH, epi)
        instructed = _take(note, given, "payment.amount", paths.EPI_AMOUNT)
        instruction_id = _take(note, given, "payment.instruction_id", paths.EPI_INSTRUCTION_ID)
        payment = Payment(
            iban=text_of(account),
            iban_scheme=account.get(paths.SCHEME) if account is not None else None,
            bic=text_of(bic),
            beneficiary=beneficiary,
            reference=text_of(reference),
            reference_scheme=reference.get(paths.SCHEME) if reference is not None else None,
            amount=amount(instructed, comma=True),
            due_date=epi_due,
            instruction_id=text_of(instruction_id),
        )
    if terms_due is not None:
        locations.alias("due_date", "terms_due_date")
    else:
        locations.alias("due_date", "payment.due_date")

    accounts: list[Account] = []
    for n, held_by in enumerate(f.findall(paths.SELLER_ACCOUNTS), start=1):
        held = children(held_by)
        account = _first(held, paths.SELLER_ACCOUNT_ID)
        bic = _first(held, paths.SELLER_BIC)
        accounts.append(
            Account(
                account=text_of(account),
                scheme=account.get(paths.SCHEME) if account is not None else None,
                bic=text_of(bic),
            )
        )
        if account is not None:
            note(f"seller_accounts.{n}.account", account)
        if bic is not None:
            note(f"seller_accounts.{n}.bic", bic)

    fine_percent = None
    fine_fixed = None
    free_texts: list[str] = []
    terms_text = None
    for block in terms:
        fine = _first(block, paths.FINE)
        if fine is not None:
            given = children(fine)
            if not fine_percent:
                percent = _take(note, given, "penalty_interest", paths.FINE_PERCENT)
                fine_percent = amount(percent, comma=True)
            if not fine_fixed:
                fixed = _take(note, given, "penalty_interest", paths.FINE_FIXED)
                fine_fixed = amount(fixed, comma=True)
            free_texts += _texts(given.get(paths.FINE_FREE_TEXT, ()))
        texts = _texts(block.get(paths.TERMS_FREE_TEXT, ()))
        if texts and terms_text is None:
            terms_text = texts[0]
        free_texts += texts
    free_texts += _texts(at.get(paths.INVOICE_FREE_TEXT, ()))
    free_texts += f.texts(paths.SPECIFICATION_FREE_TEXT)
    interest_text = next((t for t in free_texts if _INTEREST_WORDS.search(t)), None)

    vat_lines: list[VatLine] = []
    for spec in at.get(paths.VAT_SPECIFICATION, ()):
        given = children(spec)
        percent = _take(note, given, "vat.percent", paths.VAT_PERCENT)
        vat_percent = amount(percent, comma=True)
        base = _take(note, given, "vat.base", paths.VAT_BASE)
        vat_base = amount(base, comma=True)
        vat = _take(note, given, "vat.amount", paths.VAT_AMOUNT)
        vat_lines.append(
            VatLine(percent=vat_percent, base=vat_base, amount=amount(vat, comma=True))
        )
    recipient = _party(f, top, _RECIPIENT)

    type_code, number, issued, *totals = [_take(note, at, key, tag) for key, tag in _DETAILS]
    issue_date = _date(f, issued)
    total_vat_excluded, total_vat, rounding, paid = (amount(e, comma=True) for e in totals)
    credited = None
    for expr in paths.CREDITED:
        credited = f.text("credited_invoice", expr, details)
        if credited:
            break

    invoice = Invoice(
        format="finvoice-1.3" if (version or "").startswith("1.") else f"finvoice-{version}",
        version=version,
        type_code=text_of(type_code),
        number=text_of(number),
        issue_date=issue_date,
        due_date=terms_due or epi_due,
        terms_due_date=terms_due,
        currency=(currency or "").strip() or (currencies[0] if currencies else None),
        currencies=currencies,
        total=total,
        total_vat_excluded=total_vat_excluded,
        total_vat=total_vat,
        rounding=rounding,
        paid_amount=paid,
        credited_invoice=credited,
        rows=_rows(f),
        charges=_charges(f, details, version),
        vat_lines=vat_lines,
        seller=_party(f, top, _SELLER) or Party(),
        seller_accounts=accounts,
        buyer=_party(f, top, _BUYER) or Party(),
        recipient=recipient,
        language=f.text("language", paths.LANGUAGE),
        payment=payment,
        penalty_interest_percent=fine_percent,
        penalty_fixed_amount=fine_fixed,
        interest_in_free_text=interest_text,
        payment_terms_text=terms_text,
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
