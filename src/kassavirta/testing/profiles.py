"""Hypothesis profiles for the kassavirta properties: bounded in CI, long when soaking.

`kassavirta-ci` (alias `ci`) keeps every property to a fixed, derandomised
number of examples with no deadline, so CI runs the same examples every time
and never fails on a slow machine. `kassavirta-soak` (alias `soak`) runs many
random examples: `pytest --hypothesis-profile=soak`. The aliases are only
registered when the project has not registered profiles of those names itself.

Tests decorate their properties with `profile()`: the CI profile when no
profile was chosen on the command line, the chosen one otherwise. Nothing is
loaded globally, so other hypothesis tests in the same run keep their own
settings.
"""

from __future__ import annotations

from typing import Final

from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

CI: Final = "kassavirta-ci"
SOAK: Final = "kassavirta-soak"
ALIASES: Final[dict[str, str]] = {"ci": CI, "soak": SOAK}
NAMES: Final[frozenset[str]] = frozenset({CI, SOAK, *ALIASES})

_SLOW_IS_FINE = (HealthCheck.too_slow, HealthCheck.data_too_large)


def _registered(name: str) -> bool:
    try:
        settings.get_profile(name)
    except InvalidArgument:
        return False
    return True


def register_profiles() -> None:
    """Register the profiles (idempotent; safe to call from a plugin and from tests)."""
    settings.register_profile(
        CI,
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=_SLOW_IS_FINE,
    )
    settings.register_profile(
        SOAK,
        max_examples=2_000,
        deadline=None,
        print_blob=True,
        suppress_health_check=_SLOW_IS_FINE,
    )
    for alias, target in ALIASES.items():
        if not _registered(alias):
            settings.register_profile(alias, settings.get_profile(target))


def current_profile_name() -> str:
    getter = getattr(settings, "get_current_profile_name", None)
    if getter is not None:
        return str(getter())
    return str(getattr(settings, "_current_profile", "default"))  # hypothesis < 6.113


def profile(scale: float = 1.0) -> settings:
    """Settings for one property: the chosen profile, else `kassavirta-ci`; `scale`
    multiplies its number of examples (for properties that are slow per example)."""
    register_profiles()
    name = current_profile_name()
    chosen = settings.default
    base = settings.get_profile(CI) if name == "default" or chosen is None else chosen
    return settings(base, max_examples=max(1, round(base.max_examples * scale)))


__all__ = ["ALIASES", "CI", "NAMES", "SOAK", "current_profile_name", "profile", "register_profiles"]
