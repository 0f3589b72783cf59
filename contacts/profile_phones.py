"""Phone numbers to E.164 (R-T1): the phone type, and the landline number's column.

Decisions:
- E.164 via phonenumbers; only digits, spaces, ``-``, ``.``, ``(`` and ``)`` may follow the
  leading ``+`` (no letters, no extensions). The international prefix ``00`` is read as ``+``
  (``0044 7700 900123``), and full-width forms (``＋８２ １０…``, typed with an East Asian input
  method) as their ASCII forms.
- A landline's errors give a landline as their example, a mobile's a mobile.
- A number is valid when the library deems it possible and valid. `contacts.phone_fast` answers
  first for the forms it mirrors exactly; the library has the last word on every other one.
"""

from typing import Final

import phonenumbers

from contacts.phone_fast import fast_e164, is_surely_valid
from contacts.profile_values import EMPTY, EmptyValue, Parser, ProfileValueError

REASON_PHONE_COUNTRY_CODE: Final = "Add the country code, e.g. +82 10-2020-3030"
REASON_PHONE_FORMAT: Final = (
    "Use only digits, spaces, dashes, dots and parentheses after the +, e.g. +82 10-2020-3030"
)
REASON_PHONE_INVALID: Final = "Not a valid phone number for its country code"
REASON_LANDLINE_COUNTRY_CODE: Final = "Add the country code, e.g. +82 2-555-6666"
REASON_LANDLINE_FORMAT: Final = (
    "Use only digits, spaces, dashes, dots and parentheses after the +, e.g. +82 2-555-6666"
)

_PHONE_SEPARATORS: Final = str.maketrans("", "", " -.()")
# Full-width ASCII forms (U+FF01-U+FF5E) and the ideographic space, as their ASCII forms.
_FULL_WIDTH: Final = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_E164: Final = phonenumbers.PhoneNumberFormat.E164
# parse() refuses longer text (phonenumberutil._MAX_INPUT_STRING_LENGTH)
_MAX_PHONE_INPUT: Final = 250


def parse_with_library(s: str, format_reason: str = REASON_PHONE_FORMAT) -> str:
    """The E.164 of a trimmed "+..." number as phonenumbers reads it, or ProfileValueError."""
    rest = s[1:].translate(_PHONE_SEPARATORS)
    if not (rest.isdigit() and rest.isascii()):
        raise ProfileValueError(format_reason)
    try:
        number = phonenumbers.parse(s, None)
    except phonenumbers.NumberParseException:
        raise ProfileValueError(REASON_PHONE_INVALID) from None
    nsn = phonenumbers.national_significant_number(number)
    if not (
        is_surely_valid(number.country_code, nsn)
        or (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number))
    ):
        raise ProfileValueError(REASON_PHONE_INVALID)
    return phonenumbers.format_number(number, _E164)


def _phone_parser(country_code_reason: str, format_reason: str) -> Parser:
    """The phone parser whose errors give these reasons (a mobile's or a landline's example)."""

    def parse_phone(text: str) -> str | EmptyValue:
        s = text.strip()
        if not s.isascii():
            s = s.translate(_FULL_WIDTH)
        if s[:1] != "+":
            if not s:
                return EMPTY
            if s[:2] != "00":
                raise ProfileValueError(country_code_reason)
            s = "+" + s[2:]
        digits = s[1:]
        if not digits.isdigit():
            if len(s) > _MAX_PHONE_INPUT:
                return parse_with_library(s, format_reason)
            digits = (
                digits.replace(" ", "")
                .replace("-", "")
                .replace(".", "")
                .replace("(", "")
                .replace(")", "")
            )
            if not digits.isdigit():
                return parse_with_library(s, format_reason)
        if 7 <= len(digits) <= 16 and digits.isascii() and (e164 := fast_e164(digits)) is not None:
            return e164
        return parse_with_library(s, format_reason)

    return parse_phone


parse_phone: Final = _phone_parser(REASON_PHONE_COUNTRY_CODE, REASON_PHONE_FORMAT)
parse_landline: Final = _phone_parser(REASON_LANDLINE_COUNTRY_CODE, REASON_LANDLINE_FORMAT)
