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
