"""Start a real `kassavirta serve` in a child process on a free loopback port, and stop it.

For the tests and `benchmarks/http_check.py`: they talk to the server exactly as an
ERP would, over TCP, with the command line an operator would type. The
server's stderr (its JSON log) goes to a file, so that a long run never
blocks on a full pipe and a test can read the log afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's pick for an ephemeral bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerProcess:
    """`kassavirta serve ARGS --host 127.0.0.1 --port <free>`, ready when `/healthz` answers."""

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        cwd: str | Path | None = None,
        env: dict[str, str | None] | None = None,
        startup_timeout: float = 60.0,
        nofile: int | None = None,
    ) -> None:
        """`nofile`: the server's soft limit of open file descriptors, to run it short of them."""
        self.args = list(args)
        self.nofile = nofile
        self.cwd = cwd
        self.env = env
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives as long as the server
            prefix="kassavirta-serve-", suffix=".log", delete=False
        )
        self.log_path = Path(self._log.name)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        cmd = [
            sys.executable,
            "-m",
            "kassavirta.cli",
            "serve",
            *self.args,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            cmd,
            cwd=self.cwd,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            preexec_fn=self._limit if self.nofile is not None else None,
        )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"kassavirta serve exited with {self.process.returncode} before it was "
                    f"ready:\n{self.log_text()}"
                )
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"kassavirta serve was not ready in time:\n{self.log_text()}")
            time.sleep(0.05)

    def _limit(self) -> None:
        """In the child, before it runs the server: lower its soft descriptor limit."""
        import resource

        assert self.nofile is not None
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, hard))

    def _environment(self) -> dict[str, str]:
        """This process's environment with `env` over it; a None value removes a variable."""
        merged = dict(os.environ)
        for key, value in (self.env or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (a graceful shutdown), then SIGKILL if it does not end in `timeout`."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._log.close()
        return process.returncode

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON lines of the server's log (anything else it printed is skipped)."""
        records = []
        for line in self.log_text().splitlines():
            try:
                found = json.loads(line)
            except ValueError:
                continue
            if isinstance(found, dict):
                records.append(found)
        return records

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)
