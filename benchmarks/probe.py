"""One measurement in a fresh process, reported as one JSON line: both ends, for `run.py`.

`run.py` starts this script with a timeout for every measurement, so a run
that grows out of bounds is reported as a miss instead of hanging the
benchmark, and each figure comes from a process of its own (no caches or
memory carried over from another series). Two measurements:

    python benchmarks/probe.py floor --schema XSD --list FILES.txt [--repeat N] [--sync]
    python benchmarks/probe.py cli [--warm JSON-ARGS] [--repeat N] [--budget S] -- ARGS...

`floor` reads, parses (lxml) and XSD-validates the listed files: the cost no
checker can beat. With `--sync` it compiles the schema, says `ready` and
waits for a line on stdin before it starts, so `run.py` can start several at
the same moment (the parallel control).

`cli` runs the `kassavirta` console script's entry point in this process:
first the `--warm` arguments (imports, compiled schemas and settings are then
paid for), then ARGS up to `--repeat` times while the `--budget` seconds
last, and reports the best time. Only the documented command line is used,
never the toolkit's internal modules. The command's own output goes to
/dev/null; the JSON line goes to the original stdout.

The functions after "the parent's side" start these children (and any other
bounded command) from `run.py`, and kill a child's process group when its
time is up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from importlib import import_module, metadata
from pathlib import Path
from typing import Any, TextIO

ENTRY_POINT = "kassavirta.cli:main"
"""Where `python -m kassavirta.cli` and the console script start (when no metadata says otherwise)."""


def cli_main() -> Callable[[list[str]], int | None]:
    """The function behind the `kassavirta` console script."""
    found = [e for e in metadata.entry_points(group="console_scripts") if e.name == "kassavirta"]
    target = found[0].value if found else ENTRY_POINT
    module, _, attribute = target.partition(":")
    main: Callable[[list[str]], int | None] = getattr(import_module(module), attribute)
    return main


@contextlib.contextmanager
def quiet() -> Iterator[TextIO]:
    """Point fd 1 and 2 at /dev/null while the CLI runs; yield a stream on the real stdout."""
    sys.stdout.flush()
    sys.stderr.flush()
    report = os.fdopen(os.dup(1), "w", buffering=1)
    saved_err = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    try:
        yield report
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(report.fileno(), 1)
        os.dup2(saved_err, 2)
        os.close(saved_err)
        report.close()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_cli(main: Callable[[list[str]], int | None], args: list[str]) -> int:
    try:
        code = main(args)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    return int(code or 0)


def measure_cli(options: argparse.Namespace) -> dict[str, Any]:
    main = cli_main()
    if options.warm:
        run_cli(main, json.loads(options.warm))
    times: list[float] = []
    cpu: list[float] = []
    code = 0
    started = time.perf_counter()
    while len(times) < options.repeat:
        t, c = time.perf_counter(), time.process_time()
        code = run_cli(main, options.args)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if time.perf_counter() - started > options.budget:
            break
    return {"seconds": min(times), "cpu": min(cpu), "runs": len(times), "code": code}


def measure_floor(options: argparse.Namespace, report: TextIO) -> dict[str, Any]:
    from lxml import etree

    files = Path(options.list).read_text(encoding="utf-8").splitlines()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    schema = etree.XMLSchema(etree.parse(options.schema)) if options.schema else None
    if options.sync:
        report.write("ready\n")
        report.flush()
        sys.stdin.readline()
    best: tuple[float, float, float, float] | None = None
    for _ in range(options.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        for name in files:
            with open(name, "rb") as handle:
                data = handle.read()
            try:
                root = etree.fromstring(data, parser)
            except etree.XMLSyntaxError:
                continue  # framed and broken files: the floor only parses what it can
            if schema is not None:
                schema.validate(root)
        end = time.perf_counter()
        found = (end - start, time.process_time() - cpu, start, end)
        best = found if best is None or found < best else best
    assert best is not None
    return {
        "seconds": best[0],
        "cpu": best[1],
        "start": best[2],
        "end": best[3],
        "files": len(files),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    floor = sub.add_parser("floor", help="lxml parse + XSD of the listed files")
    floor.add_argument("--schema", help="the XSD (without it: parse only)")
    floor.add_argument("--list", required=True, help="a file naming one input per line")
    floor.add_argument("--repeat", type=int, default=1, help="best of N (default 1)")
    floor.add_argument("--sync", action="store_true", help="wait for a line on stdin first")
    cli = sub.add_parser("cli", help="the kassavirta command line, in this process")
    cli.add_argument("--warm", help="a JSON list of arguments to run once first")
    cli.add_argument("--repeat", type=int, default=1, help="best of up to N (default 1)")
    cli.add_argument("--budget", type=float, default=2.0, help="no new run after S seconds")
    cli.add_argument("args", nargs=argparse.REMAINDER, help="-- then the kassavirta arguments")
    options = parser.parse_args(argv)
    if options.what == "cli" and options.args[:1] == ["--"]:
        options.args = options.args[1:]
    with quiet() as report:
        found = measure_floor(options, report) if options.what == "floor" else measure_cli(options)
        found["peak_mib"] = peak_mib()
        report.write(json.dumps(found) + "\n")
    return 0


# --- the parent's side: what run.py calls ----------------------------------------------

THIS = Path(__file__).resolve()


class DidNotFinish(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not finish in {seconds:g} s")
        self.seconds = seconds


class Failed(Exception):
    pass


def bounded(cmd: Sequence[str], timeout: float, *, ok: Sequence[int] = (0, 1)) -> tuple[float, str]:
    """Run `cmd` in its own process group; (wall seconds, stdout). Killed with its group at `timeout`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise DidNotFinish(timeout) from None
    elapsed = time.perf_counter() - started
    if process.returncode not in ok:
        raise Failed(f"{' '.join(cmd[:4])} ... exited {process.returncode}: {err[-800:]}")
    if "Traceback (most recent call last)" in err:
        # Exit 1 is also what a crashed interpreter returns (e.g. the package is not
        # installed): a run that never checked anything must not be timed as a fast one.
        raise Failed(f"{' '.join(cmd[:4])} ... crashed: {err[-800:]}")
    return elapsed, out


def run_child(args: Sequence[str], timeout: float) -> dict[str, Any]:
    """One measurement of this script in a child process, bounded by `timeout`."""
    _, out = bounded([sys.executable, str(THIS), *args], timeout, ok=(0,))
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if found.get("code", 0) not in (0, 1):
        raise Failed(f"kassavirta {' '.join(args[-6:])} exited {found['code']}")
    return found


def cli(warm: list[str], args: list[str], repeat: int, timeout: float) -> dict[str, Any]:
    """The best time of `kassavirta ARGS` in a child, after a warm-up run of `warm` there."""
    options = ["--warm", json.dumps(warm), "--repeat", str(repeat), "--budget", "2"]
    return run_child(["cli", *options, "--", *args], timeout)


def floor_times(
    files: Sequence[Path], xsd: Path | None, folder: Path, repeat: int, timeout: float
) -> tuple[float, float]:
    """Wall and CPU seconds of lxml parse (+ XSD with `xsd`) of `files` in one child process."""
    listing = folder / "floor-files.txt"
    listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
    schema = ["--schema", str(xsd)] if xsd else []
    found = run_child(["floor", *schema, "--list", str(listing), "--repeat", str(repeat)], timeout)
    return float(found["seconds"]), float(found["cpu"])


def parallel_control(
    files: Sequence[Path], xsd: Path | None, folder: Path, timeout: float
) -> float:
    """Wall time of the floor split over two processes that start at the same moment."""
    children = []
    for half in (0, 1):
        listing = folder / f"control-{half}.txt"
        listing.write_text("".join(f"{f}\n" for f in files[half::2]), encoding="utf-8")
        cmd = [sys.executable, str(THIS), "floor", "--list", str(listing), "--sync"]
        cmd += ["--schema", str(xsd)] if xsd else []
        children.append(
            subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        )
    try:
        for child in children:  # both have compiled the schema
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise Failed("the parallel control did not start")
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        spans = []
        for child in children:
            out, _ = child.communicate(timeout=timeout)
            spans.append(json.loads(out.strip().splitlines()[-1]))
    except subprocess.TimeoutExpired:
        raise DidNotFinish(timeout) from None
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
    return float(max(s["end"] for s in spans) - min(s["start"] for s in spans))


if __name__ == "__main__":
    sys.exit(main())
