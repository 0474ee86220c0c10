"""How fast and how lean `kassavirta check` is, measured against the floor of plain lxml.

    python benchmarks/run.py --invoices 10000 [--schemas DIR] [--memory-files 100000]

On one set of generated invoices (benchmarks/generate.py, seeded) it measures,
one after another:

1. lxml parse only (read + parse each file, one process);
2. lxml parse + XSD validation: the floor no checker can beat;
3. `kassavirta check --jobs 1` (one process, start-up included);
4. `kassavirta check --jobs 2`;
5. the cold start of `kassavirta check one.xml` against `python -c "import lxml.etree"`;
6. the parent's peak memory (RSS) for 1,000 files against `--memory-files` files.

It prints each throughput, the ratios against the floor and the issue's
targets, and whether each holds. Wall-clock figures on a shared machine are
noisy: the load average is printed with them, and `--repeat` takes the best
of several runs. Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Python puts this folder first on sys.path; a sibling script named like a standard
# module (http.py) would then hide that module from everything imported here.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("kassavirta_bench_generate", HERE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load_generator().generate

SHARED_SCHEMAS = (
    Path(os.environ.get("KASSAVIRTA_SHARED", ROOT.parent / "shared")) / "reference/finvoice/schemas"
)

PEAK_WRAPPER = (
    "import resource, sys\n"
    "from kassavirta.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write('PEAK_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)\n"
)
"""Runs the real CLI and reports the peak RSS of that process alone (not of its workers)."""


@dataclass
class Timing:
    name: str
    seconds: float
    files: int
    cpu: float
    """CPU seconds of every process involved: less disturbed than wall time by a busy machine."""

    @property
    def rate(self) -> float:
        return self.files / self.seconds if self.seconds else float("inf")


def dataset(folder: Path, n: int, seed: int) -> Path:
    """The generated folder for (n, seed), made once and reused."""
    target = folder / f"invoices-{n}-seed{seed}"
    marker = target / ".complete"
    if not marker.exists():
        if target.exists():
            shutil.rmtree(target)
        started = time.perf_counter()
        print(f"generating {n} invoices in {target} ...", flush=True)
        generate(target, n, seed=seed)
        marker.write_text("ok\n")
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    return target


def xml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xml") if p.is_file())


def lxml_floor(files: list[Path], schema_file: Path | None, repeat: int) -> tuple[Timing, Timing]:
    """Parse only, and parse + XSD, in this process: the best of `repeat` runs each."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    schema = etree.XMLSchema(etree.parse(str(schema_file))) if schema_file else None

    def parse_all(validate: bool) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        for path in files:
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                root = etree.fromstring(data, parser)
            except etree.XMLSyntaxError:
                continue  # framed and broken files: the floor only parses what it can
            if validate and schema is not None:
                schema.validate(root)
        return time.perf_counter() - started, time.process_time() - cpu

    parse = min(parse_all(False) for _ in range(repeat))
    floor = min(parse_all(True) for _ in range(repeat)) if schema else parse
    return (
        Timing("lxml parse only", parse[0], len(files), parse[1]),
        Timing(
            "lxml parse + XSD (floor)" if schema else "lxml parse (floor, no XSD)",
            floor[0],
            len(files),
            floor[1],
        ),
    )


def kassavirta_cmd() -> list[str]:
    exe = shutil.which("kassavirta")
    return [exe] if exe else [sys.executable, "-m", "kassavirta.cli"]


def run_check(folder: Path, jobs: int, schemas: Path | None, repeat: int, files: int) -> Timing:
    cmd = [*kassavirta_cmd(), "check", str(folder), "--jobs", str(jobs), "--output", "jsonl"]
    if schemas:
        cmd += ["--schemas", str(schemas)]
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if done.returncode not in (0, 1):
            raise SystemExit(f"kassavirta check failed ({done.returncode}): {done.stderr}")
        best = min(best, (elapsed, cpu))
    return Timing(f"kassavirta check --jobs {jobs}", best[0], files, best[1])


def cold_start(one: Path, runs: int) -> tuple[float, float]:
    """Median wall time of `kassavirta check one.xml` and of `python -c "import lxml.etree"`."""

    def median(cmd: list[str]) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    check = median([*kassavirta_cmd(), "check", str(one), "--no-config", "--output", "jsonl"])
    bare = median([sys.executable, "-c", "import lxml.etree"])
    return check, bare


def peak_rss_kb(folder: Path, jobs: int) -> int:
    cmd = [sys.executable, "-c", PEAK_WRAPPER, "check", str(folder), "--jobs", str(jobs)]
    cmd += ["--output", "jsonl"]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in done.stderr.splitlines():
        if line.startswith("PEAK_RSS_KB="):
            return int(line.split("=", 1)[1])
    raise SystemExit(f"no peak RSS reported: {done.stderr[-2000:]}")


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISSES"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark kassavirta check against plain lxml on generated Finvoice invoices."
    )
    parser.add_argument(
        "--invoices", type=int, default=10_000, help="files to check (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--schemas",
        type=Path,
        help=f"folder with Finvoice3.0.xsd (default: {SHARED_SCHEMAS} when present)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("TMPDIR", "/tmp")) / "kassavirta-bench",
        help="where generated invoices are kept between runs",
    )
    parser.add_argument(
        "--memory-files",
        type=int,
        default=20_000,
        help="the large run of the memory comparison (the issue's figure is 100000; default "
        "20000 to keep the run short)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N for each throughput")
    parser.add_argument("--cold-runs", type=int, default=9, help="median of N cold starts")
    parser.add_argument("--jobs", type=int, default=2, help="the parallel run's --jobs (default 2)")
    args = parser.parse_args(argv)

    schemas = args.schemas or (SHARED_SCHEMAS if SHARED_SCHEMAS.is_dir() else None)
    schema_file = schemas / "Finvoice3.0.xsd" if schemas else None
    if schema_file is not None and not schema_file.is_file():
        schema_file, schemas = None, None
    cores = os.cpu_count() or 1
    print(
        f"machine: {cores} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if schemas is None:
        print(
            "note: no Finvoice 3.0 XSD found (give --schemas DIR): the floor is parse only, "
            "and the check runs without XSD validation"
        )
    else:
        print(f"schemas: {schemas}")

    data = dataset(args.data, args.invoices, args.seed)
    files = xml_files(data)
    n = len(files)
    print(f"data: {n} files in {data}\n")

    parse, floor = lxml_floor(files, schema_file, args.repeat)
    one = run_check(data, 1, schemas, args.repeat, n)
    many = run_check(data, args.jobs, schemas, args.repeat, n)
    check_cold, bare_cold = cold_start(files[0], args.cold_runs)

    small_folder = data / "batch-0001"
    small_files = len(xml_files(small_folder))
    large = data if args.memory_files <= n else dataset(args.data, args.memory_files, args.seed)
    large_files = args.memory_files if large is not data else n
    rss_small = peak_rss_kb(small_folder, args.jobs)
    rss_large = peak_rss_kb(large, args.jobs)

    print(
        f"{'measurement':34} {'seconds':>9} {'files/s':>9} {'× floor time':>13}"
        f" {'CPU s':>8} {'× floor CPU':>12}"
    )
    for t in (parse, floor, one, many):
        print(
            f"{t.name:34} {t.seconds:9.2f} {t.rate:9.0f} {t.seconds / floor.seconds:13.2f}"
            f" {t.cpu:8.2f} {t.cpu / floor.cpu:12.2f}"
        )
    print()
    speedup = one.seconds / many.seconds
    cold_ratio = check_cold / bare_cold
    rss_ratio = rss_large / rss_small
    print(
        f"cold start: kassavirta check one.xml {check_cold * 1000:.0f} ms, "
        f"python -c 'import lxml.etree' {bare_cold * 1000:.0f} ms"
    )
    print(
        f"peak RSS of the parent (--jobs {args.jobs}): {small_files} files {rss_small / 1024:.1f} MiB, "
        f"{large_files} files {rss_large / 1024:.1f} MiB"
    )
    print()
    print("target                                              measured   verdict")
    rows = [
        (
            "one-process check ≤ 3× the floor",
            f"{one.seconds / floor.seconds:.2f}×",
            one.seconds / floor.seconds <= 3,
        ),
        (f"--jobs {args.jobs} ≥ 1.7× faster than one process", f"{speedup:.2f}×", speedup >= 1.7),
        (
            f"peak RSS {large_files} files ≤ 1.2× {small_files} files",
            f"{rss_ratio:.2f}×",
            rss_ratio <= 1.2,
        ),
        ("cold start ≤ 4× bare import lxml.etree", f"{cold_ratio:.2f}×", cold_ratio <= 4),
    ]
    for label, measured, ok in rows:
        print(f"{label:50} {measured:>10}   {verdict(ok)}")
    if large_files != 100_000:
        print(
            f"\n(memory compared at {large_files} files; --memory-files 100000 for the issue's figure)"
        )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"(benchmark process itself: {usage.ru_maxrss / 1024:.0f} MiB peak)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
