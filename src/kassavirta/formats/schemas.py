"""Official XSDs: where to find them, compiled once per process, and used safely.

The official Finvoice schemas are not ours to ship. A user points at a folder
(`--schemas DIR`, `KASSAVIRTA_SCHEMAS`) or installs one once with
`kassavirta schemas add DIR`, into the user's data directory. Without a schema
the check still runs, and says once that XSD validation was skipped.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from lxml import etree

from kassavirta.errors import SettingsError
from kassavirta.fileio import atomic_write_bytes
from kassavirta.formats.registry import FORMATS, SCHEMA_FILES, schema_key

ENV_VAR = "KASSAVIRTA_SCHEMAS"
MAX_VIOLATIONS = 100
"""Schema violations listed per document; one more violation says how many were left out.

A document can break its schema once per attribute or element it carries
(400,000 undeclared attributes gave 400,000 findings and 1.2 GB): past the
first hundred, more of the same tell a reader nothing, and every output format
and the HTTP answer would carry them all.
"""
_COMPILED: dict[tuple[str, float], etree.XMLSchema] = {}


def user_schema_dir() -> Path:
    """Where `kassavirta schemas add` installs schemas (XDG data home)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kassavirta" / "schemas"


def schema_dirs(explicit: list[Path] | None = None) -> list[Path]:
    dirs: list[Path] = list(explicit or [])
    env = os.environ.get(ENV_VAR)
    if env:
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs.append(user_schema_dir())
    return dirs


@dataclass(frozen=True)
class Violation:
    line: int | None
    column: int | None
    message: str


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def compile_schema(path: Path) -> etree.XMLSchema:
    """Compile (once per process and file version) the XSD at `path`."""
    key = (str(path.resolve()), path.stat().st_mtime)
    cached = _COMPILED.get(key)
    if cached is not None:
        return cached
    try:
        schema = etree.XMLSchema(etree.parse(str(path), _safe_parser()))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise SettingsError(f"not a usable XML schema: {exc}", path=str(path)) from exc
    _COMPILED[key] = schema
    return schema


class SchemaStore:
    """Finds and compiles the XSD for a format, searching the configured folders."""

    def __init__(self, dirs: list[Path] | None = None) -> None:
        self.dirs = schema_dirs(dirs)
        self._schemas: dict[str, etree.XMLSchema | None] = {}
        # A compiled schema keeps the errors of its last validation in its own log, so
        # two threads (the server's check threads) must not validate at once; the lock
        # also keeps them from compiling the same schema twice. Uncontended, it costs
        # nothing a batch would notice.
        self._lock = threading.Lock()
        for d in dirs or []:
            if not d.is_dir():
                raise SettingsError("not a folder of schemas", path=str(d))

    def __getstate__(self) -> dict[str, object]:
        # Compiled schemas and locks do not pickle: a worker process makes its own, once.
        state = {k: v for k, v in self.__dict__.items() if k != "_lock"}
        return {**state, "_schemas": {}}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def find(self, format_id: str) -> Path | None:
        """The schema file, directly in a folder or one level below it.

        One level, because distributions keep their main schema beside the files it
        imports (UBL's `xsd/maindoc/` next to `xsd/common/`), and moving it breaks them.
        """
        for name in SCHEMA_FILES.get(format_id, ()):
            for d in self.dirs:
                candidate = d / name
                if candidate.is_file():
                    return candidate
            for d in self.dirs:
                nested = sorted(p for p in d.glob(f"*/{name}") if p.is_file())
                if nested:
                    return nested[0]
        return None

    def available(self) -> dict[str, Path]:
        return {fmt: p for fmt in SCHEMA_FILES if (p := self.find(fmt)) is not None}

    def validate(
        self, format_id: str, tree: etree._ElementTree, line_offset: int = 0
    ) -> list[Violation] | None:
        """Violations of the format's XSD; None when no schema is available."""
        with self._lock:
            return self._validate(format_id, tree, line_offset)

    def _validate(
        self, format_id: str, tree: etree._ElementTree, line_offset: int
    ) -> list[Violation] | None:
        key = schema_key(format_id, tree.getroot())
        if key not in self._schemas:  # searched and compiled once per store, not per invoice
            path = self.find(key)
            self._schemas[key] = None if path is None else compile_schema(path)
        schema = self._schemas[key]
        if schema is None:
            return None
        if schema.validate(tree):
            return []
        log = cast("Sequence[Any]", schema.error_log)  # a _ListErrorLog: sized, iterable
        violations = [
            Violation(
                line=(e.line + line_offset) if e.line else None,
                column=e.column or None,
                message=e.message,
            )
            for e in itertools.islice(log, MAX_VIOLATIONS)
        ]
        more = len(log) - len(violations)
        # The compiled schema is kept for the process: without this its log, every
        # violation of the last document, would stay in memory until the next one.
        getattr(schema, "_clear_error_log", lambda: None)()
        if more > 0:
            violations.append(Violation(line=None, column=None, message=_more(more)))
        return violations


def _more(count: int) -> str:
    """The message of the violation that stands for the ones not listed."""
    them = "violation" if count == 1 else "violations"
    return (
        f"... and {count} more schema {them} not listed "
        f"(only the first {MAX_VIOLATIONS} of a document are)"
    )


def add_schemas(source: Path, target: Path | None = None) -> list[Path]:
    """Copy the XSDs under `source` into the user's schema folder, atomically per file."""
    target = target or user_schema_dir()
    if not source.is_dir():
        raise SettingsError("not a folder", path=str(source))
    files = sorted(p for p in source.rglob("*.xsd") if p.is_file())
    if not files:
        raise SettingsError("no .xsd files in this folder", path=str(source))
    target.mkdir(parents=True, exist_ok=True)
    installed: list[Path] = []
    for f in files:
        relative = f.relative_to(source)
        # Standalone schemas (Finvoice's) are looked up by plain name, at the top. Others
        # (UBL, CII) import their neighbours by relative path, so they keep their layout.
        dest = target / (relative.name if relative.name in _FLAT_NAMES else relative)
        installed.append(atomic_write_bytes(dest, f.read_bytes()))
    return installed


_FLAT_NAMES = {n for f in FORMATS if f.standalone_schema for n in f.schema_names}
