"""Capture what the toolkit says today, so a restructuring can prove it changed nothing.

Run `python tests/golden/capture.py` to (re)write the expectations in this folder;
`tests/test_unchanged.py` compares the current output with them. Drop both when
later work changes behaviour on purpose (issue 12, "Keep").
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("KASSAVIRTA_SHARED", ROOT.parent / "shared"))
TODAY = "2026-12-01"
PINNED = ("--settings", "samples/settings.json", "--today", TODAY, "--no-config")
"""The run every expectation after the sample set's own is made under."""


def run(argv: list[str]) -> tuple[int, str]:
    from kassavirta.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out.getvalue()


def reference_files() -> list[Path]:
    base = SHARED / "reference"
    return sorted(p for p in base.rglob("*.xml") if p.is_file()) if base.is_dir() else []


def _placeless(value: object) -> object:
    """`value` with this checkout's and shared/'s locations replaced by stand-ins.

    CI runs in a fresh clone elsewhere, so the expectations must not name a folder.
    """
    text = json.dumps(value)
    shared = os.path.relpath(SHARED, ROOT)
    text = text.replace(str(SHARED.resolve()), "<shared>").replace(str(ROOT), "<root>")
    text = text.replace(json.dumps(shared)[1:-1], "<shared>")
    return json.loads(text)


def outputs() -> dict[str, object]:
    """Every compared output, keyed by a stable name, free of this checkout's location."""
    return {name: _placeless(value) for name, value in _outputs().items()}


def _outputs() -> dict[str, object]:
    os.chdir(ROOT)
    found: dict[str, object] = {}
    code, text = run(["check", "samples/", "--output", "json", "--jobs", "1"])
    found["check-samples"] = {"exit": code, "json": json.loads(text)}
    refs = reference_files()
    if refs:
        args = ["check", *(os.path.relpath(p, ROOT) for p in refs), *PINNED, "--output", "json"]
        code, text = run([*args, "--jobs", "1"])
        found["check-reference"] = {"exit": code, "json": json.loads(text)}
        schemas = SHARED / "reference" / "finvoice" / "schemas"
        if schemas.is_dir():
            code, text = run([*args, "--jobs", "1", "--schemas", str(schemas)])
            found["check-reference-xsd"] = {"exit": code, "json": json.loads(text)}
    for sample in sorted((ROOT / "samples" / "route").glob("*.xml")):
        rel = os.path.relpath(sample, ROOT)
        code, text = run(["rewrite", rel, *PINNED, "--output", "json"])
        result: dict[str, object] = {"exit": code, "json": json.loads(text)}
        with tempfile.TemporaryDirectory() as tmp:
            out, html = Path(tmp) / "out.xml", Path(tmp) / "out.html"
            run(["rewrite", rel, *PINNED, "-o", str(out)])
            run(["preview", rel, *PINNED, "--compare", "-o", str(html)])
            result["bytes"] = hashlib.sha256(out.read_bytes()).hexdigest()
            result["preview"] = hashlib.sha256(html.read_bytes()).hexdigest()
        found[f"rewrite-{sample.name}"] = result
    return found


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    data = outputs()
    for name, value in data.items():
        (HERE / f"{name}.json").write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(data)} expectations")
