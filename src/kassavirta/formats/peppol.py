"""Peppol BIS Billing 3.0 (UBL 2.1 `Invoice` and `CreditNote`) → the normalised invoice.

UBL amounts carry a decimal point and dates are ISO 8601 (`2026-12-21`).

**The sum rule.** UBL lines are VAT-excluded: `cbc:LineExtensionAmount` is the
line's net amount (BT-131), after line allowances and charges. The check that
mirrors the service's "the sum of the invoice rows must match the invoice
total" is therefore

    Σ line net + Σ document charges − Σ document allowances + tax total  =  TaxInclusiveAmount

(EN 16931 BR-CO-10/13/15 chained). Each `Row` carries its net amount as
`vat_excluded`, and its VAT as `vat_amount` when the line's rate is given (net ×
rate, to the cent); `Invoice.rows_adjustment` carries the document-level
allowances and charges plus the part of the tax total that the rows' own VAT does
not explain, so that `rows + rows_adjustment + rounding = total` holds exactly
when the equation above does.

**The total.** The model's `total` is Finvoice's `InvoiceTotalVatIncludedAmount`,
which includes the rounding. UBL keeps the rounding (`cbc:PayableRoundingAmount`,
BT-114) out of `TaxInclusiveAmount` (BT-112) and adds it only to `PayableAmount`
(BT-115 = BT-112 − BT-113 prepaid + BT-114), so `total` = BT-112 + BT-114 (just
BT-112 when, as usual, there is no rounding), `paid_amount` = BT-113 and
`payment.amount` = BT-115; the `instructed-amount-mismatch` warning then checks
BT-115 = BT-112 − BT-113 + BT-114.

The Peppol BIS 3.0 business rules (its Schematron) are not checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from kassavirta.errors import UnreadableField
from kassavirta.formats.base import Fields, missing, streets, text_of
from kassavirta.formats.detect import UBL_CBC
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
from kassavirta.pipeline.read import Document

UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": UBL_CBC, "cac": UBL_CAC}

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
_FI_VAT = re.compile(r"(?:FI)?([0-9]{7})([0-9])", re.IGNORECASE)
_CENT = Decimal("0.01")


def _valid_ytunnus(candidate: str) -> bool:
    from stdnum.fi import ytunnus

    return bool(ytunnus.is_valid(candidate))


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
        vat = _FI_VAT.fullmatch(compact)
        if vat and _valid_ytunnus(f"{vat.group(1)}-{vat.group(2)}"):
            return f"{vat.group(1)}-{vat.group(2)}"
    return raw or None


def first_business_id(f: Fields, key: str, candidates: list[etree._Element]) -> str | None:
    """The first candidate with text, noted as `{key}.business_id` and read by its scheme."""
    for element in candidates:
        value = text_of(element)
        if value:
            f.note(f"{key}.business_id", element)
            return finnish_business_id(value, element.get("schemeID"))
    return None


def line_vat(net: Decimal | None, percent: Decimal | None) -> Decimal | None:
    """The VAT of a VAT-excluded line at its rate, to the cent (half up)."""
    if net is None or percent is None:
        return None
    return (net * percent / Decimal(100)).quantize(_CENT, rounding=ROUND_HALF_UP)


def check_currencies(f: Fields, found: Iterable[tuple[str, etree._Element]]) -> list[str]:
    """The distinct currencies the amounts use; more than one is `unreadable-field`."""
    seen: dict[str, etree._Element] = {}
    for code, element in found:
        if code and code not in seen:
            seen[code] = element
    if len(seen) > 1:
        first, (odd_code, odd) = next(iter(seen)), list(seen.items())[1]
        where = f.where(odd)
        raise UnreadableField(
            f"the invoice mixes currencies ({', '.join(seen)}); first {first}, then {odd_code} here",
            path=f.path,
            line=where.line,
            xpath=where.xpath,
            value=odd_code,
        )
    return list(seen)


def interest_text(texts: Iterable[str]) -> str | None:
    return next((t for t in texts if INTEREST_WORDS.search(t)), None)


def b2b_or_other(invoice: Invoice) -> tuple[Channel, list[str]]:
    """B2B unless the buyer has no identifier. The netbank signals are Finvoice's own."""
    if invoice.buyer_is_business:
        return Channel.B2B, []
    return Channel.B2C_OTHER, ["buyer has no business identifier"]


def _address(f: Fields, key: str, party: etree._Element) -> Address | None:
    block = f.element(f"{key}.address", "cac:PostalAddress", party)
    if block is None:
        return None
    lines = [
        *f.findall("cbc:StreetName", block),
        *f.findall("cbc:AdditionalStreetName", block),
        *f.findall("cac:AddressLine/cbc:Line", block),
    ]
    return Address(
        streets=streets(f, key, lines),
        town=f.text(f"{key}.address.town", "cbc:CityName", block),
        postcode=f.text(f"{key}.address.postcode", "cbc:PostalZone", block),
        country=f.text(f"{key}.address.country", "cac:Country/cbc:IdentificationCode", block),
        po_box=f.text(None, "cbc:Postbox", block),
    )


def _business_id(f: Fields, key: str, party: etree._Element) -> str | None:
    """BT-30/47 legal registration, else BT-29/46 party identifier, else a Finnish endpoint."""
    candidates: list[etree._Element] = [
        *f.findall("cac:PartyLegalEntity/cbc:CompanyID", party),
    ]
    identifiers = [
        e for e in f.findall("cac:PartyIdentification/cbc:ID", party) if e.get("schemeID") != "SEPA"
    ]
    candidates += [e for e in identifiers if e.get("schemeID") in FINNISH_SCHEMES]
    candidates += [e for e in identifiers if e.get("schemeID") not in FINNISH_SCHEMES]
    # A buyer known only by its Peppol address is still a business when that
    # address is a Finnish organisation identifier.
    candidates += [
        e for e in f.findall("cbc:EndpointID", party) if e.get("schemeID") in FINNISH_SCHEMES
    ]
    return first_business_id(f, key, candidates)


def _vat_code(f: Fields, key: str, party: etree._Element) -> str | None:
    for scheme in f.findall("cac:PartyTaxScheme", party):
        tax = (text_of(f.find("cac:TaxScheme/cbc:ID", scheme)) or "VAT").upper()
        value = f.text(f"{key}.vat_code", "cbc:CompanyID", scheme) if tax == "VAT" else None
        if value:
            return value
    return None


def _party(f: Fields, key: str, expr: str) -> Party | None:
    party = f.element(key, expr)
    if party is None:
        return None
    name = f.text(f"{key}.name", "cac:PartyLegalEntity/cbc:RegistrationName", party)
    if name is None:
        name = f.text(f"{key}.name", "cac:PartyName/cbc:Name", party)
    return Party(
        name=name,
        business_id=_business_id(f, key, party),
        vat_code=_vat_code(f, key, party),
        address=_address(f, key, party),
    )


def _due_date(f: Fields) -> date | None:
    for expr in (
        "cbc:DueDate",
        "cac:PaymentMeans/cbc:PaymentDueDate",
        "cac:PaymentTerms/cbc:PaymentDueDate",
    ):
        for element in f.findall(expr):
            if text_of(element):
                f.note("due_date", element)
                f.note("payment.due_date", element)
                return f.date_of("due_date", element, compact=False)
    return None


def _rows(f: Fields, credit: bool) -> list[Row]:
    line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    quantity_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    rows: list[Row] = []
    for position, line in enumerate(f.findall(line_tag), start=1):
        key = f"rows.{position}"
        f.note(key, line)
        quantity_el = f.element(f"{key}.quantity", quantity_tag, line)
        quantity = (
            f.amount_of(f"{key}.quantity", quantity_el, comma=False)
            if quantity_el is not None and text_of(quantity_el)
            else None
        )
        net = f.amount(f"{key}.vat_excluded", "cbc:LineExtensionAmount", line)
        percent = f.amount(
            f"{key}.vat_percent", "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", line
        )
        rows.append(
            Row(
                index=position,
                article=f.text(None, "cac:Item/cbc:Name", line),
                quantity=quantity,
                unit=quantity_el.get("unitCode") if quantity_el is not None else None,
                unit_price=f.amount(f"{key}.unit_price", "cac:Price/cbc:PriceAmount", line),
                vat_percent=percent,
                vat_amount=line_vat(net, percent),
                vat_excluded=net,
            )
        )
    return rows


def _allowances_and_charges(f: Fields) -> Decimal:
    """Σ document-level charges − Σ document-level allowances (BT-99 − BT-92 parts)."""
    total = Decimal(0)
    for n, block in enumerate(f.findall("cac:AllowanceCharge"), start=1):
        amount = f.amount(f"allowance_charge.{n}", "cbc:Amount", block)
        if amount is None:
            continue
        is_charge = (f.text(None, "cbc:ChargeIndicator", block) or "").lower() == "true"
        total += amount if is_charge else -amount
    return total


def _tax_total(f: Fields, currency: str | None) -> etree._Element | None:
    """The `cac:TaxTotal` in the document currency (a second one may be in the tax currency)."""
    totals = f.findall("cac:TaxTotal")
    for block in totals:
        amount = f.find("cbc:TaxAmount", block)
        if amount is not None and amount.get("currencyID") == currency:
            return block
    return totals[0] if totals else None


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


def _in_tax_total(element: etree._Element) -> bool:
    parent = element.getparent()
    return parent is not None and parent.tag == f"{{{UBL_CAC}}}TaxTotal"


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


def split_accounts(f: Fields, found: list[FoundAccount], payment: Payment) -> list[Account]:
    """The first account is the payment's; the others are the seller's further accounts.

    In UBL, CII and TEAPPSXML the payment account and the seller's account list are
    the same elements, so the first is kept only as `payment`: the IBAN and BIC
    warnings then name each element once.
    """
    if not found:
        return []
    (id_el, bic_el, first), *others = found
    f.note("payment.iban", id_el)
    if bic_el is not None:
        f.note("payment.bic", bic_el)
    payment.iban, payment.iban_scheme, payment.bic = first.account, first.scheme, first.bic
    for n, (other_id, other_bic, _) in enumerate(others, start=1):
        f.note(f"seller_accounts.{n}.account", other_id)
        if other_bic is not None:
            f.note(f"seller_accounts.{n}.bic", other_bic)
    return [account for _, _, account in others]


def _payment(f: Fields, payable: Decimal | None, due: date | None) -> tuple[Payment, list[Account]]:
    payment = Payment(amount=payable, due_date=due)
    found: list[FoundAccount] = []
    for pm in f.findall("cac:PaymentMeans"):
        if payment.reference is None:
            payment.reference = f.text("payment.reference", "cbc:PaymentID", pm)
        account = f.find("cac:PayeeFinancialAccount", pm)
        id_el = f.find("cbc:ID", account) if account is not None else None
        if account is None or id_el is None or not text_of(id_el):
            continue
        bic_el = f.find("cac:FinancialInstitutionBranch/cbc:ID", account)
        found.append(
            (
                id_el,
                bic_el,
                Account(account=text_of(id_el), scheme=id_el.get("schemeID"), bic=text_of(bic_el)),
            )
        )
        if len(found) == 1:
            # BT-85, the account's name, until a payee party says otherwise.
            payment.beneficiary = f.text("payment.beneficiary", "cbc:Name", account)
    accounts = split_accounts(f, found, payment)
    payee = f.text("payment.beneficiary", "cac:PayeeParty/cac:PartyName/cbc:Name")
    if payee is not None:
        payment.beneficiary = payee
    return payment, accounts


def adapt(document: Document) -> Invoice:
    """Read a Peppol BIS 3.0 `Invoice` or `CreditNote` into an `Invoice`."""
    part = document.part
    root = part.root
    credit = etree.QName(root).localname == "CreditNote"
    locations: dict[str, Location] = {}
    f = Fields(part, path="", locations=locations, namespaces=NS)
    f.note("details", root)

    number = f.text("number", "cbc:ID")
    if number is None:
        raise missing(part, "the invoice has no cbc:ID (invoice number)", root)
    currency_el = f.element("currency", "cbc:DocumentCurrencyCode")
    currency = text_of(currency_el)
    currencies = amount_currencies(
        f, root, currency_el, f.text(None, "cbc:TaxCurrencyCode"), _in_tax_total
    )

    totals = f.find("cac:LegalMonetaryTotal")
    tax_inclusive = (
        f.amount("total", "cbc:TaxInclusiveAmount", totals) if totals is not None else None
    )
    if tax_inclusive is None:
        raise missing(
            part,
            "the invoice has no cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
            totals if totals is not None else root,
        )
    assert totals is not None
    rounding = f.amount("rounding", "cbc:PayableRoundingAmount", totals)
    payable = f.amount("payment.amount", "cbc:PayableAmount", totals)

    tax_block = _tax_total(f, currency)
    total_vat = f.amount("total_vat", "cbc:TaxAmount", tax_block) if tax_block is not None else None
    vat_lines = [
        VatLine(
            percent=f.amount("vat.percent", "cac:TaxCategory/cbc:Percent", sub),
            base=f.amount("vat.base", "cbc:TaxableAmount", sub),
            amount=f.amount("vat.amount", "cbc:TaxAmount", sub),
        )
        for sub in (f.findall("cac:TaxSubtotal", tax_block) if tax_block is not None else [])
    ]
    rows = _rows(f, credit)
    rows_vat = sum((r.vat_amount for r in rows if r.vat_amount is not None), Decimal(0))
    adjustment = _allowances_and_charges(f) + (total_vat or Decimal(0)) - rows_vat

    due = _due_date(f)
    payment, accounts = _payment(f, payable, due)
    notes = f.texts("cac:PaymentTerms/cbc:Note")
    type_code = f.text("type_code", "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode")
    invoice = Invoice(
        format="peppol-bis-3",
        version=f.text(None, "cbc:CustomizationID"),
        type_code=type_code,
        credit_note=credit or type_code in CREDIT_NOTE_CODES,
        number=number,
        issue_date=f.date("issue_date", "cbc:IssueDate"),
        due_date=due,
        currency=currency or (currencies[0] if currencies else None),
        currencies=currencies,
        total=tax_inclusive + (rounding or Decimal(0)),
        total_vat_excluded=f.amount("total_vat_excluded", "cbc:TaxExclusiveAmount", totals),
        total_vat=total_vat,
        rounding=rounding,
        paid_amount=f.amount("paid_amount", "cbc:PrepaidAmount", totals),
        rows=rows,
        rows_adjustment=adjustment,
        vat_lines=vat_lines,
        seller=_party(f, "seller", "cac:AccountingSupplierParty/cac:Party") or Party(),
        seller_accounts=accounts,
        buyer=_party(f, "buyer", "cac:AccountingCustomerParty/cac:Party") or Party(),
        language=f.text("language", "cac:AccountingCustomerParty/cac:Party/cac:Language/cbc:ID"),
        payment=payment,
        interest_in_free_text=interest_text([*notes, *f.texts("cbc:Note")]),
        payment_terms_text=notes[0] if notes else None,
        locations=locations,
    )
    invoice.channel, invoice.channel_signals = b2b_or_other(invoice)
    return invoice
