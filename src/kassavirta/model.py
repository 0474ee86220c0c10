"""The normalised invoice: one shape for every supported format.

Adapters fill it; rules, the rewrite, the renderer and the reports read only
this, never the XML. Each field an adapter read also leaves its source
location in `Invoice.locations`, keyed by the field's dotted name, so that a
finding can name the line and XPath a person must fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kassavirta.plain import Plain

_CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """`value` to the cent, half up: how invoices round an amount they compute."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def vat_at(net: Decimal | None, percent: Decimal | None) -> Decimal | None:
    """The VAT of a VAT-excluded amount at its rate, to the cent (half up).

    What a row or charge that gives only its rate carries: UBL and CII lines, a
    Finvoice row written with `RowVatRatePercent` but no `RowVatAmount`.
    """
    if net is None or percent is None:
        return None
    return cents(net * percent / Decimal(100))


class Channel(StrEnum):
    """How the invoice reaches its receiver, as far as the service cares."""

    B2B = "b2b"
    B2C_NETBANK = "b2c-netbank"
    B2C_OTHER = "b2c-other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Location(Plain):
    """Where a value stands in the source file (1-based line, absolute XPath)."""

    line: int | None = None
    xpath: str | None = None


@dataclass(slots=True, kw_only=True)
class Address(Plain):
    streets: list[str] = field(default_factory=list)
    town: str | None = None
    postcode: str | None = None
    country: str | None = None
    po_box: str | None = None

    @property
    def present(self) -> bool:
        return bool(self.streets or self.town or self.postcode or self.country)


LEGAL_REGISTRATION = "legal-registration"
"""`Party.business_id_scheme` of a legal registration identifier written without a scheme
(EN 16931 BT-30/BT-47: UBL `PartyLegalEntity/CompanyID`, CII `SpecifiedLegalOrganization/ID`):
issued by the registrar of the party's country."""
PARTNER_ASSIGNED = "partner-assigned"
"""`Party.business_id_scheme` of a party identifier written without a scheme (BT-29/BT-46:
UBL `PartyIdentification/ID`, CII `ram:ID`): EN 16931 says it is then one the buyer and
seller agreed, such as a customer number, not a company registration."""


@dataclass(slots=True, kw_only=True)
class Party(Plain):
    name: str | None = None
    business_id: str | None = None
    business_id_scheme: str | None = None
    """What kind of identifier `business_id` is, for printing it under its own name: the
    ISO 6523 ICD the document gives it (UBL/CII `schemeID`, Finvoice 3.0 `SchemeID`: `0088`
    GLN, `0007` Swedish organisationsnummer, `0212` Y-tunnus…), `LEGAL_REGISTRATION` or
    `PARTNER_ASSIGNED` for an EN 16931 identifier written without one, or None when the
    format says nothing (a value in the Y-tunnus form is then read as a Y-tunnus)."""
    vat_code: str | None = None
    address: Address | None = None


@dataclass(slots=True, kw_only=True)
class Account(Plain):
    """A payee account: IBAN (or BBAN) and the BIC of its bank."""

    account: str | None = None
    scheme: str | None = None
    bic: str | None = None


@dataclass(slots=True)
class Row(Plain):
    """One invoice row. Not keyword-only: a reader builds one per row, and a positional
    call costs half of a keyword one."""

    index: int
    article: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    vat_percent: Decimal | None = None
    vat_amount: Decimal | None = None
    vat_excluded: Decimal | None = None
    amount: Decimal | None = None
    """VAT included, as printed on the row."""
    counted: bool = True
    """False when the format's own row total leaves this row out (a TEAPPSXML row of a type
    its total does not count): shown, but not summed by the sum rule."""

    @property
    def counted_amount(self) -> Decimal | None:
        """The row's share of the VAT-included total, as the sum rule counts it.

        VAT included as written, else VAT excluded + the row's VAT, else + the VAT
        at its rate (a converter may write only the net amount and the rate).
        """
        if self.amount is not None:
            return self.amount
        if self.vat_excluded is not None:
            vat = self.vat_amount
            if vat is None:
                vat = vat_at(self.vat_excluded, self.vat_percent)
            return self.vat_excluded + (vat or Decimal(0))
        return None


@dataclass(slots=True, kw_only=True)
class DocumentCharge(Plain):
    """A document-level charge or allowance: not on any row, yet part of the total.

    Finvoice 3.0 `ChargeDetails` / `DiscountDetails`, UBL and CII `AllowanceCharge`,
    and the like in the other formats. `amount` is as written (VAT excluded, not
    negative); the sum rule adds a charge and subtracts an allowance, each with its VAT.
    """

    allowance: bool = False
    reason: str | None = None
    amount: Decimal | None = None
    """VAT excluded, as written (positive for an allowance too)."""
    vat_percent: Decimal | None = None
    vat_amount: Decimal | None = None
    amount_with_vat: Decimal | None = None
    """VAT included, when the format writes it."""

    @property
    def vat_included(self) -> Decimal | None:
        """VAT included: as written, else the amount + its VAT (given, else at its rate)."""
        if self.amount_with_vat is not None:
            return self.amount_with_vat
        if self.amount is None:
            return None
        vat = (
            self.vat_amount
            if self.vat_amount is not None
            else vat_at(self.amount, self.vat_percent)
        )
        return self.amount + (vat or Decimal(0))

    @property
    def signed(self) -> Decimal | None:
        """Its share of the VAT-included total: added for a charge, subtracted for an allowance."""
        value = self.vat_included
        if value is None:
            return None
        return -value if self.allowance else value


@dataclass(slots=True, kw_only=True)
class VatLine(Plain):
    percent: Decimal | None = None
    base: Decimal | None = None
    amount: Decimal | None = None


@dataclass(slots=True, kw_only=True)
class Payment(Plain):
    iban: str | None = None
    iban_scheme: str | None = None
    bic: str | None = None
    beneficiary: str | None = None
    reference: str | None = None
    reference_scheme: str | None = None
    amount: Decimal | None = None
    due_date: date | None = None
    instruction_id: str | None = None


@dataclass(slots=True, kw_only=True)
class Invoice(Plain):
    """One invoice as the service sees it, independent of its XML format."""

    format: str
    version: str | None = None
    type_code: str | None = None
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    terms_due_date: date | None = None
    """The due date in the payment terms, when the format has one beside the payment's."""
    currency: str | None = None
    currencies: list[str] = field(default_factory=list)
    total: Decimal | None = None
    total_vat_excluded: Decimal | None = None
    total_vat: Decimal | None = None
    rounding: Decimal | None = None
    paid_amount: Decimal | None = None
    rows: list[Row] = field(default_factory=list)
    rows_adjustment: Decimal | None = None
    """The part of the tax total that neither the rows' nor the document-level charges'
    own VAT explains, so that rows + charges + adjustment + rounding = total. Formats whose
    rows are VAT-excluded (UBL, CII) set it, their line VAT being computed per line;
    formats whose rows carry VAT-included amounts leave it None."""
    charges: list[DocumentCharge] = field(default_factory=list)
    """Document-level charges and allowances, in document order (see `DocumentCharge`)."""
    vat_lines: list[VatLine] = field(default_factory=list)
    seller: Party = field(default_factory=Party)
    seller_accounts: list[Account] = field(default_factory=list)
    buyer: Party = field(default_factory=Party)
    recipient: Party | None = None
    language: str | None = None
    payment: Payment = field(default_factory=Payment)
    penalty_interest_percent: Decimal | None = None
    penalty_fixed_amount: Decimal | None = None
    interest_in_free_text: str | None = None
    """Free text that speaks of late-payment interest, when the XML fields do not carry it."""
    payment_terms_text: str | None = None
    credit_note: bool = False
    """The format itself says credit note (UBL `CreditNote`, UNTDID 1001 code 381 in CII),
    even though its amounts are positive."""
    credited_invoice: str | None = None
    """The number of the invoice a credit note credits, where the format carries it: the
    `credit_note` event goes on that invoice's assignment."""
    channel: Channel = Channel.B2B
    channel_signals: list[str] = field(default_factory=list)
    locations: Mapping[str, Location] = field(default_factory=dict)

    @property
    def is_credit_note(self) -> bool:
        return (
            self.credit_note
            or self.type_code == "INV02"
            or (self.total is not None and self.total < 0)
        )

    @property
    def counted_rows(self) -> list[Row]:
        """The rows the sum rule adds: counted by the format's own total and with an amount."""
        return [r for r in self.rows if r.counted and r.counted_amount is not None]

    @property
    def counted_amounts(self) -> list[Decimal]:
        """The amount of each of `counted_rows`, each worked out once (the sum rule's terms)."""
        return [a for r in self.rows if r.counted and (a := r.counted_amount) is not None]

    @property
    def rows_total(self) -> Decimal:
        """Σ of the counted row amounts (top-level rows only; sub-rows never count)."""
        return sum(self.counted_amounts, Decimal(0))

    @property
    def counted_charges(self) -> list[DocumentCharge]:
        """The document-level charges and allowances that carry an amount."""
        return [c for c in self.charges if c.signed is not None]

    @property
    def buyer_is_business(self) -> bool:
        return bool(self.buyer.business_id or self.buyer.vat_code)

    def where(self, *keys: str) -> Location:
        """The first known location among `keys`, or an empty one."""
        for key in keys:
            found = self.locations.get(key)
            if found is not None:
                return found
        return Location()
