"""The check costs in proportion to the invoice: 8× the rows may cost at most ~12× the time.

The ratio is measured inside the test (best of a few repeats) and not against a
clock, so a slow machine does not fail it; a cost that grows with the square of
the rows (a location computed by rescanning siblings per field) cannot pass.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from types import ModuleType

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


def _best(data: bytes, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = check_bytes(data, today=TODAY)
        best = min(best, time.perf_counter() - start)
        assert result.decision.value in {"route", "bypass"}
    return best


def test_eight_times_the_rows_costs_at_most_twelve_times_the_time() -> None:
    generate = _generator()
    small, large = generate.row_invoice(250), generate.row_invoice(2000)
    _best(small, 2)  # warm the imports and caches
    ratio = _best(large, 3) / _best(small, 5)
    assert ratio <= 12, f"8× the rows cost {ratio:.1f}× the time"
