"""Peppol BIS Billing 3.0 (UBL 2.1 `Invoice` and `CreditNote`) → the normalised invoice.

UBL amounts carry a decimal point and dates are ISO 8601 (`2026-12-21`).

**The sum rule.** UBL lines are VAT-excluded: `cbc:LineExtensionAmount` is the
line's net amount (BT-131), after line allowances and charges. The check that
mirrors the service's "the sum of the invoice rows must match the invoice
total" is therefore

    Σ line net + Σ document charges − Σ document allowances + tax total  =  TaxInclusiveAmount

(EN 16931 BR-CO-10/13/15 chained). Each `Row` carries its net amount as
`vat_excluded`, and its VAT as `vat_amount` when the line's rate is given (net ×
rate, to the cent); the document-level `cac:AllowanceCharge` blocks are
`Invoice.charges`, each with its VAT at its rate (`cac:TaxCategory/cbc:Percent`),
and `Invoice.rows_adjustment` carries the part of the tax total that this VAT
does not explain, so that `rows + charges − allowances + rows_adjustment +
rounding = total` holds exactly when the equation above does.

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

from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.formats.en16931 import (
    CREDIT_NOTE_CODES,
    FINNISH_SCHEMES,
    FoundAccount,
    amount_currencies,
    document_charge,
    first_identifier,
    interest_text,
    invoice_of,
    measured,
    net_row,
    split_accounts,
)
from kassavirta.formats.peppol.paths import NS, UBL_CAC
from kassavirta.formats.xml import Fields, missing, streets, text_of
from kassavirta.model import (
    LEGAL_REGISTRATION,
    PARTNER_ASSIGNED,
    Account,
    Address,
    DocumentCharge,
    Invoice,
    Party,
    Payment,
    Row,
    VatLine,
)
from kassavirta.pipeline.read import Document


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


def _business_id(f: Fields, key: str, party: etree._Element) -> tuple[str | None, str | None]:
    """BT-30/47 legal registration, else BT-29/46 party identifier, else a Finnish endpoint;
    with its scheme."""
    candidates: list[tuple[etree._Element, str | None]] = [
        (e, LEGAL_REGISTRATION) for e in f.findall("cac:PartyLegalEntity/cbc:CompanyID", party)
    ]
    identifiers = [
        e for e in f.findall("cac:PartyIdentification/cbc:ID", party) if e.get("schemeID") != "SEPA"
    ]
    candidates += [(e, None) for e in identifiers if e.get("schemeID") in FINNISH_SCHEMES]
    candidates += [
        (e, PARTNER_ASSIGNED) for e in identifiers if e.get("schemeID") not in FINNISH_SCHEMES
    ]
    # A buyer known only by its Peppol address is still a business when that
    # address is a Finnish organisation identifier.
    candidates += [
        (e, None)
        for e in f.findall("cbc:EndpointID", party)
        if e.get("schemeID") in FINNISH_SCHEMES
    ]
    return first_identifier(f, key, candidates)


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
    business_id, scheme = _business_id(f, key, party)
    return Party(
        name=name,
        business_id=business_id,
        business_id_scheme=scheme,
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
                return f.date_of(element, compact=False)
    return None


def _rows(f: Fields, credit: bool) -> list[Row]:
    line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    quantity_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    rows: list[Row] = []
    for position, line in f.each(f.findall(line_tag)):
        key = f"rows.{position}"
        f.note(key, line)
        measure = measured(f, f.element(f"{key}.quantity", quantity_tag, line))
        net = f.amount(f"{key}.vat_excluded", "cbc:LineExtensionAmount", line)
        percent = f.amount(
            f"{key}.vat_percent", "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", line
        )
        rows.append(
            net_row(
                position,
                measure,
                article=f.text(None, "cac:Item/cbc:Name", line),
                net=net,
                percent=percent,
                unit_price=f.amount(f"{key}.unit_price", "cac:Price/cbc:PriceAmount", line),
            )
        )
    return rows


def _allowances_and_charges(f: Fields) -> list[DocumentCharge]:
    """The document-level `cac:AllowanceCharge` blocks (BG-20 / BG-21), in document order."""
    found: list[DocumentCharge] = []
    for n, block in enumerate(f.findall("cac:AllowanceCharge"), start=1):
        f.note(f"charges.{n}", block)
        found.append(
            document_charge(
                charge=(f.text(None, "cbc:ChargeIndicator", block) or "").lower() == "true",
                amount=f.amount(f"charges.{n}.amount", "cbc:Amount", block),
                reason=f.text(None, "cbc:AllowanceChargeReason", block)
                or f.text(None, "cbc:AllowanceChargeReasonCode", block),
                percent=f.amount(f"charges.{n}.vat_percent", "cac:TaxCategory/cbc:Percent", block),
            )
        )
    return found


def _tax_total(f: Fields, currency: str | None) -> etree._Element | None:
    """The `cac:TaxTotal` in the document currency (a second one may be in the tax currency)."""
    totals = f.findall("cac:TaxTotal")
    for block in totals:
        amount = f.find("cbc:TaxAmount", block)
        if amount is not None and amount.get("currencyID") == currency:
            return block
    return totals[0] if totals else None


def _in_tax_total(element: etree._Element) -> bool:
    parent = element.getparent()
    return parent is not None and parent.tag == f"{{{UBL_CAC}}}TaxTotal"


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
    accounts = split_accounts(
        f,
        found,
        payment,
        lambda: f.text("payment.beneficiary", "cac:PayeeParty/cac:PartyName/cbc:Name"),
    )
    return payment, accounts


def adapt(document: Document) -> Invoice:
    """Read a Peppol BIS 3.0 `Invoice` or `CreditNote` into an `Invoice`."""
    part = document.part
    root = part.root
    credit = etree.QName(root).localname == "CreditNote"
    f = Fields(part, namespaces=NS)
    locations = f.locations
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
    charges = _allowances_and_charges(f)

    due = _due_date(f)
    payment, accounts = _payment(f, payable, due)
    notes = f.texts("cac:PaymentTerms/cbc:Note")
    type_code = f.text("type_code", "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode")
    return invoice_of(
        format="peppol-bis-3",
        version=f.text(None, "cbc:CustomizationID"),
        type_code=type_code,
        credit_note=credit or type_code in CREDIT_NOTE_CODES,
        credited_invoice=f.text(
            "credited_invoice", "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
        ),
        number=number,
        issue_date=f.date("issue_date", "cbc:IssueDate"),
        due_date=due,
        currency=currency,
        currencies=currencies,
        total=tax_inclusive,
        rounding=rounding,
        rows=rows,
        charges=charges,
        total_vat=total_vat,
        total_vat_excluded=f.amount("total_vat_excluded", "cbc:TaxExclusiveAmount", totals),
        paid_amount=f.amount("paid_amount", "cbc:PrepaidAmount", totals),
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
