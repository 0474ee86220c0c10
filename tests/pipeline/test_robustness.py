"""Every broken input becomes an `invalid` result with its reason; a run never stops early.

The broken inputs sit among good invoices (copies of a sample), so each test
also shows that the good ones around them are still checked, in a pool of
workers as well as in one process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, TODAY_ISO
from kassavirta.config.policy import Policy, RunOptions, build_policy
from kassavirta.findings import CheckResult, Decision
from kassavirta.pipeline import evaluate as check_module
from kassavirta.pipeline.batch import Batch
from kassavirta.pipeline.evaluate import evaluate_path
from kassavirta.pipeline.walk import iter_input_names

GOOD = ROOT / "samples" / "route" / "finvoice-3.0.xml"


@pytest.fixture
def good() -> Path:
    if not GOOD.is_file():
        pytest.skip("samples/route/finvoice-3.0.xml is not there yet")
    return GOOD


def policy() -> Policy:
    from datetime import date

    return build_policy(RunOptions(), today=date.fromisoformat(TODAY_ISO))


def only(results: list[CheckResult]) -> CheckResult:
    assert len(results) == 1
    return results[0]


def invalid_because(path: Path | str, words: str) -> CheckResult:
    result = only([r for r, _ in evaluate_path(str(path), policy())])
    assert result.decision is Decision.INVALID, result
    message = result.findings[0].message
    assert words in message, message
    assert str(path) == result.path
    return result


# --- one case at a time ------------------------------------------------------------------


def test_a_good_invoice_is_not_invalid(good: Path) -> None:
    result = only([r for r, _ in evaluate_path(good, policy())])
    assert result.decision is not Decision.INVALID


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    assert invalid_because(empty, "empty").reasons == ["not-xml"]


def test_file_of_blanks_is_empty_too(tmp_path: Path) -> None:
    blank = tmp_path / "blank.xml"
    blank.write_bytes(b" \n\t\n")
    invalid_because(blank, "empty")


def test_non_xml_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.xml"
    text.write_text("Invoice 42: 100 EUR, due Friday\n")
    result = invalid_because(text, "Start tag expected")
    assert result.reasons == ["not-xml"] and result.findings[0].line == 1


def test_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "scan.xml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    invalid_because(binary, "this is a PNG image, not an XML invoice")
    unknown = tmp_path / "blob.xml"
    unknown.write_bytes(b"\x01\x02\x00\x03")
    invalid_because(unknown, "NUL byte")


def test_truncated_invoice(tmp_path: Path, good: Path) -> None:
    cut = tmp_path / "cut.xml"
    data = good.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert invalid_because(cut, "").reasons == ["not-xml"]


def test_directory_named_xml(tmp_path: Path) -> None:
    folder = tmp_path / "march.xml"
    folder.mkdir()
    invalid_because(folder, "folder, not a file")


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "gone.xml"
    link.symlink_to(tmp_path / "deleted-invoice.xml")
    result = invalid_because(link, "broken symbolic link")
    assert "deleted-invoice.xml" in result.findings[0].message


def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.symlink_to(b)
    b.symlink_to(a)
    invalid_because(a, "symbolic link loop")


def test_symlink_to_a_good_file_is_followed(tmp_path: Path, good: Path) -> None:
    link = tmp_path / "link.xml"
    link.symlink_to(good)
    assert only([r for r, _ in evaluate_path(link, policy())]).decision is not Decision.INVALID


def test_missing_file(tmp_path: Path) -> None:
    invalid_because(tmp_path / "never-written.xml", "no such file")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    invalid_because(fifo, "not a regular file")


def test_permission_error_on_open(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.xml"
    shutil.copy(good, locked)
    import kassavirta.pipeline.read as reading_module  # where the one file reader lives

    real_open = reading_module.os.open  # it opens a bare descriptor

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(reading_module.os, "open", guarded)
    invalid_because(locked, "permission denied")


def test_permission_error_for_real(tmp_path: Path, good: Path) -> None:
    locked = tmp_path / "locked.xml"
    shutil.copy(good, locked)
    locked.chmod(0)
    try:
        try:
            locked.open("rb").close()
        except PermissionError:
            pass
        else:
            pytest.skip("this user reads files whatever their mode (root)")
        invalid_because(locked, "permission denied")
    finally:
        locked.chmod(0o644)


def test_oversized_file_is_refused_by_its_size(tmp_path: Path, good: Path) -> None:
    big = tmp_path / "big.xml"
    shutil.copy(good, big)
    result = only([r for r, _ in evaluate_path(big, policy(), max_bytes=big.stat().st_size - 1)])
    assert result.decision is Decision.INVALID and result.reasons == ["unsafe-xml"]
    assert "over the" in result.findings[0].message


def test_a_folder_that_cannot_be_listed_is_reported(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ok").mkdir()
    shutil.copy(good, tmp_path / "ok" / "a.xml")
    secret = tmp_path / "secret"
    secret.mkdir()
    shutil.copy(good, secret / "b.xml")
    real_scandir = os.scandir

    def guarded(path: Any = ".") -> Any:
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    names = list(iter_input_names([tmp_path]))
    assert names == [str(tmp_path / "ok" / "a.xml"), str(secret)]
    result = invalid_because(secret, "cannot be listed")
    assert "Permission denied" in result.findings[0].message


def test_a_bug_of_ours_is_an_invalid_result_not_a_crash(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("adapter exploded")

    monkeypatch.setattr(check_module, "judge", broken)  # reading the invoice
    result = only([r for r, _ in evaluate_path(good, policy())])
    assert result.decision is Decision.INVALID and result.reasons == ["internal-error"]
    assert "RuntimeError: adapter exploded" in result.findings[0].message


# --- all of them in one run ----------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path: Path, good: Path) -> tuple[Path, dict[str, str]]:
    """A folder of good copies with every kind of broken input among them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(12):
        shutil.copy(good, folder / f"good-{n:02d}.xml")
    (folder / "empty.xml").write_bytes(b"")
    (folder / "notes.xml").write_text("not xml at all\n")
    (folder / "dir.xml").mkdir()
    (folder / "broken.xml").symlink_to(folder / "nowhere.xml")
    (folder / "loop.xml").symlink_to(folder / "loop.xml")
    os.mkfifo(folder / "pipe.xml")
    cut = good.read_bytes()
    (folder / "truncated.xml").write_bytes(cut[: len(cut) // 3])
    expected = {
        "empty.xml": "empty",
        "notes.xml": "Start tag expected",
        "dir.xml": "folder, not a file",
        "broken.xml": "broken symbolic link",
        "loop.xml": "symbolic link loop",
        "pipe.xml": "not a regular file",
        "truncated.xml": "",
    }
    return folder, expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_broken_input_is_reported_and_nothing_is_lost(
    mixed: tuple[Path, dict[str, str]], jobs: int
) -> None:
    folder, expected = mixed
    batch = Batch(policy(), jobs=jobs)
    results = list(batch.results(iter_input_names([folder, folder / "missing.xml"])))
    assert batch.parallel is (jobs == 2)
    by_name = {Path(r.path).name: r for r in results}
    assert len(results) == len(by_name) == 12 + len(expected) + 1
    for name, words in expected.items():
        assert by_name[name].decision is Decision.INVALID
        assert words in by_name[name].findings[0].message
    assert by_name["missing.xml"].decision is Decision.INVALID
    assert sum(r.decision is not Decision.INVALID for r in results) == 12
    summary = batch.summary()
    assert summary.files == len(results) and summary.invalid == len(expected) + 1


def test_the_command_line_reports_them_too(mixed: tuple[Path, dict[str, str]], cli: Any) -> None:
    folder, expected = mixed
    runs = [
        cli("check", str(folder), "--jobs", jobs, "--today", TODAY_ISO, "--no-config", "-O", "json")
        for jobs in ("1", "2")
    ]
    assert runs[0].stdout == runs[1].stdout
    assert {r.returncode for r in runs} == {1}
    document = json.loads(runs[0].stdout)
    assert document["summary"]["invalid"] == len(expected)
    assert document["summary"]["files"] == 12 + len(expected)


def test_ctrl_c_stops_the_workers_and_prints_what_finished(tmp_path: Path, good: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(1500):
        (folder / f"{n:05d}.xml").symlink_to(good)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kassavirta.cli",
            "check",
            str(folder),
            "--jobs",
            "2",
            "--today",
            TODAY_ISO,
            "--no-config",
            "-O",
            "jsonl",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,  # its own process group, as a shell job gets
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the parent and its workers
    rest = proc.stdout.read()
    err = proc.stderr.read()
    code = proc.wait(timeout=120)
    lines = [first, *rest.splitlines()]
    if code != 130:
        pytest.skip("the run finished before the interrupt arrived")
    summary = json.loads(lines[-1])["summary"]
    results = [json.loads(line) for line in lines[:-1]]
    assert 0 < len(results) < 1500
    assert summary["files"] == summary["invoices"] == len(results)
    assert any("interrupted" in note for note in summary["notes"])
    assert "interrupted" in err
    # No worker outlives the run.
    leftover = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
