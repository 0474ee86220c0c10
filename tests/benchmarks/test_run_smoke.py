"""The inputs `benchmarks/run.py` measures are what the CLI accepts, and its probes report.

Each series' generator at a tiny size, fed to the real command line as the
benchmark feeds it: the row invoice routes and rewrites, every invoice of the
multi-document file routes (and each tiny document of the other one is read
on its own), the generated ledger imports and the camt file's
credits sort as built (half paid by reference, half unmatched), and the
probe, the floor and the parallel control each return a measurement. No
figure is compared with a time: performance targets live in the benchmark.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from helpers import SAMPLES, benchmark_module, kassavirta_cli


@pytest.fixture(scope="module")
def run() -> ModuleType:
    return benchmark_module("run")


def decisions(stdout: str) -> list[str]:
    """The decisions of a `--output jsonl` run (its last line is the summary)."""
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert "summary" in lines[-1]
    return [line["decision"] for line in lines[:-1]]


def test_row_invoice_routes_and_rewrites(run: ModuleType, tmp_path: Path) -> None:
    invoice = tmp_path / "rows.xml"
    invoice.write_bytes(run.generate.row_invoice(3))
    assert invoice.read_bytes().count(b"<InvoiceRow>") == 3

    checked = kassavirta_cli(*run.check_args(invoice, None))
    assert checked.returncode == 0, checked.stderr
    assert decisions(checked.stdout) == ["route"]

    out = tmp_path / "rewritten.xml"
    rewritten = kassavirta_cli(*run.rewrite_args(invoice, out))
    assert rewritten.returncode == 0, rewritten.stderr
    assert out.read_bytes() != invoice.read_bytes()


def test_multi_document_file_routes_every_invoice(run: ModuleType, tmp_path: Path) -> None:
    data = run.generate.multi_document(15_000)
    assert len(data) >= 15_000
    invoices = data.count(b"<Finvoice ")
    assert invoices >= 2
    path = tmp_path / "multi.xml"
    path.write_bytes(data)

    checked = kassavirta_cli(*run.check_args(path, None))
    assert checked.returncode == 0, checked.stderr
    assert decisions(checked.stdout) == ["route"] * invoices


def test_small_documents_are_read_one_by_one(run: ModuleType, tmp_path: Path) -> None:
    data = run.generate.small_documents(1_000)
    documents = data.count(b"<Finvoice ")
    assert documents >= 5
    path = tmp_path / "roots.xml"
    path.write_bytes(data)

    checked = kassavirta_cli(*run.check_args(path, None))
    assert checked.returncode == 1, checked.stderr  # none is a readable invoice
    assert decisions(checked.stdout) == ["invalid"] * documents


def test_ledger_and_camt_sort_as_built(run: ModuleType, tmp_path: Path) -> None:
    database, camt = run.ledger(tmp_path, 5, 6, 120)
    listed = kassavirta_cli("ledger", "list", "--ledger", str(database))
    assert listed.returncode == 0, listed.stderr
    assert "2026-5" in listed.stdout

    paid = kassavirta_cli("payments", str(camt), "--ledger", str(database), "--output", "json")
    assert paid.returncode == 1, paid.stderr  # the unmatched credits need a person
    summary = json.loads(paid.stdout)["summary"]
    assert (summary["direct-payment"], summary["unmatched"]) == (3, 3)
    paid_to = [e.get("assignment_id") for e in json.loads(paid.stdout)["entries"]]
    assert [a for a in paid_to if a] == [f"00000000-0000-5000-8000-{n:012d}" for n in (1, 2, 3)]


def test_probes_report_a_measurement(run: ModuleType, tmp_path: Path) -> None:
    files = []
    for n in (2, 4):
        path = tmp_path / f"rows-{n}.xml"
        path.write_bytes(run.generate.row_invoice(n))
        files.append(path)
    sizes = run.Sizes(repeat=2, timeout=120)
    found = run.probe_cli(run.check_args(files[0], None), run.check_args(files[1], None), sizes)
    assert found["code"] == 0
    assert found["runs"] in (1, 2)
    assert found["seconds"] > 0 and found["peak_mib"] > 0

    assert run.probe_floor(files, None, tmp_path, 1, 120) > 0
    assert run.probe.parallel_control(files, None, tmp_path, 120) > 0


def test_probe_reports_a_failing_command(run: ModuleType, tmp_path: Path) -> None:
    sizes = run.Sizes(repeat=1, timeout=120)
    with pytest.raises(run.probe.Failed, match="exited 2"):
        run.probe_cli([], ["check", str(tmp_path / "missing.xml"), "--bogus-flag"], sizes)


def test_http_series_answers_on_loopback(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    http_check = benchmark_module("http_check")
    data = (SAMPLES / "route" / "finvoice-3.0.xml").read_bytes()
    with http_check.server(http_check.settings_file(tmp_path), 1) as port:
        found = http_check.load(port, data, 2, 30, 4)
    assert (found.requests, found.failures) == (4, 0)


@pytest.mark.parametrize("name", ["cii.xml", "teappsxml.xml", "liinos.xml", "finvoice-3.0.xml"])
def test_a_grown_invoice_is_read_whole_as_its_format(
    run: ModuleType, tmp_path: Path, name: str
) -> None:
    """The `limit` series: a sample with its last row repeated reads as the same format, with
    every row counted (the totals stay the sample's, so the rows no longer add up)."""
    sample = SAMPLES / "route" / name
    data, rows = run.generate.grown(sample, run.generate.LIMIT_ROWS[name], 40_000)
    assert 40_000 * 0.8 <= len(data) <= 40_000 * 1.2
    path = tmp_path / name
    path.write_bytes(data)
    original = json.loads(kassavirta_cli(*run.check_args(sample, None)).stdout.splitlines()[0])
    checked = kassavirta_cli(*run.check_args(path, None))
    result = json.loads(checked.stdout.splitlines()[0])
    assert original["decision"] == "route"
    assert (result["format"], result["decision"]) == (original["format"], "error")
    assert result["reasons"] == ["sum-mismatch"]
    assert rows > 10


def test_a_server_that_does_not_start_is_an_error_row_not_the_end_of_the_run(
    run: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pip install .` has no server extra: the http section says so, and the run finishes."""

    def missing(*args: object, **kwargs: object) -> None:
        raise run.http_check.ServerFailed("kassavirta serve exited (2): the server extra")

    monkeypatch.setattr(run.http_check, "server", missing)
    assert run.main(["--only", "http", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "ERROR: kassavirta serve exited (2): the server extra" in out
