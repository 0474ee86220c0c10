"""Issue 15's bypass decisions: Amili Perintä settings, and the case of the currency code.

`service_type: "express"` in the settings is Amili Perintä, the manual product:
nothing is routed or rewritten (SPEC §2 `perinta-service`, between `non-eur` and
`consumer-transition`). A lowercase `eur`, schema-valid in Finvoice (its
`AmountCurrencyIdentifier` is any three-character NMTOKEN), is EUR with a warning,
never `non-eur`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import REFERENCE, SAMPLES, TODAY
from kassavirta import check_bytes, check_file
from kassavirta.config.settings import Settings, load_settings

ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
SETTINGS = SAMPLES / "settings.json"
XSD = REFERENCE / "schemas" / "Finvoice3.0.xsd"


@pytest.fixture
def settings() -> Settings:
    return load_settings(SETTINGS)


@pytest.fixture
def express(settings: Settings) -> Settings:
    return settings.model_copy(update={"service_type": "express"})


def express_file(tmp_path: Path) -> Path:
    """samples/settings.json as the GET response of a company that activated Amili Perintä."""
    data = json.loads(SETTINGS.read_text(encoding="utf-8"))
    data["service_type"] = "express"
    path = tmp_path / "perinta.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- perinta-service ---------------------------------------------------------------------------


def test_express_is_perinta_and_bypasses(settings: Settings, express: Settings) -> None:
    assert check_file(ROUTE, settings, TODAY).decision.value == "route"
    result = check_file(ROUTE, express, TODAY)
    assert (result.decision.value, result.reasons) == ("bypass", ["perinta-service"])
    [f] = result.findings
    assert (f.rule, f.severity.value, f.value) == ("perinta-service", "info", "express")
    assert "Amili Perintä" in f.message
    assert "Nothing is routed or rewritten" in f.message
    assert result.schedule is None


def test_perinta_settings_without_a_service_account(express: Settings) -> None:
    bare = express.model_copy(update={"vfsfi": None})
    assert check_file(ROUTE, bare, TODAY).reasons == ["perinta-service"]


def test_perinta_bypasses_before_the_content_rules(express: Settings) -> None:
    late = SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml"
    result = check_file(late, express, TODAY)
    assert (result.decision.value, result.reasons) == ("bypass", ["perinta-service"])
    assert [f.rule for f in result.findings] == ["perinta-service"]


def test_perinta_comes_after_non_eur_and_before_the_transition_and_inactive(
    express: Settings,
) -> None:
    non_eur = check_file(SAMPLES / "bypass" / "finvoice-3.0-non-eur.xml", express, TODAY)
    assert non_eur.reasons == ["non-eur"]
    consumer = SAMPLES / "bypass" / "finvoice-3.0-consumer-transition.xml"
    assert check_file(consumer, express, TODAY).reasons == ["perinta-service"]
    pending = express.model_copy(update={"status": "PENDING"})
    assert check_file(ROUTE, pending, TODAY).reasons == ["perinta-service"]


def test_rewrite_refuses_with_the_perinta_reason(cli: Any, tmp_path: Path) -> None:
    perinta = express_file(tmp_path)
    out = tmp_path / "out.xml"
    done = cli(
        "rewrite", str(ROUTE), "--settings", str(perinta), "--today", "2026-12-01",
        "--no-config", "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "not rewritten: the decision is bypass (perinta-service)" in done.stderr
    assert "Amili Perintä" in done.stderr
    assert not out.exists()
    as_json = cli(
        "rewrite", str(ROUTE), "--settings", str(perinta), "--today", "2026-12-01",
        "--no-config", "--output", "json",
    )  # fmt: skip
    assert as_json.returncode == 1
    doc = json.loads(as_json.stdout)
    assert (doc["decision"], doc["reasons"], doc["rewritten"]) == (
        "bypass",
        ["perinta-service"],
        False,
    )
    assert doc["findings"][0]["rule"] == "perinta-service"


def test_preview_refuses_with_the_perinta_reason(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    done = cli(
        "preview", str(ROUTE), "--settings", str(express_file(tmp_path)),
        "--today", "2026-12-01", "--no-config", "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "bypass (perinta-service)" in done.stderr
    assert not out.exists()


# --- the currency code's case ------------------------------------------------------------------


def lowercase_eur(data: bytes) -> bytes:
    """Every currency code of the invoice written `eur`, as attribute or element text."""
    return data.replace(b'"EUR"', b'"eur"').replace(b">EUR<", b">eur<")


def test_lowercase_eur_is_eur_with_a_warning(settings: Settings) -> None:
    data = lowercase_eur(ROUTE.read_bytes())
    assert b'AmountCurrencyIdentifier="eur"' in data and b'"EUR"' not in data
    result = check_bytes(data, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("route", [])
    [f] = [f for f in result.findings if f.rule == "currency-code-case"]
    assert (f.severity.value, f.value) == ("warning", "eur")
    assert "the service may not treat eur as EUR" in f.message
    assert f.line is not None
    assert result.invoice is not None and result.invoice.currency == "eur"


def test_lowercase_eur_is_schema_valid_finvoice(settings: Settings, tmp_path: Path) -> None:
    if not XSD.is_file():
        pytest.skip("the official Finvoice 3.0 XSD is not in ../shared")
    (tmp_path / XSD.name).write_bytes(XSD.read_bytes())
    data = lowercase_eur(ROUTE.read_bytes())
    result = check_bytes(data, settings, TODAY, schemas=tmp_path)
    assert result.schema_check == "valid"
    assert result.decision.value == "route"


def test_eur_written_in_two_cases_is_one_currency(settings: Settings) -> None:
    data = ROUTE.read_bytes().replace(
        b'<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">',
        b'<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="eur">',
    )
    result = check_bytes(data, settings, TODAY)
    assert result.decision.value == "route", result.findings
    assert "currency-code-case" in {f.rule for f in result.findings}


def test_another_currency_in_lowercase_stays_non_eur(settings: Settings) -> None:
    sek = SAMPLES / "bypass" / "finvoice-3.0-non-eur.xml"
    data = sek.read_bytes().replace(b'"SEK"', b'"sek"')
    result = check_bytes(data, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("bypass", ["non-eur"])
    assert result.findings[0].value == "sek"


def test_two_currencies_differing_beyond_case_stay_unreadable(settings: Settings) -> None:
    data = ROUTE.read_bytes().replace(
        b'<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">',
        b'<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="sek">',
    )
    result = check_bytes(data, settings, TODAY)
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
