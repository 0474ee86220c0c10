"""The Finnish virtual bank barcode (Pankkiviivakoodi-opas, versions 4 and 5).

When Kassavirta takes over an invoice it replaces the payee account and the
reference, and with them any ``VirtualBankBarcode``; the preview builds the new
one and compares the invoice's own barcode with the invoice's fields.

>>> virtual_barcode('FI79 4405 2020 0360 82', Decimal('4883.15'),
...                 '86851 62596 19897', date(2010, 6, 12))
'479440520200360820048831500000000868516259619897100612'
>>> parse_virtual_barcode(  # doctest: +NORMALIZE_WHITESPACE
...     '579440520200360820048831509000000868516259619897100612')
BankBarcode(version=5, iban='FI7944052020036082', amount=Decimal('4883.15'),
            reference='RF09868516259619897', due_date=datetime.date(2010, 6, 12))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from stdnum import iban as _stdnum_iban

from kassavirta.finnish.reference import (
    RF_MAX_BODY,
    InvalidReference,
    compact_reference,
    is_ascii_digits,
    reference_scheme,
    validate_fi_reference,
    validate_rf_reference,
)

__all__ = ["BankBarcode", "parse_virtual_barcode", "virtual_barcode"]

_BARCODE_LENGTH: Final = 54
_MAX_BARCODE_AMOUNT: Final = Decimal("999999.99")
_CENT: Final = Decimal("0.01")
_NO_AMOUNT: Final = "00000000"
_NO_DUE_DATE: Final = "000000"


@dataclass(frozen=True)
class BankBarcode:
    """The payment data carried by a virtual bank barcode.

    ``amount`` is None when the barcode leaves the amount for the payer
    (all-zero field: no amount, zero, negative or above 999 999.99 €).
    ``reference`` is in its shortest form, without the zero padding the
    barcode adds, because leading zeros carry no meaning for either scheme;
    compare it with ``compact_reference(x).lstrip('0')`` for national references.
    ``iban`` is compact (``FI`` + 16 digits).
    """

    version: int
    iban: str
    amount: Decimal | None
    reference: str
    due_date: date | None


def _compact_fi_iban(iban: str) -> str:
    number = "".join(iban.split()).upper()
    if not number.startswith("FI"):
        raise ValueError(f"a bank barcode can only carry a Finnish (FI) IBAN: {number!r}")
    if len(number) != 18 or not is_ascii_digits(number[2:]):
        raise ValueError(f"a Finnish IBAN is 'FI' followed by 16 digits: {number!r}")
    if not _stdnum_iban.is_valid(number):
        raise ValueError(f"IBAN check digits do not match: {number!r}")
    return number


def _amount_field(amount: Decimal | None) -> str:
    if amount is None:
        return _NO_AMOUNT
    if not amount.is_finite():
        raise ValueError(f"amount must be a finite number: {amount!r}")
    # The guide reserves the all-zero field for "payer enters the amount"; it is
    # also what it prescribes for sums that do not fit the six-digit euro part.
    if amount <= 0 or amount > _MAX_BARCODE_AMOUNT:
        return _NO_AMOUNT
    if amount % _CENT != 0:
        raise ValueError(f"amount has more than two decimals: {amount}")
    return f"{int((amount * 100).to_integral_value()):08d}"


def _due_date_field(due_date: date | None) -> str:
    if due_date is None:
        return _NO_DUE_DATE
    if not 2000 <= due_date.year <= 2099:
        raise ValueError(f"a bank barcode due date must be in 2000-2099: {due_date}")
    return due_date.strftime("%y%m%d")


def virtual_barcode(
    iban: str, amount: Decimal | None, reference: str, due_date: date | None
) -> str:
    """Return the 54-digit virtual bank barcode for the payment data.

    A national reference produces version 4 and an RF reference version 5,
    as the guide requires.  An RF reference with letters cannot be encoded
    (the barcode is numeric) and raises ValueError, as do a non-Finnish or
    invalid IBAN, an invalid reference and an amount with fractions of a cent.

    >>> virtual_barcode('FI58 1017 1000 0001 22', Decimal('482.99'),
    ...                 'RF06 5595 8224 3294 671', date(2010, 1, 31))
    '558101710000001220004829906000000559582243294671100131'
    """
    account = _compact_fi_iban(iban)[2:]
    money = _amount_field(amount)
    due = _due_date_field(due_date)
    number = compact_reference(reference)
    scheme = reference_scheme(number)
    if scheme == "SPY":
        number = validate_fi_reference(number)
        code = f"4{account}{money}000{number.zfill(20)}{due}"
    elif scheme == "ISO":
        number = validate_rf_reference(number)
        body = number[4:]
        if not is_ascii_digits(body):
            raise InvalidReference(
                f"an RF reference with letters cannot be put in a bank barcode: {number!r}"
            )
        code = f"5{account}{money}{number[2:4]}{body.zfill(RF_MAX_BODY)}{due}"
    else:
        raise InvalidReference(f"not a Finnish or RF reference: {number!r}")
    assert len(code) == _BARCODE_LENGTH
    return code


def parse_virtual_barcode(code: str, *, strict: bool = True) -> BankBarcode:
    """Decode a version 4 or 5 virtual bank barcode.

    With ``strict`` (the default) the IBAN and the reference must also pass
    their checksums, so that a decoded barcode can be trusted as payment data.
    ``strict=False`` only checks the layout; it exists because real invoices
    carry barcodes built from dummy accounts (such as the Finnish Energy
    examples' ``FI00…``) and the preview still needs to compare their fields
    with the invoice.  An all-zero reference field then decodes as ``'0'``.

    >>> parse_virtual_barcode(  # doctest: +NORMALIZE_WHITESPACE
    ...     '473313130010000580000000000000000000000000868624130809')
    BankBarcode(version=4, iban='FI7331313001000058', amount=None, reference='868624',
                due_date=datetime.date(2013, 8, 9))
    """
    digits = "".join(code.split())
    if len(digits) != _BARCODE_LENGTH or not is_ascii_digits(digits):
        raise ValueError(f"a virtual bank barcode is {_BARCODE_LENGTH} digits: {code!r}")
    version = int(digits[0])
    if version not in (4, 5):
        raise ValueError(f"unsupported bank barcode version {version} (only 4 and 5)")

    iban = "FI" + digits[1:17]
    amount_field = digits[17:25]
    amount: Decimal | None = None
    if amount_field != _NO_AMOUNT:
        amount = Decimal(f"{int(amount_field[:6])}.{amount_field[6:]}")

    if version == 4:
        if digits[25:28] != "000":
            raise ValueError(f"version 4 reserve field must be '000': {digits[25:28]!r}")
        reference = digits[28:48].lstrip("0") or "0"
    else:
        reference = "RF" + digits[25:27] + (digits[27:48].lstrip("0") or "0")

    due_field = digits[48:54]
    due_date: date | None = None
    if due_field != _NO_DUE_DATE:
        try:
            due_date = date(2000 + int(due_field[:2]), int(due_field[2:4]), int(due_field[4:]))
        except ValueError as error:
            raise ValueError(f"invalid due date in bank barcode: {due_field!r}") from error

    if strict:
        if not _stdnum_iban.is_valid(iban):
            raise ValueError(f"IBAN check digits do not match: {iban!r}")
        if version == 4:
            validate_fi_reference(reference)
        else:
            validate_rf_reference(reference)

    return BankBarcode(
        version=version, iban=iban, amount=amount, reference=reference, due_date=due_date
    )
