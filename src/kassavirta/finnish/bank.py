"""Bank accounts and banks: IBANs in compact and printed form, and the bank behind a BIC.

The registry lookups go through schwifty, imported on first use so that the
modules that only need the compact form do not pay for its bank registry.
"""

from __future__ import annotations

__all__ = ["bank_label", "bic_of", "compact_iban", "format_iban", "validate_bic", "validate_iban"]


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
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        return str(BIC(value, allow_invalid=False).compact)
    except SchwiftyException as exc:
        raise ValueError(f"not a valid BIC ({exc})") from exc


def bic_of(iban: str) -> str | None:
    """The BIC of the IBAN's bank where schwifty's registry knows it."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return None
    return str(bic) if bic else None


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
