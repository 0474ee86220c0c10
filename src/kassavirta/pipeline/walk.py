"""Which files a run checks, and in which order: the order the in-run duplicate rule needs.

Files are taken as given; folders are walked for `*.xml`, lazily, in the
order of sorting every path as a string, so that a run over millions of files
never holds their list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def _walk(folder: str) -> Iterator[str]:
    """`*.xml` under `folder`, in the order of sorting the whole list by path, lazily.

    Sorting each folder's entries by name, with a sub-folder keyed by its name
    plus "/", gives exactly the order of sorting every path as a string, while
    holding only one folder's listing at a time. Symbolic links to folders are
    not followed (they cannot loop); a folder named `*.xml` is itself an input
    (it becomes an `invalid` result), and so is a folder that cannot be listed.
    """
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        yield folder
        return
    keyed: list[tuple[str, int, str]] = []
    for entry in entries:
        name = entry.name
        path = name if folder == "." else entry.path  # as pathlib joins: "." / "a" is "a"
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        xml = name.lower().endswith(".xml")
        if is_dir:
            if xml:
                keyed.append((name, 0, path))
            if not entry.is_symlink():
                keyed.append((name + "/", 1, path))
        elif xml:
            keyed.append((name, 0, path))
    keyed.sort()
    for _, recurse, path in keyed:
        if recurse:
            yield from _walk(path)
        else:
            yield path


def iter_input_names(paths: Iterable[str | Path]) -> Iterator[str]:
    """Files to check, as strings: files as given, folders recursively (`*.xml`), sorted.

    A named path that does not exist is still yielded, so that it becomes an
    `invalid` result instead of silently vanishing from the report.
    """
    for raw in paths:
        name = str(Path(raw))  # as the report has always shown paths: "./a/" → "a"
        if os.path.isdir(name):
            yield from _walk(name)
        else:
            yield name


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to check, in sorted path order: files as given, folders recursively (`*.xml`)."""
    for name in iter_input_names(paths):
        yield Path(name)


def count_inputs(paths: Iterable[str | Path]) -> int:
    """How many inputs `iter_input_names` will yield (for a progress bar's total)."""
    return sum(1 for _ in iter_input_names(paths))
