"""Paths, dates and helpers every test module shares (importable: `pythonpath` has tests/).

Fixtures stay in conftest.py; plain values and functions live here so that a
module can use them at import time (in `parametrize` lists, for instance).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = Path(os.environ.get("KASSAVIRTA_SHARED", ROOT.parent / "shared"))
REFERENCE = SHARED / "reference" / "finvoice"
TODAY = date(2026, 12, 1)
"""The sending date the sample set is written for (samples/kassavirta.toml)."""
TODAY_ISO = TODAY.isoformat()
SAMPLES_TODAY = TODAY
TEST_DATA = ROOT / "tests" / "data"


def kassavirta_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real console script (as installed), falling back to `python -m`."""
    exe = shutil.which("kassavirta")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "kassavirta.cli", *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        cmd, capture_output=True, text=True, cwd=cwd or ROOT, env=full_env, timeout=300
    )


Edit = tuple[str, str, str | None]
"""(xpath, action, value): action is `text`, `remove`, `attr:NAME`, or `append:TAG` (value = text)."""


def make_variant(source: Path | bytes, *edits: Edit) -> bytes:
    """A copy of an invoice with targeted edits, serialised in its own encoding.

    Framed (SOAP) files are not supported here: use single-document samples.
    """
    from lxml import etree

    data = source.read_bytes() if isinstance(source, Path) else source
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.ElementTree(etree.fromstring(data, parser))
    for xpath, action, value in edits:
        found = tree.xpath(xpath)
        assert found, f"no element at {xpath}"
        for element in found:
            if action == "text":
                element.text = value
            elif action == "remove":
                element.getparent().remove(element)
            elif action.startswith("attr:"):
                element.set(action[5:], value or "")
            elif action.startswith("append:"):
                child = etree.SubElement(element, action[7:])
                child.text = value
            else:  # pragma: no cover - a mistake in a test
                raise ValueError(action)
    encoding = tree.docinfo.encoding or "UTF-8"
    return etree.tostring(tree, xml_declaration=True, encoding=encoding)


def imported_ledger(directory: Path, source: Path) -> Path:
    """A ledger in `directory` holding the assignments of the JSON file `source`."""
    from kassavirta.erp.assignments import load_assignments
    from kassavirta.erp.ledger import Ledger

    path = directory / "ledger.sqlite3"
    with Ledger.open(path) as ledger:
        ledger.import_assignments(load_assignments(source))
    return path
