"""What HTTP costs: `/v1/check` on one invoice against the in-process check of the same bytes.

Starts a real `kassavirta serve` (1 worker, then 2) on a free loopback port
and measures, for the same invoice:

- latency one request at a time (p50, p99): the cost an ERP pays per invoice;
- throughput with CONCURRENCY requests in flight (requests/s, p50, p99);
- `Checker.check_bytes` in this process, one call at a time: the floor.

and prints the ratios. The load generator is Python (httpx, asyncio) in this
process: on a small machine it competes with the server for the cores, so
the throughput figures are a lower bound. Record the machine with the result.

    python benchmarks/http.py [--invoice FILE] [--seconds 5] [--concurrency 8] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

# This file is called http.py: run as a script, its folder comes first on sys.path and
# would hide the standard library's `http` package from everything imported below.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TODAY = "2026-12-01"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def in_process(data: bytes, settings: Path, seconds: float) -> dict[str, float]:
    """`Checker.check_bytes` on this thread, one call at a time, after a warm-up."""
    from kassavirta.config.policy import RunOptions, build_policy
    from kassavirta.pipeline.evaluate import Checker

    policy = build_policy(RunOptions(settings=settings), today=date.fromisoformat(TODAY))
    for _ in range(50):
        Checker(policy).check_bytes(data, "<bench>")
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        Checker(policy).check_bytes(data, "<bench>")
        times.append(time.perf_counter() - t)
    return {
        "requests": len(times),
        "per_s": len(times) / sum(times),
        "p50_ms": percentile(times, 50) * 1000,
        "p99_ms": percentile(times, 99) * 1000,
    }


async def _load(url: str, data: bytes, seconds: float, concurrency: int) -> dict[str, float]:
    import httpx

    headers = {"Content-Type": "application/xml"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        for _ in range(20):  # warm-up: connections, the server's first requests
            await client.post("/v1/check", params={"today": TODAY}, content=data, headers=headers)
        times: list[float] = []
        failures = 0
        end = time.perf_counter() + seconds

        async def one_client() -> None:
            nonlocal failures
            while time.perf_counter() < end:
                t = time.perf_counter()
                answer = await client.post(
                    "/v1/check", params={"today": TODAY}, content=data, headers=headers
                )
                times.append(time.perf_counter() - t)
                if answer.status_code != 200:
                    failures += 1

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {
        "requests": len(times),
        "failures": failures,
        "per_s": len(times) / elapsed,
        "p50_ms": percentile(times, 50) * 1000,
        "p99_ms": percentile(times, 99) * 1000,
    }


def over_http(
    data: bytes, settings: Path, workers: int, seconds: float, concurrency: int
) -> dict[str, dict[str, float]]:
    from kassavirta.server.launch import ServerProcess

    args = ["--settings", str(settings), "--workers", str(workers), "--no-config"]
    with ServerProcess(args, cwd=ROOT) as server:
        return {
            "sequential": asyncio.run(_load(server.url, data, seconds, 1)),
            "concurrent": asyncio.run(_load(server.url, data, seconds, concurrency)),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoice", type=Path, default=SAMPLES / "route" / "finvoice-3.0.xml")
    parser.add_argument("--settings", type=Path, default=SAMPLES / "settings.json")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (8)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    data = args.invoice.read_bytes()

    base = in_process(data, args.settings, args.seconds)
    runs = {n: over_http(data, args.settings, n, args.seconds, args.concurrency) for n in (1, 2)}
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_before": os.getloadavg()[0],
    }
    if args.json:
        json.dump({"machine": machine, "in_process": base, "http": runs}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0

    print(
        f"invoice {args.invoice.name} ({len(data)} bytes); {machine['cpus']} CPUs, "
        f"Python {machine['python']}; {args.seconds:g} s per row, concurrency "
        f"{args.concurrency}; load average {machine['load_before']:.1f} at the start"
    )
    print(f"{'':34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p50 ×':>8}{'req/s ×':>9}")
    print(
        f"{'in-process check_bytes':34}{base['per_s']:9.0f}{base['p50_ms']:9.2f}"
        f"{base['p99_ms']:9.2f}{1:8.1f}{1:9.2f}"
    )
    for workers, found in runs.items():
        for mode, label in (
            ("sequential", "1 in flight"),
            ("concurrent", f"{args.concurrency} in flight"),
        ):
            row = found[mode]
            name = f"HTTP, {workers} worker{'s' if workers > 1 else ''}, {label}"
            print(
                f"{name:34}{row['per_s']:9.0f}{row['p50_ms']:9.2f}{row['p99_ms']:9.2f}"
                f"{row['p50_ms'] / base['p50_ms']:8.1f}{row['per_s'] / base['per_s']:9.2f}"
            )
            if row["failures"]:
                print(f"  ({row['failures']:.0f} answers were not 200)")
    print("p50 ×: HTTP p50 latency / in-process p50; req/s ×: HTTP throughput / in-process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
