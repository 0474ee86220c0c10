"""The plain records dump and copy as the pydantic models they replaced did."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from kassavirta.findings import CheckResult, Decision, Finding, Severity
from kassavirta.model import Channel, Invoice, Location, Row


def test_json_mode_writes_json_types_in_field_order() -> None:
    result = CheckResult(
        path="a.xml",
        decision=Decision.ROUTE,
        findings=[Finding(rule="r", severity=Severity.WARNING, message="m", line=3)],
    )
    dumped = result.model_dump(mode="json")
    assert list(dumped)[:5] == ["path", "document", "format", "version", "decision"]
    assert dumped["decision"] == "route"
    assert dumped["findings"][0]["severity"] == "warning"
    assert json.loads(result.model_dump_json()) == dumped


def test_python_mode_keeps_values_and_honours_exclude() -> None:
    invoice = Invoice(
        format="finvoice-3.0",
        issue_date=date(2026, 12, 1),
        total=Decimal("1.50"),
        rows=[Row(index=1, amount=Decimal("1.50"))],
        locations={"total": Location(line=4, xpath="/Finvoice/X")},
    )
    dumped = invoice.model_dump(exclude={"locations"})
    assert "locations" not in dumped
    assert dumped["total"] == Decimal("1.50") and dumped["issue_date"] == date(2026, 12, 1)
    assert dumped["rows"][0]["amount"] == Decimal("1.50")
    assert dumped["channel"] is Channel.B2B
    as_json = invoice.model_dump(mode="json")
    assert as_json["total"] == "1.50" and as_json["issue_date"] == "2026-12-01"
    assert as_json["locations"] == {"total": {"line": 4, "xpath": "/Finvoice/X"}}


def test_model_copy_changes_only_what_is_asked() -> None:
    invoice = Invoice(format="finvoice-3.0", number="1")
    copy = invoice.model_copy(update={"number": "2"})
    deep = invoice.model_copy(deep=True)
    assert (invoice.number, copy.number) == ("1", "2")
    assert copy.buyer is invoice.buyer and deep.buyer is not invoice.buyer and deep == invoice


def test_the_report_schema_still_comes_from_the_records() -> None:
    schema = CheckResult.model_json_schema(mode="serialization")
    assert schema["required"] == ["path", "decision"]
    assert schema["properties"]["findings"]["items"] == {"$ref": "#/$defs/Finding"}
