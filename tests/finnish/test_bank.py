"""The Finnish answers that spare a one-file check schwifty and stdnum are theirs exactly.

`finnish_iban_bank`, `finnish_bic_known` and `business_id.is_valid` on the written
form answer without loading the libraries; each must give the library's answer
wherever it answers at all (and leave the rest to the library), or a check's
findings would change with the path taken. Every Finnish bank code is compared,
so a schwifty release that adds or moves a bank fails here, naming the code.
"""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.fi import ytunnus

from kassavirta.finnish import business_id
from kassavirta.finnish.bank import FINNISH_BANKS, finnish_bic_known, finnish_iban_bank


def _fi_iban(bban: str) -> str:
    """A Finnish IBAN with the right check digits for `bban` (14 digits)."""
    return f"FI{98 - int(bban + '151800') % 97:02d}{bban}"


def _schwifty(account: str) -> tuple[str | None, str | None]:
    """(the problem, the bank's BIC), as the check's IBAN rules read schwifty."""
    try:
        iban = IBAN(account)
    except SchwiftyException as exc:
        return str(exc), None
    bic = iban.bic
    return None, None if bic is None else str(bic)


def test_every_finnish_bank_code_has_schwiftys_bic() -> None:
    accounts = [_fi_iban(f"{n:03d}12345678901") for n in range(1000)]
    differ = [a for a in accounts if finnish_iban_bank(a) != _schwifty(a)]
    assert differ == []


def test_the_table_is_ordered_and_its_bics_are_valid() -> None:
    firsts = [first for first, _, _ in FINNISH_BANKS]
    assert firsts == sorted(firsts)
    assert all(first <= last for first, last, _ in FINNISH_BANKS)
    assert all(a[1] < b[0] for a, b in pairwise(FINNISH_BANKS))
    for _, _, bic in FINNISH_BANKS:
        assert finnish_bic_known(bic)
        assert str(BIC(bic).compact) == bic


@given(st.from_regex(r"[0-9]{14}", fullmatch=True), st.integers(0, 99))
def test_any_check_digits_answer_as_schwifty_or_fall_back(bban: str, check: int) -> None:
    account = f"FI{check:02d}{bban}"
    answer = finnish_iban_bank(account)
    expected = _schwifty(account)
    if answer is None:  # schwifty's to judge: only ever an invalid one
        assert expected[0] is not None
    else:
        assert answer == expected


@pytest.mark.parametrize(
    "account",
    [
        "fi7657062096654282",  # lower case
        "FI76 5706 2096 6542 82",  # printed form
        " FI7657062096654282",
        "FI765706209665428",  # too short
        "FI76570620966542821",  # too long
        "SE4550000000058398257466",  # another country
        "FI7757062096654282",  # wrong check digits
        "FI0057062096654282",
        "FI99" + "57062096654282",
    ],
)
def test_other_forms_are_left_to_schwifty(account: str) -> None:
    assert finnish_iban_bank(account) is None


@pytest.mark.parametrize("bic", ["okoyfihh", "OKOYFIHHXXX", "OKOYFIH", "DEUTDEFF", " OKOYFIHH"])
def test_a_bic_not_written_as_a_finnish_banks_is_left_to_schwifty(bic: str) -> None:
    assert not finnish_bic_known(bic)


def test_written_business_ids_read_as_stdnum_reads_them() -> None:
    rng = random.Random(13)
    bodies = {f"{rng.randrange(10**7):07d}" for _ in range(1500)} | {"0000000", "9999999"}
    for body in sorted(bodies):
        for digit in "0123456789":
            number = f"{body}-{digit}"
            assert business_id.is_valid(number) == ytunnus.is_valid(number), number


@pytest.mark.parametrize(
    "number",
    [
        "25893810",
        "2589381 0",
        "FI25893810",
        "2589381-0 ",
        "258938-0",
        "2589381--0",
        "２５８９３８１-0",
    ],
)
def test_other_business_id_forms_read_as_stdnum_reads_them(number: str) -> None:
    assert business_id.is_valid(number) == ytunnus.is_valid(number)
