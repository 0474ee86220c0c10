"""The shape every content rule has, and the context it runs in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from kassavirta.erp.index import AssignmentIndex
from kassavirta.findings import Finding, Severity
from kassavirta.finnish.postcodes import PostalDirectory, shipped_directory
from kassavirta.model import Invoice

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings


class Kind(StrEnum):
    SEND_ERROR = "send-error"
    """The service refuses the invoice: it is not sent at all."""
    WARNING = "warning"
    """Worth fixing; never changes the decision."""
    NOTE = "note"
    """Worth knowing (severity `info`); never changes the decision or the exit status."""


@dataclass
class RuleContext:
    invoice: Invoice
    today: date
    settings: Settings | None = None
    assignments: AssignmentIndex = field(default_factory=AssignmentIndex)
    postal_codes: PostalDirectory | None = None
    manual_assignment: bool = False
    """See `Policy.manual_assignment`: the due date need only lie in the future."""

    @property
    def directory(self) -> PostalDirectory:
        """The run's postal-code directory: the user's, else the one that ships with the toolkit."""
        return self.postal_codes if self.postal_codes is not None else shipped_directory()


@dataclass(frozen=True)
class Rule:
    """A content rule: a stable slug, its kind, the service's code, and the check."""

    slug: str
    kind: Kind
    service_code: int | None
    summary: str
    check: Callable[[RuleContext], Iterator[Finding]]
    emits: tuple[str, ...] = ()
    """The finding slugs the rule emits, when they are not just its own slug."""

    @property
    def slugs(self) -> tuple[str, ...]:
        return self.emits or (self.slug,)

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self.kind]


_SEVERITY = {
    Kind.SEND_ERROR: Severity.ERROR,
    Kind.WARNING: Severity.WARNING,
    Kind.NOTE: Severity.INFO,
}


def finding(
    ctx: RuleContext,
    slug: str,
    message: str,
    *,
    at: tuple[str, ...] = (),
    value: object = None,
    detail: str | None = None,
    service_code: int | None = None,
    severity: Severity = Severity.WARNING,
) -> Finding:
    """A finding located at the first of the invoice fields `at` that the adapter saw."""
    where = ctx.invoice.where(*at)
    return Finding(
        rule=slug,
        severity=severity,
        service_code=service_code,
        message=message,
        detail=detail,
        line=where.line,
        xpath=where.xpath,
        value=None if value is None else str(value),
    )
