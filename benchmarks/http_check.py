"""What HTTP costs: `/v1/check` on one invoice against the in-process check of the same bytes.

Starts a real `kassavirta serve` (1 worker, then 2) on a free loopback port
and measures, for the same invoice:

- latency one request at a time (p50, p99): the cost an ERP pays per invoice;
- throughput with CONCURRENCY requests in flight (requests/s, p50, p99);
- `kassavirta.check_bytes` in this process, one call at a time: the floor.

and prints the ratios. The load generator (threads on `http.client`, one
keep-alive connection each) runs in this process: on a small machine it
competes with the server for the cores, so the throughput figures are a lower
bound. Every loop is bounded by a request count and by time, and the server
only listens on 127.0.0.1. `run.py --only http` uses the same functions.

    python benchmarks/http_check.py [--invoice FILE] [--seconds 5] [--concurrency 8] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TODAY = date(2026, 12, 1)
LOOPBACK = "127.0.0.1"


@dataclass
class Latency:
    """Latencies of one series of calls, in milliseconds."""

    requests: int
    per_s: float
    p50_ms: float
    p99_ms: float
    failures: int = 0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(times: list[float], elapsed: float, failures: int = 0) -> Latency:
    return Latency(
        requests=len(times),
        per_s=len(times) / elapsed if elapsed else float("nan"),
        p50_ms=percentile(times, 50) * 1000,
        p99_ms=percentile(times, 99) * 1000,
        failures=failures,
    )


def kassavirta_cmd() -> list[str]:
    """The console script installed beside this interpreter (not a version manager's shim,
    which would add its own start-up to every cold-start figure), else `python -m`."""
    beside = Path(sysconfig.get_path("scripts")) / "kassavirta"
    if beside.is_file():
        return [str(beside)]
    exe = shutil.which("kassavirta")
    return [exe] if exe else [sys.executable, "-m", "kassavirta.cli"]


def settings_file(folder: Path) -> Path:
    """The public test settings (`kassavirta.testing`) as a file, for the server."""
    from kassavirta.testing import default_settings_mapping

    path = folder / "settings.json"
    path.write_text(json.dumps(default_settings_mapping(TODAY)), encoding="utf-8")
    return path


def in_process(data: bytes, seconds: float, count: int) -> Latency:
    """`kassavirta.check_bytes` on this thread, one call at a time, after a warm-up.

    The settings object is built once, as the server builds it once at start-up.
    """
    from kassavirta import check_bytes
    from kassavirta.testing import default_settings

    settings = default_settings(TODAY)
    for _ in range(30):
        check_bytes(data, settings, TODAY)
    times: list[float] = []
    began = time.perf_counter()
    end = began + seconds
    while len(times) < count and time.perf_counter() < end:
        t = time.perf_counter()
        check_bytes(data, settings, TODAY)
        times.append(time.perf_counter() - t)
    return summary(times, sum(times))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
        connection.request("GET", "/healthz")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


class ServerFailed(RuntimeError):
    """`kassavirta serve` did not come up (e.g. the server extra is not installed)."""


@contextlib.contextmanager
def server(settings: Path, workers: int, start_timeout: float = 60) -> Iterator[int]:
    """A `kassavirta serve` on a free loopback port; yields the port, stops the server after."""
    port = free_port()
    cmd = [*kassavirta_cmd(), "serve", "--host", LOOPBACK, "--port", str(port)]
    cmd += ["--workers", str(workers), "--settings", str(settings), "--no-config"]
    cmd += ["--log-level", "warning", "--today", TODAY.isoformat()]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + start_timeout
        while not _healthy(port):
            if process.poll() is not None:
                raise ServerFailed(
                    f"kassavirta serve exited ({process.returncode}): "
                    f"{process.stderr.read().decode(errors='replace')[-1000:] if process.stderr else ''}"
                )
            if time.monotonic() > deadline:
                raise ServerFailed(f"kassavirta serve not ready in {start_timeout:g} s")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def load(port: int, data: bytes, in_flight: int, seconds: float, count: int) -> Latency:
    """POST /v1/check from `in_flight` threads, each on its own keep-alive connection.

    At most `count` requests in all and no new one after `seconds`; a warm-up
    of a few requests per connection is not counted.
    """
    headers = {"Content-Type": "application/xml"}
    target = f"/v1/check?today={TODAY.isoformat()}"
    times: list[float] = []
    failures = [0]
    lock = threading.Lock()
    per_client = max(1, count // in_flight)
    start = threading.Barrier(in_flight + 1)

    def client() -> None:
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=60)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(5):
            connection.request("POST", target, body=data, headers=headers)
            connection.getresponse().read()
        start.wait()
        mine: list[float] = []
        bad = 0
        end = time.perf_counter() + seconds
        while len(mine) < per_client and time.perf_counter() < end:
            t = time.perf_counter()
            connection.request("POST", target, body=data, headers=headers)
            answer = connection.getresponse()
            answer.read()
            mine.append(time.perf_counter() - t)
            bad += answer.status != 200
        connection.close()
        with lock:
            times.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, daemon=True) for _ in range(in_flight)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return summary(times, time.perf_counter() - began, failures[0])


def over_http(
    data: bytes, settings: Path, workers: int, seconds: float, count: int, concurrency: int
) -> dict[str, Latency]:
    with server(settings, workers) as port:
        return {
            "sequential": load(port, data, 1, seconds, count),
            "concurrent": load(port, data, concurrency, seconds, count),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--invoice", type=Path, default=SAMPLES / "route" / "finvoice-3.0.xml")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement (default 5)")
    parser.add_argument(
        "--requests", type=int, default=20_000, help="at most N requests per measurement"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (8)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    data = args.invoice.read_bytes()

    base = in_process(data, args.seconds, args.requests)
    with tempfile.TemporaryDirectory(prefix="kassavirta-http-") as folder:
        settings = settings_file(Path(folder))
        try:
            runs = {
                n: over_http(data, settings, n, args.seconds, args.requests, args.concurrency)
                for n in (1, 2)
            }
        except ServerFailed as exc:
            print(f"http_check: {exc}", file=sys.stderr)
            return 1
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_before": os.getloadavg()[0],
    }
    if args.json:
        document = {
            "machine": machine,
            "in_process": asdict(base),
            "http": {n: {k: asdict(v) for k, v in r.items()} for n, r in runs.items()},
        }
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0

    print(
        f"invoice {args.invoice.name} ({len(data)} bytes); {machine['cpus']} CPUs, "
        f"Python {machine['python']}; {args.seconds:g} s per row, concurrency "
        f"{args.concurrency}; load average {machine['load_before']:.1f} at the start"
    )
    print(f"{'':34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p50 ×':>8}{'req/s ×':>9}")
    print(
        f"{'in-process check_bytes':34}{base.per_s:9.0f}{base.p50_ms:9.2f}"
        f"{base.p99_ms:9.2f}{1:8.1f}{1:9.2f}"
    )
    for workers, series in runs.items():
        for mode, label in (
            ("sequential", "1 in flight"),
            ("concurrent", f"{args.concurrency} in flight"),
        ):
            row = series[mode]
            name = f"HTTP, {workers} worker{'s' if workers > 1 else ''}, {label}"
            print(
                f"{name:34}{row.per_s:9.0f}{row.p50_ms:9.2f}{row.p99_ms:9.2f}"
                f"{row.p50_ms / base.p50_ms:8.1f}{row.per_s / base.per_s:9.2f}"
            )
            if row.failures:
                print(f"  ({row.failures} answers were not 200)")
    print("p50 ×: HTTP p50 latency / in-process p50; req/s ×: HTTP throughput / in-process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
