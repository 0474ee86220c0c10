"""`--output jsonl` writes each result straight from its records (`plain.json_default`):
the line must be exactly the JSON of `result_dict`, the form every other output and the
HTTP answer use."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from pathlib import Path

import pytest

from helpers import SAMPLES, TODAY
from kassavirta.config.policy import RunOptions, build_policy
from kassavirta.findings import CheckResult, Decision
from kassavirta.pipeline.evaluate import Checker
from kassavirta.plain import Plain, json_default
from kassavirta.report import json as json_report


def sample_results() -> list[CheckResult]:
    """Every sample checked with the sample settings: each decision, findings, schedules."""
    policy = build_policy(RunOptions(today=TODAY, settings=SAMPLES / "settings.json"))
    checker = Checker(policy)
    return [r for path in sorted(SAMPLES.rglob("*.xml")) for r in checker.check_path(path)]


def test_each_line_is_the_json_of_result_dict() -> None:
    results = sample_results()
    decisions = {r.decision for r in results}
    assert decisions == set(Decision), decisions  # the samples show every decision
    assert any(r.invoice and r.invoice.paid for r in results)  # and the optional `paid`
    for result in results:
        out = io.StringIO()
        json_report.write_line(result, out)
        expected = json.dumps(
            json_report.result_dict(result), ensure_ascii=False, separators=(",", ":")
        )
        assert out.getvalue() == expected + "\n", result.path


class _Colour(StrEnum):
    RED = "red"


class _Size(IntEnum):
    BIG = 3


class _Day(Enum):
    FIRST = date(2026, 1, 1)


@dataclass(slots=True, kw_only=True)
class _Odd(Plain):
    when: date
    amount: Decimal
    nested: list[dict[str, date]]
    dates: tuple[date, ...]
    colour: _Colour = _Colour.RED
    size: _Size = _Size.BIG
    day: _Day = _Day.FIRST
    inner: _Odd | None = None


def test_json_default_converts_as_dump_does_and_refuses_the_unknown() -> None:
    inner = _Odd(when=date(2026, 12, 2), amount=Decimal("2"), nested=[], dates=())
    odd = _Odd(
        when=date(2026, 12, 1),
        amount=Decimal("1.50"),
        nested=[{"a": date(2026, 1, 2)}],
        dates=(date(2026, 1, 3),),
        inner=inner,
    )
    written = json.dumps(odd, default=json_default, ensure_ascii=False, separators=(",", ":"))
    expected = json.dumps(odd.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    assert written == expected
    with pytest.raises(TypeError, match="object is not JSON serialisable"):
        json.dumps({"x": object()}, default=json_default)


def test_a_line_reads_back_as_the_result_it_was_written_from(reference: Path) -> None:
    """A parallel run's parent reads a worker's result back from its line (`pipeline.final`)."""
    policy = build_policy(RunOptions(today=TODAY, settings=SAMPLES / "settings.json"))
    checker = Checker(policy, track_run=False)
    others = sorted(reference.parent.rglob("*.xml"))
    assert len(others) >= 20  # the official examples and the operator's, in every format
    results = sample_results() + [r for path in others for r in checker.check_path(path)]
    assert {r.decision for r in results} == set(Decision)
    for result in results:
        line = json_report.encode_line(result)
        assert json_report.decode_line(line) == result, result.label
