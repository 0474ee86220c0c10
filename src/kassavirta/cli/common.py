"""Options and helpers shared by the commands: deciding about invoices, the ledger, output."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from kassavirta.config.policy import RunOptions
from kassavirta.config.toml import find_config, load_config, merge
from kassavirta.errors import SettingsError
from kassavirta.model import Channel


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        from kassavirta.config.dates import date_hint

        raise argparse.ArgumentTypeError(f"{value!r} is not a date: {date_hint(value)}") from exc


def at_least_one(message: str) -> Callable[[str], int]:
    """An argparse type: a whole number of 1 or more, else `message: 'value'`."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            raise argparse.ArgumentTypeError(f"{message}: {value!r}")
        return number

    return parse


def action_parsers(
    parser: argparse.ArgumentParser,
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The required ACTION subcommands of a command (`ledger import`, `event validate`, ...)."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    return actions


def no_such_paths(paths: Iterable[str | Path]) -> str | None:
    """`no such file or folder: A, B`, naming every one of `paths` that does not exist, or None.

    A missing PATH is a usage error, not a rejected invoice: a CI job pointed at
    the wrong place must fail. `-` (standard input) passes; a broken symbolic
    link passes too, so that the reader can say where it points. All are named
    in one line, so that one run shows every typo."""
    missing = [str(p) for p in paths if str(p) != "-" and not os.path.lexists(p)]
    return f"no such file or folder: {', '.join(missing)}" if missing else None


def existing_path(value: str) -> Path:
    """An argparse type: a path that exists (`no_such_paths`)."""
    said = no_such_paths([value])
    if said is not None:
        raise argparse.ArgumentTypeError(said)
    return Path(value)


def add_invoice_argument(
    parser: argparse.ArgumentParser, out: str | None = None, *, out_required: bool = False
) -> None:
    """INVOICE, one invoice file; with `out` (its help) also -o OUT, where the result goes."""
    parser.add_argument(
        "invoice",
        type=existing_path,
        metavar="INVOICE",
        help="the invoice file; - reads it from standard input",
    )
    if out is not None:
        parser.add_argument(
            "-o", dest="out", type=Path, metavar="OUT", required=out_required, help=out
        )


def add_output_option(
    parser: argparse.ArgumentParser, help: str = "text (default) or json"
) -> None:
    parser.add_argument("--output", "-O", choices=("text", "json"), default="text", help=help)


def add_ledger_option(parser: argparse.ArgumentParser) -> None:
    """--ledger FILE, a ledger to read (default: the user's)."""
    parser.add_argument(
        "--ledger",
        type=Path,
        metavar="FILE",
        help="the ledger filled by `kassavirta ledger import` (default: "
        "$XDG_DATA_HOME/kassavirta/ledger.sqlite3)",
    )


def ledger_path(args: argparse.Namespace) -> Path:
    """--ledger, else the user's default ledger."""
    from kassavirta.erp.ledger import default_ledger_path

    return args.ledger if args.ledger is not None else default_ledger_path()


def write_json(doc: Any) -> None:
    """`doc` as indented JSON on stdout, with a final newline."""
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def add_decision_options(
    parser: argparse.ArgumentParser,
    config_default: str = "the nearest one above the first PATH, else in the working folder",
) -> None:
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

    def files(flag: str, metavar: str, help: str) -> None:
        """A repeatable option naming files or folders, as a list of paths."""
        g.add_argument(flag, type=Path, action="append", default=[], metavar=metavar, help=help)

    files(
        "--assignments",
        "FILE",
        "Receivables API assignments JSON, for duplicate numbers (repeatable)",
    )
    g.add_argument(
        "--ledger", type=Path, metavar="FILE", help="an assignment ledger (SQLite) for duplicates"
    )
    files(
        "--schemas",
        "DIR",
        "a folder of official XSDs (repeatable; also KASSAVIRTA_SCHEMAS and `kassavirta schemas add`)",
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
        help=f"a kassavirta.toml (default: {config_default})",
    )
    g.add_argument("--no-config", action="store_true", help="ignore any kassavirta.toml")
    g.add_argument(
        "--strict-settings",
        action="store_true",
        help="a key the settings file has but the toolkit does not read is an error (exit 2), "
        "not a warning",
    )


def options_from(args: argparse.Namespace, paths: list[Path]) -> RunOptions:
    if args.strict_settings:
        import warnings

        from kassavirta.errors import SettingsWarning

        warnings.simplefilter("error", SettingsWarning)
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
    if args.config is not None and not args.config.exists():
        raise SettingsError("no such config file", path=str(args.config))
    return merge(flags, load_config(config_path) if config_path else None)
