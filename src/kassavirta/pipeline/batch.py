"""Checking many files on every core, in constant memory, with the single-process result.

Workers do everything that needs only one file (`evaluate.evaluate_paths`: read,
detect, adapt, validate, rules against the assignments known before the run)
and send back each result with its `RunKey` (as its JSON line, for a run that
writes JSON Lines: `pipeline.final`). The parent takes the results in
sorted path order (`WorkerPool` keeps the order and holds the few chunks that
finished early), applies the in-run duplicate rule itself (`RunDuplicates`),
counts, and hands each final result on. So the results are identical for
every `--jobs N`, and the parent holds counters and the keys of routed
invoices, never documents or result lists.

Workers get the policy once (when they start), compile each XSD once per
process, and receive paths in chunks so that inter-process traffic stays
small. A worker killed from outside costs a re-run of its chunk, never a hang
or a lost file; a stop signal (`Interrupts`) ends the run with a whole report. With one job, or too few files to pay for a pool, everything runs in
this process. Where the results go is `kassavirta.report.sinks`.
"""

from __future__ import annotations

import gc
import os
import signal
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING

from kassavirta.findings import CheckResult
from kassavirta.pipeline.duplicates import RunDuplicates
from kassavirta.pipeline.evaluate import evaluate_paths, internal_error
from kassavirta.pipeline.final import Final
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES
from kassavirta.report import Counted, Summary, Tally

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext

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

    def add(self, result: Counted) -> None:
        self.count(result)
        if result.path != self._last:
            self.files += 1
            self._last = result.path

    def summary(self) -> Summary:
        return super().summary().model_copy(update={"files": self.files})


STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""What stops a run like Ctrl-C: a terminal closing (SIGHUP) and `timeout`, CI runners and
service managers (SIGTERM) as well. The exit status is 128 + the signal's number."""


class Interrupts:
    """A stop signal at once while waiting for results, but never in the middle of emitting one.

    Inside `atomic()` a signal is held until the block ends, so that a result
    is written whole and counted, or neither: the summary after an interrupt
    then counts exactly what was printed. After the first signal, later ones
    only wait their turn: the report being closed must not be cut by a second
    Ctrl-C or the SIGTERM a runner sends after its SIGINT.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False
        self.signum: int | None = None
        """The first stop signal that arrived, if any."""

    def _handler(self, signum: int, frame: object) -> None:
        if self.signum is not None:
            return
        self.signum = signum
        if self.depth:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[Interrupts]:
        self.signum = None
        self.pending = False
        previous = {signum: signal.signal(signum, self._handler) for signum in STOP_SIGNALS}
        try:
            yield self
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def atomic(self) -> _Atomic:
        return _Atomic(self)

    def hold(self) -> None:
        """From now on a signal is only noted (`signum`): what is left is closing the report."""
        self.depth += 1


class _Atomic:
    """`Interrupts.atomic()`: a class, not a generator, because a run enters one per result."""

    __slots__ = ("interrupts",)

    def __init__(self, interrupts: Interrupts) -> None:
        self.interrupts = interrupts

    def __enter__(self) -> None:
        self.interrupts.depth += 1

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        interrupts = self.interrupts
        interrupts.depth -= 1
        if kind is None and interrupts.pending and not interrupts.depth:
            interrupts.pending = False
            raise KeyboardInterrupt


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


# --- the worker side ------------------------------------------------------------------------

_POLICY: Policy | None = None
_MAX_BYTES = DEFAULT_MAX_BYTES
KILL_HOOK = "KASSAVIRTA_TEST_KILL_WORKER_ON"
"""Tests only: a worker checking a file of this name kills itself with SIGKILL, as the kernel's
out-of-memory killer would. Nothing reads it unless it is set."""


def _work(paths: list[str], ahead: int | None = None) -> Iterator[list[Final]]:
    """Each path's finals, in order (`evaluate.evaluate_paths`; `ahead=1`: one file at a time)."""
    assert _POLICY is not None, "worker used before it was set up"
    checked = evaluate_paths(_taken(paths), _POLICY, max_bytes=_MAX_BYTES, ahead=ahead)
    for results in checked:
        yield [Final.made(result, key, lines=_LINES) for result, key in results]


def _taken(paths: list[str]) -> Iterator[str]:
    """The paths, as the worker reads them; with `KILL_HOOK` set it dies reading the one named."""
    for path in paths:
        if _KILL_ON is not None and os.path.basename(path) == _KILL_ON:
            os.kill(os.getpid(), signal.SIGKILL)
        yield path


_KILL_ON: str | None = None
_LINES = False
"""Whether the run writes JSON Lines: each result's line is then written here (`pipeline.final`)."""


def _worker_main(
    conn: Connection,
    others: list[Connection],
    policy: Policy,
    max_bytes: int,
    lines: bool,
) -> None:
    """One worker: check the chunks it is sent until told to stop or the parent is gone.

    Stop signals are the parent's to handle (a terminal or `timeout` signals
    the whole process group): the parent writes what is decided and then
    kills its workers. A worker whose parent is gone finds its pipe closed
    and leaves without a word, never with a traceback.
    """
    global _POLICY, _MAX_BYTES, _KILL_ON, _LINES
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    for other in others:  # the parent's ends of the other workers' pipes, inherited by fork
        other.close()
    # What the worker inherited lives as long as it does: the collector need not scan
    # it again, nor write to (and so copy) the pages it shares with the parent.
    gc.freeze()
    _POLICY, _MAX_BYTES, _LINES = policy, max_bytes, lines
    _KILL_ON = os.environ.get(KILL_HOOK) or None
    try:
        while (task := conn.recv()) is not None:
            one_by_one, paths = task
            if one_by_one:  # a retry: each file answered before the next is read
                for finals in _work(paths, ahead=1):
                    conn.send(finals)
                conn.send(None)
            else:
                conn.send(list(_work(paths)))
    except (EOFError, OSError):  # the parent is gone: nobody is left to report to
        pass


# --- the parent side ------------------------------------------------------------------------

WINDOW_PER_WORKER = 4
"""Chunks handed out ahead of the oldest unfinished one, per worker: enough that no worker
waits for a slow file in another, few enough that the results held back stay small."""
STOP_WAIT_SECONDS = 5.0


@dataclass(slots=True)
class _Task:
    seq: int
    """The chunk's place in the run: results leave in this order."""
    paths: list[str]
    retry: bool = False
    """A re-run after a worker was lost: checked and answered one file at a time."""
    done: int = 0


class _Worker:
    """One worker process, the parent's end of its pipe, and the chunk it is checking."""

    def __init__(self, context: BaseContext, others: list[Connection], args: tuple[object, ...]):
        mine, theirs = context.Pipe()
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(theirs, [*others, mine], *args), daemon=True
        )
        self.process.start()
        theirs.close()
        self.conn = mine
        self.task: _Task | None = None


def lost_result(path: str, exitcode: int | None) -> list[Final]:
    """The report for a file whose worker died twice on it: the file is named, never lost."""
    if exitcode is not None and exitcode < 0:
        how = f"was killed by {signal_name(-exitcode)}"
    else:
        how = f"stopped (exit status {exitcode})"
    message = f"the worker process checking this file {how}, twice: the file was not checked"
    detail = (
        "The kernel kills a process when memory runs out (SIGKILL): check the file with "
        "--jobs 1, or give the run more memory."
    )
    return [Final(internal_error(path, message, detail))]


class WorkerPool:
    """Workers that check chunks of paths, with results in chunk order and no chunk lost.

    `multiprocessing.Pool` waits for ever for the task of a worker killed from
    outside. Here each worker holds one chunk at a time on its own pipe, so
    the parent knows what a dead worker was doing: that chunk is checked again,
    one file at a time, in a fresh worker; a file whose second worker dies too
    is reported as `internal-error` naming the signal, and the run goes on.
    """

    def __init__(self, jobs: int, policy: Policy, max_bytes: int, *, lines: bool = False) -> None:
        import multiprocessing

        # fork: workers start in milliseconds and share the parent's loaded modules.
        # No thread of ours runs yet (the progress bar starts with the first result).
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.args = (policy, max_bytes, lines)
        self.workers: list[_Worker] = []
        for _ in range(jobs):
            self._start()
        self.lost = 0
        """Workers that died under the run and were replaced."""

    def _start(self) -> _Worker:
        worker = _Worker(self.context, [w.conn for w in self.workers], self.args)
        self.workers.append(worker)
        return worker

    def run(self, chunks: Iterator[list[str]]) -> Iterator[list[Final]]:
        """Each file's results, in the order of `chunks` and of the paths within each."""
        # Here, not at import: a check that needs no pool never loads multiprocessing.
        from multiprocessing.connection import wait as wait_any

        window = WINDOW_PER_WORKER * len(self.workers)
        retries: deque[_Task] = deque()
        finished: dict[int, list[list[Final]]] = {}
        partial: dict[int, list[list[Final]]] = {}
        next_seq = next_out = 0
        exhausted = False
        while True:
            while next_out in finished:
                yield from finished.pop(next_out)
                next_out += 1
            for worker in self.workers:
                if worker.task is not None:
                    continue
                if retries:
                    task = retries.popleft()
                elif not exhausted and next_seq < next_out + window:
                    paths = next(chunks, None)
                    if paths is None:
                        exhausted = True
                        continue
                    task = _Task(next_seq, paths)
                    next_seq += 1
                else:
                    continue
                try:
                    worker.conn.send((task.retry, task.paths[task.done :]))
                except OSError:  # it died while idle: its successor takes the task
                    retries.appendleft(task)
                    self._drop(worker)
                    self._start()
                    break
                worker.task = task
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                if exhausted and not finished and not retries:
                    return
                continue
            ready = set(wait_any([x for w in busy for x in (w.conn, w.process.sentinel)]))
            for worker in busy:
                held = worker.task
                assert held is not None
                died = False
                while worker.conn in ready or worker.conn.poll():
                    ready.discard(worker.conn)
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        died = True
                        break
                    if not held.retry:
                        finished[held.seq] = message
                        worker.task = None
                        break
                    if message is None:  # the last file of a re-run
                        finished[held.seq] = partial.pop(held.seq)
                        worker.task = None
                        break
                    partial[held.seq].append(message)
                    held.done += 1
                if died or (worker.task is not None and worker.process.sentinel in ready):
                    self._replace(worker, retries, partial)

    def _replace(
        self, worker: _Worker, retries: deque[_Task], partial: dict[int, list[list[Final]]]
    ) -> None:
        """A worker died: start a fresh one, and give its chunk to it again."""
        self._drop(worker)
        task = worker.task
        assert task is not None
        if not task.retry:
            partial[task.seq] = []
            retries.appendleft(_Task(task.seq, task.paths, retry=True))
        else:  # it died on its second try of this file
            partial[task.seq].append(lost_result(task.paths[task.done], worker.process.exitcode))
            task.done += 1
            retries.appendleft(task)  # the rest of the chunk; with none left, this closes it
        self._start()

    def _drop(self, worker: _Worker) -> None:
        worker.process.join()
        worker.conn.close()
        self.workers.remove(worker)
        self.lost += 1

    def close(self, *, at_once: bool) -> None:
        """Stop every worker: at once on an interrupt, after its last answer otherwise."""
        for worker in self.workers:
            if at_once:
                worker.process.kill()
            else:
                try:
                    worker.conn.send(None)
                except OSError:
                    worker.process.kill()
        for worker in self.workers:
            worker.process.join(None if at_once else STOP_WAIT_SECONDS)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self.workers.clear()


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
        lines: bool = False,
    ) -> None:
        self.policy = policy
        self.lines = lines
        """Whether the results are written as JSON Lines: workers then write each line."""
        self.jobs = max(1, jobs or default_jobs())
        self.max_bytes = max_bytes
        self.chunksize = max(1, chunksize)
        self.track_run = track_run
        self.tally = StreamTally()
        self.duplicates = RunDuplicates()
        self.interrupted = False
        self.signum: int | None = None
        """The stop signal that interrupted the run (SIGINT when unknown)."""
        self.unchecked: int | None = None
        """After an interrupt, how many files given were not checked (`not_checked()`)."""
        self.taken = 0
        self._rest: Iterator[str] = iter(())
        self.lost_workers = 0
        """Workers that died under the run (killed from outside) and were replaced."""
        self.parallel = False
        """Whether a pool of workers ran (false for --jobs 1 and for a handful of files)."""

    def _local(self, paths: Iterable[str]) -> Iterator[list[Final]]:
        # `finals` applies each file's keys before it asks for the next result.
        for checked in evaluate_paths(paths, self.policy, max_bytes=self.max_bytes, here=True):
            yield [Final(result, key) for result, key in checked]

    def _evaluated(self, inputs: Iterable[str]) -> Iterator[list[Final]]:
        it = self._counted(inputs)
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
        names = chain(head, it)
        chunks = iter(lambda: list(islice(names, chunksize)), [])
        pool = WorkerPool(self.jobs, self.policy, self.max_bytes, lines=self.lines)
        self.parallel = True
        finished = False
        try:
            yield from pool.run(chunks)
            finished = True
        finally:
            # At once on an interrupt or a closed generator; after their last answer otherwise.
            pool.close(at_once=not finished)
            self.lost_workers = pool.lost

    def _counted(self, inputs: Iterable[str]) -> Iterator[str]:
        self._rest = iter(inputs)
        for name in self._rest:
            self.taken += 1
            yield name

    def not_checked(self) -> int:
        """After an interrupt: the files given that have no result (the rest of the walk is counted)."""
        rest = sum(1 for _ in self._rest)
        return max(0, self.taken + rest - self.tally.files)

    def finals(self, inputs: Iterable[str], *, count: bool = True) -> Generator[Final, None, None]:
        """Final results (in-run duplicates applied), counted as they pass.

        With `count=False` the caller counts each result (`self.tally.add`)
        when it has really used it, as the command line does.
        """
        try:
            for finals in self._evaluated(inputs):
                for final in finals:
                    if self.track_run:
                        self.duplicates.note(final, final.key)
                    if count:
                        self.tally.add(final)
                    yield final
        finally:
            self.duplicates.close()

    def results(
        self, inputs: Iterable[str], *, count: bool = True
    ) -> Generator[CheckResult, None, None]:
        """`finals`, each result whole."""
        finals = self.finals(inputs, count=count)
        try:
            for final in finals:
                yield final.result
        finally:
            finals.close()

    def summary(self) -> Summary:
        summary = self.tally.summary()
        if self.lost_workers:
            summary.notes.append(
                f"{self.lost_workers} worker process(es) died during the run (killed from "
                "outside, e.g. when memory ran out); their files were checked again."
            )
        if self.interrupted:
            by = f" by {signal_name(self.signum)}" if self.signum is not None else ""
            rest = "the rest were not" if self.unchecked is None else f"{self.unchecked} were not"
            summary.notes.append(
                f"interrupted{by}: only the {summary.files} file(s) above were checked; {rest}."
            )
        return summary
