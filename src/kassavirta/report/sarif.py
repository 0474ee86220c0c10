"""`--output sarif`: SARIF 2.1.0, so code-scanning views show invoice defects like code defects.

One SARIF result per finding, located by file URI, line and column (and the
XPath as a logical location), with the finding's slug as `ruleId`. Each rule
that appears is described once, in `tool.driver.rules`, from the rule table
(send errors and warnings) or from the decision reasons (invalid and bypass).

The run is streamed: results are written as they arrive and the rules after
them (JSON does not order an object's members), with `ruleIndex` numbered in
order of first appearance. Memory stays constant however many invoices there
are.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any, TextIO
from urllib.parse import quote

from kassavirta.findings import CheckResult, Finding, Severity
from kassavirta.report import Summary
from kassavirta.report.sinks import Whole

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
BASE_ID = "SRCROOT"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

REASONS: dict[str, tuple[str, Severity]] = {
    "not-xml": ("The file must be a readable, well-formed XML document.", Severity.ERROR),
    "unsafe-xml": (
        "The XML must declare no entities and stay within the size and depth limits.",
        Severity.ERROR,
    ),
    "unknown-format": (
        "The document must be an invoice format the operator knows.",
        Severity.ERROR,
    ),
    "unadapted-format": (
        "The format is recognised, but this toolkit cannot read it yet.",
        Severity.ERROR,
    ),
    "not-an-invoice": (
        "Notification messages (receiver info, sender info, proposals) are not invoices.",
        Severity.ERROR,
    ),
    "schema": ("The invoice must be valid against its format's official XSD.", Severity.ERROR),
    "unreadable-field": ("Every field the service needs must be readable.", Severity.ERROR),
    "unsupported-format": (
        "Formats the service does not take are sent directly, not monitored.",
        Severity.INFO,
    ),
    "non-eur": ("Only EUR invoices go through the service.", Severity.INFO),
    "perinta-service": (
        "With service_type express (Amili Perintä) nothing is routed or rewritten.",
        Severity.INFO,
    ),
    "consumer-transition": (
        "Consumer e-invoices to a netbank go directly to the bank just after activation.",
        Severity.INFO,
    ),
    "service-inactive": (
        "Without active settings every invoice is sent directly.",
        Severity.INFO,
    ),
    "internal-error": ("kassavirta failed on the input: a bug to report.", Severity.ERROR),
    "manual-assignment": (
        "A manual assignment is not delivered or rewritten; its payments are direct.",
        Severity.INFO,
    ),
}
"""Decision reasons that are not content rules: the invalid and bypass reasons (SPEC §2)."""


def rule_descriptor(slug: str) -> dict[str, Any]:
    """How SARIF describes the rule behind a finding slug, once per run."""
    from kassavirta.rules import RULES

    for rule in RULES:
        if slug in rule.slugs:
            properties: dict[str, Any] = {"kind": rule.kind.value}
            if rule.service_code is not None:
                properties["serviceCode"] = rule.service_code
            return {
                "id": slug,
                "name": rule.slug,
                "shortDescription": {"text": rule.summary},
                "defaultConfiguration": {"level": LEVELS[rule.severity]},
                "properties": properties,
            }
    summary, severity = REASONS.get(slug, (f"kassavirta finding {slug}.", Severity.WARNING))
    return {
        "id": slug,
        "name": slug,
        "shortDescription": {"text": summary},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {"kind": "decision-reason"},
    }


def artifact_location(path: str) -> dict[str, str]:
    """A file URI: relative paths against %SRCROOT% (the working folder), as code scanning wants."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(pure.as_posix()), "uriBaseId": BASE_ID}


def sarif_result(result: CheckResult, finding: Finding, rule_index: int) -> dict[str, Any]:
    region: dict[str, int] = {}
    if finding.line:
        region["startLine"] = finding.line
        if finding.column:
            region["startColumn"] = finding.column
    physical: dict[str, Any] = {"artifactLocation": artifact_location(result.path)}
    if region:
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.xpath:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.xpath, "kind": "element"}]
    text = finding.message if not finding.detail else f"{finding.message}\n{finding.detail}"
    properties: dict[str, Any] = {"decision": result.decision.value, "invoice": result.label}
    if result.invoice is not None and result.invoice.number:
        properties["invoiceNumber"] = result.invoice.number
    if finding.service_code is not None:
        properties["serviceCode"] = finding.service_code
    if finding.value is not None:
        properties["value"] = finding.value
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [location],
        "properties": properties,
    }


class SarifSink(Whole):
    """Streams one SARIF log: results as they come, rules and the summary at the end."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.rules: dict[str, int] = {}
        self.count = 0
        out.write(f'{{"$schema": "{SCHEMA_URI}", "version": "2.1.0", "runs": [{{"results": [')

    def add(self, result: CheckResult) -> None:
        for finding in result.findings:
            index = self.rules.setdefault(finding.rule, len(self.rules))
            self.out.write(",\n" if self.count else "\n")
            self.out.write(json.dumps(sarif_result(result, finding, index), ensure_ascii=False))
            self.count += 1

    def finish(self, summary: Summary) -> None:
        from kassavirta import __version__

        driver = {
            "name": "kassavirta",
            "fullName": "kassavirta-preflight",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [rule_descriptor(slug) for slug in self.rules],
        }
        invocation: dict[str, Any] = {"executionSuccessful": True}
        if summary.notes:
            invocation["toolExecutionNotifications"] = [
                {"level": "note", "message": {"text": note}} for note in summary.notes
            ]
        tail = {
            "tool": {"driver": driver},
            "originalUriBaseIds": {BASE_ID: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "properties": {"summary": summary.model_dump(mode="json")},
        }
        members = json.dumps(tail, ensure_ascii=False, indent=1)[1:-1].strip()
        self.out.write(f"\n], {members}}}]}}\n")
        self.out.flush()
