"""TEAPPSXML 2.7.x / 3.0 (`INVOICE_CENTER`): the element paths read and rewritten.

Every name below is declared in TietoEVRY's TEAPPSXML 2.7.2 and 3.0 invoice schemas
(`TEAPPSXMLv272_schema_INVOICES.xsd`, `teappsxmlv30_schema_invoices_0.xsd`), in the
same place in both. Paths under the invoice are relative to `INVOICE`.
"""

from __future__ import annotations

from typing import Final

from kassavirta.formats.finvoice import paths as _finvoice

ROOT = "INVOICE_CENTER"
INVOICE = "CONTENT_FRAME/INVOICES/INVOICE"
FORMAT_VERSION = "CONTENT_FRAME/BLOCK_RULES/FORMAT_VERSION"
OVERDUE_FINE_RATE = "PAYMENT_OVERDUE_FINE/INTEREST_RATE"

PENALTY_INTEREST = f"HEADER/{OVERDUE_FINE_RATE}"
"""Where the penalty interest rate goes (under the invoice), for the warning's advice."""
LANGUAGE: str | None = None
"""The schemas have `CUSTOMER_INFORMATION/LANGUAGE_CODE`, but its codes are not described
(the operator's example writes `FI`); the reader does not use it yet."""

# The sum rule (see the reader).
ROW_TYPE = "ROW_TYPE"
"""The `ROW` attribute naming the kind of row (MAIN, SPECIFICATION, SUBTOTAL or INFO)."""
UNCOUNTED_ROW_TYPES = frozenset({"MAIN", "SPECIFICATION", "SUBTOTAL", "INFO"})
"""Row types the invoice's own totals leave out. The operator's 3.0 example counts only its
rows without a `ROW_TYPE` in `SUMMARY/ROWS_TOTAL` (its `MAIN` rows repeat an amount);
`SPECIFICATION`, `SUBTOTAL` and `INFO` rows detail, add up or describe other rows. Our
reading of the schema's four values and that one example, not of a specification."""
SUMMARY_DISCOUNT = "SUMMARY/DISCOUNT"
SUMMARY_CHARGE = "SUMMARY/CHARGES"
"""Document-level allowances and charges (3.0 gives each its VAT)."""
DISCOUNT_NAME = "DISCOUNT_NAME"
CHARGE_NAME = "CHARGE_NAME"
DISCOUNT_AMOUNT = "DISCOUNT_AMOUNT"
CHARGE_AMOUNT = "CHARGE_AMOUNT"
ROUNDINGS = "SUMMARY/ROUNDINGS"
"""The rounding: plain text (`0.00`, `-0.02`), not an `AMOUNT` block."""

# The invoice's children that carry payment details, in the schemas' order.
HEADER: Final = "HEADER"
FACTORING: Final = "FACTORING_INFORMATION"
"""In HEADER: an agreement number, an ENDORSEMENT_CLAUSE and the factor (a transfer)."""
DIRECT_CHARGE: Final = "DIRECTCHARGE"
"""A direct debit (`BANK_BATCH`, `BANK_CHARGE` with the payee's account and the reference)."""
PAYEE: Final = "PAYEE"
PART_PAYMENTS: Final = "PART_PAYMENTS"
EPI: Final = _finvoice.EPI
"""Finvoice's `EpiDetails` block, with Finvoice's element names, as the invoice's last part."""

# PAYEE's children: CUSTOMER_INFORMATION, BANKS+, NET_SERVICE_ID … PAYMENT_MEANS,
# DETAILS_OF_PAYMENT, BANK_BARCODE (each of the last two at most once).
PARTY_INFO: Final = "CUSTOMER_INFORMATION"
PARTY_NAME: Final = "CUSTOMER_NAME"
"""The first of one or more (a long name goes on in the next ones)."""
BANKS: Final = "BANKS"
NET_SERVICE_ID: Final = "NET_SERVICE_ID"
DETAILS: Final = "DETAILS_OF_PAYMENT"
BARCODE: Final = "BANK_BARCODE"

# BANKS: BANK_CODE, BANK_NAME, BANK_ADDRESS, BANK_ACCOUNT_NUMBER, SWIFT_CODE, IN_FAVOR,
# IBAN_ACCOUNT_NUMBER, FOREIGN_PAYMENT_METHODS, CLEARING_CODE (all optional).
BIC: Final = "SWIFT_CODE"
IBAN: Final = "IBAN_ACCOUNT_NUMBER"
DOMESTIC_ACCOUNT: Final = "BANK_ACCOUNT_NUMBER"
SELLER_BANK_DETAILS: Final = ("BANK_CODE", "BANK_NAME", "BANK_ADDRESS", "IN_FAVOR", "CLEARING_CODE")
"""What describes the seller's bank or account holder, not the service's: no longer true."""

# DETAILS_OF_PAYMENT: FI_PAYMENT_REFERENCE, IPI_REFERENCE, FREE_TEXT (each optional).
NATIONAL_REFERENCE: Final = "FI_PAYMENT_REFERENCE"
RF_REFERENCE: Final = "IPI_REFERENCE"
# BANK_BARCODE: one of FI_BANK_BARCODE, IPI_BANK_BARCODE.
NATIONAL_BARCODE: Final = "FI_BANK_BARCODE"
RF_BARCODE: Final = "IPI_BANK_BARCODE"

PART_PAYMENT_REFERENCE: Final = f"{PART_PAYMENTS}/PAYMENT/PAYMENT_REFERENCE"
"""Each instalment's reference (PART_PAYMENTS/PAYMENT is PART_ID, …, PART_SUM, this)."""
EPI_AMOUNT: Final = f"{EPI}/{_finvoice.EPI_INSTRUCTION}/{_finvoice.EPI_AMOUNT}"
