"""Settings files: the operator's JSON as saved, TOML, and errors that name key and file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kassavirta.config.settings import load_settings
from kassavirta.errors import SettingsError

BASE = {
    "status": "ACTIVE",
    "iban": "FI2112345600000785",
    "bic": "NDEAFIHH",
    "accountable_party": "vfsfi",
    "customer_service_email": "asiakaspalvelu@example.fi",
    "vfsfi": {"iban": "FI5050000001205037", "bic": "OKOYFIHH", "account_number": "", "notes": []},
    "activation_url": "https://example.invalid/kyc",
}


def _write(tmp_path: Path, data: dict[str, object], name: str = "settings.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_api_response_loads_and_keeps_unknown_keys(tmp_path: Path) -> None:
    s = load_settings(_write(tmp_path, BASE))
    assert s.active and s.accountable_party == "vfsfi"
    assert s.vfsfi is not None and s.vfsfi.iban == "FI5050000001205037"
    assert s.model_extra == {"activation_url": "https://example.invalid/kyc"}
    assert s.consumer_transition_days == 5 and s.due_date_rule == "calendar-3"


def test_toml_with_the_same_keys(tmp_path: Path) -> None:
    p = tmp_path / "settings.toml"
    p.write_text(
        'status = "ACTIVE"\ndue_date_rule = "banking-4"\nactivated_on = 2026-11-28\n'
        '[vfsfi]\niban = "FI5050000001205037"\nbic = "OKOYFIHH"\n',
        encoding="utf-8",
    )
    s = load_settings(p)
    assert s.due_date_rule == "banking-4"
    assert str(s.activated_on) == "2026-11-28"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"status": None}, "status"),
        ({"status": "RUNNING"}, "status"),
        ({"iban": "FI2112345600000786"}, "iban"),
        ({"bic": "12345678"}, "bic"),
        ({"accountable_party": "someone"}, "accountable_party"),
        ({"customer_service_email": "not-an-address"}, "customer_service_email"),
        ({"vfsfi": {"iban": "FI00", "bic": "OKOYFIHH"}}, "vfsfi.iban"),
        ({"vfsfi": None}, ""),
        ({"due_date_rule": "banking-5"}, "due_date_rule"),
    ],
)
def test_bad_settings_name_the_key_and_file(
    tmp_path: Path, change: dict[str, object], key: str
) -> None:
    data = {**BASE, **change}
    data = {k: v for k, v in data.items() if v is not None}
    path = _write(tmp_path, data)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)
    if key:
        assert caught.value.key == key


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid"):
        load_settings(bad)
    listed = tmp_path / "list.json"
    listed.write_text("[]", encoding="utf-8")
    with pytest.raises(SettingsError, match="object"):
        load_settings(listed)


def test_service_levels_match_business_ids_loosely(tmp_path: Path) -> None:
    s = load_settings(
        _write(
            tmp_path, {**BASE, "service_levels": {"vip": ["2077474-0"], "premium": ["FI12345671"]}}
        )
    )
    assert s.service_levels.level_of("2077474-0") == "vip"
    assert s.service_levels.level_of("1234567-1") == "premium"
    assert s.service_levels.level_of("7654321-2") is None
    assert s.service_levels.level_of(None) is None


def test_perinta_settings_need_no_service_account(tmp_path: Path) -> None:
    """Amili Perintä (`service_type` express) rewrites nothing: no `vfsfi.iban` is needed."""
    data = {k: v for k, v in BASE.items() if k != "vfsfi"}
    with pytest.raises(SettingsError):
        load_settings(_write(tmp_path, data))
    settings = load_settings(_write(tmp_path, {**data, "service_type": "express"}))
    assert settings.perinta and settings.vfsfi is None
