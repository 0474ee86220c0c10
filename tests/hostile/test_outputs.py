"""Issue 16, outputs: whatever stands at an `-o` / `--post-file` path, the command neither
replaces what it must not, nor hangs, nor shows a traceback; a failed write leaves the old file.

Every case runs the real command (its `main`, or a subprocess where stdout itself is the
target) against a path built in a temporary folder.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, SAMPLES, TEST_DATA, TODAY_ISO, imported_ledger
from kassavirta.cli import main

INVOICE = SAMPLES / "route" / "finvoice-3.0.xml"
SETTINGS = SAMPLES / "settings.json"
ERP = TEST_DATA / "erp"
OLD = b"the old contents\n"


def _rewrite(*args: str) -> int:
    return main(["rewrite", str(INVOICE), "--settings", str(SETTINGS), "--today", TODAY_ISO, *args])


def _preview(out: Path) -> int:
    return main(
        ["preview", str(INVOICE), "--settings", str(SETTINGS), "--today", TODAY_ISO, "-o", str(out)]
    )


def _payments(tmp_path: Path, post: Path) -> int:
    ledger = imported_ledger(tmp_path, ERP / "assignments.json")
    camt = ERP / "camt053-2026-12-03.xml"
    return main(["payments", str(camt), "--ledger", str(ledger), "--post-file", str(post)])


def _si_change(out: Path) -> int:
    return main(
        [
            "si-change",
            "--settings",
            str(SETTINGS),
            "--from",
            str(ERP / "senderinfo-2.0-nordea.xml"),
            "--today",
            TODAY_ISO,
            "-o",
            str(out),
        ]
    )


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


# --- what stands at the target -----------------------------------------------------------------


def test_a_folder_as_target_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rewrite("-o", str(tmp_path)) == 2
    line = _one_line(capsys.readouterr().err)
    assert line == f"kassavirta rewrite: {tmp_path}: is a folder, not a file: not written"


def test_a_fifo_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "out.xml"
    os.mkfifo(fifo)
    assert _rewrite("-o", str(fifo)) == 2
    assert "is a FIFO (named pipe), not a file: not written" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_socket_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.json"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        assert _payments(tmp_path, path) == 2
    assert (
        f"kassavirta payments: {path}: is a socket, not a file: not written"
        in capsys.readouterr().err
    )
    assert stat.S_ISSOCK(os.stat(path).st_mode)


def char_device(tmp_path: Path, name: str, minor: int) -> Path:
    """A private /dev/null (minor 3) or /dev/full (minor 7) in `tmp_path`.

    Never the system's own as root: the old code replaced the target with a regular
    file, and a test failing that way would break /dev/null for the whole machine.
    Without root the system's node is safe (the folder /dev is not writable).
    """
    if os.geteuid() == 0:
        node = tmp_path / name
        try:
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        except OSError as exc:
            pytest.skip(f"cannot make a device node here: {exc}")
        return node
    system = Path("/dev") / name
    if not system.exists() or os.access("/dev", os.W_OK):
        pytest.skip(f"no safe {system} to write to")
    return system


def test_a_null_device_is_written_through_not_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    null = char_device(tmp_path, "null", 3)
    before = os.stat(null)
    assert _rewrite("-o", str(null)) == 0
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert "Traceback" not in capsys.readouterr().err


def test_a_block_device_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "blk"
    try:
        os.mknod(device, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a block device node here: {exc}")
    assert _rewrite("-o", str(device)) == 2
    assert "is a block device, not a file: not written" in capsys.readouterr().err
    assert stat.S_ISBLK(os.stat(device).st_mode)


def test_preview_refuses_a_folder_named_like_a_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out.pdf"
    folder.mkdir()
    assert _preview(folder) == 2
    assert (
        f"kassavirta preview: {folder}: is a folder, not a file: not written"
        in capsys.readouterr().err
    )


def test_si_change_refuses_a_fifo_where_its_message_goes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _si_change(tmp_path) == 0
    (written,) = [p for p in tmp_path.iterdir() if p.suffix == ".xml"]
    written.unlink()
    os.mkfifo(written)
    assert _si_change(tmp_path) == 2
    assert "is a FIFO (named pipe), not a file" in capsys.readouterr().err


# --- the input itself --------------------------------------------------------------------------


def test_o_onto_the_input_is_refused_without_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = tmp_path / "invoice.xml"
    invoice.write_bytes(INVOICE.read_bytes())
    args = ["rewrite", str(invoice), "--settings", str(SETTINGS), "--today", TODAY_ISO]
    assert main([*args, "-o", str(invoice)]) == 2
    assert (
        f"kassavirta rewrite: {invoice}: is an input file of this run: not overwritten "
        "(--in-place replaces it)" in capsys.readouterr().err
    )
    assert invoice.read_bytes() == INVOICE.read_bytes()
    # through another name (a hard link) it is the same file
    other = tmp_path / "other.xml"
    os.link(invoice, other)
    assert main([*args, "-o", str(other)]) == 2
    assert main([*args, "-o", str(invoice), "--in-place"]) == 0
    assert invoice.read_bytes() != INVOICE.read_bytes()
    assert b"FI5515725137790445" in invoice.read_bytes()


def test_post_file_onto_the_ledger_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = imported_ledger(tmp_path, ERP / "assignments.json")
    before = ledger.read_bytes()
    camt = ERP / "camt053-2026-12-03.xml"
    code = main(["payments", str(camt), "--ledger", str(ledger), "--post-file", str(ledger)])
    assert code == 2
    assert "is an input file of this run: not overwritten" in capsys.readouterr().err
    assert ledger.read_bytes() == before


# --- permissions -------------------------------------------------------------------------------


def test_a_new_file_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        assert _rewrite("-o", str(tmp_path / "new.xml")) == 0
        assert _preview(tmp_path / "new.html") == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.xml").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "new.html").st_mode) == 0o600


def test_a_replaced_file_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "out.xml"
    target.write_bytes(OLD)
    target.chmod(0o640)
    assert _rewrite("-o", str(target)) == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert target.read_bytes() != OLD


def test_a_symlink_target_replaces_the_file_it_names(tmp_path: Path, umask_022: None) -> None:
    real = tmp_path / "real.xml"
    real.write_bytes(OLD)
    link = tmp_path / "link.xml"
    link.symlink_to(real)
    assert _rewrite("-o", str(link)) == 0
    assert link.is_symlink() and real.read_bytes() != OLD


# --- a full disk -------------------------------------------------------------------------------


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_a_full_disk_leaves_the_old_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failing: str,
) -> None:
    target = tmp_path / "out.xml"
    target.write_bytes(OLD)

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if failing == "fsync":
        monkeypatch.setattr(os, "fsync", full)
    else:
        real = os.fdopen

        def full_for_writing(fd: int, mode: str = "r", *args: Any) -> Any:
            return _FullFile(fd) if "w" in mode else real(fd, mode, *args)

        monkeypatch.setattr(os, "fdopen", full_for_writing)
    assert _rewrite("-o", str(target)) == 2
    err = capsys.readouterr().err
    assert f"kassavirta rewrite: {target}: cannot write: No space left on device" in err
    assert "Traceback" not in err
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xml"]  # no temporary left


class _FullFile:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self.fd)

    def write(self, _: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("command", ["rewrite", "post-file"])
def test_a_full_device_as_target_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    full = char_device(tmp_path, "full", 7)
    code = _rewrite("-o", str(full)) if command == "rewrite" else _payments(tmp_path, full)
    assert code == 2
    name = "rewrite" if command == "rewrite" else "payments"
    said = f"kassavirta {name}: {full}: cannot write: No space left on device"
    assert said in capsys.readouterr().err
    assert stat.S_ISCHR(os.stat(full).st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "args",
    [
        ["check", "-O", "json", str(SAMPLES / "route")],
        ["check", str(SAMPLES / "route" / "finvoice-3.0.xml")],
        ["rewrite", str(INVOICE), "--settings", str(SETTINGS), "--today", TODAY_ISO],
    ],
    ids=["check-json", "check-text", "rewrite"],
)
def test_stdout_on_a_full_disk_is_one_line_exit_2(args: list[str]) -> None:
    with open("/dev/full", "wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "kassavirta.cli", *args, "--no-config"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
    assert done.returncode == 2, done.stderr
    said = f"kassavirta {args[0]}: cannot write the output: No space left on device"
    assert said in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_dash_is_stdout_for_rewrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _rewrite("-o", "-", "--diff") == 0
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"<?xml") and b"FI5515725137790445" in captured.out
    assert b"SellerAccountDetails: " in captured.err  # --diff goes to stderr, as without -o
    assert list(tmp_path.iterdir()) == []
