"""Run options from a discovered `kassavirta.toml`, and the flags over them.

A folder of invoices can carry a `kassavirta.toml` that pins how it is checked
(the settings and assignments files, the sending date, extra format
signatures). `kassavirta check DIR` finds the nearest one from DIR upwards, as
ruff and pytest find theirs; a flag on the command line always wins, and
`--no-config` ignores the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kassavirta.config.policy import RunOptions
from kassavirta.errors import SettingsError

CONFIG_NAME = "kassavirta.toml"


def find_config(paths: Iterable[str | Path]) -> Path | None:
    """The nearest `kassavirta.toml` above the first path that has one, else in the working folder."""
    for raw in paths:
        p = Path(os.path.abspath(raw))  # not resolved: a linked folder's own config is found
        start = p if p.is_dir() else p.parent
        for folder in (start, *start.parents):
            candidate = folder / CONFIG_NAME
            if candidate.is_file():
                return candidate
    here = Path.cwd() / CONFIG_NAME
    return here if here.is_file() else None


def _as_list(value: list[Path] | Path | None) -> list[Path]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def load_config(path: Path) -> RunOptions:
    from pydantic import ValidationError

    from kassavirta.datafile import load_toml

    raw: Any = load_toml(path)

    from kassavirta.config.settings import ConfigFile, closest_key, first_error

    try:
        cfg = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        key, message = first_error(exc)
        if message == "Extra inputs are not permitted":
            guess = closest_key(key.rsplit(".", 1)[-1], ConfigFile.model_fields)
            message = "not a kassavirta.toml key" + (f" (did you mean '{guess}'?)" if guess else "")
        raise SettingsError(message, path=str(path), key=key) from exc
    base = path.parent

    def rel(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    return RunOptions(
        today=cfg.today,
        settings=rel(cfg.settings) if cfg.settings else None,
        assignments=[rel(p) for p in _as_list(cfg.assignments)],
        ledger=rel(cfg.ledger) if cfg.ledger else None,
        schemas=[rel(p) for p in _as_list(cfg.schemas)],
        channel=cfg.channel,
        max_bytes=cfg.max_bytes,
        detection=dict(cfg.detection),
        format_support=dict(cfg.format_support),
        config_path=path,
    )


def merge(flags: RunOptions, config: RunOptions | None) -> RunOptions:
    """Flags win over the config file, key by key."""
    if config is None:
        return flags
    return RunOptions(
        today=flags.today or config.today,
        settings=flags.settings or config.settings,
        assignments=flags.assignments or config.assignments,
        ledger=flags.ledger or config.ledger,
        schemas=flags.schemas or config.schemas,
        channel=flags.channel or config.channel,
        max_bytes=flags.max_bytes or config.max_bytes,
        detection={**config.detection, **flags.detection},
        format_support={**config.format_support, **flags.format_support},
        config_path=config.config_path,
    )
