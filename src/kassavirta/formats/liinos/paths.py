"""Liinos XML (`Liinos_XML`): the element paths and type codes read and rewritten.

Liinos writes most values as a list of typed entries (`Number Type="1"`,
`Date Type="3"`, `Reference Type="PQ"`...). What each type code means is read
from the operator's example (`anon_liinos_invoice.xml`), the only public
description of the format; docs/formats.md says which readings are sure and
which are guesses.
"""

from __future__ import annotations

from typing import Final

ROOT: Final = "Liinos_XML"
DATA: Final = "Data"
"""The invoice: one `Data` under the root."""

# --- Definition: how the file writes its numbers
DECIMAL_SEPARATOR: Final = "Definition/DecimalSeparator"
THOUSAND_SEPARATOR: Final = "Definition/ThousandSeparator"

# --- Header (under Data)
HEADER: Final = "Header"
NUMBERS: Final = "Numbers/Number"
NUMBER_VALUE: Final = "Num"
REFERENCES: Final = "References"
REFERENCE: Final = "Reference"
REFERENCE_VALUE: Final = "Ref"
REFERENCE_NAME: Final = "TypeName"
TEXTS: Final = "Texts"
TEXT: Final = "Text"
TEXT_VALUE: Final = "Txt"
TERMS: Final = "Terms/Term"
TERM_TEXT: Final = "Txt"
DATES: Final = "Dates/Date"
DAY, MONTH, YEAR = "Day", "Month", "Year"
SUMMARIES: Final = "Summaries"
CURRENCY: Final = "Currency"
SUMMARY: Final = "Summary"
SUM: Final = "Sum"
VAT: Final = "Taxes/Vat"
VAT_PERCENT, VAT_AMOUNT, VAT_BASE = "VatPercentage", "VatSum", "TotalExclVat"
PERCENTAGES: Final = "Percentages/Percentage"
PERCENT: Final = "Perc"

HEADER_BEFORE_TEXTS: Final = ("Terms", "Dates", "Summaries", "Taxes", "Percentages")
"""Header children after `Texts`, in the example's order (where new blocks go before)."""
HEADER_BEFORE_REFERENCES: Final = ("Texts", *HEADER_BEFORE_TEXTS)

# --- Type codes (attribute `Type`)
INVOICE_NUMBER: Final = "1"
"""`Number Type="1"`: the only number in the example: the invoice number."""
ISSUE_DATE, DUE_DATE = "1", "3"
"""`Date Type="1"` is the invoice date and `Type="3"` the due date (14 days later in the
example; `Type="2"`, equal to the invoice date, and the empty `Type="4"` are not read)."""
TOTAL, TOTAL_VAT_EXCLUDED, TOTAL_VAT = "1", "2", "3"
"""`Summary` types: Type 1 = Type 2 + Type 3 in the example, Type 2 = Σ rows without VAT
and = `Taxes/Vat/TotalExclVat`, Type 3 = `Taxes/Vat/VatSum`."""
PENALTY_PERCENT: Final = "2"
"""`Percentage Type="2"` (16.0 in the example): the penalty interest rate (a guess)."""
PAYMENT_REFERENCE: Final = "PQ"
"""UN/EDIFACT 1153 `PQ`: payment reference."""
BARCODE: Final = "BBC"
"""Not an EDIFACT 1153 code; read as the bank barcode (a guess from its name)."""
HEADER_TEXT: Final = "1"
"""`Text Type="1"`: the header's free text (rows use `Type="2"`)."""

# --- Parties (under Data)
PARTIES: Final = "Parties/Party"
INVOICEE, BUYER, SELLER = "IV", "BY", "SE"
"""UN/EDIFACT 3035 party qualifiers: invoicee, buyer, seller. The example has IV and SE."""
PARTY_IDS: Final = "PartyIds/PartyId"
PARTY_ID_VALUE: Final = "Id"
BUSINESS_ID_TYPES: Final = ("1", "2")
"""`PartyId` types that hold a Finnish business ID in the example (IV: Type 1, SE: Type 2)."""
VAT_NUMBER_TYPE: Final = "5"
NAME: Final = "Name"
POSTAL_ADDRESS, STREET_ADDRESS = "PostalAddress", "StreetAddress"
POSTCODE, TOWN, COUNTRY = "PostalNumber", "PostalLocation", "Country"
PARTY_LANGUAGE: Final = "Language"
BANK_ACCOUNTS: Final = "BankAccounts"
BANK_ACCOUNT: Final = "BankAccount"
BANK, ACCOUNT_NUMBER = "Bank", "AccountNumber"
IBAN, IBAN_BIC = "IbanAccountNumber", "IbanBic"
BANK_ACCOUNT_FIELDS: Final = (BANK, ACCOUNT_NUMBER, IBAN, IBAN_BIC)
"""A `BankAccount`'s children in the example's order."""
PARTY_BEFORE_BANK_ACCOUNTS: Final = ("ContactPersons",)

# --- Rows (under Data)
ROWS: Final = "Rows/Row"
ARTICLE: Final = "ItemInfo/Description/Desc"
ARTICLE_CODE: Final = "ItemInfo/ItemId/Code"
QUANTITY, UNIT = "Units/PriceQuantity", "Units/PriceUnit"
POSTINGS: Final = "Postings/Posting"
SALES_POSTING: Final = "1"
"""`Posting Type="1"`: the only posting type in the example; its amounts are the row's."""
ROW_CURRENCY: Final = "Currency"
UNIT_PRICE: Final = "UnitPriceExclVat"
ROW_VAT_EXCLUDED, ROW_AMOUNT = "TotalExclVat", "TotalInclVat"
ROW_VAT_PERCENT: Final = "VatPercentage"

PENALTY_INTEREST: Final = f"{DATA}/{HEADER}/{PERCENTAGES}[@Type='{PENALTY_PERCENT}']/{PERCENT}"
"""Where the penalty interest rate goes, for the warning's advice."""
LANGUAGE: Final = f"{DATA}/{PARTIES}[@Type='{INVOICEE}']/{PARTY_LANGUAGE}"
"""Where the recipient's language goes."""
