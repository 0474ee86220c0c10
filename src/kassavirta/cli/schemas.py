"""`kassavirta schemas add|list`: install the official XSDs once, see what is found."""

from __future__ import annotations

import argparse
from pathlib import Path

from kassavirta.cli.common import action_parsers

HELP = "install official XSDs into your data folder, or list the ones found"
DESCRIPTION = (
    "The official Finvoice XSDs are not shipped with the toolkit. Install them once "
    "from a folder (kept in $XDG_DATA_HOME/kassavirta/schemas), or point each run at a "
    "folder with --schemas DIR or the KASSAVIRTA_SCHEMAS variable."
)


def register(p: argparse.ArgumentParser) -> None:
    s = action_parsers(p)
    add = s.add_parser(
        "add",
        help="copy every .xsd under DIR into your schema folder",
        description="Copy every .xsd under DIR (the unpacked official schema packages) into "
        "$XDG_DATA_HOME/kassavirta/schemas, where every later run finds them, and list which "
        "format's schema is then found. Each schema is compiled once here, so a broken one "
        "is reported now rather than in a check.",
        epilog="exit status: 0 installed, 2 when DIR is not a folder or a schema does not compile.",
    )
    add.add_argument(
        "dir", type=Path, metavar="DIR", help="a folder holding the official .xsd files"
    )
    add.set_defaults(run=run_add)
    ls = s.add_parser(
        "list",
        help="show which format's schema would be used, and from where",
        description="For every format with an official XSD, the schema file a check would "
        "validate it against, or `not found`; then the folders searched, in order (--schemas, "
        "KASSAVIRTA_SCHEMAS, your schema folder).",
        epilog="exit status: 0 when at least one schema is found, 1 when none is.",
    )
    ls.add_argument(
        "--schemas",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of official XSDs to search first, as `check --schemas` (repeatable)",
    )
    ls.set_defaults(run=run_list)


def run_add(args: argparse.Namespace) -> int:
    from kassavirta.formats.schemas import SchemaStore, add_schemas, compile_schema, user_schema_dir

    installed = add_schemas(args.dir)
    print(f"installed {len(installed)} schema file(s) into {user_schema_dir()}")
    for fmt, path in SchemaStore().available().items():
        compile_schema(path)
        print(f"  {fmt:<14} {path}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from kassavirta.formats.registry import SCHEMA_FILES
    from kassavirta.formats.schemas import SchemaStore

    store = SchemaStore(args.schemas)
    found = store.available()
    for fmt in SCHEMA_FILES:
        print(f"{fmt:<14} {found.get(fmt) or 'not found'}")
    print("searched: " + ", ".join(str(d) for d in store.dirs))
    return 0 if found else 1
