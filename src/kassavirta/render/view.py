"""What one page of the invoice image shows, taken from the normalised model.

The renderers read only `Page`s, and a page is built from the `Invoice` of
the rewritten document plus the rewrite's plan (clause, barcode) and its field
diff: any format with an adapter and a rewriter gets the image for free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kassavirta.finnish.bank import format_iban
from kassavirta.finnish.barcode import virtual_barcode
from kassavirta.finnish.business_id import is_valid
from kassavirta.finnish.reference import (
    format_fi_reference,
    format_rf_reference,
    is_valid_fi_reference,
    is_valid_rf_reference,
)
from kassavirta.model import (
    LEGAL_REGISTRATION,
    PARTNER_ASSIGNED,
    DocumentCharge,
    Invoice,
    Party,
    Row,
    vat_at,
)
from kassavirta.render.epcqr import epc_payload
from kassavirta.render.labels import (
    REGISTRIES,
    SCHEME_NAMES,
    VAT_SCHEMES,
    field_name,
    label,
    unit_label,
)
from kassavirta.rewrite import FieldChange, RewriteResult
from kassavirta.rewrite.clause import Language, clause_language

SHOWN_ROWS = 500
"""Rows laid out on a preview (about 15 pages); a longer invoice's others are named in one
line. Laying out the 31,000 rows of a 20 MiB invoice took the PDF half a minute, and 1,000
of them a second; its totals still count every row."""


@dataclass(frozen=True)
class Page:
    """One invoice of the preview: the values to print and what changed."""

    invoice: Invoice
    original: Invoice
    language: Language
    clause: tuple[str, ...]
    barcode: str | None
    qr_payload: str | None
    rewritten: bool
    changes: tuple[FieldChange, ...] = ()
    notes: tuple[str, ...] = ()

    def t(self, key: str) -> str:
        return label(key, self.language)

    @property
    def title(self) -> str:
        return self.t("credit_note" if self.invoice.is_credit_note else "invoice")

    @property
    def credit(self) -> bool:
        """A credit note is not paid: no payment slip, no barcode, no QR code."""
        return self.invoice.is_credit_note

    @property
    def amount_due(self) -> Decimal | None:
        p = self.invoice.payment
        return p.amount if p.amount is not None else self.invoice.total

    @property
    def amount_credited(self) -> Decimal | None:
        """What a credit note credits, as a positive amount (Finvoice writes it negative)."""
        inv = self.invoice
        total = inv.total if inv.total is not None else inv.payment.amount
        return None if total is None else abs(total)

    @property
    def payee(self) -> str:
        return self.invoice.payment.beneficiary or self.invoice.seller.name or ""

    @property
    def rows(self) -> list[Row]:
        """Rows worth a line: a heading row that only holds sub-rows carries nothing to print."""
        return [
            r
            for r in self.invoice.rows
            if r.article or r.quantity is not None or r.counted_amount is not None
        ]

    @property
    def charges(self) -> list[ChargeLine]:
        """The document-level charges and allowances, printed after the rows."""
        return [charge_line(c, self.language) for c in self.invoice.charges]

    @property
    def lines(self) -> list[Line]:
        """The table under the head: the rows, the document-level charges and allowances,
        and the VAT the tax total has beyond the lines' own, so that the total column and
        the rounding add up to the invoice total."""
        lang = self.language
        out = []
        rows = self.rows
        for row in rows[:SHOWN_ROWS]:
            amounts = [money(v, lang) for v in (row.vat_excluded, row.vat_amount)]
            amounts.append(money(row.counted_amount, lang))
            if not row.counted:  # the format's own total leaves it out: shown, not added
                amounts = [f"({a})" if a else "" for a in amounts]
            cells = (row.article or "", quantity(row, lang), money(row.unit_price, lang))
            percent = number(row.vat_percent, lang)
            out.append(Line("row" if row.counted else "uncounted", (*cells, percent, *amounts)))
        if len(rows) > SHOWN_ROWS:
            more = self.t("more_rows").format(
                n=len(rows) - SHOWN_ROWS, first=rows[SHOWN_ROWS].index, last=rows[-1].index
            )
            # Styled as a charge line (italic, no amounts): a kind of its own would change
            # the stylesheet, and so the bytes of every preview.
            out.append(Line("charge", (more, "", "", "", "", "", "")))
        for c in self.charges:
            amounts = [money(v, lang) for v in (c.vat_excluded, c.vat, c.total)]
            out.append(Line("charge", (c.text, "", "", number(c.vat_percent, lang), *amounts)))
        rest = self.invoice.rows_adjustment
        if rest:
            lines = len(self.invoice.counted_rows) + len(self.invoice.counted_charges)
            key = "vat_rounding" if abs(rest) < CENT * max(lines, 1) else "vat_other"
            amount = money(rest, lang)
            out.append(Line("charge", (self.t(key), "", "", "", "", amount, amount)))
        return out

    def changed(self, *fields: str) -> bool:
        return any(c.field in fields for c in self.changes)

    @property
    def terms(self) -> str:
        """The payment terms on one line, without the transfer clause, which has its own box.

        The UBL rewrite adds the clause to `cac:PaymentTerms/cbc:Note` after a line
        break; printed in the one-line terms field it would run into the terms.
        """
        text = " ".join((self.invoice.payment_terms_text or "").split())
        clause = " ".join(self.clause)
        return text.replace(clause, "").strip() if clause else text


@dataclass(frozen=True)
class Line:
    """One line of the rows table as printed: its kind (`row`, `uncounted`: a row the
    format's own total leaves out, `charge`) and its seven cells (item, quantity, unit
    price, VAT %, VAT excluded, VAT, total)."""

    kind: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ChargeLine:
    """A document-level charge or allowance as printed under the rows: signed (an allowance
    negative), so that the rows and these lines add up to the invoice total."""

    text: str
    vat_percent: Decimal | None
    vat_excluded: Decimal | None
    vat: Decimal | None
    total: Decimal | None


def charge_line(charge: DocumentCharge, language: Language) -> ChargeLine:
    """The charge with its VAT as the sum rule counts it (`DocumentCharge.vat_included`):
    the VAT as written, else the VAT-included amount less the net, else at its rate."""
    net = charge.amount
    if charge.vat_amount is not None:
        vat: Decimal | None = charge.vat_amount
    elif net is not None and charge.amount_with_vat is not None:
        vat = charge.amount_with_vat - net
    else:
        vat = vat_at(net, charge.vat_percent)
    sign = Decimal(-1) if charge.allowance else Decimal(1)
    kind = label("allowance" if charge.allowance else "charge", language)
    return ChargeLine(
        text=f"{kind}: {charge.reason}" if charge.reason else kind,
        vat_percent=charge.vat_percent,
        vat_excluded=None if net is None else sign * net,
        vat=None if vat is None else sign * vat,
        total=charge.signed,
    )


@dataclass(frozen=True)
class Comparison:
    """One row of the side-by-side table: a value before and after the rewrite."""

    label: str
    original: str
    rewritten: str
    xpath: str | None = None

    @property
    def changed(self) -> bool:
        return self.original != self.rewritten


def money(value: Decimal | None, language: Language) -> str:
    """An amount as people read it: `1 234,56` (fi, sv) or `1,234.56` (en)."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01')):,.2f}"
    if language == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def number(value: Decimal | None, language: Language) -> str:
    """A quantity or percentage without needless zeros: `10`, `25,5`."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if language == "en" else text.replace(".", ",")


def quantity(row: Row, language: Language) -> str:
    """A row's quantity and unit as printed: `6 kpl`, `12 h`."""
    return " ".join(
        v for v in (number(row.quantity, language), unit_label(row.unit, language)) if v
    )


def printed_date(value: date | None) -> str:
    """A date as Finns read it on an invoice and a payment slip: `15.12.2026` (d.m.yyyy,
    no leading zeros). Machine outputs (JSON, XML, the QR payload) keep ISO 8601."""
    return f"{value.day}.{value.month}.{value.year}" if value else ""


def printed_reference(reference: str | None) -> str:
    """The reference grouped as printed on a payment slip, or as it is when invalid."""
    if not reference:
        return ""
    if is_valid_fi_reference(reference):
        return format_fi_reference(reference)
    if is_valid_rf_reference(reference):
        return format_rf_reference(reference)
    return reference


def printed_iban(iban: str | None) -> str:
    return format_iban(iban) if iban else ""


def _barcode_of(invoice: Invoice) -> str | None:
    p = invoice.payment
    if not (p.iban and p.reference):
        return None
    try:
        return virtual_barcode(p.iban, p.amount, p.reference, p.due_date)
    except ValueError:
        return None


def _qr_of(invoice: Invoice) -> str | None:
    p = invoice.payment
    amount = p.amount if p.amount is not None else invoice.total
    if not p.iban or amount is None or amount <= 0:
        return None
    name = p.beneficiary or invoice.seller.name or ""
    return epc_payload(p.bic, name, p.iban, amount, p.reference, p.due_date)


def build_pages(result: RewriteResult) -> list[Page]:
    """One page per invoice of the file, as the service will send it."""
    pages: list[Page] = []
    multi = len(result.invoices) > 1
    for index, invoice in enumerate(result.invoices):
        plan = result.plans[index] if result.rewritten and index < len(result.plans) else None
        number_in_file = index + 1 if multi else None
        payable = not invoice.is_credit_note
        pages.append(
            Page(
                invoice=invoice,
                original=result.originals[index],
                language=clause_language(invoice.language),
                clause=plan.clause.lines if plan else (),
                barcode=(plan.barcode if plan else _barcode_of(invoice)) if payable else None,
                qr_payload=_qr_of(invoice) if payable else None,
                rewritten=plan is not None,
                changes=tuple(c for c in result.changes if c.document == number_in_file),
                notes=tuple(result.notes),
            )
        )
    return pages


def comparisons(page: Page) -> list[Comparison]:
    """The payment values before and after (those the invoice has), then every other changed
    field, each under its readable name (`labels.FIELD_NAMES`) with the element path as its
    detail."""
    before, after = page.original, page.invoice
    lang = page.language
    where = {c.field: c.xpath for c in page.changes}

    def accounts(invoice: Invoice) -> str:
        return "; ".join(
            " ".join(x for x in (printed_iban(a.account), a.bic) if x)
            for a in invoice.seller_accounts
        )

    def row(field: str, old: str, new: str) -> Comparison:
        return Comparison(field_name(field), old, new, where.get(field))

    rows = [
        row("payment.iban", printed_iban(before.payment.iban), printed_iban(after.payment.iban)),
        row("payment.bic", before.payment.bic or "", after.payment.bic or ""),
        row(
            "payment.beneficiary", before.payment.beneficiary or "", after.payment.beneficiary or ""
        ),
        row(
            "payment.reference",
            printed_reference(before.payment.reference),
            printed_reference(after.payment.reference),
        ),
        row("seller_accounts", accounts(before), accounts(after)),
        row(
            "payment.amount",
            money(before.payment.amount, lang),
            money(after.payment.amount, lang),
        ),
        row("payment.due_date", printed_date(before.due_date), printed_date(after.due_date)),
        row("number", before.number or "", after.number or ""),
    ]
    rows = [r for r in rows if r.original or r.rewritten]  # nothing before or after: no row
    shown = {
        "payment.iban",
        "payment.bic",
        "payment.beneficiary",
        "payment.reference",
        "seller_accounts",
        "payment.amount",
        "payment.due_date",
    }
    rows.extend(
        Comparison(field_name(c.field), c.old or "", c.new or "", c.xpath)
        for c in page.changes
        if c.field not in shown
    )
    return rows


CENT = Decimal("0.01")
_YTUNNUS = re.compile(r"[0-9]{7}-[0-9]")
_FINNISH_OR_NONE = frozenset({None, LEGAL_REGISTRATION, PARTNER_ASSIGNED, "0037", "0213", "0216"})


def is_ytunnus(value: str) -> bool:
    """A Finnish business ID in its printed form `nnnnnnn-n`, with a valid check digit."""
    return bool(_YTUNNUS.fullmatch(value)) and is_valid(value)


def identifier_label(party: Party, which: str, language: Language) -> str:
    """What the party's `business_id` is called, by its scheme: "Y-tunnus" only for a
    Finnish business ID; a VAT number, GLN or another country's company number by its own
    name; an identifier the trading partners agreed as a customer (supplier) number."""
    value = (party.business_id or "").strip()
    scheme = party.business_id_scheme
    if scheme == "0212" or (scheme in _FINNISH_OR_NONE and is_ytunnus(value)):
        return label("business_id", language)
    if scheme in ("0037", "0216"):
        return label("ovt", language)
    if scheme in VAT_SCHEMES:
        return label("vat_number", language)
    if scheme in SCHEME_NAMES:
        return SCHEME_NAMES[scheme]
    if scheme == LEGAL_REGISTRATION:
        country = ((party.address.country if party.address else None) or "").upper()
        return REGISTRIES.get(country, label("company_id", language))
    if scheme == PARTNER_ASSIGNED:
        return label("customer_number" if which == "buyer" else "supplier_number", language)
    if scheme is None:
        return label("party_id", language)
    return f"{label('company_id', language)} ({label('scheme', language)} {scheme})"


def party_ids(invoice: Invoice, which: str, language: Language) -> list[str]:
    """The party's identifiers as printed under its address, each under its own name."""
    party = invoice.seller if which == "seller" else invoice.buyer
    out = []
    if party.business_id:
        out.append(f"{identifier_label(party, which, language)} {party.business_id}")
    if party.vat_code:
        out.append(f"{label('vat_number', language)} {party.vat_code}")
    return out


def party_lines(invoice: Invoice, which: str) -> list[str]:
    party = invoice.seller if which == "seller" else invoice.buyer
    out = [party.name or ""]
    address = party.address
    if address is not None:
        out.extend(address.streets)
        if address.po_box:
            out.append(address.po_box)
        town = " ".join(x for x in (address.postcode, address.town) if x)
        if town:
            out.append(town)
        if address.country and address.country.upper() != "FI":
            out.append(address.country)
    return [line for line in out if line]
