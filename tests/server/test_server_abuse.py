"""`kassavirta serve` against clients that hold connections, drip, flood, or come from elsewhere.

A real server on a free loopback port, talked to over raw sockets where an
HTTP client would hide what happens (a connection that says nothing, a head
sent a byte at a time). Every wait is bounded by a deadline far beyond the
server's timeouts; no duration is asserted, only what the server did: closed
the connection, answered 408, 503 or 403, or answered as usual.
"""

from __future__ import annotations

import asyncio
import json
import logging
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, TODAY_ISO

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from uvicorn.server import ServerState  # noqa: E402

from kassavirta.config.policy import RunOptions  # noqa: E402
from kassavirta.server import ServerConfig, create_app  # noqa: E402
from kassavirta.server.launch import ServerProcess, free_port  # noqa: E402
from kassavirta.server.logs import Repeats  # noqa: E402
from kassavirta.server.protocol import (  # noqa: E402
    MAX_HEAD_BYTES,
    ConnectionLimits,
    guarded_protocol,
)

SETTINGS = SAMPLES / "settings.json"
ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
XML = {"Content-Type": "application/xml"}
Q = {"today": TODAY_ISO}
ALLOWED = "kassavirta.test"
BOUND = 30.0
"""Seconds any wait may take: far beyond the timeouts under test (1 s), short of a hang."""


def _args(*more: str) -> list[str]:
    return ["--settings", str(SETTINGS), "--no-config", "--today", TODAY_ISO, *more]


@pytest.fixture(scope="module")
def guarded() -> Iterator[ServerProcess]:
    args = _args("--idle-timeout", "1", "--header-timeout", "1", "--allow-host", ALLOWED)
    with ServerProcess(args) as server:
        yield server


@pytest.fixture
def capped() -> Iterator[ServerProcess]:
    """Four connections at most; idle ones are not closed by time here, only to make room."""
    with ServerProcess(_args("--max-connections", "4", "--idle-timeout", "120")) as server:
        yield server


def _connect(server: ServerProcess) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=BOUND)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection (within `BOUND`)."""
    chunks = []
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server has closed `sock` (readable, and nothing more to read)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(65536, socket.MSG_PEEK) == b""
    except ConnectionResetError:
        return True


def _problem(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    document: dict[str, Any] = json.loads(body)
    return status, document


# --- idle and dripping connections -------------------------------------------------------------


def test_a_silent_connection_is_closed_after_the_idle_timeout(guarded: ServerProcess) -> None:
    with _connect(guarded) as sock:
        assert sock.recv(1) == b""  # closed without an answer; on the old code it waited for good


def _answer_then_close(server: ServerProcess, request: bytes) -> bytes:
    """What the server sends for `request` on a new connection until it closes it."""
    with _connect(server) as sock:
        sock.sendall(request)
        return _read_all(sock)


def test_a_connection_silent_after_its_answer_is_closed_too(guarded: ServerProcess) -> None:
    answer = _answer_then_close(guarded, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_a_dripped_request_head_gets_408_and_is_closed(guarded: ServerProcess) -> None:
    with _connect(guarded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        deadline = time.monotonic() + BOUND
        answered = False
        while time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.1)
            if readable:
                answered = True
                break
            sock.sendall(b"X")  # one byte of a header that never ends
        assert answered, "the server kept reading a request head a byte at a time"
        status, problem = _problem(_read_all(sock))
    assert status == 408
    assert problem["error"] == "request-timeout"
    assert problem["detail"] == (
        "the request head (request line and headers) did not arrive within 1 seconds "
        "(--header-timeout)"
    )


def test_a_request_head_over_the_limit_gets_431_and_is_closed(guarded: ServerProcess) -> None:
    """llhttp sets no limit on a head: ours is h11's (16 KiB); h11 itself answered a bare 400."""
    with _connect(guarded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        with suppress(OSError):  # the server may close while headers are still being sent
            for n in range(200):
                sock.sendall(b"X-Filler-%d: %s\r\n" % (n, b"a" * 200))
        status, problem = _problem(_read_all(sock))
    assert status == 431
    assert problem == {
        "error": "header-too-large",
        "detail": f"the request head (request line and headers) is over {MAX_HEAD_BYTES} bytes",
    }


def test_a_header_line_that_never_ends_gets_431_and_is_closed(guarded: ServerProcess) -> None:
    """httptools keeps an unfinished header value to itself: it is counted as it arrives."""
    with _connect(guarded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Endless: ")
        time.sleep(0.2)  # the head has begun on the server's side
        with suppress(OSError):  # the server closes while the line is still being sent
            for _ in range(4096):
                sock.sendall(b"a" * 1024)
        status, problem = _problem(_read_all(sock))
    assert status == 431
    assert problem["error"] == "header-too-large"


def test_a_malformed_request_gets_400_and_is_closed(guarded: ServerProcess) -> None:
    answer = _answer_then_close(guarded, b"GET /healthz HTTP/1.1\r\nHost localhost\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_pipelined_requests_are_answered_in_order(guarded: ServerProcess) -> None:
    body = ROUTE.read_bytes()
    check = (
        b"POST /v1/check?today=%s HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s"
        % (TODAY_ISO.encode(), len(body), body)
    )
    last = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    answer = _answer_then_close(guarded, check + check + last)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.count(b"HTTP/1.1 ") == answer.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert answer.count(b'"decision":"route"') == 2
    assert json.loads(answer.rsplit(b"\r\n\r\n", 1)[1])["status"] == "ok"


class _Transport(asyncio.Transport):
    """A connection's far end inside the test: what the protocol writes, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_an_answer_head_is_written_with_its_body_in_one_write() -> None:
    """One send per answer: uvicorn writes the head and the body in two, i.e. two segments."""
    config = ServerConfig(
        options=RunOptions(settings=SETTINGS, today=date.fromisoformat(TODAY_ISO))
    )
    app = create_app(config)
    body = ROUTE.read_bytes()

    async def exchange() -> list[bytes]:
        loaded = uvicorn.Config(app, log_config=None, lifespan="off")
        loaded.load()
        protocol = guarded_protocol(ConnectionLimits())(
            config=loaded, server_state=ServerState(), app_state={}
        )
        transport = _Transport()
        protocol.connection_made(transport)
        protocol.data_received(
            b"POST /v1/check?today=%s HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s"
            % (TODAY_ISO.encode(), len(body), body)
        )
        async with asyncio.timeout(BOUND):
            while not transport.writes:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)  # a second write, if there were one, would come now
        protocol.connection_lost(None)
        return transport.writes

    try:
        writes = asyncio.run(exchange())
    finally:
        app.state.engine.close()
    assert len(writes) == 1
    head, _, answer = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(answer)["decision"] == "route"


def test_a_quick_client_is_unaffected_by_the_timeouts(guarded: ServerProcess) -> None:
    with httpx.Client(base_url=guarded.url, timeout=BOUND) as api:
        for _ in range(3):
            answer = api.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
            assert answer.status_code == 200
            assert answer.json()["decision"] == "route"


# --- the connection cap ------------------------------------------------------------------------


def test_idle_connections_over_the_cap_make_room_for_a_request(capped: ServerProcess) -> None:
    with ExitStack() as stack:
        idle = [stack.enter_context(_connect(capped)) for _ in range(12)]
        with httpx.Client(base_url=capped.url, timeout=BOUND) as api:
            answer = api.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert answer.status_code == 200
        assert answer.json()["decision"] == "route"
        # 12 idle and 1 working connection, 4 allowed: the 9 idle longest were closed.
        deadline = time.monotonic() + BOUND
        while sum(map(_closed_by_server, idle)) < 9 and time.monotonic() < deadline:
            time.sleep(0.05)
        closed = [_closed_by_server(sock) for sock in idle]
    assert sum(closed) == 9
    assert closed[:9] == [True] * 9  # the oldest first


def test_a_low_descriptor_limit_lowers_the_cap_and_a_request_still_gets_in() -> None:
    """The issue's failure, scaled down: more idle connections than the server has descriptors."""
    with (
        ServerProcess(_args("--idle-timeout", "120"), nofile=64) as server,
        ExitStack() as stack,
    ):
        idle = [stack.enter_context(_connect(server)) for _ in range(100)]
        with httpx.Client(base_url=server.url, timeout=BOUND) as api:
            answer = api.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
        assert answer.status_code == 200
        assert answer.json()["decision"] == "route"
        assert sum(map(_closed_by_server, idle)) >= 100 - 32
        text = server.log_text()
        flood = [r for r in server.log_records() if r.get("logger") == "asyncio"]
    assert "each worker keeps at most 32 open" in text  # 64 less a fifth, at least 32
    for line in text.splitlines():
        assert line.startswith("{") or line.startswith("kassavirta serve: warning:"), line
    assert len(flood) <= 5


def _busy(server: ServerProcess) -> socket.socket:
    """A connection with a request in progress: its head is in, its body still to come."""
    sock = _connect(server)
    sock.sendall(
        b"POST /v1/check HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\n"
        b"Content-Length: 1000\r\n\r\n<Finvoice"
    )
    return sock


def test_busy_connections_over_the_cap_get_503_then_room_comes_back(capped: ServerProcess) -> None:
    with ExitStack() as stack:
        for _ in range(4):
            stack.enter_context(_busy(capped))
        time.sleep(0.5)  # let the server take their heads in
        with _connect(capped) as extra:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            status, problem = _problem(_read_all(extra))
        assert status == 503
        assert problem["error"] == "busy"
        assert "--max-connections" in problem["detail"]
    # The busy clients went away: the next request is answered as usual.
    deadline = time.monotonic() + BOUND
    with httpx.Client(base_url=capped.url, timeout=BOUND) as api:
        while True:
            answer = api.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
            if answer.status_code != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert answer.status_code == 200
    records = capped.log_records()
    assert any(r.get("status") == 503 and r.get("path") == "/healthz" for r in records)


# --- Host and Origin without a token -----------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io", "0.0.0.0"],
)
def test_a_request_for_another_name_is_refused_without_a_token(
    guarded: ServerProcess, host: str
) -> None:
    with httpx.Client(base_url=guarded.url, timeout=BOUND) as api:
        for method, path in (("POST", "/v1/check"), ("GET", "/")):
            answer = api.request(
                method, path, params=Q, content=ROUTE.read_bytes(), headers={**XML, "Host": host}
            )
            assert answer.status_code == 403, (host, path)
            assert answer.json()["error"] == "forbidden"
            assert "--allow-host" in answer.json()["detail"]
        # The probes hold nothing: any name may ask them.
        assert api.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:1", "LOCALHOST:8080", "127.0.0.1:80", "[::1]:8080", ALLOWED]
)
def test_loopback_names_and_allowed_hosts_are_answered(guarded: ServerProcess, host: str) -> None:
    with httpx.Client(base_url=guarded.url, timeout=BOUND) as api:
        answer = api.post(
            "/v1/check", params=Q, content=ROUTE.read_bytes(), headers={**XML, "Host": host}
        )
        assert answer.status_code == 200, host
        assert answer.json()["decision"] == "route"
        page = api.get("/", headers={"Host": host})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("origin", ["http://evil.example", "https://evil.example:443", "null"])
def test_a_cross_site_form_post_is_refused(guarded: ServerProcess, origin: str) -> None:
    with httpx.Client(base_url=guarded.url, timeout=BOUND) as api:
        answer = api.post(
            "/v1/check",
            content=b"invoice=%3CFinvoice%2F%3E",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Host": f"127.0.0.1:{guarded.port}",
            },
        )
    assert answer.status_code == 403
    assert answer.json() == {
        "error": "forbidden",
        "detail": f"this server does not answer pages from another site ({origin!r}); "
        "start it with --allow-host NAME, or with --token-file",
    }


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]", f"https://{ALLOWED}"],
)
def test_a_page_of_this_machine_or_an_allowed_host_is_answered(
    guarded: ServerProcess, origin: str
) -> None:
    with httpx.Client(base_url=guarded.url, timeout=BOUND) as api:
        answer = api.post(
            "/v1/check", params=Q, content=ROUTE.read_bytes(), headers={**XML, "Origin": origin}
        )
    assert answer.status_code == 200


def test_with_a_token_the_names_are_not_checked(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("abuse-test-token\n", encoding="utf-8")
    with (
        ServerProcess(_args("--token-file", str(token))) as server,
        httpx.Client(base_url=server.url, timeout=BOUND) as api,
    ):
        answer = api.post(
            "/v1/check",
            params=Q,
            content=ROUTE.read_bytes(),
            headers={
                **XML,
                "Host": "invoices.example",
                "Origin": "https://erp.example",
                "Authorization": "Bearer abuse-test-token",
            },
        )
    assert answer.status_code == 200


def test_serve_help_states_the_limits() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kassavirta.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for flag in ("--idle-timeout", "--header-timeout", "--max-connections", "--allow-host"):
        assert flag in done.stdout


# --- the log under a flood ---------------------------------------------------------------------

_FLOOD = """
import asyncio, errno, logging, logging.config
from kassavirta.server.logs import log_config
logging.config.dictConfig(log_config("info"))

async def flood():
    loop = asyncio.get_running_loop()
    for _ in range(2000):
        loop.call_exception_handler({
            "message": "socket.accept() out of system resource",
            "exception": OSError(errno.EMFILE, "Too many open files"),
        })
    for _ in range(2000):
        logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")
    logging.getLogger("kassavirta.server.access").info("", extra={"event": "request"})
    logging.getLogger("kassavirta.server.access").info("", extra={"event": "request"})

asyncio.run(flood())
"""


def test_repeated_accept_errors_are_a_few_json_lines() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FLOOD], capture_output=True, text=True, timeout=120, check=True
    )
    lines = done.stderr.splitlines()
    records = [json.loads(line) for line in lines]  # every line is JSON
    accept = [r for r in records if r["logger"] == "asyncio"]
    invalid = [r for r in records if r["logger"] == "uvicorn.error"]
    requests = [r for r in records if r.get("event") == "request"]
    assert 1 <= len(accept) <= 5
    assert accept[0]["message"].startswith("socket.accept() out of system resource")
    assert 1 <= len(invalid) <= 5
    assert len(requests) == 2  # access lines are never left out


def test_the_next_line_after_a_quiet_window_counts_the_left_out_ones() -> None:
    repeats = Repeats(window=0.2, burst=2)

    def record() -> logging.LogRecord:
        return logging.makeLogRecord({"name": "asyncio", "msg": "socket.accept() failed"})

    passed = [repeats.filter(record()) for _ in range(50)]
    assert passed == [True, True] + [False] * 48
    time.sleep(0.3)
    later = record()
    assert repeats.filter(later)
    assert later.repeated == 48
    other = logging.makeLogRecord({"name": "asyncio", "msg": "something else"})
    assert repeats.filter(other)
    assert not hasattr(other, "repeated")


# --- a crash is a problem document -------------------------------------------------------------


class _InThread:
    """The app under uvicorn with the server's own protocol, on a thread of this process."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            log_level="critical",
            http=guarded_protocol(ConnectionLimits()),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + BOUND
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(BOUND)


@pytest.mark.parametrize("where", ["check", "middleware"])
def test_a_crash_is_a_500_problem_document_without_a_trace(where: str) -> None:
    config = ServerConfig(
        options=RunOptions(settings=SETTINGS, today=date.fromisoformat(TODAY_ISO))
    )
    app = create_app(config)

    def crash(*_: object, **__: object) -> Any:
        raise RuntimeError("a secret from deep inside")

    if where == "check":
        app.state.engine.check = crash
    else:
        app.state.budget.acquire = crash
    try:
        with _InThread(app) as url, httpx.Client(base_url=url, timeout=BOUND) as api:
            answer = api.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
    finally:
        app.state.engine.close()
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "error": "internal-error",
        "detail": "kassavirta failed on this request: RuntimeError",
    }
    assert b"Traceback" not in answer.content
    assert b"secret" not in answer.content
