"""A one-file check starts quickly: it never imports what it does not use.

pydantic, the server, rendering, rich, dask and xmlschema together cost several
times the check itself at start-up; they load only for the commands (or the
settings, or the terminal progress bar) that need them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SAMPLES
from kassavirta.cli import COMMANDS, build_parser

ABSENT = (
    "pydantic",
    "fastapi",
    "starlette",
    "rich",
    "dask",
    "xmlschema",
    "jinja2",
    "kassavirta.server",
    "kassavirta.render",
)

PROBE = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["kassavirta", *sys.argv[2:]]
try:
    runpy.run_module("kassavirta.cli", run_name="__main__")
except SystemExit:
    pass
with open(out, "w") as f:
    json.dump(sorted(sys.modules), f)
"""


def _modules_after(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(out.read_text()))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in ABSENT or m.startswith(ABSENT[-2:]))


@pytest.mark.parametrize("flags", [("--no-config",), ()], ids=["no-config", "no-settings"])
def test_a_one_file_check_imports_nothing_heavy(tmp_path: Path, flags: tuple[str, ...]) -> None:
    invoice = shutil.copy(SAMPLES / "route" / "finvoice-3.0.xml", tmp_path / "one.xml")
    modules = _modules_after(tmp_path, "check", *flags, str(invoice))
    assert "kassavirta.pipeline.batch" in modules  # the check did run
    assert _heavy(modules) == []


LAZY = (
    "schwifty",
    "stdnum",
    "pycountry",
    "multiprocessing",
    "importlib.metadata",
    "zoneinfo",
    "hashlib",
)
"""Cheaper than the above, but each still a large part of a one-file check's start: the
Finnish IBANs, BICs and business IDs of a usual invoice are read without schwifty or
stdnum, a pool loads multiprocessing, only a run without `--today` needs time zones."""


def test_a_one_file_check_of_a_finnish_invoice_loads_only_what_it_uses(tmp_path: Path) -> None:
    invoice = shutil.copy(SAMPLES / "route" / "finvoice-3.0.xml", tmp_path / "one.xml")
    modules = _modules_after(
        tmp_path, "check", "--no-config", "--today", "2026-12-01", str(invoice)
    )
    assert "kassavirta.rules.warnings" in modules  # the IBAN and business-ID rules did run
    assert sorted(m for m in modules if m.startswith(LAZY)) == []
    # Only the command given is built: the others' modules never load.
    assert sorted(m for m in modules if m.startswith("kassavirta.cli.")) == [
        "kassavirta.cli.check",
        "kassavirta.cli.common",
    ]


PYDANTIC_PROBE = """
import json, sys
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic import field_validator, model_validator
from datetime import date

class Probe(BaseModel):
    day: date | None = None

Probe.model_validate({"day": "2026-12-01"})
json.dump(sorted(sys.modules), sys.stdout)
"""


def _pydantics() -> set[str]:
    """The modules an interpreter holds once pydantic has built and validated a model."""
    done = subprocess.run(
        [sys.executable, "-c", PYDANTIC_PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_with_settings_only_their_validation_loads(tmp_path: Path) -> None:
    """pydantic validates the settings file; their Finnish IBANs and BICs do not need schwifty,
    nor does a routed file of a one-file run need the assignments model."""
    invoice = shutil.copy(SAMPLES / "route" / "finvoice-3.0.xml", tmp_path / "one.xml")
    settings = str(SAMPLES / "settings.json")
    args = ("check", "--no-config", "--today", "2026-12-01", "--settings", settings, str(invoice))
    modules = _modules_after(tmp_path, *args)
    assert "kassavirta.config.settings" in modules
    # What pydantic loads for itself (plugins through importlib.metadata, time zones, and
    # from 2.14 `secrets`, hence hashlib) is its own, whichever version is installed.
    assert sorted(m for m in modules if m.startswith(LAZY) and m not in _pydantics()) == []
    assert "kassavirta.erp.assignments" not in modules
    assert "tomllib" not in modules


def test_the_json_report_of_a_check_imports_nothing_heavy(tmp_path: Path) -> None:
    invoice = shutil.copy(SAMPLES / "route" / "finvoice-3.0.xml", tmp_path / "one.xml")
    modules = _modules_after(tmp_path, "check", "--no-config", "-O", "json", str(invoice))
    assert _heavy(modules) == []


def _command_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found: argparse.ArgumentParser = sub.choices[name]
    return found


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_built_alone_reads_as_in_the_whole_command_line(name: str) -> None:
    """`main` builds only the named command's parser: its help (usage, prog, options) and its
    errors are those of the whole."""
    whole, alone = _command_parser(build_parser(), name), _command_parser(build_parser(name), name)
    assert alone.format_help() == whole.format_help()
    assert alone.format_usage() == whole.format_usage()
    assert alone.prog == f"kassavirta {name}"
    assert type(alone) is type(whole)  # the same one-line usage errors
