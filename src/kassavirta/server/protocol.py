"""uvicorn's httptools protocol with Nagle off, deadlines on silent and dripping clients, and caps.

The parser. uvicorn parses HTTP with httptools (llhttp, in C) or with h11
(pure Python); this class is built on the former: with h11 the parsing and
writing of one request cost about as much time as the check of a small
invoice. uvicorn picks its parser itself only when it is given none; ours is
given explicitly, so the `server` extra requires httptools.

Nagle. asyncio turns Nagle off (TCP_NODELAY) for the sockets it accepts only
when the listening socket says it is TCP. With `--workers N`, uvicorn hands the
listening socket to each worker process, where it is rebuilt from its file
descriptor without its protocol number, so asyncio leaves Nagle on; with Nagle
on, an answer written in two pieces waits for the client to acknowledge the
first, and a client that delays its acknowledgements (40 ms on Linux) made
every answer 40 ms slower. Setting the option on each connection ourselves
gives every worker count the same latency. And an answer's head is written
together with its body (`_HeadWithBody`): one send, one segment, one wake-up
of the client, instead of two.

Deadlines. Each connection holds a file descriptor, and uvicorn closes a quiet
one only after it has answered a request on it: a client that connects and
says nothing, or sends its request head a byte at a time, held its
descriptor for good, and enough of them ran the process out of descriptors.
So a connection that has no request in progress is closed after
`idle_timeout` seconds of silence (before its first request too: uvicorn's
keep-alive timer, started at once), and a request head must be complete
within `header_timeout` seconds of its first byte, or the client gets 408 and
the connection is closed. A head longer than `MAX_HEAD_BYTES` (llhttp sets no
limit of its own) gets 431 and the connection is closed. Bodies are bounded by
the request's `--timeout` (`middleware.TimeLimit`).

The cap. A worker keeps at most `max_connections` connections open. A new one
over the cap closes the connection that has been idle longest (a client
keeping a connection open for later loses nothing but the connection); when
none is idle, every connection is busy with a request, and the new one is
answered 503 with a problem document and closed. So idle connections cannot
starve a real request, and the count stays below the descriptor limit.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

import httptools
from starlette.types import Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from kassavirta.server.middleware import AccessLog
from kassavirta.server.problems import problem_body, send_problem

DEFAULT_IDLE_TIMEOUT = 5.0
DEFAULT_HEADER_TIMEOUT = 5.0
DEFAULT_MAX_CONNECTIONS = 1000
DRAIN_LIMIT = 64 * 1024
"""Most body bytes read and dropped before a refused request's connection is closed."""
DRAIN_SECONDS = 1.0
MAX_HEAD_BYTES = 16 * 1024
"""Most bytes of a request line and headers (what h11, uvicorn's other parser, allows)."""


@dataclass(frozen=True)
class ConnectionLimits:
    """What one worker allows its connections (picklable: it travels to `--workers` processes)."""

    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS


OVER_CAP_DETAIL = (
    "the server has as many connections open as it may (--max-connections), all busy; "
    "try again shortly"
)


async def _over_cap(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer on a connection over the cap: 503, after reading a little of the body.

    Reading some of it first lets a client that sends its whole (small) body
    before it reads see the answer rather than a reset; at most `DRAIN_LIMIT`
    bytes and `DRAIN_SECONDS`, so that the connection is not held for long.
    """
    received = 0
    with suppress(TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            while received <= DRAIN_LIMIT:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
                received += len(message.get("body", b""))
    await send_problem(send, 503, "busy", OVER_CAP_DETAIL, headers=[(b"retry-after", b"1")])


OVER_CAP_APP = AccessLog(_over_cap)

_idle: weakref.WeakKeyDictionary[ServerState, OrderedDict[GuardedProtocol, None]] = (
    weakref.WeakKeyDictionary()
)
"""Per server (one per worker): its idle connections, longest idle first."""


class _HeadTooLarge(Exception):
    """Raised from a parser callback: the request head is over `MAX_HEAD_BYTES`."""


class _HeadWithBody:
    """A connection's transport as one answer sees it: the head waits for the first body bytes.

    uvicorn writes an answer's head and its body separately, i.e. two sends and
    two segments the client wakes up for; held back, the head goes out in the
    same send as the body (or alone, when the answer ends without body bytes
    or the connection is closed).
    """

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.holding = False
        self.held: list[bytes] = []

    def write(self, data: bytes) -> None:
        if self.holding:
            self.held.append(data)
            return
        if self.held:
            data = b"".join((*self.held, data))
            self.held.clear()
        self.transport.write(data)

    def flush(self) -> None:
        if self.held:
            self.write(b"")

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def _send_head_with_body(cycle: RequestResponseCycle) -> Callable[[Message], Awaitable[None]]:
    """`cycle.send`, writing the head of the answer with its first body bytes."""
    send = cycle.send
    out = _HeadWithBody(cycle.transport)
    cycle.transport = out  # type: ignore[assignment]  # the cycle uses write, close, is_closing

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and not cycle.response_started:
            out.holding = True
            try:
                await send(message)  # type: ignore[arg-type]
            finally:
                out.holding = False
            return
        try:
            await send(message)  # type: ignore[arg-type]
        finally:
            out.flush()

    return sending


class GuardedProtocol(HttpToolsProtocol):
    """One connection, with the deadlines and the caps of the module's docstring."""

    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.limit_concurrency = None  # uvicorn's own cap answers text/plain; ours is below
        self.timeout_keep_alive = limits.idle_timeout  # type: ignore[assignment]  # a float is fine
        self.head_timer: asyncio.TimerHandle | None = None
        self.in_head = False
        """From the first byte of a request to the end of its head."""
        self.head_bytes = 0
        """The head's bytes in the request line and the headers the parser has handed over."""
        self.head_unfinished = 0
        """The head's bytes in reads that began and ended inside it."""
        self.idle = _idle.setdefault(self.server_state, OrderedDict())

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            if self.idle:
                oldest, _ = self.idle.popitem(last=False)
                oldest.transport.close()
            else:
                self.app = OVER_CAP_APP
        self._wait_for_request()

    def _wait_for_request(self) -> None:
        """Between requests: idle, closed by uvicorn's keep-alive timer if nothing comes."""
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )
        self.idle[self] = None

    def data_received(self, data: bytes) -> None:
        self.idle.pop(self, None)
        self._unset_keepalive_if_required()
        was_in_head = self.in_head
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, _HeadTooLarge):
                self._head_too_large()
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if was_in_head and self.in_head:
            # All of `data` is head, and httptools keeps a header's unfinished name or value
            # to itself until its line ends: counted here, so that a line that never ends
            # is cut off too (after at most one read more than the limit).
            self.head_unfinished += len(data)
            if self.head_unfinished > MAX_HEAD_BYTES:
                self._head_too_large()

    def _head_too_large(self) -> None:
        self._answer_and_close(
            b"431 Request Header Fields Too Large",
            "header-too-large",
            f"the request head (request line and headers) is over {MAX_HEAD_BYTES} bytes",
        )

    # -- the request head: parser callbacks ---------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head = True
        self.head_bytes = 0
        self.head_unfinished = 0
        if self._answered():  # else a pipelined request: its head's time starts with its turn
            self._start_head_timer()

    def _count(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > MAX_HEAD_BYTES:
            raise _HeadTooLarge

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._head_arrived()
        before = self.cycle
        super().on_headers_complete()
        if self.cycle is not before:  # a new request (not a WebSocket upgrade)
            self.cycle.send = _send_head_with_body(self.cycle)  # type: ignore[method-assign,assignment]

    def _answered(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _start_head_timer(self) -> None:
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.limits.header_timeout, self._head_too_slow)

    def _head_arrived(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_too_slow(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or not self.in_head:
            return
        self._answer_and_close(
            b"408 Request Timeout",
            "request-timeout",
            "the request head (request line and headers) did not arrive within "
            f"{self.limits.header_timeout:g} seconds (--header-timeout)",
        )

    def _answer_and_close(self, status: bytes, error: str, detail: str) -> None:
        """A problem document written straight to the connection, which is then closed: for a
        request the parser never handed to the app."""
        body = problem_body(error, detail)
        head = (
            b"HTTP/1.1 %s\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n" % (status, len(body))
        )
        self.transport.write(head + body)
        self.transport.close()

    # -- after an answer ---------------------------------------------------------------------

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.in_head:
            self._start_head_timer()  # the next request's head began while this one was answered
        elif not self.pipeline and self._answered():
            self.idle[self] = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.idle.pop(self, None)
        self._head_arrived()
        self._unset_keepalive_if_required()
        super().connection_lost(exc)


LISTEN_BACKLOG = 2048
"""uvicorn's default backlog: the most connections waiting to be accepted."""


def descriptor_room() -> tuple[int, int]:
    """The connection cap that fits below this process's descriptor limit, and the backlog.

    A fifth of the soft limit (at least 32) stays free for what else the worker
    opens (the ledger, temporary files, the log) and for a burst of new
    connections: the event loop accepts as many as are waiting, up to the
    listening backlog, before it can close idle ones to make room, so the
    backlog is half of what stays free. Without a known limit: no cap from it.
    """
    try:
        import resource
    except ImportError:  # not on Windows
        return sys.maxsize, LISTEN_BACKLOG
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return sys.maxsize, LISTEN_BACKLOG
    kept = max(32, soft // 5)
    return max(1, soft - kept), max(16, min(LISTEN_BACKLOG, kept // 2))


def guarded_protocol(limits: ConnectionLimits) -> Any:
    """The `http=` for uvicorn: a partial, so that it pickles into `--workers` processes."""
    return partial(GuardedProtocol, limits=limits)
