"""Peppol BIS Billing 3.0 (UBL 2.1 Invoice and CreditNote): paths, reader and rewriter."""
