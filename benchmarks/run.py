"""How fast `kassavirta` is, in ratios against baselines measured in the same run.

    python benchmarks/run.py [--quick] [--only SECTION,...] [--schemas DIR] [sizes...]

Every verdict is on a ratio to a baseline measured in the same run on the
same machine, never on an absolute time, so a busy or slow machine moves both
sides (except the 5 s / 500 MiB ceiling per input, which the issue sets in
absolute terms).
Sections (issue 13, "Build" 6 and "Done when"):

  check     generated invoices (benchmarks/generate.py, seeded): `check --jobs 1`
            ÷ the floor (lxml parse + XSD of the same files, one process);
            `--jobs 2` ÷ `--jobs 1` beside a parallel control (the floor split
            over two processes started together), so a busy machine shows
  cold      `kassavirta check one.xml` ÷ `python -c "import lxml.etree"` (medians)
  memory    the parent's peak RSS checking 1,000 files against --memory-files files
  rows      one invoice of 1k/2k/4k/8k rows: check ÷ that file's own floor, and the
            growth of the check time (a growth target is 1.5× the input's growth:
            8× the input may cost at most 12× the time)
  multi     one file of many documents (0.25/0.5/1/2 MB), as SOAP frame + Finvoice
            pairs and as tiny Finvoice roots: time and growth
  rewrite   `kassavirta rewrite` on the row series: growth
  limit     every format's routed sample, its last row repeated up to --limit-mib,
            and hostile files of the densest markup the reader parses at that size
            (`check`), and a clean Finvoice of that size (`rewrite`, PDF `preview`):
            time and peak memory against the 5 s / 500 MiB ceiling
  payments  `kassavirta payments` of one camt.054 (half the credits paid by
            reference, half unmatched) against ledgers of 10 / 1k / 10k
            assignments (imported with `kassavirta ledger import` first, not
            timed): the largest ÷ the smallest
  http      `kassavirta serve` (1 worker) on 127.0.0.1: POST /v1/check p50/p99
            with 1 and 8 requests in flight ÷ `kassavirta.check_bytes` in this
            process (which builds its run's policy on every call, as the
            public API does); loops bounded by --http-requests and --http-seconds

The toolkit is driven only through its command line (`kassavirta ...` and the
console script's entry point, in benchmarks/probe.py), its public API and
HTTP. Each measurement runs in a child process with a timeout (--timeout): a
run that does not finish is reported as a MISS with the time it was given;
no input under the size limit should take more than 5 s. Times inside the
series exclude start-up (probe.py runs the command once on a small input
first, then times it); `check`, `--jobs` and cold-start times include it.

It prints a table (measure, value, baseline, ratio, target, verdict). On a
shared machine the figures are noisy: the load average is printed with them,
`--repeat` takes the best of several runs, and the parallel control says when
the `--jobs` target cannot be judged. Nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLES = ROOT / "samples"
TODAY = "2026-12-01"
SLOWEST = 5.0
"""Issue 13: no input under the size limit may take longer than this (seconds)."""
BIGGEST = 500.0
"""Issue 13: nor more memory than this (MiB, the peak RSS of the process that checks it)."""


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"kassavirta_bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations there
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
probe = _load("probe")
http_check = _load("http_check")
kassavirta_cmd = http_check.kassavirta_cmd

SHARED_SCHEMAS = (
    Path(os.environ.get("KASSAVIRTA_SHARED", ROOT.parent / "shared")) / "reference/finvoice/schemas"
)
SECTIONS = ("check", "cold", "memory", "rows", "multi", "rewrite", "limit", "payments", "http")


@dataclass
class Sizes:
    """What each section measures; `--quick` scales every series down, keeping 8× growth."""

    invoices: int = 10_000
    memory_files: int = 20_000
    rows: tuple[int, ...] = (1000, 2000, 4000, 8000)
    multi_kb: tuple[int, ...] = (256, 512, 1024, 2048)
    limit_mib: float = 19.5
    ledgers: tuple[int, ...] = (10, 1000, 10_000)
    credits: int = 100
    rounds: int = 3
    repeat: int = 3
    cold_runs: int = 9
    http_seconds: float = 5.0
    http_requests: int = 5000
    timeout: float = 60.0


QUICK = Sizes(
    invoices=1000,
    memory_files=2000,
    rows=(250, 500, 1000, 2000),
    multi_kb=(64, 128, 256, 512),
    limit_mib=2.0,
    ledgers=(10, 1000, 10_000),
    credits=2,
    rounds=1,
    cold_runs=5,
    http_seconds=2.0,
    http_requests=1000,
    timeout=20.0,
)


@dataclass
class Row:
    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.measure}: {row.value} {row.ratio} {row.verdict}", file=sys.stderr)

    def print(self) -> None:
        head = Row("measure", "value", "baseline", "ratio", "target", "verdict")
        rows = [head, *self.rows]
        widths = [max(len(getattr(r, f)) for r in rows) for f in Row.__dataclass_fields__]
        for n, r in enumerate(rows):
            cells = [getattr(r, f) for f in Row.__dataclass_fields__]
            print(
                "  ".join(
                    c.ljust(w) if i in (0, 2, 4) else c.rjust(w) if i < 5 else c
                    for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                ).rstrip()
            )
            if n == 0:
                print("  ".join("-" * w for w in widths))


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISS"


def secs(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def times(value: float) -> str:
    return f"{value:.2f}×"


def probe_cli(warm: list[str], args: list[str], sizes: Sizes) -> dict[str, Any]:
    """The best time of `kassavirta ARGS` in one process, after a warm-up run of `warm`."""
    found: dict[str, Any] = probe.cli(warm, args, sizes.repeat, sizes.timeout)
    return found


def probe_floor(
    files: Sequence[Path], xsd: Path | None, folder: Path, repeat: int, timeout: float
) -> float:
    return float(probe.floor_times(files, xsd, folder, repeat, timeout)[0])


# --- inputs -----------------------------------------------------------------------------


def dataset(folder: Path, n: int, seed: int) -> Path:
    """The generated folder for (n, seed), made once and reused."""
    target = folder / f"invoices-{n}-seed{seed}"
    marker = target / ".complete"
    if not marker.exists():
        if target.exists():
            shutil.rmtree(target)
        started = time.perf_counter()
        print(f"generating {n} invoices in {target} ...", file=sys.stderr, flush=True)
        generate.generate(target, n, seed=seed)
        marker.write_text("ok\n")
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return target


def xml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xml") if p.is_file())


def check_args(path: Path, schemas: Path | None) -> list[str]:
    """`kassavirta check` of one generated file, pinned like the samples."""
    args = ["check", str(path), "--settings", str(SAMPLES / "settings.json"), "--today", TODAY]
    args += ["--no-config", "--output", "jsonl"]
    return [*args, "--schemas", str(schemas)] if schemas else args


def rewrite_args(path: Path, out: Path) -> list[str]:
    args = ["rewrite", str(path), "--settings", str(SAMPLES / "settings.json"), "--today", TODAY]
    return [*args, "--no-config", "-o", str(out)]


def ledger(folder: Path, size: int, credits: int, timeout: float) -> tuple[Path, Path]:
    """A ledger of `size` generated assignments (imported with the CLI) and a camt.054 for it."""
    exported = folder / f"assignments-{size}.json"
    exported.write_text(json.dumps(generate.assignments(size)), encoding="utf-8")
    database = folder / f"ledger-{size}.sqlite3"
    database.unlink(missing_ok=True)
    probe.bounded(
        [*kassavirta_cmd(), "ledger", "import", str(exported), "--ledger", str(database)],
        timeout,
        ok=(0,),
    )
    camt = folder / f"camt054-{credits}-for-{size}.xml"
    camt.write_bytes(generate.camt054(credits, size))
    return database, camt


# --- sections ---------------------------------------------------------------------------


@dataclass
class Context:
    sizes: Sizes
    schemas: Path | None
    xsd: Path | None
    data: Path
    work: Path
    seed: int
    jobs: int
    report: Report


def run_check(folder: Path, jobs: int, schemas: Path | None, timeout: float) -> tuple[float, float]:
    """Wall and CPU seconds (the command's and its workers') of `kassavirta check FOLDER`."""
    cmd = [*kassavirta_cmd(), "check", str(folder), "--jobs", str(jobs), "--output", "jsonl"]
    cmd += ["--schemas", str(schemas)] if schemas else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, out = probe.bounded(cmd, timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    answered = out.count("\n")
    wanted = len(xml_files(folder))
    if answered < wanted:  # every file has a result line: a shorter run checked less
        raise probe.Failed(f"check {folder} answered {answered} lines for {wanted} files")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def section_check(ctx: Context) -> None:
    sizes = ctx.sizes
    data = dataset(ctx.data, sizes.invoices, ctx.seed)
    files = xml_files(data)
    timeout = max(sizes.timeout, sizes.invoices / 100)
    best: dict[str, tuple[float, float]] = {}
    for _ in range(sizes.rounds):  # side by side, in each round
        control = probe.parallel_control(files, ctx.xsd, ctx.work, timeout)
        found = {
            "parse": probe.floor_times(files, None, ctx.work, 1, timeout),
            "floor": probe.floor_times(files, ctx.xsd, ctx.work, 1, timeout),
            "control": (control, control),
            "jobs1": run_check(data, 1, ctx.schemas, timeout),
            "jobsN": run_check(data, ctx.jobs, ctx.schemas, timeout),
        }
        best = {k: min(v, best.get(k, v)) for k, v in found.items()}
    wall = {k: v[0] for k, v in best.items()}
    cpu = {k: v[1] for k, v in best.items()}
    n = len(files)
    floor = "lxml parse + XSD" if ctx.xsd else "lxml parse (no XSD)"
    if ctx.xsd:
        ctx.report.add(
            Row(
                f"lxml parse only, {n} files",
                f"{secs(wall['parse'])} ({n / wall['parse']:.0f}/s)",
                f"{floor} {secs(wall['floor'])}",
                times(wall["parse"] / wall["floor"]),
            )
        )
    ratio = wall["jobs1"] / wall["floor"]
    ctx.report.add(
        Row(
            f"check {n} files, one process",
            f"{secs(wall['jobs1'])} ({n / wall['jobs1']:.0f}/s)",
            f"{floor} {secs(wall['floor'])}",
            times(ratio),
            "≤ 3× (goal 2×)",
            verdict(ratio <= 3),
        )
    )
    ctx.report.add(
        Row(
            "  the same in CPU seconds",
            secs(cpu["jobs1"]),
            f"floor {secs(cpu['floor'])}",
            times(cpu["jobs1"] / cpu["floor"]),
        )
    )
    control = wall["floor"] / wall["control"]
    free = control >= 1.9
    ctx.report.add(
        Row(
            "parallel control: floor on 2 processes",
            secs(wall["control"]),
            f"floor {secs(wall['floor'])}",
            times(control),
            "≥ 1.9× (machine free)",
            "free" if free else "busy",
        )
    )
    speedup = wall["jobs1"] / wall["jobsN"]
    ctx.report.add(
        Row(
            f"check --jobs {ctx.jobs}",
            f"{secs(wall['jobsN'])} ({n / wall['jobsN']:.0f}/s)",
            f"--jobs 1 {secs(wall['jobs1'])}",
            times(speedup),
            "≥ 1.7× if control ≥ 1.9×",
            verdict(speedup >= 1.7) if free else f"not judged (control {control:.2f}×)",
        )
    )
    ctx.report.add(
        Row(
            f"  --jobs {ctx.jobs} in CPU seconds",
            secs(cpu["jobsN"]),
            f"--jobs 1 {secs(cpu['jobs1'])}",
            times(cpu["jobsN"] / cpu["jobs1"]),
        )
    )


def section_cold(ctx: Context) -> None:
    one = SAMPLES / "route" / "finvoice-3.0.xml"

    def median(cmd: list[str]) -> float:
        runs = [float(probe.bounded(cmd, ctx.sizes.timeout)[0]) for _ in range(ctx.sizes.cold_runs)]
        return statistics.median(runs)

    # An installed wheel carries compiled bytecode (pip compiles at install); an
    # editable checkout under PYTHONDONTWRITEBYTECODE has none and would time the
    # compiler, not the start-up. Compile the package the command imports, like pip.
    package = importlib.util.find_spec("kassavirta")
    if package is not None and package.origin is not None:
        compiled = [sys.executable, "-m", "compileall", "-q", str(Path(package.origin).parent)]
        probe.bounded(compiled, ctx.sizes.timeout, ok=(0,))
    bare = median([sys.executable, "-c", "import lxml.etree"])
    # The measure is a plain one-file check; with activation settings the
    # settings' validation (pydantic) loads too, shown beside it for information.
    plain = median([*kassavirta_cmd(), "check", str(one), "--no-config", "--today", TODAY])
    check = median([*kassavirta_cmd(), *check_args(one, None)])
    ratio = plain / bare
    ctx.report.add(
        Row(
            "cold start: check one.xml",
            f"{plain * 1000:.0f} ms",
            f"import lxml.etree {bare * 1000:.0f} ms",
            times(ratio),
            "≤ 4×",
            verdict(ratio <= 4),
        )
    )
    ctx.report.add(
        Row(
            "  the same with --settings",
            f"{check * 1000:.0f} ms",
            f"import lxml.etree {bare * 1000:.0f} ms",
            times(check / bare),
            "",
            "",
        )
    )


def section_memory(ctx: Context) -> None:
    sizes = ctx.sizes
    small = dataset(ctx.data, sizes.invoices, ctx.seed) / "batch-0001"
    large = dataset(ctx.data, max(sizes.memory_files, sizes.invoices), ctx.seed)
    timeout = max(sizes.timeout, sizes.memory_files / 100)

    def peak(folder: Path) -> float:
        args = ["check", str(folder), "--jobs", str(ctx.jobs), "--output", "jsonl"]
        return float(probe.run_child(["cli", "--", *args], timeout)["peak_mib"])

    low, high = peak(small), peak(large)
    ratio = high / low
    ctx.report.add(
        Row(
            f"peak RSS of the parent, {len(xml_files(large))} files",
            f"{high:.1f} MiB",
            f"{len(xml_files(small))} files {low:.1f} MiB",
            times(ratio),
            "≤ 1.2×",
            verdict(ratio <= 1.2),
        )
    )


@dataclass
class Point:
    label: str
    seconds: float | None
    """None: did not finish in the timeout."""
    floor: float | None = None
    peak_mib: float = 0.0

    @property
    def short(self) -> str:
        """The label without its size in MB: `2000 rows (1.26 MB)` -> `2000 rows`."""
        return self.label.split(" (")[0]


def series(
    ctx: Context,
    name: str,
    points: list[tuple[str, Callable[[], dict[str, Any]], Callable[[], float] | None]],
) -> list[Point]:
    """Measure each point; a point that times out ends the series (larger ones would too)."""
    found: list[Point] = []
    for label, measure, floor in points:
        try:
            result = measure()
        except probe.DidNotFinish:
            found.append(Point(label, None))
            ctx.report.add(
                Row(
                    f"{name}, {label}",
                    f"> {ctx.sizes.timeout:g} s",
                    ratio="",
                    target=f"≤ {SLOWEST:g} s",
                    verdict=f"MISS (did not finish in {ctx.sizes.timeout:g} s)",
                )
            )
            break
        point = Point(
            label, float(result["seconds"]), floor() if floor else None, float(result["peak_mib"])
        )
        found.append(point)
        assert point.seconds is not None
        ctx.report.add(
            Row(
                f"{name}, {label}",
                f"{secs(point.seconds)}, {point.peak_mib:.0f} MiB",
                f"floor {secs(point.floor)}" if point.floor else "",
                times(point.seconds / point.floor) if point.floor else "",
                f"≤ {SLOWEST:g} s, ≤ {BIGGEST:g} MiB",
                verdict(point.seconds <= SLOWEST and point.peak_mib <= BIGGEST),
            )
        )
    return found


def linear(sizes: Sequence[int]) -> float:
    """The most time a linear cost may grow over `sizes`: 1.5× the input's growth (8× -> 12×)."""
    return 1.5 * sizes[-1] / sizes[0]


def growth(ctx: Context, name: str, found: list[Point], wanted: int, limit: float) -> None:
    """The last point's time over the first's, against `limit` for `wanted`× the input."""
    first, last = found[0], found[-1]
    if first.seconds is None:
        ctx.report.add(Row(f"{name}: growth", "n/a", verdict="MISS (smallest did not finish)"))
        return
    if len(found) < wanted or last.seconds is None:
        top = ctx.sizes.timeout / first.seconds
        ctx.report.add(
            Row(
                f"{name}: growth {last.short} ÷ {first.short}",
                f"> {ctx.sizes.timeout:g} s",
                secs(first.seconds),
                f"> {top:.0f}×",
                f"≤ {limit:g}×",
                "MISS",
            )
        )
        return
    ratio = last.seconds / first.seconds
    ctx.report.add(
        Row(
            f"{name}: growth {last.short} ÷ {first.short}",
            secs(last.seconds),
            secs(first.seconds),
            times(ratio),
            f"≤ {limit:g}×",
            verdict(ratio <= limit),
        )
    )


def row_files(ctx: Context) -> tuple[Path, list[tuple[int, Path]]]:
    small = ctx.work / "rows-10.xml"
    small.write_bytes(generate.row_invoice(10))
    made = []
    for n in ctx.sizes.rows:
        path = ctx.work / f"rows-{n}.xml"
        if not path.exists():
            path.write_bytes(generate.row_invoice(n))
        made.append((n, path))
    return small, made


def mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB"


def section_rows(ctx: Context) -> None:
    small, made = row_files(ctx)
    warm = check_args(small, ctx.schemas)
    found = series(
        ctx,
        "check",
        [
            (
                f"{n} rows ({mb(path)})",
                partial(probe_cli, warm, check_args(path, ctx.schemas), ctx.sizes),
                partial(probe_floor, [path], ctx.xsd, ctx.work, 3, ctx.sizes.timeout),
            )
            for n, path in made
        ],
    )
    growth(ctx, "check rows", found, len(made), linear(ctx.sizes.rows))
    last = found[-1]
    if last.seconds is not None and last.floor and len(found) == len(made):
        ratio = last.seconds / last.floor
        ctx.report.add(
            Row(
                f"check, {last.short} ÷ its floor",
                secs(last.seconds),
                f"floor {secs(last.floor)}",
                times(ratio),
                "≤ 3×",
                verdict(ratio <= 3),
            )
        )


def section_rewrite(ctx: Context) -> None:
    small, made = row_files(ctx)
    warm = rewrite_args(small, ctx.work / "rewritten-warm.xml")
    out = ctx.work / "rewritten.xml"
    found = series(
        ctx,
        "rewrite",
        [
            (
                f"{n} rows ({mb(path)})",
                partial(probe_cli, warm, rewrite_args(path, out), ctx.sizes),
                None,
            )
            for n, path in made
        ],
    )
    growth(ctx, "rewrite rows", found, len(made), linear(ctx.sizes.rows))


def section_multi(ctx: Context) -> None:
    """Two files of many documents: real SOAP frame + invoice pairs, and tiny Finvoice roots."""
    for kind, make, unit in (
        ("pairs", generate.multi_document, "frame + invoice pairs"),
        ("roots", generate.small_documents, "tiny Finvoice roots"),
    ):
        small = ctx.work / f"multi-{kind}-warm.xml"
        small.write_bytes(make(8_000))
        made = []
        for kb in ctx.sizes.multi_kb:
            path = ctx.work / f"multi-{kind}-{kb}k.xml"
            if not path.exists():
                path.write_bytes(make(kb * 1024))
            made.append((path.read_bytes().count(b"<Finvoice "), path))
        warm = check_args(small, ctx.schemas)
        found = series(
            ctx,
            f"check {unit}",
            [
                (
                    f"{docs} docs ({mb(path)})",
                    partial(probe_cli, warm, check_args(path, ctx.schemas), ctx.sizes),
                    None,
                )
                for docs, path in made
            ],
        )
        growth(ctx, f"multi-document {kind}", found, len(made), linear(ctx.sizes.multi_kb))


def section_limit(ctx: Context) -> None:
    """Each format's reader on one long invoice just under the default size limit."""
    target = int(ctx.sizes.limit_mib * 1024 * 1024)
    points: list[tuple[str, Callable[[], dict[str, Any]], Callable[[], float] | None]] = []
    for name, row in generate.LIMIT_ROWS.items():
        sample = SAMPLES / "route" / name
        path = ctx.work / f"limit-{target}-{name}"
        # In a process of its own: a child measured later must not start with the
        # memory this process took to build a 20 MiB tree (a fork inherits its RSS).
        grow = (
            "import pathlib, sys; sys.path.insert(0, sys.argv[1]); import generate; "
            "data, rows = generate.grown(pathlib.Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])); "
            "pathlib.Path(sys.argv[5]).write_bytes(data); print(rows)"
        )
        made = subprocess.run(
            [sys.executable, "-c", grow, str(HERE), str(sample), row, str(target), str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows = int(made.stdout)
        warm = check_args(sample, ctx.schemas)
        label = f"{Path(name).stem} ({mb(path)}, {rows} rows)"
        points.append(
            (label, partial(probe_cli, warm, check_args(path, ctx.schemas), ctx.sizes), None)
        )
    # Hostile files as dense as the reader parses (pipeline.read: one node per 6 bytes of the
    # size limit, an element or an attribute weighing 2, a text 1), here of `target`'s size.
    warm = check_args(SAMPLES / "route" / "finvoice-3.0.xml", ctx.schemas)
    for label, unit, weight in (("<a/>", b"<a/>", 2), ('<a b="">x</a>', b'<a b="">x</a>', 5)):
        count = (target // 6 - 16) // weight
        path = ctx.work / f"limit-{target}-dense-{weight}.xml"
        path.write_bytes(
            b'<?xml version="1.0"?><Finvoice Version="3.0">' + unit * count + b"</Finvoice>"
        )
        points.append(
            (
                f"densest markup, {count} x {label} ({mb(path)})",
                partial(probe_cli, warm, check_args(path, ctx.schemas), ctx.sizes),
                None,
            )
        )
    series(ctx, "check at the size limit", points)
    # Rewriting and previewing do more than checking (the output is parsed again to verify
    # it, the preview reads it into models and lays out its first rows): a clean Finvoice
    # of the row series at that size.
    rows = target // len(generate.row_invoice(1000)) * 1000
    path = ctx.work / f"limit-{target}-rows.xml"
    write = (  # in a process of its own, as above
        "import pathlib, sys; sys.path.insert(0, sys.argv[1]); import generate; "
        "pathlib.Path(sys.argv[3]).write_bytes(generate.row_invoice(int(sys.argv[2])))"
    )
    subprocess.run([sys.executable, "-c", write, str(HERE), str(rows), str(path)], check=True)
    small = ctx.work / "limit-rows-warm.xml"
    small.write_bytes(generate.row_invoice(10))
    out = ctx.work / "limit-rewritten.xml"
    page = ctx.work / "limit-preview.pdf"
    label = f"finvoice-3.0 ({mb(path)}, {rows} rows)"
    series(
        ctx,
        "at the size limit",
        [
            (
                f"rewrite {label}",
                partial(probe_cli, rewrite_args(small, out), rewrite_args(path, out), ctx.sizes),
                None,
            ),
            (
                f"preview {label}",
                partial(
                    probe_cli,
                    ["preview", *rewrite_args(small, page)[1:]],
                    ["preview", *rewrite_args(path, page)[1:]],
                    ctx.sizes,
                ),
                None,
            ),
        ],
    )


def section_payments(ctx: Context) -> None:
    sizes = ctx.sizes
    warm_folder = ctx.work / "warm"
    warm_folder.mkdir(exist_ok=True)
    warm_db, warm_camt = ledger(warm_folder, 10, 2, sizes.timeout)
    warm = ["payments", str(warm_camt), "--ledger", str(warm_db)]
    inputs = [(n, *ledger(ctx.work, n, sizes.credits, sizes.timeout)) for n in sizes.ledgers]
    found = series(
        ctx,
        f"payments, {sizes.credits} credits",
        [
            (
                f"ledger of {n}",
                partial(probe_cli, warm, ["payments", str(camt), "--ledger", str(db)], sizes),
                None,
            )
            for n, db, camt in inputs
        ],
    )
    growth(ctx, "payments", found, len(inputs), 3)


def section_http(ctx: Context) -> None:
    sizes = ctx.sizes
    data = (SAMPLES / "route" / "finvoice-3.0.xml").read_bytes()
    base = http_check.in_process(data, sizes.http_seconds, sizes.http_requests)
    settings = http_check.settings_file(ctx.work)
    with http_check.server(settings, 1) as port:
        one = http_check.load(port, data, 1, sizes.http_seconds, sizes.http_requests)
        eight = http_check.load(port, data, 8, sizes.http_seconds, sizes.http_requests)
    inproc = "in-process {:.2f} ms"
    above = one.p99_ms - base.p99_ms
    for label, got, which, target, ok in (
        ("p50, 1 in flight", one.p50_ms, base.p50_ms, "", ""),
        (
            "p99, 1 in flight",
            one.p99_ms,
            base.p99_ms,
            "≤ in-process + 2 ms",
            verdict(above <= 2) + f" (+{above:.2f} ms)",
        ),
        ("p50, 8 in flight", eight.p50_ms, base.p50_ms, "", ""),
        ("p99, 8 in flight", eight.p99_ms, base.p99_ms, "", ""),
    ):
        ctx.report.add(
            Row(
                f"HTTP /v1/check {label}",
                f"{got:.2f} ms",
                inproc.format(which),
                times(got / which),
                target,
                ok,
            )
        )
    failures = one.failures + eight.failures
    ctx.report.add(
        Row(
            "HTTP throughput, 8 in flight",
            f"{eight.per_s:.0f} req/s",
            f"in-process {base.per_s:.0f}/s",
            times(eight.per_s / base.per_s),
            "",
            f"{failures} non-200" if failures else "",
        )
    )


RUNNERS: dict[str, Callable[[Context], None]] = {
    "check": section_check,
    "cold": section_cold,
    "memory": section_memory,
    "rows": section_rows,
    "multi": section_multi,
    "rewrite": section_rewrite,
    "limit": section_limit,
    "payments": section_payments,
    "http": section_http,
}


def int_list(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


def build_of() -> str:
    """Which build of the toolkit the run measures: `pip install .` compiles its hottest
    modules (setup.py), an editable install never does."""
    import importlib.util

    spec = importlib.util.find_spec("kassavirta.formats.xml")
    origin = spec.origin if spec is not None and spec.origin else "?"
    kind = "pure Python" if origin.endswith(".py") else "compiled with mypyc"
    return f"{kind} ({Path(origin).parent.parent})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        epilog=(__doc__ or "").split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    full, quick = Sizes(), QUICK

    def both(name: str) -> str:
        def show(value: object) -> str:
            return ",".join(map(str, value)) if isinstance(value, tuple) else f"{value:g}"

        return f"(default {show(getattr(full, name))}; --quick {show(getattr(quick, name))})"

    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of every section in under 2 minutes: smaller series (still 8× "
        "from first to last), 20 s timeout, one round of the check section",
    )
    parser.add_argument(
        "--only",
        metavar="SECTION,...",
        type=lambda s: [part for part in s.split(",") if part],
        help=f"the sections to run (default all): {','.join(SECTIONS)}",
    )
    group = parser.add_argument_group("sizes (each overrides the default or --quick's value)")
    for flag, kind, metavar, text in (
        ("--invoices", int, "N", "generated files for the check section"),
        (
            "--memory-files",
            int,
            "N",
            "the large run of the memory comparison; the issue's is 100000",
        ),
        ("--rows", int_list, "N,...", "the row series"),
        ("--multi-kb", int_list, "KIB,...", "the multi-document file sizes"),
        ("--limit-mib", float, "MIB", "the size every format is grown to (the limit is 20)"),
        ("--ledgers", int_list, "N,...", "the ledger sizes for payments"),
        ("--credits", int, "N", "credits in the payments file, half of them unmatched"),
        ("--rounds", int, "N", "best of N rounds of the check section"),
        ("--repeat", int, "N", "best of up to N runs of each series point (within 2 s)"),
        ("--cold-runs", int, "N", "median of N cold starts"),
        ("--http-seconds", float, "S", "at most S seconds per HTTP series"),
        ("--http-requests", int, "N", "at most N requests per HTTP series"),
        ("--timeout", float, "S", "seconds one measured run may take before it is a MISS"),
    ):
        name = flag[2:].replace("-", "_")
        group.add_argument(flag, type=kind, metavar=metavar, help=f"{text} {both(name)}")
    parser.add_argument("--jobs", type=int, default=2, help="the parallel run's --jobs (default 2)")
    parser.add_argument("--seed", type=int, default=2026, help="the generator's seed (2026)")
    parser.add_argument(
        "--schemas",
        type=Path,
        metavar="DIR",
        help=f"folder with Finvoice3.0.xsd (default: {SHARED_SCHEMAS} when present; "
        "KASSAVIRTA_SHARED=DIR names the folder holding reference/)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        default=Path(os.environ.get("TMPDIR", "/tmp")) / "kassavirta-bench",
        help="where the generated invoice folders are kept between runs (default %(default)s)",
    )
    args = parser.parse_args(argv)

    sizes = replace(QUICK) if args.quick else Sizes()
    for name in Sizes.__dataclass_fields__:  # a flag given overrides either
        if getattr(args, name, None) is not None:
            setattr(sizes, name, getattr(args, name))
    chosen = args.only or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")

    schemas = args.schemas or (SHARED_SCHEMAS if SHARED_SCHEMAS.is_dir() else None)
    xsd = schemas / "Finvoice3.0.xsd" if schemas else None
    if xsd is not None and not xsd.is_file():
        xsd, schemas = None, None
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"load average {load} at the start{'; --quick' if args.quick else ''}"
    )
    print(
        f"schemas: {schemas}"
        if schemas
        else "schemas: none found (give --schemas DIR): floors are parse only"
    )
    print(f"kassavirta: {build_of()}")
    args.data.mkdir(parents=True, exist_ok=True)
    report = Report()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kassavirta-bench-") as work:
        ctx = Context(sizes, schemas, xsd, args.data, Path(work), args.seed, args.jobs, report)
        for name in SECTIONS:
            if name not in chosen:
                continue
            print(f"[{name}]", file=sys.stderr, flush=True)
            try:
                RUNNERS[name](ctx)
            except probe.DidNotFinish as late:
                report.add(Row(name, f"> {late.seconds:g} s", verdict=f"MISS ({late})"))
            except (probe.Failed, http_check.ServerFailed) as failure:
                report.add(Row(name, "failed", verdict=f"ERROR: {failure}"))
    print()
    report.print()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average {load} at the end; {time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
