"""Issue 16: text taken from input files reaches a terminal as escapes, never as control
sequences (an API debtor name holding ESC [2J cleared the screen of `ledger list`), and a
crash in our own code is one line naming the file, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLES, TODAY_ISO
from kassavirta.cli import main

ESCAPE = "\x1b[2J\x1b]52;c;ZXZpbA==\x07"
"""Clear the screen, then write the clipboard (OSC 52)."""
SHOWN = "\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07"


@pytest.fixture
def hostile_ledger(tmp_path: Path) -> Path:
    assignments: list[dict[str, Any]] = json.loads(
        (SAMPLES / "assignments.json").read_text(encoding="utf-8")
    )
    first = assignments[0]
    first["debtor"]["name"] = f"Oy{ESCAPE} Ab\u202eevil"
    first["number"] = "2026-5001\x9b31m"
    first["events"] = [
        *first.get("events", []),
        {
            "id": "e-hostile",
            "type": "comment",
            "created_at": "2026-12-01T10:00:00Z",
            "data": {"message": f"call me{ESCAPE}", "author": "service"},
        },
    ]
    source = tmp_path / "assignments.json"
    source.write_text(json.dumps(assignments), encoding="utf-8")
    ledger = tmp_path / "ledger.sqlite3"
    assert main(["ledger", "import", str(source), "--ledger", str(ledger)]) == 0
    return ledger


def _no_controls(text: str) -> None:
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in text), text
    assert "\u202e" not in text


def test_ledger_list_shows_escapes(
    hostile_ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["ledger", "list", "--ledger", str(hostile_ledger)]) == 0
    out = capsys.readouterr().out
    _no_controls(out)
    assert f"Oy{SHOWN} Ab\\u202eevil" in out
    assert "2026-5001\\x9b31m" in out


def test_ledger_status_and_comments_show_escapes(
    hostile_ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    first = json.loads((SAMPLES / "assignments.json").read_text(encoding="utf-8"))[0]
    assert main(["ledger", "status", first["id"], "--ledger", str(hostile_ledger)]) == 0
    status = capsys.readouterr().out
    _no_controls(status)
    assert f"debtor             Oy{SHOWN} Ab\\u202eevil" in status
    main(["ledger", "comments", "--ledger", str(hostile_ledger)])
    comments = capsys.readouterr().out
    _no_controls(comments)
    assert "call me\\x1b[2J" in comments


def test_check_text_shows_escapes_from_the_invoice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """XML cannot hold ESC, but it can hold the 8-bit CSI (U+009B) and direction overrides."""
    source = (SAMPLES / "route" / "finvoice-3.0.xml").read_text(encoding="utf-8")
    invoice = tmp_path / "invoice.xml"
    invoice.write_text(
        source.replace("<InvoiceNumber>2026-4101<", "<InvoiceNumber>2026&#x9b;2J&#x202e;41<"),
        encoding="utf-8",
    )
    args = ["check", "--no-config", "--settings", str(SAMPLES / "settings.json")]
    main([*args, "--today", TODAY_ISO, str(invoice)])
    out = capsys.readouterr().out
    _no_controls(out)
    assert "invoice 2026\\x9b2J\\u202e41" in out


# --- a crash in our code -----------------------------------------------------------------------


def test_a_crash_in_rewrite_is_one_line_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("a bug\nover two lines")

    monkeypatch.setattr("kassavirta.rewrite.rewrite_document", broken)
    monkeypatch.delenv("KASSAVIRTA_TRACEBACK", raising=False)
    invoice = SAMPLES / "route" / "finvoice-3.0.xml"
    args = ["rewrite", str(invoice), "--settings", str(SAMPLES / "settings.json")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == (
        f"kassavirta rewrite: {invoice}: internal-error: ZeroDivisionError: a bug over two lines "
        "(a bug in kassavirta; KASSAVIRTA_TRACEBACK=1 shows where)\n"
    )
    monkeypatch.setenv("KASSAVIRTA_TRACEBACK", "1")
    with pytest.raises(ZeroDivisionError):
        main(args)


def test_a_crash_in_ledger_import_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise KeyError("id")

    monkeypatch.setattr("kassavirta.erp.assignments.parse_assignments", broken)
    monkeypatch.delenv("KASSAVIRTA_TRACEBACK", raising=False)
    source = SAMPLES / "assignments.json"
    ledger = tmp_path / "l.sqlite3"
    assert main(["ledger", "import", str(source), "--ledger", str(ledger)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"kassavirta ledger import: {source}: internal-error: KeyError: 'id'")
