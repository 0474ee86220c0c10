"""The child side of `run.py`: one measurement in a fresh process, reported as one JSON line.

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
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
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


if __name__ == "__main__":
    sys.exit(main())
