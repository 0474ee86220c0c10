"""`kassavirta`: the command line.

Each subcommand lives in `kassavirta.cli.<name>`: its `HELP` (the line in
`kassavirta --help`), `DESCRIPTION` and, when it has one, `EPILOG` (kept as
written, line breaks and all), `register(parser)` adding its arguments, and
`run(args) -> int`; this module only wires them up. Modules are imported when
the parser is built, so they keep heavy imports inside `run`.
Exit status everywhere: 0 when what was asked to confirm holds, 1 when it does
not, 2 for a usage error: a bad flag, a file or folder that does not exist, an
unreadable settings file, an assignment id the ledger does not hold. A usage
error is one line on stderr (with a `--help` hint for a bad flag), never the
usage text: the message is what to fix. Every error and warning line has one
form, argparse's own: `kassavirta COMMAND: FILE: message` (COMMAND as typed,
`ledger import`; FILE when there is one), so a script can tell which command
of a pipeline failed and a person sees which file to fix.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from kassavirta import __version__
from kassavirta.errors import SettingsError, SettingsWarning

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


class Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors: what is wrong and where the help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def command_name(args: argparse.Namespace) -> str:
    """`kassavirta COMMAND` as typed (`kassavirta ledger import`): what argparse calls `prog`,
    and what begins every error and warning line."""
    action = getattr(args, "action", None)
    return " ".join(["kassavirta", args.command, *([action] if action else [])])


def _warning_printer(prefix: str) -> Callable[..., None]:
    """Our own warnings as one line each (`PREFIX: warning: ...`), like every other message."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, SettingsWarning):
            print(f"{prefix}: warning: {message}", file=sys.stderr)
        else:
            _default_show_warning(message, category, filename, lineno, file, line)

    return show


_default_show_warning = warnings.showwarning


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `only` a known command the parser for that one alone.

    Building every subcommand's parser cost a one-file check about 40 ms (argparse
    looks its message catalogue up for each): `main` builds the one named, which
    parses its arguments and errors exactly as in the whole.
    """
    parser = Parser(
        prog="kassavirta",
        description="Preflight for the Amili Kassavirta receivables service: what will it do with "
        "each invoice — route, bypass, reject (SEND ERROR) or find it unreadable?",
    )
    parser.add_argument("--version", action="version", version=f"kassavirta {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    names = (only,) if only is not None and only in COMMANDS else COMMANDS
    for name in names:
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
    given = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(given[0] if given else None)
    args = parser.parse_args(given)
    prefix = command_name(args)
    warnings.showwarning = _warning_printer(prefix)
    try:
        code: int = args.run(args)
    except SettingsError as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except SettingsWarning as exc:  # raised only with --strict-settings
        print(f"{prefix}: error (--strict-settings): {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except OSError as exc:
        if exc.filename is not None:
            print(f"{prefix}: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
            return USAGE_ERROR
        if exc.errno not in _WRITE_ERRORS:
            return _internal_error(args, exc)
        return _output_failed(prefix, exc)
    except Exception as exc:
        return _internal_error(args, exc)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except OSError as exc:
        return _output_failed(prefix, exc)
    return code


_WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)
"""Errors a write to stdout meets when it is redirected to a file on a full or failing disk."""


def _output_failed(prefix: str, exc: OSError) -> int:
    """Writing stdout failed (`check -O json > file` on a full disk): one line, exit 2.

    stdout is pointed at /dev/null first, so the interpreter's final flush of what
    is still buffered does not fail a second time with a traceback.
    """
    _silence_stdout()
    print(f"{prefix}: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
    return USAGE_ERROR


_INPUT_ARGS = ("invoice", "file", "event", "credit_note", "paths", "sources", "settings")
"""Where a command keeps the file it was reading, to name it when our own code fails."""


def _internal_error(args: argparse.Namespace, exc: BaseException) -> int:
    """A bug of ours is one line naming the input, as `check` reports internal-error.

    KASSAVIRTA_TRACEBACK=1 lets the exception through, for whoever fixes the bug.
    """
    if os.environ.get("KASSAVIRTA_TRACEBACK"):
        raise exc
    named = next((getattr(args, a) for a in _INPUT_ARGS if getattr(args, a, None)), None)
    if isinstance(named, list):
        named = " ".join(str(p) for p in named)
    where = f"{named}: " if named else ""
    message = " ".join(str(exc).split())
    print(
        f"{command_name(args)}: {where}internal-error: {type(exc).__name__}: {message} "
        "(a bug in kassavirta; KASSAVIRTA_TRACEBACK=1 shows where)",
        file=sys.stderr,
    )
    return USAGE_ERROR


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null: buffered output that cannot be written is dropped."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
