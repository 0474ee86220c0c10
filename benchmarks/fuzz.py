"""Run the kassavirta fuzz targets for a while: `python benchmarks/fuzz.py --seconds 600`.

The same targets as tests/test_fuzz.py (raw bytes, XML token soup and mutated
generated invoices through `check_bytes`, mutated invoices through
`rewrite_document`), driven by hypothesis in rounds of random examples until
the time is up. A failure is shrunk to a minimal input, printed with its
reproduction blob, and ends the run with exit status 1. With `--atheris`
(and atheris installed) the targets run under atheris's coverage-guided
engine instead, through hypothesis's `fuzz_one_input`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kassavirta.testing.fuzz import (
    FuzzFailure,
    check_target,
    mutated_invoices,
    rewrite_target,
    xmlish_bytes,
)

TARGETS: dict[str, tuple[Callable[[], st.SearchStrategy[bytes]], Callable[[bytes], Any]]] = {
    "raw": (lambda: st.binary(max_size=8192), check_target),
    "soup": (lambda: xmlish_bytes(80), check_target),
    "check": (lambda: mutated_invoices(12), check_target),
    "rewrite": (lambda: mutated_invoices(12), rewrite_target),
}


def make_test(name: str, examples: int) -> Any:
    strategy, target = TARGETS[name]

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=True,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(data=strategy())
    def fuzz(data: bytes) -> None:
        target(data)

    fuzz.__name__ = f"fuzz_{name}"
    return fuzz


def run_rounds(names: list[str], seconds: float, chunk: int) -> int:
    deadline = time.monotonic() + seconds
    done = dict.fromkeys(names, 0)
    rounds = 0
    while time.monotonic() < deadline:
        name = names[rounds % len(names)]
        rounds += 1
        try:
            make_test(name, chunk)()
        except FuzzFailure as failure:
            print(f"\nFAILED in target {name!r} after {sum(done.values())} examples:\n{failure}")
            return 1
        done[name] += chunk
        left = max(0.0, deadline - time.monotonic())
        status = (
            f"{sum(done.values()):>8} examples  "
            + "  ".join(f"{n}={c}" for n, c in done.items())
            + f"  ({left:.0f} s left)"
        )
        if sys.stdout.isatty():
            print(f"\r{status}", end="", flush=True)
        elif rounds % len(names) == 0:
            print(status, flush=True)
    end = "\n" if sys.stdout.isatty() else ""
    print(f"{end}no failure in {sum(done.values())} examples ({', '.join(names)})")
    return 0


def run_atheris(name: str, rest: list[str]) -> int:  # pragma: no cover - optional engine
    try:
        import atheris  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        print("atheris is not installed: pip install atheris", file=sys.stderr)
        return 2
    test = make_test(name, 1)
    atheris.Setup([sys.argv[0], *rest], test.hypothesis.fuzz_one_input)
    atheris.Fuzz()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Fuzz kassavirta's check and rewrite for a given time (hypothesis, "
        "or atheris with --atheris). Exit 0: no failure; 1: a failure (printed, shrunk).",
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run (default: 60)")
    parser.add_argument(
        "--target",
        choices=[*TARGETS, "all"],
        default="all",
        help="which target (default: all, in turn)",
    )
    parser.add_argument(
        "--chunk",
        type=int,
        default=200,
        help="examples per hypothesis round (default: 200)",
    )
    parser.add_argument(
        "--atheris",
        action="store_true",
        help="coverage-guided with atheris (one target; further arguments go to libFuzzer)",
    )
    args, rest = parser.parse_known_args(argv)
    names = list(TARGETS) if args.target == "all" else [args.target]
    if args.atheris:
        return run_atheris(names[0], rest)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    return run_rounds(names, args.seconds, args.chunk)


if __name__ == "__main__":
    sys.exit(main())
