"""The terminal: decisions in colour for a person (never for a pipe, never with NO_COLOR), the
summary counted by reason, and the progress bar from the first file."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator

import pytest

from helpers import PINNED_CHECK, SAMPLES, kassavirta_cli, run_on_terminal
from kassavirta.cli import main
from kassavirta.pipeline.batch import Batch
from kassavirta.report.progress import BarProgress

ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
TOO_SOON = SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml"
TWO_ERRORS = SAMPLES / "error" / "finvoice-3.0-address-incomplete-due-date-too-soon.xml"
RED_ERROR = "\x1b[31mERROR\x1b[0m"
GREEN_ROUTE = "\x1b[32mROUTE\x1b[0m"
PLAIN_ENV = {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm"}


def _stdout_on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """What the check writes to stdout when stdout is a pseudo-terminal, as in a person's shell."""
    return run_on_terminal(*args, terminal="stdout", env=env)[2]


def test_decisions_are_coloured_on_a_terminal() -> None:
    shown = _stdout_on_a_terminal("check", str(TOO_SOON), str(ROUTE), *PINNED_CHECK, env=PLAIN_ENV)
    assert RED_ERROR in shown and GREEN_ROUTE in shown
    assert "\x1b[31merror\x1b[0m 1 (due-date-too-soon 1)" in shown


def test_no_colour_with_no_color_even_on_a_terminal() -> None:
    shown = _stdout_on_a_terminal(
        "check", str(TOO_SOON), *PINNED_CHECK, env={**PLAIN_ENV, "NO_COLOR": "1"}
    )
    assert "ERROR" in shown and "\x1b[" not in shown


def test_no_colour_in_a_pipe_unless_forced() -> None:
    piped = kassavirta_cli("check", str(TOO_SOON), *PINNED_CHECK, env=PLAIN_ENV)
    assert "ERROR" in piped.stdout and "\x1b[" not in piped.stdout
    forced = kassavirta_cli(
        "check", str(TOO_SOON), *PINNED_CHECK, env={**PLAIN_ENV, "FORCE_COLOR": "1"}
    )
    assert RED_ERROR in forced.stdout


def test_the_summary_counts_each_decision_by_reason() -> None:
    done = kassavirta_cli("check", str(TOO_SOON), str(TWO_ERRORS), str(ROUTE), *PINNED_CHECK)
    tail = done.stdout.split("\n\n")[-1].splitlines()
    assert tail[:2] == [
        "3 files: 1 route, 0 bypass, 2 error, 0 invalid",
        "  error 2 (due-date-too-soon 2, address-incomplete 1)",
    ]
    doc = json.loads(
        kassavirta_cli(
            "check", str(TOO_SOON), str(TWO_ERRORS), str(ROUTE), *PINNED_CHECK, "-O", "json"
        ).stdout
    )
    assert doc["summary"]["reasons"] == {"error": {"due-date-too-soon": 2, "address-incomplete": 1}}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_before_the_first_file_is_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = FakeTerminal()
    drawn_when_checking_began: list[str] = []
    evaluated = Batch._evaluated

    def spy(self: Batch, inputs: Iterable[str]) -> Iterator[object]:
        drawn_when_checking_began.append(terminal.getvalue())
        yield from evaluated(self, inputs)

    monkeypatch.setattr(Batch, "_evaluated", spy)
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    assert main(["check", str(ROUTE), *PINNED_CHECK, "-O", "jsonl", "--jobs", "1"]) == 0
    assert "checking" in drawn_when_checking_began[0]
    assert capsys.readouterr().out.count("\n") == 2  # the result and the summary


def test_the_bar_runs_no_thread_before_the_first_result() -> None:
    """A worker pool forks after the bar is drawn: a fork must not copy a running thread."""
    import threading

    before = set(threading.enumerate())
    bar = BarProgress(FakeTerminal(), count=lambda: 1)
    bar.start()
    try:
        assert set(threading.enumerate()) - before == set()
    finally:
        bar.stop()
