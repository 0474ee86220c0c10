"""Bank accounts and banks: IBANs in compact and printed form, and the bank behind a BIC.

The registry lookups go through schwifty, imported on first use so that the
modules that only need the compact form do not pay for its bank registry.
Importing schwifty costs a one-file check as much as starting Python, so the
answer for a valid Finnish IBAN (and the BICs of Finnish banks) comes from
`FINNISH_BANKS`, which a test holds equal to schwifty's registry for every bank
code; anything else is schwifty's to judge and to word.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

__all__ = [
    "bank_label",
    "bic_of",
    "bic_problem",
    "compact_iban",
    "finnish_bic_known",
    "finnish_iban_bank",
    "format_iban",
    "iban_answer",
    "validate_bic",
    "validate_iban",
]

FINNISH_BANKS: tuple[tuple[str, str, str], ...] = (
    ("100", "299", "NDEAFIHH"),
    ("330", "339", "ESSEFIHX"),
    ("340", "349", "DABAFIHH"),
    ("360", "369", "SBANFIHH"),
    ("370", "379", "DNBAFIHX"),
    ("390", "399", "SBANFIHH"),
    ("400", "400", "ITELFIHH"),
    ("402", "403", "ITELFIHH"),
    ("405", "405", "HELSFIHH"),
    ("406", "408", "ITELFIHH"),
    ("410", "412", "ITELFIHH"),
    ("414", "421", "ITELFIHH"),
    ("423", "432", "ITELFIHH"),
    ("435", "452", "ITELFIHH"),
    ("454", "464", "ITELFIHH"),
    ("470", "479", "POPFFI22"),
    ("483", "493", "ITELFIHH"),
    ("495", "496", "ITELFIHH"),
    ("497", "497", "HELSFIHH"),
    ("500", "599", "OKOYFIHH"),
    ("600", "699", "AABAFI22"),
    ("713", "713", "CITIFIHX"),
    ("714", "714", "EVSEFIHH"),
    ("715", "715", "ITELFIHH"),
    ("717", "717", "BIGKFIH1"),
    ("718", "718", "UASNFIH2"),
    ("792", "792", "IVPYFIH2"),
    ("793", "793", "TRYEFIH3"),
    ("794", "794", "PASXFIH2"),
    ("795", "795", "WAMOFIH2"),
    ("796", "796", "NARYFIH2"),
    ("797", "797", "TRYEFIH2"),
    ("799", "799", "HOLVFIHH"),
    ("800", "899", "DABAFIHH"),
)
"""(first, last bank code, BIC): the Finnish banks of schwifty's registry, by the first three
digits of the account. A code in no range has no bank there."""

_FIRST_CODES = [first for first, _, _ in FINNISH_BANKS]
_FINNISH_BICS = frozenset(bic for _, _, bic in FINNISH_BANKS)
_FI_IBAN = re.compile(r"FI([0-9]{2})([0-9]{14})")
_FI_DIGITS = "1518"
"""F and I as IBAN check-digit arithmetic spells letters (A = 10 … Z = 35)."""


def finnish_iban_bank(account: str) -> tuple[None, str | None] | None:
    """(None, the BIC of its bank where the registry has one) for a valid Finnish IBAN in
    compact form, as schwifty answers; None for anything else, which schwifty judges.

    >>> finnish_iban_bank('FI7657062096654282')
    (None, 'OKOYFIHH')
    >>> finnish_iban_bank('FI7757062096654282') is None
    True
    """
    found = _FI_IBAN.fullmatch(account)
    if found is None:
        return None
    check, bban = found.groups()
    # ISO 7064 mod 97-10 as schwifty applies it: the check digits must be the computed
    # ones (02..98), not merely make the whole number 1 modulo 97.
    if int(check) != 98 - int(f"{bban}{_FI_DIGITS}00") % 97:
        return None
    code = bban[:3]
    at = bisect_right(_FIRST_CODES, code) - 1
    if at < 0 or code > FINNISH_BANKS[at][1]:
        return None, None
    return None, FINNISH_BANKS[at][2]


def finnish_bic_known(bic: str) -> bool:
    """Whether `bic` is, as written, the BIC of a Finnish bank in `FINNISH_BANKS` (and so valid).

    >>> finnish_bic_known('OKOYFIHH'), finnish_bic_known('okoyfihh')
    (True, False)
    """
    return bic in _FINNISH_BICS


def compact_iban(value: str) -> str:
    """The IBAN without whitespace, in upper case, as it is stored and compared.

    >>> compact_iban('fi55 1572 5137 7904 45')
    'FI5515725137790445'
    """
    return "".join(value.split()).upper()


def format_iban(value: str) -> str:
    """The printed form: groups of four.

    >>> format_iban('FI5515725137790445')
    'FI55 1572 5137 7904 45'
    """
    compact = compact_iban(value)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def validate_iban(value: str) -> str:
    """The compact IBAN, checked against its checksum and the bank registry; ValueError if not.

    >>> validate_iban('FI55 1572 5137 7904 45')
    'FI5515725137790445'
    """
    if finnish_iban_bank(value) is not None:  # valid, and already compact
        return value
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise ValueError(f"not a valid IBAN ({exc})") from exc


def validate_bic(value: str) -> str:
    """The compact BIC of a bank the registry knows; ValueError if it is none.

    >>> validate_bic('ndeafihh')
    'NDEAFIHH'
    """
    if finnish_bic_known(value):
        return value
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        return str(BIC(value, allow_invalid=False).compact)
    except SchwiftyException as exc:
        raise ValueError(f"not a valid BIC ({exc})") from exc


# A run checks many invoices of few sellers: each account and BIC is looked up once per
# run (the answers are pure functions of the text).


@lru_cache(maxsize=4096)
def iban_answer(account: str) -> tuple[str | None, str | None]:
    """(why `account` is not a valid IBAN, else None; the BIC of its bank where the registry
    knows it): a valid Finnish IBAN is answered from `FINNISH_BANKS`, the rest by schwifty.

    >>> iban_answer('FI7657062096654282')
    (None, 'OKOYFIHH')
    """
    finnish = finnish_iban_bank(account)
    if finnish is not None:
        return finnish
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        iban = IBAN(account)
    except SchwiftyException as exc:
        return str(exc), None
    try:
        bic = iban.bic
    except SchwiftyException:
        return None, None
    return None, None if bic is None else str(bic)


@lru_cache(maxsize=4096)
def bic_problem(bic: str) -> str | None:
    """Why `bic` is not a valid BIC, else None (a Finnish bank's, as written, without schwifty).

    >>> bic_problem('OKOYFIHH') is None
    True
    """
    if finnish_bic_known(bic):
        return None
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        BIC(bic)
    except SchwiftyException as exc:
        return str(exc)
    return None


def bic_of(iban: str) -> str | None:
    """The BIC of the IBAN's bank where the registry knows it (None for an invalid IBAN)."""
    return iban_answer(iban)[1]


def bank_label(bic: str) -> str:
    """`NDEAFIHH (Nordea Bank Finland Plc)` where schwifty knows the bank."""
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        names = BIC(bic).bank_names
    except SchwiftyException:
        names = []
    if not names:
        return bic
    # Title case reads better than the registry's capitals, but "OP" is a name, not a word.
    words = [w if len(w) <= 2 else w.title() for w in names[0].split()]
    return f"{bic} ({' '.join(words)})"
