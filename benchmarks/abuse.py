"""What `kassavirta serve` holds, and answers, while clients abuse it.

Starts a real `kassavirta serve` (one worker) on a free loopback port and runs
three phases, one after the other:

- idle: CONNECTIONS connections that say nothing (more than --max-connections);
- drip: DRIPS connections that send a request head a byte at a time;
- bodies: BODIES POSTs of BODY_BYTES each, all at once.

During each phase it samples the server's resident memory and open file
descriptors (from /proc, so Linux only: elsewhere they are left out) and
sends one ordinary `POST /v1/check`; it reports the peaks, what the abusive
clients were answered (by status), how many of their connections the server
closed, and whether the ordinary request was answered. Every phase is bounded
by counts and by time, and the server listens on 127.0.0.1 only: this is a
check of the limits on one's own machine, not a load tool for others'.

    python benchmarks/abuse.py [--quick] [--json] [--connections N] [--drips N]
                               [--bodies N] [--body-bytes N]
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import http.client
import json
import os
import select
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
TODAY = "2026-12-01"
MIB = 1024 * 1024


@dataclass
class Plan:
    connections: int = 3000
    drips: int = 200
    bodies: int = 16
    body_bytes: int = 8 * MIB
    max_connections: int = 1000
    idle_timeout: float = 5.0
    header_timeout: float = 5.0
    server_nofile: int | None = None
    """The server's soft descriptor limit (None: this process's)."""


QUICK = Plan(
    connections=40,
    drips=10,
    bodies=4,
    body_bytes=256 * 1024,
    max_connections=16,
    idle_timeout=1.0,
    header_timeout=1.0,
)


@dataclass
class Phase:
    """What one phase did to the server, and what the server did."""

    name: str
    clients: int
    answers: dict[str, int] = field(default_factory=dict)
    """Status code (or `closed`, `reset`, `no answer`) → abusive clients."""
    closed_by_server: int = 0
    check_status: int | None = None
    """The status of the ordinary `POST /v1/check` sent during the phase (None: no answer)."""
    peak_rss_mb: float | None = None
    peak_fds: int | None = None
    held_after_open: int | None = None
    """The server's open descriptors once every idle connection was opened (idle phase)."""
    seconds: float = 0.0


class Sampler:
    """The server's resident memory and open descriptors, every 20 ms, keeping the peaks."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.rss_kb: int | None = None
        self.fds: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> tuple[int | None, int | None]:
        try:
            status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
            rss = next(int(line.split()[1]) for line in status.splitlines() if "VmRSS" in line)
            fds = len(os.listdir(f"/proc/{self.pid}/fd"))
        except (OSError, StopIteration, ValueError):
            return None, None
        return rss, fds

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            rss, fds = self.now()
            if rss is not None:
                self.rss_kb = max(self.rss_kb or 0, rss)
            if fds is not None:
                self.fds = max(self.fds or 0, fds)

    @contextlib.contextmanager
    def peaks(self, phase: Phase) -> Iterator[None]:
        self.rss_kb, self.fds = self.now()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        began = time.monotonic()
        try:
            yield
        finally:
            self._stop.set()
            self._thread.join()
            phase.seconds = round(time.monotonic() - began, 2)
            phase.peak_rss_mb = round(self.rss_kb / 1024, 1) if self.rss_kb else None
            phase.peak_fds = self.fds


def padded(size: int) -> bytes:
    """The routed sample grown to `size` bytes with comments: the decision stays route."""
    sample = ROUTE.read_bytes()
    head, _, tail = sample.rpartition(b"</Finvoice>")
    filler = max(0, size - len(sample))
    comment = b"<!--" + b"x" * 1017 + b"-->"
    pad = comment * (filler // len(comment)) + b" " * (filler % len(comment))
    return head + pad + b"</Finvoice>" + tail


def check(port: int, body: bytes | None = None, timeout: float = 60.0) -> int | None:
    """One ordinary `POST /v1/check`: its status, or None when it was not answered."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "POST",
            f"/v1/check?today={TODAY}",
            body=body if body is not None else ROUTE.read_bytes(),
            headers={"Content-Type": "application/xml"},
        )
        answer = connection.getresponse()
        answer.read()
        return answer.status
    except OSError:
        return None
    finally:
        connection.close()


def connect(port: int) -> socket.socket | None:
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return None


def server_closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def readable(socks: list[socket.socket], timeout: float) -> list[socket.socket]:
    """The sockets with something to read (poll, not select: descriptors may be above 1024)."""
    poller = select.poll()
    by_fd = {sock.fileno(): sock for sock in socks}
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    return [by_fd[fd] for fd, _ in poller.poll(timeout * 1000)]


def status_of(sock: socket.socket) -> str:
    """What the server sent on `sock` before it closed it: a status code, `closed` or `reset`."""
    try:
        first = sock.recv(64)
    except ConnectionResetError:
        return "reset"
    except OSError:
        return "no answer"
    if not first:
        return "closed"
    parts = first.split(b" ", 2)
    return parts[1].decode("ascii", "replace") if len(parts) > 1 else "garbled"


def idle_phase(port: int, plan: Plan, sampler: Sampler) -> Phase:
    phase = Phase("idle", plan.connections)
    held: list[socket.socket] = []
    with sampler.peaks(phase):
        deadline = time.monotonic() + 60
        refused = 0
        while len(held) < plan.connections and time.monotonic() < deadline:
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE):
                    raise SystemExit(
                        f"abuse.py: this process ran out of descriptors: {exc}"
                    ) from exc
                refused += 1
        if refused:
            phase.answers["refused"] = refused
        phase.check_status = check(port)
        phase.held_after_open = sampler.now()[1]
        end = time.monotonic() + plan.idle_timeout + 5
        while time.monotonic() < end and not all(map(server_closed, held)):
            time.sleep(0.1)
        phase.closed_by_server = sum(map(server_closed, held))
    for sock in held:
        sock.close()
    return phase


def drip_phase(port: int, plan: Plan, sampler: Sampler) -> Phase:
    phase = Phase("drip", plan.drips)
    answers: Counter[str] = Counter()
    with sampler.peaks(phase):
        dripping = [sock for sock in (connect(port) for _ in range(plan.drips)) if sock]
        answers["refused"] += plan.drips - len(dripping)
        for sock in dripping:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        checked = threading.Thread(target=lambda: setattr(phase, "check_status", check(port)))
        checked.start()
        end = time.monotonic() + plan.header_timeout * 3 + 5
        while dripping and time.monotonic() < end:
            for sock in readable(dripping, 0.2):
                answers[status_of(sock)] += 1
                phase.closed_by_server += 1
                dripping.remove(sock)
                sock.close()
            for sock in dripping:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")  # one more byte of a header that never ends
        answers["still open"] += len(dripping)
        for sock in dripping:
            sock.close()
        checked.join(60)
    phase.answers = {k: v for k, v in answers.items() if v}
    return phase


def bodies_phase(port: int, plan: Plan, sampler: Sampler) -> Phase:
    phase = Phase("bodies", plan.bodies)
    body = padded(plan.body_bytes)
    statuses: list[int | None] = []
    lock = threading.Lock()
    start = threading.Barrier(plan.bodies + 1)

    def post() -> None:
        start.wait()
        status = check(port, body, timeout=120)
        with lock:
            statuses.append(status)

    with sampler.peaks(phase):
        threads = [threading.Thread(target=post, daemon=True) for _ in range(plan.bodies)]
        for thread in threads:
            thread.start()
        start.wait()
        time.sleep(0.2)
        phase.check_status = check(port)
        for thread in threads:
            thread.join(180)
    phase.answers = {str(k): v for k, v in Counter(map(str, statuses)).items()}
    return phase


def raise_descriptor_limit(wanted: int) -> None:
    """This process opens many sockets itself: its soft limit up to the hard one, if needed."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < wanted:
            new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def run(plan: Plan) -> dict[str, Any]:
    from kassavirta.server.launch import ServerProcess

    raise_descriptor_limit(plan.connections + plan.drips + plan.bodies + 100)
    args = ["--settings", str(SAMPLES / "settings.json"), "--no-config", "--today", TODAY]
    args += ["--max-connections", str(plan.max_connections)]
    args += [
        "--idle-timeout",
        f"{plan.idle_timeout:g}",
        "--header-timeout",
        f"{plan.header_timeout:g}",
    ]
    args += ["--max-bytes", str(max(plan.body_bytes + 64 * 1024, 20 * MIB))]
    args += ["--log-level", "warning"]
    with ServerProcess(args, nofile=plan.server_nofile) as server:
        assert server.process is not None
        sampler = Sampler(server.process.pid)
        rss, fds = sampler.now()
        start = {"rss_mb": round(rss / 1024, 1) if rss else None, "fds": fds}
        phases = [
            idle_phase(server.port, plan, sampler),
            drip_phase(server.port, plan, sampler),
            bodies_phase(server.port, plan, sampler),
        ]
        time.sleep(0.5)
        final_check = check(server.port)
        rss, fds = sampler.now()
        end = {"rss_mb": round(rss / 1024, 1) if rss else None, "fds": fds}
        log_lines = len(server.log_text().splitlines())
    return {
        "plan": asdict(plan),
        "start": start,
        "phases": [asdict(phase) for phase in phases],
        "end": {**end, "check_status": final_check, "log_lines": log_lines},
    }


def show(report: dict[str, Any]) -> None:
    plan = report["plan"]
    limit = f" (descriptor limit {plan['server_nofile']})" if plan["server_nofile"] else ""
    print(
        f"kassavirta serve --max-connections {plan['max_connections']} --idle-timeout "
        f"{plan['idle_timeout']:g} --header-timeout {plan['header_timeout']:g}{limit}; at start "
        f"{report['start']['rss_mb']} MB, {report['start']['fds']} descriptors"
    )
    print(
        f"{'phase':8}{'clients':>8}{'closed':>8}{'check':>7}{'peak MB':>9}{'peak fds':>9}  answers"
    )
    for phase in report["phases"]:
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(phase["answers"].items())) or "-"
        print(
            f"{phase['name']:8}{phase['clients']:>8}{phase['closed_by_server']:>8}"
            f"{phase['check_status']!s:>7}{phase['peak_rss_mb']!s:>9}{phase['peak_fds']!s:>9}"
            f"  {answers}"
        )
    idle = report["phases"][0]
    print(
        f"descriptors held once all {idle['clients']} idle connections were open: {idle['held_after_open']}"
    )
    end = report["end"]
    print(
        f"after: {end['rss_mb']} MB, {end['fds']} descriptors, /v1/check {end['check_status']}, "
        f"{end['log_lines']} log lines"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Loopback only; every phase is bounded by its counts and by time.",
    )
    full = Plan()
    parser.add_argument("--quick", action="store_true", help="small counts and 1 s timeouts")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--connections", type=int, help=f"idle connections (default {full.connections})"
    )
    parser.add_argument("--drips", type=int, help=f"dripping connections (default {full.drips})")
    parser.add_argument("--bodies", type=int, help=f"large bodies at once (default {full.bodies})")
    parser.add_argument(
        "--body-bytes", type=int, help=f"bytes per large body (default {full.body_bytes})"
    )
    parser.add_argument(
        "--max-connections", type=int, help=f"the server's cap (default {full.max_connections})"
    )
    parser.add_argument(
        "--server-nofile",
        type=int,
        help="run the server with this soft limit of open descriptors (default: this "
        "process's), to see the cap it sets itself below the limit",
    )
    args = parser.parse_args(argv)
    plan = replace(QUICK if args.quick else full)
    for name in (
        "connections",
        "drips",
        "bodies",
        "body_bytes",
        "max_connections",
        "server_nofile",
    ):
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                parser.error(f"--{name.replace('_', '-')} must be at least 1")
            setattr(plan, name, value)
    report = run(plan)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        show(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
