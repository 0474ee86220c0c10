"""A run stopped by a signal, or losing a worker to one, still ends with a whole report.

Real runs in subprocesses, real signals: SIGTERM and SIGHUP close every output
format as a valid document (exit 128 + the signal), a worker killed with
SIGKILL is replaced and its files checked again, and no worker prints a
traceback when its parent goes. The only waits are generous time-outs.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from helpers import ROOT, TODAY_ISO
from kassavirta.pipeline.batch import KILL_HOOK

GOOD = ROOT / "samples" / "route" / "finvoice-3.0.xml"
WAIT = 300  # seconds: only ever reached when something hangs


@pytest.fixture
def many(tmp_path: Path) -> Iterator[Path]:
    if not GOOD.is_file():
        pytest.skip("samples/route/finvoice-3.0.xml is not there yet")
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(3000):
        (folder / f"{n:05d}.xml").symlink_to(GOOD)
    yield folder


def start(folder: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "kassavirta.cli", "check", str(folder), "--jobs", "2"]
    return subprocess.Popen(
        [*command, "--today", TODAY_ISO, "--no-config", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        start_new_session=True,  # its own process group, as a shell job gets
    )


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def wait_for_workers(proc: subprocess.Popen[str]) -> list[int]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and proc.poll() is None:
        workers = children(proc.pid)
        if len(workers) >= 2:
            return workers
        time.sleep(0.05)
    pytest.fail("the workers never started")


def finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """The rest of stdout and stderr, read through the same buffers as any `readline` before."""
    assert proc.stdout is not None and proc.stderr is not None
    read: dict[str, str] = {}

    def drain(name: str, stream: IO[str]) -> None:
        read[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
        threading.Thread(target=drain, args=("err", proc.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(WAIT)
    if any(reader.is_alive() for reader in readers):
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"the run hung for {WAIT} s")
    proc.wait(timeout=WAIT)
    return read["out"], read["err"]


def no_leftovers(proc: subprocess.Popen[str]) -> None:
    """No process of the run's group outlives it (orphans may take a moment to be reaped)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
        if not found.stdout.strip():
            return
        time.sleep(0.1)
    pytest.fail(f"processes outlived the run: {found.stdout.split()}")


def summary_of(output: str, out: str) -> dict[str, Any]:
    """The summary of a whole document in each format (each one parsed in full)."""
    if output == "json":
        summary: dict[str, Any] = json.loads(out)["summary"]
        return summary
    if output == "jsonl":
        lines = [json.loads(line) for line in out.splitlines()]
        assert all("summary" not in line for line in lines[:-1])
        summary = lines[-1]["summary"]
        assert summary["files"] == len(lines) - 1
        return summary
    if output == "sarif":
        summary = json.loads(out)["runs"][0]["properties"]["summary"]
        return summary
    if output == "junit":
        root = ET.fromstring(out)
        suite = root.find("testsuite")
        assert suite is not None
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        notes = (suite.findtext("system-out") or "").splitlines()
        assert int(props["files"] or 0) == len(suite.findall("testcase"))
        return {"files": int(props["files"] or 0), "notes": notes}
    match = re.search(r"\n(\d+) files?: \d+ route, \d+ bypass, \d+ error, \d+ invalid\n", out)
    assert match, out[-500:]
    notes = [line[len("note: ") :] for line in out.splitlines() if line.startswith("note: ")]
    return {"files": int(match.group(1)), "notes": notes}


@pytest.mark.parametrize(
    ("output", "signum", "group"),
    [
        ("text", signal.SIGTERM, False),
        ("json", signal.SIGTERM, True),
        ("jsonl", signal.SIGHUP, True),
        ("junit", signal.SIGTERM, False),
        ("sarif", signal.SIGHUP, False),
    ],
)
def test_sigterm_and_sighup_close_every_report_as_a_whole_document(
    many: Path, output: str, signum: signal.Signals, group: bool
) -> None:
    proc = start(many, "-O", output)
    wait_for_workers(proc)
    # `timeout` and a closing terminal signal the whole group; `kill PID` only the parent.
    (os.killpg if group else os.kill)(proc.pid, signum)
    out, err = finish(proc)
    if proc.returncode in (0, 1):
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 128 + signum, err
    summary = summary_of(output, out)
    note = next(n for n in summary["notes"] if n.startswith("interrupted"))
    files = summary["files"]
    assert note == (
        f"interrupted by {signum.name}: only the {files} file(s) above were checked; "
        f"{3000 - files} were not."
    )
    assert f"interrupted by {signum.name}" in err
    assert "Traceback" not in err
    no_leftovers(proc)


def test_a_worker_killed_from_outside_is_replaced_and_its_files_checked(many: Path) -> None:
    proc = start(many, "-O", "jsonl")
    assert proc.stdout is not None
    proc.stdout.readline()  # the run is under way
    workers = children(proc.pid)
    if not workers:
        pytest.skip("the run finished before a worker could be killed")
    os.kill(workers[0], signal.SIGKILL)  # what the kernel's out-of-memory killer sends
    rest, err = finish(proc)
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in rest.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["files"] == summary["bypass"] == 3000  # no settings: all sent directly
    assert "1 worker process(es) died during the run" in " ".join(summary["notes"])
    paths = [Path(line["path"]).name for line in lines[:-1]]
    assert paths == [f"{n:05d}.xml" for n in range(1, 3000)]  # every file, in order, once
    assert "Traceback" not in err
    no_leftovers(proc)


def test_a_file_that_kills_its_worker_twice_is_reported_not_lost(tmp_path: Path) -> None:
    if not GOOD.is_file():
        pytest.skip("samples/route/finvoice-3.0.xml is not there yet")
    for n in range(40):
        (tmp_path / f"{n:02d}.xml").symlink_to(GOOD)
    proc = start(tmp_path, "-O", "json", env={KILL_HOOK: "13.xml"})
    out, err = finish(proc)
    assert proc.returncode == 1, err
    document = json.loads(out)
    assert document["summary"]["files"] == 40
    assert document["summary"]["bypass"] == 39
    by_name = {Path(r["path"]).name: r for r in document["results"]}
    lost = by_name["13.xml"]
    assert (lost["decision"], lost["reasons"]) == ("invalid", ["internal-error"])
    assert "killed by SIGKILL, twice" in lost["findings"][0]["message"]
    assert [r["path"] for r in document["results"]] == sorted(str(p) for p in tmp_path.iterdir())
    assert "Traceback" not in err


def test_workers_leave_quietly_when_their_parent_is_killed(many: Path) -> None:
    proc = start(many, "-O", "jsonl")
    assert proc.stdout is not None
    proc.stdout.readline()
    workers = children(proc.pid)
    if not workers:
        pytest.skip("the run finished before its parent could be killed")
    os.kill(proc.pid, signal.SIGKILL)
    _, err = finish(proc)  # stderr ends when the last worker holding it has gone
    assert "Traceback" not in err and "Error" not in err, err
    no_leftovers(proc)


def test_a_signal_inside_atomic_blocks_waits_for_the_outermost_to_end() -> None:
    from kassavirta.pipeline.batch import Interrupts

    interrupts = Interrupts()
    with pytest.raises(KeyboardInterrupt), interrupts.atomic():
        with interrupts.atomic():
            interrupts._handler(signal.SIGTERM, None)
        assert interrupts.pending  # the inner block ended: still held
    assert interrupts.signum == signal.SIGTERM and not interrupts.pending
    assert interrupts.depth == 0
    held = Interrupts()
    with pytest.raises(ValueError), held.atomic():  # the block's own error goes first
        held._handler(signal.SIGINT, None)
        raise ValueError("the block's")
    assert held.depth == 0 and held.pending
