"""The console script end to end: the sample set, the JSON shape, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ROOT, SAMPLES

INVALID = (
    "not-xml",
    "unsafe-xml",
    "unknown-format",
    "unadapted-format",
    "not-an-invoice",
    "schema",
    "unreadable-field",
)
BYPASS = ("unsupported-format", "non-eur", "consumer-transition", "service-inactive")
ERRORS = ("address-incomplete", "due-date-too-soon", "duplicate-number", "sum-mismatch")
KNOWN = {"invalid": INVALID, "bypass": BYPASS, "error": ERRORS, "route": ()}


def promised(path: Path) -> tuple[str, set[str]]:
    """The decision a sample's folder promises and the reason slugs its name carries."""
    decision = path.parent.name
    return decision, {slug for slug in KNOWN[decision] if slug in path.stem}


def _sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*.xml") if p.parent.name in KNOWN)


def test_every_sample_gets_the_decision_its_name_promises(cli) -> None:  # type: ignore[no-untyped-def]
    files = _sample_files()
    if len(files) < 10:
        pytest.skip("the sample set is not written yet")
    done = cli("check", "samples/", "--output", "json")
    assert done.returncode == 1, done.stderr  # the set holds errors and invalid files on purpose
    doc = json.loads(done.stdout)
    by_path = {r["path"]: r for r in doc["results"]}
    assert len(by_path) == len(files)
    for f in files:
        decision, reasons = promised(f)
        result = by_path[str(f.relative_to(ROOT))]
        assert result["decision"] == decision, (f.name, result["reasons"], result["findings"][:2])
        if decision != "route":
            assert set(result["reasons"]) == reasons, (f.name, result["reasons"])
    summary = doc["summary"]
    assert summary["files"] == len(files)
    assert sum(summary[k] for k in ("route", "bypass", "error", "invalid")) == summary["invoices"]
    assert all(summary[k] > 0 for k in ("route", "bypass", "error", "invalid"))


def test_json_shape(cli) -> None:  # type: ignore[no-untyped-def]
    sample = SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml"
    if not sample.is_file():
        pytest.skip("sample not written yet")
    done = cli("check", str(sample), "--output", "json")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert set(doc) == {"summary", "results"}
    assert {"files", "route", "bypass", "error", "invalid"} <= set(doc["summary"])
    [r] = doc["results"]
    assert {"path", "format", "decision", "reasons", "findings", "invoice"} <= set(r)
    [f] = [f for f in r["findings"] if f["rule"] == "due-date-too-soon"]
    assert {"rule", "severity", "service_code", "message", "line", "xpath"} <= set(f)
    assert f["service_code"] == 13 and isinstance(f["line"], int)
    inv = r["invoice"]
    assert {"number", "date", "due_date", "currency", "total", "buyer"} <= set(inv)
    assert inv["due_date"] == "2026-12-03"
    assert "." in inv["total"] and "," not in inv["total"]


def test_exit_zero_when_everything_routes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample = SAMPLES / "route" / "finvoice-3.0.xml"
    if not sample.is_file():
        pytest.skip("sample not written yet")
    done = cli("check", str(sample))
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("ROUTE")
    assert "1 file: 1 route, 0 bypass, 0 error, 0 invalid" in done.stdout
    # Due 2026-12-15 + 10 days is Christmas Day: the reminder moves to Monday 28 December.
    assert "if unpaid: reminder 2026-12-28" in done.stdout


def test_jsonl_streams_results_then_summary(cli) -> None:  # type: ignore[no-untyped-def]
    if not (SAMPLES / "invalid").is_dir():
        pytest.skip("samples not written yet")
    done = cli("check", "samples/invalid", "--output", "jsonl")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert "summary" in lines[-1]
    assert all("decision" in line for line in lines[:-1])
    assert lines[-1]["summary"]["invalid"] == len(lines) - 1
    assert done.returncode == 1


def test_without_settings_everything_is_service_inactive(cli) -> None:  # type: ignore[no-untyped-def]
    sample = SAMPLES / "route" / "finvoice-3.0.xml"
    if not sample.is_file():
        pytest.skip("sample not written yet")
    done = cli("check", str(sample), "--no-config", "--today", "2026-12-01", "--output", "json")
    [r] = json.loads(done.stdout)["results"]
    assert (r["decision"], r["reasons"]) == ("bypass", ["service-inactive"])
    assert done.returncode == 0


def test_broken_files_never_stop_the_batch(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.xml").write_bytes(b"<Finvoice Version='3.0'><oops")
    (tmp_path / "b.xml").write_bytes(b"")
    (tmp_path / "c.xml").mkdir()
    (tmp_path / "d.xml").write_bytes(b"<Recipe/>")
    (tmp_path / "e.xml").symlink_to(tmp_path / "missing.xml")
    done = cli("check", str(tmp_path), "--no-config", "--output", "json")
    doc = json.loads(done.stdout)
    reasons = {Path(r["path"]).name: r["reasons"] for r in doc["results"]}
    assert reasons == {
        "a.xml": ["not-xml"],
        "b.xml": ["not-xml"],
        "c.xml": ["not-xml"],
        "d.xml": ["unknown-format"],
        "e.xml": ["not-xml"],  # a broken link
    }
    assert done.returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "x.xml", "--output", "yaml"],
        ["check", "x.xml", "--today", "1.12.2026"],
        ["check", "x.xml", "--settings", "/nonexistent/settings.json"],
        ["check", "x.xml", "--config", "/nonexistent/kassavirta.toml"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(cli, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    done = cli(*args)
    assert done.returncode == 2
    assert done.stderr


def test_bad_settings_file_is_named(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "s.json"
    bad.write_text('{"status": "ACTIVE", "vfsfi": {"iban": "FI00"}}', encoding="utf-8")
    done = cli("check", str(tmp_path), "--settings", str(bad))
    assert done.returncode == 2
    assert str(bad) in done.stderr and "vfsfi.iban" in done.stderr


def test_help_for_every_command(cli) -> None:  # type: ignore[no-untyped-def]
    from kassavirta.cli import COMMANDS

    top = cli("--help")
    assert top.returncode == 0
    for name in COMMANDS:
        assert name in top.stdout
        sub = cli(name, "--help")
        assert sub.returncode == 0, name
        assert "usage: kassavirta" in sub.stdout


def test_schemas_add_and_list(cli, tmp_path: Path, schema_dir: Path) -> None:  # type: ignore[no-untyped-def]
    env = {"XDG_DATA_HOME": str(tmp_path)}
    assert cli("schemas", "list", env=env).returncode == 1
    added = cli("schemas", "add", str(schema_dir), env=env)
    assert added.returncode == 0, added.stderr
    assert (tmp_path / "kassavirta" / "schemas" / "Finvoice3.0.xsd").is_file()
    listed = cli("schemas", "list", env=env)
    assert listed.returncode == 0 and "finvoice-3.0" in listed.stdout
    bad = SAMPLES / "route" / "finvoice-3.0.xml"
    if bad.is_file():
        done = cli("check", str(bad), "--output", "json", env=env)
        assert json.loads(done.stdout)["results"][0]["schema_check"] == "valid"


def test_xsd_skipped_note_is_said_once(cli) -> None:  # type: ignore[no-untyped-def]
    if not (SAMPLES / "route").is_dir():
        pytest.skip("samples not written yet")
    done = cli("check", "samples/route")
    assert done.stdout.count("XSD validation was skipped") == 1
