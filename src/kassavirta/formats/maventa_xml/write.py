"""A MaventaXML 1.0 invoice written from plain data, for tests and the shared per-format suite.

`render` writes a `Spec` in the element order of the operator's example (the
fields the toolkit reads, and the ones around them), computing the amounts the
way the example's numbers do: each item's `sum` = `price` × `amount`, its
`sum_tax` that at its `tax` rate to the cent; the invoice's `sum` and `sum_tax`
the items' sums (so the rows add up exactly) plus `rounding_amount`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lxml import etree

from kassavirta.formats.maventa_xml import paths
from kassavirta.model import cents


@dataclass(frozen=True)
class PartySpec:
    name: str
    business_id: str | None
    """As MaventaXML writes it: `FI` + the Y-tunnus's eight digits."""
    street: str
    postcode: str
    town: str
    country: str = "FI"


@dataclass(frozen=True)
class ItemSpec:
    subject: str
    quantity: Decimal
    unit: str
    price: Decimal
    tax: Decimal

    @property
    def net(self) -> Decimal:
        return cents(self.quantity * self.price)

    @property
    def gross(self) -> Decimal:
        return cents(self.net * (100 + self.tax) / 100)


@dataclass(frozen=True)
class AccountSpec:
    iban: str
    swift: str
    default: bool = False


@dataclass(frozen=True)
class Spec:
    number: str
    issue_date: date
    due_date: date
    seller: PartySpec
    buyer: PartySpec
    reference: str
    accounts: tuple[AccountSpec, ...]
    items: tuple[ItemSpec, ...]
    currency: str = "EUR"
    lang: str = "FI"
    interest: Decimal | None = Decimal("8.0")
    terms: str = "14 pv netto"
    customer_type: str = "COMPANY"
    operator: str = "003721291126"
    """The buyer's e-invoice operator (an OVT code; a bank's BIC for a netbank e-invoice)."""
    address: str | None = None
    """The buyer's e-invoice address (`customer_ovt`: an OVT code; an IBAN for a netbank)."""
    recipient: PartySpec | None = None
    """`invoice_delivery_address`: where the invoice goes, when not to the buyer."""
    rounding: Decimal = Decimal("0.00")


def _leaf(parent: etree._Element, tag: str, value: str | None = None) -> None:
    etree.SubElement(parent, tag).text = value


def _party(root: etree._Element, prefix: str, party: PartySpec) -> None:
    _leaf(root, f"{prefix}{paths.PARTY_NAME}", party.name)
    _leaf(root, f"{prefix}{paths.PARTY_ID}", party.business_id)
    _leaf(root, f"{prefix}{paths.PARTY_VAT}")
    _leaf(root, f"{prefix}{paths.STREETS[0]}", party.street)
    _leaf(root, f"{prefix}{paths.STREETS[1]}")
    _leaf(root, f"{prefix}{paths.POSTCODE}", party.postcode)
    _leaf(root, f"{prefix}{paths.TOWNS[0]}", party.town)
    _leaf(root, f"{prefix}{paths.COUNTRY}", party.country)


def render(spec: Spec) -> bytes:
    root = etree.Element(
        paths.ROOT,
        {paths.VERSION_ATTRIBUTE: paths.DEFAULT_VERSION, paths.FORMAT_ATTRIBUTE: paths.FORMAT_NAME},
    )
    _leaf(root, paths.NUMBER, spec.number)
    _leaf(root, paths.REFERENCE, spec.reference)
    _leaf(root, paths.DATE, spec.issue_date.isoformat())
    _leaf(root, paths.DUE_DATE, spec.due_date.isoformat())
    _leaf(root, paths.PAYMENT_TERMS, spec.terms)
    _leaf(root, paths.LANG, spec.lang)
    currency = etree.SubElement(root, paths.CURRENCY.split("/")[0])
    _leaf(currency, paths.CURRENCY.split("/")[1], spec.currency)
    _leaf(root, paths.NOTES)
    _party(root, paths.SELLER, spec.seller)
    _leaf(root, paths.INTEREST, None if spec.interest is None else f"{spec.interest:f}")
    _party(root, paths.BUYER, spec.buyer)
    _leaf(root, paths.CUSTOMER_OPERATOR, spec.operator)
    _leaf(root, paths.CUSTOMER_ADDRESS, spec.address)
    _leaf(root, paths.CUSTOMER_TYPE, spec.customer_type)
    if spec.recipient is not None:
        block = etree.SubElement(root, paths.RECIPIENT)
        _leaf(block, paths.RECIPIENT_NAME, spec.recipient.name)
        _leaf(block, paths.RECIPIENT_STREETS[0], spec.recipient.street)
        _leaf(block, paths.RECIPIENT_POSTCODE, spec.recipient.postcode)
        _leaf(block, paths.RECIPIENT_TOWN, spec.recipient.town)
        _leaf(block, paths.RECIPIENT_COUNTRY, spec.recipient.country)
    _leaf(root, paths.ROUNDING, f"{spec.rounding:f}")
    net = sum((i.net for i in spec.items), Decimal(0))
    gross = sum((i.gross for i in spec.items), Decimal(0))
    _leaf(root, paths.TOTAL_VAT_EXCLUDED, f"{net:f}")
    _leaf(root, paths.TOTAL, f"{gross + spec.rounding:f}")
    accounts = etree.SubElement(root, paths.ACCOUNTS)
    for account in spec.accounts:
        block = etree.SubElement(accounts, paths.ACCOUNT)
        _leaf(block, paths.ACCOUNT_DEFAULT, "true" if account.default else None)
        _leaf(block, paths.ACCOUNT_IBAN, account.iban)
        _leaf(block, paths.ACCOUNT_BIC, account.swift)
        _leaf(block, paths.ACCOUNT_DOMESTIC)
        _leaf(block, paths.ACCOUNT_BANK)
    items = etree.SubElement(root, paths.ROWS.split("/")[0])
    for n, item in enumerate(spec.items, start=1):
        block = etree.SubElement(items, paths.ROWS.split("/")[1])
        _leaf(block, "position", str(n))
        _leaf(block, paths.ROW_ARTICLE, item.subject)
        _leaf(block, paths.ROW_QUANTITY, f"{item.quantity:f}")
        _leaf(block, paths.ROW_UNIT_PRICE, f"{item.price:f}")
        _leaf(block, paths.ROW_UNIT, item.unit)
        _leaf(block, paths.ROW_VAT_PERCENT, f"{item.tax:f}")
        _leaf(block, paths.ROW_VAT_EXCLUDED, f"{item.net:f}")
        _leaf(block, paths.ROW_AMOUNT, f"{item.gross:f}")
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def example_spec(today: date) -> Spec:
    """One fixed B2B invoice in euros, dated `today`, due four weeks later."""
    return Spec(
        number="MX-26-2207",
        issue_date=today,
        due_date=today + timedelta(days=28),
        seller=PartySpec(
            "Hämeen Kirjanpitopalvelu Oy",
            "FI31077035",
            "Raatihuoneenkatu 11",
            "13100",
            "Hämeenlinna",
        ),
        buyer=PartySpec("Forssan Kivityö Oy", "FI31467404", "Kutomonkatu 2", "30100", "Forssa"),
        reference="20268851",
        accounts=(AccountSpec("FI8936356969880909", "SBANFIHH", default=True),),
        items=(
            ItemSpec("Tilinpäätös 2026", Decimal(1), "kpl", Decimal("680.00"), Decimal("25.5")),
            ItemSpec("Palkanlaskenta", Decimal(6), "h", Decimal("54.00"), Decimal("25.5")),
        ),
    )


def example(today: date, format_id: str = "maventa-xml-1.0") -> bytes:
    """`example_spec` rendered: the registry's writer hook, which the shared suite checks routes."""
    return render(example_spec(today))
