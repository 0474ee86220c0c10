"""kassavirta-preflight: what Amili Kassavirta will do with an invoice, before it is sent.

>>> from kassavirta import check_bytes
>>> check_bytes(b"<Finvoice Version='3.0'><broken").decision.value
'invalid'
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings
    from kassavirta.erp.assignments import Assignment
    from kassavirta.findings import CheckResult
    from kassavirta.model import Channel
    from kassavirta.pipeline.evaluate import Checker


def _checker(
    settings: Settings | str | Path | None,
    today: date | None,
    assignments: list[Assignment] | str | Path | None,
    channel: Channel | str | None,
    schemas: str | Path | None,
) -> Checker:
    from kassavirta.config.settings import Settings as _Settings
    from kassavirta.config.settings import load_settings
    from kassavirta.config.toml import RunOptions, build_policy
    from kassavirta.erp.assignments import AssignmentIndex, load_assignments
    from kassavirta.model import Channel as _Channel
    from kassavirta.pipeline.evaluate import Checker, today_in_helsinki

    loaded = (
        settings if isinstance(settings, _Settings) or settings is None else load_settings(settings)
    )
    options = RunOptions(schemas=[Path(schemas)] if schemas else [])
    policy = build_policy(options, today=today or today_in_helsinki(), settings=loaded)
    if assignments is not None:
        items = (
            load_assignments(assignments) if isinstance(assignments, str | Path) else assignments
        )
        policy.assignments = AssignmentIndex(items)
    if channel is not None:
        policy.channel = _Channel(channel)
    return Checker(policy)


def check_bytes(
    data: bytes,
    settings: Settings | str | Path | None = None,
    today: date | None = None,
    *,
    path: str = "<bytes>",
    assignments: list[Assignment] | str | Path | None = None,
    channel: Channel | str | None = None,
    schemas: str | Path | None = None,
) -> CheckResult:
    """The decision for the invoice in `data` (the first one, if a file holds several).

    Use `check_bytes_all` for files with several frame + invoice pairs.
    """
    return check_bytes_all(
        data, settings, today, path=path, assignments=assignments, channel=channel, schemas=schemas
    )[0]


def check_bytes_all(
    data: bytes,
    settings: Settings | str | Path | None = None,
    today: date | None = None,
    *,
    path: str = "<bytes>",
    assignments: list[Assignment] | str | Path | None = None,
    channel: Channel | str | None = None,
    schemas: str | Path | None = None,
) -> list[CheckResult]:
    """The decision for every invoice in `data`, in file order."""
    return _checker(settings, today, assignments, channel, schemas).check_bytes(data, path)


def check_file(
    path: str | Path,
    settings: Settings | str | Path | None = None,
    today: date | None = None,
    *,
    assignments: list[Assignment] | str | Path | None = None,
    channel: Channel | str | None = None,
    schemas: str | Path | None = None,
) -> CheckResult:
    """The decision for the invoice in the file at `path` (the first one, if it holds several)."""
    return _checker(settings, today, assignments, channel, schemas).check_path(Path(path))[0]


__all__ = ["__version__", "check_bytes", "check_bytes_all", "check_file"]
