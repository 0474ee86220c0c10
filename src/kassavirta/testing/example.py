"""A small, ready Finvoice 3.0 writer: the stand-in for your own in the documented property test.

docs/testing.md's ten-line test needs a writer to test; an ERP team replaces
`write_finvoice` with its own code, but the example runs as written with this
one (`pip install '.[testing]'` installs it with the package). It writes a
`kassavirta.model.Invoice` (what `finvoice_invoices` draws) the way a typical
ERP does, with lxml. `round_rows=True` plants a bug (the rows rounded to whole
euros) so that one can see what a failing property test says.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from kassavirta.model import Address, Invoice, Party


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _add(parent: etree._Element, tag: str, text: str | None, **attrs: str) -> etree._Element | None:
    if text is None:
        return None
    element = etree.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _money(parent: etree._Element, tag: str, value: Decimal | None) -> None:
    _add(parent, tag, None if value is None else _amount(value), AmountCurrencyIdentifier="EUR")


def _date(parent: etree._Element, tag: str, value: date | None) -> None:
    _add(parent, tag, None if value is None else value.strftime("%Y%m%d"), Format="CCYYMMDD")


def _party(root: etree._Element, prefix: str, party: Party) -> None:
    block = etree.SubElement(root, f"{prefix}PartyDetails")
    _add(block, f"{prefix}PartyIdentifier", party.business_id)
    _add(block, f"{prefix}OrganisationName", party.name)
    _add(block, f"{prefix}OrganisationTaxCode", party.vat_code)
    address: Address | None = party.address
    if address is not None:
        postal = etree.SubElement(block, f"{prefix}PostalAddressDetails")
        for street in address.streets:
            _add(postal, f"{prefix}StreetName", street)
        _add(postal, f"{prefix}TownName", address.town)
        _add(postal, f"{prefix}PostCodeIdentifier", address.postcode)
        _add(postal, "CountryCode", address.country)


def write_finvoice(invoice: Invoice, *, round_rows: bool = False) -> bytes:
    """The ERP's Finvoice 3.0 writer. `round_rows` plants the bug a test must catch."""
    root = etree.Element("Finvoice", Version="3.0")
    _party(root, "Seller", invoice.seller)
    if invoice.seller_accounts:
        info = etree.SubElement(root, "SellerInformationDetails")
        for account in invoice.seller_accounts:
            block = etree.SubElement(info, "SellerAccountDetails")
            _add(block, "SellerAccountID", account.account, IdentificationSchemeName="IBAN")
            _add(block, "SellerBic", account.bic, IdentificationSchemeName="BIC")
    _add(root, "InvoiceRecipientLanguageCode", invoice.language)
    _party(root, "Buyer", invoice.buyer)
    details = etree.SubElement(root, "InvoiceDetails")
    _add(details, "InvoiceTypeCode", invoice.type_code or "INV01")
    _add(details, "InvoiceTypeText", "LASKU")
    _add(details, "OriginCode", "Original")
    _add(details, "InvoiceNumber", invoice.number)
    _date(details, "InvoiceDate", invoice.issue_date)
    _money(details, "InvoiceTotalVatExcludedAmount", invoice.total_vat_excluded)
    _money(details, "InvoiceTotalVatAmount", invoice.total_vat)
    _money(details, "InvoiceTotalVatIncludedAmount", invoice.total)
    _money(details, "InvoicePaidAmount", invoice.paid_amount)
    for line in invoice.vat_lines:
        vat = etree.SubElement(details, "VatSpecificationDetails")
        _money(vat, "VatBaseAmount", line.base)
        _add(vat, "VatRatePercent", None if line.percent is None else _number(line.percent))
        _money(vat, "VatRateAmount", line.amount)
    terms = etree.SubElement(details, "PaymentTermsDetails")
    _add(terms, "PaymentTermsFreeText", invoice.payment_terms_text)
    _date(terms, "InvoiceDueDate", invoice.terms_due_date)
    if invoice.penalty_interest_percent is not None:
        fine = etree.SubElement(terms, "PaymentOverDueFineDetails")
        _add(fine, "PaymentOverDueFineFreeText", invoice.interest_in_free_text)
        _add(fine, "PaymentOverDueFinePercent", _number(invoice.penalty_interest_percent))
    for row in invoice.rows:
        element = etree.SubElement(root, "InvoiceRow")
        _add(element, "ArticleName", row.article)
        _add(
            element,
            "InvoicedQuantity",
            _number(row.quantity or Decimal(1)),
            QuantityUnitCode=row.unit or "kpl",
        )
        _money(element, "UnitPriceAmount", row.unit_price)
        _add(element, "RowVatRatePercent", _number(row.vat_percent or Decimal(0)))
        _money(element, "RowVatAmount", row.vat_amount)
        _money(element, "RowVatExcludedAmount", row.vat_excluded)
        amount = row.amount
        if round_rows and amount is not None:
            amount = amount.quantize(Decimal(1))  # the bug: whole euros on the rows
        _money(element, "RowAmount", amount)
    epi = etree.SubElement(root, "EpiDetails")
    ident = etree.SubElement(epi, "EpiIdentificationDetails")
    _date(ident, "EpiDate", invoice.issue_date)
    _add(ident, "EpiReference", invoice.payment.reference)
    parties = etree.SubElement(epi, "EpiPartyDetails")
    bank = etree.SubElement(parties, "EpiBfiPartyDetails")
    _add(bank, "EpiBfiIdentifier", invoice.payment.bic, IdentificationSchemeName="BIC")
    payee = etree.SubElement(parties, "EpiBeneficiaryPartyDetails")
    _add(payee, "EpiNameAddressDetails", invoice.payment.beneficiary)
    _add(payee, "EpiAccountID", invoice.payment.iban, IdentificationSchemeName="IBAN")
    instruction = etree.SubElement(epi, "EpiPaymentInstructionDetails")
    _add(instruction, "EpiPaymentInstructionId", invoice.payment.instruction_id)
    _add(
        instruction,
        "EpiRemittanceInfoIdentifier",
        invoice.payment.reference,
        IdentificationSchemeName=invoice.payment.reference_scheme or "SPY",
    )
    _money(instruction, "EpiInstructedAmount", invoice.payment.amount)
    _add(instruction, "EpiCharge", "SLEV", ChargeOption="SLEV")
    _date(instruction, "EpiDateOptionDate", invoice.payment.due_date)
    data = etree.tostring(root, xml_declaration=True, encoding="ISO-8859-15")
    assert isinstance(data, bytes)
    return data


__all__ = ["write_finvoice"]
