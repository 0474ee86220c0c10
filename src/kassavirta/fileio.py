"""Output files: a reader never sees a half-written file, and a failure leaves the old one.

Every `-o` / `--post-file` goes through `write_output`, which decides by what
already stands at the path: a regular file (or nothing) is replaced
atomically; a character device (`/dev/null`, `/dev/stdout`, a terminal) is
written through, never replaced; a folder, FIFO, socket or block device is
refused. Replacing a device node with a regular file (as root, `/dev/null`)
or blocking on a FIFO nobody reads are the failures this exists to prevent.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from kassavirta.errors import OutputError


def _umask() -> int:
    """The process umask; reading it means setting it, so it is set straight back."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes, mode: int | None = None) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and `os.replace`.

    `mode` None: 0666 less the umask, what `open()` would give a new file
    (mkstemp alone would leave 0600).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, (0o666 & ~_umask()) if mode is None else mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    return atomic_write_bytes(path, text.encode(encoding))


def kind_of(mode: int) -> str:
    """What a path is, in the words of the one-line errors about it."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    return "a block device" if stat.S_ISBLK(mode) else "not a regular file"


def is_character_device(path: str | Path) -> bool:
    """Whether `path` is a character device (`/dev/null`, `/dev/stdout`, a terminal): what
    `write_output` writes through, so a command need not ask for a file name's suffix."""
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


def write_output(
    path: str | Path,
    data: bytes,
    *,
    inputs: Iterable[str | Path] = (),
    in_place: bool = False,
    in_place_flag: str | None = None,
) -> Path:
    """Write one output file the safe way, or raise `OutputError` (one line, path and reason).

    A regular file is replaced atomically and keeps its permissions; a new file
    gets 0666 less the umask; a character device is written through. `inputs`
    are the files the command read: writing over one of them needs `in_place`
    (a typo in `-o` must not destroy the invoice it was reading); `in_place_flag`
    names the option that allows it, when the command has one.
    """
    target = Path(path)
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(target)) from exc
    if info is not None:
        if stat.S_ISCHR(info.st_mode):
            return _write_through(target, data)
        if not stat.S_ISREG(info.st_mode):
            kind = kind_of(info.st_mode)
            raise OutputError(f"is {kind}, not a file: not written", path=str(target))
        if not in_place:
            for source in inputs:
                with contextlib.suppress(OSError):
                    if os.path.samestat(info, os.stat(source)):
                        allow = f" ({in_place_flag} replaces it)" if in_place_flag else ""
                        raise OutputError(
                            f"is an input file of this run: not overwritten{allow}",
                            path=str(target),
                        )
        # Through a symbolic link, the file it names is replaced and the link stays.
        target = Path(os.path.realpath(target))
    try:
        atomic_write_bytes(
            target, data, mode=stat.S_IMODE(info.st_mode) if info is not None else None
        )
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc
    return target


def _write_through(target: Path, data: bytes) -> Path:
    """A character device gets the bytes written into it, as a shell redirection would."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(target)) from exc
    return target


def write_output_text(
    path: str | Path,
    text: str,
    *,
    inputs: Iterable[str | Path] = (),
) -> Path:
    return write_output(path, text.encode("utf-8"), inputs=inputs)
