"""Checking many files on every core, in constant memory, with the single-process result.

Workers do everything that needs only one file (`evaluate.evaluate_path`: read,
detect, adapt, validate, rules against the assignments known before the run)
and send back each result with its `RunKey`. The parent takes the results in
sorted path order (`Pool.imap` keeps the order and holds the few results that
finished early), applies the in-run duplicate rule itself (`RunDuplicates`),
counts, and hands each final result on. So the results are identical for
every `--jobs N`, and the parent holds counters and the keys of routed
invoices, never documents or result lists.

Workers get the policy once (the pool's initializer), compile each XSD once
per process, and receive paths in chunks so that inter-process traffic stays
small. With one job, or too few files to pay for a pool, everything runs in
this process. Where the results go is `kassavirta.report.sinks`.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from typing import TYPE_CHECKING

from kassavirta.findings import CheckResult
from kassavirta.pipeline.duplicates import RunDuplicates
from kassavirta.pipeline.evaluate import Checked, evaluate_path
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES
from kassavirta.report import Summary, Tally

if TYPE_CHECKING:
    from kassavirta.config.policy import Policy

CHUNKSIZE = 64
"""Paths per task sent to a worker. Each task costs the parent thread switches and a
pickle round; at 8 the parent used a tenth of a core on 2 cores, at 64 a thirtieth.
Smaller runs get smaller chunks, so that every worker has some."""
MIN_PARALLEL_FILES = 8
"""Fewer files than this are checked in this process: a pool would cost more than it saves."""


def default_jobs() -> int:
    """Every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class StreamTally(Tally):
    """`Tally` in constant memory: a file is counted when its first result passes.

    A file's results arrive together, so a new path is a new file; `Tally`'s
    set of every path is not kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self.files = 0
        self._last: str | None = None

    def add(self, result: CheckResult) -> None:
        super().add(result)
        self.paths.clear()
        if result.path != self._last:
            self.files += 1
            self._last = result.path

    def summary(self) -> Summary:
        return super().summary().model_copy(update={"files": self.files})


class Interrupts:
    """Ctrl-C at once while waiting for results, but never in the middle of emitting one.

    Inside `atomic()` a Ctrl-C is held until the block ends, so that a result
    is written whole and counted, or neither: the summary after an interrupt
    then counts exactly what was printed.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False

    def _handler(self, signum: int, frame: object) -> None:
        if self.depth:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[Interrupts]:
        previous = signal.signal(signal.SIGINT, self._handler)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if self.pending and not self.depth:
            self.pending = False
            raise KeyboardInterrupt


# --- the worker side ------------------------------------------------------------------------

_POLICY: Policy | None = None
_MAX_BYTES = DEFAULT_MAX_BYTES


def _init_worker(policy: Policy, max_bytes: int) -> None:
    """Runs once in each worker: keep the policy, leave Ctrl-C to the parent."""
    global _POLICY, _MAX_BYTES
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the worker inherited lives as long as it does: the collector need not scan
    # it again, nor write to (and so copy) the pages it shares with the parent.
    gc.freeze()
    _POLICY = policy
    _MAX_BYTES = max_bytes


def _work(path: str) -> list[Checked]:
    assert _POLICY is not None, "worker used before its initializer ran"
    return evaluate_path(path, _POLICY, max_bytes=_MAX_BYTES)


# --- the parent side ------------------------------------------------------------------------


class Batch:
    """One run over many files: `results()` yields each final result in sorted path order."""

    def __init__(
        self,
        policy: Policy,
        *,
        jobs: int | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        chunksize: int = CHUNKSIZE,
        track_run: bool = True,
    ) -> None:
        self.policy = policy
        self.jobs = max(1, jobs or default_jobs())
        self.max_bytes = max_bytes
        self.chunksize = max(1, chunksize)
        self.track_run = track_run
        self.tally = StreamTally()
        self.duplicates = RunDuplicates()
        self.interrupted = False
        self.parallel = False
        """Whether a pool of workers ran (false for --jobs 1 and for a handful of files)."""

    def _local(self, paths: Iterable[str]) -> Iterator[list[Checked]]:
        for path in paths:
            yield evaluate_path(path, self.policy, max_bytes=self.max_bytes)

    def _evaluated(self, inputs: Iterable[str]) -> Iterator[list[Checked]]:
        it = iter(inputs)
        if self.jobs == 1:
            yield from self._local(it)
            return
        peek = self.jobs * self.chunksize * 2
        head = list(islice(it, peek))
        if len(head) < MIN_PARALLEL_FILES:
            yield from self._local(head)
            return
        # A run known to be short: about four chunks per worker, so none stands idle.
        chunksize = self.chunksize if len(head) == peek else -(-len(head) // (self.jobs * 4))
        import multiprocessing

        # fork: workers start in milliseconds and share the parent's loaded modules.
        # No thread of ours runs yet (the progress bar starts with the first result).
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        pool = context.Pool(
            self.jobs, initializer=_init_worker, initargs=(self.policy, self.max_bytes)
        )
        self.parallel = True
        try:
            yield from pool.imap(_work, chain(head, it), chunksize=chunksize)
            pool.close()
        finally:
            pool.terminate()  # at once on Ctrl-C or a closed generator; harmless after close()
            pool.join()

    def results(
        self, inputs: Iterable[str], *, count: bool = True
    ) -> Generator[CheckResult, None, None]:
        """Final results (in-run duplicates applied), counted as they pass.

        With `count=False` the caller counts each result (`self.tally.add`)
        when it has really used it, as the command line does.
        """
        try:
            for checked in self._evaluated(inputs):
                for result, key in checked:
                    if self.track_run:
                        self.duplicates.apply(result, key)
                    if count:
                        self.tally.add(result)
                    yield result
        finally:
            self.duplicates.close()

    def summary(self) -> Summary:
        summary = self.tally.summary()
        if self.interrupted:
            summary.notes.append(
                f"interrupted: only the {summary.files} file(s) above were checked; "
                "the rest were not."
            )
        return summary
