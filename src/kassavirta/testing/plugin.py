"""The kassavirta pytest plugin (entry point `pytest11`): fixtures for testing invoice writers.

Installed with the package, so any project that depends on
kassavirta-preflight gets, with no conftest:

- `kassavirta_today`: the sending date (ini `kassavirta_today`, default today in Helsinki);
- `kassavirta_settings`: the activation settings (ini `kassavirta_settings` = a JSON file,
  default ACTIVE settings under which a correct invoice routes with no finding);
- `kassavirta_check`: `check(xml_bytes, **options) -> CheckResult` under those two;
- `assert_routes` (importable from here or `kassavirta.testing`).

The fixtures are session-scoped so that hypothesis `@given` tests may use them.
Start-up imports nothing but this module: neither the checker nor hypothesis
is imported until a fixture or a hypothesis profile of ours is asked for, and
the plugin works without hypothesis installed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kassavirta.testing.assertions import assert_routes

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings
    from kassavirta.findings import CheckResult

_PROFILE_NAMES = frozenset({"ci", "soak", "kassavirta-ci", "kassavirta-soak"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "kassavirta_settings",
        "activation settings JSON for the kassavirta_settings fixture "
        "(default: ACTIVE settings under which a correct invoice routes)",
        default="",
    )
    parser.addini(
        "kassavirta_today",
        "sending date YYYY-MM-DD for the kassavirta fixtures (default: today in Helsinki)",
        default="",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # hypothesis loads `--hypothesis-profile` in its own pytest_configure; ours
    # must exist by then. Only import hypothesis when one of ours was asked for.
    chosen = config.getoption("hypothesis_profile", default=None)
    if chosen in _PROFILE_NAMES:
        from kassavirta.testing.profiles import register_profiles

        register_profiles()


@pytest.fixture(scope="session")
def kassavirta_today(pytestconfig: pytest.Config) -> date:
    """The sending date the checks use."""
    raw = str(pytestconfig.getini("kassavirta_today") or "").strip()
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise pytest.UsageError(f"kassavirta_today: not a date (YYYY-MM-DD): {raw!r}") from exc
    from kassavirta.pipeline.evaluate import today_in_helsinki

    return today_in_helsinki()


@pytest.fixture(scope="session")
def kassavirta_settings(pytestconfig: pytest.Config, kassavirta_today: date) -> Settings:
    """The activation settings the checks use (override this fixture to use your own)."""
    raw = str(pytestconfig.getini("kassavirta_settings") or "").strip()
    if raw:
        from kassavirta.config.settings import load_settings

        path = Path(raw)
        if not path.is_absolute():
            path = Path(pytestconfig.rootpath) / path
        return load_settings(path)
    from kassavirta.testing.assertions import default_settings

    return default_settings(kassavirta_today)


@pytest.fixture(scope="session")
def kassavirta_check(
    kassavirta_settings: Settings, kassavirta_today: date
) -> Callable[..., CheckResult]:
    """`check(xml_bytes, **options)`: `kassavirta.check_bytes` under the session's settings and date."""
    from kassavirta import check_bytes

    def check(xml_bytes: bytes, **options: Any) -> CheckResult:
        options.setdefault("settings", kassavirta_settings)
        options.setdefault("today", kassavirta_today)
        return check_bytes(xml_bytes, **options)

    return check


__all__ = ["assert_routes", "kassavirta_check", "kassavirta_settings", "kassavirta_today"]
