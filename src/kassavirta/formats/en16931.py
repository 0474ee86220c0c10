"""What the EN 16931 formats (Peppol BIS 3.0 UBL and CII) share, and TEAPPSXML borrows.

UBL and CII carry the same semantic model in two vocabularies: the same
document type codes, the same ISO 6523 identifier schemes, VAT-excluded lines
(so the sum rule needs each line's VAT at its rate), one document currency, and
payment accounts that double as the seller's account list. TEAPPSXML's payment
blocks work the same way, so its reader uses the account and party helpers too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from lxml import etree

from kassavirta.finnish.business_id import implied_business_id
from kassavirta.finnish.business_id import is_valid as _valid_ytunnus
from kassavirta.formats.xml import Fields, check_currencies, text_of
from kassavirta.model import Account, Channel, DocumentCharge, Invoice, Payment, Row, vat_at

CREDIT_NOTE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)
"""UNTDID 1001 document type codes that mean a credit note (UBL and CII alike)."""

INTEREST_WORDS = re.compile(
    r"viiv[äa]stys|korko|dröjsmålsränta|\bränta|interest|penalty|verzug|intérêt",
    re.IGNORECASE,
)
"""Words that show free text speaks of late-payment interest (fi, sv, en, de, fr)."""

FINNISH_SCHEMES = frozenset({"0037", "0212", "0213", "0216"})
"""ISO 6523 ICDs that carry a Finnish business ID: 0037 and 0216 (OVT code),
0212 (Y-tunnus), 0213 (Finnish VAT number)."""

_OVT = re.compile(r"0037([0-9]{7})([0-9])[0-9A-Za-z]{0,5}")


def finnish_business_id(value: str | None, scheme: str | None = None) -> str | None:
    """A Finnish business ID written as an OVT code (or VAT number) → `nnnnnnn-n`.

    An OVT code is `0037` + the Y-tunnus's eight digits (+ up to five characters
    naming a unit). It is rewritten only when it clearly is one: the scheme is
    absent or Finnish, and the eight digits carry a valid Y-tunnus check digit.
    Anything else is returned as written, so that `business-id-invalid` can say so.
    """
    if value is None:
        return None
    raw = value.strip()
    compact = raw.replace(" ", "")
    if scheme in (None, "", "0037", "0216"):
        ovt = _OVT.fullmatch(compact)
        if ovt and _valid_ytunnus(f"{ovt.group(1)}-{ovt.group(2)}"):
            return f"{ovt.group(1)}-{ovt.group(2)}"
    if scheme == "0213":
        implied = implied_business_id(compact if compact[:2].upper() == "FI" else f"FI{compact}")
        if implied and _valid_ytunnus(implied):
            return implied
    return raw or None


def first_business_id(f: Fields, key: str, candidates: list[etree._Element]) -> str | None:
    """The first candidate with text, noted as `{key}.business_id` and read by its scheme."""
    return first_identifier(f, key, [(e, None) for e in candidates])[0]


def first_identifier(
    f: Fields, key: str, candidates: list[tuple[etree._Element, str | None]]
) -> tuple[str | None, str | None]:
    """`first_business_id` with the identifier's scheme: its `schemeID`, else the one the
    candidate's element implies (`model.LEGAL_REGISTRATION`, `model.PARTNER_ASSIGNED`)."""
    for element, unschemed in candidates:
        value = text_of(element)
        if value:
            f.note(f"{key}.business_id", element)
            scheme = (element.get("schemeID") or "").strip() or None
            return finnish_business_id(value, scheme), scheme or unschemed
    return None, None


def measured(f: Fields, quantity: etree._Element | None) -> tuple[Decimal | None, str | None]:
    """A line's quantity and its unit code (`unitCode`), as UBL and CII both write them."""
    if quantity is None:
        return None, None
    return (f.amount_of(quantity, comma=False) if text_of(quantity) else None), quantity.get(
        "unitCode"
    )


def net_row(
    position: int,
    measure: tuple[Decimal | None, str | None],
    *,
    article: str | None,
    net: Decimal | None,
    percent: Decimal | None,
    unit_price: Decimal | None,
) -> Row:
    """A VAT-excluded line as a row, with its VAT at its rate (what the sum rule adds)."""
    return Row(
        index=position,
        article=article,
        quantity=measure[0],
        unit=measure[1],
        unit_price=unit_price,
        vat_percent=percent,
        vat_amount=vat_at(net, percent),
        vat_excluded=net,
    )


def interest_text(texts: Iterable[str]) -> str | None:
    return next((t for t in texts if INTEREST_WORDS.search(t)), None)


def b2b_or_other(invoice: Invoice) -> tuple[Channel, list[str]]:
    """B2B unless the buyer has no identifier. The netbank signals are Finvoice's own."""
    if invoice.buyer_is_business:
        return Channel.B2B, []
    return Channel.B2C_OTHER, ["buyer has no business identifier"]


def amount_currencies(
    f: Fields,
    root: etree._Element,
    declared: etree._Element | None,
    tax_currency: str | None,
    is_tax_total: Callable[[etree._Element], bool],
) -> list[str]:
    """The document currency and every `currencyID`, which must all agree.

    The one exception is the VAT total given a second time in the tax currency
    (BT-111), which may differ.
    """
    found: list[tuple[str, etree._Element]] = []
    if declared is not None and text_of(declared):
        found.append(((declared.text or "").strip(), declared))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        code = (element.get("currencyID") or "").strip()
        if code and not (code == tax_currency and is_tax_total(element)):
            found.append((code, element))
    return check_currencies(f, found)


FoundAccount = tuple[etree._Element, etree._Element | None, Account]
"""An account as read: its number's element, its BIC's element, and the account."""


def iban_or_bban(
    iban: etree._Element | None, bban: etree._Element | None, bic: etree._Element | None
) -> FoundAccount | None:
    """The IBAN when it has a number, else the other (BBAN) one; None when neither has."""
    number = iban if text_of(iban) else bban
    if number is None or not text_of(number):
        return None
    scheme = "IBAN" if number is iban else "BBAN"
    return (number, bic, Account(account=text_of(number), scheme=scheme, bic=text_of(bic)))


def split_accounts(
    f: Fields,
    found: list[FoundAccount],
    payment: Payment,
    payee: Callable[[], str | None] | None = None,
) -> list[Account]:
    """The first account is the payment's; the others are the seller's further accounts.

    In UBL, CII and TEAPPSXML the payment account and the seller's account list are
    the same elements, so the first is kept only as `payment`: the IBAN and BIC
    warnings then name each element once. `payee` reads the payee party's name,
    which, when there is one, is the beneficiary rather than the account's name.
    """
    if found:
        (id_el, bic_el, first), *others = found
        f.note("payment.iban", id_el)
        if bic_el is not None:
            f.note("payment.bic", bic_el)
        payment.iban, payment.iban_scheme, payment.bic = first.account, first.scheme, first.bic
        for n, (other_id, other_bic, _) in enumerate(others, start=1):
            f.note(f"seller_accounts.{n}.account", other_id)
            if other_bic is not None:
                f.note(f"seller_accounts.{n}.bic", other_bic)
    named = payee() if payee is not None else None
    if named is not None:
        payment.beneficiary = named
    return [account for _, _, account in found[1:]]


def document_charge(
    *, charge: bool, amount: Decimal | None, reason: str | None, percent: Decimal | None
) -> DocumentCharge:
    """A document-level AllowanceCharge (BG-20/BG-21): VAT excluded, its VAT at its rate."""
    return DocumentCharge(
        allowance=not charge,
        reason=reason,
        amount=amount,
        vat_percent=percent,
        vat_amount=vat_at(amount, percent),
    )


def invoice_of(
    *,
    currency: str | None,
    currencies: list[str],
    total: Decimal,
    rounding: Decimal | None,
    rows: list[Row],
    charges: list[DocumentCharge],
    total_vat: Decimal | None,
    **fields: Any,
) -> Invoice:
    """The invoice, with what UBL and CII compute alike from their totals.

    `total` is BT-112 (before rounding). The model's total includes the rounding
    (BT-112 + BT-114). The rows and the document-level charges carry their VAT at
    their rates, each to the cent; `rows_adjustment` is the part of the tax total
    (BT-110) that this VAT does not explain, so that rows + charges − allowances +
    adjustment = Σ line net + charges − allowances + tax total (the sum rule,
    BR-CO-10/13/15). The currency is the declared one, else the amounts'.
    """
    rows_vat = sum((r.vat_amount for r in rows if r.vat_amount is not None), Decimal(0))
    charges_vat = sum(
        (
            -c.vat_amount if c.allowance else c.vat_amount
            for c in charges
            if c.amount is not None and c.vat_amount is not None
        ),
        Decimal(0),
    )
    invoice = Invoice(
        currency=currency or (currencies[0] if currencies else None),
        currencies=currencies,
        total=total + (rounding or Decimal(0)),
        rounding=rounding,
        total_vat=total_vat,
        rows=rows,
        rows_adjustment=(total_vat or Decimal(0)) - rows_vat - charges_vat,
        charges=charges,
        **fields,
    )
    invoice.channel, invoice.channel_signals = b2b_or_other(invoice)
    return invoice
