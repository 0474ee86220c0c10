"""`kassavirta check --jobs N`: the same results on every number of processes.

The folders are written by the seeded benchmark generator (realistic Finvoice
3.0, with invoices that reuse an earlier invoice's number and date in another
folder), plus the sample set, so the in-run duplicate rule is exercised
across files, folders and worker chunks.
"""

from __future__ import annotations

import io
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, benchmark_module, run_on_terminal
from kassavirta.config.policy import Policy, build_policy
from kassavirta.config.toml import load_config
from kassavirta.findings import CheckResult, Decision
from kassavirta.pipeline.batch import MIN_PARALLEL_FILES, Batch, Interrupts, StreamTally
from kassavirta.pipeline.evaluate import Checker
from kassavirta.pipeline.walk import iter_input_names, iter_inputs
from kassavirta.report.progress import BarProgress, NoProgress, progress_for, wanted


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 generated invoices in folders of 30, with cross-folder duplicate numbers."""
    folder = tmp_path_factory.mktemp("generated")
    counts = benchmark_module("generate").generate(folder, 120, seed=7, per_folder=30)
    assert counts.get("duplicate-in-batch", 0) >= 2
    return folder


def policy_of(folder: Path) -> Policy:
    options = load_config(folder / "kassavirta.toml")
    assert options.today is not None
    return build_policy(options, today=options.today)


def dumps(results: list[CheckResult]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in results]


def run_json(cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    done = cli("check", *args, "--output", "json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


# --- the same results whatever --jobs is -------------------------------------------------


def test_jobs_1_and_2_print_identical_json_with_cross_file_duplicates(
    cli: Any, generated: Path
) -> None:
    code1, one = run_json(cli, str(generated), "--jobs", "1")
    code2, two = run_json(cli, str(generated), "--jobs", "2")
    assert (code1, one) == (code2, two)
    assert code1 == 1  # the set holds send errors and invalid files
    in_run = [
        f
        for r in one["results"]
        for f in r["findings"]
        if f["rule"] == "duplicate-number" and "routed earlier in this run" in (f["detail"] or "")
    ]
    assert len(in_run) >= 2
    # The earlier invoice is named, and some collide across folders (so across worker chunks).
    folders = []
    for r in one["results"]:
        for f in r["findings"]:
            if f in in_run:
                earlier = f["detail"].split("this run: ", 1)[1].split(" (number", 1)[0]
                assert Path(earlier).as_posix() < Path(r["path"]).as_posix()
                folders.append(Path(earlier).parent != Path(r["path"]).parent)
    assert any(folders)
    summary = one["summary"]
    assert summary["files"] == 120
    assert summary["invoices"] == len(one["results"])


def test_jobs_identical_on_the_sample_set_too(cli: Any) -> None:
    assert run_json(cli, str(SAMPLES), "--jobs", "1") == run_json(cli, str(SAMPLES), "--jobs", "2")


def test_text_and_jsonl_identical_across_jobs(cli: Any, generated: Path) -> None:
    for output in ("text", "jsonl"):
        one = cli("check", str(generated), "--jobs", "1", "--output", output)
        two = cli("check", str(generated), "--jobs", "2", "--output", output)
        assert one.stdout == two.stdout and one.returncode == two.returncode
    lines = two.stdout.splitlines()
    assert json.loads(lines[-1])["summary"]["invoices"] == len(lines) - 1
    # The in-run duplicates are written as the parent changed them, not as a worker wrote them.
    assert sum("routed earlier in this run" in line for line in lines) >= 2


def test_pool_results_equal_the_single_process_checker(generated: Path) -> None:
    policy = policy_of(generated)
    batch = Batch(policy, jobs=2, chunksize=3)
    pooled = list(batch.results(iter_input_names([generated])))
    assert batch.parallel
    single = list(Checker(policy_of(generated)).check_paths(iter_inputs([generated])))
    assert dumps(pooled) == dumps(single)
    assert batch.summary().files == 120


def test_a_handful_of_files_runs_without_a_pool(generated: Path) -> None:
    few = list(iter_input_names([generated]))[: MIN_PARALLEL_FILES - 1]
    batch = Batch(policy_of(generated), jobs=2)
    assert len(list(batch.results(few))) >= len(few)
    assert not batch.parallel


def test_jobs_must_be_a_positive_number(cli: Any, tmp_path: Path) -> None:
    done = cli("check", str(tmp_path), "--jobs", "0")
    assert done.returncode == 2
    assert "1 or more" in done.stderr


def test_help_says_json_holds_results_and_jobs_defaults_to_every_core(cli: Any) -> None:
    done = cli("check", "--help")
    text = " ".join(done.stdout.split())
    assert "holds every result in memory" in text
    assert "default: every core" in text
    assert "junit" in text and "sarif" in text


# --- the in-run duplicate rule, over a real run ------------------------------------------------


def test_a_routed_duplicate_loses_its_reminder_schedule(generated: Path) -> None:
    results = list(Batch(policy_of(generated), jobs=1).results(iter_input_names([generated])))
    routed = [r for r in results if r.decision is Decision.ROUTE]
    assert routed and all(r.schedule is not None for r in routed)
    in_run = [r for r in results if "duplicate-number" in r.reasons]
    assert in_run and all(r.schedule is None for r in in_run)


def test_external_assignments_and_in_run_duplicates_together(generated: Path) -> None:
    policy = policy_of(generated)
    results = list(Batch(policy, jobs=1).results(iter_input_names([generated])))
    external = [
        r
        for r in results
        for f in r.findings
        if f.rule == "duplicate-number" and "assignments.json" in (f.detail or "")
    ]
    assert external  # the generated assignments.json blocks some numbers
    # Numbers blocked from outside never count as routed for later invoices.
    numbers = {r.invoice.number for r in external if r.invoice}
    assert all(
        r.decision is not Decision.ROUTE
        for r in results
        if r.invoice and r.invoice.number in numbers
    )


def test_stream_tally_counts_files_without_keeping_paths() -> None:
    tally = StreamTally()
    for n in range(5):
        tally.add(CheckResult(path=f"f{n}", document=1, decision=Decision.ROUTE))
        tally.add(CheckResult(path=f"f{n}", document=2, decision=Decision.ERROR))
        assert not tally.paths
    summary = tally.summary()
    assert (summary.files, summary.invoices, summary.route, summary.error) == (5, 10, 5, 5)


def test_ctrl_c_waits_for_the_result_being_written() -> None:
    interrupts = Interrupts()
    written: list[int] = []
    with interrupts.installed(), pytest.raises(KeyboardInterrupt):
        for n in range(3):
            with interrupts.atomic():
                written.append(n)
                os.kill(os.getpid(), signal.SIGINT)  # arrives mid-write: held
                written.append(n)  # the rest of the same result
    assert written == [0, 0]
    with pytest.raises(KeyboardInterrupt), interrupts.installed():
        os.kill(os.getpid(), signal.SIGINT)  # outside a write: at once
        time.sleep(5)


# --- the progress bar ------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert not wanted(io.StringIO())
    assert wanted(FakeTerminal())
    assert isinstance(progress_for(io.StringIO()), NoProgress)
    assert not isinstance(progress_for(io.StringIO()), BarProgress)
    assert isinstance(progress_for(FakeTerminal()), BarProgress)
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(FakeTerminal())


def test_no_progress_output_when_stderr_is_not_a_terminal(cli: Any, generated: Path) -> None:
    done = cli("check", str(generated), "--jobs", "2", "--output", "jsonl")
    assert done.returncode == 1
    assert done.stderr == ""


def _run_with_terminal_stderr(tmp: Path, *args: str) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (as in a person's shell), stdout captured."""
    return run_on_terminal(*args, terminal="stderr", env={"TERM": "xterm", "COLUMNS": "160"})


def test_progress_bar_on_a_terminal_with_or_without_quiet(generated: Path, tmp_path: Path) -> None:
    code, out, terminal = _run_with_terminal_stderr(
        tmp_path, "check", str(generated), "-O", "jsonl"
    )
    assert code == 1
    assert "checking" in terminal and "route" in terminal
    assert "checking" not in out  # the bar never mixes into the results
    # --quiet quietens the report on stdout; a person at the terminal still sees the bar.
    code, out, terminal = _run_with_terminal_stderr(tmp_path, "check", str(generated), "-q")
    assert code == 1 and "checking" in terminal
    assert "checking" not in out


def test_the_run_never_adds_to_the_callers_assignment_index(generated: Path) -> None:
    policy = policy_of(generated)
    before = len(policy.assignments)
    results = list(Batch(policy, jobs=2).results(iter_input_names([generated])))
    assert any(r.decision is Decision.ROUTE for r in results)
    assert len(policy.assignments) == before


def test_with_the_xsd_schema_breaks_are_invalid_and_no_schema_is_said_missing(
    generated: Path, schema_dir: Path
) -> None:
    options = load_config(generated / "kassavirta.toml")
    options.schemas = [schema_dir]
    assert options.today is not None
    batch = Batch(build_policy(options, today=options.today), jobs=2)
    results = list(batch.results(iter_input_names([generated])))
    broken = [r for r in results if r.reasons == ["schema"]]
    assert len(broken) == 2  # the generator's two schema-invalid invoices
    assert all(r.schema_check == "invalid" for r in broken)
    assert {r.schema_check for r in results if r.format == "finvoice-3.0"} <= {"valid", "invalid"}
    assert not any("skipped" in note for note in batch.summary().notes)
