"""Applying a rewrite plan to a Liinos XML invoice (`Liinos_XML`).

SPEC §3 in Liinos terms, under `Data`, with the element names and type codes
`formats/liinos/read.py` reads:

* payment account: the seller's (`Party Type="SE"`) `BankAccounts` keeps one
  `BankAccount`: `IbanAccountNumber` and `AccountNumber` = the service's IBAN,
  `IbanBic` and `Bank` = its BIC (the example writes the IBAN and the BIC in both
  pairs); further `BankAccount`s (the seller's other accounts) are removed, and a
  block is added (before `ContactPersons`) when there is none;
* reference: `Header/References/Reference[@Type="PQ"]/Ref`, added when missing;
* bank barcode: `Reference[@Type="BBC"]/Ref` gets the new virtual barcode where
  the invoice carries one (it is removed when no barcode can carry the new
  payment details; none is added);
* payee: the seller party's `Name`. Liinos has no payee party of its own: the
  seller's block carries the accounts, so it is the payee, and the invoice then
  names the service where the seller's name was (its ids, address and contacts
  stay the seller's);
* transfer clause: `Header/Texts/Text[@Type="1"]` entries, one `Txt` line of at
  most 70 characters each, after the header's last text.

Values are written only when they differ, so a second run changes nothing;
every other byte stays as it was.
"""

from __future__ import annotations

from functools import partial

from lxml import etree

from kassavirta.formats.liinos import paths
from kassavirta.formats.liinos.read import typed
from kassavirta.formats.xml import written_text
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import Plan, RewriteError
from kassavirta.rewrite.common import ElementRewrite
from kassavirta.rewrite.xmlsource import Node

REFERENCE_NAMES = {"fi": "Viitenumero", "sv": "Referensnummer", "en": "Reference number"}
"""`TypeName` of a new payment reference, in the clause's language."""
PARTY_BEFORE_NAME = ("Name2", paths.POSTAL_ADDRESS, paths.STREET_ADDRESS, paths.POSTCODE)


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in parent if c.tag == name]


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return None if parent is None else next(iter(_children(parent, name)), None)


class _Rewrite(ElementRewrite):
    STEPS = ("reference", "barcode", "clause", "payee_name", "accounts")

    def __init__(self, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> None:
        super().__init__(source, document, invoice, plan)
        data = _child(self.root, paths.DATA)
        header = _child(data, paths.HEADER)
        if data is None or header is None:  # pragma: no cover - the adapter refuses such a file
            raise RewriteError("the invoice has no Data/Header")
        self.header = header
        self.references = _child(header, paths.REFERENCES)
        seller = typed(data.findall(paths.PARTIES), paths.SELLER)
        if seller is None:
            raise RewriteError(
                'the invoice has no seller party (Party Type="SE"): cannot rewrite its payment details'
            )
        self.seller = seller

    def typed_reference(self, code: str) -> etree._Element | None:
        if self.references is None:
            return None
        return typed(_children(self.references, paths.REFERENCE), code)

    # -------------------------------------------------------------- the fields

    def reference(self) -> None:
        plan = self.plan
        found = self.typed_reference(paths.PAYMENT_REFERENCE)
        if found is not None:
            value = _child(found, paths.REFERENCE_VALUE)
            if value is None:
                node = Node(paths.REFERENCE_VALUE, plan.reference)
                self.insert(found, node, (), "payment.reference", plan.reference)
            else:
                self.settext_of(value, "payment.reference", plan.reference)
            return
        node = Node(
            paths.REFERENCE,
            attrs=(("Type", paths.PAYMENT_REFERENCE),),
            children=(
                Node(paths.REFERENCE_NAME, REFERENCE_NAMES[plan.clause.language]),
                Node(paths.REFERENCE_VALUE, plan.reference),
            ),
        )
        if self.references is not None:
            anchor = self.editor.insert_child(self.references, node)
            xpath = f"{self.path(self.references)}/{paths.REFERENCE}/{paths.REFERENCE_VALUE}"
        else:
            block = Node(paths.REFERENCES, children=(node,))
            anchor = self.editor.insert_child(self.header, block, paths.HEADER_BEFORE_REFERENCES)
            xpath = f"{self.path(self.header)}/{paths.REFERENCES}/{paths.REFERENCE}/{paths.REFERENCE_VALUE}"
        self.record(anchor, xpath, "payment.reference", None, plan.reference)

    def barcode(self) -> None:
        found = self.typed_reference(paths.BARCODE)
        if found is None:
            return
        value = _child(found, paths.REFERENCE_VALUE)
        if self.plan.barcode is None:
            self.drop(
                found,
                "virtual_barcode",
                written_text(value),
                'Reference Type="BBC" (the bank barcode) removed: no barcode can carry the new '
                "payment details",
            )
        elif value is None:
            node = Node(paths.REFERENCE_VALUE, self.plan.barcode)
            self.insert(found, node, (), "virtual_barcode", self.plan.barcode)
        else:
            self.settext_of(value, "virtual_barcode", self.plan.barcode)

    def clause(self) -> None:
        lines = self.plan.clause.lines
        texts = _child(self.header, paths.TEXTS)
        entries = _children(texts, paths.TEXT) if texts is not None else []
        written = " ".join(
            t
            for e in entries
            for t in (written_text(c) for c in _children(e, paths.TEXT_VALUE))
            if t
        )
        if " ".join(lines) in " ".join(written.split()):
            return
        nodes = [
            Node(
                paths.TEXT,
                attrs=(("Type", paths.HEADER_TEXT),),
                children=(Node(paths.TEXT_VALUE, line),),
            )
            for line in lines
        ]
        if texts is None:
            block = Node(paths.TEXTS, children=tuple(nodes))
            anchor = self.editor.insert_child(self.header, block, paths.HEADER_BEFORE_TEXTS)
            xpath = f"{self.path(self.header)}/{paths.TEXTS}/{paths.TEXT}"
        else:
            header_texts = [
                e for e in entries if (e.get("Type") or "").strip() == paths.HEADER_TEXT
            ]
            last = (header_texts or entries)[-1] if entries else None
            for node in nodes:
                if last is None:
                    self.editor.insert_child(texts, node)
                else:
                    self.editor.insert_after(last, node)
            anchor = last if last is not None else texts
            xpath = f"{self.path(texts)}/{paths.TEXT}"
        self.record(anchor, xpath, "factoring.clause", None, self.plan.clause.text)

    def payee_name(self) -> None:
        plan = self.plan
        name = _child(self.seller, paths.NAME)
        if name is None:
            node = Node(paths.NAME, plan.payee_name)
            self.insert(
                self.seller, node, PARTY_BEFORE_NAME, "payment.beneficiary", plan.payee_name
            )
        elif " ".join((name.text or "").split()) == plan.payee_name:
            return
        else:
            self.settext_of(name, "payment.beneficiary", plan.payee_name)
        self.notes.append(
            'Party Type="SE" Name now names the service: Liinos carries the payment accounts in '
            "the seller's party, so the invoice's seller name changes too (its ids, address and "
            "contacts stay the seller's)"
        )

    def accounts(self) -> None:
        plan = self.plan
        values = {
            paths.BANK: (plan.bic, "payment.bic"),
            paths.ACCOUNT_NUMBER: (plan.iban, "payment.iban"),
            paths.IBAN: (plan.iban, "payment.iban"),
            paths.IBAN_BIC: (plan.bic, "payment.bic"),
        }
        new = Node(
            paths.BANK_ACCOUNT,
            children=tuple(Node(tag, values[tag][0]) for tag in paths.BANK_ACCOUNT_FIELDS),
        )
        container = _child(self.seller, paths.BANK_ACCOUNTS)
        blocks = _children(container, paths.BANK_ACCOUNT) if container is not None else []
        if not blocks:
            if container is None:
                anchor = self.editor.insert_child(
                    self.seller,
                    Node(paths.BANK_ACCOUNTS, children=(new,)),
                    paths.PARTY_BEFORE_BANK_ACCOUNTS,
                )
            else:
                anchor = self.editor.insert_child(container, new)
            base = f"{self.path(self.seller)}/{paths.BANK_ACCOUNTS}/{paths.BANK_ACCOUNT}"
            self.record(anchor, f"{base}/{paths.IBAN}", "payment.iban", None, plan.iban)
            self.record(anchor, f"{base}/{paths.IBAN_BIC}", "payment.bic", None, plan.bic)
            return

        def number(block: etree._Element) -> str | None:
            return written_text(_child(block, paths.IBAN)) or written_text(
                _child(block, paths.ACCOUNT_NUMBER)
            )

        kept = next((b for b in blocks if number(b)), blocks[0])
        for other in blocks:
            if other is not kept:
                self.drop(
                    other,
                    "seller_accounts",
                    number(other),
                    "a further BankAccount removed: the service's account is the only one",
                )
        fields = paths.BANK_ACCOUNT_FIELDS
        for position, tag in enumerate(fields):
            value, name = values[tag]
            found = _child(kept, tag)
            if found is None and tag not in (paths.IBAN, paths.IBAN_BIC):
                continue  # the reader needs only these two; the others are kept as written
            make = partial(Node, tag, value)
            self.put(kept, found, make, fields[position + 1 :], name, value, account=True)


rewrite = _Rewrite.apply
