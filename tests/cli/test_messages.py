"""Messages a person can act on: what a non-XML file is, which settings key was meant, the date
form expected, one-line usage errors, help for every command."""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import PINNED_CHECK, SAMPLES, TODAY_ISO, kassavirta_cli
from kassavirta.cli import build_parser
from kassavirta.errors import ReadError
from kassavirta.pipeline.read import read_bytes

ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


BINARIES = {
    "a PDF document": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "a PNG image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
    "a JPEG image": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
    "a GIF image": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "a TIFF image": b"II*\x00\x08\x00\x00\x00\x00\x00",
    "a Word document (.docx)": _zip("[Content_Types].xml", "word/document.xml"),
    "an Excel workbook (.xlsx)": _zip("[Content_Types].xml", "xl/workbook.xml"),
    "a ZIP archive": _zip("invoice.xml"),
}


@pytest.mark.parametrize("kind", sorted(BINARIES))
def test_a_binary_file_is_named_for_what_it_is(kind: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_bytes(BINARIES[kind], path="upload")
    assert caught.value.reason == "not-xml"
    assert caught.value.message.startswith(f"this is {kind}, not an XML invoice")


def test_a_pdf_given_to_check_says_it_is_a_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(BINARIES["a PDF document"])
    done = kassavirta_cli("check", str(pdf), *PINNED_CHECK)
    assert done.returncode == 1
    assert f"{pdf}: error [not-xml] this is a PDF document, not an XML invoice\n" in done.stdout
    assert "NUL" not in done.stdout


def _settings(tmp_path: Path, **changes: object) -> Path:
    data = json.loads((SAMPLES / "settings.json").read_text())
    data.update(changes)
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data))
    return path


def test_a_misspelt_settings_key_is_named_with_the_key_meant(tmp_path: Path) -> None:
    settings = _settings(tmp_path, due_date_rul="banking-4")
    args = ("check", str(ROUTE), "--settings", str(settings), "--today", TODAY_ISO, "--no-config")
    done = kassavirta_cli(*args, "-O", "json")
    assert done.returncode == 0
    assert done.stderr == (
        f"kassavirta check: warning: {settings}: key 'due_date_rul' is not a settings key "
        "(did you mean 'due_date_rule'?); it is ignored\n"
    )
    strict = kassavirta_cli(*args, "--strict-settings")
    assert strict.returncode == 2
    assert strict.stdout == ""
    assert strict.stderr.splitlines() == [
        f"kassavirta check: error (--strict-settings): {settings}: key 'due_date_rul' is not a "
        "settings key (did you mean 'due_date_rule'?); it is ignored"
    ]


def test_a_misspelt_required_key_is_pointed_at(tmp_path: Path) -> None:
    data = json.loads((SAMPLES / "settings.json").read_text())
    data["statu"] = data.pop("status")
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data))
    done = kassavirta_cli("check", str(ROUTE), "--settings", str(path), "--no-config")
    assert done.returncode == 2
    assert done.stderr == (
        f"kassavirta check: {path}: key 'status': missing (required); the file has 'statu': "
        "a misspelling?\n"
    )


def test_a_finnish_date_in_the_settings_gets_its_iso_form(tmp_path: Path) -> None:
    settings = _settings(tmp_path, activated_on="28.11.2026")
    done = kassavirta_cli("check", str(ROUTE), "--settings", str(settings), "--no-config")
    assert done.returncode == 2
    assert done.stderr == (
        f"kassavirta check: {settings}: key 'activated_on': '28.11.2026' is not a date: "
        "expected YYYY-MM-DD, e.g. 2026-11-28\n"
    )


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('todya = "2026-12-01"', "key 'todya': not a kassavirta.toml key (did you mean 'today'?)"),
        (
            'today = "3.12.2026"',
            "key 'today': '3.12.2026' is not a date: expected YYYY-MM-DD, e.g. 2026-12-03",
        ),
    ],
    ids=["misspelt-key", "finnish-date"],
)
def test_a_config_file_mistake_says_what_was_meant(tmp_path: Path, line: str, said: str) -> None:
    config = tmp_path / "kassavirta.toml"
    config.write_text(line + "\n")
    done = kassavirta_cli("check", str(ROUTE), "--config", str(config))
    assert done.returncode == 2
    assert done.stderr == f"kassavirta check: {config}: {said}\n"


def test_a_date_flag_in_another_form_is_one_line_with_the_iso_form() -> None:
    done = kassavirta_cli("check", str(ROUTE), "--today", "3.12.2026")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "kassavirta check: argument --today: '3.12.2026' is not a date: expected YYYY-MM-DD, "
        "e.g. 2026-12-03 (see `kassavirta check --help`)"
    ]


@pytest.mark.parametrize(
    "args",
    [("chek", "samples/"), ("check",), ("check", "samples/", "--jobs", "0"), ("ledger",)],
    ids=["unknown-command", "no-path", "bad-number", "no-action"],
)
def test_a_usage_error_is_one_line_with_a_help_hint(args: tuple[str, ...]) -> None:
    done = kassavirta_cli(*args)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].endswith("--help`)")
    assert "usage:" not in done.stderr


def _parsers(
    parser: argparse.ArgumentParser, name: str
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def test_every_command_and_argument_has_help() -> None:
    missing = []
    for name, parser in _parsers(build_parser(), "kassavirta"):
        if not parser.description:
            missing.append(f"{name}: no description")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):  # its choices have the help
                missing += [f"{name} {c.dest}" for c in action._choices_actions if not c.help]
            elif not action.help:
                missing.append(f"{name}: {action.dest}")
    assert missing == []


def test_serve_config_help_names_no_path_it_does_not_take() -> None:
    done = kassavirta_cli("serve", "--help")
    text = " ".join(done.stdout.split())
    assert "--config FILE a kassavirta.toml (default: kassavirta.toml in the working folder" in text
    assert "first PATH" not in text


def test_a_credit_note_without_reminders_is_not_blamed_on_a_service_level(tmp_path: Path) -> None:
    settings = _settings(tmp_path, service_levels={"vip": ["2589381-0"]})
    credit_note = SAMPLES / "route" / "finvoice-3.0-credit-note.xml"
    done = kassavirta_cli(
        "check", str(credit_note), "--settings", str(settings), "--today", TODAY_ISO, "--no-config"
    )
    line = next(x for x in done.stdout.splitlines() if "if unpaid" in x)
    assert line.strip() == (
        "if unpaid: no reminders from the service (a credit note is not reminded: there is "
        "nothing for the buyer to pay)"
    )


@pytest.mark.parametrize("command", ["rewrite", "preview"])
def test_an_invoice_its_rewriter_cannot_handle_is_named_first(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """`kassavirta COMMAND: FILE: message` like every other error (it said `cannot rewrite
    FILE: ...`, the file in the middle)."""
    import kassavirta.rewrite
    from kassavirta.cli import main

    def no_rewriter(*_: object, **__: object) -> None:
        raise kassavirta.rewrite.RewriteError("rewriting this format is not implemented yet")

    monkeypatch.setattr(kassavirta.rewrite, "rewrite_document", no_rewriter)
    out = ["-o", str(tmp_path / "out.pdf")] if command == "preview" else []
    assert main([command, str(ROUTE), *PINNED_CHECK, *out]) == 1
    assert capsys.readouterr().err == (
        f"kassavirta {command}: {ROUTE}: cannot rewrite: rewriting this format is not "
        "implemented yet\n"
    )
