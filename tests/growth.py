"""Growth ratios for the tests that pin a cost to the size of its input (issue 13).

A test times the same operation on a small input and on one `factor` times
larger, in the same process and moments apart, and compares the two: a cost in
proportion to the input gives about `factor`, a cost that grows with its
square gives `factor`², whatever the machine's speed. Each size is timed a few
times and the best kept, because a busy machine only ever adds time.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

FACTOR = 8
LINEAR_LIMIT = 12.0
"""8× the input may cost at most 12× the time: room for noise, far below 64×."""


def best_time(run: Callable[[], object], repeats: int = 3) -> float:
    """The shortest of `repeats` runs of `run`, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()  # garbage left by an earlier run is not this run's cost
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def growth(
    small: Callable[[], object],
    large: Callable[[], object],
    repeats: int = 3,
    *,
    limit: float = LINEAR_LIMIT,
    attempts: int = 3,
) -> float:
    """How many times longer `large` takes than `small` (best of `repeats` each).

    A ratio over `limit` is measured again, up to `attempts` times, and the lowest kept:
    another process taking the CPU during one measurement says nothing about the code,
    while a cost that grows with the square of the input exceeds the limit every time.
    """
    small()  # warm: imports and caches belong to neither size
    ratio = float("inf")
    for _ in range(attempts):
        ratio = min(ratio, best_time(large, repeats) / best_time(small, repeats))
        if ratio <= limit:
            break
    return ratio
