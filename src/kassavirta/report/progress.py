"""A progress bar for a person watching a long check; nothing at all for anyone else.

It goes to stderr, and only when stderr is a terminal (with or without
`--quiet`, which quietens the report on stdout), so pipes, files and CI logs
never see it. It shows files done of the total, files per second, the counts
by decision and the time left. It is drawn before the first file is checked
(a worker pool's first chunk takes a while), without a refresh thread: the
pool forks its workers after that, and a fork must not copy a running thread's
locks. The total is counted in a background thread started with the first
result, so the bar learns its total when the walk is done. rich is imported
only when a bar is really shown, keeping it off the start-up path.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

REFRESH_SECONDS = 0.1
"""At most this often the bar is updated: a result is counted in microseconds, a redraw is not."""


def wanted(stream: TextIO) -> bool:
    """Whether to show a bar on `stream`: a real terminal, not TERM=dumb."""
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


class NoProgress:
    """What a run reports progress to when nobody is watching."""

    def start(self) -> None:
        """Show the bar (if any) before the first file is checked."""

    def update(self, files: int, decisions: Mapping[str, int]) -> None:
        """`files` done so far, and the results counted by decision."""

    def stop(self) -> None:
        """Remove the bar (if any) before the summary is printed."""


class BarProgress(NoProgress):
    """A rich bar on a terminal, redrawn by `update` itself: no thread runs before the first result."""

    def __init__(self, stream: TextIO, count: Callable[[], int] | None = None) -> None:
        self.stream = stream
        self.count = count
        self._bar: Any = None
        self._task: Any = None
        self._started = 0.0
        self._last = 0.0

    def start(self) -> None:
        if self._bar is not None:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[decisions]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=self.stream),
            transient=True,
            auto_refresh=False,
        )
        self._task = self._bar.add_task("check", total=None, rate="", decisions="")
        self._bar.start()
        self._started = time.monotonic()

    def _count(self) -> None:
        if self.count is not None:
            count, self.count = self.count, None
            threading.Thread(target=lambda: self._total(count()), daemon=True).start()

    def _total(self, total: int) -> None:
        bar = self._bar
        if bar is not None:
            bar.update(self._task, total=total)

    def update(self, files: int, decisions: Mapping[str, int]) -> None:
        now = time.monotonic()
        if self._bar is None:
            self.start()
            self._count()
        elif self.count is not None:
            self._count()  # the first result: any worker pool has forked by now
        elif now - self._last < REFRESH_SECONDS:
            return
        self._last = now
        elapsed = max(now - self._started, 1e-6)
        shown = " ".join(
            f"[{style}]{name} {decisions.get(name, 0)}[/]"
            for name, style in (
                ("route", "green"),
                ("bypass", "cyan"),
                ("error", "red"),
                ("invalid", "magenta"),
            )
        )
        self._bar.update(
            self._task, completed=files, rate=f"{files / elapsed:,.0f} files/s", decisions=shown
        )
        self._bar.refresh()

    def stop(self) -> None:
        bar, self._bar = self._bar, None
        if bar is not None:
            bar.stop()


def progress_for(stream: TextIO, *, count: Callable[[], int] | None = None) -> NoProgress:
    """A bar on `stream` when a person is watching it, otherwise nothing."""
    return BarProgress(stream, count) if wanted(stream) else NoProgress()
