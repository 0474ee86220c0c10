"""Finnish national payment references and RF creditor references (ISO 11649).

When Kassavirta takes over an invoice it replaces the payment reference, so the
preview has to show the sender exactly what the new one will look like, and has
to tell a reference that a bank will reject from one it will accept. The checks
follow the published rules (Finance Finland's reference standard and ISO 11649)
rather than the looser Finvoice schema pattern.

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
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final, Literal

__all__ = [
    "InvalidReference",
    "compact_reference",
    "fi_check_digit",
    "format_fi_reference",
    "format_rf_reference",
    "is_ascii_digits",
    "is_valid_fi_reference",
    "is_valid_reference",
    "is_valid_rf_reference",
    "make_fi_reference",
    "make_rf_reference",
    "preview_reference",
    "reference_scheme",
    "validate_fi_reference",
    "validate_rf_reference",
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
RF_MAX_BODY: Final = 21

# Keeps the hashed fields of preview_reference apart, so that ("12", "3") and
# ("1", "23") cannot collide; the ASCII unit separator never occurs in the inputs.
_FIELD_SEPARATOR: Final = "\x1f"


def is_ascii_digits(value: str) -> bool:
    # str.isdigit() alone accepts superscripts and other scripts' digits.
    return value.isascii() and value.isdigit()


def _passes(validate: Callable[[str], str], value: str) -> bool:
    try:
        validate(value)
    except InvalidReference:
        return False
    return True


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
    if not base or not is_ascii_digits(base):
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
    if not is_ascii_digits(number):
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
    return _passes(validate_fi_reference, value)


def make_fi_reference(base: str) -> str:
    """Append the check digit to a base of 3 to 19 digits.

    The result is validated as well, so a base that would only produce an
    unusable reference (such as all zeros) is refused here rather than later
    at the bank.

    >>> make_fi_reference('12345 67')
    '12345672'
    """
    number = compact_reference(base)
    if not is_ascii_digits(number):
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
    if not is_ascii_digits(check):
        raise InvalidReference(f"RF check digits must be digits: {check!r}")
    if not 2 <= int(check) <= 98:
        raise InvalidReference(f"RF check digits must be between 02 and 98: {check!r}")
    if not (body.isascii() and body.isalnum()):
        raise InvalidReference(f"RF reference body must be letters and digits: {body!r}")
    from stdnum import iso11649
    from stdnum.exceptions import ValidationError

    try:
        iso11649.validate(number)
    except ValidationError as error:
        raise InvalidReference(
            f"RF check digits {check} do not match the computed {_rf_check_digits(body)}"
        ) from error
    return number


def is_valid_rf_reference(value: str) -> bool:
    """Tell whether the value is a valid RF creditor reference, never raising.

    >>> is_valid_rf_reference('RF471234567890')
    True
    """
    return _passes(validate_rf_reference, value)


def make_rf_reference(body: str) -> str:
    """Prefix ``RF`` and the ISO 11649 check digits to a body of 1 to 21 alphanumerics.

    In Finland the body is normally a complete national reference, check digit
    included, which is what preview_reference(rf=True) passes in.

    >>> make_rf_reference('539007547034')
    'RF18539007547034'
    """
    text = compact_reference(body)
    if not 1 <= len(text) <= RF_MAX_BODY:
        raise InvalidReference(f"RF reference body must have 1-{RF_MAX_BODY} characters: {text!r}")
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
    if number and is_ascii_digits(number):
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
    import hashlib  # only the preview needs it: not at import, a check never does

    digest = hashlib.sha256(material.encode("utf-8")).digest()
    value = int.from_bytes(digest, "big")
    base = str(10**10 + value % (9 * 10**10))  # 11 digits, 10000000000..99999999999
    reference = make_fi_reference(base)
    return make_rf_reference(reference) if rf else reference
