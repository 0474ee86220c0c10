"""Applying a rewrite plan to a TEAPPSXML 2.7.x / 3.0 invoice (`INVOICE_CENTER`).

SPEC §3 in TEAPPSXML terms, under `CONTENT_FRAME/INVOICES/INVOICE`. Every
element named here is declared in the TEAPPSXML 2.7.2 and 3.0 schemas, in the
same place in both, and new elements go where their sequences put them:

* payment account: `PAYEE/BANKS` keeps one block, `SWIFT_CODE` = the
  service's BIC and `IBAN_ACCOUNT_NUMBER` = its IBAN. What described the
  seller's account goes: a domestic `BANK_ACCOUNT_NUMBER`, `BANK_NAME`,
  `BANK_CODE`, `BANK_ADDRESS`, `IN_FAVOR`, `CLEARING_CODE`, and further `BANKS`
  blocks (the seller's other accounts);
* reference: `PAYEE/DETAILS_OF_PAYMENT/FI_PAYMENT_REFERENCE` (a Finnish
  national reference) or `IPI_REFERENCE` (an RF reference, `--rf`; that RF
  belongs in `IPI_REFERENCE` is our reading of the pair), added before
  `BANK_BARCODE` (else last in `PAYEE`) when there is none; and every
  instalment's `PART_PAYMENTS/PAYMENT/PAYMENT_REFERENCE`, because a payment
  to the service's account with the seller's reference finds no assignment;
* barcode: `PAYEE/BANK_BARCODE` holds `FI_BANK_BARCODE` or `IPI_BANK_BARCODE`;
  where there is one it becomes the plan's virtual bank barcode (version 4,
  in `FI_BANK_BARCODE`, for a national reference; version 5, in
  `IPI_BANK_BARCODE`, for RF), with the amount the invoice carries
  (`EpiInstructedAmount`, else the old barcode's) and its due date. When no
  barcode can carry the new details it is removed. None is ever added;
* payee: `PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME` (the first; further
  `CUSTOMER_NAME` lines, which continue the seller's name, go). TEAPPSXML has
  one block for the invoicer and the payee, so this is also the name the
  invoice gives its seller; the seller's business ID, VAT number, address and
  contacts stay;
* `EpiDetails` (Finvoice's bank payment part, when the invoice carries one):
  `EpiBfiIdentifier`, `EpiNameAddressDetails`, `EpiAccountID`,
  `EpiRemittanceInfoIdentifier`, and `EpiReference` when it was the old
  reference; `EpiBfiName` and `EpiBei` (the seller's bank and business ID) go;
* transfer clause: `HEADER/FREE_TEXT` elements, one per line of at most 70
  characters (as Finvoice's `FactoringFreeText`; the schemas allow 1024),
  after the last `FREE_TEXT` of the header, or at its end. A
  `HEADER/FACTORING_INFORMATION` (an earlier transfer) is left alone, with a note.

A direct debit (`DIRECTCHARGE`) is refused: its `BANK_CHARGE` is collected
into the seller's account under the seller's own direct-debit agreement with
its bank, which no rewrite of the XML can hand over to the service.

Values are written only when they differ, so a second run changes nothing;
every other byte stays as it was.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.finnish.reference import compact_reference
from kassavirta.formats.finvoice import paths as epi
from kassavirta.formats.teappsxml import paths
from kassavirta.formats.teappsxml.paths import INVOICE
from kassavirta.formats.xml import written_text
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import Plan, RewriteError
from kassavirta.rewrite.common import ElementRewrite, compact
from kassavirta.rewrite.xmlsource import Node

PAYEE_AFTER_BANKS = (
    paths.NET_SERVICE_ID,
    "INTERMEDIATOR",
    "EADDRESS_SCHEME_ID",
    "EADDRESS_SCHEME_ID_CODE",
    "DOMICILE",
    "PRELIMINARY_TAX_REGISTERED",
    "ADDITIONAL_LEGAL_INFO",
    "ARCHIVE_ID",
    "NETTING_CODE",
    "PAYEE_REFERENCE",
    "PP_DETAILS",
    "METHOD_OF_PAYMENT",
    "PAYMENT_MEANS",
    paths.DETAILS,
    paths.BARCODE,
)
"""PAYEE's children after its BANKS blocks (the 3.0 schema's sequence, 2.7.2's in it)."""
BANKS_AFTER_BIC = ("IN_FAVOR", paths.IBAN, "FOREIGN_PAYMENT_METHODS", "CLEARING_CODE")
BANKS_AFTER_IBAN = ("FOREIGN_PAYMENT_METHODS", "CLEARING_CODE")
REFERENCE_ELEMENTS = {"SPY": paths.NATIONAL_REFERENCE, "ISO": paths.RF_REFERENCE}
"""Where each kind of reference goes: national (7-3-1) or RF (ISO 11649)."""
BARCODE_ELEMENTS = {"SPY": paths.NATIONAL_BARCODE, "ISO": paths.RF_BARCODE}
"""Which barcode element carries the barcode of each kind of reference (versions 4 and 5)."""
SELLER_BANK_FIELDS = {
    "BANK_CODE": "payment.bic",
    "BANK_NAME": "payment.bank_name",
    "BANK_ADDRESS": "payment.bank_name",
    "IN_FAVOR": "payment.account_name",
    "CLEARING_CODE": "payment.bic",
}
"""The diff's field name for each element of `paths.SELLER_BANK_DETAILS`."""
assert set(SELLER_BANK_FIELDS) == set(paths.SELLER_BANK_DETAILS)


def _children(parent: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if parent is None else [c for c in parent if c.tag == name]


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return next(iter(_children(parent, name)), None)


def _same_reference(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return compact_reference(a).lstrip("0") == compact_reference(b).lstrip("0")


class _Rewrite(ElementRewrite):
    STEPS = ("clause", "payee_name", "banks", "barcode", "reference", "part_payments", "epi")

    def __init__(self, source: bytes, document: Document, invoice: Invoice, plan: Plan) -> None:
        super().__init__(source, document, invoice, plan)
        block = self.root.find(INVOICE)
        if block is None:  # pragma: no cover - the adapter refuses such a batch
            raise RewriteError("the batch holds no CONTENT_FRAME/INVOICES/INVOICE")
        if _child(block, paths.DIRECT_CHARGE) is not None:
            raise RewriteError(
                "the invoice is a direct debit (DIRECTCHARGE): it is collected into the "
                "seller's account under the seller's own direct-debit agreement, which the "
                "service cannot take over; send it without a direct debit"
            )
        self.block = block
        self.header = self.require(block, paths.HEADER)
        self.payee = self.require(block, paths.PAYEE)

    def require(self, parent: etree._Element, name: str) -> etree._Element:
        found = _child(parent, name)
        if found is None:
            raise RewriteError(
                f"the invoice has no {name} block: cannot rewrite its payment details"
            )
        return found

    def add(self, parent: etree._Element, node: Node, before: tuple[str, ...]) -> etree._Element:
        """Insert `node` (see `SourceEditor.insert_child`); the element it lands next to,
        where its change is logged so that the diff reads in document order."""
        anchor = self.editor.insert_child(parent, node, before, self.removed)
        children = [c for c in parent if isinstance(c.tag, str)]
        return children[-1] if anchor is parent and children else anchor

    def insert(
        self,
        parent: etree._Element,
        node: Node,
        before: tuple[str, ...],
        name: str,
        value: str | None,
        *,
        leaf: str | None = None,
    ) -> None:
        """As `ElementRewrite.insert`; the value is in `node`'s child `leaf` when given."""
        at = self.add(parent, node, before)
        xpath = f"{self.path(parent)}/{node.tag}" + (f"/{leaf}" if leaf else "")
        self.record(at, xpath, name, None, value)

    def insert_first(self, parent: etree._Element, node: Node, name: str, value: str) -> None:
        """`node` as the first child of `parent` (where the schemas put the names)."""
        first = next((c for c in parent if isinstance(c.tag, str)), None)
        if first is None:
            self.insert(parent, node, (), name, value)
            return
        self.editor.insert_before(first, node)
        self.record(first, f"{self.path(parent)}/{node.tag}", name, None, value)

    def set_value(
        self, element: etree._Element, name: str, value: str, scheme: str | None = None
    ) -> None:
        """A leaf's text and, for an Epi element, its IdentificationSchemeName."""
        old_scheme = element.get(epi.SCHEME)
        attrs = [(epi.SCHEME, scheme)] if scheme is not None and old_scheme != scheme else []
        if attrs:
            xpath = f"{self.path(element)}/@{epi.SCHEME}"
            self.record(element, xpath, f"{name}_scheme", old_scheme, scheme)
        same = (written_text(element) or "") == value
        if not same:
            self.record(element, self.path(element), name, written_text(element), value)
        if attrs or not same:
            self.editor.update(element, None if same else value, attrs)

    def swap(self, element: etree._Element, tag: str, name: str, value: str) -> None:
        """`element` gives way, in its own place, to a new leaf `tag` holding `value`."""
        self.editor.replace(element, Node(tag, value))
        xpath = f"{self.path(element.getparent())}/{tag}"  # type: ignore[arg-type]
        self.record(element, xpath, name, written_text(element), value)

    # -------------------------------------------------------------- the fields

    def payee_name(self) -> None:
        plan = self.plan
        info = _child(self.payee, paths.PARTY_INFO)
        if info is None:
            node = Node(paths.PARTY_INFO, children=(Node(paths.PARTY_NAME, plan.payee_name),))
            self.insert_first(self.payee, node, "payment.beneficiary", plan.payee_name)
        else:
            names = _children(info, paths.PARTY_NAME)
            if not names:
                node = Node(paths.PARTY_NAME, plan.payee_name)
                self.insert_first(info, node, "payment.beneficiary", plan.payee_name)
            elif " ".join((names[0].text or "").split()) == plan.payee_name and len(names) == 1:
                return
            else:
                self.settext_of(names[0], "payment.beneficiary", plan.payee_name)
            for line in names[1:]:
                self.drop(
                    line,
                    "payment.beneficiary",
                    written_text(line),
                    "a further PAYEE CUSTOMER_NAME removed: it went on with the seller's name",
                )
        self.notes.append(
            "PAYEE/CUSTOMER_INFORMATION/CUSTOMER_NAME now names the service: TEAPPSXML has one "
            "block for the invoicer and the payee, so the invoice's seller name changes too "
            "(its business ID, VAT number, address and contacts stay the seller's)"
        )

    def banks(self) -> None:
        plan = self.plan
        blocks = _children(self.payee, paths.BANKS)
        if not blocks:
            node = Node(
                paths.BANKS,
                children=(Node(paths.BIC, plan.bic), Node(paths.IBAN, plan.iban)),
            )
            at = self.add(self.payee, node, PAYEE_AFTER_BANKS)
            base = f"{self.path(self.payee)}/{paths.BANKS}"
            self.record(at, f"{base}/{paths.BIC}", "payment.bic", None, plan.bic)
            self.record(at, f"{base}/{paths.IBAN}", "payment.iban", None, plan.iban)
            return

        def account(block: etree._Element) -> str | None:
            return written_text(_child(block, paths.IBAN)) or written_text(
                _child(block, paths.DOMESTIC_ACCOUNT)
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
        for tag in paths.SELLER_BANK_DETAILS:
            for element in _children(kept, tag):
                self.drop(
                    element,
                    SELLER_BANK_FIELDS[tag],
                    written_text(element),
                    f"{tag} removed from PAYEE/BANKS: it described the seller's account",
                )

        self.put(
            kept,
            _child(kept, paths.BIC),
            lambda: Node(paths.BIC, plan.bic),
            BANKS_AFTER_BIC,
            "payment.bic",
            plan.bic,
            account=True,
        )
        iban = _child(kept, paths.IBAN)
        domestic = _child(kept, paths.DOMESTIC_ACCOUNT)
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
            return
        # The IBAN goes after SWIFT_CODE, so a domestic number (before it) cannot
        # give way in its own place: it goes, and the diff shows it became the IBAN.
        if domestic is not None:
            self.removed.append(domestic)
            self.editor.remove(domestic)
        at = self.add(kept, Node(paths.IBAN, plan.iban), BANKS_AFTER_IBAN)
        xpath = f"{self.path(kept)}/{paths.IBAN}"
        self.record(at, xpath, "payment.iban", written_text(domestic), plan.iban)

    def barcode(self) -> None:
        """Recompute the bank barcode where there is one; never add one."""
        block = _child(self.payee, paths.BARCODE)
        if block is None:
            return
        code = self.plan.barcode
        if code is None:
            self.drop(
                block,
                "virtual_barcode",
                " ".join(t for t in (written_text(c) for c in block) if t) or None,
                "BANK_BARCODE removed: no barcode can carry the new payment details",
            )
            return
        target = BARCODE_ELEMENTS[self.plan.reference_scheme]
        found = [c for c in block if isinstance(c.tag, str)]
        current = next((c for c in found if c.tag == target), None)
        if current is not None:
            self.settext_of(current, "virtual_barcode", code)
        elif found:
            self.swap(found[0], target, "virtual_barcode", code)
        else:
            self.insert(block, Node(target, code), (), "virtual_barcode", code)

    def reference(self) -> None:
        plan = self.plan
        target = REFERENCE_ELEMENTS[plan.reference_scheme]
        details = _child(self.payee, paths.DETAILS)
        if details is None:
            node = Node(paths.DETAILS, children=(Node(target, plan.reference),))
            before = (paths.BARCODE,)
            self.insert(self.payee, node, before, "payment.reference", plan.reference, leaf=target)
            return
        current = _child(details, target)
        others = [
            e
            for name in REFERENCE_ELEMENTS.values()
            if name != target
            for e in _children(details, name)
        ]
        if current is None and others:
            # The other kind of reference gives way to the new one in its own place.
            current, *others = others
            self.swap(current, target, "payment.reference", plan.reference)
        elif current is None:
            node = Node(target, plan.reference)
            self.insert(
                details,
                node,
                (paths.RF_REFERENCE, "FREE_TEXT"),
                "payment.reference",
                plan.reference,
            )
        else:
            self.settext_of(current, "payment.reference", plan.reference)
        for other in others:
            self.drop(
                other,
                "payment.reference",
                written_text(other),
                f"{other.tag} removed: the new reference is in {target}",
            )

    def part_payments(self) -> None:
        instalments = self.block.findall(paths.PART_PAYMENT_REFERENCE)
        for element in instalments:
            self.settext_of(element, "payment.reference", self.plan.reference)
        if instalments:
            self.notes.append(
                "every PART_PAYMENTS instalment now carries the new reference: the service "
                "assigns one reference to the invoice (our reading; check with the service)"
            )

    def epi(self) -> None:
        """The EpiDetails block as Finvoice's rewrite leaves it, where the invoice has one."""
        plan = self.plan
        block = _child(self.block, paths.EPI)
        if block is None:
            return
        parties = _child(block, epi.EPI_PARTIES)
        bfi = _child(parties, epi.EPI_BFI)
        beneficiary = _child(parties, epi.EPI_BENEFICIARY)
        instruction = _child(block, epi.EPI_INSTRUCTION)
        gone = (
            (bfi, epi.EPI_BANK_NAME, "payment.bank_name", "the seller's bank"),
            (beneficiary, epi.EPI_BEI, "payment.beneficiary_business_id", "the seller as payee"),
        )
        for parent, tag, name, what in gone:
            for element in _children(parent, tag):
                self.drop(
                    element,
                    name,
                    written_text(element),
                    f"EpiDetails {tag} removed: it named {what}",
                )
        # (parent, tag, field, value, scheme, the children a new one goes before)
        leaves = (
            (bfi, epi.EPI_BIC, "payment.bic", plan.bic, epi.BIC, (epi.EPI_BANK_NAME,)),
            (
                beneficiary,
                epi.EPI_PAYEE,
                "payment.beneficiary",
                plan.payee_name,
                None,
                (epi.EPI_BEI, epi.EPI_ACCOUNT),
            ),
            (beneficiary, epi.EPI_ACCOUNT, "payment.iban", plan.iban, epi.IBAN, ()),
            (
                instruction,
                epi.EPI_REMITTANCE,
                "payment.reference",
                plan.reference,
                plan.reference_scheme,
                (epi.EPI_AMOUNT, epi.EPI_CHARGE, epi.EPI_DUE_DATE),
            ),
        )
        for parent, tag, name, value, scheme, before in leaves:
            if parent is None:
                continue
            leaf = _child(parent, tag)
            if leaf is None:
                attrs = ((epi.SCHEME, scheme),) if scheme else ()
                self.insert(parent, Node(tag, value, attrs), before, name, value)
            elif name in ("payment.bic", "payment.iban") and compact(leaf.text) == compact(value):
                self.set_value(leaf, name, written_text(leaf) or "", scheme)
            else:
                self.set_value(leaf, name, value, scheme)
        identification = _child(block, epi.EPI_IDENTIFICATION)
        old = _child(identification, epi.EPI_REFERENCE)
        if old is not None and _same_reference(old.text, self.invoice.payment.reference):
            self.settext_of(old, "payment.epi_reference", plan.reference)

    def clause(self) -> None:
        if _child(self.header, paths.FACTORING) is not None:
            self.notes.append(
                "HEADER/FACTORING_INFORMATION is left as it is: it tells of an earlier transfer "
                "of the invoice (its agreement, endorsement clause and factor); check it, the "
                "service's clause is in HEADER/FREE_TEXT"
            )
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
