"""Applying a rewrite plan to a Peppol BIS Billing 3.0 (UBL 2.1) `Invoice` or `CreditNote`.

SPEC §3 in UBL terms:

* payment account: the credit-transfer `cac:PaymentMeans` keeps one
  `cac:PayeeFinancialAccount` — `cbc:ID` the service's IBAN, `cbc:Name` its
  payee name, `cac:FinancialInstitutionBranch/cbc:ID` its BIC; payment means
  naming other accounts of the seller are removed (the seller's account list
  becomes the service's account only);
* reference: `cbc:PaymentID` of that payment means;
* payee: `cac:PayeeParty` with the service's name (BT-59), replacing one that
  named someone else;
* transfer clause: in the invoice note `cbc:Note` (BT-22; Peppol allows one,
  so the clause is added to it when there is one) and, when the invoice has
  payment terms with a note, in `cac:PaymentTerms/cbc:Note` too.

UBL carries no bank barcode, so there is none to recompute. New elements go
where the UBL 2.1 sequence puts them, with the prefixes the document already
uses; every value is written only when it differs, so a second run changes
nothing.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.formats.peppol.paths import UBL_CAC, UBL_CBC
from kassavirta.formats.xml import written_text
from kassavirta.rewrite import RewriteError
from kassavirta.rewrite.common import ElementRewrite, compact
from kassavirta.rewrite.xmlsource import Node

NOTE_BEFORE = (
    "TaxPointDate",
    "DocumentCurrencyCode",
    "TaxCurrencyCode",
    "PricingCurrencyCode",
    "PaymentCurrencyCode",
    "PaymentAlternativeCurrencyCode",
    "AccountingCostCode",
    "AccountingCost",
    "LineCountNumeric",
    "BuyerReference",
)
"""Root children that a new `cbc:Note` goes before (UBL 2.1 Invoice and CreditNote)."""

PAYEE_BEFORE = (
    "BuyerCustomerParty",
    "SellerSupplierParty",
    "TaxRepresentativeParty",
    "Delivery",
    "DeliveryTerms",
    "PaymentMeans",
    "PaymentTerms",
    "PrepaidPayment",
    "AllowanceCharge",
    "TaxExchangeRate",
    "PricingExchangeRate",
    "PaymentExchangeRate",
    "PaymentAlternativeExchangeRate",
    "TaxTotal",
    "WithholdingTaxTotal",
    "LegalMonetaryTotal",
)
"""Root children that a new `cac:PayeeParty` goes before."""

MEANS_BEFORE = PAYEE_BEFORE[PAYEE_BEFORE.index("PaymentTerms") :]
PAYMENT_ID_BEFORE = (
    "CardAccount",
    "PayerFinancialAccount",
    "PayeeFinancialAccount",
    "CreditAccount",
    "PaymentMandate",
    "TradeFinancing",
)
ACCOUNT_BEFORE = PAYMENT_ID_BEFORE[PAYMENT_ID_BEFORE.index("CreditAccount") :]
ACCOUNT_NAME_BEFORE = (
    "AliasName",
    "AccountTypeCode",
    "AccountFormatCode",
    "CurrencyCode",
    "PaymentNote",
    "FinancialInstitutionBranch",
    "Country",
)


class _Rewrite(ElementRewrite):
    STEPS = ("clause", "payee", "payment_means")

    def cbc(self, context: etree._Element, local: str) -> str:
        return self.tag(context, UBL_CBC, local)

    def cac(self, context: etree._Element, local: str) -> str:
        return self.tag(context, UBL_CAC, local)

    def find(self, parent: etree._Element, namespace: str, local: str) -> etree._Element | None:
        return parent.find(f"{{{namespace}}}{local}")

    # -------------------------------------------------------------- the fields

    def account_node(self, context: etree._Element) -> Node:
        plan = self.plan
        return Node(
            self.cac(context, "PayeeFinancialAccount"),
            children=(
                Node(self.cbc(context, "ID"), plan.iban),
                Node(self.cbc(context, "Name"), plan.payee_name),
                Node(
                    self.cac(context, "FinancialInstitutionBranch"),
                    children=(Node(self.cbc(context, "ID"), plan.bic),),
                ),
            ),
        )

    def payment_means(self) -> None:
        plan = self.plan
        means = self.root.findall(f"{{{UBL_CAC}}}PaymentMeans")
        if not means:
            node = Node(
                self.cac(self.root, "PaymentMeans"),
                children=(
                    Node(self.cbc(self.root, "PaymentMeansCode"), "58"),
                    Node(self.cbc(self.root, "PaymentID"), plan.reference),
                    self.account_node(self.root),
                ),
            )
            anchor = self.editor.insert_child(self.root, node, MEANS_BEFORE)
            xpath = f"{self.path(self.root)}/{node.tag}"
            self.record(anchor, xpath, "payment.iban", None, plan.iban)
            self.record(anchor, xpath, "payment.reference", None, plan.reference)
            return
        with_account = [
            m for m in means if self.find(m, UBL_CAC, "PayeeFinancialAccount") is not None
        ]
        kept = with_account[0] if with_account else means[0]
        for other in with_account[1:]:
            account = self.find(other, UBL_CAC, "PayeeFinancialAccount")
            number = self.find(account, UBL_CBC, "ID") if account is not None else None
            self.drop(
                other,
                "seller_accounts",
                written_text(number),
                "a further cac:PaymentMeans removed: the service's account is the only one",
            )

        self.put(
            kept,
            self.find(kept, UBL_CBC, "PaymentID"),
            lambda: Node(self.cbc(kept, "PaymentID"), plan.reference),
            PAYMENT_ID_BEFORE,
            "payment.reference",
            plan.reference,
        )

        account = self.find(kept, UBL_CAC, "PayeeFinancialAccount")
        if account is None:
            node = self.account_node(kept)
            self.insert(kept, node, ACCOUNT_BEFORE, "payment.iban", plan.iban)
            return
        number = self.find(account, UBL_CBC, "ID")
        if number is None:  # pragma: no cover - BT-84 is mandatory in a payee account
            raise RewriteError("cac:PayeeFinancialAccount has no cbc:ID")
        if compact(number.text) != compact(plan.iban):
            self.settext_of(number, "payment.iban", plan.iban)
        self.put(
            account,
            self.find(account, UBL_CBC, "Name"),
            lambda: Node(self.cbc(account, "Name"), plan.payee_name),
            ACCOUNT_NAME_BEFORE,
            "payment.account_name",
            plan.payee_name,
        )
        branch = self.find(account, UBL_CAC, "FinancialInstitutionBranch")
        if branch is None:
            node = Node(
                self.cac(account, "FinancialInstitutionBranch"),
                children=(Node(self.cbc(account, "ID"), plan.bic),),
            )
            self.insert(account, node, ("Country",), "payment.bic", plan.bic)
            return
        self.put(
            branch,
            self.find(branch, UBL_CBC, "ID"),
            lambda: Node(self.cbc(branch, "ID"), plan.bic),
            ("Name",),
            "payment.bic",
            plan.bic,
            account=True,
        )

    def payee(self) -> None:
        plan = self.plan
        node = Node(
            self.cac(self.root, "PayeeParty"),
            children=(
                Node(
                    self.cac(self.root, "PartyName"),
                    children=(Node(self.cbc(self.root, "Name"), plan.payee_name),),
                ),
            ),
        )
        existing = self.find(self.root, UBL_CAC, "PayeeParty")
        if existing is None:
            self.insert(self.root, node, PAYEE_BEFORE, "payment.beneficiary", plan.payee_name)
            return
        name = existing.find(f"{{{UBL_CAC}}}PartyName/{{{UBL_CBC}}}Name")
        self.replace(existing, node, "payment.beneficiary", written_text(name), plan.payee_name)

    def clause(self) -> None:
        text = self.plan.clause.text
        notes = self.root.findall(f"{{{UBL_CBC}}}Note")
        if not notes:
            node = Node(self.cbc(self.root, "Note"), text)
            self.insert(self.root, node, NOTE_BEFORE, "factoring.clause", text)
        else:
            self.add_clause(notes[0], text)
        for terms in self.root.findall(f"{{{UBL_CAC}}}PaymentTerms"):
            note = self.find(terms, UBL_CBC, "Note")
            if note is not None:
                self.add_clause(note, text)

    def add_clause(self, note: etree._Element, text: str) -> None:
        old = note.text or ""
        if text in old:
            return
        joined = f"{old.rstrip()}\n{text}" if old.strip() else text
        self.editor.update(note, joined)
        self.record(note, self.path(note), "factoring.clause", old.strip() or None, joined)


rewrite = _Rewrite.apply
