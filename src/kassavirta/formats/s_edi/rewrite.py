"""Applying a rewrite plan to an S-EDI 3.0 invoice.

SPEC §3 in S-EDI terms, under `Invoice/Header`, with the element names
`formats/s_edi/read.py` reads:

* payment account: `SellerParty/IBAN` = the service's IBAN and
  `SellerParty/BankIdentificationCode` = its BIC; the seller's domestic
  accounts (`BankAccount`, `BankAccountNo`, `PostAccount`) are emptied, and so
  are the name, identifier and address of the seller's bank (`Bank`, `BankId`,
  `BankAddress`, `BankAddress2`, `BankPostCode`, `BankPostOffice`), which no
  longer describe the account; `BankCountryCode` becomes the IBAN's country;
* reference: `PaymentReference` (S-EDI has one field for either kind);
* payee: `SellerParty/Name`. S-EDI has no payee of its own, so this is also the
  name the invoice gives its seller; its company number, VAT number, address and
  contacts stay;
* transfer clause: `PrintInfo/FreeText`, the text printed on the invoice.

The example writes every element, empty ones as `xsi:nil="true"`, so a value
the service no longer has is emptied rather than removed, and an element that
is `nil` is written without its `nil` when it gets a value. S-EDI carries no
bank barcode: `Summary/TotalAmountCheckSum` is the check digit of the total,
which the rewrite does not change. `RoutingInfo/@Factoring` is left as it is
(what the operator does with it is not known). Values are written only when
they differ, so a second run changes nothing; every other byte stays.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.formats.s_edi import paths
from kassavirta.formats.xml import written_text
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import Plan, RewriteError
from kassavirta.rewrite.common import ElementRewrite, compact
from kassavirta.rewrite.xmlsource import Node

PRINT_INFO_BEFORE = ("LegislationReference", paths.NUMBER)
"""Header children a new `PrintInfo` goes before (the example's order)."""


class _Rewrite(ElementRewrite):
    STEPS = ("reference", "clause", "payee_name", "account")

    def __init__(self, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> None:
        super().__init__(source, document, invoice, plan)
        header = self.root.find(paths.HEADER)
        if header is None:  # pragma: no cover - the adapter refuses such a document
            raise RewriteError("the document has no Invoice/Header")
        seller = header.find(paths.SELLER)
        if seller is None:
            raise RewriteError("the invoice has no SellerParty: cannot rewrite its payment details")
        self.header = header
        self.seller = seller

    def set_value(self, element: etree._Element, name: str, value: str) -> None:
        """`value` into a leaf; one marked `xsi:nil` is written anew without the mark."""
        if element.get(paths.XSI_NIL) is None:
            self.settext_of(element, name, value)
            return
        attrs = tuple((str(k), str(v)) for k, v in element.attrib.items() if k != paths.XSI_NIL)
        self.editor.replace(element, Node(str(element.tag), value, attrs))
        self.record(element, self.path(element), name, None, value)

    def put_value(
        self, parent: etree._Element, tag: str, before: tuple[str, ...], name: str, value: str
    ) -> None:
        """`value` into `parent`'s child `tag`, added before the first of `before` when missing."""
        found = parent.find(tag)
        if found is None:
            self.insert(parent, Node(tag, value), before, name, value)
        elif compact(found.text) != compact(value):
            self.set_value(found, name, value)

    # -------------------------------------------------------------- the fields

    def reference(self) -> None:
        plan = self.plan
        found = self.header.find(paths.REFERENCE)
        if found is None:
            node = Node(paths.REFERENCE, plan.reference)
            self.insert(
                self.header, node, paths.REFERENCE_BEFORE, "payment.reference", plan.reference
            )
        elif written_text(found) != plan.reference:
            self.set_value(found, "payment.reference", plan.reference)

    def clause(self) -> None:
        text = self.plan.clause.text
        info = self.header.find(paths.PRINT_INFO)
        if info is None:
            node = Node(paths.PRINT_INFO, children=(Node(paths.FREE_TEXT, text),))
            self.insert(self.header, node, PRINT_INFO_BEFORE, "factoring.clause", text)
            return
        free = info.find(paths.FREE_TEXT)
        if free is None:
            self.insert(info, Node(paths.FREE_TEXT, text), (), "factoring.clause", text)
        elif not written_text(free):
            self.set_value(free, "factoring.clause", text)
        else:
            self.append_text(free, "factoring.clause", text)

    def payee_name(self) -> None:
        plan = self.plan
        name = self.seller.find(paths.NAME)
        if name is not None and " ".join((name.text or "").split()) == plan.payee_name:
            return
        if name is None:
            # The example's first child of a party: before whatever the party holds.
            children = tuple(str(c.tag) for c in self.seller if isinstance(c.tag, str))
            node = Node(paths.NAME, plan.payee_name)
            self.insert(self.seller, node, children, "payment.beneficiary", plan.payee_name)
        else:
            self.set_value(name, "payment.beneficiary", plan.payee_name)
        self.notes.append(
            "SellerParty/Name now names the service: S-EDI has no payee of its own, so the "
            "invoice's seller name changes too (its company number, VAT number, address and "
            "contacts stay the seller's)"
        )

    def account(self) -> None:
        plan, seller = self.plan, self.seller
        self.put_value(seller, paths.BIC, paths.BIC_BEFORE, "payment.bic", plan.bic)
        self.put_value(seller, paths.IBAN, paths.IBAN_BEFORE, "payment.iban", plan.iban)
        for tag in paths.DOMESTIC_ACCOUNTS:
            for element in seller.findall(tag):
                self.clear(
                    element,
                    "seller_accounts",
                    "BankAccount, PostAccount and BankAccountNo emptied: the service's IBAN "
                    "is the only account",
                )
        for tag in (paths.BANK_NAME, *paths.BANK_DETAILS):
            for element in seller.findall(tag):
                self.clear(
                    element,
                    "payment.bank",
                    "the seller's bank's name, identifier and address emptied: they do not "
                    "describe the service's account",
                )
        country = seller.find(paths.BANK_COUNTRY)
        if country is not None and written_text(country) and written_text(country) != plan.iban[:2]:
            self.set_value(country, "payment.bank_country", plan.iban[:2])


rewrite = _Rewrite.apply
