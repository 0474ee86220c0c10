"""Restructuring guard (issue 12): the outputs captured before the move are unchanged.

`tests/golden/capture.py` wrote the expectations from main 72b2fb4. This test is to be
dropped when later work changes behaviour on purpose.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"


def _capture():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("golden_capture", HERE / "capture.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def current() -> dict[str, object]:
    return _capture().outputs()  # type: ignore[no-any-return]


EXPECTED = sorted(p.stem for p in HERE.glob("*.json"))


@pytest.mark.parametrize("name", EXPECTED)
def test_output_is_unchanged(name: str, current: dict[str, object]) -> None:
    if name not in current:
        pytest.skip(f"{name}: its input (../shared/reference) is not available")
    expected = json.loads((HERE / f"{name}.json").read_text())
    assert json.loads(json.dumps(current[name], sort_keys=True)) == expected
