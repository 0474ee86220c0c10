"""The folder walk: every input once, lazily, in sorted path order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kassavirta.pipeline.walk import count_inputs, iter_input_names, iter_inputs


def _old_order(root: Path) -> list[str]:
    """The order the first version of iter_inputs gave: every path collected, then sorted."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        found.extend(base / n for n in filenames if n.lower().endswith(".xml"))
        found.extend(base / n for n in dirnames if n.lower().endswith(".xml"))
    return [str(p) for p in sorted(found, key=lambda q: q.as_posix())]


def test_lazy_walk_gives_the_order_of_sorting_every_path(tmp_path: Path) -> None:
    for rel in (
        "a.xml.xml",
        "a.xml/b.xml",
        "a.xml/c/d.xml",
        "a-b.xml",
        "a0.xml",
        "a/b.xml",
        "a/b/c.xml",
        "a/b.xml.xml",
        "Z.xml",
        "b c/x.XML",
        "ä/ö.xml",
        "a/_/x.xml",
        "a/-/x.xml",
        "skip.txt",
    ):
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x")
    (tmp_path / "link.xml").symlink_to(tmp_path / "a")
    (tmp_path / "linkdir").symlink_to(tmp_path / "a")
    expected = _old_order(tmp_path)
    assert list(iter_input_names([tmp_path])) == expected
    assert [str(p) for p in iter_inputs([tmp_path])] == expected
    assert count_inputs([tmp_path]) == len(expected)
    assert str(tmp_path / "link.xml") in expected  # a link to a folder is an input, not walked
    assert not any("linkdir" in p for p in expected)


def test_paths_keep_the_shape_they_were_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.xml").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert list(iter_input_names(["."])) == ["sub/x.xml"]
    assert list(iter_input_names(["./sub/"])) == ["sub/x.xml"]
    assert list(iter_input_names(["missing.xml"])) == ["missing.xml"]
