"""Findings and results: what a check says about one invoice."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from kassavirta.plain import Plain, without

_CENT = Decimal("0.01")


def amount_text(value: Decimal) -> str:
    """An amount as every report prints it: a dot and two decimals (`7125` → `7125.00`),
    more only when the document wrote more (`0.275` stays as written, never rounded)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        value = value.quantize(_CENT)
    return f"{value:f}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Decision(StrEnum):
    ROUTE = "route"
    BYPASS = "bypass"
    ERROR = "error"
    INVALID = "invalid"


@dataclass(slots=True, kw_only=True)
class Finding(Plain):
    """One thing a rule found: the typed record every report is made from."""

    rule: str
    severity: Severity
    service_code: int | None = None
    message: str
    detail: str | None = None
    """Our own words: what exactly is wrong and what to change."""
    line: int | None = None
    column: int | None = None
    xpath: str | None = None
    value: str | None = None


@dataclass(slots=True, kw_only=True)
class BuyerSummary(Plain):
    name: str | None = None
    business_id: str | None = None
    street: str | None = None
    postcode: str | None = None
    town: str | None = None
    country: str | None = None
    language: str | None = None


@dataclass(slots=True, kw_only=True)
class InvoiceSummary(Plain):
    """The invoice as the report names it: dates ISO 8601, `total` a decimal string with a
    dot and two decimals (`"125.50"`)."""

    number: str | None = None
    date: str | None = None
    due_date: str | None = None
    currency: str | None = None
    total: str | None = None
    paid: str | None = None
    """The prepaid amount the invoice states (Finvoice `InvoicePaidAmount`, UBL/CII
    `PrepaidAmount`); left out of the output when the invoice states none."""
    type_code: str | None = None
    channel: str | None = None
    channel_signals: list[str] = field(default_factory=list)
    buyer: BuyerSummary = field(default_factory=BuyerSummary)

    def dumped_names(self) -> tuple[str, ...]:
        # Only an invoice that states a prepaid amount shows one, so the reports of every
        # other invoice read as they always did.
        names = Plain.dumped_names(self)
        return names if self.paid is not None else without(names, "paid")


ScheduleSource = Literal["guide", "settings", "assumed"]
"""Where a schedule step's offset comes from (SPEC §5)."""


@dataclass(slots=True, kw_only=True)
class ScheduleEntry(Plain):
    """One step of the reminder schedule (SPEC §5): `reminder`, `payment_demand`, … on a date."""

    step: str
    date: str
    source: ScheduleSource = "assumed"
    """`guide` (the first reminder's 10 / 14 days), `settings` (the settings file's `schedule`)
    or `assumed` (our default for a step the guide shows only as a picture)."""


@dataclass(slots=True, kw_only=True)
class CheckResult(Plain):
    """The decision for one invoice; `--output json` serialises a list of these."""

    path: str
    document: int | None = None
    """1-based position of the invoice in a file that holds several (frame + invoice pairs)."""
    format: str | None = None
    version: str | None = None
    decision: Decision
    reasons: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    invoice: InvoiceSummary | None = None
    schema_check: str = "skipped"
    """`valid`, `invalid` or `skipped` (no XSD available for this format)."""
    schedule: list[ScheduleEntry] | None = None
    """Routed invoices: when the service would remind and demand if unpaid (empty: no schedule)."""

    @property
    def label(self) -> str:
        return label_of(self.path, self.document)

    @property
    def refused_if_active(self) -> bool:
        """Shown as a bypass because the service is inactive, yet carrying a send error
        (as a warning): the service, once active, would refuse it."""
        if "service-inactive" not in self.reasons:
            return False
        from kassavirta.rules import SEND_ERROR_SLUGS

        return any(
            f.severity is Severity.WARNING and f.rule in SEND_ERROR_SLUGS for f in self.findings
        )


def label_of(path: str, document: int | None) -> str:
    """How a result is named in reports: its path, and `#N` for an invoice of a file of several."""
    return path if document is None else f"{path}#{document}"
