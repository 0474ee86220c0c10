"""`kassavirta`: the command line.

Each subcommand lives in `kassavirta.cli.<name>`: its `HELP` (the line in
`kassavirta --help`), `DESCRIPTION` and, when it has one, `EPILOG` (kept as
written, line breaks and all), `register(parser)` adding its arguments, and
`run(args) -> int`; this module only wires them up. Modules are imported when
the parser is built, so they keep heavy imports inside `run`.
Exit status everywhere: 0 when what was asked to confirm holds, 1 when it does
not, 2 for a usage error (bad flag, unreadable settings file).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kassavirta import __version__
from kassavirta.errors import SettingsError

COMMANDS: tuple[str, ...] = (
    "check",
    "schemas",
    "ledger",
    "event",
    "schedule",
    "rewrite",
    "preview",
    "si-change",
    "references",
    "payments",
    "serve",
    "completion",
)
"""Subcommand modules under `kassavirta.cli`, in the order `--help` lists them."""

USAGE_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kassavirta",
        description="Preflight for the Amili Kassavirta receivables service: what will it do with "
        "each invoice — route, bypass, reject (SEND ERROR) or find it unreadable?",
    )
    parser.add_argument("--version", action="version", version=f"kassavirta {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name.replace('-', '_')}")
        epilog: str | None = getattr(module, "EPILOG", None)
        command = sub.add_parser(
            name,
            help=module.HELP,
            description=module.DESCRIPTION,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter
            if epilog
            else argparse.HelpFormatter,
        )
        module.register(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except SettingsError as exc:
        print(f"kassavirta: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("kassavirta: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
