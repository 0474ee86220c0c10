"""Applying a rewrite plan to a TEAPPSXML 2.7.x / 3.0 invoice (`INVOICE_CENTER`).

SPEC §3 in TEAPPSXML terms, under `CONTENT_FRAME/INVOICES/INVOICE`, with the
element names `formats/teappsxml/read.py` reads:

* payment account: `PAYEE/BANKS` keeps one block, `SWIFT_CODE` = the
  service's BIC and `IBAN_ACCOUNT_NUMBER` = its IBAN; a domestic
  `BANK_ACCOUNT_NUMBER` in it gives way to the IBAN, and further `BANKS`
  blocks (the seller's other accounts) are removed;
* reference: `DETAILS_OF_PAYMENT/FI_PAYMENT_REFERENCE` (a Finnish national
  reference) or `IPI_REFERENCE` (an RF reference, `--rf`), in every
  `DETAILS_OF_PAYMENT` of the invoice, so that none still carries the old one;
  a `HEADER/DETAILS_OF_PAYMENT` is added when the invoice has none;
* payee: `PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME`. TEAPPSXML has one block
  for the invoicer and the payee, so this is also the name the invoice gives
  its seller; the seller's business ID, VAT number, address and contacts stay;
* transfer clause: `HEADER/FREE_TEXT` elements, one per line of at most 70
  characters (as Finvoice's `FactoringFreeText`), after the last `FREE_TEXT`
  of the header, or at its end.

**What is confirmed and what is not.** The TEAPPSXML 2.7.2 example written by
others (`samples/other/teappsxml_2.7.2_*.xml` in the shared reference)
confirms the names and order `PAYEE` = `CUSTOMER_INFORMATION`, `BANKS`,
`NET_SERVICE_ID`; `BANKS` = `SWIFT_CODE`, `IBAN_ACCOUNT_NUMBER`;
`CUSTOMER_INFORMATION` starting with `CUSTOMER_NAME`; and `FREE_TEXT` as the
last child of `HEADER`. It does not confirm: `DETAILS_OF_PAYMENT`,
`FI_PAYMENT_REFERENCE` and `IPI_REFERENCE` (names the adapter reads; that
`IPI_REFERENCE` is the place of an RF reference is our reading), the place of
a new `DETAILS_OF_PAYMENT` (we put it before `CURRENCY`, as in our own
sample), `BANK_ACCOUNT_NUMBER`, whether `BANKS` and `HEADER/FREE_TEXT` may
repeat (the example has one of each), the length limit of `FREE_TEXT`, and
any bank barcode element (none is read, so none is recomputed or added).

Values are written only when they differ, so a second run changes nothing;
every other byte stays as it was.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.formats.teappsxml.paths import INVOICE
from kassavirta.formats.xml import written_text
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import Plan, RewriteError
from kassavirta.rewrite.common import ElementRewrite, compact
from kassavirta.rewrite.xmlsource import Node

DETAILS_BEFORE = ("CURRENCY", "ORDER_REFERENCE", "ORDER_INFORMATION", "DELIVERER_REFERENCE")
"""HEADER children a new DETAILS_OF_PAYMENT goes before (our sample's order; not confirmed)."""
BANKS_BEFORE = ("NET_SERVICE_ID", "DETAILS_OF_PAYMENT")
"""PAYEE children a new BANKS block goes before (the 2.7.2 example: before NET_SERVICE_ID)."""
REFERENCE_ELEMENTS = {"SPY": "FI_PAYMENT_REFERENCE", "ISO": "IPI_REFERENCE"}
"""Where each kind of reference goes: national (7-3-1) or RF (ISO 11649); not confirmed."""


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in parent if c.tag == name]


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return next(iter(_children(parent, name)), None)


class _Rewrite(ElementRewrite):
    STEPS = ("reference", "clause", "payee_name", "banks")

    def __init__(self, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> None:
        super().__init__(source, document, invoice, plan)
        block = self.root.find(INVOICE)
        if block is None:  # pragma: no cover - the adapter refuses such a batch
            raise RewriteError("the batch holds no CONTENT_FRAME/INVOICES/INVOICE")
        self.block = block
        self.header = self.require(block, "HEADER")
        self.payee = self.require(block, "PAYEE")

    def require(self, parent: etree._Element, name: str) -> etree._Element:
        found = _child(parent, name)
        if found is None:
            raise RewriteError(
                f"the invoice has no {name} block: cannot rewrite its payment details"
            )
        return found

    def insert_first(self, parent: etree._Element, node: Node, name: str, value: str) -> None:
        """`node` as the first child of `parent` (where the example puts the names)."""
        first = next((c for c in parent if isinstance(c.tag, str)), None)
        if first is None:
            self.insert(parent, node, (), name, value)
            return
        self.editor.insert_before(first, node)
        self.record(first, f"{self.path(parent)}/{node.tag}", name, None, value)

    # -------------------------------------------------------------- the fields

    def payee_name(self) -> None:
        plan = self.plan
        info = _child(self.payee, "CUSTOMER_INFORMATION")
        if info is None:
            node = Node("CUSTOMER_INFORMATION", children=(Node("CUSTOMER_NAME", plan.payee_name),))
            self.insert_first(self.payee, node, "payment.beneficiary", plan.payee_name)
        else:
            name = _child(info, "CUSTOMER_NAME")
            if name is None:
                node = Node("CUSTOMER_NAME", plan.payee_name)
                self.insert_first(info, node, "payment.beneficiary", plan.payee_name)
            elif " ".join((name.text or "").split()) == plan.payee_name:
                return
            else:
                self.settext_of(name, "payment.beneficiary", plan.payee_name)
        self.notes.append(
            "PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME now names the service: TEAPPSXML has one "
            "block for the invoicer and the payee, so the invoice's seller name changes too "
            "(its business ID, VAT number, address and contacts stay the seller's)"
        )

    def banks(self) -> None:
        plan = self.plan
        blocks = _children(self.payee, "BANKS")
        if not blocks:
            node = Node(
                "BANKS",
                children=(Node("SWIFT_CODE", plan.bic), Node("IBAN_ACCOUNT_NUMBER", plan.iban)),
            )
            anchor = self.editor.insert_child(self.payee, node, BANKS_BEFORE)
            base = f"{self.path(self.payee)}/BANKS"
            self.record(anchor, f"{base}/SWIFT_CODE", "payment.bic", None, plan.bic)
            self.record(anchor, f"{base}/IBAN_ACCOUNT_NUMBER", "payment.iban", None, plan.iban)
            return

        def account(block: etree._Element) -> str | None:
            return written_text(_child(block, "IBAN_ACCOUNT_NUMBER")) or written_text(
                _child(block, "BANK_ACCOUNT_NUMBER")
            )

        kept = next((b for b in blocks if account(b)), blocks[0])
        for other in blocks:
            if other is not kept:
                self.drop(
                    other,
                    "seller_accounts",
                    account(other),
                    "a further PAYEE/BANKS block removed: the service's account is the only one",
                )

        iban = _child(kept, "IBAN_ACCOUNT_NUMBER")
        domestic = _child(kept, "BANK_ACCOUNT_NUMBER")
        self.put(
            kept,
            _child(kept, "SWIFT_CODE"),
            lambda: Node("SWIFT_CODE", plan.bic),
            ("IBAN_ACCOUNT_NUMBER", "BANK_ACCOUNT_NUMBER"),
            "payment.bic",
            plan.bic,
            account=True,
        )

        if iban is not None:
            if compact(iban.text) != compact(plan.iban):
                self.settext_of(iban, "payment.iban", plan.iban)
            if domestic is not None:
                self.drop(
                    domestic,
                    "payment.account",
                    written_text(domestic),
                    "BANK_ACCOUNT_NUMBER removed: the service's account is an IBAN",
                )
        elif domestic is not None:
            # The domestic number gives way to the IBAN in its own place.
            self.editor.replace(domestic, Node("IBAN_ACCOUNT_NUMBER", plan.iban))
            self.record(
                domestic,
                f"{self.path(kept)}/IBAN_ACCOUNT_NUMBER",
                "payment.iban",
                written_text(domestic),
                plan.iban,
            )
        else:
            node = Node("IBAN_ACCOUNT_NUMBER", plan.iban)
            self.insert(kept, node, (), "payment.iban", plan.iban)

    def reference(self) -> None:
        plan = self.plan
        target = REFERENCE_ELEMENTS[plan.reference_scheme]
        blocks = self.block.findall(".//DETAILS_OF_PAYMENT")
        if not blocks:
            node = Node("DETAILS_OF_PAYMENT", children=(Node(target, plan.reference),))
            anchor = self.editor.insert_child(self.header, node, DETAILS_BEFORE)
            xpath = f"{self.path(self.header)}/DETAILS_OF_PAYMENT/{target}"
            self.record(anchor, xpath, "payment.reference", None, plan.reference)
            return
        for details in blocks:
            current = _child(details, target)
            others = [
                e
                for name in REFERENCE_ELEMENTS.values()
                if name != target
                for e in _children(details, name)
            ]
            if current is not None:
                self.settext_of(current, "payment.reference", plan.reference)
                for other in others:
                    self.drop(
                        other,
                        "payment.reference",
                        written_text(other),
                        f"{other.tag} removed: the new reference is in {target}",
                    )
            elif others:
                # The other kind of reference gives way to the new one in its own place.
                first, *rest = others
                self.editor.replace(first, Node(target, plan.reference))
                xpath = f"{self.path(details)}/{target}"
                self.record(first, xpath, "payment.reference", written_text(first), plan.reference)
                for other in rest:
                    self.drop(
                        other,
                        "payment.reference",
                        written_text(other),
                        f"{other.tag} removed: the new reference is in {target}",
                    )
            else:
                node = Node(target, plan.reference)
                self.insert(details, node, (), "payment.reference", plan.reference)

    def clause(self) -> None:
        lines = self.plan.clause.lines
        texts = [written_text(e) or "" for e in _children(self.header, "FREE_TEXT")]
        if " ".join(lines) in " ".join(" ".join(texts).split()):
            return
        # HEADER always has children (INVOICE_ID at least): after the last FREE_TEXT, else last.
        free = _children(self.header, "FREE_TEXT")
        anchor = free[-1] if free else [c for c in self.header if isinstance(c.tag, str)][-1]
        for line in lines:
            self.editor.insert_after(anchor, Node("FREE_TEXT", line))
        xpath = f"{self.path(self.header)}/FREE_TEXT"
        self.record(anchor, xpath, "factoring.clause", None, self.plan.clause.text)


rewrite = _Rewrite.apply
