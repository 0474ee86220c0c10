"""The invalid and bypass checks of SPEC §2, one function and one row each, in order.

`STEPS` is read top to bottom: the first step that finds something decides
(its row says which decision), and the checks below it do not run. A document
that passes every step goes to the content rules (`kassavirta.rules.RULES`):
`error` when a send error fires, else `route`. The order is SPEC's, where the
cheaper question comes first: what the document is (invalid), whether the
service takes its format at all (bypass, before we try to read it), whether it
can be read (invalid), then the bypass checks on the invoice itself.
`service-inactive` is last because SPEC wants the content rules reported even
then, as warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from kassavirta.config.policy import Policy
from kassavirta.errors import InputError
from kassavirta.findings import Decision, Finding, Severity
from kassavirta.formats import adapter_for
from kassavirta.formats.detect import Detected
from kassavirta.formats.registry import UNKNOWN, Adapter
from kassavirta.formats.xml import local_name
from kassavirta.model import Channel, Invoice
from kassavirta.pipeline.read import Document
from kassavirta.rules import RuleContext, run_rules


def error_finding(exc: InputError) -> Finding:
    """The finding for an input that cannot be used, where the error says it is."""
    where = {key: getattr(exc, key) for key in ("line", "column", "xpath", "value")}
    return Finding(rule=exc.reason, severity=Severity.ERROR, message=exc.message, **where)


@dataclass
class Subject:
    """What the steps look at: the document, and from the adaptation on, its invoice."""

    path: str
    document: Document
    detected: Detected
    policy: Policy
    schema_check: str = "skipped"
    """`valid` or `invalid` once the schema step validated the document."""
    invoice: Invoice | None = None

    @cached_property
    def adapter(self) -> Adapter | None:
        return adapter_for(self.detected.format)

    @property
    def adapted(self) -> Invoice:
        assert self.invoice is not None, "an invoice step ran before the adaptation"
        return self.invoice

    @cached_property
    def rule_findings(self) -> list[Finding]:
        """Every content rule's findings, computed once (service-inactive reports them too)."""
        ctx = RuleContext(
            invoice=self.adapted,
            today=self.policy.today,
            settings=self.policy.settings,
            assignments=self.policy.assignments,
            postal_codes=self.policy.postal_codes,
            manual_assignment=self.policy.manual_assignment,
        )
        return list(run_rules(ctx))


@dataclass(frozen=True)
class Step:
    """One invalid or bypass check: its slug, the decision it makes, and the check.

    The check returns no findings when the document passes. Otherwise the
    step decides, and the first finding names the reason: the step's slug,
    or for the adaptation the reason its error carries.
    """

    slug: str
    decision: Decision
    summary: str
    check: Callable[[Subject], list[Finding]]


def _at_root(
    s: Subject,
    rule: str,
    severity: Severity,
    message: str,
    *,
    xpath: bool = True,
    detail: str | None = None,
    value: str | None = None,
) -> list[Finding]:
    """One finding about the document as a whole, located at its root element."""
    part = s.document.part
    return [
        Finding(
            rule=rule,
            severity=severity,
            message=message,
            detail=detail,
            line=part.line(part.root),
            xpath=part.tree.getpath(part.root) if xpath else None,
            value=value,
        )
    ]


def not_an_invoice(s: Subject) -> list[Finding]:
    what = s.detected.not_invoice
    if not what:
        return []
    described = what if " " in what else f"a {what} notification message"
    return _at_root(s, "not-an-invoice", Severity.ERROR, f"This is {described}, not an invoice.")


def unknown_format(s: Subject) -> list[Finding]:
    if s.detected.format != UNKNOWN:
        return []
    root = s.document.part.root
    what = root.tag if isinstance(root.tag, str) else "?"
    extra = (
        f" (Finvoice Version {s.detected.version!r} is not one we know)"
        if local_name(root) == "Finvoice"
        else ""
    )
    message = f"Unknown document: root element {what}{extra}."
    detail = (
        "Register its root in the settings' detection table if it is an invoice format "
        "the service knows."
    )
    return _at_root(s, "unknown-format", Severity.ERROR, message, detail=detail, value=what)


def unsupported_format(s: Subject) -> list[Finding]:
    if s.policy.supported(s.detected.format) is not False:
        return []
    message = (
        f"{s.detected.name} is not a format the service takes: the invoice is sent directly "
        "to the receiver, and the service does not monitor it."
    )
    return _at_root(s, "unsupported-format", Severity.INFO, message, xpath=False)


def unadapted_format(s: Subject) -> list[Finding]:
    """Recognised, but no module reads it (Visma XML, E2B)."""
    if s.adapter is not None:
        return []
    message = (
        f"{s.detected.name} is recognised, but this version of the toolkit cannot read it yet."
    )
    return _at_root(
        s, "unadapted-format", Severity.ERROR, message, xpath=False, value=s.detected.format
    )


def schema(s: Subject) -> list[Finding]:
    if s.policy.schemas is None:
        return []
    part = s.document.part
    violations = s.policy.schemas.validate(s.detected.format, part.tree, part.line_offset)
    if violations is None:
        return []  # no XSD for this format: the check stays "skipped"
    s.schema_check = "invalid" if violations else "valid"
    return [
        Finding(
            rule="schema", severity=Severity.ERROR, message=v.message, line=v.line, column=v.column
        )
        for v in violations
    ]


def unreadable_field(s: Subject) -> list[Finding]:
    """The adaptation: the document becomes the normalised invoice, or says what it cannot read."""
    assert s.adapter is not None
    try:
        invoice = s.adapter(s.document)
    except InputError as exc:
        exc.path = exc.path or s.path
        return [error_finding(exc)]
    channel = s.policy.channel
    if channel is not None:
        invoice.channel = channel
        invoice.channel_signals = [f"channel given explicitly: {channel.value}"]
    s.invoice = invoice
    return []


def non_eur(s: Subject) -> list[Finding]:
    """Only EUR goes through the service. Readers pass the code as written: a lowercase
    `eur` is EUR here (SPEC decision), and `currency-code-case` warns about it."""
    invoice = s.adapted
    if (invoice.currency or "").upper() == "EUR":
        return []
    where = invoice.where("total")
    return [
        Finding(
            rule="non-eur",
            severity=Severity.INFO,
            message=f"The invoice is in {invoice.currency}: only EUR invoices go through the "
            "service; it is sent directly to the receiver and not monitored.",
            line=where.line,
            xpath=where.xpath,
            value=invoice.currency,
        )
    ]


def perinta_service(s: Subject) -> list[Finding]:
    """`service_type: "express"` is Amili Perintä, the manual collection product (the guide's
    activation parameters): the invoice is sent as it is, never routed or rewritten."""
    settings = s.policy.settings
    if settings is None or not settings.perinta:
        return []
    return [
        Finding(
            rule="perinta-service",
            severity=Severity.INFO,
            message="The settings' service_type is express: Amili Perintä, the manual "
            "collection product, not Amili Kassavirta. Nothing is routed or rewritten when the "
            "invoice is sent: it goes to the receiver as it is, with your own payment details.",
            detail='The guide: service_type "full" is Amili Kassavirta (the default), "express" '
            "Amili Perintä. If the company has Kassavirta, the settings file is not its GET "
            "response, or the activation was made with the wrong service_type.",
            value=settings.service_type,
        )
    ]


def consumer_transition(s: Subject) -> list[Finding]:
    """A manual assignment is never delivered (the guide: "marked as SENT immediately,
    without any delivery"), so no bank sees it and the transition does not concern it."""
    invoice = s.adapted
    settings = s.policy.settings
    if (
        s.policy.manual_assignment
        or invoice.channel is not Channel.B2C_NETBANK
        or settings is None
        or settings.activated_on is None
        or (s.policy.today - settings.activated_on).days >= settings.consumer_transition_days
    ):
        return []
    return [
        Finding(
            rule="consumer-transition",
            severity=Severity.INFO,
            message=f"Consumer e-invoice to a netbank within {settings.consumer_transition_days} "
            f"days of the activation on {settings.activated_on.isoformat()}: sent directly to "
            "the bank.",
            detail="Signals: " + "; ".join(invoice.channel_signals),
        )
    ]


def service_inactive(s: Subject) -> list[Finding]:
    settings = s.policy.settings
    if settings is not None and settings.active:
        return []
    status = (
        "no activation settings were given"
        if settings is None
        else f"the service status is {settings.status}"
    )
    downgraded = [
        f.model_copy(update={"severity": Severity.WARNING}) if f.severity is Severity.ERROR else f
        for f in s.rule_findings
    ]
    return [
        Finding(
            rule="service-inactive",
            severity=Severity.INFO,
            message=f"The service is not active ({status}): the invoice is sent directly. "
            "Content rules are reported as warnings.",
        ),
        *downgraded,
    ]


INVALID, BYPASS = Decision.INVALID, Decision.BYPASS

# fmt: off
DOCUMENT_STEPS: tuple[Step, ...] = (
    Step("not-an-invoice", INVALID, "Notification messages are not invoices.", not_an_invoice),
    Step("unknown-format", INVALID, "The document is a format we know.", unknown_format),
    Step("unsupported-format", BYPASS, "The service takes the format.", unsupported_format),
    Step("unadapted-format", INVALID, "A reader exists for the format.", unadapted_format),
    Step("schema", INVALID, "The document is valid against its XSD, if found.", schema),
)
INVOICE_STEPS: tuple[Step, ...] = (
    Step("unreadable-field", INVALID, "The fields the service needs read.", unreadable_field),
    Step("non-eur", BYPASS, "The invoice is in EUR.", non_eur),
    Step("perinta-service", BYPASS, "The service is Kassavirta, not Perintä.", perinta_service),
    Step("consumer-transition", BYPASS, "Not in the consumer transition.", consumer_transition),
    Step("service-inactive", BYPASS, "The service is active.", service_inactive),
)
# fmt: on
"""The steps on the parsed document alone (its root, its format, its XSD), then those on the
invoice read from it. `decision.examine` runs the first, `decision.judge` the second: a
batch examines a few files right after parsing them (`pipeline.evaluate.evaluate_paths`)."""
STEPS: tuple[Step, ...] = DOCUMENT_STEPS + INVOICE_STEPS
"""The invalid and bypass checks, in the order they run (SPEC §2); content rules come after."""
