"""uvicorn's h11 protocol, with Nagle's algorithm off on every connection.

asyncio turns Nagle off (TCP_NODELAY) for the sockets it accepts only when
the listening socket says it is TCP. With `--workers N`, uvicorn hands the
listening socket to each worker process, where it is rebuilt from its file
descriptor without its protocol number, so asyncio leaves Nagle on. uvicorn
writes a response's headers and body separately; with Nagle on, the body
waits for the client to acknowledge the headers, and a client that delays
its acknowledgements (40 ms on Linux) makes every answer 40 ms slower. Setting
the option on each connection ourselves gives every worker count the same
latency.
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import suppress

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
