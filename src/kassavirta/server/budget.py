"""How many request-body bytes one worker holds at once, and giving the memory back after.

Each request holds its body until its answer is sent: the bytes as they
arrived, joined once, then parsed into a tree several times their size. Many
large bodies at once would multiply that (20 bodies of 19 MiB peaked near
1 GB), so the worker admits body bytes against one budget (`--max-held-bytes`,
by default three largest bodies): a request whose bytes do not fit waits, first
come first served, and one that still does not fit after `wait` seconds is
answered 503 with Retry-After, before its body is read. A body that announces
its length takes its share at once; a chunked one takes it chunk by chunk as
it streams in. The bytes go back when the answer has been sent.

When the last large body is given back, glibc is asked to return its free
pages to the system (`malloc_trim`): Python frees the buffers, but glibc keeps
the pages of a large freed block for the next one, so without it a burst of
large requests leaves the worker at its peak for good.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections import deque
from collections.abc import Callable

from kassavirta.server.logs import SERVER

log = logging.getLogger(SERVER)

BUSY_DETAIL = (
    "the server is holding as many request bytes as it may (--max-held-bytes); try again shortly"
)

TRIM_AFTER = 8 * 1024 * 1024
"""Bytes admitted since the last trim that make the next idle moment worth a `malloc_trim`."""


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None on a platform without it (macOS, musl without it)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


_TRIM = _malloc_trim()


class BodyBudget:
    """At most `limit` body bytes admitted at once across this worker's requests.

    Waiters are served in arrival order: a large body waiting for room is not
    overtaken by a stream of small ones. `peak` is the most ever admitted at
    once, for the tests and the log.
    """

    def __init__(self, limit: int, wait: float) -> None:
        self.limit = limit
        self.wait = wait
        self.held = 0
        self.peak = 0
        self._since_trim = 0
        self._queue: deque[tuple[object, int]] = deque()
        self._changed = asyncio.Condition()

    def _fits(self, me: object, size: int) -> bool:
        return self._queue[0][0] is me and (self.held == 0 or self.held + size <= self.limit)

    async def acquire(self, size: int) -> bool:
        """Admit `size` bytes, waiting up to `wait` seconds for room; False when there is none."""
        if size <= 0:
            return True
        async with self._changed:
            me = object()
            self._queue.append((me, size))
            try:
                async with asyncio.timeout(self.wait):
                    await self._changed.wait_for(lambda: self._fits(me, size))
            except TimeoutError:
                return False
            finally:
                self._queue.remove((me, size))
                self._changed.notify_all()  # the next in line may fit now
            self.held += size
            self._since_trim += size
            self.peak = max(self.peak, self.held)
            return True

    async def release(self, size: int) -> None:
        """Give back `size` admitted bytes; when nothing is held, hand freed memory back."""
        if size <= 0:
            return
        async with self._changed:
            self.held -= size
            self._changed.notify_all()
            trim = self.held == 0 and self._since_trim >= TRIM_AFTER
            if trim:
                self._since_trim = 0
        if trim and _TRIM is not None:
            await asyncio.to_thread(_TRIM)  # a few milliseconds: not on the event loop
