"""Exit codes and notes that cannot mislead: a mistake in what was asked is a usage error (2),
never a rejected invoice (1) or a clean run (0), and a run says what it was checked against."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import PINNED_CHECK, SAMPLES, TODAY_ISO, kassavirta_cli

ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
TOO_SOON = SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml"
NO_SETTINGS = ("--today", TODAY_ISO, "--no-config")


def test_paths_that_do_not_exist_are_one_usage_error_line_naming_them_all(
    tmp_path: Path,
) -> None:
    missing, typo = tmp_path / "nope.xml", tmp_path / "invoces"
    done = kassavirta_cli("check", str(missing), str(ROUTE), str(typo), *PINNED_CHECK)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"kassavirta check: no such file or folder: {missing}, {typo}\n"


def test_a_broken_link_is_still_an_invalid_result_saying_where_it_points(tmp_path: Path) -> None:
    link = tmp_path / "gone.xml"
    link.symlink_to(tmp_path / "elsewhere.xml")
    done = kassavirta_cli("check", str(link), *PINNED_CHECK)
    assert done.returncode == 1
    assert "broken symbolic link" in done.stdout


def test_no_invoice_under_the_paths_is_a_usage_error_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("not an invoice\n")
    done = kassavirta_cli("check", str(tmp_path), *PINNED_CHECK)
    assert done.returncode == 2
    assert "0 files" in done.stdout  # the report is still whole
    assert done.stderr.splitlines()[-1] == (
        f"kassavirta check: no invoice file (*.xml) under {tmp_path}; --allow-empty accepts that"
    )
    allowed = kassavirta_cli("check", str(tmp_path), "--allow-empty", *PINNED_CHECK)
    assert allowed.returncode == 0


def test_without_settings_the_summary_counts_what_the_service_would_refuse(tmp_path: Path) -> None:
    done = kassavirta_cli("check", str(TOO_SOON), str(ROUTE), *NO_SETTINGS)
    assert done.returncode == 0  # shown as warnings: the service is not active
    assert "note: 1 invoice would get a SEND ERROR from the service" in done.stdout
    assert "--strict fails the run on them" in done.stdout
    strict = kassavirta_cli("check", str(TOO_SOON), str(ROUTE), *NO_SETTINGS, "--strict")
    assert strict.returncode == 1
    doc = json.loads(kassavirta_cli("check", str(TOO_SOON), *NO_SETTINGS, "-O", "json").stdout)
    assert doc["summary"]["refused_if_active"] == 1
    clean = kassavirta_cli("check", str(ROUTE), *NO_SETTINGS, "--strict")
    assert clean.returncode == 0
    assert "would get a SEND ERROR" not in clean.stdout


def test_with_active_settings_strict_changes_nothing(tmp_path: Path) -> None:
    done = kassavirta_cli("check", str(ROUTE), *PINNED_CHECK, "--strict", "-O", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["summary"]["refused_if_active"] == 0


def test_the_configuration_in_effect_is_said_once_on_stderr(tmp_path: Path) -> None:
    folder = tmp_path / "invoices"
    folder.mkdir()
    shutil.copy(ROUTE, folder / "one.xml")
    shutil.copy(SAMPLES / "settings.json", folder / "settings.json")
    (folder / "kassavirta.toml").write_text('today = "2026-12-01"\nsettings = "settings.json"\n')
    done = kassavirta_cli("check", "invoices", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        "kassavirta check: kassavirta.toml invoices/kassavirta.toml; today 2026-12-01; "
        "settings invoices/settings.json; no assignments; no ledger; no schemas\n"
    )
    bare = kassavirta_cli("check", "invoices", "--no-config", "--today", "2026-12-02", cwd=tmp_path)
    assert bare.stderr == (
        "kassavirta check: no kassavirta.toml; today 2026-12-02; no settings (SEND ERRORs are shown "
        "as warnings); no assignments; no ledger; no schemas\n"
    )


def test_the_json_summary_carries_the_configuration(tmp_path: Path) -> None:
    done = kassavirta_cli("check", str(ROUTE), *PINNED_CHECK, "-O", "json")
    config = json.loads(done.stdout)["summary"]["config"]
    assert config == {
        "file": None,
        "today": TODAY_ISO,
        "settings": "samples/settings.json",
        "assignments": [],
        "ledger": None,
        "schemas": [],
    }
    assert done.stderr == ""  # the line on stderr is for text output only
    lines = kassavirta_cli("check", str(ROUTE), *PINNED_CHECK, "-O", "jsonl").stdout.splitlines()
    assert json.loads(lines[-1])["summary"]["config"]["today"] == TODAY_ISO


def test_an_unknown_assignment_is_a_usage_error_in_every_command(tmp_path: Path) -> None:
    ledger = tmp_path / "l.db"
    imported = kassavirta_cli(
        "ledger", "import", str(SAMPLES / "assignments.json"), "--ledger", str(ledger)
    )
    assert imported.returncode == 0, imported.stderr
    unknown = "00000000-0000-0000-0000-000000000000"
    event = tmp_path / "cancel.json"
    event.write_text('{"type": "cancel"}')
    status = kassavirta_cli("ledger", "status", unknown, "--ledger", str(ledger))
    validate = kassavirta_cli("event", "validate", unknown, str(event), "--ledger", str(ledger))
    assert (status.returncode, validate.returncode) == (2, 2)
    for command, done in (("ledger status", status), ("event validate", validate)):
        said = f"kassavirta {command}: ledger {ledger}: no assignment '{unknown}'\n"
        assert done.stderr == said


def test_a_missing_invoice_file_is_a_usage_error_in_every_command(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.xml")
    for args in (
        ("schedule", missing),
        ("rewrite", missing),
        ("preview", missing, "-o", str(tmp_path / "out.pdf")),
    ):
        done = kassavirta_cli(*args)
        assert done.returncode == 2, args
        assert done.stderr.splitlines() == [
            f"kassavirta {args[0]}: argument INVOICE: no such file or folder: {missing} "
            f"(see `kassavirta {args[0]} --help`)"
        ]
