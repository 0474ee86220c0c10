"""The report for people: one line per invoice, its findings indented, then a summary."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TextIO

from kassavirta.findings import CheckResult, Decision, Severity
from kassavirta.report import RunConfig, Summary
from kassavirta.terminal import shown

_MARK = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_COLOURS = {"route": "32", "bypass": "36", "error": "31", "invalid": "35"}
"""ANSI colours of the decisions (green, cyan, red, magenta), as the progress bar shows them."""


def colour_wanted(stream: TextIO) -> bool:
    """Colour for a person at a terminal: never with NO_COLOR or TERM=dumb, always with
    FORCE_COLOR (https://no-color.org, https://force-color.org), else only on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _paint(text: str, decision: str, colour: bool) -> str:
    return f"\x1b[{_COLOURS[decision]}m{text}\x1b[0m" if colour else text


def headline(result: CheckResult, *, colour: bool = False, safe: Callable[[str], str] = str) -> str:
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
    word = result.decision.value.upper()
    pad = " " * max(8 - len(word), 0)
    rest = safe(f"{result.label}  ({', '.join(what)}){why}")
    return f"{_paint(word, result.decision.value, colour)}{pad}{rest}"


def write_result(
    result: CheckResult, out: TextIO, *, colour: bool = False, escape: bool = True
) -> None:
    """`escape`: control characters from the invoice as `\\x1b` escapes, for a terminal
    (escaped before the decision word is coloured, so our own colour codes stay)."""
    safe = shown if escape else str
    out.write(headline(result, colour=colour, safe=safe) + "\n")
    for f in result.findings:
        where = result.path + (f":{f.line}" if f.line else "")
        code = f" #{f.service_code}" if f.service_code is not None else ""
        out.write(safe(f"        {where}: {_MARK[f.severity]}{code} [{f.rule}] {f.message}") + "\n")
        if f.detail:
            out.write(safe(f"            {f.detail}") + "\n")
    if result.schedule:
        steps = ", ".join(
            f"{e.step.replace('_', ' ')} {e.date} ({e.source})" for e in result.schedule
        )
        out.write(f"        if unpaid: {steps}\n")
    elif result.schedule == []:
        out.write(f"        if unpaid: no reminders from the service ({_no_schedule(result)})\n")


_NO_SCHEDULE = (
    ("credit-note", "a credit note is not reminded: there is nothing for the buyer to pay"),
    ("service-level", "the buyer's service level"),
    ("prepaid", "prepaid in full"),
)
"""Why a routed invoice has no schedule, read from the finding that says so."""


def _no_schedule(result: CheckResult) -> str:
    rules = {f.rule for f in result.findings}
    return next((why for rule, why in _NO_SCHEDULE if rule in rules), "none applies")


def write_summary(summary: Summary, out: TextIO, *, colour: bool = False) -> None:
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    if summary.invoices != summary.files:
        files += f", {summary.invoices} invoices"
    counts = ", ".join(
        f"{getattr(summary, d.value)} {_paint(d.value, d.value, colour and bool(getattr(summary, d.value)))}"
        for d in Decision
    )
    out.write(f"\n{files}: {counts}\n")
    for decision, reasons in summary.reasons.items():
        shown = ", ".join(f"{reason} {n}" for reason, n in reasons.items())
        out.write(
            f"  {_paint(decision, decision, colour)} {getattr(summary, decision)} ({shown})\n"
        )
    if summary.refused_if_active:
        n = summary.refused_if_active
        out.write(
            f"note: {n} invoice{'s' if n != 1 else ''} would get a SEND ERROR from the service "
            "once it is active (without active settings they are shown as warnings); "
            "--strict fails the run on them.\n"
        )
    for note in summary.notes:
        out.write(f"note: {note}\n")


def describe_config(config: RunConfig) -> str:
    """The run's configuration in one line, so that no kassavirta.toml is applied unseen."""

    def many(what: str, paths: list[str]) -> str:
        return f"{what} {', '.join(paths)}" if paths else f"no {what}"

    return "; ".join(
        [
            f"kassavirta.toml {config.file}" if config.file else "no kassavirta.toml",
            f"today {config.today}",
            f"settings {config.settings}"
            if config.settings
            else "no settings (SEND ERRORs are shown as warnings)",
            many("assignments", config.assignments),
            f"ledger {config.ledger}" if config.ledger else "no ledger",
            many("schemas", config.schemas),
        ]
    )
