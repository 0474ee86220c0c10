"""Applying a rewrite plan to a Finvoice 1.3 / 2.0 / 2.01 / 3.0 document.

The fields and the places of new elements follow FIELDS.md §1, §6, §7 and §8;
no element the rewrite touches was renamed between 1.3 and 3.0, so one
rewriter serves every version. Every value is written only when it differs
from what is there, which is what makes a second run a no-op.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.finnish.reference import compact_reference
from kassavirta.formats.finvoice import paths
from kassavirta.formats.xml import written_text
from kassavirta.rewrite import PartRewrite, RewriteError
from kassavirta.rewrite.common import ElementRewrite, compact, matches
from kassavirta.rewrite.xmlsource import Node

SELLER_INFORMATION_AFTER = (
    paths.SELLER,
    paths.SELLER_UNIT,
    "SellerSiteCode",
    "SellerContactPersonName",
    "SellerContactPersonFunction",
    "SellerContactPersonDepartment",
    "SellerCommunicationDetails",
)
"""Root children that precede SellerInformationDetails (FIELDS.md §1)."""

FACTORING_BEFORE = (paths.BARCODE, paths.ROW, "SpecificationDetails", paths.EPI)
"""Root children that FactoringAgreementDetails goes before, the first present wins (§8)."""


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    return None if parent is None else parent.find(name)


def _require(parent: etree._Element | None, name: str, where: str) -> etree._Element:
    found = _child(parent, name)
    if found is None:
        raise RewriteError(f"the invoice has no {where}/{name}: cannot rewrite its payment details")
    return found


def _same_account(a: str | None, b: str) -> bool:
    return a is not None and compact(a) == compact(b)


def _same_reference(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return compact_reference(a).lstrip("0") == compact_reference(b).lstrip("0")


class _Rewrite(ElementRewrite):
    def set_leaf(
        self, element: etree._Element, name: str, value: str, scheme: str | None, same: bool
    ) -> None:
        """Set a leaf's text (unless `same`) and its IdentificationSchemeName."""
        attrs: list[tuple[str, str]] = []
        old_scheme = element.get(paths.SCHEME)
        if scheme is not None and old_scheme != scheme:
            attrs.append((paths.SCHEME, scheme))
            self.record(
                element,
                f"{self.path(element)}/@{paths.SCHEME}",
                f"{name}_scheme",
                old_scheme,
                scheme,
            )
        if not same:
            self.record(element, self.path(element), name, written_text(element), value)
        if attrs or not same:
            self.editor.update(element, None if same else value, attrs)

    def remove(self, element: etree._Element, name: str, why: str) -> None:
        self.drop(element, name, written_text(element), why)

    # -------------------------------------------------------------- the fields

    def epi(self) -> None:
        plan = self.plan
        epi = _require(self.root, paths.EPI, paths.ROOT)
        parties = _require(epi, paths.EPI_PARTIES, paths.EPI)
        bfi = _require(parties, paths.EPI_BFI, paths.EPI_PARTIES)
        beneficiary = _require(parties, paths.EPI_BENEFICIARY, paths.EPI_PARTIES)
        instruction = _require(epi, paths.EPI_INSTRUCTION, paths.EPI)
        identification = _child(epi, paths.EPI_IDENTIFICATION)

        bank_name = _child(bfi, paths.EPI_BANK_NAME)
        if bank_name is not None:
            self.remove(
                bank_name,
                "payment.bank_name",
                "EpiBfiName removed: it named the seller's bank, not the service's",
            )

        bic = _child(bfi, paths.EPI_BIC)
        if bic is None:
            self.insert(
                bfi,
                Node(paths.EPI_BIC, plan.bic, ((paths.SCHEME, paths.BIC),)),
                (paths.EPI_BANK_NAME,),
                "payment.bic",
                plan.bic,
            )
        else:
            self.set_leaf(
                bic, "payment.bic", plan.bic, paths.BIC, _same_account(bic.text, plan.bic)
            )
        bei = _child(beneficiary, paths.EPI_BEI)
        if bei is not None:
            self.remove(
                bei,
                "payment.beneficiary_business_id",
                "EpiBei removed: it identified the seller as the payee",
            )
        name = _child(beneficiary, paths.EPI_PAYEE)
        if name is None:
            self.insert(
                beneficiary,
                Node(paths.EPI_PAYEE, plan.payee_name),
                (paths.EPI_BEI, paths.EPI_ACCOUNT),
                "payment.beneficiary",
                plan.payee_name,
            )
        elif " ".join((name.text or "").split()) != plan.payee_name:
            self.set_leaf(name, "payment.beneficiary", plan.payee_name, None, False)
        account = _require(beneficiary, paths.EPI_ACCOUNT, paths.EPI_BENEFICIARY)
        self.set_leaf(
            account, "payment.iban", plan.iban, paths.IBAN, _same_account(account.text, plan.iban)
        )

        reference = _child(instruction, paths.EPI_REMITTANCE)
        old_reference = self.invoice.payment.reference  # as the check read it
        if reference is None:
            self.insert(
                instruction,
                Node(
                    paths.EPI_REMITTANCE,
                    plan.reference,
                    ((paths.SCHEME, plan.reference_scheme),),
                ),
                (paths.EPI_AMOUNT, paths.EPI_CHARGE, paths.EPI_DUE_DATE),
                "payment.reference",
                plan.reference,
            )
        else:
            self.set_leaf(
                reference,
                "payment.reference",
                plan.reference,
                plan.reference_scheme,
                (reference.text or "") == plan.reference,
            )
        epi_reference = _child(identification, paths.EPI_REFERENCE)
        if (
            epi_reference is not None
            and _same_reference(epi_reference.text, old_reference)
            and (epi_reference.text or "") != plan.reference
        ):
            self.set_leaf(epi_reference, "payment.epi_reference", plan.reference, None, False)

    def seller_accounts(self) -> None:
        plan = self.plan
        block = Node(
            paths.SELLER_ACCOUNT,
            children=(
                Node(paths.SELLER_ACCOUNT_ID, plan.iban, ((paths.SCHEME, paths.IBAN),)),
                Node(paths.SELLER_BIC, plan.bic, ((paths.SCHEME, paths.BIC),)),
            ),
        )
        new_value = f"{plan.iban} {plan.bic}"
        info = _child(self.root, paths.SELLER_INFORMATION)
        if info is None:
            wrapper = Node(paths.SELLER_INFORMATION, children=(block,))
            after = [
                c
                for c in self.root
                if isinstance(c.tag, str) and etree.QName(c).localname in SELLER_INFORMATION_AFTER
            ]
            anchor = after[-1] if after else None
            if anchor is None:
                raise RewriteError("the invoice has no SellerPartyDetails")
            self.editor.insert_after(anchor, wrapper)
            self.record(
                anchor,
                "/Finvoice/SellerInformationDetails/SellerAccountDetails",
                "seller_accounts",
                None,
                new_value,
            )
            return
        blocks = info.findall(paths.SELLER_ACCOUNT)
        old_value = "; ".join(
            " ".join(
                t
                for t in (
                    written_text(b.find(paths.SELLER_ACCOUNT_ID)),
                    written_text(b.find(paths.SELLER_BIC)),
                )
                if t
            )
            for b in blocks
        )
        if len(blocks) == 1 and matches(blocks[0], block):
            return
        xpath = self.path(info) + "/SellerAccountDetails"
        if not blocks:
            self.editor.insert_child(info, block, ("InvoiceRecipientDetails",))
            self.record(info, xpath, "seller_accounts", None, new_value)
            return
        self.editor.replace(blocks[0], block)
        for extra in blocks[1:]:
            self.editor.remove(extra)
        self.record(blocks[0], xpath, "seller_accounts", old_value or None, new_value)

    def factoring(self, barcode_removed: bool) -> None:
        plan = self.plan
        children = [Node(paths.FACTORING_ID, plan.agreement_id)]
        children += [Node(paths.FACTORING_TEXT, line) for line in plan.clause.lines]
        children.append(Node(paths.FACTORING_PARTY, plan.payee_name))
        block = Node(paths.FACTORING, children=tuple(children))
        existing = _child(self.root, paths.FACTORING)
        base = "/Finvoice/FactoringAgreementDetails"
        if existing is not None:
            if matches(existing, block):
                return
            self.editor.replace(existing, block)
            old = {
                "id": written_text(existing.find(paths.FACTORING_ID)),
                "clause": " ".join(
                    t
                    for t in (written_text(e) for e in existing.findall(paths.FACTORING_TEXT))
                    if t
                )
                or None,
                "party": written_text(existing.find(paths.FACTORING_PARTY)),
            }
            at = existing
        else:
            skip = {paths.BARCODE} if barcode_removed else set()
            anchor = next(
                (
                    c
                    for c in self.root
                    if isinstance(c.tag, str)
                    and etree.QName(c).localname in FACTORING_BEFORE
                    and etree.QName(c).localname not in skip
                ),
                None,
            )
            if anchor is None:
                raise RewriteError("the invoice has no InvoiceRow or EpiDetails")
            self.editor.insert_before(anchor, block)
            old = {"id": None, "clause": None, "party": None}
            at = anchor
        for key, name, xpath, new in (
            (
                "id",
                "factoring.agreement_id",
                f"{base}/FactoringAgreementIdentifier",
                plan.agreement_id,
            ),
            ("clause", "factoring.clause", f"{base}/FactoringFreeText", plan.clause.text),
            ("party", "factoring.party_name", f"{base}/FactoringPartyName", plan.payee_name),
        ):
            if old[key] != new:
                self.record(at, xpath, name, old[key], new)

    def barcode(self) -> bool:
        """Recompute VirtualBankBarcode where there is one; True when it had to go."""
        element = _child(self.root, paths.BARCODE)
        if element is None:
            return False
        if self.plan.barcode is None:
            self.remove(
                element,
                "virtual_barcode",
                "VirtualBankBarcode removed: no barcode can carry the new payment details",
            )
            return True
        if written_text(element) != self.plan.barcode:
            self.set_leaf(element, "virtual_barcode", self.plan.barcode, None, False)
        return False

    def run(self) -> PartRewrite:
        self.seller_accounts()
        removed = self.barcode()
        self.factoring(removed)
        self.epi()
        if self.plan.agreement_stand_in:
            self.notes.append(
                f"FactoringAgreementIdentifier {self.plan.agreement_id!r} is a stand-in: "
                "set factoring_agreement_id or vfsfi.account_number in the settings"
            )
        return self.finish()


rewrite = _Rewrite.apply
