"""An S-EDI 3.0 invoice written from plain data, for tests and the shared per-format suite.

`render` writes a `Spec` in the element order of the operator's example (a
subset of its elements: those the toolkit reads, and the totals around them),
computing every total from the rows and charges the way the example's numbers
do: row VAT to the cent per row, `TotalAmountNotRounded` = the rows and charges
with VAT, `TotalAmount` = that + `RoundingAmount`, `TotalAmountCheckSum` the
MOD10 check digit of the total in cents. Empty fields are `xsi:nil`, as there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from lxml import etree

from kassavirta.formats.s_edi import paths
from kassavirta.model import cents

XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class PartySpec:
    name: str
    company_no: str | None
    streets: tuple[str, ...]
    postcode: str
    town: str
    country: str = "FI"
    vat_number: str | None = None


@dataclass(frozen=True)
class RowSpec:
    article: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_percent: Decimal

    @property
    def net(self) -> Decimal:
        return cents(self.quantity * self.unit_price)

    @property
    def vat(self) -> Decimal:
        return cents(self.net * self.vat_percent / 100)


@dataclass(frozen=True)
class ChargeSpec:
    """A document-level charge (`Freight`, `HandlingCharge`) or `InvoiceDiscountAmount`."""

    kind: str
    """The Summary element's name (see `paths.CHARGES`)."""
    vat_percent: Decimal
    base: Decimal

    @property
    def vat(self) -> Decimal:
        return cents(self.base * self.vat_percent / 100)

    @property
    def allowance(self) -> bool:
        return next(a for _, tag, _, a in paths.CHARGES if tag == self.kind)


@dataclass(frozen=True)
class Spec:
    number: str
    issue_date: date
    due_date: date
    seller: PartySpec
    buyer: PartySpec
    iban: str
    bic: str
    bank: str
    reference: str
    rows: tuple[RowSpec, ...]
    currency: str = "EUR"
    language: str = "FI"
    interest: Decimal | None = Decimal("8.00")
    terms: str = "14 päivää netto"
    charges: tuple[ChargeSpec, ...] = ()
    rounding: Decimal = Decimal("0.00")
    document_type: str = "Invoice"
    domestic_accounts: tuple[str, ...] = ()
    """The seller's domestic accounts, in the order of `paths.DOMESTIC_ACCOUNTS`."""
    sender_id: str | None = None
    """`RoutingInfo/SenderId1`: the seller's e-invoice address (an OVT code)."""
    receiver_id: str | None = None
    """`RoutingInfo/ReceiverId1`: the buyer's e-invoice address."""


def _leaf(parent: etree._Element, tag: str, value: str | None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if value is None or value == "":
        element.set(f"{{{XSI}}}nil", "true")
    else:
        element.text = value
    return element


def _money(value: Decimal) -> str:
    return f"{cents(value):f}"


def _party(
    parent: etree._Element, tag: str, party: PartySpec, accounts: tuple[str, ...] = ()
) -> etree._Element:
    block = etree.SubElement(parent, tag)
    _leaf(block, paths.NAME, party.name)
    for street_tag, street in zip(paths.STREETS, (*party.streets, None, None), strict=False):
        _leaf(block, street_tag, street)
    _leaf(block, paths.POSTCODE, party.postcode)
    _leaf(block, paths.TOWN, party.town)
    _leaf(block, paths.COUNTRY, party.country)
    _leaf(block, paths.COMPANY_NO, party.company_no)
    _leaf(block, paths.LOCATION_NO, None)
    for account_tag, account in zip(paths.DOMESTIC_ACCOUNTS, accounts, strict=False):
        _leaf(block, account_tag, account)
    _leaf(block, paths.VAT_NUMBER, party.vat_number)
    return block


def totals(spec: Spec) -> tuple[Decimal, Decimal, Decimal]:
    """VAT excluded, VAT, and the total before rounding, of the rows and charges."""
    net = sum((r.net for r in spec.rows), Decimal(0))
    vat = sum((r.vat for r in spec.rows), Decimal(0))
    for charge in spec.charges:
        sign = -1 if charge.allowance else 1
        net += sign * charge.base
        vat += sign * charge.vat
    return net, vat, net + vat


def render(spec: Spec) -> bytes:
    root = etree.Element(paths.ROOT, nsmap={"xsi": XSI})
    routing = etree.SubElement(root, "RoutingInfo", Factoring="false", Test="false")
    _leaf(routing, "SenderId1", spec.sender_id)
    _leaf(routing, "ReceiverId1", spec.receiver_id)
    _leaf(routing, paths.DOCUMENT_TYPE.split("/")[-1], spec.document_type)
    _leaf(routing, "OutputMedia", "Emedia")
    _leaf(routing, paths.VERSION.split("/")[-1], f"{paths.VERSION_PREFIX}3_0")
    invoice = etree.SubElement(root, "Invoice")
    header = etree.SubElement(invoice, "Header")
    info = etree.SubElement(header, paths.PRINT_INFO)
    layout = etree.SubElement(info, paths.LAYOUT.split("/")[-1], Language=spec.language)
    layout.set(f"{{{XSI}}}nil", "true")
    _leaf(info, paths.FREE_TEXT, None)
    _leaf(header, paths.NUMBER, spec.number)
    _leaf(header, paths.CONTRA_ENTRY, None)
    _leaf(header, paths.DATE, spec.issue_date.isoformat())
    _leaf(header, paths.DUE_DATE, spec.due_date.isoformat())
    _leaf(header, paths.PAYMENT_TERMS, spec.terms)
    _leaf(header, paths.INTEREST, None if spec.interest is None else f"{spec.interest:f}")
    _leaf(header, paths.REFERENCE, spec.reference)
    seller = _party(header, paths.SELLER, spec.seller, spec.domestic_accounts)
    _leaf(seller, paths.BANK_NAME, spec.bank)
    _leaf(seller, paths.BIC, spec.bic)
    _leaf(seller, paths.IBAN, spec.iban)
    _leaf(seller, paths.BANK_COUNTRY, spec.iban[:2])
    buyer = etree.SubElement(header, paths.BUYER.split("/")[0])
    _party(buyer, paths.BUYER.split("/")[1], spec.buyer)

    detail = etree.SubElement(invoice, "Detail")
    for n, row in enumerate(spec.rows, start=1):
        block = etree.SubElement(detail, paths.DETAIL_ROWS.split("/")[-1])
        _leaf(block, "LineNo", str(n))
        _leaf(block, paths.ROW_ARTICLE, row.article)
        _leaf(block, paths.ROW_QUANTITY_ORDERED, f"{row.quantity:f}")
        _leaf(block, paths.ROW_UNIT, row.unit)
        _leaf(block, paths.ROW_UNIT_PRICE, _money(row.unit_price))
        _leaf(block, paths.ROW_VAT_EXCLUDED, _money(row.net))
        _leaf(block, paths.ROW_VAT_PERCENT, _money(row.vat_percent))
        _leaf(block, paths.ROW_VAT, _money(row.vat))
        _leaf(block, paths.ROW_AMOUNT, _money(row.net + row.vat))
        _leaf(block, paths.ROW_QUANTITY, f"{row.quantity:f}")

    summary = etree.SubElement(invoice, "Summary")
    currency = etree.SubElement(summary, paths.CURRENCY.split("/")[0])
    _leaf(currency, paths.CURRENCY.split("/")[1], spec.currency)
    net, vat, not_rounded = totals(spec)
    rates = sorted({r.vat_percent for r in spec.rows} | {c.vat_percent for c in spec.charges})
    vat_block = etree.SubElement(summary, "VAT")
    for rate in rates:
        base = sum((r.net for r in spec.rows if r.vat_percent == rate), Decimal(0))
        amount = sum((r.vat for r in spec.rows if r.vat_percent == rate), Decimal(0))
        for charge in (c for c in spec.charges if c.vat_percent == rate):
            sign = -1 if charge.allowance else 1
            base += sign * charge.base
            amount += sign * charge.vat
        line = etree.SubElement(vat_block, paths.VAT_SPECIFICATION.split("/")[-1])
        _leaf(line, paths.VAT_PERCENT, _money(rate))
        _leaf(line, paths.VAT_AMOUNT, _money(amount))
        _leaf(line, paths.VAT_BASE, _money(base))
    charges = etree.SubElement(summary, paths.CHARGE_SPECIFICATION.split("/")[0])
    by_rate = etree.SubElement(charges, paths.CHARGE_SPECIFICATION.split("/")[1])
    for rate in sorted({c.vat_percent for c in spec.charges}):
        block = etree.SubElement(by_rate, paths.CHARGE_SPECIFICATION.split("/")[2])
        for _, tag, prefix, _ in paths.CHARGES:
            found = [c for c in spec.charges if c.kind == tag and c.vat_percent == rate]
            _leaf(block, f"{prefix}Percentage", _money(rate))
            _leaf(block, f"{prefix}Amount", _money(sum((c.vat for c in found), Decimal(0))))
            _leaf(block, f"{prefix}BasisAmount", _money(sum((c.base for c in found), Decimal(0))))
    lines = sum((r.net for r in spec.rows), Decimal(0))
    kinds = {
        tag: sum((c.base for c in spec.charges if c.kind == tag), Decimal(0))
        for _, tag, _, _ in paths.CHARGES
    }
    _leaf(summary, "NoOfLines", str(len(spec.rows)))
    _leaf(summary, "SumOfLines", _money(lines))
    _leaf(summary, "InvoiceDiscountAmount", _money(kinds["InvoiceDiscountAmount"]))
    _leaf(summary, "Net", _money(lines - kinds["InvoiceDiscountAmount"]))
    _leaf(summary, "Freight", _money(kinds["Freight"]))
    _leaf(summary, "HandlingCharge", _money(kinds["HandlingCharge"]))
    _leaf(summary, paths.TOTAL_VAT_EXCLUDED, _money(net))
    _leaf(summary, paths.TOTAL_VAT, _money(vat))
    _leaf(summary, "TotalAmountNotRounded", _money(not_rounded))
    _leaf(summary, paths.ROUNDING, _money(spec.rounding))
    total = not_rounded + spec.rounding
    _leaf(summary, paths.TOTAL, _money(total))
    _leaf(summary, paths.TOTAL_CHECK_DIGIT, check_digit(total))
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False) + b"\n"


def check_digit(total: Decimal) -> str:
    """`TotalAmountCheckSum`: the MOD10 (Luhn) check digit of the total in cents."""
    from stdnum import luhn

    return str(luhn.calc_check_digit(str(abs(int(cents(total) * 100)))))


def example_spec(today: date) -> Spec:
    """One fixed B2B invoice in euros, dated `today`, due four weeks later."""
    return Spec(
        number="SE-2026-0415",
        issue_date=today,
        due_date=today + timedelta(days=28),
        seller=PartySpec(
            "Kaarinan Kylmätekniikka Oy",
            "2035721-8",
            ("Rantatie 9",),
            "20780",
            "Kaarina",
            vat_number="FI20357218",
        ),
        buyer=PartySpec("Salon Leipomo Oy", "2137139-6", ("Satakunnantie 4",), "24100", "Salo"),
        iban="FI8140538792361561",
        bic="HELSFIHH",
        bank="Aktia Pankki Oyj",
        reference="20260419",
        rows=(
            RowSpec("Kylmälaitehuolto", Decimal(3), "h", Decimal("72.00"), Decimal("25.5")),
            RowSpec("Kylmäaine R290, 1 kg", Decimal(2), "kg", Decimal("48.00"), Decimal("25.5")),
        ),
    )


def example(today: date, format_id: str = "s-edi-3.0") -> bytes:
    """`example_spec` rendered: the registry's writer hook, which the shared suite checks routes."""
    return render(example_spec(today))
