"""Peppol BIS Billing 3.0 (UBL 2.1): namespaces and the element paths read and rewritten."""

from __future__ import annotations

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS = {"cbc": UBL_CBC, "cac": UBL_CAC}
PEPPOL_BIS3 = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
"""What a Peppol BIS 3.0 `cbc:CustomizationID` contains; other UBL documents are plain `ubl`."""
CUSTOMIZATION_ID = f"{{{UBL_CBC}}}CustomizationID"

PENALTY_INTEREST: str | None = None
"""Peppol BIS 3.0 has no element for the penalty interest rate."""
LANGUAGE: str | None = None
"""Nor one for the recipient's language."""
