"""Typed profile values: parse cell text into stored values and format them back (R-T1, R-T2, R-C6).

Pure module (stdlib + phonenumbers, no Django): the single source of truth for forms, the CSV/xlsx
importer and the export. A stored value is the canonical JSON-ready value kept in the profile's
JSON column, and ``parse(t, format_value(t, v)) == v`` for every stored value ``v``.

Decisions where the guide is silent (each rejects rather than guesses, per R-T2):

- Every cell is trimmed first; an empty or all-whitespace cell parses to ``EMPTY``, and so does
  ``[]`` for the list types (an empty list carries no data; ``format_value`` writes it as "").
  A string keeps its leading whitespace from the first tab on: a tab before ``=`` is how a
  spreadsheet is told that ``\t=1+1`` is text, and trimming it would turn the value into a
  formula (OWASP CSV injection).
- string: at most 512 code points; NUL and unpaired surrogates are rejected (Postgres jsonb and
  UTF-8 cannot hold them).
- phone: E.164 via phonenumbers; only digits, spaces, ``-``, ``.``, ``(`` and ``)`` may follow the
  leading ``+`` (no letters, no extensions). The international prefix ``00`` is read as ``+``
  (``0044 7700 900123``), and full-width forms (``＋８２ １０…``, typed with an East Asian input
  method) as their ASCII forms. A landline's errors give a landline as their example.
- number: ``[+-]digits[.digits]``; no point gives int, a point gives float. At most 15
  significant digits, so the stored number always means exactly what the cell says; floats must
  be finite and not subnormal. Formatting never uses exponents.
- date: exactly ``YYYY-MM-DD``.
- datetime: ``YYYY-MM-DD``, or that plus ``T`` (or a space) ``HH:MM[:SS[.fff]]`` with an optional
  ``Z`` / ``±HH[:MM]`` offset (no offset reads as UTC), or epoch milliseconds written with 12 or
  13 digits (1973-03-03 to 2286-11-20; shorter digit strings such as epoch seconds or 20250504
  are rejected, not misread). Stored as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC; more than 3
  fractional digits are rejected unless the extra ones are zeros, so nothing is truncated.
- list / tag: JSON arrays of strings; items are trimmed like cells, an empty item is an error,
  later duplicates are dropped (first occurrence order kept), and the 200-item limit applies to
  the stored (deduplicated) list.
- listOfNumber: JSON array whose numbers follow the number rules above (JSON syntax otherwise).
"""

import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Final, Literal, TypeAlias

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

STRING: Final = "string"
PHONE: Final = "phone"
NUMBER: Final = "number"
DATE: Final = "date"
DATETIME: Final = "datetime"
BOOLEAN: Final = "boolean"
LIST: Final = "list"
LIST_OF_NUMBER: Final = "listOfNumber"
TAG: Final = "tag"
TYPES: Final = (STRING, PHONE, NUMBER, DATE, DATETIME, BOOLEAN, LIST, LIST_OF_NUMBER, TAG)
LIST_TYPES: Final = frozenset({LIST, LIST_OF_NUMBER, TAG})

MAX_STRING: Final = 512
MAX_LIST_ITEMS: Final = 200
MAX_PROFILE_KEYS: Final = 256
MAX_PROFILE_BYTES: Final = 15 * 1024
MAX_KEY_NAME: Final = 64
MAX_SIGNIFICANT_DIGITS: Final = 15

REASON_TOO_LONG: Final = "At most 512 characters"
REASON_TOO_MANY_ITEMS: Final = "At most 200 items"
REASON_BAD_CHARACTER: Final = "Remove the NUL (\\u0000) or broken Unicode character"
REASON_PHONE_COUNTRY_CODE: Final = "Add the country code, e.g. +82 10-2020-3030"
REASON_PHONE_FORMAT: Final = (
    "Use only digits, spaces, dashes, dots and parentheses after the +, e.g. +82 10-2020-3030"
)
REASON_PHONE_INVALID: Final = "Not a valid phone number for its country code"
REASON_LANDLINE_COUNTRY_CODE: Final = "Add the country code, e.g. +82 2-555-6666"
REASON_LANDLINE_FORMAT: Final = (
    "Use only digits, spaces, dashes, dots and parentheses after the +, e.g. +82 2-555-6666"
)
REASON_THOUSANDS_SEPARATOR: Final = "Remove the thousands separator"
REASON_NUMBER_FORMAT: Final = "Use digits with an optional decimal point, e.g. 1 or 1.01"
REASON_NUMBER_DIGITS: Final = "Use at most 15 significant digits"
REASON_NUMBER_RANGE: Final = "The number is too large or too close to zero"
REASON_DATE_FORMAT: Final = "Use YYYY-MM-DD, e.g. 2025-05-04"
REASON_DATE_INVALID: Final = "This date does not exist"
REASON_DATETIME_FORMAT: Final = (
    "Use YYYY-MM-DD, ISO 8601 such as 2025-05-04T09:00:00+09:00,"
    " or epoch milliseconds such as 1746316800000"
)
REASON_DATETIME_INVALID: Final = "This date or time does not exist"
REASON_DATETIME_PRECISION: Final = "Use at most 3 decimal places for seconds"
REASON_DATETIME_RANGE: Final = "The date must fall between years 0001 and 9999 in UTC"
REASON_EPOCH_DIGITS: Final = "Write epoch milliseconds with 12 or 13 digits, e.g. 1746316800000"
REASON_BOOLEAN: Final = "Use true/false, yes/no, y/n or 1/0"
REASON_LIST_FORMAT: Final = 'Write the list as ["a", "b"]'
REASON_NUMBER_LIST_FORMAT: Final = "Write the list as [1, 2]"
REASON_EMPTY_ITEM: Final = "Remove the empty item"
REASON_TAG_CHARACTER: Final = "Tags cannot contain . , $ \\ or spaces"
REASON_TAG_LEVELS: Final = (
    'Use at most 2 levels separated by one "/", not at the start or end, e.g. "basic/level1"'
)
REASON_TOO_MANY_KEYS: Final = "At most 256 profile keys"
REASON_PROFILE_TOO_LARGE: Final = "At most 15 KB per profile"
REASON_KEY_NAME: Final = (
    "Use letters, digits and _ only, starting with a letter, at most 64 characters"
)


class _Empty(Enum):
    EMPTY = "EMPTY"

    def __repr__(self) -> str:
        return "EMPTY"

    def __bool__(self) -> bool:
        return False


EMPTY: Final = _Empty.EMPTY

Number: TypeAlias = int | float
StoredValue: TypeAlias = str | int | float | bool | list[str] | list[Number]
Parsed: TypeAlias = StoredValue | Literal[_Empty.EMPTY]
Parser: TypeAlias = Callable[[str], Parsed]


class ProfileValueError(ValueError):
    """A cell or profile breaks its type or a limit; ``reason`` is one of the REASON_* constants."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def _item_detail(item: object) -> str:
    text = repr(item)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_characters(s: str) -> None:
    """Reject what a JSON column cannot hold: NUL (Postgres jsonb) and unpaired surrogates."""
    if "\x00" in s:
        raise ProfileValueError(REASON_BAD_CHARACTER)
    if not s.isascii():
        try:
            s.encode()
        except UnicodeEncodeError:
            raise ProfileValueError(REASON_BAD_CHARACTER) from None


# string


def _parse_string(text: str) -> str | Literal[_Empty.EMPTY]:
    s = text.strip()
    if not s:
        return EMPTY
    if s[0] != text[0]:
        s = _with_leading_tabs(text, s)
    if len(s) > MAX_STRING:
        raise ProfileValueError(REASON_TOO_LONG)
    if "\x00" in s or not s.isascii():
        _check_characters(s)
    return s


def _with_leading_tabs(text: str, trimmed: str) -> str:
    """The trimmed string with the leading whitespace from its first tab on put back."""
    lead = text[: len(text) - len(text.lstrip())]
    tab = lead.find("\t")
    return trimmed if tab < 0 else lead[tab:] + trimmed


# number

_THOUSANDS_RE: Final = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
_MIN_NORMAL: Final = sys.float_info.min


def _number_from_token(s: str) -> Number:
    """Parse a trimmed, non-empty number token (a number cell or a listOfNumber item)."""
    body = s[1:] if s[0] in "+-" else s
    if body.isdigit() and body.isascii():
        if len(body) <= MAX_SIGNIFICANT_DIGITS:
            return int(s)
        body = body.lstrip("0") or "0"
        if len(body) > MAX_SIGNIFICANT_DIGITS:
            raise ProfileValueError(REASON_NUMBER_DIGITS)
        return -int(body) if s[0] == "-" else int(body)
    whole, point, fraction = body.partition(".")
    digits = whole + fraction
    if not (point and digits.isdigit() and digits.isascii()):
        if _THOUSANDS_RE.fullmatch(s):
            raise ProfileValueError(REASON_THOUSANDS_SEPARATOR)
        raise ProfileValueError(REASON_NUMBER_FORMAT)
    if len(digits) > MAX_SIGNIFICANT_DIGITS and len(digits.strip("0")) > MAX_SIGNIFICANT_DIGITS:
        raise ProfileValueError(REASON_NUMBER_DIGITS)
    value = float(s)
    if value != 0.0 and not (_MIN_NORMAL <= abs(value) < math.inf):
        raise ProfileValueError(REASON_NUMBER_RANGE)
    return value


def _parse_number(text: str) -> Number | Literal[_Empty.EMPTY]:
    if text.isdigit() and text.isascii() and len(text) <= MAX_SIGNIFICANT_DIGITS:
        return int(text)
    s = text.strip()
    if not s:
        return EMPTY
    return _number_from_token(s)


def _format_number(value: Number) -> str:
    if type(value) is int:
        return str(value)
    if type(value) is not float:
        raise TypeError(f"Not a stored number: {value!r}")
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


# boolean

_BOOLEAN_WORDS: Final = {"true": True, "yes": True, "y": True, "1": True}
_BOOLEAN_WORDS.update({"false": False, "no": False, "n": False, "0": False})
# The usual spellings hit the dict directly; any other case goes through lower().
_BOOLEANS: Final = {
    spelling: value
    for word, value in _BOOLEAN_WORDS.items()
    for spelling in (word, word.upper(), word.title())
}


def _parse_boolean(text: str) -> bool | Literal[_Empty.EMPTY]:
    value = _BOOLEANS.get(text)
    if value is not None:
        return value
    s = text.strip()
    if s.isascii():
        value = _BOOLEANS.get(s.lower())
        if value is not None:
            return value
    if not s:
        return EMPTY
    raise ProfileValueError(REASON_BOOLEAN)


# date and datetime

_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME_RE: Final = re.compile(
    r"(\d{4}-\d{2}-\d{2})"
    r"(?:[T ](\d{2}:\d{2})(:\d{2})?(?:[.,](\d+))?"
    r"(Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?",
    re.ASCII,
)
_EPOCH: Final = datetime(1970, 1, 1)
_OFFSETS: dict[str, timedelta] = {}
_date_fromisoformat: Final = date.fromisoformat
_datetime_fromisoformat: Final = datetime.fromisoformat


def _parse_date(text: str) -> str | Literal[_Empty.EMPTY]:
    s = text.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and _DATE_RE.fullmatch(s):
        try:
            _date_fromisoformat(s)
        except ValueError:
            raise ProfileValueError(REASON_DATE_INVALID) from None
        return s
    if not s:
        return EMPTY
    raise ProfileValueError(REASON_DATE_FORMAT)


def _offset(text: str) -> timedelta:
    """The timedelta of a "+HH", "+HHMM" or "+HH:MM" offset already checked by _DATETIME_RE."""
    try:
        return _OFFSETS[text]
    except KeyError:
        minutes = int(text[1:3]) * 60 + (int(text[-2:]) if len(text) > 3 else 0)
        delta = _OFFSETS[text] = timedelta(0, (-60 if text[0] == "-" else 60) * minutes)
        return delta


def _parse_datetime(text: str) -> str | Literal[_Empty.EMPTY]:
    s = text.strip()
    match = _DATETIME_RE.fullmatch(s)
    if match is None:
        if s.isdigit() and s.isascii():
            if not 12 <= len(s) <= 13:
                raise ProfileValueError(REASON_EPOCH_DIGITS)
            seconds, milliseconds = divmod(int(s), 1000)
            return _format_moment(_EPOCH + timedelta(0, seconds, 1000 * milliseconds))
        if not s:
            return EMPTY
        raise ProfileValueError(REASON_DATETIME_FORMAT)
    day, hour_minute, second, fraction, offset = match.groups()
    if fraction is None:
        milliseconds = "000"
    elif len(fraction) <= 3:
        milliseconds = fraction.ljust(3, "0")
    elif fraction[3:].strip("0"):
        raise ProfileValueError(REASON_DATETIME_PRECISION)
    else:
        milliseconds = fraction[:3]
    try:
        # Validates the calendar and clock; the text is already known to be in our grammar.
        moment = _datetime_fromisoformat(s if offset is None else s[: -len(offset)])
    except ValueError:
        raise ProfileValueError(REASON_DATETIME_INVALID) from None
    if offset is None or offset == "Z" or not offset.strip("+-:0"):
        if hour_minute is None:
            return day + "T00:00:00.000Z"
        return f"{day}T{hour_minute}{second or ':00'}.{milliseconds}Z"
    try:
        moment -= _offset(offset)
    except OverflowError:
        raise ProfileValueError(REASON_DATETIME_RANGE) from None
    return _format_moment(moment)


def _format_moment(moment: datetime) -> str:
    """Canonical text of a naive UTC datetime whose microseconds are whole milliseconds."""
    text = moment.isoformat()
    return text[:23] + "Z" if moment.microsecond else text + ".000Z"


# phone

_COUNTRY_CODES: Final = frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
_PHONE_SEPARATORS: Final = str.maketrans("", "", " -.()")
# Full-width ASCII forms (U+FF01-U+FF5E) and the ideographic space, as their ASCII forms.
_FULL_WIDTH: Final = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_E164: Final = phonenumbers.PhoneNumberFormat.E164
# parse() refuses longer text (phonenumberutil._MAX_INPUT_STRING_LENGTH)
_MAX_PHONE_INPUT: Final = 250
_Desc: TypeAlias = tuple[frozenset[int], re.Pattern[str] | None]
# national prefix for parsing, leading digits, general, whether a plain trunk "0" after the
# country code may be dropped here (national prefix "0"), whether the region has a national
# prefix transform rule, and by national number length the one pattern of "valid" (see
# _valid_patterns)
_FastRule: TypeAlias = tuple[
    re.Pattern[str] | None,
    re.Pattern[str] | None,
    _Desc,
    bool,
    bool,
    dict[int, re.Pattern[str]],
]
_FAST_RULES: dict[str, _FastRule | None] = {}
# The length of the country code that starts each three digits (country codes are prefix-free).
_COUNTRY_CODE_SIZE: Final = {
    prefix: size
    for prefix in (str(n) for n in range(100, 1000))
    for size in (1, 2, 3)
    if prefix[:size] in _COUNTRY_CODES
}
# What the fast path needs of the first three digits: the country code's length and its rule;
# None where no rule applies (see _phone_prefix).
_PhonePrefix: TypeAlias = tuple[int, _FastRule]


class _PhonePrefixes(dict[str, _PhonePrefix | None]):
    """Filled on first use: one lookup a number instead of three (at most 1,000 keys: every
    key is a number's first three ASCII digits)."""

    def __missing__(self, digits: str) -> _PhonePrefix | None:
        found = self[digits] = _phone_prefix(digits)
        return found


_PHONE_PREFIXES: Final = _PhonePrefixes()


def _desc(desc: object) -> _Desc | None:
    if desc is None:
        return None
    pattern = desc.national_number_pattern  # type: ignore[attr-defined]
    lengths = frozenset(desc.possible_length)  # type: ignore[attr-defined]
    return (lengths, re.compile(pattern) if pattern else None)


def _fast_rule(country_code: str) -> _FastRule | None:
    """The main region's metadata, precompiled; None means: always ask the library.

    This mirrors phonenumbers (``parse``, ``region_code_for_number``, ``_number_type_helper``)
    for the one verdict it shortcuts, "valid": ``is_valid_number`` checks the country code's
    main region when its leading digits match (or it has none and the number is valid there),
    and valid there means the general pattern and a type pattern match. Only fixed line and
    mobile are tried here; every other outcome is left to the library.
    """
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[int(country_code)]
    region = regions[0]
    if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None or metadata.general_desc is None:
        return None
    general = _desc(metadata.general_desc)
    if general is None or not general[0] or general[1] is None:
        return None  # without possible lengths, "valid" might not imply "possible"
    prefix = metadata.national_prefix_for_parsing
    leading = metadata.leading_digits if len(regions) > 1 else None
    mobile = None if metadata.same_mobile_and_fixed_line_pattern else _desc(metadata.mobile)
    return (
        re.compile(prefix) if prefix else None,
        re.compile(leading) if leading else None,
        general,
        metadata.national_prefix == "0" and bool(prefix),
        bool(metadata.national_prefix_transform_rule),
        _valid_patterns(general, mobile, _desc(metadata.fixed_line)),
    )


def _valid_patterns(general: _Desc, *types: _Desc | None) -> dict[int, re.Pattern[str]]:
    """By national number length, one pattern that matches exactly the numbers the general
    pattern and a type pattern of that length (mobile or fixed line) both match: one regular
    expression a number instead of three."""
    lengths, general_pattern = general
    patterns = {}
    for length in lengths:
        alternatives = [
            pattern.pattern
            for type_lengths, pattern in filter(None, types)
            if pattern is not None and (not type_lengths or length in type_lengths)
        ]
        if alternatives:
            either = "|".join(f"(?:{pattern})" for pattern in alternatives)
            patterns[length] = re.compile(f"(?=(?:{general_pattern.pattern})\\Z)(?:{either})")
    return patterns


def _rule_for(country_code: str) -> _FastRule | None:
    try:
        return _FAST_RULES[country_code]
    except KeyError:
        rule = _FAST_RULES[country_code] = _fast_rule(country_code)
        return rule


def _is_fast_valid(rule: _FastRule, nsn: str) -> bool:
    """True only if phonenumbers deems the number possible and valid; False means: ask it."""
    leading = rule[1]
    if leading is not None and not leading.match(nsn):
        return False
    pattern = rule[5].get(len(nsn))
    return pattern is not None and pattern.fullmatch(nsn) is not None


def _without_trunk_zero(rule: _FastRule, nsn: str, match: re.Match[str]) -> str | None:
    """The national number parse() keeps when the prefix pattern matched; None: ask the library.

    Mirrors ``parse`` and ``_maybe_strip_national_prefix_carrier_code`` for a plain trunk "0"
    only (no carrier code; with a transform rule, only when its last group captured nothing,
    which is when the library strips instead of transforming): the "0" is dropped when the rest
    has a possible length of the region (``_test_number_length`` is then IS_POSSIBLE; possible
    and local-only lengths never overlap) and the rest matches the general pattern (if it does
    not, the library may keep the "0", and the number is not valid here anyway).
    """
    if not rule[3] or match.end() != 1 or nsn[0] != "0":
        return None
    groups = match.re.groups
    if rule[4] and (not groups or match.group(groups) is not None):
        return None
    rest = nsn[1:]
    lengths, pattern = rule[2]
    if len(rest) not in lengths or rest[0] == "0" or not pattern.fullmatch(rest):  # type: ignore[union-attr]
        return None
    return rest


def _phone_prefix(digits: str) -> _PhonePrefix | None:
    size = _COUNTRY_CODE_SIZE.get(digits)
    if size is None:
        return None
    rule = _rule_for(digits[:size])
    return None if rule is None else (size, rule)


def _fast_e164(digits: str) -> str | None:
    """The library's E.164 of "+<digits>" if it is certainly valid; None means: ask the library.

    ``digits`` are ASCII digits (separators removed, as ``parse`` normalizes them), at least 7
    and at most 16 of them.
    """
    found = _PHONE_PREFIXES[digits[:3]]
    if found is None:
        return None
    size, rule = found
    nsn = digits[size:]
    prefix = rule[0]
    match = prefix.match(nsn) if prefix is not None else None
    if match is not None:
        # parse() would strip a national prefix; only a plain trunk "0" is mirrored here.
        nsn = _without_trunk_zero(rule, nsn, match)  # type: ignore[assignment]
        if nsn is None:
            return None
        digits = digits[:size] + nsn
    elif nsn[0] == "0":
        return None  # kept as an Italian leading zero; let the library judge it
    if len(digits) > 15 or not _is_fast_valid(rule, nsn):
        return None
    return "+" + digits


def _parse_phone_with_library(s: str, format_reason: str = REASON_PHONE_FORMAT) -> str:
    rest = s[1:].translate(_PHONE_SEPARATORS)
    if not (rest.isdigit() and rest.isascii()):
        raise ProfileValueError(format_reason)
    try:
        number = phonenumbers.parse(s, None)
    except phonenumbers.NumberParseException:
        raise ProfileValueError(REASON_PHONE_INVALID) from None
    rule = _rule_for(str(number.country_code))
    nsn = phonenumbers.national_significant_number(number)
    if not (
        (rule is not None and _is_fast_valid(rule, nsn))
        or (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number))
    ):
        raise ProfileValueError(REASON_PHONE_INVALID)
    return phonenumbers.format_number(number, _E164)


def _phone_parser(country_code_reason: str, format_reason: str) -> Parser:
    """The phone parser whose errors give these reasons (a mobile's or a landline's example)."""

    def parse_phone(text: str) -> str | Literal[_Empty.EMPTY]:
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
                return _parse_phone_with_library(s, format_reason)
            digits = (
                digits.replace(" ", "")
                .replace("-", "")
                .replace(".", "")
                .replace("(", "")
                .replace(")", "")
            )
            if not digits.isdigit():
                return _parse_phone_with_library(s, format_reason)
        if 7 <= len(digits) <= 16 and digits.isascii() and (e164 := _fast_e164(digits)) is not None:
            return e164
        return _parse_phone_with_library(s, format_reason)

    return parse_phone


_parse_phone: Final = _phone_parser(REASON_PHONE_COUNTRY_CODE, REASON_PHONE_FORMAT)
parse_landline: Final = _phone_parser(REASON_LANDLINE_COUNTRY_CODE, REASON_LANDLINE_FORMAT)


# list, listOfNumber, tag

_TAG_RE: Final = re.compile(r"[^/.,$\\\s]+(?:/[^/.,$\\\s]+)?")
_TAG_FORBIDDEN_RE: Final = re.compile(r"[.,$\\\s]")


def _reject_json_constant(name: str) -> float:
    raise ProfileValueError(REASON_NUMBER_FORMAT, name)


_STRINGS_DECODER: Final = json.JSONDecoder()
_NUMBERS_DECODER: Final = json.JSONDecoder(parse_constant=_reject_json_constant)
_CHECKED_NUMBERS_DECODER: Final = json.JSONDecoder(
    parse_int=_number_from_token,
    parse_float=_number_from_token,
    parse_constant=_reject_json_constant,
)
_LONG_DIGITS_RE: Final = re.compile(r"[0-9.]{16}")


def _load_array(s: str, reason: str, decoder: json.JSONDecoder = _STRINGS_DECODER) -> list[object]:
    """Decode a trimmed cell that must hold one JSON array (raw_decode skips loads' overhead)."""
    if s[0] != "[":
        raise ProfileValueError(reason)
    try:
        value, end = decoder.raw_decode(s)
    except ProfileValueError:
        raise
    except (ValueError, RecursionError):
        raise ProfileValueError(reason) from None
    if end != len(s) or type(value) is not list:
        raise ProfileValueError(reason)
    return value


def _string_items(s: str, items: list[object]) -> list[str]:
    # NUL and lone surrogates can only arrive as \u escapes or as non-ASCII cell text.
    check_characters = "\\u" in s or not s.isascii()
    kept: dict[str, None] = {}
    for item in items:
        if type(item) is not str:
            raise ProfileValueError(REASON_LIST_FORMAT, _item_detail(item))
        item = item.strip()
        if not item:
            raise ProfileValueError(REASON_EMPTY_ITEM)
        if len(item) > MAX_STRING:
            raise ProfileValueError(REASON_TOO_LONG, _item_detail(item))
        if check_characters:
            _check_characters(item)
        kept[item] = None
    if len(kept) > MAX_LIST_ITEMS:
        raise ProfileValueError(REASON_TOO_MANY_ITEMS)
    return list(kept)


def _parse_list(text: str) -> list[str] | Literal[_Empty.EMPTY]:
    s = text.strip()
    if not s:
        return EMPTY
    items = _string_items(s, _load_array(s, REASON_LIST_FORMAT))
    return items if items else EMPTY


def _check_tag(item: str) -> None:
    # Letters and digits around at most one inner "/" are the common case; the regex decides
    # everything else (other punctuation such as - and _ is allowed).
    if item.replace("/", "", 1).isalnum() and item[0] != "/" and item[-1] != "/":
        return
    if _TAG_RE.fullmatch(item) is None:
        if _TAG_FORBIDDEN_RE.search(item):
            raise ProfileValueError(REASON_TAG_CHARACTER, _item_detail(item))
        raise ProfileValueError(REASON_TAG_LEVELS, _item_detail(item))


def _parse_tag(text: str) -> list[str] | Literal[_Empty.EMPTY]:
    s = text.strip()
    if not s:
        return EMPTY
    items = _string_items(s, _load_array(s, REASON_LIST_FORMAT))
    for item in items:
        _check_tag(item)
    return items if items else EMPTY


def _parse_list_of_number(text: str) -> list[Number] | Literal[_Empty.EMPTY]:
    s = text.strip()
    if not s:
        return EMPTY
    # Without an exponent or a run of 16+ digits every JSON number already meets the number
    # rules, so only other cells pay for checking each token in Python.
    if "e" in s or "E" in s or _LONG_DIGITS_RE.search(s):
        items = _load_array(s, REASON_NUMBER_LIST_FORMAT, _CHECKED_NUMBERS_DECODER)
    else:
        items = _load_array(s, REASON_NUMBER_LIST_FORMAT, _NUMBERS_DECODER)
    for item in items:
        if type(item) is not int and type(item) is not float:
            raise ProfileValueError(REASON_NUMBER_LIST_FORMAT, _item_detail(item))
    kept = list(dict.fromkeys(items))
    if len(kept) > MAX_LIST_ITEMS:
        raise ProfileValueError(REASON_TOO_MANY_ITEMS)
    return kept if kept else EMPTY  # type: ignore[return-value]


# public API

_PARSERS: Final[dict[str, Parser]] = {
    STRING: _parse_string,
    PHONE: _parse_phone,
    NUMBER: _parse_number,
    DATE: _parse_date,
    DATETIME: _parse_datetime,
    BOOLEAN: _parse_boolean,
    LIST: _parse_list,
    LIST_OF_NUMBER: _parse_list_of_number,
    TAG: _parse_tag,
}


def parser_for(type_name: str) -> Parser:
    """Return the cell parser of a type, for calling once per cell in a hot loop."""
    try:
        return _PARSERS[type_name]
    except KeyError:
        raise ValueError(f"Unknown profile type {type_name!r}") from None


def parse(type_name: str, text: str) -> Parsed:
    """Parse cell text into its stored value, EMPTY, or raise ProfileValueError."""
    return parser_for(type_name)(text)


def format_value(type_name: str, value: StoredValue | Literal[_Empty.EMPTY] | None) -> str:
    """Return the cell text that parses back to ``value`` ("" for EMPTY, None or [])."""
    if value is None or value is EMPTY:
        return ""
    if type_name in (STRING, PHONE, DATE, DATETIME):
        return value  # type: ignore[return-value]
    if type_name == NUMBER:
        return _format_number(value)  # type: ignore[arg-type]
    if type_name == BOOLEAN:
        if type(value) is not bool:
            raise TypeError(f"Not a stored boolean: {value!r}")
        return "true" if value else "false"
    if type_name in (LIST, TAG):
        return json.dumps(value, ensure_ascii=False) if value else ""
    if type_name == LIST_OF_NUMBER:
        if not value:
            return ""
        return "[" + ", ".join(map(_format_number, value)) + "]"  # type: ignore[arg-type]
    raise ValueError(f"Unknown profile type {type_name!r}")


def to_python(type_name: str, value: StoredValue) -> object:
    """Return the form-friendly value: date for date, aware UTC datetime for datetime."""
    if type_name == DATE:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    if type_name == DATETIME:
        return datetime.fromisoformat(value).astimezone(UTC)  # type: ignore[arg-type]
    return value


def merge_list_values(existing: Iterable[object], added: Iterable[object]) -> list[object]:
    """Append ``added`` to ``existing`` without duplicates (R-I9), within the item limit."""
    merged = list(dict.fromkeys([*existing, *added]))
    if len(merged) > MAX_LIST_ITEMS:
        raise ProfileValueError(REASON_TOO_MANY_ITEMS)
    return merged


def profile_size(profile: Mapping[str, object]) -> int:
    """Return the profile's size in bytes: UTF-8 of its compact JSON."""
    return len(json.dumps(profile, separators=(",", ":"), ensure_ascii=False).encode())


def check_profile_limits(profile: Mapping[str, object]) -> None:
    """Raise ProfileValueError if the profile has over 256 keys or over 15 KB (R-C6)."""
    if len(profile) > MAX_PROFILE_KEYS:
        raise ProfileValueError(REASON_TOO_MANY_KEYS)
    if profile_size(profile) > MAX_PROFILE_BYTES:
        raise ProfileValueError(REASON_PROFILE_TOO_LARGE)


KEY_NAME_RE: Final = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{MAX_KEY_NAME - 1}}}")


def validate_key_name(name: str) -> None:
    """Raise ProfileValueError unless ``name`` is a valid custom profile key name."""
    if KEY_NAME_RE.fullmatch(name) is None:
        raise ProfileValueError(REASON_KEY_NAME)
