"""Visma XML 5.3 and 6.0 (`inv:Invoice`, Visma EDI Invoice) → the normalised invoice.

The two versions share their element names; the namespace (`…/Invoice53`,
`…/Invoice60`) says which one a file is. The operator's two published examples
are the only description we have, so what each element means is read from
their numbers (docs/formats.md lists these readings):

* **Total.** `InvoiceTotalAmount` is the VAT-included total after
  `RoundingAmount` (6.0: `TotalAmountInclVAT` 419.56 + 0.44 = 420.00, which is
  also `PayableAmount`), so it plays the part of Finvoice's
  `InvoiceTotalVatIncludedAmount`.
* **Rows** are the `DetailLine`s of every `OrderInfo` (a summary invoice has one
  per order), each with its VAT-included `AmountInclVAT`: they are summed as
  Finvoice rows are. `OrderInfo`'s own totals, handling charge and freight are
  the order's subtotals and are not counted again.
* **Document-level charges and allowances** (`Invoice.charges`):
  `InvoiceDiscount` (one allowance per `VAT` part, each on its basis amount),
  `InvoiceFee`, `HandlingCharge`, `Postage`, `FreightZoneAddition` (each with
  its `VATPercentage`/`VATAmount` attributes), and, when none of the freight
  parts is given, `TotalFreight` (6.0: 150 + 17.64 = 167.64). 5.3 writes the
  discount as one `InvoiceDiscountAmount` and the freight as `TotalFreight`,
  without their VAT: a charge whose VAT is not written gets the invoice's VAT
  rate when it has only one, else, when it is the only such charge, the part
  of `TotalVATAmount` that the rows and the other charges do not explain.
  `TotalAdditionAmount`/`TotalDeductionAmount` are sums of these and are not
  counted (the 6.0 example's `TotalAdditionAmount` of 252.64 does not even
  match its parts, 242.64, which its VAT and totals do add up to).
* **Payment.** 6.0 lists `PaymentInstructions`; the first one with an
  `AccountNo` is the payment (account, `BIC`, `PaymentReference`,
  `PaymentDate`), the others and the supplier's own account elements (`IBAN` +
  `SWIFT`, `BankAccount`, `BankGiroAccount`, `PostAccount`) are further seller
  accounts. 5.3 has only the supplier's elements, `IBAN` first. The reference
  is the instruction's `PaymentReference`, else the header's `CID`
  (Norwegian KID, "customer identification": Visma Business's documentation of
  its UBL output maps its CID to `cbc:PaymentID`). The due date is the header's `PaymentDate`; an
  instruction's own `PaymentDate` is the payment's, and a difference is
  `due-date-conflict`.
* **Parties.** The seller is `Supplier` (its `LegalEntity/RegistrationName`,
  when given, is the name), the buyer is `Invoicee`, the party invoiced, whose
  address the invoice and the reminders go to; `OrderInfo/Buyer` (who ordered)
  stands in only when there is no `Invoicee`. The beneficiary is the supplier's
  `Name`: the format has no payee party.
* **Credit note**: `CreditNote` = `true` (5.3), or a negative total.

No language element is known, so reminders default to Finnish (and no
`language-defaulted` warning is given, as for the other formats without one).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.formats.en16931 import (
    FoundAccount,
    b2b_or_other,
    finnish_business_id,
    interest_text,
    split_accounts,
)
from kassavirta.formats.visma_xml import paths as p
from kassavirta.formats.xml import (
    Fields,
    check_currencies,
    looks_like_iban,
    missing,
    read_amount,
    streets,
    text_of,
)
from kassavirta.model import (
    Account,
    Address,
    DocumentCharge,
    Invoice,
    Party,
    Payment,
    Row,
    VatLine,
    cents,
)
from kassavirta.pipeline.read import Document

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def _inv(name: str) -> str:
    return f"{p.PREFIX}:{name}"


def version_of(root: etree._Element) -> str:
    """`5.3` or `6.0`, from the root's namespace (detection has matched one of them)."""
    namespace = etree.QName(root).namespace
    return next(v for v, uri in p.NAMESPACES.items() if uri == namespace)


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _attribute_amount(f: Fields, element: etree._Element, name: str) -> Decimal | None:
    raw = (element.get(name) or "").strip()
    if not raw:
        return None
    value = read_amount(raw, comma=False)
    if value is None:
        raise f.unreadable(element, f"{name} {raw!r} is not an amount", raw)
    return value


def _value(f: Fields, expr: str, base: etree._Element | None = None) -> Decimal | None:
    """An amount whose place a finding never names (its block is noted instead)."""
    element = f.filled(None, expr, base)
    return None if element is None else f.amount_of(element, comma=False)


def _address(f: Fields, key: str, block: etree._Element) -> Address | None:
    lines = [e for expr in p.STREETS if (e := f.find(expr, block)) is not None]
    town = f.text(f"{key}.address.town", p.TOWN, block)
    postcode = f.text(f"{key}.address.postcode", p.POSTCODE, block)
    country = f.text(f"{key}.address.country", p.COUNTRY, block)
    address = Address(streets=streets(f, key, lines), town=town, postcode=postcode, country=country)
    if not address.present:
        return None
    f.note(f"{key}.address", block)
    return address


def _party(f: Fields, key: str, block: etree._Element | None) -> Party:
    if block is None:
        return Party()
    f.note(key, block)
    name = f.text(f"{key}.name", p.LEGAL_NAME, block) or f.text(f"{key}.name", _inv(p.NAME), block)
    business_id = None
    for expr in (p.COMPANY_NO, p.LEGAL_COMPANY_NO):
        element = f.filled(None, expr, block)
        if element is not None:
            f.note(f"{key}.business_id", element)
            business_id = finnish_business_id(text_of(element))
            break
    return Party(
        name=name,
        business_id=business_id,
        vat_code=f.text(f"{key}.vat_code", p.VAT_NUMBER, block),
        address=_address(f, key, block),
    )


def _rows(f: Fields) -> list[Row]:
    rows: list[Row] = []
    for position, line in f.each(f.findall(p.LINES)):
        key = f"rows.{position}"
        f.note(key, line)
        item = f.find(p.ITEM, line)
        if item is None:
            rows.append(Row(index=position))
            continue
        unit = f.find(p.UNIT, item)
        quantity = f.amount(f"{key}.quantity", p.QUANTITY, item)
        if quantity is None:
            quantity = f.amount(f"{key}.quantity", p.QUANTITY_ORDERED, item)
        rows.append(
            Row(
                index=position,
                article=f.text(None, p.ARTICLE_NAME, item) or f.text(None, p.ARTICLE_NUMBER, item),
                quantity=quantity,
                unit=text_of(unit) or (unit.get(p.UNIT_CODE) if unit is not None else None),
                unit_price=f.amount(f"{key}.unit_price", p.UNIT_PRICE, item),
                vat_percent=f.amount(f"{key}.vat_percent", f"{p.VAT}/{p.VAT_PERCENT}", item),
                vat_amount=f.amount(f"{key}.vat_amount", f"{p.VAT}/{p.VAT_AMOUNT}", item),
                vat_excluded=f.amount(f"{key}.vat_excluded", p.NET, item),
                amount=f.amount(f"{key}.amount", p.AMOUNT, item),
            )
        )
    return rows


def _charge(
    f: Fields,
    charges: list[DocumentCharge],
    element: etree._Element,
    amount: Decimal | None,
    *,
    reason: str,
    allowance: bool = False,
    percent: Decimal | None = None,
    vat: Decimal | None = None,
) -> None:
    """Add a charge or allowance (a zero amount is none), noted as `charges.N`."""
    if not amount:
        return
    f.note(f"charges.{len(charges) + 1}", element)
    charges.append(
        DocumentCharge(
            allowance=allowance,
            reason=reason,
            amount=amount,
            vat_percent=percent,
            vat_amount=vat,
            amount_with_vat=None if vat is None else amount + vat,
        )
    )


def _charges(f: Fields) -> list[DocumentCharge]:
    charges: list[DocumentCharge] = []
    discount = f.find(p.DISCOUNT_BLOCK)
    if discount is not None:
        parts = f.findall(p.VAT, discount)
        for part in parts:
            _charge(
                f,
                charges,
                part,
                _value(f, p.VAT_BASE, part),
                reason="Invoice discount",
                allowance=True,
                percent=_value(f, p.VAT_PERCENT, part),
                vat=_value(f, p.VAT_AMOUNT, part),
            )
        if not parts:
            amount = _value(f, p.DISCOUNT_AMOUNT, discount)
            _charge(f, charges, discount, amount, reason="Invoice discount", allowance=True)
    else:
        flat = f.filled(None, p.DISCOUNT_FLAT)
        if flat is not None:
            amount = f.amount_of(flat, comma=False)
            _charge(f, charges, flat, amount, reason="Invoice discount", allowance=True)
    freight_parts = False
    for name, reason in p.CHARGES:
        element = f.filled(None, _inv(name))
        if element is None:
            continue
        freight_parts = freight_parts or name in p.FREIGHT_PARTS
        _charge(
            f,
            charges,
            element,
            f.amount_of(element, comma=False),
            reason=reason,
            percent=_attribute_amount(f, element, p.CHARGE_VAT_PERCENT),
            vat=_attribute_amount(f, element, p.CHARGE_VAT_AMOUNT),
        )
    freight = None if freight_parts else f.filled(None, p.TOTAL_FREIGHT)
    if freight is not None:
        _charge(f, charges, freight, f.amount_of(freight, comma=False), reason="Freight")
    return charges


def _row_vat(row: Row) -> Decimal | None:
    if row.vat_amount is not None:
        return row.vat_amount
    if row.amount is not None and row.vat_excluded is not None:
        return row.amount - row.vat_excluded
    return None


def _infer_charge_vat(
    charges: list[DocumentCharge],
    rows: list[Row],
    vat_lines: list[VatLine],
    total_vat: Decimal | None,
) -> None:
    """Give the charges written without VAT (5.3's discount and freight) their VAT.

    With one VAT rate on the invoice, that rate; otherwise, when only one charge
    lacks its VAT, the part of the VAT total the rows and other charges do not
    explain. Else the VAT stays unknown.
    """
    unknown = [c for c in charges if c.vat_amount is None and c.vat_percent is None]
    if not unknown:
        return
    rates = {v.percent for v in vat_lines if v.percent is not None} or {
        r.vat_percent for r in rows if r.vat_percent is not None
    }
    if len(rates) == 1:
        rate = next(iter(rates))
        for charge in unknown:
            assert charge.amount is not None
            charge.vat_percent = rate
            charge.vat_amount = vat = cents(charge.amount * rate / 100)
            charge.amount_with_vat = charge.amount + vat
        return
    row_vats = [_row_vat(r) for r in rows if r.counted_amount is not None]
    if len(unknown) != 1 or total_vat is None or any(v is None for v in row_vats):
        return
    explained = sum((v for v in row_vats if v is not None), Decimal(0)) + sum(
        ((-c.vat_amount if c.allowance else c.vat_amount) for c in charges if c.vat_amount),
        Decimal(0),
    )
    [charge] = unknown
    assert charge.amount is not None
    rest = total_vat - explained
    charge.vat_amount = -rest if charge.allowance else rest
    charge.amount_with_vat = charge.amount + charge.vat_amount


def _accounts(
    f: Fields, instructions: list[etree._Element], supplier: etree._Element | None
) -> tuple[list[FoundAccount], etree._Element | None]:
    """Every account the invoice names, the payment's first; and the payment's instruction."""
    found: list[FoundAccount] = []
    chosen = None
    for instruction in instructions:
        number = f.find(_inv(p.ACCOUNT), instruction)
        value = text_of(number)
        if number is None or not value:
            continue
        chosen = instruction if chosen is None else chosen
        bic = f.find(_inv(p.BIC), instruction)
        scheme = (number.get(p.ACCOUNT_TYPE) or "").strip().upper() or (
            "IBAN" if looks_like_iban(value) else "BBAN"
        )
        found.append((number, bic, Account(account=value, scheme=scheme, bic=text_of(bic))))
    if supplier is not None:
        swift = f.find(_inv(p.SUPPLIER_BIC), supplier)
        named = [
            (f.find(_inv(p.SUPPLIER_IBAN), supplier), "IBAN"),
            *((f.find(_inv(name), supplier), scheme) for name, scheme in p.SUPPLIER_OTHER_ACCOUNTS),
        ]
        written = [
            (e, text_of(e) or "", scheme) for e, scheme in named if e is not None and text_of(e)
        ]
        seen = {_compact(a.account or "") for _, _, a in found}
        for position, (number, value, scheme) in enumerate(written):
            # The supplier's BIC goes with its first account: the IBAN when it has one.
            bic = swift if position == 0 else None
            if _compact(value) not in seen:
                seen.add(_compact(value))
                found.append((number, bic, Account(account=value, scheme=scheme, bic=text_of(bic))))
    return found, chosen


def _payment(
    f: Fields, supplier: etree._Element | None, header_due: date | None
) -> tuple[Payment, list[Account]]:
    instructions = f.findall(p.INSTRUCTION_PATH)
    found, chosen = _accounts(f, instructions, supplier)
    instruction = chosen if chosen is not None else next(iter(instructions), None)
    reference = None
    due = amount = None
    if instruction is not None:
        reference = f.text("payment.reference", _inv(p.REFERENCE), instruction)
        due = f.date("payment.due_date", _inv(p.INSTRUCTION_DATE), instruction)
        amount = f.amount("payment.amount", _inv(p.INSTRUCTION_AMOUNT), instruction)
    if reference is None:
        reference = f.text("payment.reference", p.CID)
    if due is None:
        f.locations.alias("payment.due_date", "due_date")
    payable = f.amount("payment.amount", p.PAYABLE)
    payment = Payment(
        reference=reference,
        amount=payable if payable is not None else amount,
        due_date=due or header_due,
    )
    if supplier is not None:
        name = f.text("payment.beneficiary", _inv(p.NAME), supplier)
        payment.beneficiary = name
    return payment, split_accounts(f, found, payment)


def _credit_note(f: Fields) -> bool:
    element = f.filled(None, p.CREDIT_NOTE)
    if element is None:
        return False
    value = (text_of(element) or "").lower()
    if value not in _TRUE | _FALSE:
        raise f.fail(element, "is neither true nor false")
    if value in _TRUE:
        f.note("type_code", element)
    return value in _TRUE


def adapt(document: Document) -> Invoice:
    """Read a Visma XML 5.3 or 6.0 invoice into an `Invoice`."""
    part = document.part
    root = part.root
    version = version_of(root)
    f = Fields(part, {p.PREFIX: p.NAMESPACES[version]})
    locations = f.locations
    f.note("details", root)
    number = f.text("number", p.NUMBER)
    if number is None:
        raise missing(part, f"the invoice has no {p.NUMBER}", root)

    currency_el = f.element("currency", p.CURRENCY)
    codes = (
        [(code, currency_el)] if (code := text_of(currency_el)) and currency_el is not None else []
    )
    codes += [
        (code, element)
        for element in root.iter()
        if isinstance(element.tag, str)
        and (code := (element.get(p.CURRENCY_ATTRIBUTE) or "").strip())
    ]
    currencies = check_currencies(f, codes)
    if not currencies:
        raise missing(part, f"the invoice has no {p.CURRENCY}", root)

    rounding = f.amount("rounding", p.ROUNDING)
    total = f.amount("total", p.TOTAL)
    if total is None:
        before_rounding = f.amount("total", p.TOTAL_INCL_VAT)
        if before_rounding is None:
            raise missing(part, f"the invoice has no {p.TOTAL} (nor {p.TOTAL_INCL_VAT})", root)
        total = before_rounding + (rounding or Decimal(0))

    header_due = f.date("due_date", p.PAYMENT_DATE)
    supplier = f.find(_inv(p.SUPPLIER))
    payment, accounts = _payment(f, supplier, header_due)
    if header_due is None:
        locations.alias("due_date", "payment.due_date")
    buyer = f.find(_inv(p.INVOICEE))
    if buyer is None:
        buyer = f.find(p.ORDER_BUYER)

    rows = _rows(f)
    vat_lines = [
        VatLine(
            percent=f.amount("vat.percent", p.VAT_PERCENT, block),
            base=f.amount("vat.base", p.VAT_BASE, block),
            amount=f.amount("vat.amount", p.VAT_AMOUNT, block),
        )
        for block in f.findall(p.VAT)
    ]
    total_vat = f.amount("total_vat", p.TOTAL_VAT)
    charges = _charges(f)
    _infer_charge_vat(charges, rows, vat_lines, total_vat)
    terms = f.text("payment_terms", p.PAYMENT_TERMS)
    result = Invoice(
        format=p.FORMAT_IDS[version],
        version=(root.get(p.VERSION_ATTRIBUTE) or "").strip() or version,
        number=number,
        issue_date=f.date("issue_date", p.INVOICE_DATE),
        due_date=header_due or payment.due_date,
        terms_due_date=header_due,
        currency=text_of(currency_el) or currencies[0],
        currencies=currencies,
        total=total,
        total_vat_excluded=f.amount("total_vat_excluded", p.TOTAL_EXCL_VAT),
        total_vat=total_vat,
        rounding=rounding,
        paid_amount=f.amount("paid_amount", p.PREPAID),
        rows=rows,
        charges=charges,
        vat_lines=vat_lines,
        seller=_party(f, "seller", supplier),
        seller_accounts=accounts,
        buyer=_party(f, "buyer", buyer),
        payment=payment,
        penalty_interest_percent=f.amount("penalty_interest", p.PENALTY_INTEREST_PATH),
        interest_in_free_text=interest_text([*([terms] if terms else []), *f.texts(p.FREE_TEXT)]),
        payment_terms_text=terms,
        credit_note=_credit_note(f),
        locations=locations,
    )
    result.channel, result.channel_signals = b2b_or_other(result)
    return result
