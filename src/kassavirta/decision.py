"""The decision for one invoice document (SPEC §2).

Ordered like a KoSIT scenario: `invalid` checks first, then the bypass checks
in the order of SPEC's table, then every content rule. Exactly one decision
comes out, with the reasons that made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from kassavirta.config.settings import DEFAULT_FORMAT_SUPPORT, Settings, Signature
from kassavirta.erp.assignments import AssignmentIndex
from kassavirta.errors import InputError
from kassavirta.findings import (
    BuyerSummary,
    CheckResult,
    Decision,
    Finding,
    InvoiceSummary,
    Severity,
)
from kassavirta.finnish.postcodes import PostalDirectory
from kassavirta.formats import adapter_for, detect
from kassavirta.formats.detect import Detected
from kassavirta.formats.schemas import SchemaStore
from kassavirta.model import Channel, Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rules import RuleContext, run_rules


@dataclass
class Policy:
    """Everything besides the invoice that a decision depends on."""

    today: date
    settings: Settings | None = None
    channel: Channel | None = None
    assignments: AssignmentIndex = field(default_factory=AssignmentIndex)
    schemas: SchemaStore | None = None
    postal_codes: PostalDirectory | None = None
    detection: Mapping[str, Signature] = field(default_factory=dict)
    support: Mapping[str, bool] = field(default_factory=lambda: dict(DEFAULT_FORMAT_SUPPORT))

    def supported(self, format_id: str) -> bool | None:
        return self.support.get(format_id)


@dataclass
class Outcome:
    result: CheckResult
    invoice: Invoice | None = None


def _invalid(
    path: str, doc: Document | None, detected: Detected | None, reason: str, findings: list[Finding]
) -> Outcome:
    return Outcome(
        CheckResult(
            path=path,
            document=doc.index if doc is not None else None,
            format=detected.format if detected else None,
            version=detected.version if detected else None,
            decision=Decision.INVALID,
            reasons=[reason],
            findings=findings,
        )
    )


def error_finding(exc: InputError) -> Finding:
    return Finding(
        rule=exc.reason,
        severity=Severity.ERROR,
        message=exc.message,
        line=exc.line,
        column=exc.column,
        xpath=exc.xpath,
        value=exc.value,
    )


def invalid_from_error(
    path: str, exc: InputError, doc: Document | None = None, detected: Detected | None = None
) -> Outcome:
    return _invalid(path, doc, detected, exc.reason, [error_finding(exc)])


def summarise(invoice: Invoice) -> InvoiceSummary:
    address = invoice.buyer.address
    return InvoiceSummary(
        number=invoice.number,
        date=invoice.issue_date.isoformat() if invoice.issue_date else None,
        due_date=invoice.due_date.isoformat() if invoice.due_date else None,
        currency=invoice.currency,
        total=f"{invoice.total:f}" if invoice.total is not None else None,
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


def _in_transition(invoice: Invoice, policy: Policy) -> bool:
    settings = policy.settings
    if (
        invoice.channel is not Channel.B2C_NETBANK
        or settings is None
        or settings.activated_on is None
    ):
        return False
    return (policy.today - settings.activated_on).days < settings.consumer_transition_days


def decide(document: Document, path: str, policy: Policy) -> Outcome:
    """Route, bypass, error or invalid for one parsed document."""
    detected = detect(document.part.root, policy.detection)
    if detected.not_invoice:
        what = detected.not_invoice
        described = what if " " in what else f"a {what} notification message"
        return _invalid(
            path,
            document,
            detected,
            "not-an-invoice",
            [
                Finding(
                    rule="not-an-invoice",
                    severity=Severity.ERROR,
                    message=f"This is {described}, not an invoice.",
                    line=document.part.line(document.part.root),
                    xpath=document.part.tree.getpath(document.part.root),
                )
            ],
        )
    root = document.part.root
    if detected.format == "unknown":
        what = root.tag if isinstance(root.tag, str) else "?"
        extra = (
            f" (Finvoice Version {detected.version!r} is not one we know)"
            if etree_local(root) == "Finvoice"
            else ""
        )
        return _invalid(
            path,
            document,
            detected,
            "unknown-format",
            [
                Finding(
                    rule="unknown-format",
                    severity=Severity.ERROR,
                    message=f"Unknown document: root element {what}{extra}.",
                    detail="Register its root in the settings' detection table if it is an invoice format the service knows.",
                    line=document.part.line(root),
                    xpath=document.part.tree.getpath(root),
                    value=what,
                )
            ],
        )
    support = policy.supported(detected.format)
    if support is False:
        result = CheckResult(
            path=path,
            document=document.index,
            format=detected.format,
            version=detected.version,
            decision=Decision.BYPASS,
            reasons=["unsupported-format"],
            findings=[
                Finding(
                    rule="unsupported-format",
                    severity=Severity.INFO,
                    message=f"{detected.name} is not a format the service takes: the invoice is sent directly to "
                    "the receiver, and the service does not monitor it.",
                    line=document.part.line(root),
                )
            ],
        )
        return Outcome(result)
    adapter = adapter_for(detected.format)
    if adapter is None:  # recognised, but no module reads it (Visma XML, Svefaktura, E2B)
        return _invalid(
            path,
            document,
            detected,
            "unadapted-format",
            [
                Finding(
                    rule="unadapted-format",
                    severity=Severity.ERROR,
                    message=f"{detected.name} is recognised, but this version of the toolkit cannot read it yet.",
                    line=document.part.line(root),
                    value=detected.format,
                )
            ],
        )
    schema_check = "skipped"
    if policy.schemas is not None:
        violations = policy.schemas.validate(
            detected.format, document.part.tree, document.part.line_offset
        )
        if violations:
            outcome = _invalid(
                path,
                document,
                detected,
                "schema",
                [
                    Finding(
                        rule="schema",
                        severity=Severity.ERROR,
                        message=v.message,
                        line=v.line,
                        column=v.column,
                    )
                    for v in violations
                ],
            )
            outcome.result.schema_check = "invalid"  # validated: not "skipped"
            return outcome
        if violations is not None:
            schema_check = "valid"
    try:
        invoice = adapter(document)
    except InputError as exc:
        exc.path = exc.path or path
        outcome = invalid_from_error(path, exc, document, detected)
        outcome.result.schema_check = schema_check
        return outcome
    if policy.channel is not None:
        invoice.channel = policy.channel
        invoice.channel_signals = [f"channel given explicitly: {policy.channel.value}"]
    base = CheckResult(
        path=path,
        document=document.index,
        format=detected.format,
        version=detected.version,
        decision=Decision.ROUTE,
        invoice=summarise(invoice),
        schema_check=schema_check,
    )
    return Outcome(_content(base, invoice, policy), invoice)


def etree_local(element: object) -> str:
    tag = getattr(element, "tag", "")
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _content(result: CheckResult, invoice: Invoice, policy: Policy) -> CheckResult:
    settings = policy.settings
    if invoice.currency != "EUR":
        result.decision = Decision.BYPASS
        result.reasons = ["non-eur"]
        result.findings = [
            Finding(
                rule="non-eur",
                severity=Severity.INFO,
                message=f"The invoice is in {invoice.currency}: only EUR invoices go through the service; "
                "it is sent directly to the receiver and not monitored.",
                line=invoice.where("total").line,
                xpath=invoice.where("total").xpath,
                value=invoice.currency,
            )
        ]
        return result
    if _in_transition(invoice, policy):
        assert settings is not None and settings.activated_on is not None
        result.decision = Decision.BYPASS
        result.reasons = ["consumer-transition"]
        result.findings = [
            Finding(
                rule="consumer-transition",
                severity=Severity.INFO,
                message=f"Consumer e-invoice to a netbank within {settings.consumer_transition_days} days of the "
                f"activation on {settings.activated_on.isoformat()}: sent directly to the bank.",
                detail="Signals: " + "; ".join(invoice.channel_signals),
            )
        ]
        return result
    ctx = RuleContext(
        invoice=invoice,
        today=policy.today,
        settings=settings,
        assignments=policy.assignments,
        postal_codes=policy.postal_codes,
    )
    findings = list(run_rules(ctx))
    if settings is None or not settings.active:
        result.decision = Decision.BYPASS
        result.reasons = ["service-inactive"]
        status = (
            "no activation settings were given"
            if settings is None
            else f"the service status is {settings.status}"
        )
        downgraded = [
            f.model_copy(update={"severity": Severity.WARNING})
            if f.severity is Severity.ERROR
            else f
            for f in findings
        ]
        result.findings = [
            Finding(
                rule="service-inactive",
                severity=Severity.INFO,
                message=f"The service is not active ({status}): the invoice is sent directly. "
                "Content rules are reported as warnings.",
            ),
            *downgraded,
        ]
        return result
    errors = [f.rule for f in findings if f.severity is Severity.ERROR]
    result.findings = findings
    if errors:
        result.decision = Decision.ERROR
        result.reasons = list(dict.fromkeys(errors))
    else:
        from kassavirta.erp.schedule import schedule_entries

        result.schedule = schedule_entries(invoice, settings)
    return result
