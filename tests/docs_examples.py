"""Read the command examples out of the Markdown docs, and run them as a reader would.

An example is a fenced block whose lines start with `$ ` (a command; a line ending
in `\\` continues it) followed by the output that command prints (stdout and
stderr as a terminal shows them, in order). Everything the docs write about how
examples run is a rule here:

- Each document is one shell session, run top to bottom in a fresh folder that
  holds the repository's `samples/`, `tests/data/` and `benchmarks/` (as links),
  so an example may use what an earlier example of the same document made, and
  nothing else. `/tmp/` in a command is that session's own temporary folder.
- `$ cat FILE` of a file that the session has not made yet *gives* the file: the
  lines shown become its content (this is how the docs show an input they need).
- `$ echo $?` prints the previous command's exit status.
- A line `…` ends an output that the doc shortens: only what comes before it is
  compared.
- `<!-- doc-example: skip REASON -->` on the line before the opening fence skips
  that block (a server, a long benchmark): the test reports each one as skipped
  with its reason.

After an intended change of output, `python tests/docs_examples.py [DOC...]`
(with `src` and `tests` on PYTHONPATH) writes the real outputs into the docs.

Only what must vary is normalised: the session folder (shown as `/tmp/`), the
home folder (shown as `~`), the identifiers the toolkit makes at random
(`preflight-<uuid4>`), and the times it stamps with the clock (a UTC time
`YYYY-MM-DDTHH:MM:SSZ` from the run itself matches any such time in the doc).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINKED = ("samples", "tests", "benchmarks", "schemas", "src")
"""What a session's folder links to in the repository (a fresh clone's layout)."""

SKIP = re.compile(r"<!--\s*doc-example:\s*skip\s+(?P<reason>.+?)\s*-->")
ELIDED = "…"


@dataclass
class Command:
    """One `$ ` line (continuations joined) and the output the doc shows for it."""

    doc: str
    line: int
    text: str
    expected: list[str]

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


@dataclass
class Block:
    doc: str
    line: int
    commands: list[Command]
    skip: str | None = None


def parse(path: Path) -> list[Block]:
    """The example blocks of one Markdown file, in order."""
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        start = i
        i += 1
        body: list[tuple[int, str]] = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        if not any(text.startswith("$ ") for _, text in body):
            continue
        previous = lines[start - 1] if start > 0 else ""
        marker = SKIP.search(previous)
        blocks.append(
            Block(name, start + 1, _commands(name, body), marker["reason"] if marker else None)
        )
    return blocks


def _commands(doc: str, body: list[tuple[int, str]]) -> list[Command]:
    commands: list[Command] = []
    j = 0
    while j < len(body):
        number, text = body[j]
        if not text.startswith("$ "):
            if commands:
                commands[-1].expected.append(text)
            j += 1
            continue
        command = text[2:]
        while command.endswith("\\") and j + 1 < len(body):
            j += 1
            command = command[:-1].rstrip() + " " + body[j][1].strip()
        commands.append(Command(doc, number, command, []))
        j += 1
    return commands


def all_blocks() -> list[Block]:
    return [block for path in DOCS for block in parse(path)]


@dataclass
class Outcome:
    command: Command
    actual: list[str]
    status: int


@dataclass
class Session:
    """A document's examples run in order in one fresh folder."""

    folder: Path
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    status: int = 0

    def __post_init__(self) -> None:
        self.work = self.folder / "work"
        self.tmp = self.folder / "tmp"
        self.bin = self.folder / "bin"
        self.home = self.folder / "home"
        self.started = datetime.now(UTC) - timedelta(minutes=1)
        for made in (self.work, self.tmp, self.bin, self.home):
            made.mkdir(parents=True, exist_ok=True)
        for name in LINKED:
            (self.work / name).symlink_to(ROOT / name)
        for program, module in (("kassavirta", "-m kassavirta"), ("python", ""), ("python3", "")):
            shim = self.bin / program
            shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {module} "$@"\n')
            shim.chmod(0o755)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
            PYTHONUNBUFFERED="1",  # stdout and stderr interleave as on a terminal
            NO_COLOR="1",
            TERM="dumb",
            COLUMNS="200",
            HOME=str(self.home),  # the user's data folder is ~/.local/share/kassavirta
        )
        env.pop("KASSAVIRTA_SCHEMAS", None)
        env.pop("XDG_DATA_HOME", None)
        return env

    def local(self, text: str) -> str:
        """The command with `/tmp/` moved into this session's folder."""
        return re.sub(r"(?<![\w./])/tmp/", f"{self.tmp}/", text)

    def run(self, command: Command) -> Outcome:
        text = command.text.strip()
        if text == "echo $?":
            outcome = Outcome(command, [str(self.status)], 0)
        elif (given := _given_file(text)) is not None and not Path(self.local(given)).exists():
            target = Path(self.local(given))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(line + "\n" for line in command.expected), encoding="utf-8")
            outcome = Outcome(command, list(command.expected), 0)
        else:
            done = subprocess.run(
                ["bash", "-c", self.local(text)],
                cwd=self.work,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=600,
            )
            shown = done.stdout.decode("utf-8", errors="replace")
            outcome = Outcome(command, self.normalise(shown).splitlines(), done.returncode)
        self.status = outcome.status
        self.outcomes[command.id] = outcome
        return outcome

    def normalise(self, text: str) -> str:
        text = text.replace(f"{self.tmp}/", "/tmp/").replace(str(self.tmp), "/tmp")
        text = text.replace(str(self.home), "~")
        text = text.replace(f"{self.work}/", "")
        return STAMP.sub(lambda m: NOW if _parsed(m[0]) >= self.started else m[0], text)


def _given_file(text: str) -> str | None:
    parts = shlex.split(text)
    return parts[1] if len(parts) == 2 and parts[0] == "cat" else None


STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
NOW = "<now>"
STAMP_OR_NOW = re.compile(f"{STAMP.pattern}|{re.escape(NOW)}")


def _parsed(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def now_stamps_as_in_doc(expected: list[str], actual: list[str]) -> list[str]:
    """Each `<now>` of the run takes the time the doc shows at that place, when it shows one."""
    matched = []
    for index, line in enumerate(actual):
        if NOW in line and index < len(expected):
            shown = STAMP.findall(expected[index])
            found = STAMP_OR_NOW.findall(line)
            pieces = STAMP_OR_NOW.split(line)
            line = pieces[0]
            for k, (stamp, after) in enumerate(zip(found, pieces[1:], strict=True)):
                line += (shown[k] if stamp == NOW and k < len(shown) else stamp) + after
        matched.append(line)
    return matched


RANDOM_ID = re.compile(r"preflight-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def comparable(lines: list[str]) -> list[str]:
    """Lines with what must vary replaced, trailing spaces dropped, up to an `…` line."""
    shown: list[str] = []
    for line in lines:
        if line.strip() == ELIDED:
            break
        shown.append(RANDOM_ID.sub("preflight-<uuid>", line).rstrip())
    while shown and not shown[-1]:
        shown.pop()
    return shown


def elided(lines: list[str]) -> bool:
    return any(line.strip() == ELIDED for line in lines)


def mismatch(command: Command, outcome: Outcome) -> str | None:
    """None when the command printed what the doc shows, else a unified diff (doc → command)."""
    expected = comparable(command.expected)
    actual = now_stamps_as_in_doc(expected, comparable(outcome.actual))
    if elided(command.expected):
        actual = actual[: len(expected)]
    if actual == expected:
        return None
    return "\n".join(difflib.unified_diff(expected, actual, "the doc", "the command", lineterm=""))


def update(paths: list[Path], folder: Path) -> list[str]:
    """Write each example's real output into its doc (for an intended change of output).

    Shortened (`…`) outputs and files a doc gives are left as they are. Returns the
    ids of the examples changed; review them with `git diff` before committing.
    """
    changed: list[str] = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").split("\n")
        session = Session(folder / re.sub(r"\W", "-", path.name))
        replacements: list[tuple[int, int, list[str]]] = []
        for block in parse(path):
            if block.skip is not None:
                continue
            for command in block.commands:
                outcome = session.run(command)
                if elided(command.expected) or mismatch(command, outcome) is None:
                    continue
                end = command.line  # the `$ ` line (1-based); its output starts after it
                while lines[end - 1].endswith("\\"):
                    end += 1
                replacements.append((end, end + len(command.expected), outcome.actual))
                changed.append(command.id)
        for start, stop, new in reversed(replacements):
            lines[start:stop] = [line.rstrip() for line in new]
        path.write_text("\n".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(
        description="Run the docs' command examples and write their real output into the docs."
    )
    parser.add_argument("docs", nargs="*", type=Path, help="default: README.md and docs/*.md")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kassavirta-docs-") as scratch:
        for example in update([p.resolve() for p in options.docs] or DOCS, Path(scratch)):
            print(f"updated {example}")
