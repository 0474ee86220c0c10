"""The operational limits, as plain ASGI middleware around the app.

Outermost first: `AccessLog` (sees every answer, including the ones the
others give), `TimeLimit` (one deadline from the first byte of the request to
the response, so a slow upload counts too), `BearerAuth` (refuses before any
body is read), `BodyLimit` (refuses an announced oversized body at once, and
counts the bytes of any other while they arrive, so an endless chunked body is
cut off at the limit rather than buffered; and admits the body's bytes against
the worker's budget of held bytes (`budget`), or answers 503 when it is full).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kassavirta.server.budget import BUSY_DETAIL, BodyBudget
from kassavirta.server.logs import ACCESS
from kassavirta.server.problems import ApiError, send_problem

access_log = logging.getLogger(ACCESS)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PROTECTED_PREFIX = "/v1/"
PROBES = frozenset({"/healthz", "/readyz"})


class BodyLimit:
    """413 for a body over `max_bytes`: by its Content-Length before reading, else while reading.

    And 503 with Retry-After when the worker already holds `budget.limit` body
    bytes and none are given back within `budget.wait` seconds; the bytes a
    request was admitted with are given back once its answer is sent.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, budget: BodyBudget) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.budget = budget

    def _too_large(self) -> str:
        return (
            f"the request body is over the {self.max_bytes}-byte limit "
            "(split a batch into several requests)"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        announced = headers.get("content-length")
        if announced is not None:
            if not announced.isdigit():
                await send_problem(send, 400, "bad-request", "Content-Length is not a number")
                return
            if int(announced) > self.max_bytes:
                await send_problem(send, 413, "payload-too-large", self._too_large())
                return
        # A chunked body does not say how long it is: it is admitted as a largest body, and
        # what it did not use is given back when it ends. Taking its share chunk by chunk
        # instead would let several half-received bodies wait on each other for good.
        chunked = announced is None and "transfer-encoding" in headers
        admitted = int(announced) if announced is not None else self.max_bytes if chunked else 0
        if not await self.budget.acquire(admitted):
            # Read the body to its end, holding none of it: a client that sends its whole
            # body before it reads the answer would otherwise see a reset, not the 503.
            await _drain(receive)
            await send_problem(send, 503, "busy", BUSY_DETAIL, headers=[(b"retry-after", b"1")])
            return
        received = 0

        async def limited() -> Message:
            nonlocal received, admitted
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise ApiError(413, "payload-too-large", self._too_large())
                if received > admitted:  # a body without any length header: count it all
                    more = received - admitted
                    if not await self.budget.acquire(more):
                        raise ApiError(503, "busy", BUSY_DETAIL, headers={"Retry-After": "1"})
                    admitted += more
                elif chunked and not message.get("more_body", False):
                    await self.budget.release(admitted - received)
                    admitted = received
            return message

        try:
            await self.app(scope, limited, send)
        finally:
            await self.budget.release(admitted)


async def _drain(receive: Receive) -> None:
    """Receive a body that will not be used, keeping no chunk of it."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class BearerAuth:
    """With a token configured, every `/v1/` route needs `Authorization: Bearer <token>`.

    The comparison takes the same time however much of the token is right
    (`hmac.compare_digest`). The page, the probes and the OpenAPI document stay
    open: they hold nothing of the sender's.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.token is not None
            and scope["type"] == "http"
            and scope["path"].startswith(PROTECTED_PREFIX)
        ):
            scheme, _, given = Headers(scope=scope).get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode("utf-8"), self.token
            ):
                await send_problem(
                    send,
                    401,
                    "unauthorized",
                    "this server needs its access token: Authorization: Bearer <token>",
                    headers=[(b"www-authenticate", b'Bearer realm="kassavirta"')],
                )
                return
        await self.app(scope, receive, send)


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""The names a request may be addressed to without a token, with any port."""


def host_name(value: str) -> str:
    """`Host` (or an origin's netloc) without its port, lowercased: `[::1]:8080` → `[::1]`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.partition(":")[0]


class HostCheck:
    """Without a token: refuse (403) a request addressed to another name, or sent by another site.

    A browser on this machine may be led to the server by a page from
    anywhere: by a form that posts to it, or by a name the page's site turns
    to 127.0.0.1 (DNS rebinding), after which the page reads the answers as its
    own. Both show in the request: the form's `Origin` is the other site, and
    the rebound request's `Host` is the other site's name. So only the
    loopback names, and the names given with `--allow-host`, are answered
    (`/healthz` and `/readyz` for any name: they hold nothing). With a token,
    a page elsewhere cannot send it, and nothing is checked.
    """

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset(LOOPBACK_NAMES) | {host_name(name) for name in allowed}

    def _refusal(self, headers: Headers) -> str | None:
        host = headers.get("host")
        if host is not None and host_name(host) not in self.allowed:
            return f"this server answers requests addressed to {self._names()}, not {host[:100]!r}"
        origin = headers.get("origin")
        if origin is not None and host_name(urlsplit(origin).netloc) not in self.allowed:
            return f"this server does not answer pages from another site ({origin[:100]!r})"
        return None

    def _names(self) -> str:
        return ", ".join(sorted(self.allowed))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in PROBES:
            refusal = self._refusal(Headers(scope=scope))
            if refusal is not None:
                detail = f"{refusal}; start it with --allow-host NAME, or with --token-file"
                await send_problem(send, 403, "forbidden", detail)
                return
        await self.app(scope, receive, send)


class TimeLimit:
    """No request takes longer than `seconds`: 408 while the body is still arriving, else 503.

    The deadline cancels the request's task. Work already running on the
    engine's thread cannot be interrupted; it finishes and is dropped (see
    `engine`), and work still queued is never started.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        body_done = False

        async def watched_receive() -> Message:
            nonlocal body_done
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_done = True
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        deadline = asyncio.timeout(self.seconds)
        try:
            async with deadline:
                await self.app(scope, watched_receive, watched_send)
        except TimeoutError:
            if not deadline.expired():
                raise
            if started:
                return  # the answer is on its way; nothing better to send
            if not body_done:
                await send_problem(
                    send,
                    408,
                    "request-timeout",
                    f"the request body did not arrive within {self.seconds:g} seconds",
                )
            else:
                await send_problem(
                    send,
                    503,
                    "timeout",
                    f"the request took longer than the server's limit of {self.seconds:g} "
                    "seconds; try again, or send fewer invoices at once",
                    headers=[(b"retry-after", b"1")],
                )


class AccessLog:
    """One JSON line per request, and the headers every answer carries.

    Logged: method, route path (never the query), status, body sizes, time
    taken, client address, request id and, for a decision, the decision word.
    Never a file name or anything read from an invoice.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        began = time.perf_counter()
        status = 500
        size_in = 0
        size_out = 0
        decision: str | None = None

        async def counting_receive() -> Message:
            nonlocal size_in
            message = await receive()
            if message["type"] == "http.request":
                size_in += len(message.get("body", b""))
            return message

        async def stamping_send(message: Message) -> None:
            nonlocal status, size_out, decision
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = request_id
                headers.setdefault("x-content-type-options", "nosniff")
                if scope["path"].startswith(PROTECTED_PREFIX):
                    headers.setdefault("cache-control", "no-store")
                decision = headers.get("kassavirta-decision")
            elif message["type"] == "http.response.body":
                size_out += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, stamping_send)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                self._log(scope, request_id, began, status, size_in, size_out, decision)

    @staticmethod
    def _log(
        scope: Scope,
        request_id: str,
        began: float,
        status: int,
        size_in: int,
        size_out: int,
        decision: str | None,
    ) -> None:
        """The request's line, built only when the level lets it through."""
        client = scope.get("client")
        entry: dict[str, object] = {
            "event": "request",
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "ms": round((time.perf_counter() - began) * 1000, 2),
            "bytes_in": size_in,
            "bytes_out": size_out,
            "client": client[0] if client else None,
        }
        if decision:
            entry["decision"] = decision
        access_log.info("", extra=entry)
