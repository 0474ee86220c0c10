"""The rewrite: an invoice as Kassavirta will send it (SPEC §3).

When an invoice is routed and the service is the accountable party, the
service replaces the payment details with its own (account, BIC, payee), puts
in a new reference number, adds a transfer clause and recomputes the virtual
bank barcode. `rewrite_document` shows that output before anything is sent.

It works in two steps, so that every format gets the same answers:

1. **The plan** (`make_plan`, format-neutral): from the normalised `Invoice`
   and the activation settings, the new values — IBAN, BIC, payee name, the
   preview reference (`finnish.reference.preview_reference`, 7-3-1 or RF), the
   clause in the invoice's language (`clause.transfer_clause`), the agreement
   identifier and the 54-digit virtual barcode.
2. **The format's rewriter** applies the plan to the document's own bytes.
   It is the `rewrite` module in the format's folder (`formats/<name>/rewrite.py`),
   named by the format's row in `formats.registry`. Each exposes::

       def rewrite(source: bytes, document: Document, invoice: Invoice,
                   plan: Plan) -> PartRewrite

   `source` is the document's bytes (`data[part.start:part.end]`; a SOAP
   frame before it is never passed in and stays byte for byte); `invoice` is
   the document as the check read it, so that a rewriter need not read a value
   again. The module returns the new bytes, the `FieldChange`s (absolute
   XPaths, old and new values) and notes. Rules every rewriter keeps: edit
   only what the service changes and leave every other byte as it was
   (`xmlsource.SourceEditor` splices edits into the original text); put new
   elements where the format's schema sequence puts them; set a value only
   when it differs, so that a second run changes nothing; never add an
   artefact the input did not carry (such as a barcode element).
   `formats/finvoice/rewrite.py` is the reference; `common.ElementRewrite`
   holds what they all share (the editor, the change log in document order,
   block comparison), and `rewrite = ElementRewrite.apply` on a subclass is
   the function.

Only routed invoices are rewritten; any other decision is returned with its
reasons and the input unchanged. With `accountable_party = company` the
service keeps the sender's payment details and image: nothing changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial
from typing import Literal, Protocol, cast

from kassavirta.config.policy import Policy
from kassavirta.config.settings import Settings
from kassavirta.errors import InputError, KassavirtaError
from kassavirta.findings import CheckResult, Decision
from kassavirta.finnish.barcode import virtual_barcode
from kassavirta.finnish.reference import preview_reference
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document, read_written
from kassavirta.rewrite.clause import Clause, transfer_clause

PAYEE_NAME_MAX = 35
"""EpiNameAddressDetails is a token of 2–35 characters; other formats allow more."""
AGREEMENT_ID_MAX = 35

COMPANY_NOTE = (
    "accountable_party is company: the service keeps the invoice's own payment details "
    "and image, so nothing is rewritten (only the assignment is created)"
)


class RewriteError(KassavirtaError):
    """The invoice is routed but cannot be rewritten (no rewriter, missing structure)."""


class OutputError(RewriteError):
    """A rewriter wrote a document that does not parse: a bug in it, never the input's fault."""


@dataclass(frozen=True)
class FieldChange:
    """One changed value: where (absolute XPath), what (model field name), old → new.

    `old` is None for an added element, `new` None for a removed one.
    `document` is the 1-based position in a file that holds several invoices.
    """

    xpath: str
    field: str
    old: str | None
    new: str | None
    document: int | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        data: dict[str, str | int | None] = {
            "xpath": self.xpath,
            "field": self.field,
            "old": self.old,
            "new": self.new,
        }
        if self.document is not None:
            data["document"] = self.document
        return data


@dataclass(frozen=True)
class Plan:
    """The new payment values for one invoice, the same for every format."""

    iban: str
    bic: str
    payee_name: str
    reference: str
    reference_scheme: Literal["SPY", "ISO"]
    clause: Clause
    agreement_id: str
    barcode: str | None
    """The 54-digit virtual bank barcode of the new payment data, when it can be made."""
    agreement_stand_in: bool = False
    """`agreement_id` is the seller's key, not a setting: a rewriter that writes it says so."""


@dataclass
class PartRewrite:
    """What a format's rewriter returns for one document."""

    data: bytes
    changes: list[FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class FormatRewriter(Protocol):
    """A format's `rewrite` function (see the module docstring)."""

    def __call__(
        self, source: bytes, document: Document, invoice: Invoice, plan: Plan
    ) -> PartRewrite: ...


@dataclass
class RewriteResult:
    """The output bytes and what happened, for the command, the preview and the API."""

    data: bytes
    decision: Decision
    reasons: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)
    format: str | None = None
    company: bool = False
    """accountable_party = company: routed, but nothing is rewritten."""
    originals: list[Invoice] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    read_back: Callable[[], list[Invoice]] | None = field(default=None, repr=False, compare=False)
    """Reads the output's documents again into models, for `invoices`."""

    @cached_property
    def invoices(self) -> list[Invoice]:
        """The normalised model of each output document (the rewritten one, or the original).

        Read when first asked: only the preview needs them, and on a long invoice
        adapting the output again costs a good part of a rewrite.
        """
        return self.read_back() if self.read_back is not None else list(self.originals)

    @property
    def routed(self) -> bool:
        return self.decision is Decision.ROUTE

    @property
    def rewritten(self) -> bool:
        return self.routed and not self.company

    def as_dict(self) -> dict[str, object]:
        return {
            "decision": self.decision.value,
            "reasons": list(self.reasons),
            "format": self.format,
            "rewritten": self.rewritten,
            "changes": [c.as_dict() for c in self.changes],
            "notes": list(self.notes),
        }


def rewriter_for(format_id: str) -> FormatRewriter | None:
    """The rewrite function for `format_id`, imported on demand; None when there is none."""
    from kassavirta.formats.registry import module_of

    return cast("FormatRewriter | None", module_of(format_id, "rewrite", "rewrite"))


def _seller_key(invoice: Invoice) -> tuple[str, str | None]:
    for value, what in (
        (invoice.seller.business_id, None),
        (invoice.seller.vat_code, "the seller's VAT number"),
        (invoice.seller.name, "the seller's name"),
    ):
        if value:
            return value, what
    return "", "nothing (the invoice names no seller)"


def make_plan(
    invoice: Invoice, settings: Settings, *, rf: bool = False, today: date | None = None
) -> tuple[Plan, list[str]]:
    """The new values for `invoice`, and notes on every value that is a stand-in."""
    notes: list[str] = []
    account = settings.vfsfi
    if account is None or not account.iban:
        raise RewriteError("the settings carry no service account (vfsfi.iban)")
    iban = account.iban
    bic = account.bic
    if not bic:
        from schwifty import IBAN

        derived = IBAN(iban).bic
        if derived is None:
            raise RewriteError(
                f"the settings carry no vfsfi.bic, and the bank of {iban} is not known"
            )
        bic = str(derived.compact)
        notes.append(f"vfsfi.bic is not set: {bic} is the BIC of the bank of {iban}")
    payee = " ".join(settings.payee_name.split())
    if len(payee) > PAYEE_NAME_MAX:
        notes.append(f"payee name shortened to {PAYEE_NAME_MAX} characters: {payee!r}")
        payee = payee[:PAYEE_NAME_MAX].rstrip()

    seller, seller_source = _seller_key(invoice)
    if seller_source:
        notes.append(
            f"the seller has no business ID: the preview reference is derived from {seller_source}"
        )
    issued = invoice.issue_date
    if issued is None:
        issued = today or date(2000, 1, 1)
        notes.append(f"the invoice has no date: the preview reference uses {issued.isoformat()}")
    reference = preview_reference(seller, invoice.number or "", issued, rf=rf)
    notes.append(
        f"reference {reference} is a preview value: the service assigns the real one "
        "(the assignment's reference_ids, type number)"
    )

    agreement = settings.factoring_agreement_id or account.account_number
    stand_in = not agreement
    if not agreement:
        # Only some formats carry an agreement identifier: their rewriter notes the stand-in.
        agreement = seller or invoice.number or "-"
    agreement = agreement[:AGREEMENT_ID_MAX]

    clause = transfer_clause(settings, invoice.language, iban)
    barcode: str | None
    try:
        barcode = virtual_barcode(iban, invoice.payment.amount, reference, invoice.payment.due_date)
    except ValueError as exc:
        barcode = None
        notes.append(f"no virtual bank barcode can be made for the new payment details: {exc}")
    plan = Plan(
        iban=iban,
        bic=bic,
        payee_name=payee,
        reference=reference,
        reference_scheme="ISO" if rf else "SPY",
        clause=clause,
        agreement_id=agreement,
        barcode=barcode,
        agreement_stand_in=stand_in,
    )
    return plan, notes


def _adapt(document: Document, format_id: str) -> Invoice:
    from kassavirta.formats import adapter_for

    adapter = adapter_for(format_id)
    if adapter is None:  # pragma: no cover - a routed invoice always had an adapter
        raise RewriteError(f"{format_id} cannot be read")
    return adapter(document)


def _detached(invoice: Invoice) -> Invoice:
    """The invoice without the locations of its values, which hold its whole parsed tree."""
    return dataclasses.replace(invoice, locations={})


def _spliced(
    data: bytes,
    documents: list[Document],
    results: list[CheckResult],
    originals: list[Invoice],
    policy: Policy,
    *,
    rf: bool,
) -> tuple[bytes, list[FieldChange], list[str], list[Plan]]:
    """Each document rewritten by its format and put back in the file's bytes."""
    settings = policy.settings
    assert settings is not None  # a routed invoice has active settings
    multi = len(documents) > 1
    changes: list[FieldChange] = []
    notes: list[str] = []
    plans: list[Plan] = []
    pieces: list[tuple[int, int, bytes]] = []
    for document, result, invoice in zip(documents, results, originals, strict=True):
        format_id = result.format or ""
        rewriter = rewriter_for(format_id)
        if rewriter is None:
            raise RewriteError(f"rewriting {format_id} is not implemented yet")
        plan, plan_notes = make_plan(invoice, settings, rf=rf, today=policy.today)
        part = document.part
        done = rewriter(data[part.start : part.end], document, invoice, plan)
        label = f"invoice {document.index}: " if multi else ""
        notes.extend(label + n for n in [*plan_notes, *done.notes])
        changes.extend(
            FieldChange(c.xpath, c.field, c.old, c.new, document.index if multi else None)
            for c in done.changes
        )
        plans.append(plan)
        pieces.append((part.start, part.end, done.data))
    output = bytearray(data)
    for start, end, new in sorted(pieces, reverse=True):
        output[start:end] = new
    return bytes(output), changes, notes, plans


def rewrite_document(
    data: bytes,
    policy: Policy,
    *,
    rf: bool = False,
    path: str = "<bytes>",
    models: bool = False,
) -> RewriteResult:
    """The invoice file `data` as the service will send it, with the field diff.

    The decision comes from the core (`Checker`) under `policy`. Every invoice
    in the file must be routed; otherwise the result carries the first other
    decision, its reasons, and the input unchanged. `models` reads the output
    into `RewriteResult.invoices` at once, from the parse that verifies it (a
    preview needs them); otherwise they are read when first asked.
    """
    from kassavirta.pipeline.evaluate import Checker

    # One pass: the check's parsed documents and adapted invoices are what the plan and
    # the format's rewriter work on; only the output is read again, once, to verify it.
    outcomes = Checker(policy).outcomes(data, path)
    results = [o.result for o in outcomes]
    refused = next((r for r in results if r.decision is not Decision.ROUTE), None)
    first = results[0]
    if refused is not None:
        return RewriteResult(
            data=data,
            decision=refused.decision,
            reasons=list(refused.reasons),
            results=results,
            format=refused.format,
        )
    settings = policy.settings
    assert settings is not None  # a routed invoice has active settings
    documents = [o.document for o in outcomes if o.document is not None]
    originals = [o.invoice for o in outcomes if o.invoice is not None]
    assert len(documents) == len(originals) == len(outcomes)  # routed: read and adapted
    if settings.accountable_party == "company":
        return RewriteResult(
            data=data,
            decision=Decision.ROUTE,
            notes=[COMPANY_NOTE],
            results=results,
            format=first.format,
            company=True,
            originals=originals,
        )
    out, changes, notes, plans = _spliced(data, documents, results, originals, policy, rf=rf)
    # The file's own trees are done with (the plans, changes and values are taken from
    # them): they go before the output is parsed, so that a long invoice is never held
    # twice. An invoice's locations hold its tree; nothing asks where a value stood now.
    originals = [_detached(o) for o in originals]
    del outcomes, documents
    formats = [r.format or "" for r in results]
    # The output must parse, whether or not anything reads it.
    invoices = _read_output(out, path, formats, adapt=models)
    result = RewriteResult(
        data=out,
        decision=Decision.ROUTE,
        changes=changes,
        notes=notes,
        results=results,
        format=first.format,
        originals=originals,
        plans=plans,
        read_back=partial(_read_output, out, path, formats, True),
    )
    if models:
        result.invoices = invoices
    return result


def _read_output(out: bytes, path: str, formats: list[str], adapt: bool) -> list[Invoice]:
    """Parse the rewritten file (and, when `adapt`, read each document into a model)."""
    try:
        documents = read_written(out, path=path)
    except InputError as exc:  # a bug in a rewriter (tests/testing/test_fuzz.py makes one)
        raise OutputError(f"the rewritten document does not parse: {exc}") from exc
    if not adapt:
        return []
    return [_detached(_adapt(doc, f)) for doc, f in zip(documents, formats, strict=True)]


__all__ = [
    "FieldChange",
    "FormatRewriter",
    "OutputError",
    "PartRewrite",
    "Plan",
    "RewriteError",
    "RewriteResult",
    "make_plan",
    "rewrite_document",
    "rewriter_for",
]
