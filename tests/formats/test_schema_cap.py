"""A document that breaks its schema thousands of times yields a bounded report (issue 13).

400,000 undeclared attributes used to give 400,000 findings (1.2 GB, 86 MB of
JSON Lines). Each document lists its first `MAX_VIOLATIONS` schema violations
and one more that counts the rest, in every output format.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from helpers import SAMPLES, TODAY_ISO, kassavirta_cli
from kassavirta.config.policy import Policy
from kassavirta.formats.schemas import MAX_VIOLATIONS, SchemaStore
from kassavirta.pipeline.evaluate import Checker

FLOOD = 2_000


def _flooded(tmp_path: Path, count: int) -> Path:
    sample = (SAMPLES / "route" / "finvoice-3.0.xml").read_bytes()
    attributes = " ".join(f'x{i}="1"' for i in range(count))
    path = tmp_path / "flood.xml"
    path.write_bytes(sample.replace(b"<Finvoice ", f"<Finvoice {attributes} ".encode(), 1))
    return path


@pytest.mark.parametrize("count", [MAX_VIOLATIONS, MAX_VIOLATIONS + 1, FLOOD])
def test_schema_findings_are_capped(tmp_path: Path, schema_dir: Path, count: int) -> None:
    policy = Policy(today=date(2026, 12, 1), schemas=SchemaStore([schema_dir]))
    [result] = Checker(policy).check_path(_flooded(tmp_path, count))
    schema = [f for f in result.findings if f.rule == "schema"]
    assert result.decision.value == "invalid"
    if count <= MAX_VIOLATIONS:
        assert len(schema) == count
        return
    assert len(schema) == MAX_VIOLATIONS + 1
    assert all("is not allowed" in f.message for f in schema[:-1])
    more = count - MAX_VIOLATIONS
    assert schema[-1].message.startswith(f"... and {more} more schema violation")
    assert (schema[-1].line, schema[-1].column) == (None, None)


@pytest.mark.parametrize("output", ["text", "json", "jsonl", "junit", "sarif"])
def test_every_output_format_carries_the_cap(tmp_path: Path, schema_dir: Path, output: str) -> None:
    path = _flooded(tmp_path, FLOOD)
    run = kassavirta_cli(
        "check",
        str(path),
        "--no-config",
        "--settings",
        str(SAMPLES / "settings.json"),
        "--today",
        TODAY_ISO,
        "--schemas",
        str(schema_dir),
        "--output",
        output,
    )
    assert run.returncode != 0, run.stderr
    listed = sum(run.stdout.count(f"attribute 'x{i}' is not allowed") for i in range(FLOOD))
    assert listed <= MAX_VIOLATIONS * 2  # a format may print a message twice (title, text)
    assert f"and {FLOOD - MAX_VIOLATIONS} more schema violations" in run.stdout
