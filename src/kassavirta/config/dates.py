"""What to say about a date written in another form than the ISO 8601 every input takes.

A Finnish user writes 3.12.2026; the settings, the config file and every flag
take 2026-12-03. The message names the expected form and, when the value reads
as day.month.year (or day/month/year), the same date in that form, so the fix
can be copied.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date

EXPECTED = "expected YYYY-MM-DD"
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*$")
_EXAMPLE = date(2026, 12, 3)


def date_hint(value: object) -> str:
    """`expected YYYY-MM-DD, e.g. …`: the value itself in ISO form when it reads day first."""
    example = _EXAMPLE
    found = _DAY_FIRST.match(value) if isinstance(value, str) else None
    if found:
        day, month, year = (int(g) for g in found.groups())
        with contextlib.suppress(ValueError):
            example = date(year, month, day)
    return f"{EXPECTED}, e.g. {example.isoformat()}"
