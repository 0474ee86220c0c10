"""`evaluate_paths` parses a few files ahead of deciding them; the answers are `evaluate_path`'s.

Every kind of input the samples hold passes through one group: readable and
broken files, multi-document files, frames, a folder, a missing path. The
group closes at `READ_AHEAD_FILES` files or `READ_AHEAD_BYTES` bytes, and a
decided file's documents are let go before the next file is decided.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES
from kassavirta.config.policy import Policy, build_policy
from kassavirta.config.toml import load_config
from kassavirta.pipeline import evaluate
from kassavirta.pipeline.evaluate import evaluate_path, evaluate_paths


@pytest.fixture(scope="module")
def policy() -> Policy:
    options = load_config(SAMPLES / "kassavirta.toml")
    return build_policy(options, today=options.today)


def _inputs(tmp_path: Path) -> list[str]:
    """Every sample, a missing file and a folder among them, in an order that mixes the kinds."""
    found = [str(p) for p in sorted(SAMPLES.rglob("*.xml"))]
    found.insert(3, str(tmp_path / "missing.xml"))
    found.insert(7, str(SAMPLES))
    return found


def _dumped(checked: list[Any]) -> list[Any]:
    return [(result.model_dump(mode="json"), key and key.settle()) for result, key in checked]


def test_the_answers_are_those_of_one_file_at_a_time(policy: Policy, tmp_path: Path) -> None:
    paths = _inputs(tmp_path)
    assert len(paths) > 2 * evaluate.READ_AHEAD_FILES
    one_by_one = [_dumped(evaluate_path(p, policy)) for p in paths]
    ahead = [_dumped(checked) for checked in evaluate_paths(paths, policy)]
    assert ahead == one_by_one
    decisions = {r["decision"] for checked in ahead for r, _ in checked}
    assert decisions == {"route", "bypass", "error", "invalid"}


def test_a_group_closes_at_its_file_count_and_at_its_bytes(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [str(p) for p in sorted(SAMPLES.glob("route/*.xml"))][:9]
    sizes = [Path(p).stat().st_size for p in paths]
    read: list[str] = []
    real = evaluate._examine_path

    def noted(path: str | Path, max_bytes: int, shown: str, policy: Policy) -> Any:
        read.append(shown)
        return real(path, max_bytes, shown, policy)

    monkeypatch.setattr(evaluate, "_examine_path", noted)
    monkeypatch.setattr(evaluate, "READ_AHEAD_FILES", 4)
    monkeypatch.setattr(evaluate, "READ_AHEAD_BYTES", 1 << 30)
    ahead: list[int] = []  # files read when each result leaves
    for _ in evaluate_paths(paths, policy):
        ahead.append(len(read))
    assert ahead == [4, 4, 4, 4, 8, 8, 8, 8, 9]

    read.clear()  # a worker's retry: each file decided before the next is read
    assert [len(read) for _ in evaluate_paths(paths, policy, ahead=1)] == list(range(1, 10))

    read.clear()
    monkeypatch.setattr(evaluate, "READ_AHEAD_FILES", 100)
    monkeypatch.setattr(evaluate, "READ_AHEAD_BYTES", sizes[0] + sizes[1])
    ahead = [len(read) for _ in evaluate_paths(paths, policy)]
    assert ahead[:2] == [2, 2]  # the first two fill the bytes allowed
    assert ahead[-1] == len(paths)


def test_a_decided_file_lets_go_of_its_document(policy: Policy) -> None:
    paths = [str(p) for p in sorted(SAMPLES.glob("*/finvoice-3.0*.xml"))][:5]
    assert len(paths) == 5
    trees: list[weakref.ref[Any]] = []
    real = evaluate._judged

    def kept(found: Any, path: str, policy: Policy) -> Any:
        if isinstance(found, list):
            trees.extend(weakref.ref(d.part) for d, _ in found)
        return real(found, path, policy)

    alive_when_next: list[int] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(evaluate, "_judged", kept)
        for checked in evaluate_paths(paths, policy):
            del checked
            gc.collect()
            alive_when_next.append(sum(1 for t in trees if t() is not None))
    assert alive_when_next == [0, 0, 0, 0, 0]


def test_a_bug_while_examining_one_file_is_its_result_alone(
    policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [str(p) for p in sorted(SAMPLES.glob("route/*.xml"))][:6]
    expected = [_dumped(evaluate_path(p, policy)) for p in paths]
    real = evaluate.examine

    def exploding(document: Any, path: str, policy: Policy) -> Any:
        if path == paths[2]:
            raise RuntimeError("examine exploded")
        return real(document, path, policy)

    monkeypatch.setattr(evaluate, "examine", exploding)
    got = [_dumped(checked) for checked in evaluate_paths(paths, policy)]
    assert got[:2] + got[3:] == expected[:2] + expected[3:]
    [(bad, key)] = got[2]
    assert bad["decision"] == "invalid" and bad["reasons"] == ["internal-error"] and key is None
    assert "RuntimeError: examine exploded" in bad["findings"][0]["message"]
