"""The run's policy, and the one place that builds it.

Everything besides the invoice that a decision depends on (the sending date,
the activation settings, the known assignments, the XSDs, the detection and
support tables) is a `Policy`. It is built once per run, by `build_policy`,
from what every entry point gathers into a `RunOptions`: the command-line
flags over a discovered `kassavirta.toml` (`config.toml`), the server's
options (`server.config`), or the Python API's arguments. A `Policy` is
frozen: a run that needs another date or channel (one HTTP request) builds
its own with `Policy.derive`, so no check ever sees a policy change under it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kassavirta.erp.index import AssignmentIndex
from kassavirta.finnish.postcodes import PostalDirectory, shipped_directory
from kassavirta.formats.registry import DEFAULT_FORMAT_SUPPORT
from kassavirta.formats.schemas import SchemaStore
from kassavirta.model import Channel
from kassavirta.pipeline.read import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    # The settings' and assignments' pydantic models load only when a run has some.
    from kassavirta.config.settings import Settings, Signature
    from kassavirta.erp.assignments import Assignment


@dataclass(frozen=True)
class Policy:
    """Everything besides the invoice that a decision depends on."""

    today: date
    settings: Settings | None = None
    channel: Channel | None = None
    assignments: AssignmentIndex = field(default_factory=AssignmentIndex)
    schemas: SchemaStore | None = None
    postal_codes: PostalDirectory | None = None
    """The user's directory (extending the shipped one unless it replaces it); None: the shipped one."""
    detection: Mapping[str, Signature] = field(default_factory=dict)
    support: Mapping[str, bool] = field(default_factory=lambda: dict(DEFAULT_FORMAT_SUPPORT))
    manual_assignment: bool = False
    """The invoices are manual assignments (`POST /v1/invoices` with `prevent_routing = true`):
    not delivered, not rewritten, and held to the guide's own conditions for them."""

    def supported(self, format_id: str) -> bool | None:
        return self.support.get(format_id)

    def derive(
        self,
        *,
        today: date | None = None,
        channel: Channel | None = None,
        assignments: AssignmentIndex | None = None,
        manual_assignment: bool | None = None,
    ) -> Policy:
        """This policy with another sending date, channel, assignments or manual-assignment
        mode (None keeps this one's)."""
        return dataclasses.replace(
            self,
            today=today or self.today,
            channel=channel or self.channel,
            assignments=self.assignments if assignments is None else assignments,
            manual_assignment=self.manual_assignment
            if manual_assignment is None
            else manual_assignment,
        )


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

    def as_json(self) -> dict[str, Any]:
        """Paths and values as JSON types, for `serve --workers N` to hand to its workers."""
        return {
            "today": self.today.isoformat() if self.today else None,
            "settings": _s(self.settings),
            "assignments": [str(p) for p in self.assignments],
            "ledger": _s(self.ledger),
            "schemas": [str(p) for p in self.schemas],
            "channel": self.channel.value if self.channel else None,
            "max_bytes": self.max_bytes,
            "detection": {k: v.model_dump(mode="json") for k, v in self.detection.items()},
            "format_support": dict(self.format_support),
            "config_path": _s(self.config_path),
        }

    @classmethod
    def from_json(cls, o: dict[str, Any]) -> RunOptions:
        from kassavirta.config.settings import Signature

        return cls(
            today=date.fromisoformat(o["today"]) if o["today"] else None,
            settings=_p(o["settings"]),
            assignments=[Path(p) for p in o["assignments"]],
            ledger=_p(o["ledger"]),
            schemas=[Path(p) for p in o["schemas"]],
            channel=Channel(o["channel"]) if o["channel"] else None,
            max_bytes=o["max_bytes"],
            detection={k: Signature.model_validate(v) for k, v in o["detection"].items()},
            format_support=dict(o["format_support"]),
            config_path=_p(o["config_path"]),
        )


def _s(p: Path | None) -> str | None:
    return str(p) if p is not None else None


def _p(s: str | None) -> Path | None:
    return Path(s) if s else None


def load_assignment_index(options: RunOptions, extra: Iterable[Assignment] = ()) -> AssignmentIndex:
    """The assignments known before the run: the files, `extra`, then the ledger's, which win."""
    index = AssignmentIndex()
    for path in options.assignments:
        from kassavirta.erp.assignments import load_assignments

        for a in load_assignments(path):
            index.add(a)
    for a in extra:
        index.add(a)
    if options.ledger is not None:
        from kassavirta.erp.ledger import load_ledger_assignments

        # The ledger's copy of an assignment wins: `check --record` may have closed it.
        ledger = load_ledger_assignments(options.ledger)
        ids = {a.id for a in ledger}
        index = AssignmentIndex([*(a for a in index if a.id not in ids), *ledger])
    return index


def with_ledger_groups(settings: Settings, ledger: Path) -> Settings:
    """The settings' `service_levels` with the ledger's groups (GET /v1/service_levels) beside."""
    from kassavirta.erp.ledger import load_ledger_groups
    from kassavirta.erp.service_levels import with_groups

    groups = load_ledger_groups(ledger)
    return with_groups(settings, groups) if any(groups.values()) else settings


def build_policy(
    options: RunOptions | None = None,
    *,
    today: date | None = None,
    settings: Settings | str | Path | None = None,
    assignments: Iterable[Assignment] = (),
) -> Policy:
    """The run's policy: every file the options name loaded, failing early with a `SettingsError`.

    `today` (else the options' date, else today in Helsinki), `settings` (a
    file or the loaded settings, instead of the options' file) and
    `assignments` (added to the options' files) are for the Python API.
    """
    options = options or RunOptions()
    if settings is None:
        settings = options.settings
    if isinstance(settings, str | Path):
        from kassavirta.config.settings import load_settings

        settings = load_settings(settings)
    if settings is not None and options.ledger is not None:
        settings = with_ledger_groups(settings, options.ledger)
    day = today or options.today
    if day is None:
        from kassavirta.pipeline.evaluate import today_in_helsinki

        day = today_in_helsinki()
    detection = {**(settings.detection if settings else {}), **options.detection}
    support = {
        **DEFAULT_FORMAT_SUPPORT,
        **(settings.format_support if settings else {}),
        **options.format_support,
    }
    postal = None  # the directory that ships with the toolkit, read on first use
    if settings and settings.postal_codes:
        base = None if settings.postal_codes_replace else shipped_directory
        postal = PostalDirectory.load(settings.postal_codes, base=base)
    return Policy(
        today=day,
        settings=settings,
        channel=options.channel,
        assignments=load_assignment_index(options, assignments),
        schemas=SchemaStore(options.schemas),
        postal_codes=postal,
        detection=detection,
        support=support,
    )


def max_bytes_of(options: RunOptions) -> int:
    return options.max_bytes or DEFAULT_MAX_BYTES
