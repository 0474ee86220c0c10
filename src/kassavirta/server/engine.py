"""The work behind the routes, on threads of its own, with what was loaded at start.

The settings, the assignments, the ledger and the compiled XSDs are loaded
once, when the app is made (`Engine.__init__`), through the one
`build_policy` the CLI uses too, so a check over HTTP decides exactly as
`kassavirta check` does. Each request gets a policy derived from that one
with its own sending date and channel; a changed ledger gives the engine a
new policy, never an edited one.

Checks (`/v1/check`, `/v1/check/batch`) run on a small pool of check threads
(`--check-threads`, `Engine.check_on_pool`), so a large invoice being checked
does not hold up a small one behind it; except a small body (at most
`INLINE_MAX_BYTES`) while no job is running on any of the engine's threads,
which is checked on the event loop at once (`Engine.check_small_inline`): a
check of a few kilobytes takes about a millisecond, and the hop to a thread
and back (two wake-ups, the GIL handed over twice) cost about half as much
again in latency. With the threads idle it cannot wait on anything they hold
(the schema store's lock, the ledger re-read). The rest (rewrite, preview, events, readiness) runs on one thread of its own
(`Engine.submit`), as it always did: rendering and the ledger stay single
threaded. A check is mostly Python and holds the GIL, so more threads do not
check faster; they keep the answers flowing. What the check threads share is
safe to share: the policy is read only, lxml's compiled XPaths lock
themselves, and the schema store validates one document at a time (lxml keeps one
error log per compiled schema). Throughput comes
from `--workers N` processes. A request that runs past its time limit is
answered by the middleware; its job, if it already started, runs to its end
on its thread and its result is dropped, and a job still waiting in the queue
is never started.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

from lxml import etree

from kassavirta.config.policy import (
    Policy,
    RunOptions,
    build_policy,
    load_assignment_index,
    with_ledger_groups,
)
from kassavirta.config.settings import load_settings
from kassavirta.decision import invalid_from_error
from kassavirta.erp.assignments import Assignment, Event
from kassavirta.erp.events.types import Party
from kassavirta.erp.events.validate import Verdict, validate_event
from kassavirta.erp.index import AssignmentIndex
from kassavirta.erp.schedule import Schedule, reminder_schedule, schedule_settings
from kassavirta.errors import InputError, SettingsError
from kassavirta.findings import CheckResult, Decision
from kassavirta.finnish.businessdays import is_business_day
from kassavirta.formats.registry import SCHEMA_FILES
from kassavirta.formats.schemas import SchemaStore
from kassavirta.pipeline.evaluate import Checker, today_in_helsinki
from kassavirta.report import Report, Tally
from kassavirta.report.json import result_dict
from kassavirta.rewrite import RewriteResult, rewrite_document
from kassavirta.server.config import ServerConfig
from kassavirta.server.exchange import Asked, json_bytes
from kassavirta.server.logs import SERVER

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(SERVER)

Signature = tuple[tuple[int, int] | None, ...]

SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits for it (Python's default is 0.005)."""

WARM_UP = b"<Finvoice Version='3.0'><InvoiceDetails/></Finvoice>"

INLINE_MAX_BYTES = 32 * 1024
"""Bodies up to this size are checked on the event loop when the engine's threads are idle."""


def _file_signature(ledger: Path | None) -> Signature:
    """What changes when someone writes the ledger: the database file and its WAL."""
    if ledger is None:
        return ()
    found: list[tuple[int, int] | None] = []
    for p in (ledger, ledger.with_name(ledger.name + "-wal")):
        try:
            st = p.stat()
        except OSError:
            found.append(None)
        else:
            found.append((st.st_mtime_ns, st.st_size))
    return tuple(found)


def warm_schemas(store: SchemaStore | None) -> dict[str, str]:
    """Compile every XSD the store can find now, so that no request pays for it.

    `SchemaStore` compiles a schema the first time a document of its format is
    validated; validating an empty stand-in document per schema key does that
    through its public method. Returns schema key → file.
    """
    if store is None:
        return {}
    compiled: dict[str, str] = {}
    for key in SCHEMA_FILES:
        path = store.find(key)
        if path is None:
            continue
        format_id, _, root = key.partition("/")
        store.validate(format_id, etree.ElementTree(etree.Element(root or "Stand-in")))
        compiled[key] = str(path)
    return compiled


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    """What `POST /v1/check` answers: the JSON of the result shown, and its headers' values."""

    body: bytes
    decision: str
    invoices: int


class Engine:
    """The policy loaded at start, and the thread every check runs on."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.options: RunOptions = config.options
        self.policy: Policy = build_policy(self.options)
        # The settings as their file has them: a ledger re-read adds its groups to these afresh.
        self._own_settings = load_settings(self.options.settings) if self.options.settings else None
        self._reload = threading.Lock()
        self.schemas = warm_schemas(self.policy.schemas)
        # The first check imports the adapters and the rules' libraries (the holiday
        # calendar takes a tenth of a second): at start, not on a request's time.
        Checker(self.policy).check_bytes(WARM_UP, "<warm-up>")
        is_business_day(self.policy.today)
        self._seen = _file_signature(self.options.ledger)
        self.running = 0
        """Jobs submitted to the engine's threads and not finished (or dropped) yet."""
        self._count_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="kassavirta-work")
        self._checks = ThreadPoolExecutor(
            config.check_threads, thread_name_prefix="kassavirta-check"
        )
        # The check thread holds the GIL for whole milliseconds; by default the event loop
        # waits up to 5 ms for it at every wake-up, so each request in flight pays for the
        # others' checks several times over. A shorter interval hands the loop the GIL soon.
        # It is process-wide, so only a server that is its own process sets it.
        if config.own_process:
            sys.setswitchinterval(SWITCH_INTERVAL)

    # -- the thread --------------------------------------------------------------------------

    def _tracked(self, job: Future[T]) -> Future[T]:
        with self._count_lock:
            self.running += 1
        job.add_done_callback(self._job_done)  # also when it is cancelled before it started
        return job

    def _job_done(self, _: Future[Any]) -> None:
        with self._count_lock:
            self.running -= 1

    async def submit(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` on the engine's thread; cancelling the await drops a job not yet started."""
        return await asyncio.wrap_future(self._tracked(self._executor.submit(fn, *args, **kwargs)))

    async def check_on_pool(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a check `fn` on the first free check thread; cancelling drops a job not started."""
        return await asyncio.wrap_future(self._tracked(self._checks.submit(fn, *args, **kwargs)))

    async def check_small_inline(
        self, size: int, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`check_on_pool`, or for a body of `size` <= `INLINE_MAX_BYTES` while no job runs
        on the engine's threads, `fn` on the event loop now (see the module's docstring)."""
        if size <= INLINE_MAX_BYTES and not self.running:
            return fn(*args, **kwargs)
        return await self.check_on_pool(fn, *args, **kwargs)

    def close(self) -> None:
        self._checks.shutdown(wait=True, cancel_futures=True)
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- policy --------------------------------------------------------------------------------

    def _refresh_assignments(self) -> None:
        """Re-read the ledger when its file changed since it was read (an import, a --record)."""
        if self.options.ledger is None:
            return
        with self._reload:  # several check threads may see the change at once: read it once
            self._reread()

    def _reread(self) -> None:
        seen = _file_signature(self.options.ledger)
        if seen == self._seen:
            return
        try:
            fresh = load_assignment_index(
                RunOptions(assignments=self.options.assignments, ledger=self.options.ledger)
            )
        except SettingsError as exc:
            log.warning(
                "ledger changed but cannot be read; keeping the assignments read before",
                extra={"event": "ledger-reload-failed", "error": str(exc)},
            )
            return
        settings = self.policy.settings
        if self._own_settings is not None and self.options.ledger is not None:
            try:
                settings = with_ledger_groups(self._own_settings, self.options.ledger)
            except SettingsError as exc:
                log.warning(
                    "ledger changed but its service levels cannot be read; keeping those read "
                    "before",
                    extra={"event": "ledger-reload-failed", "error": str(exc)},
                )
        self.policy = dataclasses.replace(self.policy.derive(assignments=fresh), settings=settings)
        self._seen = seen
        log.info("ledger re-read", extra={"event": "ledger-reloaded"})

    def today(self, today: date | None) -> date:
        return today or self.options.today or today_in_helsinki()

    def policy_for(self, asked: Asked) -> Policy:
        self._refresh_assignments()
        return self.policy.derive(
            today=self.today(asked.today),
            channel=asked.channel,
            manual_assignment=asked.manual or None,
        )

    # -- the work (on the engine's thread) -------------------------------------------------------

    def check(self, data: bytes, label: str, asked: Asked) -> list[CheckResult]:
        """Every invoice in one file, as `kassavirta check` decides it."""
        policy = self.policy_for(asked)
        return Checker(policy, max_bytes=self.config.max_bytes).check_bytes(data, label)

    def check_answer(self, data: bytes, label: str, asked: Asked) -> CheckAnswer:
        """`check`, and the answer's JSON encoded here too: on a check thread, the event loop
        never spends its time serialising a result."""
        results = self.check(data, label, asked)
        shown = next((r for r in results if r.decision is not Decision.ROUTE), results[0])
        return CheckAnswer(json_bytes(result_dict(shown)), shown.decision.value, len(results))

    def batch(
        self, items: Sequence[tuple[str, bytes | InputError]], notes: Sequence[str], asked: Asked
    ) -> Report:
        """One run over several files, in the given order: in-run duplicates apply as in the CLI."""
        policy = self.policy_for(asked)
        checker = Checker(policy, max_bytes=self.config.max_bytes)
        tally = Tally()
        results: list[CheckResult] = []
        for label, data in items:
            if isinstance(data, InputError):
                found = [invalid_from_error(label, data).result]
            else:
                found = checker.check_bytes(data, label)
            for result in found:
                tally.add(result)
            results.extend(found)
        summary = tally.summary()
        summary.notes.extend(notes)
        return Report(summary=summary, results=results)

    def batch_body(
        self, items: Sequence[tuple[str, bytes | InputError]], notes: Sequence[str], asked: Asked
    ) -> bytes:
        """`batch` as the JSON document, encoded on this thread."""
        report = self.batch(items, notes, asked)
        return json_bytes(report.model_dump(mode="json"))

    def rewrite(
        self, data: bytes, label: str, asked: Asked, rf: bool, *, models: bool = False
    ) -> RewriteResult:
        return rewrite_document(data, self.policy_for(asked), rf=rf, path=label, models=models)

    def preview(
        self,
        data: bytes,
        label: str,
        asked: Asked,
        rf: bool,
        kind: Literal["pdf", "html"],
        compare: bool,
    ) -> tuple[RewriteResult, bytes | None]:
        """The rewrite and, when routed, the image drawn from it (PDF bytes or UTF-8 HTML)."""
        from kassavirta.render import build_pages, render_html, render_pdf

        result = self.rewrite(data, label, asked, rf, models=True)
        if not result.routed:
            return result, None
        pages = build_pages(result)
        if kind == "pdf":
            return result, render_pdf(pages)
        return result, render_html(pages, compare=compare).encode("utf-8")

    def schedule(self, due_date: date, business_id: str | None, business: bool) -> Schedule:
        settings = self.policy.settings
        level = settings.service_levels.level_of(business_id) if settings else None
        return reminder_schedule(
            due_date, business=business, service_level=level, config=schedule_settings(settings)
        )

    # -- assignments and events --------------------------------------------------------------

    @property
    def has_assignments(self) -> bool:
        return self.options.ledger is not None or bool(self.options.assignments)

    def find_assignment(self, assignment_id: str) -> Assignment | None:
        """The assignment as the ledger knows it now (read fresh), else from the assignment files."""
        if self.options.ledger is not None:
            from kassavirta.erp.ledger import Ledger

            with Ledger.open_readonly(self.options.ledger) as ledger:
                found = ledger.get(assignment_id)
            if found is not None:
                return found
        self._refresh_assignments()
        index: AssignmentIndex = self.policy.assignments
        return next((a for a in index if a.id == assignment_id), None)

    def validate_event(
        self, assignment_id: str, event: Event, party: Party
    ) -> tuple[Assignment, Verdict] | None:
        assignment = self.find_assignment(assignment_id)
        if assignment is None:
            return None
        return assignment, validate_event(assignment, event, party, self.today(None))

    def ledger_summary(self) -> dict[str, object] | None:
        """The service's comments and the failed deliveries in the ledger as it is now (read
        fresh); None without a ledger."""
        if self.options.ledger is None:
            return None
        from kassavirta.erp.attention import attention
        from kassavirta.erp.ledger import Ledger

        with Ledger.open_readonly(self.options.ledger) as ledger:
            return attention(ledger).as_dict()

    # -- readiness ---------------------------------------------------------------------------

    def readiness(self) -> dict[str, object]:
        """Whether every file the server depends on is still usable, and what it holds."""
        problems: list[str] = []
        settings = self.policy.settings
        if settings is None:
            settings_state = "none: every invoice is bypass/service-inactive"
        else:
            settings_state = f"{settings.status}, accountable_party {settings.accountable_party}"
        ledger_state: str | None = None
        if self.options.ledger is not None:
            from kassavirta.erp.ledger import Ledger

            try:
                with Ledger.open_readonly(self.options.ledger) as ledger:
                    ledger_state = f"schema version {ledger.schema_version}"
            except SettingsError as exc:
                ledger_state = "unreachable"
                problems.append(str(exc))
        for key, path in self.schemas.items():
            if not Path(path).is_file():
                problems.append(f"schema for {key} is gone: {path}")
        return {
            "ready": not problems,
            "settings": settings_state,
            "schemas": dict(self.schemas),
            "ledger": ledger_state,
            "problems": problems,
        }
