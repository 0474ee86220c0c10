"""The guide: "Reminders are always sent by regular post" — our sample data and docs say so too.

Issue 15, item 4: the sample assignments showed a `reminder_sent` event with
`"channel": "einvoice"`, and docs/assignments.md printed it as real output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, SAMPLES, TEST_DATA

REMINDERS = {"reminder_sent", "second_reminder_sent"}
JSON_FILES = sorted([*SAMPLES.rglob("*.json"), *TEST_DATA.rglob("*.json")])


def events_in(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        kind = value.get("type")
        if isinstance(kind, str) and kind in REMINDERS:
            yield value
        for v in value.values():
            yield from events_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from events_in(v)


def channel_of(event: dict[str, Any]) -> str | None:
    data = event.get("data") or {}
    return str(data["channel"]) if "channel" in data else None


def test_the_sample_assignments_hold_a_reminder() -> None:
    """The check below must have something to look at."""
    doc = json.loads((SAMPLES / "assignments.json").read_text(encoding="utf-8"))
    assert any(True for _ in events_in(doc))


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reminder_in_our_data_goes_by_another_channel(path: Path) -> None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        pytest.skip("not JSON (a deliberately broken file)")
    wrong = [e for e in events_in(doc) if channel_of(e) not in (None, "post")]
    assert not wrong, f"reminders are always sent by regular post: {wrong}"


def test_the_docs_print_no_reminder_by_another_channel() -> None:
    text = (ROOT / "docs" / "assignments.md").read_text(encoding="utf-8")
    printed = re.findall(r"(?:second_)?reminder_sent\s+(\{.*\})", text)
    assert printed, "docs/assignments.md shows a reminder event in `ledger status`"
    for data in printed:
        assert json.loads(data).get("channel") in (None, "post"), data
