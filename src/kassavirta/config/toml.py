"""Run options: command-line flags over a discovered `kassavirta.toml`.

A folder of invoices can carry a `kassavirta.toml` that pins how it is checked
(the settings and assignments files, the sending date, extra format
signatures). `kassavirta check DIR` finds the nearest one from DIR upwards, as
ruff and pytest find theirs; a flag on the command line always wins, and
`--no-config` ignores the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kassavirta.config.settings import DEFAULT_FORMAT_SUPPORT, Settings, Signature, load_settings
from kassavirta.decision import Policy
from kassavirta.erp.assignments import AssignmentIndex, load_assignments
from kassavirta.errors import SettingsError
from kassavirta.finnish.postcodes import PostalDirectory
from kassavirta.formats.schemas import SchemaStore
from kassavirta.model import Channel
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES

CONFIG_NAME = "kassavirta.toml"


class ConfigFile(BaseModel):
    """The keys a `kassavirta.toml` may hold; paths are relative to its folder."""

    model_config = ConfigDict(extra="forbid")

    today: date | None = None
    settings: Path | None = None
    assignments: list[Path] | Path | None = None
    ledger: Path | None = None
    schemas: list[Path] | Path | None = None
    channel: Channel | None = None
    max_bytes: int | None = Field(default=None, gt=0)
    detection: dict[str, Signature] = Field(default_factory=dict)
    format_support: dict[str, bool] = Field(default_factory=dict)


@dataclass
class RunOptions:
    """What one run is asked to do; `None` means "not given here"."""

    today: date | None = None
    settings: Path | None = None
    assignments: list[Path] = field(default_factory=list)
    ledger: Path | None = None
    schemas: list[Path] = field(default_factory=list)
    channel: Channel | None = None
    max_bytes: int | None = None
    detection: dict[str, Signature] = field(default_factory=dict)
    format_support: dict[str, bool] = field(default_factory=dict)
    config_path: Path | None = None


def find_config(paths: Iterable[str | Path]) -> Path | None:
    """The nearest `kassavirta.toml` above the first path that has one, else in the working folder."""
    for raw in paths:
        p = Path(raw).resolve()
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
    try:
        raw: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"not valid TOML: {exc}", path=str(path)) from exc
    try:
        cfg = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise SettingsError(err["msg"], path=str(path), key=key) from exc
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


def build_policy(options: RunOptions, *, today: date, settings: Settings | None = None) -> Policy:
    """Load every file the options name, failing early with a `SettingsError`."""
    if settings is None and options.settings is not None:
        settings = load_settings(options.settings)
    index = AssignmentIndex()
    for path in options.assignments:
        for a in load_assignments(path):
            index.add(a)
    if options.ledger is not None:
        from kassavirta.erp.ledger import load_ledger_assignments

        # The ledger's copy of an assignment wins: `check --record` may have closed it.
        ledger = load_ledger_assignments(options.ledger)
        ids = {a.id for a in ledger}
        index = AssignmentIndex([*(a for a in index if a.id not in ids), *ledger])
    detection = {**(settings.detection if settings else {}), **options.detection}
    support = {
        **DEFAULT_FORMAT_SUPPORT,
        **(settings.format_support if settings else {}),
        **options.format_support,
    }
    postal = (
        PostalDirectory.load(settings.postal_codes) if settings and settings.postal_codes else None
    )
    return Policy(
        today=today,
        settings=settings,
        channel=options.channel,
        assignments=index,
        schemas=SchemaStore(options.schemas),
        postal_codes=postal,
        detection=detection,
        support=support,
    )


def max_bytes_of(options: RunOptions) -> int:
    return options.max_bytes or DEFAULT_MAX_BYTES
