"""Plain words for the page: what each decision means, each reason, each rewritten field.

The content rules carry their own one-line summaries (`Rule.summary`); the
invalid and bypass reasons are decided before any rule runs, so their words
live here. The page shows these beside the service's own message and our
`detail` (what exactly to change).
"""

from __future__ import annotations

from typing import Any

DECISIONS: dict[str, dict[str, str]] = {
    "route": {
        "title": "Routed through Kassavirta",
        "text": "The service opens an assignment and sends the invoice with its own payment "
        "details. Below: what it changes, the reminder schedule, and the invoice as it will "
        "be sent.",
    },
    "error": {
        "title": "Rejected by the service — not sent",
        "text": "The service refuses this invoice with a SEND ERROR and it is not sent at all. "
        "Fix the points below and send it again.",
    },
    "bypass": {
        "title": "Sent directly — not monitored",
        "text": "The invoice goes straight to the buyer; the service does not monitor or "
        "collect it.",
    },
    "invalid": {
        "title": "Unreadable — the operator would reject it",
        "text": "The operator would reject this file before the service sees it.",
    },
}

REASONS: dict[str, str] = {
    # invalid
    "not-xml": "The file is not well-formed XML (it may be truncated or not XML at all).",
    "unsafe-xml": "The file declares XML entities or is too large: such files are refused unread.",
    "unknown-format": "The document is not an invoice format the operator recognises.",
    "unadapted-format": "The format is recognised, but this toolkit cannot read it yet.",
    "not-an-invoice": "This is a notification message, not an invoice.",
    "schema": "The invoice does not follow the official schema (XSD) of its format.",
    "unreadable-field": "A field the service needs cannot be read (e.g. an amount or a date "
    "in the wrong form).",
    "internal-error": "The check itself failed on this file: a bug in kassavirta, not in the "
    "invoice.",
    # bypass
    "unsupported-format": "The service does not take this invoice format.",
    "non-eur": "The invoice is not in euros: the service only takes euro invoices.",
    "perinta-service": "The settings are for Amili Perintä (service_type express), the manual "
    "collection product: nothing is routed or rewritten when the invoice is sent.",
    "consumer-transition": "A consumer e-invoice to a netbank, in the first days after the "
    "service was activated.",
    "service-inactive": "The service is not active (no activation settings, or their status is "
    "not ACTIVE); the checks are shown as warnings.",
}


FIELDS: dict[str, str] = {
    "seller_accounts": "Seller's bank accounts on the invoice",
    "payment.iban": "Account to pay to (IBAN)",
    "payment.account": "Account to pay to",
    "payment.account_name": "Account holder",
    "payment.bic": "Bank of that account (BIC)",
    "payment.bank_name": "Bank name",
    "payment.beneficiary": "Payee",
    "payment.beneficiary_business_id": "Payee's business ID",
    "payment.reference": "Reference number",
    "payment.epi_reference": "Reference number (bank payment part)",
    "factoring.agreement_id": "Transfer agreement identifier",
    "factoring.clause": "Transfer clause printed on the invoice",
    "factoring.party_name": "Who the invoice is transferred to",
    "notes": "Notes on the invoice",
}
"""The rewrite's field names (`FieldChange.field`) as the people who send invoices say them."""


def glossary() -> dict[str, Any]:
    """Everything the page needs to put a result into words."""
    from kassavirta.rules import RULES

    reasons = dict(REASONS)
    for rule in RULES:
        for slug in rule.slugs:
            reasons.setdefault(slug, rule.summary)
    return {"decisions": DECISIONS, "reasons": reasons, "fields": FIELDS}
