"""Tests for Finnish national and RF creditor payment references.

Reference vectors come from the Finvoice field map (FIELDS.md §13), which
collects them from the Finance Finland standards and the sample invoices.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassavirta.finnish.reference import (
    InvalidReference,
    compact_reference,
    fi_check_digit,
    format_fi_reference,
    format_rf_reference,
    is_valid_fi_reference,
    is_valid_reference,
    is_valid_rf_reference,
    make_fi_reference,
    make_rf_reference,
    preview_reference,
    reference_scheme,
    validate_fi_reference,
    validate_rf_reference,
)

VALID_FI = [
    "1232",
    "12345672",
    "00000000000002004538",
    "00000000000002004486",
    "101074450001009462",
    "69875672083435364",
    "00203762044701547099",
    "3001829355",
    "3019466124",
    "3019936175",
    "3024379565",
]
INVALID_FI = [
    "1043002",
    "54654654",
    "00000000000000000000",
    "",
    "12a4",
    "123",  # too short
    "123456789012345678901",  # too long
    "00000000000000000017",  # "17" once leading zeros are dropped
    "1232\u00b2",  # superscript two is not an ASCII digit
    "RF111232",
]
VALID_RF = [
    "RF111232",
    "RF8512345672",
    "RF18539007547034",
    "RF471234567890",
    "RF911234567890120",
]
INVALID_RF = [
    "RF804806FA0472034B5D722A",
    "RF19539007547034",  # wrong check digits
    "RF18",  # no body
    "RF18 5390 0754 7034 0000 0000 0",  # longer than 25
    "RFX8539007547034",
    "RF18-5390-0754-7034",
    "18539007547034",
    "",
]


# --------------------------------------------------------------------------
# Finnish national reference
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "expected"),
    [("123", "1232"), ("1234567", "12345672"), ("200453", "2004538"), ("300182935", "3001829355")],
)
def test_make_fi_reference_spec_examples(base: str, expected: str) -> None:
    assert make_fi_reference(base) == expected


def test_fi_check_digit_ignores_leading_zeros() -> None:
    assert fi_check_digit("123") == fi_check_digit("0000000123") == "2"


def test_fi_check_digit_zero_when_sum_is_multiple_of_ten() -> None:
    # 5*7 + 5*3 = 50, already a multiple of ten; 6*7 + 4*3 = 54 needs 6 more.
    assert fi_check_digit("55") == "0"
    assert fi_check_digit("46") == "6"


@pytest.mark.parametrize("value", VALID_FI)
def test_valid_fi_references(value: str) -> None:
    assert is_valid_fi_reference(value)
    assert validate_fi_reference(value) == value


@pytest.mark.parametrize("value", INVALID_FI)
def test_invalid_fi_references(value: str) -> None:
    assert not is_valid_fi_reference(value)
    with pytest.raises(InvalidReference):
        validate_fi_reference(value)


def test_invalid_reference_is_a_value_error_with_reason() -> None:
    with pytest.raises(ValueError, match="check digit 2 does not match the computed 8"):
        validate_fi_reference("1043002")
    with pytest.raises(InvalidReference, match="all zeros"):
        validate_fi_reference("00000000000000000000")


def test_validate_fi_compacts_spaces() -> None:
    assert validate_fi_reference(" 10107 44500 01009\u00a0462 ") == "101074450001009462"


@pytest.mark.parametrize("base", ["12", "12345678901234567890", "12x", "000", ""])
def test_make_fi_reference_rejects_bad_bases(base: str) -> None:
    with pytest.raises(InvalidReference):
        make_fi_reference(base)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00000000000002004538", "20 04538"),
        ("101074450001009462", "101 07445 00010 09462"),
        ("1232", "1232"),
        ("3001829355", "30018 29355"),
        ("69875672083435364", "69 87567 20834 35364"),
    ],
)
def test_format_fi_reference(value: str, expected: str) -> None:
    assert format_fi_reference(value) == expected


def test_format_fi_reference_rejects_invalid() -> None:
    with pytest.raises(InvalidReference):
        format_fi_reference("1043002")


@given(st.text(alphabet="0123456789", min_size=3, max_size=19))
def test_generated_fi_references_validate(base: str) -> None:
    if len(base.lstrip("0")) < 3:
        with pytest.raises(InvalidReference):
            make_fi_reference(base)
        return
    reference = make_fi_reference(base)
    assert reference.startswith(base)
    assert len(reference) == len(base) + 1
    assert is_valid_fi_reference(reference)
    assert reference_scheme(reference) == "SPY"


@given(st.text(alphabet="0123456789", min_size=3, max_size=19).filter(lambda s: s[0] != "0"))
def test_single_digit_errors_are_detected(base: str) -> None:
    reference = make_fi_reference(base)
    position = len(reference) // 2
    wrong = str((int(reference[position]) + 1) % 10)
    tampered = reference[:position] + wrong + reference[position + 1 :]
    assert not is_valid_fi_reference(tampered)


# --------------------------------------------------------------------------
# RF creditor reference
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1232", "RF111232"),
        ("12345672", "RF8512345672"),
        ("539007547034", "RF18539007547034"),
    ],
)
def test_make_rf_reference_spec_examples(body: str, expected: str) -> None:
    assert make_rf_reference(body) == expected


@pytest.mark.parametrize("value", VALID_RF)
def test_valid_rf_references(value: str) -> None:
    assert is_valid_rf_reference(value)
    assert validate_rf_reference(value) == value


@pytest.mark.parametrize("value", INVALID_RF)
def test_invalid_rf_references(value: str) -> None:
    assert not is_valid_rf_reference(value)
    with pytest.raises(InvalidReference):
        validate_rf_reference(value)


def test_rf_check_digits_outside_02_98_are_rejected() -> None:
    # RF98 and RF01 both satisfy "mod 97 == 1" for the same body; only the
    # generated form (98) is accepted.
    valid = make_rf_reference("1")
    body = valid[4:]
    assert valid[2:4] in {f"{n:02d}" for n in range(2, 99)}
    for check in ("00", "01", "99"):
        assert not is_valid_rf_reference(f"RF{check}{body}")


def test_rf_reference_is_case_and_space_insensitive() -> None:
    assert validate_rf_reference("rf18 5390 0754 7034") == "RF18539007547034"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("RF18539007547034", "RF18 5390 0754 7034"),
        ("RF8512345672", "RF85 1234 5672"),
        ("RF111232", "RF11 1232"),
        ("RF911234567890120", "RF91 1234 5678 9012 0"),
    ],
)
def test_format_rf_reference(value: str, expected: str) -> None:
    assert format_rf_reference(value) == expected


@pytest.mark.parametrize("body", ["", "1234567890123456789012", "12-34", "ÄÖ12"])
def test_make_rf_reference_rejects_bad_bodies(body: str) -> None:
    with pytest.raises(InvalidReference):
        make_rf_reference(body)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=21))
def test_generated_rf_references_validate(body: str) -> None:
    reference = make_rf_reference(body)
    assert reference.endswith(body)
    assert is_valid_rf_reference(reference)
    assert is_valid_rf_reference(reference.lower())
    assert reference_scheme(reference) == "ISO"


@given(st.text(alphabet="0123456789", min_size=3, max_size=19).filter(lambda s: s[0] != "0"))
def test_rf_from_national_reference_round_trip(base: str) -> None:
    national = make_fi_reference(base)
    rf = make_rf_reference(national)
    assert rf[4:] == national
    assert is_valid_rf_reference(rf)


# --------------------------------------------------------------------------
# Scheme handling
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("RF18539007547034", "ISO"),
        ("rf18 5390", "ISO"),
        ("RF804806FA0472034B5D722A", "ISO"),
        ("1232", "SPY"),
        ("1043002", "SPY"),
        ("00000000000000000000", "SPY"),
        ("12 32", "SPY"),
        ("", None),
        ("ABC123", None),
        ("12-34", None),
    ],
)
def test_reference_scheme(value: str, expected: str | None) -> None:
    assert reference_scheme(value) == expected


def test_is_valid_reference_infers_or_uses_scheme() -> None:
    assert is_valid_reference("1232")
    assert is_valid_reference("RF111232")
    assert is_valid_reference("1232", "SPY")
    assert is_valid_reference("RF111232", "ISO")
    assert not is_valid_reference("RF111232", "SPY")
    assert not is_valid_reference("1232", "ISO")
    assert not is_valid_reference("1232", "XYZ")
    assert not is_valid_reference("1043002")
    assert not is_valid_reference("RF804806FA0472034B5D722A")
    assert not is_valid_reference("hello")


def test_compact_reference() -> None:
    assert compact_reference(" rf18 5390\t0754\u00a07034\n") == "RF18539007547034"


# --------------------------------------------------------------------------
# Preview reference
# --------------------------------------------------------------------------


def test_preview_reference_is_deterministic_and_valid() -> None:
    first = preview_reference("0912345-6", "INV-1001", date(2026, 3, 2))
    again = preview_reference("0912345-6", "INV-1001", date(2026, 3, 2))
    assert first == again
    assert len(first) == 12
    assert first[0] != "0"
    assert is_valid_fi_reference(first)


def test_preview_reference_rf_form_wraps_the_national_one() -> None:
    national = preview_reference("0912345-6", "INV-1001", date(2026, 3, 2))
    rf = preview_reference("0912345-6", "INV-1001", date(2026, 3, 2), rf=True)
    assert rf[4:] == national
    assert is_valid_rf_reference(rf)


def test_preview_reference_changes_with_each_input() -> None:
    base = preview_reference("0912345-6", "INV-1001", date(2026, 3, 2))
    assert preview_reference("0912345-6", "INV-1002", date(2026, 3, 2)) != base
    assert preview_reference("0912345-7", "INV-1001", date(2026, 3, 2)) != base
    assert preview_reference("0912345-6", "INV-1001", date(2026, 3, 3)) != base
    # Field boundaries matter: moving a character between fields changes the value.
    assert preview_reference("0912345-6I", "NV-1001", date(2026, 3, 2)) != base


def test_preview_reference_ignores_surrounding_whitespace() -> None:
    assert preview_reference(" 0912345-6\n", "\tINV-1001 ", date(2026, 3, 2)) == (
        preview_reference("0912345-6", "INV-1001", date(2026, 3, 2))
    )


def test_preview_reference_distinct_for_many_invoice_numbers() -> None:
    values = {preview_reference("0912345-6", str(n), date(2026, 1, 1)) for n in range(5000)}
    assert len(values) == 5000


@given(st.text(max_size=40), st.text(max_size=40), st.dates(), st.booleans())
def test_preview_reference_always_valid(seller: str, number: str, day: date, rf: bool) -> None:
    reference = preview_reference(seller, number, day, rf=rf)
    assert is_valid_reference(reference, "ISO" if rf else "SPY")
    assert len(reference) == (16 if rf else 12)
