"""S-EDI 3.0: the element names and paths the reader, rewriter and writer use, written once.

The only description we have is the operator's example
(`maventa-examples/anon_sedi_30_invoice.xml`); the element order below is that
file's. No element carries a namespace; `xsi:nil="true"` marks an empty one.
"""

from __future__ import annotations

from typing import Final

ROOT: Final = "S-EDI"
VERSION: Final = "RoutingInfo/Version"
VERSION_PREFIX: Final = "S-EDI_"


def version_of(declared: str) -> str:
    """The version a `RoutingInfo/Version` text declares: `S-EDI_3_0` → `3.0`."""
    return declared.strip().removeprefix(VERSION_PREFIX).replace("_", ".")


DOCUMENT_TYPE: Final = "RoutingInfo/DocumentType"
XSI_NIL: Final = "{http://www.w3.org/2001/XMLSchema-instance}nil"

HEADER: Final = "Invoice/Header"
DETAIL_ROWS: Final = "Invoice/Detail/ArticleRow"
SUMMARY: Final = "Invoice/Summary"

# Invoice/Header children
PRINT_INFO: Final = "PrintInfo"
LAYOUT: Final = "PrintInfo/Layout"
LAYOUT_LANGUAGE: Final = "Language"
"""An attribute of `Layout`: the language the invoice is printed in."""
FREE_TEXT: Final = "FreeText"
"""A child of `PrintInfo`: the text printed on the invoice (where the clause goes)."""
NUMBER: Final = "InvoiceNo"
CONTRA_ENTRY: Final = "ContraEntryNo"
DATE: Final = "InvoiceDate"
DUE_DATE: Final = "DueDate"
PAYMENT_TERMS: Final = "PaymentTerms"
INTEREST: Final = "Interest"
REFERENCE: Final = "PaymentReference"
REFERENCE_BEFORE: Final = (
    "SellerContractNo",
    "SellerContractDesc",
    "PriceListNo",
    "DiscountContractNo",
    "SellerParty",
    "BuyerParty",
)
"""Header children a new `PaymentReference` goes before (the example's order)."""
SELLER: Final = "SellerParty"
BUYER: Final = "BuyerParty/InvoiceAddress"

# party children (SellerParty, BuyerParty/InvoiceAddress)
NAME: Final = "Name"
STREETS: Final = ("Address1", "Address2")
POSTCODE: Final = "PostCode"
TOWN: Final = "PostOffice"
COUNTRY: Final = "CountryCode"
COMPANY_NO: Final = "CompanyNo"
LOCATION_NO: Final = "EANLocationNo"
VAT_NUMBER: Final = "VATRegNo"

# SellerParty's bank details, in the example's order
DOMESTIC_ACCOUNTS: Final = ("BankAccount", "PostAccount", "BankAccountNo")
"""The seller's domestic (BBAN) accounts, in the example's order."""
BANK_NAME: Final = "Bank"
BIC: Final = "BankIdentificationCode"
IBAN: Final = "IBAN"
BANK_COUNTRY: Final = "BankCountryCode"
BANK_DETAILS: Final = ("BankId", "BankAddress", "BankAddress2", "BankPostCode", "BankPostOffice")
"""The seller's bank's identifier and address: cleared when the account becomes the service's."""
BIC_BEFORE: Final = (IBAN, BANK_COUNTRY, *BANK_DETAILS)
IBAN_BEFORE: Final = (BANK_COUNTRY, *BANK_DETAILS)

# ArticleRow children
ROW_ARTICLE: Final = "ArticleDescription"
ROW_QUANTITY: Final = "QuantityDelivered"
ROW_QUANTITY_ORDERED: Final = "QuantityOrdered"
ROW_UNIT: Final = "Unit"
ROW_UNIT_PRICE: Final = "UnitPrice"
ROW_VAT_EXCLUDED: Final = "SumOfLine"
"""After the row's discounts (`SumOfLineExcDiscAndVAT` is before them)."""
ROW_VAT_PERCENT: Final = "VATPercentage"
ROW_VAT: Final = "VATAmount"
ROW_AMOUNT: Final = "SumOfLineInclVAT"

# Summary children
CURRENCY: Final = "Currency/CurrencyCode"
VAT_SPECIFICATION: Final = "VAT/VATSpecification"
VAT_PERCENT: Final = "VATPercentage"
VAT_AMOUNT: Final = "VATAmount"
VAT_BASE: Final = "VATBasisAmount"
CHARGE_SPECIFICATION: Final = (
    "DiscountAndCharges/VATInvoiceDiscountAndCharges/VATInvoiceDiscountAndChargesSpecification"
)
CHARGES: Final = (
    # (reason, Summary element, prefix of its elements in a charge specification, allowance)
    ("freight", "Freight", "VATFreight", False),
    ("handling charge", "HandlingCharge", "VATHandlingCharge", False),
    ("invoice discount", "InvoiceDiscountAmount", "VATInvoiceDiscount", True),
)
"""The document-level charges and the allowance, each with its VAT per rate."""
TOTAL_VAT_EXCLUDED: Final = "TotalAmountExclVAT"
TOTAL_VAT: Final = "VATAmount"
ROUNDING: Final = "RoundingAmount"
TOTAL: Final = "TotalAmount"
TOTAL_CHECK_DIGIT: Final = "TotalAmountCheckSum"
"""The MOD10 (Luhn) check digit of the total in cents (34012.00 → 3401200 → 5)."""

PENALTY_INTEREST: Final = f"{HEADER}/{INTEREST}"
"""Where the penalty interest rate goes, for the warning's advice."""
LANGUAGE: Final = f"{HEADER}/{LAYOUT}/@{LAYOUT_LANGUAGE}"
"""Where the language the invoice is printed in goes."""
