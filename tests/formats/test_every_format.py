"""The suite every format with a reader runs: detection, each send error triggered and
passed, the non-euro bypass, a valid and idempotent rewrite, and the writer's output.

The rows are in `cases.py`; a format added to the registry with a reader must add one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from formats.cases import CASES, FormatCase, Triggered
from helpers import SERVICE, TODAY, Edit, adapt_as, make_variant, rewrite_with
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings
from kassavirta.erp.assignments import parse_assignments
from kassavirta.findings import CheckResult
from kassavirta.formats import detect
from kassavirta.formats.registry import BY_ID, module_of, with_reader
from kassavirta.pipeline.read import read_bytes

FORMATS = with_reader()


def case_of(format_id: str) -> FormatCase:
    return CASES[format_id]


def test_every_readable_format_has_a_case() -> None:
    assert sorted(CASES) == sorted(FORMATS)


@pytest.mark.parametrize(
    ("format_id", "path"),
    [(f, p) for f in FORMATS if f in CASES for p in (CASES[f].route, *CASES[f].detected)],
)
def test_detected(format_id: str, path: Path) -> None:
    [document] = read_bytes(path.read_bytes())
    assert detect(document.part.root).format == format_id
    root = etree.QName(document.part.root)
    signature = BY_ID[format_id].signature
    assert signature is not None and signature.matches(root.namespace, root.localname)


@pytest.mark.parametrize("format_id", FORMATS)
def test_route_sample_routes_as_its_format(format_id: str, settings: Settings) -> None:
    case = case_of(format_id)
    result = check_file(case.route, settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (format_id, "route", [])
    assert adapt_as(case.route, format_id).format == format_id


def _fails(result: CheckResult, rule: str, expected: Triggered) -> None:
    assert (result.decision.value, result.reasons) == ("error", [rule])
    finding = result.findings[0]
    if expected.message_ends is not None:
        assert finding.message.endswith(expected.message_ends)
    if expected.detail_has is not None:
        assert expected.detail_has in (finding.detail or "")
    if expected.xpath is not None:
        assert finding.xpath == expected.xpath


@pytest.mark.parametrize(
    ("format_id", "sample"),
    [(f, s) for f in FORMATS for s in (CASES[f].route, *CASES[f].due_also)],
)
def test_due_date_too_soon_and_exactly_three_days(
    format_id: str, sample: Path, settings: Settings
) -> None:
    case = case_of(format_id)
    soon = check_bytes(make_variant(sample, *case.due_soon.edits), settings, TODAY)
    _fails(soon, "due-date-too-soon", case.due_soon)
    ok = check_bytes(make_variant(sample, *case.due_in_three_days), settings, TODAY)
    assert ok.decision.value == "route"


@pytest.mark.parametrize("format_id", FORMATS)
@pytest.mark.parametrize("rule", ["address-incomplete", "sum-mismatch"])
def test_content_rule_triggered_and_passed(format_id: str, rule: str, settings: Settings) -> None:
    case = case_of(format_id)
    expected = case.address if rule == "address-incomplete" else case.sum_mismatch
    sample = expected.sample or case.route
    assert check_file(sample, settings, TODAY).reasons == []
    _fails(check_bytes(make_variant(sample, *expected.edits), settings, TODAY), rule, expected)


def _open_part_paid(number: str, issued_at: str) -> list[Any]:
    return parse_assignments(
        [
            {
                "id": "a-1",
                "number": number,
                "issued_at": issued_at,
                "status": "open",
                "events": [{"type": "paid", "data": {"sum_paid": 10.0}}],
            }
        ],
        source="test",
    )


@pytest.mark.parametrize("format_id", FORMATS)
def test_duplicate_number_triggered_and_passed(format_id: str, settings: Settings) -> None:
    case = case_of(format_id)
    same = _open_part_paid(case.number, case.issued)
    dup = check_file(case.route, settings, TODAY, assignments=same)
    assert (dup.decision.value, dup.reasons) == ("error", ["duplicate-number"])
    other = _open_part_paid(case.number, "2026-10-20")
    assert check_file(case.route, settings, TODAY, assignments=other).decision.value == "route"


def _document(case: FormatCase, given: Path | tuple[Edit, ...]) -> bytes:
    """A sample file, or the case's route sample with edits."""
    return given.read_bytes() if isinstance(given, Path) else make_variant(case.route, *given)


@pytest.mark.parametrize("format_id", FORMATS)
def test_non_eur_is_bypassed(format_id: str, settings: Settings) -> None:
    result = check_bytes(_document(case_of(format_id), case_of(format_id).non_eur), settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (
        format_id,
        "bypass",
        ["non-eur"],
    )


@pytest.mark.parametrize("format_id", FORMATS)
def test_credit_note_routes_with_its_warning(format_id: str, settings: Settings) -> None:
    case = case_of(format_id)
    data = _document(case, case.credit_note)
    assert adapt_as(data, format_id).is_credit_note
    result = check_bytes(data, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    assert "credit-note" in {f.rule for f in result.findings}
    plain = check_file(case.route, settings, TODAY)
    assert "credit-note" not in {f.rule for f in plain.findings}


@pytest.mark.parametrize(
    ("format_id", "path"),
    [(f, p) for f in FORMATS if BY_ID[f].rewrite for p in (CASES[f].route, *CASES[f].rewrites)],
)
def test_rewrite_routes_and_a_second_run_changes_nothing(
    format_id: str, path: Path, settings: Settings
) -> None:
    source = path.read_bytes()
    first = rewrite_with(source, settings)
    assert (first.format, first.rewritten) == (format_id, True)
    assert first.changes and first.data != source
    assert rewrite_with(source, settings).data == first.data  # deterministic
    payment = adapt_as(first.data, format_id).payment
    assert (payment.iban, payment.bic, payment.beneficiary, payment.reference) == (
        SERVICE.iban,
        SERVICE.bic,
        SERVICE.payee,
        first.plans[0].reference,
    )
    recheck = check_bytes(first.data, settings, TODAY)
    assert (recheck.format, recheck.decision.value) == (format_id, "route")
    again = rewrite_with(first.data, settings)
    assert (again.decision.value, again.changes, again.data) == ("route", [], first.data)


@pytest.mark.parametrize("format_id", [f for f in FORMATS if BY_ID[f].write])
def test_the_writers_example_routes(format_id: str, settings: Settings) -> None:
    example = module_of(format_id, "write", "example")
    assert example is not None
    result = check_bytes(example(TODAY, format_id), settings, TODAY)
    assert (result.format, result.decision.value, result.reasons) == (format_id, "route", [])
