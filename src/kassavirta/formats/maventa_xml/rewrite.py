"""Applying a rewrite plan to a MaventaXML 1.0 invoice.

SPEC §3 in MaventaXML terms, with the element names
`formats/maventa_xml/read.py` reads:

* payment account: `invoice_accounts` keeps one `invoice_account` (the
  `default` one, else the first with a number), marked `default` `true`, with
  `iban` = the service's IBAN and `swift` = its BIC; its domestic `account` and
  its `bank` (the seller's bank's name) are emptied, and the other
  `invoice_account`s (the seller's further accounts) are removed;
* reference: `reference_nr` (one field for either kind);
* payee: `company_name`. MaventaXML has no payee of its own, so this is also the
  name the invoice gives its seller; its business ID, VAT number, address and
  contacts stay;
* transfer clause: `notes`, the invoice's free text.

MaventaXML carries no bank barcode. New elements go where the example has
them; values are written only when they differ, so a second run changes
nothing, and every other byte stays as it was.
"""

from __future__ import annotations

from lxml import etree

from kassavirta.formats.maventa_xml import paths
from kassavirta.formats.xml import text_of
from kassavirta.rewrite.common import ElementRewrite
from kassavirta.rewrite.xmlsource import Node

SELLER_NAME = f"{paths.SELLER}{paths.PARTY_NAME}"
SELLER_NAME_BEFORE = (f"{paths.SELLER}{paths.PARTY_ID}", f"{paths.SELLER}{paths.PARTY_VAT}")
IBAN_BEFORE = (paths.ACCOUNT_BIC, paths.ACCOUNT_DOMESTIC, paths.ACCOUNT_BANK)
BIC_BEFORE = (paths.ACCOUNT_DOMESTIC, paths.ACCOUNT_BANK)


class _Rewrite(ElementRewrite):
    STEPS = ("reference", "clause", "payee_name", "accounts")

    def put_value(
        self, parent: etree._Element, tag: str, before: tuple[str, ...], name: str, value: str
    ) -> None:
        """`value` into `parent`'s child `tag`, added before the first of `before` when missing."""
        self.put(
            parent, parent.find(tag), lambda: Node(tag, value), before, name, value, account=True
        )

    def account_node(self) -> Node:
        plan = self.plan
        return Node(
            paths.ACCOUNT,
            children=(
                Node(paths.ACCOUNT_DEFAULT, "true"),
                Node(paths.ACCOUNT_IBAN, plan.iban),
                Node(paths.ACCOUNT_BIC, plan.bic),
            ),
        )

    # -------------------------------------------------------------- the fields

    def reference(self) -> None:
        plan = self.plan
        self.put(
            self.root,
            self.root.find(paths.REFERENCE),
            lambda: Node(paths.REFERENCE, plan.reference),
            paths.REFERENCE_BEFORE,
            "payment.reference",
            plan.reference,
        )

    def clause(self) -> None:
        text = self.plan.clause.text
        notes = self.root.find(paths.NOTES)
        if notes is None:
            self.insert(
                self.root, Node(paths.NOTES, text), paths.NOTES_BEFORE, "factoring.clause", text
            )
        else:
            self.append_text(notes, "factoring.clause", text)

    def payee_name(self) -> None:
        plan = self.plan
        name = self.root.find(SELLER_NAME)
        if name is not None and " ".join((name.text or "").split()) == plan.payee_name:
            return
        self.put(
            self.root,
            name,
            lambda: Node(SELLER_NAME, plan.payee_name),
            SELLER_NAME_BEFORE,
            "payment.beneficiary",
            plan.payee_name,
        )
        self.notes.append(
            "company_name now names the service: MaventaXML has no payee of its own, so the "
            "invoice's seller name changes too (its business ID, VAT number, address and "
            "contacts stay the seller's)"
        )

    def accounts(self) -> None:
        plan = self.plan
        block = self.root.find(paths.ACCOUNTS)
        if block is None:
            node = Node(paths.ACCOUNTS, children=(self.account_node(),))
            self.insert(self.root, node, paths.ACCOUNTS_BEFORE, "payment.iban", plan.iban)
            return
        accounts = block.findall(paths.ACCOUNT)
        if not accounts:
            self.insert(block, self.account_node(), (), "payment.iban", plan.iban)
            return

        def number(account: etree._Element) -> str | None:
            return text_of(account.find(paths.ACCOUNT_IBAN)) or text_of(
                account.find(paths.ACCOUNT_DOMESTIC)
            )

        def default(account: etree._Element) -> bool:
            return (text_of(account.find(paths.ACCOUNT_DEFAULT)) or "").lower() == "true"

        numbered = [a for a in accounts if number(a)]
        kept = next((a for a in numbered if default(a)), next(iter(numbered), accounts[0]))
        for other in accounts:
            if other is not kept:
                self.drop(
                    other,
                    "seller_accounts",
                    number(other),
                    "a further invoice_account removed: the service's account is the only one",
                )
        self.put(
            kept,
            kept.find(paths.ACCOUNT_DEFAULT),
            lambda: Node(paths.ACCOUNT_DEFAULT, "true"),
            (paths.ACCOUNT_IBAN, *IBAN_BEFORE),
            "payment.default",
            "true",
        )
        self.put_value(kept, paths.ACCOUNT_IBAN, IBAN_BEFORE, "payment.iban", plan.iban)
        self.put_value(kept, paths.ACCOUNT_BIC, BIC_BEFORE, "payment.bic", plan.bic)
        for element in kept.findall(paths.ACCOUNT_DOMESTIC):
            self.clear(
                element, "payment.account", "account emptied: the service's IBAN is the account"
            )
        for element in kept.findall(paths.ACCOUNT_BANK):
            self.clear(
                element,
                "payment.bank",
                "bank emptied: the seller's bank's name does not describe the service's account",
            )


rewrite = _Rewrite.apply
