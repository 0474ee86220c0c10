"""The business ID (Y-tunnus) the service groups a customer by.

Service levels (VIP, PREMIUM, no monitoring) are kept per customer business ID,
and the guide asks the sender to make sure it is in the invoice XML. A Finnish
VAT code is `FI` + the same eight digits, so a buyer that carries only
`FI12345678` implies the business ID `1234567-8`: the toolkit looks its service
level up by that, and `business-id-missing` says the ID itself is missing.

>>> implied_business_id("FI12345678")
'1234567-8'
>>> implied_business_id("fi 2589 3810")
'2589381-0'
>>> implied_business_id("SE556677889901") is None
True
"""

from __future__ import annotations

import re
from functools import lru_cache

from kassavirta.model import Party

_FI_VAT = re.compile(r"FI([0-9]{7})([0-9])")
_WRITTEN = re.compile(r"([0-9]{7})-([0-9])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1)
"""stdnum's Y-tunnus weights: the eight digits, check digit included, sum to 0 modulo 11."""


@lru_cache(maxsize=4096)
def is_valid(number: str) -> bool:
    """Whether `number` is a Y-tunnus with a valid check digit (python-stdnum's reading).

    Cached: a run checks many invoices of few parties, and the readers, the rules and
    the preview all ask. The usual written form `nnnnnnn-n` is checked here with
    stdnum's arithmetic (a test holds the two equal), as loading stdnum costs a
    one-file check a sixth of its time; any other form is stdnum's to read.

    >>> is_valid("2589381-0"), is_valid("2589381-1")
    (True, False)
    """
    written = _WRITTEN.fullmatch(number)
    if written is not None:
        digits = written[1] + written[2]
        return sum(w * int(d) for w, d in zip(_WEIGHTS, digits, strict=True)) % 11 == 0
    from stdnum.fi import ytunnus

    return bool(ytunnus.is_valid(number))


def implied_business_id(vat_code: str | None) -> str | None:
    """`nnnnnnn-n` for a Finnish VAT code (`FI` + eight digits), else None.

    The check digit is not checked here: `business-id-missing` says when it is wrong.
    """
    if not vat_code:
        return None
    found = _FI_VAT.fullmatch(re.sub(r"[\s.-]", "", vat_code).upper())
    return f"{found.group(1)}-{found.group(2)}" if found else None


def grouping_id(party: Party) -> str | None:
    """The business ID the service groups `party` by: its own, else the one its VAT code implies."""
    return party.business_id or implied_business_id(party.vat_code)
