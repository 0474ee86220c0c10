"""TEAPPSXML 2.7.x / 3.0 (`INVOICE_CENTER`): the element paths read and rewritten."""

from __future__ import annotations

ROOT = "INVOICE_CENTER"
INVOICE = "CONTENT_FRAME/INVOICES/INVOICE"
FORMAT_VERSION = "CONTENT_FRAME/BLOCK_RULES/FORMAT_VERSION"
OVERDUE_FINE_RATE = "PAYMENT_OVERDUE_FINE/INTEREST_RATE"

PENALTY_INTEREST = f"HEADER/{OVERDUE_FINE_RATE}"
"""Where the penalty interest rate goes (under the invoice), for the warning's advice."""
LANGUAGE: str | None = None
"""No language element could be confirmed (see the reader)."""
