"""docs/testing.md, run: an ERP team property-tests its own Finvoice writer with kassavirta.testing.

`kassavirta.testing.example.write_finvoice` stands for the ERP's code under
test: it writes a Finvoice 3.0 from the ERP's invoice data (here, the
normalised invoice that hypothesis draws). The ten-line test is the one the
documentation shows (and the documentation's own copy is run as written below).
The rest of the module tests the pytest plugin itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given

from kassavirta.config.settings import Settings
from kassavirta.findings import CheckResult, Decision
from kassavirta.testing import assert_routes, defective_invoices, finvoice_invoices
from kassavirta.testing.example import write_finvoice
from kassavirta.testing.profiles import profile
from kassavirta.testing.strategies.invoices import GeneratedInvoice

# --------------------------------------------------------------------------
# The documented example (docs/testing.md)
# --------------------------------------------------------------------------


@profile()
@given(generated=finvoice_invoices(version="3.0"))
def test_every_invoice_we_write_routes(
    generated: GeneratedInvoice, kassavirta_settings: Settings, kassavirta_today: date
) -> None:
    _, invoice = generated  # an invoice hypothesis drew: valid, realistic, due ahead
    xml = write_finvoice(invoice)  # ...written by our own code
    assert_routes(xml, kassavirta_settings, kassavirta_today)


# --------------------------------------------------------------------------
# The example can fail, with the service's words
# --------------------------------------------------------------------------


@profile(scale=0.4)
@given(generated=finvoice_invoices(version="3.0"))
def test_the_kassavirta_check_fixture_reads_back_what_we_wrote(
    generated: GeneratedInvoice, kassavirta_check: Callable[..., CheckResult]
) -> None:
    _, invoice = generated
    result = kassavirta_check(write_finvoice(invoice))
    assert result.decision is Decision.ROUTE
    assert result.invoice is not None
    assert Decimal(result.invoice.total or "0") == invoice.total
    assert result.invoice.number == invoice.number


def test_a_writer_bug_fails_with_the_service_message(
    kassavirta_settings: Settings, kassavirta_today: date
) -> None:
    from kassavirta.formats.finvoice.write import example_spec, expected

    invoice = expected(example_spec(kassavirta_today))
    with pytest.raises(AssertionError) as failure:
        assert_routes(
            write_finvoice(invoice, round_rows=True), kassavirta_settings, kassavirta_today
        )
    message = str(failure.value)
    assert "error (sum-mismatch)" in message
    assert "SEND ERROR (REASON: RECEIVABLES-SERVICE: The sum of the invoice rows 301.00" in message
    # the writer puts the whole document on line 2: the XPath says where, not "line 2"
    assert "line 2" not in message
    assert "      at /Finvoice/InvoiceDetails/InvoiceTotalVatIncludedAmount\n" in message
    assert len(message.splitlines()) == 5


def test_assert_routes_names_the_line_of_a_document_written_over_lines() -> None:
    from helpers import SAMPLES, TODAY

    xml = (SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml").read_bytes()
    with pytest.raises(AssertionError) as failure:
        assert_routes(xml, SAMPLES / "settings.json", TODAY)
    assert "at line 79, /Finvoice/" in str(failure.value)


# --------------------------------------------------------------------------
# docs/testing.md's own block, run as a reader runs it
# --------------------------------------------------------------------------


def _documented_test() -> str:
    import re

    from helpers import ROOT

    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    block = re.search(r"## Ten lines.*?```python\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/testing.md has the ten-line example"
    return block[1]


def _run_documented(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_our_writer.py").write_text(source, encoding="utf-8")
    return _pytest(tmp_path, "--hypothesis-profile=kassavirta-ci", "-p", "no:randomly")


def test_the_documented_property_test_runs_as_written(tmp_path: Path) -> None:
    source = _documented_test()
    assert "from kassavirta.testing.example import write_finvoice" in source
    run = _run_documented(tmp_path, source)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_the_documented_property_test_fails_short_on_a_writer_bug(tmp_path: Path) -> None:
    buggy = _documented_test().replace(
        "from kassavirta.testing.example import write_finvoice",
        "from functools import partial\n"
        "from kassavirta.testing.example import write_finvoice\n"
        "write_finvoice = partial(write_finvoice, round_rows=True)",
    )
    run = _run_documented(tmp_path, buggy)
    assert run.returncode == 1, run.stdout + run.stderr
    out = run.stdout
    assert "error (sum-mismatch)" in out
    assert "SEND ERROR (REASON: RECEIVABLES-SERVICE: The sum of the invoice rows" in out
    assert "at /Finvoice/InvoiceDetails/InvoiceTotalVatIncludedAmount" in out
    assert "line 2" not in out
    # the drawn invoice is one short line, not the XML and every field of the model
    assert "generated=<Finvoice " in out or "generated = <Finvoice " in out
    assert "Invoice(" not in out and "InvoiceSpec(" not in out


@profile(scale=0.4)
@given(case=defective_invoices(rule="address-incomplete"))
def test_defective_invoices_fail_assert_routes(case: object) -> None:
    from kassavirta.testing.strategies.cases import DefectiveInvoice

    assert isinstance(case, DefectiveInvoice)
    with pytest.raises(AssertionError, match=r"Postal code for.* not found \(code #5\)"):
        assert_routes(case.xml, today=case.today)
    assert_routes(case.valid.xml, today=case.today, strict=True)


def test_strict_assert_routes_fails_on_warnings(kassavirta_today: date) -> None:
    from dataclasses import replace

    from kassavirta.formats.finvoice.write import example_spec, render

    xml = render(replace(example_spec(kassavirta_today), language=None))
    assert_routes(xml, today=kassavirta_today)
    with pytest.raises(AssertionError, match="language-defaulted"):
        assert_routes(xml, today=kassavirta_today, strict=True)


# --------------------------------------------------------------------------
# The plugin: fixtures, ini keys, profiles, start-up, life without hypothesis
# --------------------------------------------------------------------------


def test_the_fixtures(
    kassavirta_settings: Settings,
    kassavirta_today: date,
    kassavirta_check: Callable[..., CheckResult],
) -> None:
    assert kassavirta_settings.active and kassavirta_settings.si_change_sent
    assert kassavirta_settings.activated_on is not None
    assert (kassavirta_today - kassavirta_settings.activated_on).days >= 5
    assert kassavirta_check(b"<Finvoice").decision is Decision.INVALID


def _pytest(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_ini_keys_set_the_date_and_the_settings(tmp_path: Path) -> None:
    import json

    from kassavirta.testing.assertions import default_settings_mapping

    settings = default_settings_mapping(date(2027, 3, 1)) | {"si_change_sent": False}
    (tmp_path / "amili.json").write_text(json.dumps(settings), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nkassavirta_today = 2027-03-01\nkassavirta_settings = amili.json\n",
        encoding="utf-8",
    )
    (tmp_path / "test_erp.py").write_text(
        textwrap.dedent(
            """
            from datetime import date

            def test_fixtures(kassavirta_today, kassavirta_settings):
                assert kassavirta_today == date(2027, 3, 1)
                assert kassavirta_settings.si_change_sent is False
            """
        ),
        encoding="utf-8",
    )
    run = _pytest(tmp_path)  # every installed plugin: ours is found by its pytest11 entry point
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(("chosen", "examples"), [("soak", 2000), ("kassavirta-ci", 25)])
def test_profiles_are_selectable_on_the_command_line(
    tmp_path: Path, chosen: str, examples: int
) -> None:
    (tmp_path / "test_profile.py").write_text(
        textwrap.dedent(
            f"""
            from kassavirta.testing.profiles import current_profile_name, profile

            def test_profile():
                assert current_profile_name() == {chosen!r}
                assert profile().max_examples == {examples}
            """
        ),
        encoding="utf-8",
    )
    # Only the two plugins involved, for speed; the ini test above loads ours by its entry point.
    run = _pytest(
        tmp_path,
        "-p",
        "_hypothesis_pytestplugin",
        "-p",
        "kassavirta.testing.plugin",
        f"--hypothesis-profile={chosen}",
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_plugin_imports_nothing_heavy_at_start_up() -> None:
    code = (
        "import sys, pytest, kassavirta.testing.plugin\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('hypothesis', 'lxml', 'pydantic', 'xmlschema', 'schwifty')]\n"
        "print(heavy)\n"
        "assert not heavy\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_plugin_works_without_hypothesis(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    (blocker / "hypothesis").mkdir(parents=True)
    (blocker / "hypothesis" / "__init__.py").write_text(
        "raise ImportError('hypothesis is not installed (simulated)')\n", encoding="utf-8"
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_erp.py").write_text(
        textwrap.dedent(
            """
            from kassavirta.testing import assert_routes
            from kassavirta.formats.finvoice.write import example_spec, render

            def test_known_invoice_routes(kassavirta_check, kassavirta_today):
                xml = render(example_spec(kassavirta_today))
                assert kassavirta_check(xml).decision.value == "route"
                assert_routes(xml, today=kassavirta_today, strict=True)

            def test_hypothesis_is_really_absent():
                import pytest
                with pytest.raises(ImportError):
                    import hypothesis
            """
        ),
        encoding="utf-8",
    )
    # Other installed plugins (hypothesis's own, schemathesis) need hypothesis: load only ours.
    run = _pytest(
        project,
        "-p",
        "kassavirta.testing.plugin",
        env={
            "PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")]),
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        },
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
