"""Issue 16, input files other than invoices: settings (JSON and TOML), assignments,
kassavirta.toml, an event, a ledger import, a seller file. Whatever is given, the command
answers with one line naming the file and exit 2: no hang, no endless read, no traceback.

The hostile files are built in a temporary folder. The FIFO and /dev/zero cases run in a
subprocess with a time limit and an address-space limit, so the old behaviour (blocking,
reading until memory runs out) ends as a failure instead of taking the machine with it.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import SAMPLES, TEST_DATA, TODAY_ISO, python_m
from kassavirta.cli import main
from kassavirta.datafile import MAX_DEPTH, SMALL_FILE_BYTES

INVOICE = str(SAMPLES / "route" / "finvoice-3.0.xml")
SETTINGS = str(SAMPLES / "settings.json")
ASSIGNMENT_ID = "69217e15-d7a7-5e68-9653-bbd0ef98e132"

Argv = Callable[[Path, Path], list[str]]
"""The command line reading `path` as the input under test; the second path is a scratch folder."""

COMMANDS: dict[str, tuple[str, Argv]] = {
    "settings": (".json", lambda p, _: ["check", "--no-config", "--settings", str(p), INVOICE]),
    "settings-toml": (
        ".toml",
        lambda p, _: ["check", "--no-config", "--settings", str(p), INVOICE],
    ),
    "assignments": (
        ".json",
        lambda p, _: (
            ["check", "--no-config", "--settings", SETTINGS, "--assignments", str(p), INVOICE]
        ),
    ),
    "config": (".toml", lambda p, _: ["check", "--config", str(p), INVOICE]),
    "event": (
        ".json",
        lambda p, _: [
            "event",
            "validate",
            ASSIGNMENT_ID,
            str(p),
            "--assignments",
            str(TEST_DATA / "erp" / "assignments.json"),
            "--today",
            TODAY_ISO,
        ],
    ),
    "ledger-import": (
        ".json",
        lambda p, tmp: ["ledger", "import", str(p), "--ledger", str(tmp / "ledger.sqlite3")],
    ),
    "seller": (
        ".json",
        lambda p, tmp: [
            *("si-change", "--settings", SETTINGS, "--bank", "NDEAFIHH"),
            *("--seller", str(p), "-o", str(tmp)),
        ],
    ),
}
JSON_COMMANDS = [name for name, (suffix, _) in COMMANDS.items() if suffix == ".json"]


def _argv(name: str, path: Path, tmp_path: Path) -> list[str]:
    return COMMANDS[name][1](path, tmp_path)


def _input(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / f"input{COMMANDS[name][0]}"
    path.write_bytes(content)
    return path


def _one_line_exit_2(code: int, err: str, path: Path, words: str) -> None:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert code == 2, err
    assert str(path) in lines[0] and words in lines[0], lines[0]


def _limited() -> None:
    """In the child: at most 1 GiB of address space, so an endless read fails fast."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _run_guarded(argv: list[str]) -> tuple[int, str]:
    """The command in a child limited in time and memory: its exit status and stderr."""
    done = python_m(*argv, timeout=60, preexec_fn=_limited)
    return done.returncode, done.stderr.decode()


# --- not a regular file ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_fifo_is_refused_at_once(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / f"input{COMMANDS[name][0]}"
    os.mkfifo(fifo)
    code, err = _run_guarded(_argv(name, fifo, tmp_path))
    _one_line_exit_2(code, err, fifo, "is a FIFO (named pipe), not a file")


@pytest.mark.parametrize("name", ["settings", "assignments", "config", "ledger-import"])
def test_dev_zero_is_not_read_forever(tmp_path: Path, name: str) -> None:
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero here")
    code, err = _run_guarded(_argv(name, zero, tmp_path))
    _one_line_exit_2(code, err, zero, "is a character device, not a file: not read")


def test_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "settings.json"
    folder.mkdir()
    code = main(_argv("settings", folder, tmp_path))
    _one_line_exit_2(code, capsys.readouterr().err, folder, "is a folder, not a file")


# --- size --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["settings", "config", "event", "seller"])
def test_an_oversized_small_file_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = _input(tmp_path, name, b"")
    os.truncate(path, SMALL_FILE_BYTES + 1)  # sparse: nothing is written to disk
    code = main(_argv(name, path, tmp_path))
    _one_line_exit_2(
        code,
        capsys.readouterr().err,
        path,
        f"the file is {SMALL_FILE_BYTES + 1} bytes, over the {SMALL_FILE_BYTES}-byte limit",
    )


# --- nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 3_000, 100_000])
@pytest.mark.parametrize("name", JSON_COMMANDS)
def test_deep_json_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, depth: int
) -> None:
    path = _input(tmp_path, name, b'{"a": ' + b"[" * depth + b"]" * depth + b"}")
    code = main(_argv(name, path, tmp_path))
    _one_line_exit_2(
        code, capsys.readouterr().err, path, f"nested more than {MAX_DEPTH} levels deep"
    )


def test_brackets_inside_strings_do_not_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only structure nests: a string full of brackets (escaped quotes too) is a string."""
    text = '"' + "[{" * 5_000 + '\\"' + '"'
    path = _input(tmp_path, "seller", f'{{"name": {text}, "more": [[[]]]}}'.encode())
    code = main(_argv("seller", path, tmp_path))
    err = capsys.readouterr().err
    assert "nested" not in err and "Traceback" not in err
    assert code == 2  # refused for its content (no business id ...), not its depth


@pytest.mark.parametrize("name", ["settings-toml", "config"])
def test_deep_toml_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = _input(tmp_path, name, b"a = " + b"[" * 5_000 + b"]" * 5_000 + b"\n")
    code = main(_argv(name, path, tmp_path))
    _one_line_exit_2(
        code, capsys.readouterr().err, path, f"nested more than {MAX_DEPTH} levels deep"
    )


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", JSON_COMMANDS)
def test_a_lone_surrogate_is_refused_with_its_position(tmp_path: Path, name: str) -> None:
    """In a subprocess: the old code failed only when the string reached a real stream."""
    path = _input(tmp_path, name, b'{\n  "type": "x\\ud800y"}')
    code, err = _run_guarded(_argv(name, path, tmp_path))
    _one_line_exit_2(
        code,
        err,
        path,
        "a lone UTF-16 surrogate \\ud800 at line 2, column 13 is not a character",
    )


def test_a_surrogate_pair_is_a_character(tmp_path: Path) -> None:
    from kassavirta.datafile import load_json

    path = tmp_path / "pair.json"
    path.write_bytes(b'{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}')
    assert load_json(path) == {"a": "\U0001f600", "b": "\\ud800"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_invalid_utf8_is_refused_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = _input(tmp_path, name, b'# x\n\n a = "\xe4"\n')
    code = main(_argv(name, path, tmp_path))
    _one_line_exit_2(
        code, capsys.readouterr().err, path, "not UTF-8 at line 3, column 7: byte 0xe4"
    )


def test_a_fifo_as_the_server_token_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "token"
    os.mkfifo(fifo)
    code, err = _run_guarded(["serve", "--token-file", str(fifo), "--port", "0"])
    _one_line_exit_2(code, err, fifo, "is a FIFO (named pipe), not a file")
