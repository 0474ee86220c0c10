"""Finvoice 1.3 / 2.0 / 2.01 / 3.0: the element names and paths, written once.

The reader, the rewriter, the example writer, the fuzzer and the warnings all
spell a Finvoice element through these constants (FIELDS.md §1 has the schema
order). No element named here was renamed between 1.3 and 3.0.
"""

from __future__ import annotations

from typing import Final

ROOT: Final = "Finvoice"
VERSION: Final = "Version"
"""The root's attribute naming the schema version."""
NOTIFICATION_ROOTS: Final = ("FinvoiceReceiverInfo", "FinvoiceSenderInfo", "ReceiverProposal")
"""Roots of the Finvoice family's messages that are not invoices."""
EB: Final = "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"
"""The ebXML transmission frame's namespace."""

# attributes
SCHEME: Final = "IdentificationSchemeName"
CURRENCY: Final = "AmountCurrencyIdentifier"
UNIT: Final = "QuantityUnitCode"
DATE_FORMAT: Final = "Format"

# the transmission
TRANSMISSION: Final = "MessageTransmissionDetails"
SENDER: Final = "MessageSenderDetails"
RECEIVER: Final = "MessageReceiverDetails"
TO_IDENTIFIER: Final = f"{TRANSMISSION}/{RECEIVER}/ToIdentifier"
TO_INTERMEDIATOR: Final = f"{TRANSMISSION}/{RECEIVER}/ToIntermediator"

# the parties (`{prefix}` is Seller, Buyer or InvoiceRecipient)
ADDRESS: Final = "PostalAddressDetails"
"""After the party's prefix: `SellerPostalAddressDetails`, `BuyerPostalAddressDetails`."""
SELLER: Final = "SellerPartyDetails"
BUYER: Final = "BuyerPartyDetails"
RECIPIENT: Final = "InvoiceRecipientPartyDetails"
SELLER_UNIT: Final = "SellerOrganisationUnitNumber"
BUYER_UNIT: Final = "BuyerOrganisationUnitNumber"
SELLER_INFORMATION: Final = "SellerInformationDetails"
SELLER_ACCOUNT: Final = "SellerAccountDetails"
SELLER_ACCOUNT_ID: Final = "SellerAccountID"
SELLER_BIC: Final = "SellerBic"
SELLER_ACCOUNTS: Final = f"{SELLER_INFORMATION}/{SELLER_ACCOUNT}"
LANGUAGE: Final = "InvoiceRecipientLanguageCode"

# the invoice details
DETAILS: Final = "InvoiceDetails"
TYPE_CODE: Final = "InvoiceTypeCode"
NUMBER: Final = "InvoiceNumber"
DATE: Final = "InvoiceDate"
TOTAL_VAT_EXCLUDED: Final = "InvoiceTotalVatExcludedAmount"
TOTAL_VAT: Final = "InvoiceTotalVatAmount"
TOTAL: Final = "InvoiceTotalVatIncludedAmount"
ROUNDING: Final = "InvoiceTotalRoundoffAmount"
PAID: Final = "InvoicePaidAmount"
VAT_SPECIFICATION: Final = "VatSpecificationDetails"
INVOICE_FREE_TEXT: Final = "InvoiceFreeText"
PAYMENT_TERMS: Final = "PaymentTermsDetails"
TERMS_FREE_TEXT: Final = "PaymentTermsFreeText"
TERMS_DUE_DATE: Final = "InvoiceDueDate"
FINE: Final = "PaymentOverDueFineDetails"
FINE_FREE_TEXT: Final = "PaymentOverDueFineFreeText"
FINE_PERCENT: Final = "PaymentOverDueFinePercent"
FINE_FIXED: Final = "PaymentOverDueFixedAmount"
PENALTY_INTEREST: Final = f"{PAYMENT_TERMS}/{FINE}/{FINE_PERCENT}"
"""Where the penalty interest rate goes (under InvoiceDetails), for the warning's advice."""

# after the details
BARCODE: Final = "VirtualBankBarcode"
ROW: Final = "InvoiceRow"
ROW_AMOUNT: Final = "RowAmount"
SUB_ROW: Final = "SubInvoiceRow"
SPECIFICATION_FREE_TEXT: Final = "SpecificationDetails/SpecificationFreeText"
FACTORING: Final = "FactoringAgreementDetails"
FACTORING_ID: Final = "FactoringAgreementIdentifier"
FACTORING_TEXT: Final = "FactoringFreeText"
FACTORING_PARTY: Final = "FactoringPartyName"

# the payment (EPI) block
EPI: Final = "EpiDetails"
EPI_IDENTIFICATION: Final = "EpiIdentificationDetails"
EPI_REFERENCE: Final = "EpiReference"
EPI_PARTIES: Final = "EpiPartyDetails"
EPI_BFI: Final = "EpiBfiPartyDetails"
EPI_BIC: Final = "EpiBfiIdentifier"
EPI_BANK_NAME: Final = "EpiBfiName"
EPI_BENEFICIARY: Final = "EpiBeneficiaryPartyDetails"
EPI_PAYEE: Final = "EpiNameAddressDetails"
EPI_BEI: Final = "EpiBei"
EPI_ACCOUNT: Final = "EpiAccountID"
EPI_INSTRUCTION: Final = "EpiPaymentInstructionDetails"
EPI_INSTRUCTION_ID: Final = "EpiPaymentInstructionId"
EPI_REMITTANCE: Final = "EpiRemittanceInfoIdentifier"
EPI_AMOUNT: Final = "EpiInstructedAmount"
EPI_CHARGE: Final = "EpiCharge"
EPI_DUE_DATE: Final = "EpiDateOptionDate"
EPI_BIC_PATH: Final = f"{EPI_PARTIES}/{EPI_BFI}/{EPI_BIC}"
EPI_ACCOUNT_PATH: Final = f"{EPI_PARTIES}/{EPI_BENEFICIARY}/{EPI_ACCOUNT}"
EPI_PAYEE_PATH: Final = f"{EPI_PARTIES}/{EPI_BENEFICIARY}/{EPI_PAYEE}"
