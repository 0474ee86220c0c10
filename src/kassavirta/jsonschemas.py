"""The project's own JSON Schemas, generated from the pydantic models.

`schemas/check-report.schema.json` describes `kassavirta check --output json`;
`schemas/settings.schema.json` the settings file. They are committed so that
other languages can validate against them, and a test keeps them current:
regenerate with `python -m kassavirta.jsonschemas schemas/`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kassavirta.fileio import atomic_write_text

SCHEMA_FILES = ("check-report.schema.json", "settings.schema.json")


def generate() -> dict[str, dict[str, Any]]:
    from kassavirta.config.settings import Settings
    from kassavirta.report import Report

    out: dict[str, dict[str, Any]] = {}
    for name, model, title in (
        ("check-report.schema.json", Report, "kassavirta check --output json"),
        ("settings.schema.json", Settings, "kassavirta activation settings"),
    ):
        schema = model.model_json_schema(mode="serialization" if model is Report else "validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = title
        out[name] = schema
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(folder: Path) -> list[Path]:
    return [atomic_write_text(folder / name, render(schema)) for name, schema in generate().items()]


if __name__ == "__main__":  # pragma: no cover
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(path)
