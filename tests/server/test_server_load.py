"""The server under load, in process: the bound on held body bytes, and checks off the event loop.

The app is called through httpx's ASGI transport, so the requests really are
concurrent on one event loop, as in a worker. What is measured is counted by a
wrapper around the app (bytes the app has received for requests not yet
answered), not read from the budget itself, so the bound is checked from the
outside. No timings are asserted: only counts and the order of answers.
Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, TODAY_ISO

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from kassavirta.config.policy import RunOptions  # noqa: E402
from kassavirta.server import ServerConfig, create_app  # noqa: E402
from kassavirta.server.budget import BodyBudget  # noqa: E402
from kassavirta.server.engine import INLINE_MAX_BYTES  # noqa: E402
from kassavirta.server.launch import ServerProcess  # noqa: E402

ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
XML = {"Content-Type": "application/xml"}
Q = {"today": TODAY_ISO}
MAX_BYTES = 256 * 1024
BODY = 200 * 1024
HELD = 2 * MAX_BYTES
"""Room for two of the test's bodies at once, not three."""
IN_FLIGHT = 8


def _padded(size: int) -> bytes:
    """The routed sample, grown to `size` bytes with comments (the decision stays route)."""
    sample = ROUTE.read_bytes()
    head, _, tail = sample.rpartition(b"</Finvoice>")
    filler = size - len(sample)
    comment = b"<!--" + b"x" * 1017 + b"-->"
    pad = comment * (filler // len(comment)) + b" " * (filler % len(comment))
    return head + pad + b"</Finvoice>" + tail


class Held:
    """ASGI wrapper: body bytes delivered to the app for requests not yet finished, and the peak."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.now = 0
        self.peak = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        mine = 0

        async def counted() -> Any:
            nonlocal mine
            message = await receive()
            size = len(message.get("body", b""))
            mine += size
            self.now += size
            self.peak = max(self.peak, self.now)
            return message

        try:
            await self.app(scope, counted, send)
        finally:
            self.now -= mine


@pytest.fixture
def app() -> Iterator[Any]:
    config = ServerConfig(
        options=RunOptions(settings=SAMPLES / "settings.json", today=date.fromisoformat(TODAY_ISO)),
        max_bytes=MAX_BYTES,
        max_held=HELD,
    )
    made = create_app(config)
    yield made
    made.state.engine.close()


def _slowed(app: Any, seconds: float) -> None:
    """Every check takes `seconds` longer, so that concurrent requests really overlap."""
    engine = app.state.engine
    check = engine.check

    def slow(*args: Any) -> Any:
        threading.Event().wait(seconds)
        return check(*args)

    engine.check = slow


async def _chunks(data: bytes, size: int = 32 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_concurrent_large_bodies_never_exceed_the_held_bytes(app: Any, chunked: bool) -> None:
    _slowed(app, 0.05)
    held = Held(app)
    body = _padded(BODY)

    async def go() -> list[Any]:
        transport = httpx.ASGITransport(app=held)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:

            async def one() -> Any:
                content: Any = _chunks(body) if chunked else body
                return await client.post("/v1/check", params=Q, content=content, headers=XML)

            return await asyncio.wait_for(
                asyncio.gather(*(one() for _ in range(IN_FLIGHT))), timeout=60
            )

    answers = asyncio.run(go())
    assert [a.status_code for a in answers] == [200] * IN_FLIGHT
    assert {a.json()["decision"] for a in answers} == {"route"}
    # All eight at once would be 1.6 MB; the bound lets two in at a time.
    assert held.peak <= HELD
    assert held.peak >= BODY  # the bodies did arrive
    assert held.now == 0
    assert app.state.budget.held == 0


def test_a_body_that_finds_no_room_is_503_busy_with_retry_after(app: Any) -> None:
    app.state.budget.wait = 0.05
    release = threading.Event()
    engine = app.state.engine
    check = engine.check

    def stuck(*args: Any) -> Any:
        release.wait(10)
        return check(*args)

    engine.check = stuck
    body = _padded(BODY)

    async def go() -> tuple[list[Any], Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            held = [
                asyncio.create_task(client.post("/v1/check", params=Q, content=body, headers=XML))
                for _ in range(2)
            ]
            while app.state.budget.held < 2 * len(body):
                await asyncio.sleep(0.01)
            refused = await client.post("/v1/check", params=Q, content=body, headers=XML)
            release.set()
            return list(await asyncio.wait_for(asyncio.gather(*held), timeout=30)), refused

    held, refused = asyncio.run(go())
    assert [a.status_code for a in held] == [200, 200]
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == "busy"


def test_a_slow_check_does_not_hold_up_a_probe_or_a_quick_check(app: Any) -> None:
    """While one check is stuck on its thread, /healthz and another /v1/check are answered."""
    release = threading.Event()
    started = threading.Event()
    engine = app.state.engine
    check = engine.check
    slow_body = _padded(BODY)

    def blocking(data: bytes, *args: Any) -> Any:
        if data == slow_body:
            started.set()
            release.wait(10)
        return check(data, *args)

    engine.check = blocking
    order: list[str] = []

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:

            async def slow() -> None:
                answer = await client.post("/v1/check", params=Q, content=slow_body, headers=XML)
                assert answer.status_code == 200
                order.append("slow check")

            task = asyncio.create_task(slow())
            while not started.is_set():
                await asyncio.sleep(0.01)
            health = await client.get("/healthz")
            assert health.status_code == 200
            order.append("healthz")
            quick = await client.post(
                "/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML
            )
            assert quick.json()["decision"] == "route"
            order.append("quick check")
            release.set()
            await asyncio.wait_for(task, timeout=30)

    try:
        asyncio.run(asyncio.wait_for(go(), timeout=60))
    finally:
        release.set()
    assert order == ["healthz", "quick check", "slow check"]


def test_budget_serves_waiters_in_arrival_order() -> None:
    """A large body waiting for room is not overtaken by a small one that would fit."""

    async def go() -> list[str]:
        budget = BodyBudget(limit=100, wait=5)
        admitted: list[str] = []
        assert await budget.acquire(60)

        async def take(name: str, size: int) -> None:
            assert await budget.acquire(size)
            admitted.append(name)

        large = asyncio.create_task(take("large", 80))
        await asyncio.sleep(0.01)
        small = asyncio.create_task(take("small", 10))
        await asyncio.sleep(0.01)
        assert admitted == []  # the small one fits, but waits behind the large one
        await budget.release(60)
        await asyncio.wait_for(asyncio.gather(large, small), timeout=5)
        assert budget.peak <= 100
        return admitted

    assert asyncio.run(go()) == ["large", "small"]


def test_budget_gives_up_after_its_wait_and_holds_nothing_for_it() -> None:
    async def go() -> None:
        budget = BodyBudget(limit=100, wait=0.02)
        assert await budget.acquire(100)
        assert not await budget.acquire(1)
        await budget.release(100)
        assert budget.held == 0
        assert await budget.acquire(100)

    asyncio.run(go())


def test_an_embedded_app_leaves_the_process_switch_interval_alone() -> None:
    """Only `kassavirta serve` (its own process) shortens the GIL switch interval."""
    before = sys.getswitchinterval()
    options = RunOptions(settings=SAMPLES / "settings.json", today=date.fromisoformat(TODAY_ISO))
    embedded = create_app(ServerConfig(options=options))
    try:
        assert sys.getswitchinterval() == before
    finally:
        embedded.state.engine.close()
    own = create_app(ServerConfig(options=options, own_process=True))
    try:
        assert sys.getswitchinterval() < before
    finally:
        own.state.engine.close()
        sys.setswitchinterval(before)
    config = ServerConfig(options=options, own_process=True)
    assert ServerConfig.from_json(config.to_json()).own_process


def test_a_small_body_is_checked_on_the_loop_unless_the_threads_are_busy(app: Any) -> None:
    """No thread hop for a small invoice while the check threads are idle; a large body, or
    any body while a job runs on a thread, goes to a check thread."""
    engine = app.state.engine
    check = engine.check
    release = threading.Event()
    threads: dict[int, str] = {}

    def recorded(data: bytes, *args: Any) -> Any:
        threads[len(data)] = threading.current_thread().name
        if len(data) == BODY:
            release.wait(10)
        return check(data, *args)

    engine.check = recorded
    small = ROUTE.read_bytes()
    assert len(small) <= INLINE_MAX_BYTES < BODY

    async def go() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            alone = await client.post("/v1/check", params=Q, content=small, headers=XML)
            loop_thread = threading.current_thread().name
            assert threads.pop(len(small)) == loop_thread
            large = asyncio.create_task(
                client.post("/v1/check", params=Q, content=_padded(BODY), headers=XML)
            )
            while BODY not in threads:
                await asyncio.sleep(0.01)
            beside = await client.post("/v1/check", params=Q, content=small, headers=XML)
            release.set()
            answers = [alone, beside, await asyncio.wait_for(large, timeout=30)]
            return [a.status_code for a in answers]

    try:
        assert asyncio.run(asyncio.wait_for(go(), timeout=60)) == [200, 200, 200]
    finally:
        release.set()
    assert threads[BODY].startswith("kassavirta-check")
    assert threads[len(small)].startswith("kassavirta-check")  # beside the large one
    assert engine.running == 0


def test_the_served_app_freezes_what_start_up_built() -> None:
    """`kassavirta serve` moves start-up's objects out of the collector's sight (`gc.freeze`),
    so that a full collection in a request does not walk them; an embedded app does not."""
    options = RunOptions(settings=SAMPLES / "settings.json", today=date.fromisoformat(TODAY_ISO))
    before = sys.getswitchinterval()
    gc.unfreeze()

    async def started(config: ServerConfig) -> int:
        app = create_app(config)
        try:
            async with app.router.lifespan_context(app):
                return gc.get_freeze_count()
        finally:
            app.state.engine.close()

    try:
        assert asyncio.run(started(ServerConfig(options=options))) == 0
        assert asyncio.run(started(ServerConfig(options=options, own_process=True))) > 10_000
    finally:
        gc.unfreeze()
        sys.setswitchinterval(before)


def test_held_limit_is_never_below_one_largest_body() -> None:
    assert ServerConfig(max_bytes=1000, max_held=10).held_limit() == 1000
    assert ServerConfig(max_bytes=1000).held_limit() == 3000
    assert ServerConfig(max_bytes=1000, max_held=5000).held_limit() == 5000


def test_concurrent_checks_with_schemas_answer_as_one_at_a_time(schema_dir: Any) -> None:
    """Several check threads validating at once each get their own document's violations."""
    config = ServerConfig(
        options=RunOptions(
            settings=SAMPLES / "settings.json",
            today=date.fromisoformat(TODAY_ISO),
            schemas=[schema_dir],
        ),
        check_threads=4,
    )
    app = create_app(config)
    files = sorted((SAMPLES / "error").glob("finvoice-*.xml"))
    files += sorted((SAMPLES / "route").glob("finvoice-*.xml"))
    # An attribute the XSD does not declare, named after the file: a violation read from
    # another request's validation would name another file's attribute.
    bodies = [
        f.read_bytes().replace(b"<Finvoice ", f"<Finvoice undeclared{n}='1' ".encode(), 1)
        for n, f in enumerate(files)
    ]

    async def go() -> tuple[list[Any], list[Any]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:

            async def one(body: bytes) -> Any:
                answer = await client.post("/v1/check", params=Q, content=body, headers=XML)
                assert answer.status_code == 200
                return answer.json()

            alone = [await one(b) for b in bodies]
            together = await asyncio.wait_for(
                asyncio.gather(*(one(b) for _ in range(3) for b in bodies)), timeout=120
            )
            return alone, list(together)

    try:
        alone, together = asyncio.run(go())
    finally:
        app.state.engine.close()
    assert together == alone * 3
    for n, result in enumerate(alone):
        schema = [f["message"] for f in result["findings"] if f["rule"] == "schema"]
        assert schema, result["findings"]
        assert all(f"undeclared{n}'" in m for m in schema if "undeclared" in m), schema
        assert any("undeclared" in m for m in schema), schema


def _memory(pid: int) -> dict[str, int]:
    """The process's resident set now and at its peak (VmRSS, VmHWM), in KiB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads /proc")
def test_a_burst_of_large_bodies_peaks_near_one_request_not_near_all(tmp_path: Path) -> None:
    """A real server: 12 concurrent 4 MiB bodies grow its peak memory by at most a few times
    what one of them does (the budget admits one at a time; measured 2x), not twelve times."""
    size = 4 * 1024 * 1024
    body = _padded(size)
    args = ["--settings", str(SAMPLES / "settings.json"), "--today", TODAY_ISO]
    args += ["--max-bytes", str(size), "--max-held-bytes", str(size), "--log-level", "warning"]
    with ServerProcess(
        args, env={"XDG_DATA_HOME": str(tmp_path), "KASSAVIRTA_SCHEMAS": None}
    ) as server:
        assert server.process is not None
        pid = server.process.pid
        with httpx.Client(base_url=server.url, timeout=60) as client:
            client.post("/v1/check", params=Q, content=ROUTE.read_bytes(), headers=XML)
            start = _memory(pid)["VmHWM"]
            assert client.post("/v1/check", params=Q, content=body, headers=XML).status_code == 200
            one = _memory(pid)["VmHWM"] - start

        async def burst() -> list[int]:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                answers = await asyncio.wait_for(
                    asyncio.gather(
                        *(
                            client.post("/v1/check", params=Q, content=body, headers=XML)
                            for _ in range(12)
                        )
                    ),
                    timeout=120,
                )
                return [a.status_code for a in answers]

        codes = asyncio.run(burst())
        many = _memory(pid)["VmHWM"] - start
    assert set(codes) <= {200, 503} and 200 in codes
    assert many <= 4 * max(one, 8 * 1024), (one, many)  # twelve at once: ~12x
