"""Visma XML 5.3 and 6.0 (`inv:Invoice`): namespaces and the element paths read and rewritten.

Both versions use the same element names under their own namespace, so every
path is written once with the prefix `inv`, which the reader binds to the
document's namespace. The names come from the operator's two published examples
(`anon_visma_xml_53_invoice.xml`, `anon_visma_xml_60_invoice.xml`); no schema
was available (docs/formats.md says which meanings are our reading).
"""

from __future__ import annotations

from typing import Final


def after(name: str, order: tuple[str, ...]) -> tuple[str, ...]:
    """The names that follow `name` in `order`: where a new `name` element goes before."""
    return order[order.index(name) + 1 :]


VERSIONS: Final = ("5.3", "6.0")
ROOT: Final = "Invoice"
NAMESPACES: Final = {
    "5.3": "http://www.vismasoftware.com/EDI/Schemas/Invoice53",
    "6.0": "http://www.vismasoftware.com/EDI/Schemas/Invoice60",
}
FORMAT_IDS: Final = {version: f"visma-xml-{version}" for version in VERSIONS}
SCHEMAS: Final = {"5.3": "VismaXMLInvoice53.xsd", "6.0": "VismaXMLInvoice60.xsd"}
"""The file names the examples' `xsi:schemaLocation` gives (the schemas themselves are not public here)."""
VERSION_ATTRIBUTE: Final = "version"
PREFIX: Final = "inv"

# Header (children of the root)
NUMBER: Final = "inv:InvoiceNumber"
CREDIT_NOTE: Final = "inv:CreditNote"
CID_NAME: Final = "CID"
CID: Final = f"inv:{CID_NAME}"
"""The payment reference (Norwegian KID, "customer identification"; a Finnish sender's reference)."""
INVOICE_DATE: Final = "inv:InvoiceDate"
PAYMENT_DATE: Final = "inv:PaymentDate"
"""The due date."""
PAYMENT_TERMS: Final = "inv:PaymentTerms"
TOTAL: Final = "inv:InvoiceTotalAmount"
"""VAT included, after `RoundingAmount` (the 6.0 example: 419.56 + 0.44 = 420.00)."""
TOTAL_INCL_VAT: Final = "inv:TotalAmountInclVAT"
"""VAT included, before rounding."""
TOTAL_EXCL_VAT: Final = "inv:TotalAmountExclVAT"
TOTAL_VAT: Final = "inv:TotalVATAmount"
ROUNDING: Final = "inv:RoundingAmount"
PREPAID: Final = "inv:PrepaidAmount"
PAYABLE: Final = "inv:PayableAmount"
CURRENCY: Final = "inv:Currency/inv:CurrencyCode"
CURRENCY_ATTRIBUTE: Final = "currency"
"""The attribute that names an amount's currency (`PayableAmount currency="NOK"`)."""
PENALTY_INTEREST: Final = "MoraInterestRate"
"""The penalty (late-payment) interest rate, % a year: Norwegian *morarente*."""
PENALTY_INTEREST_PATH: Final = f"inv:{PENALTY_INTEREST}"
LANGUAGE: Final[str | None] = None
"""Neither example carries a language element."""
FREE_TEXT_BLOCK: Final = "InvoiceFreeText"
FREE_TEXT_LINE: Final = "Text"
FREE_TEXT: Final = f"inv:{FREE_TEXT_BLOCK}/inv:{FREE_TEXT_LINE}"

# VAT breakdown (`VAT` under the root, under a row's `Item`, under `InvoiceDiscount`)
VAT: Final = "inv:VAT"
VAT_AMOUNT: Final = "inv:VATAmount"
VAT_PERCENT: Final = "inv:VATPercentage"
VAT_BASE: Final = "inv:VATBasisAmount"

# Parties
SUPPLIER: Final = "Supplier"
INVOICEE: Final = "Invoicee"
"""The party invoiced: the debtor, whose address the invoice and reminders go to."""
ORDER: Final = "inv:OrderInfo"
ORDER_BUYER: Final = "inv:OrderInfo/inv:Buyer"
NAME: Final = "Name"
STREETS: Final = ("inv:Address1", "inv:Address2", "inv:Address3")
POSTCODE: Final = "inv:PostCode"
TOWN: Final = "inv:PostOffice"
COUNTRY: Final = "inv:CountryCode"
COMPANY_NO: Final = "inv:CompanyNo"
VAT_NUMBER: Final = "inv:VATRegNo"
LEGAL_NAME: Final = "inv:LegalEntity/inv:RegistrationName"
LEGAL_COMPANY_NO: Final = "inv:LegalEntity/inv:CompanyNo"

# The supplier's accounts (5.3 has only these; 6.0 has them beside the payment instructions)
SUPPLIER_IBAN: Final = "IBAN"
SUPPLIER_BIC: Final = "SWIFT"
SUPPLIER_OTHER_ACCOUNTS: Final = (
    ("BankAccount", "BBAN"),
    ("BankGiroAccount", "BankGiro"),
    ("PostAccount", "PostGiro"),
)
"""Further account elements and the scheme the model gives each."""
SUPPLIER_BANK_DETAILS: Final = ("BankGiroFormID", "Bank", "BankCode")
"""Elements that describe the seller's bank or giro form: the rewrite removes them."""
SUPPLIER_ORDER: Final = (
    "Name",
    "Address1",
    "Address2",
    "Address3",
    "PostCode",
    "PostOffice",
    "Country",
    "CountryCode",
    "EANLocationNo",
    "CompanyNo",
    "VATRegNo",
    "VATScheme",
    "WWWAddress",
    "EmailAddress",
    "BankAccount",
    "BankGiroAccount",
    "BankGiroFormID",
    "PostAccount",
    SUPPLIER_IBAN,
    "Bank",
    SUPPLIER_BIC,
    "BankCode",
    "Phone",
    "Mobile",
    "Fax",
    "ContactPerson",
    "LegalEntity",
)
"""The supplier's children in the examples' order (5.3 and 6.0 agree)."""

# Payment instructions (6.0)
INSTRUCTIONS: Final = "PaymentInstructions"
INSTRUCTION: Final = "PaymentInstruction"
INSTRUCTION_PATH: Final = f"inv:{INSTRUCTIONS}/inv:{INSTRUCTION}"
REFERENCE: Final = "PaymentReference"
INSTRUCTION_DATE: Final = "PaymentDate"
INSTRUCTION_AMOUNT: Final = "PayableAmount"
ACCOUNT: Final = "AccountNo"
ACCOUNT_TYPE: Final = "type"
"""`IBAN` or `BBAN` (the 6.0 example has both)."""
BIC: Final = "BIC"
INSTRUCTION_BANK_DETAILS: Final = (
    "BankName",
    "BankAddress1",
    "BankAddress2",
    "BankAddress3",
    "BankPostCode",
    "BankPostOffice",
    "BankCountry",
    "BankCountryCode",
    "BankCode",
)
"""Elements that describe the seller's bank: the rewrite removes them."""
INSTRUCTION_ORDER: Final = (
    "PaymentMeans",
    REFERENCE,
    INSTRUCTION_DATE,
    INSTRUCTION_AMOUNT,
    ACCOUNT,
    *INSTRUCTION_BANK_DETAILS[:-1],
    BIC,
    "BankCode",
)
"""A payment instruction's children in the 6.0 example's order (a new one goes before its successors)."""


CID_BEFORE: Final = ("InvoiceDate", "PaymentDate", "PaymentTerms")
FREE_TEXT_BEFORE: Final = (
    "OrderInfo",
    "InvoiceLineCount",
    "InvoiceLinesTotalQuantity",
    "UserDefined",
)
"""Root children a new `InvoiceFreeText` goes before (6.0: after `InvoiceDocuments`)."""

# Rows: every `OrderInfo` (a summary invoice has one per order) lists its lines
LINES: Final = "inv:OrderInfo/inv:DetailLines/inv:DetailLine"
ITEM: Final = "inv:Item"
ARTICLE_NAME: Final = "inv:SuppliersDescription"
ARTICLE_NUMBER: Final = "inv:SuppliersArticleNo"
UNIT: Final = "inv:UnitText"
UNIT_CODE: Final = "code"
QUANTITY: Final = "inv:UnitQtyDelivered"
QUANTITY_ORDERED: Final = "inv:UnitQtyOrdered"
UNIT_PRICE: Final = "inv:UnitNetPrice"
NET: Final = "inv:NetAmount"
"""VAT excluded, after discounts, duties and the line's rounding."""
AMOUNT: Final = "inv:AmountInclVAT"

# Document-level charges and allowances
DISCOUNT_BLOCK: Final = "inv:InvoiceDiscount"
"""6.0: the invoice discount (VAT excluded) with one `VAT` per rate it falls on."""
DISCOUNT_AMOUNT: Final = "inv:DiscountAmount"
DISCOUNT_FLAT: Final = "inv:InvoiceDiscountAmount"
"""5.3: the invoice discount as one amount (VAT excluded), without its VAT."""
CHARGES: Final = (
    ("InvoiceFee", "Invoice fee"),
    ("HandlingCharge", "Handling charge"),
    ("Postage", "Postage"),
    ("FreightZoneAddition", "Freight zone addition"),
)
"""Charge elements (VAT excluded; `VATPercentage`, `VATAmount` attributes) and their reasons."""
CHARGE_VAT_PERCENT: Final = "VATPercentage"
CHARGE_VAT_AMOUNT: Final = "VATAmount"
FREIGHT_PARTS: Final = ("Postage", "FreightZoneAddition")
TOTAL_FREIGHT: Final = "inv:TotalFreight"
"""Σ of the freight parts (6.0: 150 + 17.64 = 167.64); counted only when no part is given."""
