"""The decision for one invoice document (SPEC §2).

Ordered like a KoSIT scenario, as data: the invalid and bypass checks are the
rows of `steps.STEPS`, run in order until one decides; a document that passes
them all gets every content rule of `kassavirta.rules.RULES`. Exactly one
decision comes out, with the reasons that made it, and with the adapted
invoice (`Outcome`), so that the rewrite, the preview and the schedule never
read the document again. `decide` is `examine` (the rows on the document alone:
what it is, its format, its XSD) then `judge` (the rows on the invoice, then the
rules), so that a batch can examine a few documents right after parsing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kassavirta.config.policy import Policy
from kassavirta.decision.steps import (
    DOCUMENT_STEPS,
    INVOICE_STEPS,
    STEPS,
    Step,
    Subject,
    error_finding,
)
from kassavirta.errors import InputError
from kassavirta.findings import (
    BuyerSummary,
    CheckResult,
    Decision,
    Finding,
    InvoiceSummary,
    Severity,
    amount_text,
)
from kassavirta.formats import detect
from kassavirta.formats.detect import Detected
from kassavirta.model import Invoice
from kassavirta.pipeline.read import Document


@dataclass
class Outcome:
    """A decided document: the result reported, and what the next commands reuse."""

    result: CheckResult
    invoice: Invoice | None = None
    """The adapted invoice, when the document could be read."""
    document: Document | None = None
    """The parsed document, when the bytes could be parsed."""


def invalid_result(
    path: str,
    reason: str,
    findings: list[Finding],
    *,
    index: int | None = None,
    detected: Detected | None = None,
) -> CheckResult:
    return CheckResult(
        path=path,
        document=index,
        format=detected.format if detected else None,
        version=detected.version if detected else None,
        decision=Decision.INVALID,
        reasons=[reason],
        findings=findings,
    )


def invalid_from_error(path: str, exc: InputError) -> Outcome:
    """The outcome for bytes that cannot be read at all."""
    return Outcome(invalid_result(path, exc.reason, [error_finding(exc)]))


def summarise(invoice: Invoice) -> InvoiceSummary:
    address = invoice.buyer.address
    return InvoiceSummary(
        number=invoice.number,
        date=invoice.issue_date.isoformat() if invoice.issue_date else None,
        due_date=invoice.due_date.isoformat() if invoice.due_date else None,
        currency=invoice.currency,
        total=amount_text(invoice.total) if invoice.total is not None else None,
        paid=amount_text(invoice.paid_amount) if invoice.paid_amount is not None else None,
        type_code=invoice.type_code,
        channel=invoice.channel.value,
        channel_signals=list(invoice.channel_signals),
        buyer=BuyerSummary(
            name=invoice.buyer.name,
            business_id=invoice.buyer.business_id,
            street=", ".join(address.streets) if address and address.streets else None,
            postcode=address.postcode if address else None,
            town=address.town if address else None,
            country=address.country if address else None,
            language=invoice.language,
        ),
    )


def _decided(
    s: Subject, decision: Decision, reasons: list[str], findings: list[Finding]
) -> Outcome:
    result = CheckResult(
        path=s.path,
        document=s.document.index,
        format=s.detected.format,
        version=s.detected.version,
        decision=decision,
        reasons=reasons,
        findings=findings,
        invoice=summarise(s.invoice) if s.invoice is not None else None,
        schema_check=s.schema_check,
    )
    return Outcome(result, s.invoice, s.document)


MANUAL_ASSIGNMENT = (
    "Manual assignment (prevent_routing = true): the invoice is not delivered and nothing on it "
    "is rewritten, so the receiver pays you directly, with your own payment details. Report "
    "every payment on it as a direct payment (a paid event): otherwise the service reminds and "
    "collects what is already paid. Creating the assignment is billed by the price list."
)


def manual_assignment_note() -> Finding:
    """What the guide puts on the sender for an assignment created without sending the invoice."""
    return Finding(
        rule="manual-assignment",
        severity=Severity.INFO,
        message=MANUAL_ASSIGNMENT,
        detail="The guide asks for a full recipient address and a due date in the future "
        "(not the three-day rule of sent invoices).",
    )


def decide(document: Document, path: str, policy: Policy) -> Outcome:
    """Route, bypass, error or invalid for one parsed document."""
    examined = examine(document, path, policy)
    return examined if isinstance(examined, Outcome) else judge(examined)


def examine(document: Document, path: str, policy: Policy) -> Subject | Outcome:
    """The first half of `decide`: the steps on the document alone (`DOCUMENT_STEPS`).

    The outcome when one of them decides, else the subject `judge` goes on
    from. A half of its own so that a batch can validate a few documents
    right after parsing them, while libxml2's tables are in the caches.
    """
    s = Subject(path, document, detect(document.part.root, policy.detection), policy)
    return _stepped(s, DOCUMENT_STEPS) or s


def judge(s: Subject) -> Outcome:
    """The second half of `decide`: the steps on the invoice, then the content rules."""
    decided = _stepped(s, INVOICE_STEPS)
    if decided is not None:
        return decided
    policy = s.policy
    findings = s.rule_findings
    if policy.manual_assignment:
        findings = [*findings, manual_assignment_note()]
    errors = list(dict.fromkeys(f.rule for f in findings if f.severity is Severity.ERROR))
    if errors:
        return _decided(s, Decision.ERROR, errors, findings)
    outcome = _decided(s, Decision.ROUTE, [], findings)
    from kassavirta.erp.schedule import schedule_entries

    outcome.result.schedule = schedule_entries(s.adapted, policy.settings)
    return outcome


def _stepped(s: Subject, steps: tuple[Step, ...]) -> Outcome | None:
    """The outcome of the first of `steps` that finds something, if any does."""
    for step in steps:
        found = step.check(s)
        if found:
            return _decided(s, step.decision, [found[0].rule], found)
    return None


__all__ = [
    "STEPS",
    "Outcome",
    "Step",
    "Subject",
    "decide",
    "error_finding",
    "examine",
    "invalid_from_error",
    "invalid_result",
    "judge",
    "summarise",
]
