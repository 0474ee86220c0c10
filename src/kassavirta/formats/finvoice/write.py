"""A Finvoice invoice as plain data, its XML, and the normalised invoice it encodes.

The strategies draw an `InvoiceSpec`; `render` writes it with lxml in the
schema's element order (FIELDS.md §1) for Finvoice 1.3, 2.0, 2.01 or 3.0, and
`expected` says what `kassavirta.formats.finvoice.read.adapt` must read back. A
defect is a change to the spec, never to the XML text, so a defective invoice
and its valid twin differ in exactly the fields the defect names, and the
expectation stays right for both. Nothing here needs hypothesis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from lxml import etree

from kassavirta.formats.finvoice import paths
from kassavirta.model import Account, Address, Channel, Invoice, Party, Payment, Row, VatLine

VERSIONS: Final[tuple[str, ...]] = ("1.3", "2.0", "2.01", "3.0")
ENCODINGS: Final[tuple[str, ...]] = ("UTF-8", "ISO-8859-15", "ISO-8859-1")
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
CENT: Final = Decimal("0.01")


@dataclass(frozen=True)
class PostalAddress:
    streets: tuple[str, ...]
    town: str
    postcode: str
    country: str | None = "FI"


@dataclass(frozen=True)
class PartySpec:
    name: str
    business_id: str | None = None
    """Y-tunnus `nnnnnnn-n`; None for a consumer."""
    vat_code: str | None = None
    address: PostalAddress | None = None


@dataclass(frozen=True)
class RowSpec:
    article: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_percent: Decimal
    vat_excluded: Decimal
    vat_amount: Decimal
    amount: Decimal
    """VAT included: what the sum rule counts."""
    article_id: str | None = None


@dataclass(frozen=True)
class AccountSpec:
    iban: str
    bic: str


@dataclass(frozen=True)
class Transmission:
    """`MessageTransmissionDetails`: who sends to whom, through which operator or bank."""

    from_identifier: str
    from_intermediator: str
    to_identifier: str
    to_intermediator: str
    message_id: str
    timestamp: datetime


@dataclass(frozen=True)
class VatSpec:
    percent: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class InvoiceSpec:
    """Everything a generated Finvoice says. Amounts are Decimal; the XML gets commas."""

    version: str
    encoding: str
    seller: PartySpec
    buyer: PartySpec
    number: str
    issue_date: date
    rows: tuple[RowSpec, ...]
    total_vat_excluded: Decimal
    total_vat: Decimal
    total: Decimal
    vat_lines: tuple[VatSpec, ...]
    payment: AccountSpec
    beneficiary: str
    reference: str
    reference_scheme: str
    instructed: Decimal
    due_date: date
    """`EpiDateOptionDate`: the bank's due date (always present)."""
    terms_due_date: date | None
    """`PaymentTermsDetails/InvoiceDueDate`, when the invoice carries one."""
    terms_text: str
    language: str | None = "FI"
    type_code: str = "INV01"
    type_text: str = "LASKU"
    paid: Decimal | None = None
    """`InvoicePaidAmount` (3.0 only)."""
    seller_accounts: tuple[AccountSpec, ...] = ()
    seller_ovt: str | None = None
    buyer_ovt: str | None = None
    transmission: Transmission | None = None
    instruction_id: str | None = None
    fine_percent: Decimal | None = None
    fine_text: str | None = None
    """Always a sentence about late-payment interest (`PaymentOverDueFineFreeText`)."""
    barcode: str | None = None
    scheme_ids: bool = False
    """3.0: write `SchemeID="0037"` on the party identifiers."""
    pretty: bool = True
    stylesheet: bool = False
    charge: str = "SLEV"
    currency: str = "EUR"
    """`AmountCurrencyIdentifier` of every amount, as written (a defect writes `eur`)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Free-form notes of the strategy (e.g. which defect was applied); not rendered."""

    @property
    def channel(self) -> Channel:
        """The channel the adapter must infer (SPEC §1, FIELDS.md §11)."""
        if self.buyer.business_id or self.buyer.vat_code:
            return Channel.B2B
        signals = [self.instruction_id]
        if self.transmission is not None:
            signals += [self.transmission.to_intermediator, self.transmission.to_identifier]
        return Channel.B2C_NETBANK if any(signals) else Channel.B2C_OTHER

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == "INV02" or self.total < 0


def fi_amount(value: Decimal) -> str:
    """Two decimals and a decimal comma: Finvoice's `amount` (and `epiAmount`)."""
    return f"{value.quantize(CENT):f}".replace(".", ",")


def fi_number(value: Decimal) -> str:
    """The shortest decimal-comma form: percentages and quantities."""
    text = f"{value.normalize():f}" if value != 0 else "0"
    return text.replace(".", ",")


def _date(parent: etree._Element, tag: str, value: date) -> etree._Element:
    element = etree.SubElement(parent, tag, Format="CCYYMMDD")
    element.text = value.strftime("%Y%m%d")
    return element


def _text(parent: etree._Element, tag: str, value: str | None, **attrs: str) -> None:
    if value is None:
        return
    element = etree.SubElement(parent, tag, attrs)
    element.text = value


def _money(parent: etree._Element, tag: str, value: Decimal | None, currency: str) -> None:
    if value is None:
        return
    element = etree.SubElement(parent, tag, AmountCurrencyIdentifier=currency)
    element.text = fi_amount(value)


def _address(parent: etree._Element, prefix: str, address: PostalAddress | None) -> None:
    if address is None:
        return
    block = etree.SubElement(parent, f"{prefix}{paths.ADDRESS}")
    for street in address.streets:
        _text(block, f"{prefix}{paths.STREET}", street)
    _text(block, f"{prefix}{paths.TOWN}", address.town)
    _text(block, f"{prefix}{paths.POSTCODE}", address.postcode)
    _text(block, paths.COUNTRY, address.country)


def _party(root: etree._Element, spec: InvoiceSpec, prefix: str, party: PartySpec) -> None:
    block = etree.SubElement(root, f"{prefix}PartyDetails")
    scheme = {"SchemeID": "0037"} if spec.scheme_ids and spec.version == "3.0" else {}
    _text(block, f"{prefix}{paths.PARTY_ID}", party.business_id, **scheme)
    _text(block, f"{prefix}{paths.PARTY_NAME}", party.name)
    _text(block, f"{prefix}{paths.PARTY_VAT}", party.vat_code)
    _address(block, prefix, party.address)


def _transmission(root: etree._Element, t: Transmission) -> None:
    block = etree.SubElement(root, paths.TRANSMISSION)
    sender = etree.SubElement(block, paths.SENDER)
    _text(sender, "FromIdentifier", t.from_identifier)
    _text(sender, "FromIntermediator", t.from_intermediator)
    receiver = etree.SubElement(block, paths.RECEIVER)
    _text(receiver, paths.RECEIVER_ID, t.to_identifier)
    _text(receiver, paths.RECEIVER_INTERMEDIATOR, t.to_intermediator)
    details = etree.SubElement(block, "MessageDetails")
    _text(details, "MessageIdentifier", t.message_id)
    _text(details, "MessageTimeStamp", t.timestamp.isoformat(timespec="seconds"))


def _details(root: etree._Element, spec: InvoiceSpec) -> None:
    details = etree.SubElement(root, paths.DETAILS)
    _text(details, paths.TYPE_CODE, spec.type_code)
    _text(details, "InvoiceTypeText", spec.type_text)
    _text(details, "OriginCode", "Original")
    _text(details, paths.NUMBER, spec.number)
    _date(details, paths.DATE, spec.issue_date)
    _money(details, paths.TOTAL_VAT_EXCLUDED, spec.total_vat_excluded, spec.currency)
    _money(details, paths.TOTAL_VAT, spec.total_vat, spec.currency)
    _money(details, paths.TOTAL, spec.total, spec.currency)
    if spec.version == "3.0":
        _money(details, paths.PAID, spec.paid, spec.currency)
    for line in spec.vat_lines:
        vat = etree.SubElement(details, paths.VAT_SPECIFICATION)
        _money(vat, paths.VAT_BASE, line.base, spec.currency)
        _text(vat, paths.VAT_PERCENT, fi_number(line.percent))
        _money(vat, paths.VAT_AMOUNT, line.amount, spec.currency)
    terms = etree.SubElement(details, paths.PAYMENT_TERMS)
    _text(terms, paths.TERMS_FREE_TEXT, spec.terms_text)
    if spec.terms_due_date is not None:
        _date(terms, paths.TERMS_DUE_DATE, spec.terms_due_date)
    if spec.fine_percent is not None or spec.fine_text is not None:
        fine = etree.SubElement(terms, paths.FINE)
        _text(fine, paths.FINE_FREE_TEXT, spec.fine_text)
        if spec.fine_percent is not None:
            _text(fine, paths.FINE_PERCENT, fi_number(spec.fine_percent))


def _row(root: etree._Element, row: RowSpec, currency: str) -> None:
    element = etree.SubElement(root, paths.ROW)
    _text(element, "ArticleIdentifier", row.article_id)
    _text(element, paths.ARTICLE_NAME, row.article)
    _text(element, paths.INVOICED_QUANTITY, fi_number(row.quantity), QuantityUnitCode=row.unit)
    price = etree.SubElement(element, paths.UNIT_PRICE, AmountCurrencyIdentifier=currency)
    price.text = fi_amount(row.unit_price)
    _text(element, paths.ROW_VAT_PERCENT, fi_number(row.vat_percent))
    _money(element, paths.ROW_VAT, row.vat_amount, currency)
    _money(element, paths.ROW_VAT_EXCLUDED, row.vat_excluded, currency)
    _money(element, paths.ROW_AMOUNT, row.amount, currency)


def _epi(root: etree._Element, spec: InvoiceSpec) -> None:
    epi = etree.SubElement(root, paths.EPI)
    ident = etree.SubElement(epi, paths.EPI_IDENTIFICATION)
    _date(ident, "EpiDate", spec.issue_date)
    _text(ident, paths.EPI_REFERENCE, spec.reference)
    parties = etree.SubElement(epi, paths.EPI_PARTIES)
    bfi = etree.SubElement(parties, paths.EPI_BFI)
    _text(bfi, paths.EPI_BIC, spec.payment.bic, **{paths.SCHEME: paths.BIC})
    beneficiary = etree.SubElement(parties, paths.EPI_BENEFICIARY)
    _text(beneficiary, paths.EPI_PAYEE, spec.beneficiary)
    _text(beneficiary, paths.EPI_ACCOUNT, spec.payment.iban, **{paths.SCHEME: paths.IBAN})
    instruction = etree.SubElement(epi, paths.EPI_INSTRUCTION)
    _text(instruction, paths.EPI_INSTRUCTION_ID, spec.instruction_id)
    _text(
        instruction,
        paths.EPI_REMITTANCE,
        spec.reference,
        **{paths.SCHEME: spec.reference_scheme},
    )
    instructed = etree.SubElement(
        instruction, paths.EPI_AMOUNT, AmountCurrencyIdentifier=spec.currency
    )
    instructed.text = fi_amount(spec.instructed)
    _text(instruction, paths.EPI_CHARGE, spec.charge, ChargeOption=spec.charge)
    _date(instruction, paths.EPI_DUE_DATE, spec.due_date)


def build_tree(spec: InvoiceSpec) -> etree._ElementTree:
    """The invoice as an lxml tree, elements in schema order."""
    root = etree.Element(paths.ROOT, nsmap={"xsi": XSI})
    root.set(paths.VERSION, spec.version)
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", f"Finvoice{spec.version}.xsd")
    if spec.transmission is not None:
        _transmission(root, spec.transmission)
    _party(root, spec, paths.SELLER_PREFIX, spec.seller)
    _text(root, paths.SELLER_UNIT, spec.seller_ovt)
    if spec.seller_accounts:
        info = etree.SubElement(root, paths.SELLER_INFORMATION)
        for account in spec.seller_accounts:
            block = etree.SubElement(info, paths.SELLER_ACCOUNT)
            _text(block, paths.SELLER_ACCOUNT_ID, account.iban, **{paths.SCHEME: paths.IBAN})
            _text(block, paths.SELLER_BIC, account.bic, **{paths.SCHEME: paths.BIC})
    _text(root, paths.LANGUAGE, spec.language)
    _party(root, spec, paths.BUYER_PREFIX, spec.buyer)
    _text(root, paths.BUYER_UNIT, spec.buyer_ovt)
    _details(root, spec)
    _text(root, paths.BARCODE, spec.barcode)
    for row in spec.rows:
        _row(root, row, spec.currency)
    _epi(root, spec)
    tree = etree.ElementTree(root)
    if spec.stylesheet:
        root.addprevious(etree.PI("xml-stylesheet", 'type="text/xsl" href="Finvoice.xsl"'))
    return tree


def render(spec: InvoiceSpec) -> bytes:
    """The invoice file's bytes, in the spec's encoding, with an XML declaration."""
    tree = build_tree(spec)
    if spec.pretty:
        etree.indent(tree, space="  ")
    data = etree.tostring(tree, xml_declaration=True, encoding=spec.encoding)
    assert isinstance(data, bytes)
    return data


def _party_model(spec: InvoiceSpec, party: PartySpec) -> Party:
    address = party.address
    scheme = "0037" if spec.scheme_ids and spec.version == "3.0" and party.business_id else None
    return Party(
        name=party.name,
        business_id=party.business_id,
        business_id_scheme=scheme,
        vat_code=party.vat_code,
        address=Address(
            streets=list(address.streets),
            town=address.town,
            postcode=address.postcode,
            country=address.country,
        )
        if address is not None
        else None,
    )


def _interest_text(spec: InvoiceSpec) -> str | None:
    # The strategies write only interest sentences ("Viivästyskorko 8 %") as the
    # fine's free text and never mention interest in the payment terms.
    return spec.fine_text


def expected(spec: InvoiceSpec) -> Invoice:
    """The normalised invoice the adapter must read from `render(spec)`.

    `locations` and `channel_signals` are left empty: they describe where and
    why, not what, and are compared separately if at all.
    """
    return Invoice(
        format=f"finvoice-{spec.version}",
        version=spec.version,
        type_code=spec.type_code,
        number=spec.number,
        issue_date=spec.issue_date,
        due_date=spec.terms_due_date or spec.due_date,
        terms_due_date=spec.terms_due_date,
        currency=spec.currency,
        currencies=[spec.currency],
        total=spec.total,
        total_vat_excluded=spec.total_vat_excluded,
        total_vat=spec.total_vat,
        paid_amount=spec.paid if spec.version == "3.0" else None,
        rows=[
            Row(
                index=n,
                article=row.article,
                quantity=row.quantity,
                unit=row.unit,
                unit_price=row.unit_price,
                vat_percent=row.vat_percent,
                vat_amount=row.vat_amount,
                vat_excluded=row.vat_excluded,
                amount=row.amount,
            )
            for n, row in enumerate(spec.rows, start=1)
        ],
        vat_lines=[
            VatLine(percent=v.percent, base=v.base, amount=v.amount) for v in spec.vat_lines
        ],
        seller=_party_model(spec, spec.seller),
        seller_accounts=[
            Account(account=a.iban, scheme="IBAN", bic=a.bic) for a in spec.seller_accounts
        ],
        buyer=_party_model(spec, spec.buyer),
        language=spec.language,
        payment=Payment(
            iban=spec.payment.iban,
            iban_scheme="IBAN",
            bic=spec.payment.bic,
            beneficiary=spec.beneficiary,
            reference=spec.reference,
            reference_scheme=spec.reference_scheme,
            amount=spec.instructed,
            due_date=spec.due_date,
            instruction_id=spec.instruction_id,
        ),
        penalty_interest_percent=spec.fine_percent,
        interest_in_free_text=_interest_text(spec),
        payment_terms_text=spec.terms_text,
        channel=spec.channel,
    )


COMPARED_EXCLUDE: Final = frozenset({"locations", "channel_signals"})


def comparable(invoice: Invoice) -> dict[str, object]:
    """The modelled fields of `invoice`, for comparing an expectation with a reading."""
    return invoice.model_dump(exclude=set(COMPARED_EXCLUDE))


def example_spec(today: date, version: str = "3.0") -> InvoiceSpec:
    """One fixed, valid B2B invoice due four weeks after `today` (on a banking day).

    For tests that need a known-good invoice without hypothesis, and as the
    twin that hand-written variants start from.
    """
    from datetime import timedelta

    from kassavirta.finnish.businessdays import next_business_day

    due = next_business_day(today + timedelta(days=28))
    row = RowSpec(
        article="Huoltosopimus",
        quantity=Decimal(2),
        unit="kk",
        unit_price=Decimal("120.00"),
        vat_percent=Decimal("25.5"),
        vat_excluded=Decimal("240.00"),
        vat_amount=Decimal("61.20"),
        amount=Decimal("301.20"),
    )
    account = AccountSpec(iban="FI2112345600000785", bic="NDEAFIHH")
    return InvoiceSpec(
        version=version,
        encoding="ISO-8859-15",
        seller=PartySpec(
            name="Koivu Huolto Oy",
            business_id="1572860-0",
            vat_code="FI15728600",
            address=PostalAddress(("Hämeenkatu 12",), "TAMPERE", "33100"),
        ),
        buyer=PartySpec(
            name="Järvi Rakennus Ab",
            business_id="2331972-7",
            address=PostalAddress(("Aleksanterinkatu 7 B 4",), "HELSINKI", "00100"),
        ),
        number="2026001",
        issue_date=today,
        rows=(row,),
        total_vat_excluded=row.vat_excluded,
        total_vat=row.vat_amount,
        total=row.amount,
        vat_lines=(VatSpec(row.vat_percent, row.vat_excluded, row.vat_amount),),
        payment=account,
        beneficiary="Koivu Huolto Oy",
        reference="20260011",
        reference_scheme="SPY",
        instructed=row.amount,
        due_date=due,
        terms_due_date=due,
        terms_text="28 päivää netto",
        seller_accounts=(account,),
        fine_percent=Decimal(8),
        fine_text="Viivästyskorko 8 %",
    )


def example(today: date, format_id: str) -> bytes:
    """`example_spec` rendered in the Finvoice version that `format_id` (`finvoice-3.0`) names.

    The registry's writer hook: the shared per-format tests check that it routes.
    """
    return render(example_spec(today, format_id.removeprefix("finvoice-")))
