"""Applying a rewrite plan to a Finvoice 1.3 / 2.0 / 2.01 / 3.0 document.

The fields and the places of new elements follow FIELDS.md §1, §6, §7 and §8;
no element the rewrite touches was renamed between 1.3 and 3.0, so one
rewriter serves every version. Every value is written only when it differs
from what is there, which is what makes a second run a no-op.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.finnish.reference import compact_reference
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rewrite import PartRewrite, Plan, RewriteError
from kassavirta.rewrite.common import ElementRewrite, compact, matches, text_of
from kassavirta.rewrite.xmlsource import Node

SELLER_INFORMATION_AFTER = (
    "SellerPartyDetails",
    "SellerOrganisationUnitNumber",
    "SellerSiteCode",
    "SellerContactPersonName",
    "SellerContactPersonFunction",
    "SellerContactPersonDepartment",
    "SellerCommunicationDetails",
)
"""Root children that precede SellerInformationDetails (FIELDS.md §1)."""

FACTORING_BEFORE = ("VirtualBankBarcode", "InvoiceRow", "SpecificationDetails", "EpiDetails")
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
        old_scheme = element.get("IdentificationSchemeName")
        if scheme is not None and old_scheme != scheme:
            attrs.append(("IdentificationSchemeName", scheme))
            self.record(
                element,
                self.path(element) + "/@IdentificationSchemeName",
                f"{name}_scheme",
                old_scheme,
                scheme,
            )
        if not same:
            self.record(element, self.path(element), name, text_of(element), value)
        if attrs or not same:
            self.editor.update(element, None if same else value, attrs)

    def remove(self, element: etree._Element, name: str, why: str) -> None:
        self.drop(element, name, text_of(element), why)

    # -------------------------------------------------------------- the fields

    def epi(self) -> None:
        plan = self.plan
        epi = _require(self.root, "EpiDetails", "Finvoice")
        parties = _require(epi, "EpiPartyDetails", "EpiDetails")
        bfi = _require(parties, "EpiBfiPartyDetails", "EpiPartyDetails")
        beneficiary = _require(parties, "EpiBeneficiaryPartyDetails", "EpiPartyDetails")
        instruction = _require(epi, "EpiPaymentInstructionDetails", "EpiDetails")
        identification = _child(epi, "EpiIdentificationDetails")

        bank_name = _child(bfi, "EpiBfiName")
        if bank_name is not None:
            self.remove(
                bank_name,
                "payment.bank_name",
                "EpiBfiName removed: it named the seller's bank, not the service's",
            )

        bic = _child(bfi, "EpiBfiIdentifier")
        if bic is None:
            self.insert(
                bfi,
                Node("EpiBfiIdentifier", plan.bic, (("IdentificationSchemeName", "BIC"),)),
                ("EpiBfiName",),
                "payment.bic",
                plan.bic,
            )
        else:
            self.set_leaf(bic, "payment.bic", plan.bic, "BIC", _same_account(bic.text, plan.bic))
        bei = _child(beneficiary, "EpiBei")
        if bei is not None:
            self.remove(
                bei,
                "payment.beneficiary_business_id",
                "EpiBei removed: it identified the seller as the payee",
            )
        name = _child(beneficiary, "EpiNameAddressDetails")
        if name is None:
            self.insert(
                beneficiary,
                Node("EpiNameAddressDetails", plan.payee_name),
                ("EpiBei", "EpiAccountID"),
                "payment.beneficiary",
                plan.payee_name,
            )
        elif " ".join((name.text or "").split()) != plan.payee_name:
            self.set_leaf(name, "payment.beneficiary", plan.payee_name, None, False)
        account = _require(beneficiary, "EpiAccountID", "EpiBeneficiaryPartyDetails")
        self.set_leaf(
            account, "payment.iban", plan.iban, "IBAN", _same_account(account.text, plan.iban)
        )

        reference = _child(instruction, "EpiRemittanceInfoIdentifier")
        old_reference = text_of(reference)
        if reference is None:
            self.insert(
                instruction,
                Node(
                    "EpiRemittanceInfoIdentifier",
                    plan.reference,
                    (("IdentificationSchemeName", plan.reference_scheme),),
                ),
                ("EpiInstructedAmount", "EpiCharge", "EpiDateOptionDate"),
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
        epi_reference = _child(identification, "EpiReference")
        if (
            epi_reference is not None
            and _same_reference(epi_reference.text, old_reference)
            and (epi_reference.text or "") != plan.reference
        ):
            self.set_leaf(epi_reference, "payment.epi_reference", plan.reference, None, False)

    def seller_accounts(self) -> None:
        plan = self.plan
        block = Node(
            "SellerAccountDetails",
            children=(
                Node("SellerAccountID", plan.iban, (("IdentificationSchemeName", "IBAN"),)),
                Node("SellerBic", plan.bic, (("IdentificationSchemeName", "BIC"),)),
            ),
        )
        new_value = f"{plan.iban} {plan.bic}"
        info = _child(self.root, "SellerInformationDetails")
        if info is None:
            wrapper = Node("SellerInformationDetails", children=(block,))
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
        blocks = info.findall("SellerAccountDetails")
        old_value = "; ".join(
            " ".join(
                t for t in (text_of(b.find("SellerAccountID")), text_of(b.find("SellerBic"))) if t
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
        children = [Node("FactoringAgreementIdentifier", plan.agreement_id)]
        children += [Node("FactoringFreeText", line) for line in plan.clause.lines]
        children.append(Node("FactoringPartyName", plan.payee_name))
        block = Node("FactoringAgreementDetails", children=tuple(children))
        existing = _child(self.root, "FactoringAgreementDetails")
        base = "/Finvoice/FactoringAgreementDetails"
        if existing is not None:
            if matches(existing, block):
                return
            self.editor.replace(existing, block)
            old = {
                "id": text_of(existing.find("FactoringAgreementIdentifier")),
                "clause": " ".join(
                    t for t in (text_of(e) for e in existing.findall("FactoringFreeText")) if t
                )
                or None,
                "party": text_of(existing.find("FactoringPartyName")),
            }
            at = existing
        else:
            skip = {"VirtualBankBarcode"} if barcode_removed else set()
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
        element = _child(self.root, "VirtualBankBarcode")
        if element is None:
            return False
        if self.plan.barcode is None:
            self.remove(
                element,
                "virtual_barcode",
                "VirtualBankBarcode removed: no barcode can carry the new payment details",
            )
            return True
        if text_of(element) != self.plan.barcode:
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


def rewrite(source: bytes, document: Document, invoice: Invoice, plan: Plan) -> PartRewrite:
    """`plan` applied to the Finvoice document whose bytes are `source`."""
    return _Rewrite(source, document, plan).run()
