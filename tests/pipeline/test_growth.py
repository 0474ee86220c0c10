"""The check costs in proportion to the invoice: 8× the rows may cost at most ~12× the time.

The ratio is measured inside the test (best of a few repeats) and not against a
clock, so a slow machine does not fail it; a cost that grows with the square of
the rows (a location computed by rescanning siblings per field) cannot pass.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from growth import FACTOR, LINEAR_LIMIT, growth
from helpers import ROOT, TODAY
from kassavirta import check_bytes


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _checked(data: bytes) -> None:
    assert check_bytes(data, today=TODAY).decision.value in {"route", "bypass"}


def test_eight_times_the_rows_costs_at_most_twelve_times_the_time() -> None:
    generate = _generator()
    small, large = generate.row_invoice(250), generate.row_invoice(250 * FACTOR)
    ratio = growth(lambda: _checked(small), lambda: _checked(large))
    assert ratio <= LINEAR_LIMIT, f"{FACTOR}× the rows cost {ratio:.1f}× the time"
