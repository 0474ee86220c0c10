"""The check costs in proportion to the invoice: 8× the rows may cost at most ~12× the time.

The ratio is measured inside the test (best of a few repeats) and not against a
clock, so a slow machine does not fail it; a cost that grows with the square of
the rows (a location computed by rescanning siblings per field) cannot pass.
"""

from __future__ import annotations

from growth import FACTOR, LINEAR_LIMIT, growth
from helpers import TODAY, benchmark_module
from kassavirta import check_bytes


def _checked(data: bytes) -> None:
    assert check_bytes(data, today=TODAY).decision.value in {"route", "bypass"}


def test_eight_times_the_rows_costs_at_most_twelve_times_the_time() -> None:
    generate = benchmark_module("generate")
    small, large = generate.row_invoice(250), generate.row_invoice(250 * FACTOR)
    ratio = growth(lambda: _checked(small), lambda: _checked(large))
    assert ratio <= LINEAR_LIMIT, f"{FACTOR}× the rows cost {ratio:.1f}× the time"
