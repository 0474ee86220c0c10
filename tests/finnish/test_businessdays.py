"""Tests for Finnish business days.

Calendar facts for 2026: Good Friday 3 Apr, Easter Monday 6 Apr, Ascension
14 May, Midsummer Eve Fri 19 Jun and Midsummer Day Sat 20 Jun, Independence
Day Sun 6 Dec, Christmas Eve to St Stephen's Day Thu 24 – Sat 26 Dec, and
New Year's Day 2027 on a Friday.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import ROOT, SAMPLES
from kassavirta.finnish.businessdays import (
    add_business_days,
    business_days_between,
    is_business_day,
    next_business_day,
)

MODULE_PATH = ROOT / "src" / "kassavirta" / "finnish" / "businessdays.py"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 6), True),  # Friday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 3, 9), True),  # Monday
        (date(2026, 1, 1), False),  # New Year's Day, Thursday
        (date(2026, 1, 2), True),
        (date(2026, 1, 6), False),  # Epiphany, Tuesday
        (date(2026, 4, 2), True),  # Maundy Thursday is a working day
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 5, 1), False),  # May Day, Friday
        (date(2026, 5, 14), False),  # Ascension Day, Thursday
        (date(2026, 6, 18), True),
        (date(2026, 6, 19), False),  # Midsummer Eve, Friday
        (date(2026, 6, 20), False),  # Midsummer Day, Saturday
        (date(2026, 6, 22), True),
        (date(2026, 12, 4), True),
        (date(2026, 12, 6), False),  # Independence Day on a Sunday
        (date(2026, 12, 7), True),  # no substitute holiday in Finland
        (date(2027, 12, 6), False),  # Independence Day on a Monday
        (date(2026, 12, 23), True),
        (date(2026, 12, 24), False),  # Christmas Eve
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 26), False),  # St Stephen's Day (Saturday)
        (date(2026, 12, 28), True),
        (date(2026, 12, 31), True),  # New Year's Eve is a working day
        (date(2027, 1, 1), False),  # New Year's Day, Friday
        (date(2027, 1, 4), True),
    ],
)
def test_is_business_day(day: date, expected: bool) -> None:
    assert is_business_day(day) is expected


def test_datetime_is_treated_as_its_date() -> None:
    assert is_business_day(datetime(2026, 12, 24, 9, 30)) is False
    assert next_business_day(datetime(2026, 4, 3, 23, 59)) == date(2026, 4, 7)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 6), date(2026, 3, 6)),  # already a business day
        (date(2026, 3, 7), date(2026, 3, 9)),  # weekend
        (date(2026, 4, 3), date(2026, 4, 7)),  # Easter
        (date(2026, 4, 5), date(2026, 4, 7)),
        (date(2026, 6, 19), date(2026, 6, 22)),  # Midsummer
        (date(2026, 12, 6), date(2026, 12, 7)),  # Independence Day
        (date(2026, 12, 24), date(2026, 12, 28)),  # Christmas
        (date(2027, 1, 1), date(2027, 1, 4)),  # New Year
    ],
)
def test_next_business_day(day: date, expected: date) -> None:
    assert next_business_day(day) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),  # n == 0 leaves even a Saturday alone
        (date(2026, 3, 2), 4, date(2026, 3, 6)),
        (date(2026, 3, 5), 2, date(2026, 3, 9)),  # across a weekend
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # from a Saturday
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # across Easter
        (date(2026, 4, 1), 3, date(2026, 4, 8)),
        (date(2026, 6, 18), 1, date(2026, 6, 22)),  # across Midsummer
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Independence Day on Sunday
        (date(2026, 12, 23), 1, date(2026, 12, 28)),  # across Christmas
        (date(2026, 12, 23), 3, date(2026, 12, 30)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # across New Year
        (date(2026, 12, 18), 14, date(2027, 1, 13)),  # Christmas, New Year and Epiphany
        (date(2026, 4, 7), -1, date(2026, 4, 2)),  # backwards across Easter
        (date(2027, 1, 4), -1, date(2026, 12, 31)),
        (date(2026, 12, 28), -2, date(2026, 12, 22)),
        (date(2026, 3, 8), -1, date(2026, 3, 6)),
    ],
)
def test_add_business_days(day: date, n: int, expected: date) -> None:
    assert add_business_days(day, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2026, 3, 6), date(2026, 3, 2), 0),  # end before start
        (date(2026, 3, 2), date(2026, 3, 3), 1),
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Fri -> Mon: only Monday counts
        (date(2026, 3, 7), date(2026, 3, 8), 0),  # inside a weekend
        (date(2026, 3, 2), date(2026, 3, 16), 10),
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # Easter
        (date(2026, 4, 1), date(2026, 4, 10), 5),
        (date(2026, 6, 18), date(2026, 6, 22), 1),  # Midsummer
        (date(2026, 12, 4), date(2026, 12, 7), 1),  # Independence Day on Sunday
        (date(2026, 12, 22), date(2026, 12, 28), 2),  # Christmas
        (date(2026, 12, 31), date(2027, 1, 4), 1),  # New Year
        # 2026 has 261 weekdays, 9 of them holidays; 1 Jan is one, so excluding
        # the start day does not change the count.
        (date(2025, 12, 31), date(2026, 12, 31), 252),
        (date(2026, 1, 1), date(2026, 12, 31), 252),
        (date(2026, 1, 2), date(2026, 12, 31), 251),
    ],
)
def test_business_days_between(start: date, end: date, expected: int) -> None:
    assert business_days_between(start, end) == expected


def _brute_force_between(start: date, end: date) -> int:
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_business_day(day)
        day += timedelta(days=1)
    return count


_DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))


@given(_DATES, st.integers(min_value=0, max_value=800))
def test_between_matches_day_by_day_count(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert business_days_between(start, end) == _brute_force_between(start, end)


@given(_DATES, st.integers(min_value=0, max_value=300))
def test_between_inverts_add(start: date, n: int) -> None:
    target = add_business_days(start, n)
    assert business_days_between(start, target) == n
    if n:
        assert is_business_day(target)


@given(_DATES, st.integers(min_value=1, max_value=300))
def test_backwards_add_lands_on_business_days(start: date, n: int) -> None:
    earlier = add_business_days(start, -n)
    assert earlier < start
    assert is_business_day(earlier)
    # Going forward again from there reaches the same day, or the next business day
    # when the starting point was not one itself.
    assert add_business_days(earlier, n) == next_business_day(start)


@given(_DATES)
def test_next_business_day_properties(day: date) -> None:
    following = next_business_day(day)
    assert following >= day
    assert is_business_day(following)
    assert business_days_between(day, following) == (0 if following == day else 1)


def test_importing_the_module_does_not_import_holidays() -> None:
    # Run in a fresh interpreter, loading the file directly so that whatever the
    # package's __init__ imports does not interfere.
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('bd', {str(MODULE_PATH)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert 'holidays' not in sys.modules, 'holidays imported at module import'\n"
        "from datetime import date\n"
        "assert not module.is_business_day(date(2026, 4, 3))\n"
        "assert 'holidays' not in sys.modules, 'the shipped table answers for 2026'\n"
        "assert not module.is_business_day(date(2100, 12, 6))\n"
        "assert 'holidays' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_holiday_sets_are_cached_per_year() -> None:
    spec = importlib.util.spec_from_file_location("_bd_cache_probe", MODULE_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cached = module._holidays_in_year
    cached.cache_clear()
    for _ in range(3):
        module.is_business_day(date(2026, 6, 19))
        module.business_days_between(date(2026, 1, 1), date(2027, 12, 31))
    info = cached.cache_info()
    assert info.misses == 2  # 2026 and 2027, each computed once
    assert info.hits > 0


def test_holiday_table_matches_the_holidays_package() -> None:
    """The shipped table is the library's own answer for every year it covers."""
    from kassavirta.finnish.businessdays import TABLE_YEARS, _table, library_holidays

    table = _table()
    stale = [year for year in TABLE_YEARS if table[year] != library_holidays(year)]
    assert not stale, (
        f"data/fi-holidays.json is stale for {stale[:5]}: python -m kassavirta.finnish.businessdays"
    )


def test_years_outside_the_table_ask_the_library() -> None:
    from kassavirta.finnish.businessdays import is_business_day

    assert not is_business_day(date(2100, 12, 6))  # Independence Day, a Monday
    assert is_business_day(date(2100, 12, 7))


def test_a_check_does_not_import_the_holidays_package() -> None:
    import subprocess
    import sys

    sample = SAMPLES / "route" / "finvoice-3.0.xml"
    code = (
        "import sys, datetime; from kassavirta import check_file; "
        f"r = check_file({str(sample)!r}, {str(sample.parent.parent / 'settings.json')!r}, datetime.date(2026, 12, 1)); "
        "assert r.decision.value == 'route', r; assert r.schedule; "
        "print('holidays' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
