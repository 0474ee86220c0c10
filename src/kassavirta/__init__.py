"""kassavirta-preflight: what Amili Kassavirta will do with an invoice, before it is sent.

>>> from kassavirta import check_bytes
>>> check_bytes(b"<Finvoice Version='3.0'><broken").decision.value
'invalid'
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings
    from kassavirta.erp.assignments import Assignment
    from kassavirta.findings import CheckResult
    from kassavirta.model import Channel
    from kassavirta.pipeline.evaluate import Checker


class FileOptions(TypedDict, total=False):
    """What a check depends on besides the settings and the date (keyword arguments)."""

    assignments: list[Assignment] | str | Path | None
    """Known assignments (a list, or a Receivables API assignments JSON file), for duplicates."""
    channel: Channel | str | None
    """The delivery channel, instead of reading it from the invoice."""
    schemas: str | Path | None
    """A folder of official XSDs."""


class BytesOptions(FileOptions, total=False):
    path: str
    """The name results carry (default `<bytes>`)."""


def _checker(
    settings: Settings | str | Path | None, today: date | None, options: FileOptions
) -> Checker:
    from kassavirta.config.policy import RunOptions, build_policy
    from kassavirta.model import Channel as _Channel
    from kassavirta.pipeline.evaluate import Checker

    unexpected = sorted(set(options) - FileOptions.__optional_keys__)
    if unexpected:  # as a plain signature would: a misspelt option is not silently ignored
        raise TypeError(f"unexpected keyword argument {unexpected[0]!r}")
    assignments = options.get("assignments")
    channel = options.get("channel")
    schemas = options.get("schemas")
    run = RunOptions(
        assignments=[Path(assignments)] if isinstance(assignments, str | Path) else [],
        schemas=[Path(schemas)] if schemas else [],
        channel=_Channel(channel) if channel is not None else None,
    )
    known = assignments if isinstance(assignments, list) else []
    return Checker(build_policy(run, today=today, settings=settings, assignments=known))


def check_bytes(
    data: bytes,
    settings: Settings | str | Path | None = None,
    today: date | None = None,
    **options: Unpack[BytesOptions],
) -> CheckResult:
    """The decision for the invoice in `data` (the first one, if a file holds several).

    Use `check_bytes_all` for files with several frame + invoice pairs.
    """
    return check_bytes_all(data, settings, today, **options)[0]


def check_bytes_all(
    data: bytes,
    settings: Settings | str | Path | None = None,
    today: date | None = None,
    **options: Unpack[BytesOptions],
) -> list[CheckResult]:
    """The decision for every invoice in `data`, in file order."""
    path = options.pop("path", "<bytes>")
    return _checker(settings, today, options).check_bytes(data, path)


def check_file(
    path: str | Path,
    settings: Settings | str | Path | None = None,
    today: date | None = None,
    **options: Unpack[FileOptions],
) -> CheckResult:
    """The decision for the invoice in the file at `path` (the first one, if it holds several)."""
    return _checker(settings, today, options).check_path(Path(path))[0]


__all__ = ["__version__", "check_bytes", "check_bytes_all", "check_file"]
