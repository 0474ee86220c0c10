"""A seeded generator of realistic Finvoice 3.0 invoices for benchmarks and batch tests.

The same seed and count always give the same bytes, so a benchmark run or a
test can be repeated exactly. The mix is what a sender's month of invoices
looks like, with the defects a preflight exists to find:

- most invoices are clean and route (2–40 rows, VAT 25,5 % and 14 %);
- some carry a send error (rows that do not add up to the total, a due date
  too soon, an incomplete buyer address), an invoice number that collides
  with an earlier invoice of the same batch (same number and invoice date),
  or with an open assignment in the generated `assignments.json`;
- some are bypassed (another currency), are credit notes, carry a bad IBAN
  (a warning), break the Finvoice 3.0 schema, or are not well-formed XML;
- a few are SOAP-framed, and a few hold two frame + invoice pairs.

Half are encoded in UTF-8 and half in ISO-8859-15 (as most Finvoice files
are). Files are spread over folders of `--per-folder` files, and the folder
gets a `kassavirta.toml` that pins the sending date, the activation settings
and the assignments, so `kassavirta check FOLDER` decides them as intended.

    python benchmarks/generate.py OUT --invoices 10000 [--seed 2026]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

TODAY = date(2026, 12, 1)
"""The sending date the generated folder is pinned to (its kassavirta.toml)."""

KINDS: tuple[tuple[str, float], ...] = (
    ("clean", 0.62),
    ("sum-mismatch", 0.05),
    ("due-date-too-soon", 0.05),
    ("address-incomplete", 0.04),
    ("duplicate-in-batch", 0.05),
    ("duplicate-assignment", 0.02),
    ("bad-iban", 0.03),
    ("non-eur", 0.02),
    ("credit-note", 0.02),
    ("consumer", 0.03),
    ("schema-invalid", 0.02),
    ("not-well-formed", 0.02),
    ("soap-framed", 0.02),
    ("two-invoices", 0.01),
)
"""What an invoice is made to be, and how often (the weights add up to 1)."""

SELLERS = (
    ("Pohjoisen Putkityö Oy", "FI2757800750155447", "OKOYFIHH"),
    ("Kaakon Kahvipaahtimo Oy", "FI7429501800000014", "NDEAFIHH"),
)
TOWNS = (
    ("00100", "HELSINKI"),
    ("02100", "ESPOO"),
    ("20100", "TURKU"),
    ("33100", "TAMPERE"),
    ("40100", "JYVÄSKYLÄ"),
    ("65100", "VAASA"),
    ("90100", "OULU"),
    ("96100", "ROVANIEMI"),
)
STREETS = ("Mannerheimintie", "Hämeenkatu", "Kauppakatu", "Väinönkatu", "Rantatie", "Koulukatu")
BUYERS = ("Sensorit", "Järvilogistiikka", "Mäkelän Maansiirto", "Öljyhuolto", "Saaristo Marin")
PEOPLE = ("Aino Virtanen", "Matti Heikkinen", "Eeva Mäkinen", "Jussi Nieminen", "Liisa Häkkinen")
ARTICLES = (
    ("Asennustyö", "h", Decimal("25.5")),
    ("Putkiosa 22 mm", "kpl", Decimal("25.5")),
    ("Huoltokäynti", "kpl", Decimal("25.5")),
    ("Kahvipaketti 500 g", "kpl", Decimal("14")),
    ("Matkakulut", "km", Decimal("25.5")),
    ("Lounastarjoilu", "hlö", Decimal("14")),
)
CENT = Decimal("0.01")
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_Y_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_REFERENCE_WEIGHTS = (7, 3, 1) * 7


def escape(text: str) -> str:
    """Text for XML content and attribute values."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def business_id(rng: random.Random) -> str:
    """A Finnish business ID (Y-tunnus) with a valid check digit."""
    while True:
        digits = f"{rng.randrange(1_000_000, 9_999_999):07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, _Y_WEIGHTS, strict=True)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"


def fi_reference(base: int) -> str:
    """A Finnish creditor reference: `base` and its 7-3-1 check digit.

    Computed here rather than taken from the toolkit, so the benchmark inputs do
    not depend on where the toolkit keeps its identifier code.
    """
    digits = str(base)
    total = sum(int(d) * w for d, w in zip(reversed(digits), _REFERENCE_WEIGHTS, strict=False))
    return f"{digits}{(10 - total % 10) % 10}"


def amount(value: Decimal) -> str:
    """A Finvoice amount: a decimal comma and two decimals."""
    return f"{value.quantize(CENT, ROUND_HALF_UP):f}".replace(".", ",")


def ymd(value: date) -> str:
    return value.strftime("%Y%m%d")


@dataclass
class Row:
    article: str
    unit: str
    quantity: int
    price: Decimal
    vat_percent: Decimal

    @property
    def net(self) -> Decimal:
        return (self.price * self.quantity).quantize(CENT, ROUND_HALF_UP)

    @property
    def vat(self) -> Decimal:
        return (self.net * self.vat_percent / 100).quantize(CENT, ROUND_HALF_UP)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass
class Spec:
    """Everything that goes into one invoice, before it is written as XML."""

    number: str
    issued: date
    due: date
    seller: tuple[str, str, str]
    buyer_name: str
    buyer_id: str | None
    street: str
    postcode: str
    town: str
    rows: list[Row]
    reference: str
    currency: str = "EUR"
    type_code: str = "INV01"
    iban: str = ""
    row_shift: Decimal = Decimal(0)
    schema_break: bool = False
    language: str = "fi"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def sign(self) -> int:
        return -1 if self.type_code == "INV02" else 1


def finvoice(spec: Spec) -> str:
    """The Finvoice 3.0 document for `spec`, without its XML declaration."""
    cur = spec.currency
    sign = spec.sign
    net = sum((r.net for r in spec.rows), Decimal(0)) * sign
    vat = sum((r.vat for r in spec.rows), Decimal(0)) * sign
    total = net + vat
    seller_name, seller_iban, seller_bic = spec.seller
    iban = spec.iban or seller_iban
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for r in spec.rows:
        base, tax = by_rate.get(r.vat_percent, (Decimal(0), Decimal(0)))
        by_rate[r.vat_percent] = (base + r.net * sign, tax + r.vat * sign)
    vat_specs = "".join(
        f"""
    <VatSpecificationDetails>
      <VatBaseAmount AmountCurrencyIdentifier="{cur}">{amount(base)}</VatBaseAmount>
      <VatRatePercent>{amount(rate)}</VatRatePercent>
      <VatCode>S</VatCode>
      <VatRateAmount AmountCurrencyIdentifier="{cur}">{amount(tax)}</VatRateAmount>
    </VatSpecificationDetails>"""
        for rate, (base, tax) in sorted(by_rate.items())
    )
    rows = []
    for n, r in enumerate(spec.rows, start=1):
        gross = r.gross * sign + (spec.row_shift if n == 1 else 0)
        rows.append(
            f"""
  <InvoiceRow>
    <ArticleIdentifier>{1000 + n}</ArticleIdentifier>
    <ArticleName>{escape(r.article)}</ArticleName>
    <InvoicedQuantity QuantityUnitCode="{escape(r.unit)}">{r.quantity * sign}</InvoicedQuantity>
    <UnitPriceAmount AmountCurrencyIdentifier="{cur}">{amount(r.price)}</UnitPriceAmount>
    <RowPositionIdentifier>{n}</RowPositionIdentifier>
    <RowVatRatePercent>{amount(r.vat_percent)}</RowVatRatePercent>
    <RowVatCode>S</RowVatCode>
    <RowVatAmount AmountCurrencyIdentifier="{cur}">{amount(r.vat * sign)}</RowVatAmount>
    <RowVatExcludedAmount AmountCurrencyIdentifier="{cur}">{amount(r.net * sign)}</RowVatExcludedAmount>
    <RowAmount AmountCurrencyIdentifier="{cur}">{amount(gross)}</RowAmount>
  </InvoiceRow>"""
        )
    buyer_id = (
        f"\n    <BuyerPartyIdentifier>{spec.buyer_id}</BuyerPartyIdentifier>"
        if spec.buyer_id
        else ""
    )
    tax_code = (
        f"\n    <BuyerOrganisationTaxCode>FI{spec.buyer_id.replace('-', '')}</BuyerOrganisationTaxCode>"
        if spec.buyer_id
        else ""
    )
    date_format = "" if spec.schema_break else ' Format="CCYYMMDD"'
    return f"""<Finvoice Version="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="Finvoice3.0.xsd">
  <MessageTransmissionDetails>
    <MessageSenderDetails>
      <FromIdentifier SchemeID="0037">003712345671</FromIdentifier>
      <FromIntermediator>003721291126</FromIntermediator>
    </MessageSenderDetails>
    <MessageReceiverDetails>
      <ToIdentifier SchemeID="0037">003776543210</ToIdentifier>
      <ToIntermediator>003721291126</ToIntermediator>
    </MessageReceiverDetails>
    <MessageDetails>
      <MessageIdentifier>MSG-{spec.number}</MessageIdentifier>
      <MessageTimeStamp>{spec.issued.isoformat()}T08:00:00</MessageTimeStamp>
    </MessageDetails>
  </MessageTransmissionDetails>
  <SellerPartyDetails>
    <SellerPartyIdentifier>1234567-1</SellerPartyIdentifier>
    <SellerOrganisationName>{escape(seller_name)}</SellerOrganisationName>
    <SellerOrganisationTaxCode>FI12345671</SellerOrganisationTaxCode>
    <SellerPostalAddressDetails>
      <SellerStreetName>Teollisuuskatu 7</SellerStreetName>
      <SellerTownName>HELSINKI</SellerTownName>
      <SellerPostCodeIdentifier>00510</SellerPostCodeIdentifier>
      <CountryCode>FI</CountryCode>
    </SellerPostalAddressDetails>
  </SellerPartyDetails>
  <SellerInformationDetails>
    <SellerAccountDetails>
      <SellerAccountID IdentificationSchemeName="IBAN">{iban}</SellerAccountID>
      <SellerBic IdentificationSchemeName="BIC">{seller_bic}</SellerBic>
    </SellerAccountDetails>
  </SellerInformationDetails>
  <InvoiceRecipientLanguageCode>{spec.language}</InvoiceRecipientLanguageCode>
  <BuyerPartyDetails>{buyer_id}
    <BuyerOrganisationName>{escape(spec.buyer_name)}</BuyerOrganisationName>{tax_code}
    <BuyerPostalAddressDetails>
      <BuyerStreetName>{escape(spec.street)}</BuyerStreetName>
      <BuyerTownName>{escape(spec.town)}</BuyerTownName>
      <BuyerPostCodeIdentifier>{spec.postcode}</BuyerPostCodeIdentifier>
      <CountryCode>FI</CountryCode>
    </BuyerPostalAddressDetails>
  </BuyerPartyDetails>
  <InvoiceDetails>
    <InvoiceTypeCode>{spec.type_code}</InvoiceTypeCode>
    <InvoiceTypeText>{"HYVITYSLASKU" if spec.sign < 0 else "LASKU"}</InvoiceTypeText>
    <OriginCode>Original</OriginCode>
    <InvoiceNumber>{spec.number}</InvoiceNumber>
    <InvoiceDate{date_format}>{ymd(spec.issued)}</InvoiceDate>
    <InvoiceTotalVatExcludedAmount AmountCurrencyIdentifier="{cur}">{amount(net)}</InvoiceTotalVatExcludedAmount>
    <InvoiceTotalVatAmount AmountCurrencyIdentifier="{cur}">{amount(vat)}</InvoiceTotalVatAmount>
    <InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="{cur}">{amount(total)}</InvoiceTotalVatIncludedAmount>{vat_specs}
    <InvoiceFreeText>Kiitos tilauksesta! Hinnat (€) sisältävät arvonlisäveron.</InvoiceFreeText>
    <PaymentTermsDetails>
      <PaymentTermsFreeText>14 päivää netto</PaymentTermsFreeText>
      <InvoiceDueDate Format="CCYYMMDD">{ymd(spec.due)}</InvoiceDueDate>
      <PaymentOverDueFineDetails>
        <PaymentOverDueFineFreeText>Viivästyskorko</PaymentOverDueFineFreeText>
        <PaymentOverDueFinePercent>11,5</PaymentOverDueFinePercent>
      </PaymentOverDueFineDetails>
    </PaymentTermsDetails>
  </InvoiceDetails>{"".join(rows)}
  <EpiDetails>
    <EpiIdentificationDetails>
      <EpiDate Format="CCYYMMDD">{ymd(spec.issued)}</EpiDate>
      <EpiReference>{spec.reference}</EpiReference>
    </EpiIdentificationDetails>
    <EpiPartyDetails>
      <EpiBfiPartyDetails>
        <EpiBfiIdentifier IdentificationSchemeName="BIC">{seller_bic}</EpiBfiIdentifier>
      </EpiBfiPartyDetails>
      <EpiBeneficiaryPartyDetails>
        <EpiNameAddressDetails>{escape(seller_name)}</EpiNameAddressDetails>
        <EpiAccountID IdentificationSchemeName="IBAN">{iban}</EpiAccountID>
      </EpiBeneficiaryPartyDetails>
    </EpiPartyDetails>
    <EpiPaymentInstructionDetails>
      <EpiRemittanceInfoIdentifier IdentificationSchemeName="SPY">{spec.reference}</EpiRemittanceInfoIdentifier>
      <EpiInstructedAmount AmountCurrencyIdentifier="{cur}">{amount(total)}</EpiInstructedAmount>
      <EpiCharge ChargeOption="SHA">SHA</EpiCharge>
      <EpiDateOptionDate Format="CCYYMMDD">{ymd(spec.due)}</EpiDateOptionDate>
    </EpiPaymentInstructionDetails>
  </EpiDetails>
</Finvoice>
"""


def soap_frame(spec: Spec) -> str:
    """The SOAP/ebXML transmission frame that precedes a Finvoice in a sent file."""
    return f"""<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd">
  <SOAP-ENV:Header>
    <eb:MessageHeader SOAP-ENV:mustUnderstand="1" eb:version="2.0">
      <eb:From><eb:PartyId>003712345671</eb:PartyId><eb:Role>Sender</eb:Role></eb:From>
      <eb:From><eb:PartyId>003721291126</eb:PartyId><eb:Role>Intermediator</eb:Role></eb:From>
      <eb:To><eb:PartyId>003776543210</eb:PartyId><eb:Role>Receiver</eb:Role></eb:To>
      <eb:To><eb:PartyId>003721291126</eb:PartyId><eb:Role>Intermediator</eb:Role></eb:To>
      <eb:CPAId>yoursandmycpa</eb:CPAId>
      <eb:Service>Routing</eb:Service>
      <eb:Action>ProcessInvoice</eb:Action>
      <eb:MessageData>
        <eb:MessageId>MSG-{spec.number}</eb:MessageId>
        <eb:Timestamp>{spec.issued.isoformat()}T08:00:00</eb:Timestamp>
      </eb:MessageData>
    </eb:MessageHeader>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <eb:Manifest eb:id="Manifest" eb:version="2.0">
      <eb:Reference eb:id="Finvoice" xlink:href="MSG-{spec.number}">
        <eb:Schema eb:location="http://www.finvoice.info/finvoice.xsd" eb:version="3.0"/>
      </eb:Reference>
    </eb:Manifest>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"""


class Generator:
    """Invoices one after another; remembers clean ones so later ones can collide."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clean: list[tuple[str, date]] = []
        self.assignments: list[dict[str, object]] = []
        self.counts: dict[str, int] = {}

    def kind(self) -> str:
        return self.rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]

    def spec(self, serial: int) -> Spec:
        rng = self.rng
        issued = TODAY - timedelta(days=rng.randrange(0, 20))
        postcode, town = rng.choice(TOWNS)
        consumer = rng.random() < 0.15
        rows = [
            Row(name, unit, rng.randrange(1, 12), Decimal(rng.randrange(150, 25000)) / 100, vat)
            for name, unit, vat in (rng.choice(ARTICLES) for _ in range(rng.randint(2, 40)))
        ]
        return Spec(
            number=f"{2026_000000 + serial}",
            issued=issued,
            due=TODAY + timedelta(days=rng.randrange(7, 45)),
            seller=rng.choice(SELLERS),
            buyer_name=rng.choice(PEOPLE) if consumer else f"{rng.choice(BUYERS)} Oy",
            buyer_id=None if consumer else business_id(rng),
            street=f"{rng.choice(STREETS)} {rng.randrange(1, 90)}",
            postcode=postcode,
            town=town,
            rows=rows,
            reference=fi_reference(100_000 + serial),
            language=rng.choice(("fi", "fi", "fi", "sv", "en")),
        )

    def document(self, serial: int) -> tuple[str, list[Spec]]:
        """The kind of the invoice and the specs of the documents in its file."""
        kind = self.kind()
        spec = self.spec(serial)
        specs = [spec]
        if kind == "sum-mismatch":
            spec.row_shift = Decimal(self.rng.randrange(1, 5000)) / 100
        elif kind == "due-date-too-soon":
            spec.due = TODAY + timedelta(days=self.rng.randrange(-10, 3))
        elif kind == "address-incomplete":
            spec.postcode = spec.postcode[:4]
        elif kind == "duplicate-in-batch" and self.clean:
            spec.number, spec.issued = self.rng.choice(self.clean)
        elif kind == "duplicate-assignment":
            self.assignments.append(
                {
                    "id": f"a-{serial}",
                    "number": spec.number,
                    "issued_at": spec.issued.isoformat(),
                    "status": "open",
                    "events": [],
                }
            )
        elif kind == "bad-iban":
            iban = spec.seller[1]
            spec.iban = iban[:-1] + str((int(iban[-1]) + 1) % 10)
        elif kind == "non-eur":
            spec.currency = "SEK"
        elif kind == "credit-note":
            spec.type_code = "INV02"
        elif kind == "consumer":
            spec.buyer_id = None
            spec.buyer_name = self.rng.choice(PEOPLE)
        elif kind == "schema-invalid":
            spec.schema_break = True
        elif kind == "two-invoices":
            second = self.spec(serial + 500_000_000)
            specs.append(second)
        if kind == "clean":
            self.clean.append((spec.number, spec.issued))
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return kind, specs

    def file_bytes(self, serial: int) -> bytes:
        kind, specs = self.document(serial)
        encoding = "UTF-8" if self.rng.random() < 0.5 else "ISO-8859-15"
        declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
        if kind in ("soap-framed", "two-invoices"):
            text = "".join(soap_frame(s) + declaration + finvoice(s) for s in specs)
            text = declaration + text
        else:
            text = declaration + finvoice(specs[0])
        data = text.encode(encoding)
        if kind == "not-well-formed":
            data = data[: len(data) * 2 // 3]
        return data


def settings_document() -> dict[str, object]:
    """Activation settings as the operator's API returns them: the service is active."""
    return {
        "status": "ACTIVE",
        "iban": "FI2757800750155447",
        "bic": "OKOYFIHH",
        "accountable_party": "vfsfi",
        "service_type": "full",
        "customer_service_email": "asiakaspalvelu@example.fi",
        "customer_service_phone_number": "+358 9 123 4567",
        "vfsfi": {"iban": "FI7429501800000014", "bic": "NDEAFIHH"},
        "activated_on": "2026-01-15",
    }


def _company_spec(gen: Generator, serial: int, rows: int | None = None) -> Spec:
    """A spec that routes under the sample settings: a company buyer, EUR, Finnish."""
    spec = gen.spec(serial)
    spec.buyer_id = business_id(gen.rng)
    spec.buyer_name = f"{gen.rng.choice(BUYERS)} Oy"
    spec.language = "fi"
    if rows is not None:
        spec.rows = [
            Row(name, unit, 1 + n % 11, Decimal(150 + (n * 37) % 24850) / 100, vat)
            for n, (name, unit, vat) in enumerate(ARTICLES[n % len(ARTICLES)] for n in range(rows))
        ]
    return spec


def row_invoice(rows: int, *, seed: int = 2026) -> bytes:
    """One clean Finvoice 3.0 invoice with `rows` rows (about 630 bytes a row), UTF-8.

    The row series of `run.py`: the same invoice at growing sizes, so the check's
    cost can be compared with its own parse + XSD floor and with itself.
    """
    spec = _company_spec(Generator(seed), 1, rows)
    return (DECLARATION + finvoice(spec)).encode("utf-8")


def multi_document(target_bytes: int, *, seed: int = 2026, rows: int = 5) -> bytes:
    """One file of SOAP frame + Finvoice pairs, at least `target_bytes` long.

    The multi-document series of `run.py`: a sent file holding many invoices,
    each with its own frame and XML declaration, as operators deliver them.
    """
    gen = Generator(seed)
    parts = [DECLARATION]
    size = len(DECLARATION)
    serial = 0
    while size < target_bytes:
        serial += 1
        spec = _company_spec(gen, serial, rows)
        part = soap_frame(spec) + DECLARATION + finvoice(spec)
        parts.append(part)
        size += len(part.encode("utf-8"))
    return "".join(parts).encode("utf-8")


def small_documents(target_bytes: int) -> bytes:
    """One file of many tiny Finvoice documents (about 160 bytes each), at least `target_bytes`.

    The other multi-document series: each document is unreadable as an invoice
    (no seller, no amounts), so checking it is quick, and what grows with the
    file is the cost of finding and reading its documents.
    """
    parts = []
    size = 0
    serial = 0
    while size < target_bytes:
        serial += 1
        part = (
            f'{DECLARATION}<Finvoice Version="3.0">\n  <InvoiceDetails>\n'
            f"    <InvoiceNumber>{serial}</InvoiceNumber>\n  </InvoiceDetails>\n</Finvoice>\n"
        )
        parts.append(part)
        size += len(part)
    return "".join(parts).encode()


LIMIT_ROWS = {
    "cii.xml": "IncludedSupplyChainTradeLineItem",
    "peppol-bis-3.xml": "InvoiceLine",
    "s-edi-3.0.xml": "ArticleRow",
    "teappsxml.xml": "ROW",
    "visma-xml-6.0.xml": "DetailLine",
    "liinos.xml": "Row",
    "maventa-xml-1.0.xml": "item",
    "finvoice-3.0.xml": "InvoiceRow",
}
"""Each format's routed sample (samples/route/) and the local name of its row element."""


def grown(sample: Path, row: str, target_bytes: int) -> tuple[bytes, int]:
    """`sample` with its last `row` element repeated until the file is about `target_bytes`.

    Every format at the size limit (the `limit` series of run.py): what a long
    invoice costs in each reader. The totals are left as they were, so the
    check finds the rows' sum wrong (`sum-mismatch`), which it reads all rows to
    say. Returns the bytes and the number of rows.
    """
    import copy

    from lxml import etree

    tree = etree.parse(str(sample))
    rows = [e for e in tree.iter() if isinstance(e.tag, str) and etree.QName(e).localname == row]
    last = rows[-1]
    parent = last.getparent()
    assert parent is not None
    at = parent.index(last) + 1
    # The row as written, with the white space that follows it.
    one = len(etree.tostring(last, with_tail=True))
    base = len(etree.tostring(tree))
    copies = max(0, (target_bytes - base) // one)
    for _ in range(copies):
        parent.insert(at, copy.deepcopy(last))
    data = etree.tostring(tree, xml_declaration=True, encoding=tree.docinfo.encoding or "UTF-8")
    assert isinstance(data, bytes)
    return data, len(rows) + copies


def service_reference(serial: int) -> str:
    """The service's reference number of generated assignment `serial` (`reference_ids` number)."""
    return fi_reference(356_241_000_000 + serial)


def assignments(n: int) -> list[dict[str, object]]:
    """`n` open assignments in the Receivables API's export shape (for `kassavirta ledger import`)."""
    out: list[dict[str, object]] = []
    for serial in range(1, n + 1):
        issued = TODAY - timedelta(days=10 + serial % 20)
        stamp = f"{issued.isoformat()}T08:00:00Z"
        out.append(
            {
                "id": f"00000000-0000-5000-8000-{serial:012d}",
                "status": "open",
                "collection_status": "unknown",
                "service_level": "default",
                "debtor": {"name": f"{BUYERS[serial % len(BUYERS)]} Oy", "bid": "2739010-9"},
                "due_date": (issued + timedelta(days=21)).isoformat(),
                "issued_at": issued.isoformat(),
                "number": f"2026-{serial}",
                "sum": float(100 + serial % 900),
                "paid": 0.0,
                "currency": "EUR",
                "created_at": stamp,
                "partially_closed_at": None,
                "updated_at": stamp,
                "closed_at": None,
                "reference_ids": [{"type": "number", "value": service_reference(serial)}],
                "events": [],
            }
        )
    return out


def camt054(credits: int, ledger_size: int) -> bytes:
    """A camt.054.001.02 notification of `credits` credits for a ledger of `assignments(ledger_size)`.

    Every other credit pays an assignment by its service reference; the others
    carry neither a known reference nor an invoice number, so each is compared
    with every assignment before it is left to a person: the case that scales
    with the ledger.
    """
    entries = []
    for i in range(credits):
        booked = TODAY + timedelta(days=2)
        if i % 2 == 0 and ledger_size:
            serial = 1 + (i // 2) % ledger_size
            amount_text = f"{100 + serial % 900}.00"
            payer = f"{BUYERS[serial % len(BUYERS)]} Oy"
            remittance = (
                f"<Strd><CdtrRefInf><Ref>{service_reference(serial)}</Ref></CdtrRefInf></Strd>"
            )
        else:
            amount_text = f"{10 + i % 90}.{i % 100:02d}"
            payer = PEOPLE[i % len(PEOPLE)]
            remittance = f"<Ustrd>Maksu {i}, kiitos</Ustrd>"
        entries.append(
            f"""
      <Ntry>
        <Amt Ccy="EUR">{amount_text}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>
        <AcctSvcrRef>{ymd(booked)}59{i:09d}</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <AmtDtls><TxAmt><Amt Ccy="EUR">{amount_text}</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>{escape(payer)}</Nm></Dbtr></RltdPties>
            <RmtInf>{remittance}</RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>"""
        )
    return f"""{DECLARATION}<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>BENCH{credits}</MsgId><CreDtTm>{TODAY.isoformat()}T11:30:00+02:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>bench-{credits}</Id>
      <CreDtTm>{TODAY.isoformat()}T11:30:00+02:00</CreDtTm>
      <Acct><Id><IBAN>FI7657062096654282</IBAN></Id></Acct>{"".join(entries)}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()


def paths(out: Path, n: int, per_folder: int) -> Iterator[tuple[int, Path]]:
    for serial in range(1, n + 1):
        folder = out / f"batch-{(serial - 1) // per_folder + 1:04d}"
        yield serial, folder / f"invoice-{serial:07d}.xml"


def generate(out: Path, n: int, *, seed: int = 2026, per_folder: int = 1000) -> dict[str, int]:
    """Write `n` invoice files under `out` (plus settings, assignments and a kassavirta.toml).

    Returns how many invoices of each kind were written.
    """
    gen = Generator(seed)
    out.mkdir(parents=True, exist_ok=True)
    for serial, path in paths(out, n, per_folder):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(gen.file_bytes(serial))
    (out / "settings.json").write_text(
        json.dumps(settings_document(), indent=2) + "\n", encoding="utf-8"
    )
    (out / "assignments.json").write_text(
        json.dumps(gen.assignments, indent=2) + "\n", encoding="utf-8"
    )
    (out / "kassavirta.toml").write_text(
        f'today = {TODAY.isoformat()}\nsettings = "settings.json"\nassignments = "assignments.json"\n',
        encoding="utf-8",
    )
    return dict(sorted(gen.counts.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write N seeded, realistic Finvoice 3.0 invoices (valid and defective) "
        "into a folder, with the settings and kassavirta.toml that pin how they are checked."
    )
    parser.add_argument("out", type=Path, help="the folder to write into (created)")
    parser.add_argument("--invoices", "-n", type=int, default=1000, help="how many files")
    parser.add_argument("--seed", type=int, default=2026, help="the random seed (default 2026)")
    parser.add_argument(
        "--per-folder", type=int, default=1000, help="files per sub-folder (default 1000)"
    )
    args = parser.parse_args(argv)
    counts = generate(args.out, args.invoices, seed=args.seed, per_folder=args.per_folder)
    for kind, count in counts.items():
        print(f"{count:8d}  {kind}")
    print(f"{sum(counts.values()):8d}  files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
