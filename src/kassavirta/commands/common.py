"""Options shared by every command that decides about invoices."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ..config import RunOptions, build_policy, find_config, load_config, merge
from ..decision import Policy
from ..errors import SettingsError
from ..model import Channel


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def add_decision_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("what the decision depends on")
    g.add_argument(
        "--today",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the sending date (default: today in Europe/Helsinki)",
    )
    g.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="activation settings: the JSON of GET /v2/services/amili/receivables "
        "(or TOML with the same keys). Without them the decision is bypass/service-inactive",
    )
    g.add_argument(
        "--assignments",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="Receivables API assignments JSON, for duplicate numbers (repeatable)",
    )
    g.add_argument(
        "--ledger", type=Path, metavar="FILE", help="an assignment ledger (SQLite) for duplicates"
    )
    g.add_argument(
        "--schemas",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of official XSDs (repeatable; also KASSAVIRTA_SCHEMAS and "
        "`kassavirta schemas add`)",
    )
    g.add_argument(
        "--channel",
        choices=[c.value for c in Channel],
        help="the delivery channel, instead of reading it from the invoice",
    )
    g.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="a kassavirta.toml (default: the nearest one above the first PATH)",
    )
    g.add_argument("--no-config", action="store_true", help="ignore any kassavirta.toml")


def options_from(args: argparse.Namespace, paths: list[Path]) -> RunOptions:
    flags = RunOptions(
        today=args.today,
        settings=args.settings,
        assignments=list(args.assignments),
        ledger=args.ledger,
        schemas=list(args.schemas),
        channel=Channel(args.channel) if args.channel else None,
    )
    if args.no_config:
        return flags
    config_path = args.config or find_config(paths)
    if args.config is not None and not args.config.is_file():
        raise SettingsError("no such config file", path=str(args.config))
    return merge(flags, load_config(config_path) if config_path else None)


def policy_from(options: RunOptions) -> Policy:
    from ..check import today_in_helsinki

    return build_policy(options, today=options.today or today_in_helsinki())
