"""`pipeline.final.Final`: a result sent from a worker as its JSON line, read back only when needed.

A packed `Final` must count, write and compare exactly as the result it
carries, and read back from its line it must be that result (every sample, every
reference invoice); once the parent changes the result (an in-run duplicate),
the line written in the worker must not be written any more.
"""

from __future__ import annotations

import io
import pickle
from datetime import date

from helpers import SAMPLES, TODAY
from kassavirta.config.policy import RunOptions, build_policy
from kassavirta.findings import CheckResult, Decision
from kassavirta.pipeline.duplicates import RunDuplicates, RunKey
from kassavirta.pipeline.evaluate import Checker
from kassavirta.pipeline.final import Final
from kassavirta.report import Tally
from kassavirta.report import json as json_report
from kassavirta.report.sinks import JsonlSink, TextSink


def sample_results() -> list[CheckResult]:
    policy = build_policy(RunOptions(today=TODAY, settings=SAMPLES / "settings.json"))
    checker = Checker(policy, track_run=False)
    return [r for path in sorted(SAMPLES.rglob("*.xml")) for r in checker.check_path(path)]


def sent(result: CheckResult, key: RunKey | None = None) -> Final:
    """As a worker of a `--output jsonl` run sends it, and the parent receives it."""
    made = Final.made(result, key, lines=True)
    arrived = pickle.loads(pickle.dumps(made))
    assert isinstance(arrived, Final)
    return arrived


def test_a_sent_result_arrives_packed_with_its_line_and_opens_equal() -> None:
    for result in sample_results():
        final = sent(result)
        assert "packed" in repr(final)
        assert (final.decision, final.reasons, final.label) == (
            result.decision,
            result.reasons,
            result.label,
        )
        assert "packed" in repr(final)  # reading those did not open it
        assert final.line == json_report.encode_line(result)
        assert final.result == result
        assert "open" in repr(final)


def test_without_an_encoder_the_result_travels_whole() -> None:
    result = sample_results()[0]
    arrived = pickle.loads(pickle.dumps(Final.made(result, None, lines=False)))
    assert arrived.line is None and "open" in repr(arrived)
    assert arrived.result == result


def test_a_packed_result_counts_as_the_result_itself() -> None:
    results = sample_results()
    by_result, by_final = Tally(), Tally()
    for result in results:
        by_result.add(result)
        by_final.add(sent(result))
    assert by_final.summary() == by_result.summary()
    assert by_result.summary().invoices == len(results)


def test_the_jsonl_sink_writes_the_workers_line_without_opening_the_result() -> None:
    routed = next(r for r in sample_results() if r.decision is Decision.ROUTE)
    final = sent(routed)
    final.line = '{"written":"in the worker"}'
    out = io.StringIO()
    JsonlSink(out).take(final)
    assert out.getvalue() == '{"written":"in the worker"}\n'
    assert "packed" in repr(final)
    shown, text = sent(routed), io.StringIO()
    TextSink(text).take(shown)  # a sink that shows the result whole opens it
    assert routed.path in text.getvalue() and "open" in repr(shown)


def test_an_in_run_duplicate_is_written_again_not_as_the_worker_wrote_it() -> None:
    routed = [r for r in sample_results() if r.decision is Decision.ROUTE]
    first, second = routed[0], routed[1]
    key = RunKey("DUP-1", date(2026, 1, 5), line=3, xpath="/Finvoice/InvoiceDetails/InvoiceNumber")
    duplicates = RunDuplicates()
    earlier, later = sent(first, key), sent(second, key)
    duplicates.note(earlier, earlier.key)
    duplicates.note(later, later.key)
    assert later.line is None
    assert later.decision is Decision.ERROR and "duplicate-number" in later.reasons
    out = io.StringIO()
    JsonlSink(out).take(later)
    assert '"duplicate-number"' in out.getvalue()
    assert out.getvalue() == json_report.encode_line(later.result) + "\n"
    assert earlier.line == json_report.encode_line(first)  # the first one is unchanged
