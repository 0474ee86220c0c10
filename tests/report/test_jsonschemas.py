"""The committed JSON Schemas must match the models they are generated from."""

from __future__ import annotations

import json

from helpers import ROOT
from kassavirta.jsonschemas import SCHEMA_FILES, generate, render


def test_committed_schemas_are_current() -> None:
    generated = generate()
    assert set(generated) == set(SCHEMA_FILES)
    for name, schema in generated.items():
        committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert committed == render(schema), (
            f"schemas/{name} is stale: python -m kassavirta.jsonschemas schemas/"
        )
        assert json.loads(committed)["title"]
