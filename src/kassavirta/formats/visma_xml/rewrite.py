"""Applying a rewrite plan to a Visma XML 5.3 or 6.0 invoice (`inv:Invoice`).

SPEC §3 in Visma XML terms, with the element names `formats/visma_xml/read.py`
reads and the prefix the document already uses:

* payment account: the first `PaymentInstructions/PaymentInstruction` with an
  `AccountNo` (6.0) keeps it: `AccountNo` = the service's IBAN with
  `type="IBAN"`, `BIC` = its BIC; the elements describing the seller's bank
  (`BankName`, `BankAddress1`, `BankPostCode`, `BankPostOffice`, `BankCountry`,
  `BankCountryCode`, `BankCode`) are removed, and so are the further
  instructions (the seller's other accounts);
* the supplier's accounts: `Supplier/IBAN` and `SWIFT` become the service's
  (added, in the examples' order, when the invoice has no payment instruction:
  then they are the payment account, as in 5.3); `BankAccount`,
  `BankGiroAccount`, `BankGiroFormID`, `PostAccount`, `Bank` and `BankCode`
  are removed, so the service's account is the only one;
* reference: the instruction's `PaymentReference` and the header's `CID` (one
  is added before `InvoiceDate` when the invoice has neither); the
  `type="CID"` attribute stays;
* payee: `Supplier/Name`. Visma XML has no payee party, so, as in TEAPPSXML,
  the supplier's name is the beneficiary's; its `LegalEntity/RegistrationName`
  (6.0), business ID, VAT number, address and contacts stay the seller's;
* transfer clause: `InvoiceFreeText/Text` lines of at most 70 characters,
  after the last `Text` (a new `InvoiceFreeText` goes before `OrderInfo`).

Neither example carries a bank barcode, so there is none to recompute (and
none is added). What the examples do not confirm (the place of
`InvoiceFreeText` in 5.3, which elements the schemas require) is listed in
docs/formats.md. Values are written only when they differ, so a second run
changes nothing; every other byte stays as it was.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.formats.visma_xml import paths as p
from kassavirta.formats.xml import written_text
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import Plan
from kassavirta.rewrite.common import ElementRewrite, compact
from kassavirta.rewrite.xmlsource import Node

ACCOUNT_BEFORE = p.after(p.ACCOUNT, p.INSTRUCTION_ORDER)
INSTRUCTION_BIC_BEFORE = p.after(p.BIC, p.INSTRUCTION_ORDER)
REFERENCE_BEFORE = p.after(p.REFERENCE, p.INSTRUCTION_ORDER)
NAME_BEFORE = p.after(p.NAME, p.SUPPLIER_ORDER)
IBAN_BEFORE = p.after(p.SUPPLIER_IBAN, p.SUPPLIER_ORDER)
SWIFT_BEFORE = p.after(p.SUPPLIER_BIC, p.SUPPLIER_ORDER)


class _Rewrite(ElementRewrite):
    STEPS = ("reference", "clause", "payee_name", "accounts")

    def __init__(self, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> None:
        super().__init__(source, document, invoice, plan)
        self.ns = etree.QName(self.root).namespace or ""
        self.supplier = self.child(self.root, p.SUPPLIER)
        instructions = self.root.findall(
            f"{{{self.ns}}}{p.INSTRUCTIONS}/{{{self.ns}}}{p.INSTRUCTION}"
        )
        with_account = [i for i in instructions if written_text(self.child(i, p.ACCOUNT))]
        self.instruction = next(iter(with_account or instructions), None)
        self.others = [i for i in instructions if i is not self.instruction]

    def child(self, parent: etree._Element, local: str) -> etree._Element | None:
        return parent.find(f"{{{self.ns}}}{local}")

    def node(
        self,
        local: str,
        text: str | None = None,
        attrs: tuple[tuple[str, str], ...] = (),
        children: tuple[Node, ...] = (),
    ) -> Node:
        return Node(self.tag(self.root, self.ns, local), text, attrs, children)

    def remove_all(self, parent: etree._Element, names: tuple[str, ...], name: str) -> list[str]:
        """Remove `parent`'s children named in `names`, logging each; their names, for a note."""
        gone: list[str] = []
        for local in names:
            element = self.child(parent, local)
            if element is None:
                continue
            self.removed.append(element)
            self.editor.remove(element)
            self.record(element, self.path(element), name, written_text(element), None)
            gone.append(local)
        return gone

    # -------------------------------------------------------------- the fields

    def reference(self) -> None:
        plan = self.plan
        if self.instruction is not None:
            self.put(
                self.instruction,
                self.child(self.instruction, p.REFERENCE),
                lambda: self.node(p.REFERENCE, plan.reference),
                REFERENCE_BEFORE,
                "payment.reference",
                plan.reference,
            )
        cid = self.child(self.root, p.CID_NAME)
        if cid is not None:
            self.settext_of(cid, "payment.reference", plan.reference)
        elif self.instruction is None:
            node = self.node(p.CID_NAME, plan.reference)
            self.insert(self.root, node, p.CID_BEFORE, "payment.reference", plan.reference)

    def clause(self) -> None:
        clause = self.plan.clause
        block = self.child(self.root, p.FREE_TEXT_BLOCK)
        lines = tuple(self.node(p.FREE_TEXT_LINE, line) for line in clause.lines)
        if block is None:
            node = self.node(p.FREE_TEXT_BLOCK, children=lines)
            self.insert(self.root, node, p.FREE_TEXT_BEFORE, "factoring.clause", clause.text)
            return
        texts = [written_text(e) or "" for e in block.findall(f"{{{self.ns}}}{p.FREE_TEXT_LINE}")]
        if " ".join(clause.lines) in " ".join(" ".join(texts).split()):
            return
        children = [c for c in block if isinstance(c.tag, str)]
        if not children:
            self.replace(
                block,
                self.node(p.FREE_TEXT_BLOCK, children=lines),
                "factoring.clause",
                None,
                clause.text,
            )
            return
        anchor = children[-1]
        for line in lines:
            self.editor.insert_after(anchor, line)
        xpath = f"{self.path(block)}/{lines[0].tag}"
        self.record(anchor, xpath, "factoring.clause", None, clause.text)

    def payee_name(self) -> None:
        plan = self.plan
        if self.supplier is None:
            node = self.node(p.SUPPLIER, children=(self.node(p.NAME, plan.payee_name),))
            self.insert(self.root, node, ("Invoicee",), "payment.beneficiary", plan.payee_name)
            return
        name = self.child(self.supplier, p.NAME)
        if name is None:
            node = self.node(p.NAME, plan.payee_name)
            self.insert(self.supplier, node, NAME_BEFORE, "payment.beneficiary", plan.payee_name)
        elif " ".join((name.text or "").split()) == plan.payee_name:
            return
        else:
            self.settext_of(name, "payment.beneficiary", plan.payee_name)
        self.notes.append(
            "Supplier/Name now names the service: Visma XML has no payee party, so the "
            "supplier's name is the beneficiary's and the invoice's seller name changes too "
            "(its LegalEntity/RegistrationName, business ID, VAT number, address and contacts "
            "stay the seller's)"
        )

    def accounts(self) -> None:
        for other in self.others:
            self.drop(
                other,
                "seller_accounts",
                written_text(self.child(other, p.ACCOUNT)),
                "a further PaymentInstruction removed: the service's account is the only one",
            )
        if self.instruction is not None:
            self.instruction_account(self.instruction)
        if self.supplier is not None:
            self.supplier_accounts(self.supplier, paying=self.instruction is None)

    def instruction_account(self, instruction: etree._Element) -> None:
        plan = self.plan
        gone = self.remove_all(instruction, p.INSTRUCTION_BANK_DETAILS, "payment.bank")
        if gone:
            self.notes.append(
                f"PaymentInstruction's {', '.join(gone)} removed: they described the seller's bank"
            )
        number = self.child(instruction, p.ACCOUNT)
        iban_type = ((p.ACCOUNT_TYPE, "IBAN"),)
        if number is None:
            node = self.node(p.ACCOUNT, plan.iban, iban_type)
            self.insert(instruction, node, ACCOUNT_BEFORE, "payment.iban", plan.iban)
        elif compact(number.text) != compact(plan.iban) or number.get(p.ACCOUNT_TYPE) != "IBAN":
            self.record(number, self.path(number), "payment.iban", written_text(number), plan.iban)
            self.editor.update(number, plan.iban, iban_type)
        self.put(
            instruction,
            self.child(instruction, p.BIC),
            lambda: self.node(p.BIC, plan.bic),
            INSTRUCTION_BIC_BEFORE,
            "payment.bic",
            plan.bic,
            account=True,
        )

    def supplier_accounts(self, supplier: etree._Element, *, paying: bool) -> None:
        """The supplier's account elements: the payment's when `paying` (no instruction)."""
        plan = self.plan
        others = tuple(name for name, _ in p.SUPPLIER_OTHER_ACCOUNTS)
        gone = self.remove_all(supplier, others, "seller_accounts")
        if gone:
            self.notes.append(
                f"Supplier's {', '.join(gone)} removed: the service's account is the only one"
            )
        gone = self.remove_all(supplier, p.SUPPLIER_BANK_DETAILS, "seller.bank")
        if gone:
            self.notes.append(
                f"Supplier's {', '.join(gone)} removed: they described the seller's bank"
            )
        iban = self.child(supplier, p.SUPPLIER_IBAN)
        if iban is not None or paying:
            self.put(
                supplier,
                iban,
                lambda: self.node(p.SUPPLIER_IBAN, plan.iban),
                IBAN_BEFORE,
                "payment.iban" if paying else "seller_accounts",
                plan.iban,
                account=True,
            )
        swift = self.child(supplier, p.SUPPLIER_BIC)
        if swift is not None or iban is not None or paying:
            self.put(
                supplier,
                swift,
                lambda: self.node(p.SUPPLIER_BIC, plan.bic),
                SWIFT_BEFORE,
                "payment.bic" if paying else "seller_accounts",
                plan.bic,
                account=True,
            )


rewrite = _Rewrite.apply
