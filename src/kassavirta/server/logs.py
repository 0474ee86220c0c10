"""Structured logs: one JSON object per line on stderr, never any invoice content.

A log collector (journald, Loki, CloudWatch) parses the lines as they are.
Access lines carry the method, the route path, the status, sizes, the time
taken, the client address and the request id; and, for a decision, the
decision word (`route`, `error`, ...) — never a file name, an invoice number
or a party: those are the sender's business data.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

ACCESS = "kassavirta.server.access"
SERVER = "kassavirta.server"

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "event"|"message", ...extra}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        message = record.getMessage()
        if message:
            data["message"] = message
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class Repeats(logging.Filter):
    """At most `burst` lines of one kind (logger and message) per `window` seconds.

    Some lines come once per bad connection, not once per request: asyncio's
    "socket.accept() out of system resource" while the process is out of
    descriptors (retried every second per listening socket, and logged each
    time), uvicorn's "Invalid HTTP request received.". A flood of them filled
    the log with millions of lines; now the first line of a window that
    follows left-out ones says how many (`"repeated"`).
    """

    def __init__(self, window: float = 10.0, burst: int = 5) -> None:
        super().__init__()
        self.window = window
        self.burst = burst
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, object], tuple[float, int, int]] = {}
        """Per kind: the window's start, lines let through in it, lines left out since the last."""

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = time.monotonic()
        with self._lock:
            start, shown, left_out = self._seen.get(key, (now, 0, 0))
            if now - start >= self.window:
                start, shown = now, 0
            if shown >= self.burst:
                self._seen[key] = (start, shown, left_out + 1)
                return False
            self._seen[key] = (start, shown + 1, 0)
            if len(self._seen) > 1000:  # kinds are few; this only bounds a surprise
                self._seen = {key: self._seen[key]}
        if left_out:
            record.repeated = left_out
        return True


def log_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn, asyncio and this package: JSON lines on stderr.

    The lines of uvicorn and asyncio, which can come once per connection,
    pass through `Repeats`; the access lines (one per request) do not.
    """
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    limited = {**handler, "filters": ["repeats"]}
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "filters": {"repeats": {"()": f"{__name__}.Repeats"}},
        "handlers": {"stderr": handler, "limited": limited},
        "loggers": {
            "uvicorn": {"handlers": ["limited"], "level": upper, "propagate": False},
            "uvicorn.error": {"handlers": ["limited"], "level": upper, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "asyncio": {"handlers": ["limited"], "level": "WARNING", "propagate": False},
            SERVER: {"handlers": ["stderr"], "level": upper, "propagate": False},
        },
    }
