"""What one page of the invoice image shows, taken from the normalised model.

The renderers read only `Page`s, and a page is built from the `Invoice` of
the rewritten document plus the rewrite's plan (clause, barcode) and its field
diff: any format with an adapter and a rewriter gets the image for free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kassavirta.finnish.bank import format_iban
from kassavirta.finnish.barcode import virtual_barcode
from kassavirta.finnish.reference import (
    format_fi_reference,
    format_rf_reference,
    is_valid_fi_reference,
    is_valid_rf_reference,
)
from kassavirta.model import Invoice, Row
from kassavirta.render.epcqr import epc_payload
from kassavirta.render.labels import label, unit_label
from kassavirta.rewrite import FieldChange, RewriteResult
from kassavirta.rewrite.clause import Language, clause_language


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


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


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
        pages.append(
            Page(
                invoice=invoice,
                original=result.originals[index],
                language=clause_language(invoice.language),
                clause=plan.clause.lines if plan else (),
                barcode=plan.barcode if plan else _barcode_of(invoice),
                qr_payload=_qr_of(invoice),
                rewritten=plan is not None,
                changes=tuple(c for c in result.changes if c.document == number_in_file),
                notes=tuple(result.notes),
            )
        )
    return pages


def comparisons(page: Page) -> list[Comparison]:
    """Payment values before and after, then every other changed field by its XPath."""
    before, after = page.original, page.invoice
    lang = page.language

    def accounts(invoice: Invoice) -> str:
        return "; ".join(
            " ".join(x for x in (printed_iban(a.account), a.bic) if x)
            for a in invoice.seller_accounts
        )

    rows = [
        Comparison(
            page.t("payee_account"),
            printed_iban(before.payment.iban),
            printed_iban(after.payment.iban),
        ),
        Comparison("BIC", before.payment.bic or "", after.payment.bic or ""),
        Comparison(
            page.t("payee"), before.payment.beneficiary or "", after.payment.beneficiary or ""
        ),
        Comparison(
            page.t("reference"),
            printed_reference(before.payment.reference),
            printed_reference(after.payment.reference),
        ),
        Comparison("SellerAccountDetails", accounts(before), accounts(after)),
        Comparison(
            page.t("amount_due"),
            money(before.payment.amount, lang),
            money(after.payment.amount, lang),
        ),
        Comparison(page.t("due_date"), iso(before.due_date), iso(after.due_date)),
        Comparison(page.t("number"), before.number or "", after.number or ""),
    ]
    shown = {
        "payment.iban",
        "payment.bic",
        "payment.beneficiary",
        "payment.reference",
        "seller_accounts",
    }
    rows.extend(
        Comparison(c.field, c.old or "", c.new or "", c.xpath)
        for c in page.changes
        if c.field not in shown
    )
    return rows


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
