"""What one server is started with, and how it reaches uvicorn's worker processes.

`kassavirta serve` builds a `ServerConfig` from the same flags and
`kassavirta.toml` as `kassavirta check` (a `RunOptions`) plus the server's own
limits. With `--workers N` uvicorn starts N fresh processes that import the
app factory by name, so the configuration travels to them through one
environment variable as JSON: paths only, never the token itself (each worker
reads the token file).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kassavirta.config.policy import RunOptions
from kassavirta.errors import SettingsError
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES

ENV_VAR = "KASSAVIRTA_SERVER_CONFIG"
"""Where `kassavirta serve --workers N` leaves the configuration for the worker processes."""

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_FILES = 1000
DEFAULT_MAX_UNPACKED = 200 * 1024 * 1024
DEFAULT_CHECK_THREADS = 2
HELD_PER_MAX_BYTES = 3
"""Without `--max-held-bytes`, a worker holds at most this many largest bodies at once."""


@dataclass
class ServerConfig:
    """The run options of the CLI plus the server's limits and its optional token."""

    options: RunOptions = field(default_factory=RunOptions)
    token: str | None = None
    """The bearer token itself; `serve` fills it from `token_file`."""
    token_file: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest request body (and largest single invoice), in bytes."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds a request may take, from its first byte to its response."""
    max_files: int = DEFAULT_MAX_FILES
    """Most invoices one batch request may carry (multipart parts plus zip members)."""
    max_unpacked: int = DEFAULT_MAX_UNPACKED
    """Most bytes the members of the zips in one batch request may unpack to, together."""
    max_held: int | None = None
    """Most request-body bytes one worker holds at once (None: `HELD_PER_MAX_BYTES` bodies)."""
    check_threads: int = DEFAULT_CHECK_THREADS
    """Threads per worker that run checks, so that one long check does not hold up the rest."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names besides the loopback ones a request may be addressed to when there is no token."""
    own_process: bool = False
    """The server is the whole process (`kassavirta serve` and its workers), so it may tune
    process-wide settings (the GIL switch interval); an app embedded elsewhere leaves them."""

    def held_limit(self) -> int:
        """The body bytes a worker may hold at once: never less than one largest body."""
        wanted = self.max_held if self.max_held is not None else HELD_PER_MAX_BYTES * self.max_bytes
        return max(wanted, self.max_bytes)

    def resolved_token(self) -> str | None:
        """The token, read from `token_file` when only the file is given."""
        if self.token is not None:
            return self.token
        if self.token_file is None:
            return None
        return read_token(self.token_file)

    def to_json(self) -> str:
        return json.dumps(
            {
                "options": self.options.as_json(),
                "token_file": _s(self.token_file),
                "max_bytes": self.max_bytes,
                "timeout": self.timeout,
                "max_files": self.max_files,
                "max_unpacked": self.max_unpacked,
                "max_held": self.max_held,
                "check_threads": self.check_threads,
                "own_process": self.own_process,
                "allowed_hosts": list(self.allowed_hosts),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        raw: dict[str, Any] = json.loads(text)
        return cls(
            options=RunOptions.from_json(raw["options"]),
            token_file=Path(raw["token_file"]) if raw["token_file"] else None,
            max_bytes=raw["max_bytes"],
            timeout=raw["timeout"],
            max_files=raw["max_files"],
            max_unpacked=raw["max_unpacked"],
            max_held=raw.get("max_held"),
            check_threads=raw.get("check_threads", DEFAULT_CHECK_THREADS),
            own_process=raw.get("own_process", False),
            allowed_hosts=tuple(raw.get("allowed_hosts", ())),
        )

    @classmethod
    def from_env(cls) -> ServerConfig:
        text = os.environ.get(ENV_VAR)
        if not text:
            raise SettingsError(f"{ENV_VAR} is not set: start the server with `kassavirta serve`")
        return cls.from_json(text)


def read_token(path: Path) -> str:
    """The token in `path` (surrounding whitespace dropped); an empty or unreadable file is an error."""
    from kassavirta.datafile import decode_utf8, read_data_file

    token = decode_utf8(read_data_file(path, limit=64 * 1024), str(path)).strip()
    if not token:
        raise SettingsError("the token file is empty", path=str(path))
    if any(c.isspace() for c in token) or not token.isprintable():
        raise SettingsError(
            "the token must be one line of printable characters without spaces", path=str(path)
        )
    return token


def _s(p: Path | None) -> str | None:
    return str(p) if p is not None else None
