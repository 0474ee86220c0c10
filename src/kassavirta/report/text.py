"""The report for people: one line per invoice, its findings indented, then a summary."""

from __future__ import annotations

from typing import TextIO

from kassavirta.findings import CheckResult, Severity
from kassavirta.report import Summary
from kassavirta.terminal import shown

_MARK = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def headline(result: CheckResult) -> str:
    inv = result.invoice
    what = [result.format or "?"]
    if inv is not None:
        if inv.number:
            what.append(f"invoice {inv.number}")
        if inv.due_date:
            what.append(f"due {inv.due_date}")
        if inv.total is not None:
            what.append(f"{inv.total} {inv.currency or ''}".rstrip())
    why = f"  [{', '.join(result.reasons)}]" if result.reasons else ""
    return f"{result.decision.value.upper():<8}{result.label}  ({', '.join(what)}){why}"


def write_result(result: CheckResult, out: TextIO, *, escape: bool = True) -> None:
    """`escape`: control characters from the invoice as `\\x1b` escapes, for a terminal."""
    safe = shown if escape else str
    out.write(safe(headline(result)) + "\n")
    for f in result.findings:
        where = result.path + (f":{f.line}" if f.line else "")
        code = f" #{f.service_code}" if f.service_code is not None else ""
        out.write(safe(f"        {where}: {_MARK[f.severity]}{code} [{f.rule}] {f.message}") + "\n")
        if f.detail:
            out.write(f"            {f.detail}\n")
    if result.schedule:
        steps = ", ".join(
            f"{e.step.replace('_', ' ')} {e.date} ({e.source})" for e in result.schedule
        )
        out.write(f"        if unpaid: {steps}\n")
    elif result.schedule == []:
        out.write(f"        if unpaid: no reminders from the service ({_no_schedule(result)})\n")


_NO_SCHEDULE = (
    ("credit-note", "a credit note is not reminded"),
    ("service-level", "the buyer's service level"),
    ("prepaid", "prepaid in full"),
)
"""Why a routed invoice has no schedule, read from the finding that says so."""


def _no_schedule(result: CheckResult) -> str:
    rules = {f.rule for f in result.findings}
    return next((why for rule, why in _NO_SCHEDULE if rule in rules), "none applies")


def write_summary(summary: Summary, out: TextIO) -> None:
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    if summary.invoices != summary.files:
        files += f", {summary.invoices} invoices"
    out.write(
        f"\n{files}: {summary.route} route, {summary.bypass} bypass, "
        f"{summary.error} error, {summary.invalid} invalid\n"
    )
    for note in summary.notes:
        out.write(f"note: {note}\n")
