"""`assert_routes`: a test fails with the service's own words when an invoice would not route.

(For `sum-mismatch`, whose text the guide does not publish, the words are ours.)

Importing this module costs nothing: the check itself is imported on the
first call, so a pytest plugin can expose it without slowing start-up.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings
    from kassavirta.erp.assignments import Assignment
    from kassavirta.findings import CheckResult

EXAMPLE_SERVICE_IBAN = "FI2112345600000785"
"""A valid example IBAN (Nordea's documentation example), standing in for the
service's account in the default settings; never a real payee."""


def default_settings_mapping(today: date | None = None) -> dict[str, Any]:
    """ACTIVE activation settings under which a correct invoice routes with no finding.

    Activated 30 days before `today` (so consumer invoices are past the
    transition), the consumers' banks told of the service's IBAN (no
    `consumer-si-message`), no service-level groups.
    """
    from kassavirta.pipeline.evaluate import today_in_helsinki

    sending = today or today_in_helsinki()
    return {
        "status": "ACTIVE",
        "accountable_party": "vfsfi",
        "service_type": "full",
        "customer_service_email": "laskutus@example.fi",
        "customer_service_phone_number": "+358401234567",
        "vfsfi": {
            "iban": EXAMPLE_SERVICE_IBAN,
            "bic": "NDEAFIHH",
            "account_number": "",
            "notes": [],
        },
        "activated_on": (sending - timedelta(days=30)).isoformat(),
        "si_change_sent": True,
    }


def default_settings(today: date | None = None) -> Settings:
    """`default_settings_mapping` as a `Settings` object."""
    from kassavirta.config.settings import settings_from_mapping

    return settings_from_mapping(default_settings_mapping(today), source="<default settings>")


def _on_one_line(xml_bytes: bytes) -> bool:
    """Whether the document (after any XML declaration) is written on one line.

    lxml and most writers put the declaration on line 1 and the whole document
    on line 2; every finding would then say "line 2", which points nowhere.
    """
    body = xml_bytes.strip()
    if body.startswith(b"<?xml"):
        body = body.partition(b"?>")[2].strip()
    return b"\n" not in body


def describe(result: CheckResult, *, lines_help: bool = True) -> str:
    """One result as a failure message: the decision, then each finding with where to fix it.

    `lines_help=False` leaves line numbers out (a one-line document): the XPath says where.
    """
    reasons = f" ({', '.join(result.reasons)})" if result.reasons else ""
    lines = [f"{result.label}: {result.decision.value}{reasons}"]
    for finding in result.findings:
        where = ", ".join(
            part
            for part in (
                f"line {finding.line}" if finding.line and lines_help else "",
                finding.xpath or "",
            )
            if part
        )
        lines.append(f"  [{finding.severity.value}] {finding.rule}: {finding.message}")
        if where:
            lines.append(f"      at {where}")
        if finding.detail:
            lines.append(f"      {finding.detail}")
    return "\n".join(lines)


def assert_routes(
    xml_bytes: bytes,
    settings: Settings | str | Path | None = None,
    today: date | None = None,
    *,
    assignments: list[Assignment] | str | Path | None = None,
    channel: str | None = None,
    schemas: str | Path | None = None,
    strict: bool = False,
) -> list[CheckResult]:
    """Fail unless every invoice in `xml_bytes` routes through Kassavirta.

    The failure message is the service's: the decision, its reasons and each
    finding's message (the send errors word for word), line and XPath.
    `settings` default to `default_settings(today)`; `today` defaults to today
    in Helsinki. `strict=True` also fails on warnings. Returns the results.
    """
    __tracebackhide__ = True
    from kassavirta import check_bytes_all
    from kassavirta.findings import Decision, Severity

    results = check_bytes_all(
        xml_bytes,
        settings if settings is not None else default_settings(today),
        today,
        assignments=assignments,
        channel=channel,
        schemas=schemas,
    )
    failed = [
        r
        for r in results
        if r.decision is not Decision.ROUTE
        or (strict and any(f.severity is Severity.WARNING for f in r.findings))
    ]
    if failed:
        one_line = _on_one_line(xml_bytes)
        what = (
            "does not route"
            if len(results) == 1
            else f"{len(failed)} of {len(results)} invoices do not route"
        )
        raise AssertionError(
            f"the invoice {what} through Kassavirta:\n"
            + "\n".join(describe(r, lines_help=not one_line) for r in failed)
        )
    return results


__all__ = ["assert_routes", "default_settings", "default_settings_mapping", "describe"]
