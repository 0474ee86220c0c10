"""Finnish business IDs, bank accounts and payment references, valid by construction."""

from __future__ import annotations

from typing import Literal

from hypothesis import strategies as st

from kassavirta.finnish.reference import make_fi_reference, make_rf_reference
from kassavirta.formats.finvoice.write import AccountSpec
from kassavirta.testing import data
from kassavirta.testing.strategies.common import BUYER_IDS

__all__ = [
    "business_ids",
    "finnish_accounts",
    "invalid_business_id",
    "references",
    "ytunnus_check_digit",
]


def ytunnus_check_digit(base: str) -> int | None:
    """The Y-tunnus check digit for seven digits (stdnum's checksum); None if none exists."""
    from stdnum.fi import alv

    digit = (-alv.checksum(base + "0")) % 11
    return digit if digit < 10 else None


def business_ids(low: int = BUYER_IDS[0], high: int = BUYER_IDS[1]) -> st.SearchStrategy[str]:
    """Valid Finnish business IDs (Y-tunnus, `nnnnnnn-n`)."""

    def build(n: int) -> str | None:
        base = f"{n:07d}"
        digit = ytunnus_check_digit(base)
        return None if digit is None else f"{base}-{digit}"

    return st.integers(low, high).map(build).filter(lambda v: v is not None).map(str)


def invalid_business_id(valid: str) -> str:
    """The same seven digits with the wrong check digit."""
    base, digit = valid.split("-")
    return f"{base}-{(int(digit) + 1) % 10}"


def finnish_accounts(
    bank: data.Bank | None = None, *, exclude_bic: str | None = None
) -> st.SearchStrategy[AccountSpec]:
    """A valid Finnish IBAN with the BIC of its bank."""
    from schwifty import IBAN

    banks = [b for b in data.BANKS if b.bic[:6] != (exclude_bic or "")[:6]]

    def build(pair: tuple[data.Bank, int]) -> AccountSpec:
        chosen, number = pair
        iban = IBAN.generate("FI", bank_code=chosen.code, account_code=str(number))
        return AccountSpec(iban=str(iban.compact), bic=chosen.bic)

    banks_strategy = st.just(bank) if bank is not None else st.sampled_from(banks)
    return st.tuples(banks_strategy, st.integers(1, 9_999_999)).map(build)


def references(scheme: Literal["SPY", "ISO"] | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """(reference, scheme): a Finnish reference (7-3-1) or an RF creditor reference."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, str]:
        chosen = draw(st.just(scheme) if scheme else st.sampled_from(("SPY", "ISO")))
        national = make_fi_reference(str(draw(st.integers(100, 10**15))))
        if chosen == "ISO":
            return make_rf_reference(national), "ISO"
        if draw(st.booleans()):
            national = national.zfill(20)  # Finvoice files often pad to 20 digits
        return national, "SPY"

    return build()
