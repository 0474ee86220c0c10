"""Applying a rewrite plan to a UN/CEFACT CII D16B `rsm:CrossIndustryInvoice`.

SPEC §3 in CII terms, all in `ram:ApplicableHeaderTradeSettlement` unless said:

* payment account: the first `ram:SpecifiedTradeSettlementPaymentMeans` with a
  payee account keeps `ram:PayeePartyCreditorFinancialAccount/ram:IBANID` = the
  service's IBAN and `ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID`
  = its BIC; payment means naming other accounts of the seller are removed;
* reference: `ram:PaymentReference`;
* payee: `ram:PayeeTradeParty` with the service's name;
* transfer clause: a new `rsm:ExchangedDocument/ram:IncludedNote/ram:Content`
  (CII allows several notes).

CII carries no bank barcode. Values are written only when they differ, so a
second run changes nothing; every other byte stays as it was.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.formats.cii.paths import CII, RAM
from kassavirta.formats.xml import written_text
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import Plan, RewriteError
from kassavirta.rewrite.common import ElementRewrite
from kassavirta.rewrite.xmlsource import Node

REFERENCE_BEFORE = (
    "TaxCurrencyCode",
    "InvoiceCurrencyCode",
    "InvoiceIssuerReference",
    "InvoicerTradeParty",
    "InvoiceeTradeParty",
    "PayeeTradeParty",
    "TaxApplicableTradeCurrencyExchange",
    "SpecifiedTradeSettlementPaymentMeans",
    "ApplicableTradeTax",
)
PAYEE_BEFORE = (
    *REFERENCE_BEFORE[REFERENCE_BEFORE.index("TaxApplicableTradeCurrencyExchange") :],
    "BillingSpecifiedPeriod",
    "SpecifiedTradeAllowanceCharge",
    "SpecifiedLogisticsServiceCharge",
    "SpecifiedTradePaymentTerms",
    "SpecifiedTradeSettlementHeaderMonetarySummation",
)
MEANS_BEFORE = PAYEE_BEFORE[PAYEE_BEFORE.index("ApplicableTradeTax") :]
NOTE_BEFORE = ("EffectiveSpecifiedPeriod", "IssuerTradeParty")


class _Rewrite(ElementRewrite):
    STEPS = ("clause", "reference", "payee", "payment_means")

    def __init__(self, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> None:
        super().__init__(source, document, invoice, plan)
        settlement = self.root.find(
            f"{{{CII}}}SupplyChainTradeTransaction/{{{RAM}}}ApplicableHeaderTradeSettlement"
        )
        if settlement is None:
            raise RewriteError("the invoice has no ram:ApplicableHeaderTradeSettlement")
        self.settlement = settlement

    def ram(self, context: etree._Element, local: str) -> str:
        return self.tag(context, RAM, local)

    def find(self, parent: etree._Element, local: str) -> etree._Element | None:
        return parent.find(f"{{{RAM}}}{local}")

    # -------------------------------------------------------------- the fields

    def reference(self) -> None:
        s = self.settlement
        self.put(
            s,
            self.find(s, "PaymentReference"),
            lambda: Node(self.ram(s, "PaymentReference"), self.plan.reference),
            REFERENCE_BEFORE,
            "payment.reference",
            self.plan.reference,
        )

    def payee(self) -> None:
        s = self.settlement
        node = Node(
            self.ram(s, "PayeeTradeParty"),
            children=(Node(self.ram(s, "Name"), self.plan.payee_name),),
        )
        existing = self.find(s, "PayeeTradeParty")
        if existing is None:
            self.insert(s, node, PAYEE_BEFORE, "payment.beneficiary", self.plan.payee_name)
            return
        name = self.find(existing, "Name")
        self.replace(
            existing, node, "payment.beneficiary", written_text(name), self.plan.payee_name
        )

    def institution_node(self, context: etree._Element) -> Node:
        return Node(
            self.ram(context, "PayeeSpecifiedCreditorFinancialInstitution"),
            children=(Node(self.ram(context, "BICID"), self.plan.bic),),
        )

    def payment_means(self) -> None:
        plan = self.plan
        s = self.settlement
        means = s.findall(f"{{{RAM}}}SpecifiedTradeSettlementPaymentMeans")
        with_account = [
            m for m in means if self.find(m, "PayeePartyCreditorFinancialAccount") is not None
        ]
        if not with_account:
            node = Node(
                self.ram(s, "SpecifiedTradeSettlementPaymentMeans"),
                children=(
                    Node(self.ram(s, "TypeCode"), "58"),
                    Node(
                        self.ram(s, "PayeePartyCreditorFinancialAccount"),
                        children=(Node(self.ram(s, "IBANID"), plan.iban),),
                    ),
                    self.institution_node(s),
                ),
            )
            self.insert(s, node, MEANS_BEFORE, "payment.iban", plan.iban)
            return
        kept, *others = with_account
        for other in others:
            account = self.find(other, "PayeePartyCreditorFinancialAccount")
            old = written_text(account.find(f"{{{RAM}}}IBANID")) if account is not None else None
            self.drop(
                other,
                "seller_accounts",
                old,
                "a further ram:SpecifiedTradeSettlementPaymentMeans removed: "
                "the service's account is the only one",
            )
        account = self.find(kept, "PayeePartyCreditorFinancialAccount")
        assert account is not None
        self.put(
            account,
            self.find(account, "IBANID"),
            lambda: Node(self.ram(account, "IBANID"), plan.iban),
            ("AccountName", "ProprietaryID"),
            "payment.iban",
            plan.iban,
            account=True,
        )
        proprietary = self.find(account, "ProprietaryID")
        if proprietary is not None:
            self.drop(
                proprietary,
                "payment.account",
                written_text(proprietary),
                "ram:ProprietaryID removed: the service's account is an IBAN",
            )
        name = self.find(account, "AccountName")
        if name is not None:
            self.settext_of(name, "payment.account_name", plan.payee_name)
        institution = self.find(kept, "PayeeSpecifiedCreditorFinancialInstitution")
        if institution is None:
            self.editor.insert_after(account, self.institution_node(kept))
            self.record(
                account,
                f"{self.path(kept)}/{self.ram(kept, 'PayeeSpecifiedCreditorFinancialInstitution')}",
                "payment.bic",
                None,
                plan.bic,
            )
            return
        self.put(
            institution,
            self.find(institution, "BICID"),
            lambda: Node(self.ram(institution, "BICID"), plan.bic),
            (),
            "payment.bic",
            plan.bic,
            account=True,
        )

    def clause(self) -> None:
        text = self.plan.clause.text
        document = self.root.find(f"{{{CII}}}ExchangedDocument")
        if document is None:
            raise RewriteError("the invoice has no rsm:ExchangedDocument")
        contents = document.findall(f"{{{RAM}}}IncludedNote/{{{RAM}}}Content")
        if any(text in (c.text or "") for c in contents):
            return
        node = Node(
            self.ram(document, "IncludedNote"),
            children=(Node(self.ram(document, "Content"), text),),
        )
        self.insert(document, node, NOTE_BEFORE, "factoring.clause", text)


rewrite = _Rewrite.apply
