"""The in-run duplicate rule on its own: keys in, `duplicate-number` findings out."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path
from typing import Any

from helpers import SAMPLES, TODAY
from kassavirta.config.policy import Policy, RunOptions, build_policy
from kassavirta.findings import CheckResult, Decision, Finding, Severity
from kassavirta.pipeline.batch import Batch
from kassavirta.pipeline.duplicates import (
    WRITE_AT,
    RunDuplicates,
    RunKey,
    mark_duplicate,
    run_assignment,
)
from kassavirta.pipeline.evaluate import decide_path, evaluate_path


def dumps(results: list[CheckResult]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in results]


def _routed(path: str, number: str = "42") -> tuple[CheckResult, RunKey]:
    result = CheckResult(path=path, format="finvoice-3.0", decision=Decision.ROUTE)
    return result, RunKey(number=number, issued_at=date(2026, 11, 20), line=7, xpath="/F/N")


def test_a_later_invoice_with_the_same_number_and_date_is_a_send_error() -> None:
    duplicates = RunDuplicates()
    first, key = _routed("a.xml")
    assert duplicates.apply(first, key) is not None
    second, key2 = _routed("b.xml", number=" 42 ")
    assert duplicates.apply(second, key2) is None
    assert first.decision is Decision.ROUTE
    assert second.decision is Decision.ERROR and second.reasons == ["duplicate-number"]
    found = second.findings[0]
    assert found.service_code == 6 and found.line == 7 and found.xpath == "/F/N"
    assert "An assignment for this invoice number  42  already exists" in found.message
    assert "this run: a.xml" in (found.detail or "")


def test_another_invoice_date_is_not_a_duplicate() -> None:
    duplicates = RunDuplicates()
    first, key = _routed("a.xml")
    duplicates.apply(first, key)
    second = CheckResult(path="b.xml", decision=Decision.ROUTE)
    duplicates.apply(second, RunKey(number="42", issued_at=date(2026, 11, 21)))
    assert second.decision is Decision.ROUTE


def test_an_invoice_that_is_not_routed_blocks_nothing() -> None:
    duplicates = RunDuplicates()
    error = CheckResult(path="a.xml", decision=Decision.ERROR, reasons=["sum-mismatch"])
    duplicates.apply(error, RunKey(number="42", issued_at=date(2026, 11, 20)))
    second, key = _routed("b.xml")
    duplicates.apply(second, key)
    assert second.decision is Decision.ROUTE


def test_spilled_keys_decide_exactly_as_keys_in_memory() -> None:
    def run(spill_at: int) -> list[dict[str, Any]]:
        duplicates = RunDuplicates(spill_at=spill_at)
        out = []
        for n in range(40):
            result, key = _routed(f"f{n:02d}.xml", number=str(n % 13))
            duplicates.apply(result, key)
            out.append(result)
        duplicates.close()
        return dumps(out)

    spilled, kept = run(3), run(10_000)
    assert spilled == kept
    assert sum(r["decision"] == "error" for r in kept) == 40 - 13


def _run_spilled(duplicates: RunDuplicates, numbers: list[str]) -> list[dict[str, Any]]:
    out = []
    for n, number in enumerate(numbers):
        result, key = _routed(f"f{n:04d}.xml", number=number)
        duplicates.apply(result, key)
        out.append(result)
    return dumps(out)


def test_a_filter_that_answers_maybe_to_everything_still_decides_exactly() -> None:
    """Eight bits fill at once: every look-up then goes to SQLite, as a false positive would."""
    numbers = [str(n % 97) for n in range(700)]
    exact = _run_spilled(RunDuplicates(), numbers)
    assert _run_spilled(RunDuplicates(spill_at=5, filter_bits=8), numbers) == exact
    assert _run_spilled(RunDuplicates(spill_at=5), numbers) == exact
    assert sum(r["decision"] == "error" for r in exact) == 700 - 97


def test_spilled_keys_never_routed_are_answered_without_a_query() -> None:
    duplicates = RunDuplicates(spill_at=2)
    _run_spilled(duplicates, ["a", "b"])  # the second one spills
    assert duplicates._db is not None
    statements: list[str] = []
    duplicates._db.set_trace_callback(statements.append)
    _run_spilled(duplicates, [f"n{n}" for n in range(600)])
    assert not [s for s in statements if s.startswith("SELECT")]
    # written in whole batches; the rest wait in memory, where they are looked up too
    assert len([s for s in statements if s.startswith("INSERT")]) == 2 * WRITE_AT
    assert _run_spilled(duplicates, ["n599"])[0]["decision"] == "error"
    assert not [s for s in statements if s.startswith("SELECT")]
    found = _run_spilled(duplicates, ["n5"])  # in SQLite by now, and found there
    assert found[0]["decision"] == "error"
    assert [s for s in statements if s.startswith("SELECT")]


def test_the_finding_goes_where_the_rule_table_puts_it_and_merges_known_blockers() -> None:
    known = Finding(
        rule="duplicate-number",
        severity=Severity.ERROR,
        service_code=6,
        message="m",
        detail="collides with X. Give …",
    )
    result = CheckResult(
        path="b.xml",
        decision=Decision.ERROR,
        reasons=["address-incomplete", "duplicate-number", "sum-mismatch"],
        findings=[
            Finding(rule="address-incomplete", severity=Severity.ERROR, message="a"),
            known,
            Finding(rule="sum-mismatch", severity=Severity.ERROR, message="s"),
            Finding(rule="due-date-weekend", severity=Severity.WARNING, message="w"),
        ],
    )
    key = RunKey(number="42", issued_at=date(2026, 11, 20), blockers=("assignment X (…)",))
    mark_duplicate(result, key, run_assignment("a.xml", "42", date(2026, 11, 20)))
    assert [f.rule for f in result.findings] == [
        "address-incomplete",
        "duplicate-number",
        "sum-mismatch",
        "due-date-weekend",
    ]
    detail = result.findings[1].detail or ""
    assert detail.startswith("collides with assignment X (…); assignment this run: a.xml")
    assert result.reasons == ["address-incomplete", "duplicate-number", "sum-mismatch"]


def _routed_sample() -> tuple[Path, Policy]:
    policy = build_policy(RunOptions(today=TODAY, settings=SAMPLES / "settings.json"))
    return SAMPLES / "route" / "finvoice-3.0-credit-note.xml", policy


def test_a_key_used_in_this_process_locates_the_number_only_when_asked() -> None:
    path, policy = _routed_sample()
    [(outcome, key)] = decide_path(path, policy)
    assert outcome.result.decision is Decision.ROUTE and outcome.invoice is not None
    assert key is not None and key._locate is not None  # not looked up yet
    where = outcome.invoice.where("number")
    sent = pickle.loads(pickle.dumps(key))  # another process gets the location itself
    assert (sent.line, sent.xpath) == (where.line, where.xpath) and sent._locate is None
    assert sent.xpath and sent.xpath.endswith("InvoiceNumber")
    assert key == sent and hash(key) == hash(sent) and key._locate is None


def test_keys_that_leave_the_call_hold_nothing_of_the_document() -> None:
    """`evaluate_path` results are kept (Dask) or sent (workers): their keys are settled."""
    path, policy = _routed_sample()
    [(_, key)] = evaluate_path(path, policy)
    assert key is not None and key._locate is None and key.line is not None
    [(_, here)] = evaluate_path(path, policy, here=True)
    assert here is not None and here._locate is not None
    assert here == key


def test_a_batch_in_one_process_marks_duplicates_where_the_number_stands(tmp_path: Path) -> None:
    path, policy = _routed_sample()
    for name in ("a.xml", "b.xml"):
        (tmp_path / name).write_bytes(path.read_bytes())
    first, second = Batch(policy, jobs=1).results(
        [str(tmp_path / "a.xml"), str(tmp_path / "b.xml")]
    )
    [(_, key)] = evaluate_path(path, policy)
    assert first.decision is Decision.ROUTE and second.decision is Decision.ERROR
    found = next(f for f in second.findings if f.rule == "duplicate-number")
    assert (found.line, found.xpath) == (key.line, key.xpath)
