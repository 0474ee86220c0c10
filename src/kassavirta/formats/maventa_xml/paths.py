"""MaventaXML 1.0: the element names the reader, rewriter and writer use, written once.

The only description we have is the operator's example
(`maventa-examples/anon_maventa_xml_10_invoice.xml`): a flat `invoice` whose
children are the fields, in the order below. No namespace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from lxml import etree

ROOT: Final = "invoice"
FORMAT_ATTRIBUTE: Final = "format"
FORMAT_NAME: Final = "MaventaXML"
"""`<invoice format="MaventaXML">`: without it, a root `invoice` is no MaventaXML."""
VERSION_ATTRIBUTE: Final = "version"
DEFAULT_VERSION: Final = "1.0"
"""Read when the root declares none: the only MaventaXML version the operator lists."""


def version_of(root: etree._Element) -> str:
    """The version the root declares (`version="1.0"`), else `DEFAULT_VERSION`."""
    return (root.get(VERSION_ATTRIBUTE) or "").strip() or DEFAULT_VERSION


NUMBER: Final = "invoice_nr"
REFERENCE: Final = "reference_nr"
REFERENCE_BEFORE: Final = ("work_order_nr", "date", "date_due")
"""Root children a new `reference_nr` goes before (the example's order)."""
DATE: Final = "date"
DUE_DATE: Final = "date_due"
PAYMENT_TERMS: Final = "payment_terms"
LANG: Final = "lang"
CURRENCY: Final = "currency/abbr"
NOTES: Final = "notes"
"""Free text printed on the invoice: where the transfer clause goes."""
NOTES_BEFORE: Final = ("vat_code", "vat_free_text", "company_name")

# the seller (`company_…`) and the buyer (`customer_…`)
SELLER: Final = "company"
BUYER: Final = "customer"
PARTY_NAME: Final = "_name"
PARTY_ID: Final = "_bid"
PARTY_VAT: Final = "_vat"
STREETS: Final = ("_address1", "_address2")
POSTCODE: Final = "_post_code"
TOWNS: Final = ("_post_office", "_city")
"""The town: the post office, else the city (the seller has both; the buyer only the first)."""
COUNTRY: Final = "_country"
INTEREST: Final = "company_interest"
CUSTOMER_TYPE: Final = "customer_type"
CUSTOMER_OPERATOR: Final = "customer_operator"
"""The buyer's e-invoice operator (an OVT code, or a bank's BIC for a netbank e-invoice)."""
CUSTOMER_ADDRESS: Final = "customer_ovt"
"""The buyer's e-invoice address (an OVT code, or an IBAN for a netbank e-invoice)."""

RECIPIENT: Final = "invoice_delivery_address"
RECIPIENT_NAME: Final = "name"
RECIPIENT_STREETS: Final = ("address1", "address2")
RECIPIENT_POSTCODE: Final = "post_code"
RECIPIENT_TOWN: Final = "post_office"
RECIPIENT_COUNTRY: Final = "country"

ROUNDING: Final = "rounding_amount"
TOTAL_VAT_EXCLUDED: Final = "sum"
TOTAL: Final = "sum_tax"
"""VAT included (886.88 × 1.22 = 1081.99 in the example)."""

ACCOUNTS: Final = "invoice_accounts"
ACCOUNT: Final = "invoice_account"
ACCOUNT_DEFAULT: Final = "default"
ACCOUNT_IBAN: Final = "iban"
ACCOUNT_BIC: Final = "swift"
ACCOUNT_DOMESTIC: Final = "account"
ACCOUNT_BANK: Final = "bank"
ACCOUNTS_BEFORE: Final = ("items", "invoice_data")

ROWS: Final = "items/item"
ROW_ARTICLE: Final = "subject"
ROW_QUANTITY: Final = "amount"
ROW_UNIT: Final = "unit_type"
ROW_UNIT_PRICE: Final = "price"
"""VAT excluded (3 × 1.63 = 4.89, the row's `sum`)."""
ROW_VAT_PERCENT: Final = "tax"
ROW_VAT_EXCLUDED: Final = "sum"
ROW_AMOUNT: Final = "sum_tax"

PENALTY_INTEREST: Final = INTEREST
"""Where the penalty interest rate goes, for the warning's advice."""
LANGUAGE: Final = LANG
"""Where the recipient's language goes."""
