"""Reading the small files that are not invoices: settings, config, assignments, events.

One reader for all of them, because each way in was a way to hang or crash a
command: a FIFO given as `--settings` blocked forever, `/dev/zero` was read
until memory ran out, JSON nested a few thousand levels deep raised
`RecursionError`, and `"\\ud800"` decoded to a string nothing could print.
Here every such file is refused with one `SettingsError` line naming it:
only regular files, a size limit, a nesting limit, and invalid text with its
line and column.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from kassavirta.errors import SettingsError
from kassavirta.fileio import kind_of

SMALL_FILE_BYTES = 4 * 1024 * 1024
"""Settings, kassavirta.toml, a seller file, one event: a few kilobytes in real use."""
LIST_FILE_BYTES = 512 * 1024 * 1024
"""Assignment lists and ledger imports: the API's JSON for hundreds of thousands of them."""
MAX_DEPTH = 100
"""Nesting of arrays and objects; the API's documents are under ten levels deep."""

_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\Z)', re.S)
"""A JSON string; an unterminated one runs to the end, so stripping them stays linear."""
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.S)


def read_data_file(
    path: str | Path, *, limit: int = SMALL_FILE_BYTES, key: str | None = None
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, else a `SettingsError`.

    Opened without blocking, so a FIFO with no writer is refused instead of
    waited on; the size is checked on the open file and the read stops at the
    limit, so a file that grows meanwhile cannot slip past it.
    """
    name = str(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise SettingsError(f"cannot read: {exc.strerror or exc}", path=name, key=key) from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SettingsError(f"is {kind_of(info.st_mode)}, not a file: not read", path=name, key=key)
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            raise SettingsError(
                f"the file is {info.st_size} bytes, over the {limit}-byte limit: not read",
                path=name,
                key=key,
            )
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise SettingsError(f"cannot read: {exc.strerror or exc}", path=name, key=key) from exc
    if len(data) > limit:
        raise SettingsError(
            f"the file is over the {limit}-byte limit: not read", path=name, key=key
        )
    return data


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {column}"


def decode_utf8(data: bytes, path: str, *, key: str | None = None) -> str:
    """UTF-8 text (a BOM allowed), or an error saying where the first bad byte is."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise SettingsError(
                "the file is UTF-16 (or UTF-32): save it as UTF-8", path=path, key=key
            ) from exc
        good = data[: exc.start].decode("utf-8-sig", "replace")
        raise SettingsError(
            f"not UTF-8 at {_where(good, len(good))}: byte 0x{data[exc.start]:02x}",
            path=path,
            key=key,
        ) from exc


def _too_deep(text: str) -> bool:
    """True when arrays and objects nest deeper than MAX_DEPTH (brackets in strings skipped)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    steps = (1 if c in "[{" else -1 for c in skeleton)
    return max(itertools.accumulate(steps), default=0) > MAX_DEPTH


def _lone_surrogate(text: str) -> str | None:
    """Where an escaped UTF-16 surrogate stands without its pair: no character at all."""
    if not _SURROGATE.search(text):
        return None
    escapes = list(_ESCAPE.finditer(text))
    for n, m in enumerate(escapes):
        unit = int(m.group(1), 16) if m.group(1) else None
        if unit is None or not 0xD800 <= unit <= 0xDFFF:
            continue
        if unit <= 0xDBFF and n + 1 < len(escapes):
            after = escapes[n + 1]
            low = int(after.group(1), 16) if after.group(1) else 0
            if after.start() == m.end() and 0xDC00 <= low <= 0xDFFF:
                continue
        previous = escapes[n - 1] if n else None
        if unit >= 0xDC00 and previous is not None and previous.end() == m.start():
            high = int(previous.group(1), 16) if previous.group(1) else 0
            if 0xD800 <= high <= 0xDBFF:
                continue
        return f"{m.group(0)} at {_where(text, m.start())}"
    return None


def parse_json(text: str, path: str, *, key: str | None = None) -> Any:
    """JSON text decoded, with the depth and Unicode checks; a `SettingsError` otherwise."""
    if _too_deep(text):
        raise SettingsError(
            f"not valid JSON: nested more than {MAX_DEPTH} levels deep", path=path, key=key
        )
    try:
        data = json.loads(text)
    except RecursionError as exc:  # pragma: no cover - _too_deep refuses these first
        raise SettingsError("not valid JSON: nested too deeply", path=path, key=key) from exc
    except ValueError as exc:
        raise SettingsError(f"not valid JSON: {exc}", path=path, key=key) from exc
    lone = _lone_surrogate(text)
    if lone is not None:
        raise SettingsError(
            f"not valid JSON: a lone UTF-16 surrogate {lone} is not a character",
            path=path,
            key=key,
        )
    return data


def load_json(path: str | Path, *, limit: int = SMALL_FILE_BYTES, key: str | None = None) -> Any:
    """A JSON file decoded (UTF-8, a BOM allowed), or one `SettingsError` line naming it."""
    name = str(path)
    text = decode_utf8(read_data_file(name, limit=limit, key=key), name, key=key)
    return parse_json(text, name, key=key)


def _depth(data: Any) -> int:
    """How deep lists and dicts nest in parsed data, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1) for child in item)
    return deepest


def load_toml(path: str | Path, *, limit: int = SMALL_FILE_BYTES) -> dict[str, Any]:
    """A TOML file as a dict, with the same limits as JSON; one `SettingsError` line otherwise."""
    import tomllib  # here: a JSON settings file does not need the TOML parser loaded

    name = str(path)
    text = decode_utf8(read_data_file(name, limit=limit), name)
    try:
        data = tomllib.loads(text)
    except RecursionError as exc:
        raise SettingsError(
            f"not valid TOML: nested more than {MAX_DEPTH} levels deep", path=name
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"not valid TOML: {exc}", path=name) from exc
    if _depth(data) > MAX_DEPTH:
        raise SettingsError(f"not valid TOML: nested more than {MAX_DEPTH} levels deep", path=name)
    return data
