"""`benchmarks/abuse.py --quick` runs against a real server and reports what the limits did.

The counts are what the limits guarantee, not figures: every idle and every
dripping connection is closed by the server (the dripping ones with 408),
the ordinary request sent during each phase is answered, and the large
bodies are all answered (200, or 503 when the body budget is full).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import ROOT

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

SCRIPT = ROOT / "benchmarks" / "abuse.py"


def test_help() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    assert "--quick" in done.stdout
    assert "Loopback only" in done.stdout


def test_quick_run_reports_what_the_server_held() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    phases = {phase["name"]: phase for phase in report["phases"]}
    assert set(phases) == {"idle", "drip", "bodies"}
    idle, drip, bodies = phases["idle"], phases["drip"], phases["bodies"]
    assert idle["closed_by_server"] == idle["clients"] == report["plan"]["connections"]
    assert drip["answers"] == {"408": drip["clients"]}
    assert sum(bodies["answers"].values()) == bodies["clients"]
    assert set(bodies["answers"]) <= {"200", "503"}
    assert all(phase["check_status"] == 200 for phase in phases.values())
    assert report["end"]["check_status"] == 200
    if sys.platform == "linux":
        assert report["start"]["fds"] > 0
        assert all(phase["peak_rss_mb"] for phase in phases.values())
