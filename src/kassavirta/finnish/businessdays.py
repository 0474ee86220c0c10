"""Finnish business days for due-date and payment-term arithmetic.

Kassavirta's acceptance rules and the preview's warnings ("the due date is
too close", "the money arrives on …") are about days on which Finnish banks
move money, not calendar days.  A business day here is Monday to Friday
unless it is a Finnish public holiday as listed by the ``holidays`` package
(``holidays.Finland``), which also lists Midsummer Eve and Christmas Eve.

Finnish banking days are treated as the same calendar.  The days on which
Finnish banks do not process domestic payments are the weekends, the public
holidays and the two "eves", and the eves are already in ``holidays.Finland``,
so one calendar serves both purposes.  Bank-specific or TARGET2-only closing
days are deliberately not modelled: a preview that is off by a day in such a
rare case is preferable to a second calendar that can drift from the first.

The module is consulted for every invoice in a batch.  Each year's holidays
are therefore computed once and kept as a frozenset.  Importing ``holidays``
loads every country it knows (about 0.1 s, a third of a one-invoice check), so
the Finnish dates for 2000–2099 are kept in ``data/fi-holidays.json``, a table
taken from ``holidays`` itself (``python -m kassavirta.finnish.businessdays`` writes it
again) and compared with it by a test; other years ask ``holidays`` directly.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Final

__all__ = [
    "add_business_days",
    "business_days_between",
    "is_business_day",
    "next_business_day",
]

_ONE_DAY: Final = timedelta(days=1)
_SATURDAY: Final = 5


TABLE_YEARS: Final = range(2000, 2100)
_TABLE: Final = "fi-holidays.json"


def library_holidays(year: int) -> frozenset[date]:
    """Finnish public holidays of `year` as the ``holidays`` package lists them."""
    # Imported here, not at module level: see the module docstring.
    import holidays

    return frozenset(holidays.country_holidays("FI", years=year).keys())


@lru_cache(maxsize=1)
def _table() -> dict[int, frozenset[date]]:
    from importlib.resources import files

    raw = json.loads(files("kassavirta").joinpath("data", _TABLE).read_text(encoding="utf-8"))
    by_year: dict[int, set[date]] = {year: set() for year in TABLE_YEARS}
    for text in raw["dates"]:
        day = date.fromisoformat(text)
        by_year[day.year].add(day)
    return {year: frozenset(days) for year, days in by_year.items()}


@lru_cache(maxsize=64)
def _holidays_in_year(year: int) -> frozenset[date]:
    if year in TABLE_YEARS:
        return _table()[year]
    return library_holidays(year)


def write_table(path: Path) -> Path:
    """Write the Finnish holiday table from the installed ``holidays`` package."""
    from importlib.metadata import version

    from kassavirta.fileio import atomic_write_text

    dates = sorted(d for year in TABLE_YEARS for d in library_holidays(year))
    doc = {
        "source": f"holidays {version('holidays')}, country_holidays('FI')",
        "years": [TABLE_YEARS.start, TABLE_YEARS.stop - 1],
        "dates": [d.isoformat() for d in dates],
    }
    return atomic_write_text(path, json.dumps(doc, indent=0) + "\n")


def _as_date(value: date) -> date:
    # A datetime is a date subclass but never equals one, so it would never be
    # found among the holidays; reduce it to its calendar day first.
    return value.date() if isinstance(value, datetime) else value


def _is_business_day(day: date) -> bool:
    return day.weekday() < _SATURDAY and day not in _holidays_in_year(day.year)


def is_business_day(d: date) -> bool:
    """Tell whether Finnish banks process payments on this day.

    >>> is_business_day(date(2026, 4, 3))  # Good Friday
    False
    >>> is_business_day(date(2026, 4, 7))
    True
    """
    return _is_business_day(_as_date(d))


def next_business_day(d: date) -> date:
    """Return d itself when it is a business day, otherwise the first one after it.

    This is the rule a bank applies to a due date that falls on a weekend or
    holiday: the payment is on time if made on the next banking day.

    >>> next_business_day(date(2026, 12, 24))
    datetime.date(2026, 12, 28)
    """
    day = _as_date(d)
    while not _is_business_day(day):
        day += _ONE_DAY
    return day


def add_business_days(d: date, n: int) -> date:
    """Return the n-th business day after d (before d when n is negative).

    d itself never counts, whether or not it is a business day, so that
    ``business_days_between(d, add_business_days(d, n)) == n`` for n >= 0;
    n == 0 returns d unchanged.

    >>> add_business_days(date(2026, 4, 2), 1)  # Thursday before Easter
    datetime.date(2026, 4, 7)
    """
    day = _as_date(d)
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if _is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Count the business days d with start < d <= end (0 when end <= start).

    The half-open interval matches how payment terms are counted: the day the
    invoice is sent does not count, the due date does.  The weekdays are
    counted arithmetically and the holidays subtracted afterwards, so long
    spans cost no more than a few dozen set lookups.

    >>> business_days_between(date(2026, 12, 22), date(2026, 12, 28))  # Wed 23, Mon 28
    2
    """
    first, last = _as_date(start), _as_date(end)
    if last <= first:
        return 0
    full_weeks, extra_days = divmod((last - first).days, 7)
    count = full_weeks * 5
    start_weekday = first.weekday()
    count += sum(
        1 for offset in range(1, extra_days + 1) if (start_weekday + offset) % 7 < _SATURDAY
    )
    for year in range(first.year, last.year + 1):
        count -= sum(
            1
            for holiday in _holidays_in_year(year)
            if first < holiday <= last and holiday.weekday() < _SATURDAY
        )
    return count


if __name__ == "__main__":  # pragma: no cover
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "data" / _TABLE
    )
    print(write_table(target))
