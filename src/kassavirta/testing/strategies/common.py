"""What every strategy module shares: the rule and channel lists, the sending date, a choice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from hypothesis import strategies as st

from kassavirta.model import Channel
from kassavirta.rules import NOTE_SLUGS, RULE_SLUGS, SEND_ERROR_SLUGS

__all__ = [
    "BUYER_IDS",
    "CHANNELS",
    "JSON",
    "LANGUAGES",
    "NOTES",
    "SEND_ERRORS",
    "SERVICE_LEVEL_IDS",
    "WARNINGS",
    "pick",
    "today_or_helsinki",
]

JSON = dict[str, Any]
SEND_ERRORS: Final[tuple[str, ...]] = tuple(SEND_ERROR_SLUGS)
NOTES: Final[tuple[str, ...]] = tuple(NOTE_SLUGS)
WARNINGS: Final[tuple[str, ...]] = tuple(
    s for s in RULE_SLUGS if s not in SEND_ERROR_SLUGS and s not in NOTE_SLUGS
)
CHANNELS: Final[tuple[str, ...]] = tuple(c.value for c in Channel)
LANGUAGES: Final[tuple[str, ...]] = ("fi", "sv", "en")

SERVICE_LEVEL_IDS = (3_400_000, 3_999_999)
"""Business IDs for settings' service-level groups are drawn from this range and
invoice buyers' from below it, so that a generated buyer is never in a group by
accident (hypothesis shrinks towards equal values)."""
BUYER_IDS = (100_000, 3_399_999)


def today_or_helsinki(today: date | None) -> date:
    if today is not None:
        return today
    from kassavirta.pipeline.evaluate import today_in_helsinki

    return today_in_helsinki()


def pick(value: str | None, choices: Sequence[str]) -> st.SearchStrategy[str]:
    if value is None:
        return st.sampled_from(tuple(choices))
    if value not in choices:
        raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
    return st.just(value)
