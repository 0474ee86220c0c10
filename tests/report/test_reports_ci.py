"""`--output junit` and `--output sarif`: valid documents that CI systems and code scanning read.

JUnit is validated against the Jenkins xUnit plugin's `junit-10.xsd`, SARIF
against the OASIS SARIF 2.1.0 JSON schema (both in tests/data/ci, see its
README). The runs cover the whole sample set (every decision and format) plus
broken files, so every kind of finding passes through both writers.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from lxml import etree

from helpers import SAMPLES, TEST_DATA
from kassavirta.findings import CheckResult, Decision, Finding, Severity
from kassavirta.report import Summary
from kassavirta.report.junit import JUnitSink
from kassavirta.report.sarif import SarifSink

CI = TEST_DATA / "ci"


def _written(
    sink_type: type[JUnitSink] | type[SarifSink], summary: Summary, *results: CheckResult
) -> str:
    """What a sink writes for `results` and the run's `summary`."""
    out = io.StringIO()
    sink = sink_type(out)
    for result in results:
        sink.add(result)
    sink.finish(summary)
    return out.getvalue()


@pytest.fixture(scope="module")
def junit_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CI / "junit-10.xsd")))


@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((CI / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample set plus broken files and a file with two invoices, checked from its folder."""
    if not (SAMPLES / "kassavirta.toml").is_file():
        pytest.skip("the sample set is not there yet")
    root = tmp_path_factory.mktemp("ci")
    shutil.copytree(SAMPLES, root / "samples")
    broken = root / "samples" / "broken"
    broken.mkdir()
    (broken / "empty.xml").write_bytes(b"")
    (broken / "notes & <stuff>.xml").write_text("not xml\x0b at all\n")
    (broken / "folder.xml").mkdir()
    framed = sorted((SAMPLES / "route").glob("*soap*.xml"))
    if framed:
        data = framed[0].read_bytes()
        (root / "samples" / "route" / "two-framed.xml").write_bytes(data + b"\n" + data)
    return root


def check_output(cli: Any, workspace: Path, output: str, jobs: str = "2") -> tuple[int, str]:
    done = cli("check", "samples", "--output", output, "--jobs", jobs, cwd=workspace)
    assert done.returncode == 1, done.stderr  # the set holds error and invalid invoices
    return done.returncode, done.stdout


@pytest.fixture
def results(cli: Any, workspace: Path) -> list[dict[str, Any]]:
    _, out = check_output(cli, workspace, "json")
    found: list[dict[str, Any]] = json.loads(out)["results"]
    return found


# --- JUnit -------------------------------------------------------------------------------------


def test_junit_is_valid_against_the_xsd(
    cli: Any, workspace: Path, junit_schema: etree.XMLSchema
) -> None:
    _, out = check_output(cli, workspace, "junit")
    document = etree.fromstring(out.encode())
    assert junit_schema.validate(document), junit_schema.error_log


def test_junit_has_one_test_case_per_invoice_and_fails_error_and_invalid(
    cli: Any, workspace: Path, results: list[dict[str, Any]]
) -> None:
    _, out = check_output(cli, workspace, "junit")
    suites = etree.fromstring(out.encode())
    cases = suites.findall("testsuite/testcase")
    assert len(cases) == len(results)
    failing = [r for r in results if r["decision"] in ("error", "invalid")]
    assert suites.get("tests") == str(len(results))
    assert suites.get("failures") == str(len(failing))
    assert suites.find("testsuite").get("failures") == str(len(failing))
    for case, result in zip(cases, results, strict=True):
        label = result["path"] + (f"#{result['document']}" if result["document"] else "")
        assert case.get("name") == label
        assert case.get("classname") == (result["format"] or "unknown")
        failure = case.find("failure")
        if result["decision"] in ("error", "invalid"):
            assert failure is not None
            assert failure.get("type") == result["decision"]
            assert failure.get("message") == f"{result['decision']}: {', '.join(result['reasons'])}"
            for finding in result["findings"]:
                assert finding["message"] in failure.text
        else:
            assert failure is None
            if result["findings"]:
                assert result["findings"][0]["message"] in case.findtext("system-out")


def test_junit_names_each_invoice_of_a_multi_invoice_file(cli: Any, workspace: Path) -> None:
    if not (workspace / "samples" / "route" / "two-framed.xml").exists():
        pytest.skip("no framed sample to double")
    _, out = check_output(cli, workspace, "junit")
    names = {c.get("name") for c in etree.fromstring(out.encode()).iter("testcase")}
    assert {"samples/route/two-framed.xml#1", "samples/route/two-framed.xml#2"} <= names


def test_junit_escapes_and_drops_characters_xml_cannot_carry(
    junit_schema: etree.XMLSchema,
) -> None:
    written = _written(
        JUnitSink,
        Summary(files=2, invoices=2, route=1, invalid=1),
        CheckResult(
            path='a "b" & <c>.xml',
            decision=Decision.INVALID,
            reasons=["not-xml"],
            findings=[
                Finding(rule="not-xml", severity=Severity.ERROR, message="bad \x0b byte ]]> here")
            ],
        ),
        CheckResult(path="ok.xml", format="finvoice-3.0", decision=Decision.ROUTE),
    )
    document = etree.fromstring(written.encode())
    assert junit_schema.validate(document), junit_schema.error_log
    case = document.find("testsuite/testcase")
    assert case.get("name") == 'a "b" & <c>.xml'
    assert "bad \ufffd byte ]]> here" in case.findtext("failure")
    assert document.find("testsuite/testcase[2]").find("failure") is None


def test_junit_same_for_one_process_and_a_pool(cli: Any, workspace: Path) -> None:
    def cases(jobs: str) -> list[bytes]:
        _, out = check_output(cli, workspace, "junit", jobs)
        return [etree.tostring(c) for c in etree.fromstring(out.encode()).iter("testcase")]

    assert cases("1") == cases("2")


# --- SARIF -------------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_schema(cli: Any, workspace: Path, sarif_validator: Any) -> None:
    _, out = check_output(cli, workspace, "sarif")
    log = json.loads(out)
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"


def test_sarif_has_one_result_per_finding_with_file_line_and_rule(
    cli: Any, workspace: Path, results: list[dict[str, Any]]
) -> None:
    _, out = check_output(cli, workspace, "sarif")
    run = json.loads(out)["runs"][0]
    findings = [(r, f) for r in results for f in r["findings"]]
    assert len(run["results"]) == len(findings)
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))  # each rule described once
    assert set(ids) == {f["rule"] for _, f in findings}
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    for sarif, (result, finding) in zip(run["results"], findings, strict=True):
        assert sarif["ruleId"] == finding["rule"]
        assert rules[sarif["ruleIndex"]]["id"] == finding["rule"]
        physical = sarif["locations"][0]["physicalLocation"]
        location = physical["artifactLocation"]
        assert location["uriBaseId"] == "SRCROOT"
        assert unquote(location["uri"]) == result["path"]
        assert (workspace / unquote(location["uri"])).exists() or result["decision"] == "invalid"
        if finding["line"]:
            assert physical["region"]["startLine"] == finding["line"]
        else:
            assert "region" not in physical
        level = {"error": "error", "warning": "warning", "info": "note"}[finding["severity"]]
        assert sarif["level"] == level
        assert sarif["message"]["text"].startswith(finding["message"])


def test_sarif_describes_rules_from_the_rule_table() -> None:
    from kassavirta.report.sarif import rule_descriptor
    from kassavirta.rules import RULES

    duplicate = rule_descriptor("duplicate-number")
    assert duplicate["shortDescription"]["text"] == next(
        r.summary for r in RULES if r.slug == "duplicate-number"
    )
    assert duplicate["properties"]["serviceCode"] == 6
    assert duplicate["defaultConfiguration"]["level"] == "error"
    language = rule_descriptor("language-defaulted")
    assert language["name"] == "language" and language["defaultConfiguration"]["level"] == "warning"
    schema = rule_descriptor("schema")
    assert schema["defaultConfiguration"]["level"] == "error"
    assert rule_descriptor("non-eur")["defaultConfiguration"]["level"] == "note"


def test_sarif_of_a_clean_run_is_valid_and_empty(sarif_validator: Any) -> None:
    log = json.loads(
        _written(
            SarifSink,
            Summary(files=1, invoices=1, route=1),
            CheckResult(path="/abs/ok.xml", decision=Decision.ROUTE),
        )
    )
    assert not list(sarif_validator.iter_errors(log))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_uses_file_uris_for_absolute_paths(sarif_validator: Any) -> None:
    finding = Finding(
        rule="sum-mismatch",
        severity=Severity.ERROR,
        message="m",
        line=12,
        column=3,
        xpath="/Finvoice/InvoiceDetails",
    )
    checked = CheckResult(
        path="/srv/in voices/a.xml",
        decision=Decision.ERROR,
        reasons=["sum-mismatch"],
        findings=[finding],
    )
    log = json.loads(
        _written(SarifSink, Summary(files=1, invoices=1, error=1, notes=["a note"]), checked)
    )
    assert not list(sarif_validator.iter_errors(log))
    result = log["runs"][0]["results"][0]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///srv/in%20voices/a.xml"
    }
    assert location["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 3}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/Finvoice/InvoiceDetails"
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "a note"
