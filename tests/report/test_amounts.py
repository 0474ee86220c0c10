"""Amounts are printed with a dot and two decimals in every report (issue 14): the text
report, JSON, JUnit and SARIF, the invoice summary and the findings' messages and values,
whatever the invoice wrote (`7125` → `7125.00`, `336,9` → `336.90`)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from helpers import SAMPLES, TODAY, make_variant
from kassavirta import check_bytes
from kassavirta.config.settings import load_settings
from kassavirta.findings import CheckResult, amount_text
from kassavirta.report import Summary
from kassavirta.report import json as json_report
from kassavirta.report import text as text_report
from kassavirta.report.junit import JUnitSink
from kassavirta.report.sarif import SarifSink

SAMPLE = SAMPLES / "route" / "finvoice-3.0.xml"
TOTALS = (
    "//InvoiceDetails/InvoiceTotalVatIncludedAmount",
    "//EpiPaymentInstructionDetails/EpiInstructedAmount",
)


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("7125", "7125.00"),
        ("336.9", "336.90"),
        ("575.55", "575.55"),
        ("-56.75", "-56.75"),
        ("0", "0.00"),
        ("1E+3", "1000.00"),
        ("0.275", "0.275"),  # more decimals than two are as written, never rounded away
    ],
)
def test_amount_text(value: str, printed: str) -> None:
    assert amount_text(Decimal(value)) == printed


def checked(*edits: tuple[str, str, str]) -> CheckResult:
    data = make_variant(SAMPLE, *edits)
    return check_bytes(data, load_settings(SAMPLES / "settings.json"), TODAY, path="x.xml")


def reports(result: CheckResult) -> dict[str, str]:
    summary = Summary(files=1, invoices=1, error=1)
    out: dict[str, str] = {}
    for name, write in (
        ("text", lambda o: text_report.write_result(result, o)),
        ("json", lambda o: json_report.write_document([result], summary, o)),
        ("jsonl", lambda o: json_report.write_line(result, o)),
    ):
        buffer = io.StringIO()
        write(buffer)
        out[name] = buffer.getvalue()
    for sink_type in (JUnitSink, SarifSink):
        buffer = io.StringIO()
        sink = sink_type(buffer)
        sink.add(result)
        sink.finish(summary)
        out[sink_type.__name__] = buffer.getvalue()
    return out


def test_a_total_written_without_decimals_is_printed_with_two() -> None:
    """The total and the amount to pay written `7125` (Finvoice allows it): the summary
    says `7125.00` everywhere; the sample's rows (575.55) no longer match it."""
    result = checked(*((xpath, "text", "7125") for xpath in TOTALS))
    assert result.invoice is not None and result.invoice.total == "7125.00"
    assert result.reasons == ["sum-mismatch"]
    for name, text in reports(result).items():
        assert "7125.00" in text, name
        assert "7125 " not in text and '"7125"' not in text and "7125<" not in text, name
    assert (
        "(finvoice-3.0, invoice 2026-4101, due 2026-12-15, 7125.00 EUR)" in reports(result)["text"]
    )
    document = json.loads(reports(result)["json"])
    assert document["results"][0]["invoice"]["total"] == "7125.00"


def test_amounts_in_a_finding_are_printed_with_two_decimals() -> None:
    """`EpiInstructedAmount` written `336,9` against the total 575,55."""
    result = checked((TOTALS[1], "text", "336,9"))
    [finding] = [f for f in result.findings if f.rule == "instructed-amount-mismatch"]
    assert finding.message == "The amount to pay 336.90 is not the total 575.55 (575.55)."
    assert finding.value == "336.90"
    sarif = json.loads(reports(result)["SarifSink"])
    [found] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == finding.rule]
    assert found["message"]["text"].startswith(finding.message)
    assert found["properties"]["value"] == "336.90"
    assert "The amount to pay 336.90" in reports(result)["JUnitSink"]
