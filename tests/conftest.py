"""Shared fixtures. `../shared` (reference schemas and others' invoices) is optional:
tests that need it skip cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from helpers import REFERENCE, SAMPLES, kassavirta_cli, make_variant

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep tests away from the real user's data folder and schema variable."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("KASSAVIRTA_SCHEMAS", raising=False)


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def settings_path() -> Path:
    return SAMPLES / "settings.json"


@pytest.fixture
def settings() -> Settings:
    """The sample activation settings (samples/settings.json)."""
    from kassavirta.config.settings import load_settings

    return load_settings(SAMPLES / "settings.json")


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is not available")
    return REFERENCE


@pytest.fixture
def schema_dir(reference: Path) -> Path:
    found = reference / "schemas"
    if not (found / "Finvoice3.0.xsd").is_file():
        pytest.skip("official Finvoice XSDs are not available")
    return found


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    return kassavirta_cli


@pytest.fixture
def variant():  # type: ignore[no-untyped-def]
    return make_variant
