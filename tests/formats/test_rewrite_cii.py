"""The CII rewrite: changed fields, the untouched rest byte for byte, determinism."""

from __future__ import annotations

from lxml import etree

from formats.cases import DATA
from helpers import SAMPLES, SERVICE, changed_lines, rewrite_with
from kassavirta.config.settings import Settings

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
SETTLEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
)


def test_sample_changes_and_untouched_rest(settings: Settings) -> None:
    source = (SAMPLES / "route" / "cii.xml").read_bytes()
    result = rewrite_with(source, settings)
    plan = result.plans[0]
    assert [(c.xpath, c.field, c.old, c.new) for c in result.changes] == [
        (
            "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IncludedNote",
            "factoring.clause",
            None,
            plan.clause.text,
        ),
        (f"{SETTLEMENT}/ram:PaymentReference", "payment.reference", "2612072", plan.reference),
        (f"{SETTLEMENT}/ram:PayeeTradeParty", "payment.beneficiary", None, SERVICE.payee),
        (
            f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/"
            "ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
            "payment.iban",
            "FI5647097686335382",
            SERVICE.iban,
        ),
        (
            f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/"
            "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID",
            "payment.bic",
            "POPFFI22",
            SERVICE.bic,
        ),
    ]
    gone, _ = changed_lines(source, result.data)
    assert gone == [147, 152, 155]  # PaymentReference, IBANID, BICID; the rest is inserted


def test_the_swedish_invoice_gets_the_swedish_clause(settings: Settings) -> None:
    # That it reads back, routes and a second run changes nothing: test_every_format.py.
    result = rewrite_with((DATA / "cii-xrechnung.xml").read_bytes(), settings)
    # The invoice language is sv: the clause is the Swedish one.
    assert result.plans[0].clause.language == "sv"


def test_further_accounts_removed(settings: Settings) -> None:
    source = (SAMPLES / "route" / "cii.xml").read_bytes()
    root = etree.fromstring(source)
    means = root.find(f".//{{{RAM}}}SpecifiedTradeSettlementPaymentMeans")
    assert means is not None
    second = etree.fromstring(etree.tostring(means))
    iban = second.find(f".//{{{RAM}}}IBANID")
    assert iban is not None
    iban.text = "FI7944052020036082"
    means.addnext(second)
    result = rewrite_with(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), settings)
    out = etree.fromstring(result.data)
    assert len(out.findall(f".//{{{RAM}}}SpecifiedTradeSettlementPaymentMeans")) == 1
    assert b"FI7944052020036082" not in result.data
    assert [c.old for c in result.changes if c.field == "seller_accounts"] == ["FI7944052020036082"]
