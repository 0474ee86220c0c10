"""Every command example in README.md and docs/*.md prints what the doc says it prints.

A change that alters an example's output fails here until the doc shows the new
output (tests/docs_examples.py has the rules: one session per document, `/tmp/`
kept per session, `…` to shorten, and an explicit skip marker for examples that
cannot run in a test, which pytest then lists with their reasons).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docs_examples import (
    DOCS,
    Block,
    Command,
    Session,
    all_blocks,
    mismatch,
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
    diff = mismatch(command, outcome)
    if diff is not None:
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
    """A doc whose output is one character off fails; the true one, and a shortened one, pass.

    (Shell built-ins, so that this test of the checker does not move with the CLI's wording.)
    """
    doc = tmp_path / "x.md"
    doc.write_text(
        "```\n"
        "$ printf 'ROUTE a.xml\\n1 file\\n'\nROUTE a.xml\n1 file\n"
        "$ printf 'ROUTE a.xml\\n1 file\\n'\nROUTE a.xml\n2 files\n"
        "$ printf 'ROUTE a.xml\\n1 file\\n'\nROUTE a.xml\n…\n"
        "$ false\n$ echo $?\n1\n"
        "$ ls /tmp/\n"
        "$ cat /tmp/given.txt\nmade by the doc\n"
        "$ cat /tmp/given.txt\nsomething else\n"
        "```\n",
        encoding="utf-8",
    )
    (block,) = parse(doc)
    session = Session(tmp_path / "session")
    diffs = [mismatch(command, session.run(command)) for command in block.commands]
    assert diffs[0] is None
    assert diffs[1] is not None and "-2 files\n+1 file" in diffs[1]
    assert diffs[2] is None
    assert diffs[4] is None  # `echo $?` is the previous command's status
    assert diffs[5] is None  # /tmp/ is the session's own, empty at first
    assert diffs[6] is None  # the doc gives the file...
    assert diffs[7] is not None and "+made by the doc" in diffs[7]  # ...then it exists


def test_install_instructions_name_no_unpublished_package() -> None:
    """Until a release is on PyPI, `pip install kassavirta-preflight[...]` fails for a reader."""
    pattern = re.compile(r"pip install[^\n`]*kassavirta-preflight(?!\[\w+\] @)")
    for doc in [*DOCS, *sorted((ROOT / "src").rglob("*.py"))]:
        text = doc.read_text(encoding="utf-8")
        assert not pattern.search(text), doc
