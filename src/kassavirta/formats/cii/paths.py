"""UN/CEFACT CII D16B: namespaces and the element paths read and rewritten."""

from __future__ import annotations

CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NS = {"rsm": CII, "ram": RAM, "udt": UDT}

TRANSACTION = "rsm:SupplyChainTradeTransaction"
AGREEMENT = f"{TRANSACTION}/ram:ApplicableHeaderTradeAgreement"
SETTLEMENT = f"{TRANSACTION}/ram:ApplicableHeaderTradeSettlement"
TERMS = "ram:SpecifiedTradePaymentTerms"
PENALTY_TERMS = "ram:ApplicableTradePaymentPenaltyTerms"
PENALTY_PERCENT = "ram:CalculationPercent"

PENALTY_INTEREST = f"{TERMS}/{PENALTY_TERMS}/{PENALTY_PERCENT}"
"""Where the penalty interest rate goes (under the settlement), for the warning's advice."""
LANGUAGE: str | None = None
"""The reader takes `rsm:ExchangedDocument/ram:LanguageID`, but no warning points at it."""
