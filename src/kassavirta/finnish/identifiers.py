"""Payment references and the Finnish virtual bank barcode.

When Kassavirta takes over an invoice it replaces the payee account and, with it,
the payment reference and any ``VirtualBankBarcode``.  The preview has to show the
sender exactly what those values will look like, and has to tell a reference that
a bank will reject from one it will accept, so the checks here follow the
published rules (Finance Finland's reference standard, ISO 11649 and the
"Pankkiviivakoodi-opas") rather than the looser Finvoice schema pattern.

The functions mirror python-stdnum's vocabulary so that anyone who knows the
``stdnum`` modules knows what to expect: ``compact`` normalises input,
``validate`` returns the compact form or raises, ``is_valid`` never raises and
``format`` produces the printed form.

Finnish national reference (viitenumero, scheme ``SPY``):

>>> make_fi_reference('123')
'1232'
>>> make_fi_reference('1234567')
'12345672'
>>> is_valid_fi_reference('00000000000002004538')
True
>>> is_valid_fi_reference('1043002')
False
>>> validate_fi_reference('54654654')  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
    ...
InvalidReference: check digit 4 does not match the computed 1
>>> format_fi_reference('00000000000002004538')
'20 04538'

RF creditor reference (ISO 11649, scheme ``ISO``):

>>> make_rf_reference('1232')
'RF111232'
>>> make_rf_reference('12345672')
'RF8512345672'
>>> format_rf_reference('RF18539007547034')
'RF18 5390 0754 7034'
>>> is_valid_rf_reference('RF804806FA0472034B5D722A')
False

Virtual bank barcode:

>>> virtual_barcode('FI79 4405 2020 0360 82', Decimal('4883.15'),
...                 '86851 62596 19897', date(2010, 6, 12))
'479440520200360820048831500000000868516259619897100612'
>>> parse_virtual_barcode(  # doctest: +NORMALIZE_WHITESPACE
...     '579440520200360820048831509000000868516259619897100612')
BankBarcode(version=5, iban='FI7944052020036082', amount=Decimal('4883.15'),
            reference='RF09868516259619897', due_date=datetime.date(2010, 6, 12))
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, Literal

from stdnum import iban as _stdnum_iban
from stdnum import iso11649 as _stdnum_iso11649
from stdnum.exceptions import ValidationError as _StdnumValidationError

__all__ = [
    "BankBarcode",
    "InvalidReference",
    "compact_reference",
    "fi_check_digit",
    "format_fi_reference",
    "format_rf_reference",
    "is_valid_fi_reference",
    "is_valid_reference",
    "is_valid_rf_reference",
    "make_fi_reference",
    "make_rf_reference",
    "parse_virtual_barcode",
    "preview_reference",
    "reference_scheme",
    "validate_fi_reference",
    "validate_rf_reference",
    "virtual_barcode",
]


class InvalidReference(ValueError):
    """A payment reference that a Finnish bank would not accept.

    It subclasses ValueError so that callers that only care about "bad input"
    need not know about this module; the message names the rule that failed so
    that it can be shown to the invoice sender as is.
    """


# Finnish reference: weights applied from the rightmost base digit leftwards.
_FI_WEIGHTS: Final = (7, 3, 1)
_FI_MIN_LENGTH: Final = 4
_FI_MAX_LENGTH: Final = 20

# ISO 11649: "RF" + two check digits + 1..21 alphanumerics.
_RF_MIN_LENGTH: Final = 5
_RF_MAX_LENGTH: Final = 25
_RF_MAX_BODY: Final = 21

_BARCODE_LENGTH: Final = 54
_MAX_BARCODE_AMOUNT: Final = Decimal("999999.99")
_CENT: Final = Decimal("0.01")
_NO_AMOUNT: Final = "00000000"
_NO_DUE_DATE: Final = "000000"

# Keeps the hashed fields of preview_reference apart, so that ("12", "3") and
# ("1", "23") cannot collide; the ASCII unit separator never occurs in the inputs.
_FIELD_SEPARATOR: Final = "\x1f"


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts superscripts and other scripts' digits.
    return value.isascii() and value.isdigit()


def compact_reference(value: str) -> str:
    """Return the reference without whitespace, in upper case.

    References are printed in groups and are often copied from PDFs, which
    brings in ordinary and non-breaking spaces; RF references are case
    insensitive, so upper case gives one canonical spelling.

    >>> compact_reference(' rf18 5390 0754\\u00a07034 ')
    'RF18539007547034'
    """
    return "".join(value.split()).upper()


# --------------------------------------------------------------------------
# Finnish national reference (viitenumero)
# --------------------------------------------------------------------------


def fi_check_digit(base: str) -> str:
    """Return the 7-3-1 check digit for a reference base.

    Leading zeros do not change the result, which is why Finvoice may carry a
    reference padded to 20 digits and still have it validate.

    >>> fi_check_digit('123')
    '2'
    >>> fi_check_digit('0000123')
    '2'
    """
    base = compact_reference(base)
    if not base or not _is_ascii_digits(base):
        raise InvalidReference(f"reference base must be digits only: {base!r}")
    total = sum(
        int(digit) * _FI_WEIGHTS[position % len(_FI_WEIGHTS)]
        for position, digit in enumerate(reversed(base))
    )
    return str((10 - total % 10) % 10)


def validate_fi_reference(value: str) -> str:
    """Return the compact Finnish reference or raise InvalidReference.

    Besides the check digit, the reference must have at least four
    significant digits: banks print references without leading zeros, so a
    padded "0000…0017" would reach the payer as the too-short "17".  The
    all-zero value passes the check-digit arithmetic but is a placeholder, not
    a reference, and is rejected explicitly.

    >>> validate_fi_reference('10107 44500 01009 462')
    '101074450001009462'
    """
    number = compact_reference(value)
    if not _is_ascii_digits(number):
        raise InvalidReference(f"Finnish reference must contain only digits: {number!r}")
    if len(number) < _FI_MIN_LENGTH:
        raise InvalidReference(
            f"Finnish reference must have at least {_FI_MIN_LENGTH} digits: {number!r}"
        )
    if len(number) > _FI_MAX_LENGTH:
        raise InvalidReference(
            f"Finnish reference must have at most {_FI_MAX_LENGTH} digits: {number!r}"
        )
    significant = number.lstrip("0")
    if not significant:
        raise InvalidReference("Finnish reference must not be all zeros")
    if len(significant) < _FI_MIN_LENGTH:
        raise InvalidReference(
            f"Finnish reference must have at least {_FI_MIN_LENGTH} digits "
            f"without leading zeros: {number!r}"
        )
    expected = fi_check_digit(number[:-1])
    if number[-1] != expected:
        raise InvalidReference(f"check digit {number[-1]} does not match the computed {expected}")
    return number


def is_valid_fi_reference(value: str) -> bool:
    """Tell whether the value is a valid Finnish reference, never raising.

    >>> is_valid_fi_reference('3001829355')
    True
    >>> is_valid_fi_reference('00000000000000000000')
    False
    """
    try:
        validate_fi_reference(value)
    except InvalidReference:
        return False
    return True


def make_fi_reference(base: str) -> str:
    """Append the check digit to a base of 3 to 19 digits.

    The result is validated as well, so a base that would only produce an
    unusable reference (such as all zeros) is refused here rather than later
    at the bank.

    >>> make_fi_reference('12345 67')
    '12345672'
    """
    number = compact_reference(base)
    if not _is_ascii_digits(number):
        raise InvalidReference(f"reference base must be digits only: {number!r}")
    if not _FI_MIN_LENGTH - 1 <= len(number) <= _FI_MAX_LENGTH - 1:
        raise InvalidReference(
            f"reference base must have {_FI_MIN_LENGTH - 1}-{_FI_MAX_LENGTH - 1} digits: {number!r}"
        )
    return validate_fi_reference(number + fi_check_digit(number))


def format_fi_reference(value: str) -> str:
    """Return the printed form: leading zeros dropped, groups of five from the right.

    This is the form the Finance Finland standard prescribes for the payment
    slip, so the preview shows the reference the way the payer will see it.

    >>> format_fi_reference('101074450001009462')
    '101 07445 00010 09462'
    """
    number = validate_fi_reference(value).lstrip("0")
    head = len(number) % 5
    groups = [number[:head]] if head else []
    groups.extend(number[start : start + 5] for start in range(head, len(number), 5))
    return " ".join(groups)


# --------------------------------------------------------------------------
# RF creditor reference (ISO 11649)
# --------------------------------------------------------------------------


def _rf_check_digits(body: str) -> str:
    # ISO 7064 MOD 97-10 over body + "RF00", letters read as base-36 numbers.
    numeric = "".join(str(int(char, 36)) for char in body + "RF00")
    return f"{98 - int(numeric) % 97:02d}"


def validate_rf_reference(value: str) -> str:
    """Return the compact RF reference or raise InvalidReference.

    Check digits 00, 01 and 99 are refused although 01 can satisfy the
    modulus: MOD 97-10 only ever generates 02–98, so such a value was not
    produced by a conforming generator and is far more likely a typing error
    than a real reference.

    >>> validate_rf_reference('rf18 5390 0754 7034')
    'RF18539007547034'
    """
    number = compact_reference(value)
    if not number.startswith("RF"):
        raise InvalidReference(f"RF reference must start with 'RF': {number!r}")
    if not _RF_MIN_LENGTH <= len(number) <= _RF_MAX_LENGTH:
        raise InvalidReference(
            f"RF reference must be {_RF_MIN_LENGTH}-{_RF_MAX_LENGTH} characters: {number!r}"
        )
    check, body = number[2:4], number[4:]
    if not _is_ascii_digits(check):
        raise InvalidReference(f"RF check digits must be digits: {check!r}")
    if not 2 <= int(check) <= 98:
        raise InvalidReference(f"RF check digits must be between 02 and 98: {check!r}")
    if not (body.isascii() and body.isalnum()):
        raise InvalidReference(f"RF reference body must be letters and digits: {body!r}")
    try:
        _stdnum_iso11649.validate(number)
    except _StdnumValidationError as error:
        raise InvalidReference(
            f"RF check digits {check} do not match the computed {_rf_check_digits(body)}"
        ) from error
    return number


def is_valid_rf_reference(value: str) -> bool:
    """Tell whether the value is a valid RF creditor reference, never raising.

    >>> is_valid_rf_reference('RF471234567890')
    True
    """
    try:
        validate_rf_reference(value)
    except InvalidReference:
        return False
    return True


def make_rf_reference(body: str) -> str:
    """Prefix ``RF`` and the ISO 11649 check digits to a body of 1 to 21 alphanumerics.

    In Finland the body is normally a complete national reference, check digit
    included, which is what preview_reference(rf=True) passes in.

    >>> make_rf_reference('539007547034')
    'RF18539007547034'
    """
    text = compact_reference(body)
    if not 1 <= len(text) <= _RF_MAX_BODY:
        raise InvalidReference(f"RF reference body must have 1-{_RF_MAX_BODY} characters: {text!r}")
    if not (text.isascii() and text.isalnum()):
        raise InvalidReference(f"RF reference body must be letters and digits: {text!r}")
    return validate_rf_reference(f"RF{_rf_check_digits(text)}{text}")


def format_rf_reference(value: str) -> str:
    """Return the printed form in groups of four, as ISO 11649 recommends.

    >>> format_rf_reference('RF8512345672')
    'RF85 1234 5672'
    """
    number = validate_rf_reference(value)
    return " ".join(number[start : start + 4] for start in range(0, len(number), 4))


# --------------------------------------------------------------------------
# Either scheme
# --------------------------------------------------------------------------


def reference_scheme(value: str) -> Literal["SPY", "ISO"] | None:
    """Infer the Finvoice ``IdentificationSchemeName`` from the value.

    Finvoice 2.01 and 3.0 make the attribute optional, so a missing attribute
    has to be recovered from the value itself.  Only the shape is looked at;
    validity is a separate question.

    >>> reference_scheme('RF18539007547034'), reference_scheme('1232'), reference_scheme('A1')
    ('ISO', 'SPY', None)
    """
    number = compact_reference(value)
    if number.startswith("RF"):
        return "ISO"
    if number and _is_ascii_digits(number):
        return "SPY"
    return None


def is_valid_reference(value: str, scheme: str | None = None) -> bool:
    """Tell whether the value is valid under the given or inferred scheme.

    An unknown scheme name yields False instead of raising, because the name
    usually comes straight from the invoice's XML attribute and a wrong name is
    a finding about the invoice, not a programming error.

    >>> is_valid_reference('RF111232'), is_valid_reference('RF111232', 'SPY')
    (True, False)
    """
    effective = reference_scheme(value) if scheme is None else scheme
    if effective == "SPY":
        return is_valid_fi_reference(value)
    if effective == "ISO":
        return is_valid_rf_reference(value)
    return False


def preview_reference(
    seller_id: str, invoice_number: str, invoice_date: date, *, rf: bool = False
) -> str:
    """Return a stable 12-digit reference standing in for the one Kassavirta will assign.

    The real reference is assigned by the service when it accepts the
    invoice, so the preview can only show a placeholder of the right shape.
    Deriving it from a hash keeps reruns of the preview reproducible (diffs
    and snapshot tests stay quiet) while still giving every invoice its own
    value.  The non-zero first digit keeps the length fixed at 12 even in the
    printed form, which drops leading zeros.  Surrounding whitespace is
    ignored because XML text nodes often carry it.

    >>> preview_reference('0912345-6', 'INV-1001', date(2026, 3, 2))
    '904499499276'
    >>> preview_reference('0912345-6', 'INV-1001', date(2026, 3, 2), rf=True)
    'RF69904499499276'
    """
    material = _FIELD_SEPARATOR.join(
        (seller_id.strip(), invoice_number.strip(), invoice_date.isoformat())
    )
    digest = hashlib.sha256(material.encode("utf-8")).digest()
    value = int.from_bytes(digest, "big")
    base = str(10**10 + value % (9 * 10**10))  # 11 digits, 10000000000..99999999999
    reference = make_fi_reference(base)
    return make_rf_reference(reference) if rf else reference


# --------------------------------------------------------------------------
# Virtual bank barcode (Pankkiviivakoodi-opas, versions 4 and 5)
# --------------------------------------------------------------------------


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
    if len(number) != 18 or not _is_ascii_digits(number[2:]):
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
        if not _is_ascii_digits(body):
            raise InvalidReference(
                f"an RF reference with letters cannot be put in a bank barcode: {number!r}"
            )
        code = f"5{account}{money}{number[2:4]}{body.zfill(_RF_MAX_BODY)}{due}"
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
    if len(digits) != _BARCODE_LENGTH or not _is_ascii_digits(digits):
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
