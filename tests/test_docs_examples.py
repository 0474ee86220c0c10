"""Every command example in README.md and docs/*.md prints what the doc says it prints.

A change that alters an example's output fails here until the doc shows the new
output (tests/docs_examples.py has the rules: one session per document, `/tmp/`
kept per session, `…` to shorten, and an explicit skip marker for examples that
cannot run in a test, which pytest then lists with their reasons).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from docs_examples import (
    DOCS,
    Block,
    Command,
    Session,
    all_blocks,
    comparable,
    elided,
    now_stamps_as_in_doc,
    parse,
)
from helpers import ROOT

BLOCKS = all_blocks()
COMMANDS = [(block, command) for block in BLOCKS for command in block.commands]


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Session]:
    return {}


def _session_for(
    doc: str, sessions: dict[str, Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    """The document's session, run up to the end on first use (later examples read its results)."""
    if doc not in sessions:
        session = Session(tmp_path_factory.mktemp("doc-" + re.sub(r"\W", "-", doc)))
        for block in BLOCKS:
            if block.doc == doc and block.skip is None:
                for command in block.commands:
                    session.run(command)
        sessions[doc] = session
    return sessions[doc]


@pytest.mark.parametrize(
    ("block", "command"), COMMANDS, ids=[command.id for _, command in COMMANDS]
)
def test_documented_command_prints_what_the_doc_shows(
    block: Block,
    command: Command,
    sessions: dict[str, Session],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if block.skip is not None:
        pytest.skip(f"doc example {block.doc}:{block.line} not run: {block.skip}")
    outcome = _session_for(block.doc, sessions, tmp_path_factory).outcomes[command.id]
    expected = comparable(command.expected)
    actual = now_stamps_as_in_doc(expected, comparable(outcome.actual))
    if elided(command.expected):
        actual = actual[: len(expected)]
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(expected, actual, "the doc", "the command", lineterm="")
        )
        pytest.fail(
            f"{command.id}: `$ {command.text}` (exit {outcome.status}) prints something else "
            f"than the doc shows; update the doc (or the code):\n{diff}",
            pytrace=False,
        )


def test_there_are_examples_in_every_document_that_has_commands() -> None:
    """The parser finds the examples (a change of fence style would silently test nothing)."""
    counted = {doc.relative_to(ROOT).as_posix(): len(parse(doc)) for doc in DOCS}
    assert counted["README.md"] >= 3
    assert counted["docs/assignments.md"] >= 10
    assert sum(len(block.commands) for block in BLOCKS) >= 90


def test_every_skipped_example_says_why() -> None:
    skipped = [block for block in BLOCKS if block.skip is not None]
    assert all(len(block.skip or "") >= 10 for block in skipped)
    # a skip is an exception: most examples must run
    assert len(skipped) * 5 < len(BLOCKS)


def test_the_doc_checker_catches_a_changed_output(tmp_path: Path) -> None:
    """The comparison would fail on a doc whose output is one character off."""
    doc = tmp_path / "x.md"
    doc.write_text(
        "```\n$ kassavirta check samples/route/finvoice-3.0.xml -q\n\n"
        "1 file: 1 route, 0 bypass, 0 error, 0 invalid\n```\n",
        encoding="utf-8",
    )
    (block,) = parse_outside_root(doc)
    session = Session(tmp_path / "s")
    outcome = session.run(block.commands[0])
    assert comparable(outcome.actual)[:2] == comparable(block.commands[0].expected)
    assert comparable(outcome.actual) != ["", "1 file: 1 route, 0 bypass, 1 error, 0 invalid"]


def parse_outside_root(path: Path) -> list[Block]:
    from docs_examples import _commands

    lines = path.read_text(encoding="utf-8").splitlines()
    body = [(n + 1, text) for n, text in enumerate(lines) if not text.startswith("```")]
    return [Block(path.name, 1, _commands(path.name, body))]


def test_install_instructions_name_no_unpublished_package() -> None:
    """Until a release is on PyPI, `pip install kassavirta-preflight[...]` fails for a reader."""
    pattern = re.compile(r"pip install[^\n`]*kassavirta-preflight(?!\[\w+\] @)")
    for doc in [*DOCS, *sorted((ROOT / "src").rglob("*.py"))]:
        text = doc.read_text(encoding="utf-8")
        assert not pattern.search(text), doc
