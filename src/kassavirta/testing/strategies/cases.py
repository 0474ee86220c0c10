"""An invoice together with what it is checked against: settings, today and assignments."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from hypothesis import strategies as st

from kassavirta.formats.finvoice.write import InvoiceSpec, expected, render
from kassavirta.model import Channel, Invoice
from kassavirta.testing.strategies.assignments import assignments_json
from kassavirta.testing.strategies.common import JSON, today_or_helsinki
from kassavirta.testing.strategies.invoices import invoice_specs
from kassavirta.testing.strategies.settings import settings_files

if TYPE_CHECKING:
    from kassavirta.findings import CheckResult

__all__ = ["Case", "DefectiveInvoice", "routable_invoices"]


@dataclass(frozen=True)
class Case:
    """An invoice, its expected reading, and the inputs of its check."""

    spec: InvoiceSpec
    settings: JSON
    today: date
    assignments: list[JSON] | None = None
    xml: bytes = dataclasses.field(init=False)
    expected: Invoice = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "xml", render(self.spec))
        object.__setattr__(self, "expected", expected(self.spec))

    def check(self) -> CheckResult:
        """`kassavirta.check_bytes` of the invoice under this case's settings, today and assignments."""
        from kassavirta import check_bytes
        from kassavirta.config.settings import settings_from_mapping
        from kassavirta.erp.assignments import parse_assignments

        return check_bytes(
            self.xml,
            settings_from_mapping(self.settings),
            self.today,
            assignments=parse_assignments(self.assignments) if self.assignments else None,
        )


@dataclass(frozen=True)
class DefectiveInvoice:
    """An invoice with exactly one defect, and the valid invoice it was made from."""

    rule: str
    """The finding slug the defect must produce (and, for a send error, the only reason)."""
    kind: Literal["send-error", "warning", "note"]
    defective: Case
    valid: Case
    """Routes with no finding under its own settings and assignments."""

    @property
    def xml(self) -> bytes:
        return self.defective.xml

    @property
    def expected(self) -> Invoice:
        return self.defective.expected

    @property
    def settings(self) -> JSON:
        return self.defective.settings

    @property
    def assignments(self) -> list[JSON] | None:
        return self.defective.assignments

    @property
    def today(self) -> date:
        return self.defective.today

    def check(self) -> CheckResult:
        return self.defective.check()


@st.composite
def routable_invoices(
    draw: st.DrawFn,
    version: str | None = "3.0",
    channel: Channel | str | None = None,
    language: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
) -> Case:
    """A valid invoice with ACTIVE settings (and unrelated assignments) it routes under."""
    sending = today_or_helsinki(today)
    spec = draw(invoice_specs(version, channel, language, encoding, sending))
    settings = draw(settings_files("ACTIVE", sending))
    assignments = draw(st.none() | assignments_json(spec.number, spec.issue_date, blocking=False))
    return Case(spec=spec, settings=settings, today=sending, assignments=assignments)
