"""Typed profile values: parse cell text into stored values and format them back (R-T1, R-T2, R-C6).

Pure module (no Django): the single source of truth for forms, the CSV/xlsx
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
- number: ``[+-]digits[.digits]``; no point gives int, a point gives float. At most 15
  significant digits, so the stored number always means exactly what the cell says; floats must
  be finite and not subnormal. Formatting never uses exponents.
- list / tag: JSON arrays of strings; items are trimmed like cells, an empty item is an error,
  later duplicates are dropped (first occurrence order kept), and the 200-item limit applies to
  the stored (deduplicated) list.
- listOfNumber: JSON array whose numbers follow the number rules above (JSON syntax otherwise).
- phone: `contacts.profile_phones` (its speed code in `contacts.phone_fast`); date and datetime:
  `contacts.profile_dates`; EMPTY and the error: `contacts.profile_values`.
"""

import json
import math
import re
import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

from contacts.profile_dates import parse_date, parse_datetime
from contacts.profile_phones import parse_landline as parse_landline  # the importer reads it here
from contacts.profile_phones import parse_phone
from contacts.profile_values import (
    EMPTY,
    EmptyValue,
    Number,
    Parsed,
    Parser,
    ProfileValueError,
    StoredValue,
)

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
REASON_THOUSANDS_SEPARATOR: Final = "Remove the thousands separator"
REASON_NUMBER_FORMAT: Final = "Use digits with an optional decimal point, e.g. 1 or 1.01"
REASON_NUMBER_DIGITS: Final = "Use at most 15 significant digits"
REASON_NUMBER_RANGE: Final = "The number is too large or too close to zero"
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


def _parse_string(text: str) -> str | EmptyValue:
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


def _parse_number(text: str) -> Number | EmptyValue:
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


def _parse_boolean(text: str) -> bool | EmptyValue:
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


def _parse_list(text: str) -> list[str] | EmptyValue:
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


def _parse_tag(text: str) -> list[str] | EmptyValue:
    s = text.strip()
    if not s:
        return EMPTY
    items = _string_items(s, _load_array(s, REASON_LIST_FORMAT))
    for item in items:
        _check_tag(item)
    return items if items else EMPTY


def _parse_list_of_number(text: str) -> list[Number] | EmptyValue:
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
    PHONE: parse_phone,
    NUMBER: _parse_number,
    DATE: parse_date,
    DATETIME: parse_datetime,
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


def format_value(type_name: str, value: StoredValue | EmptyValue | None) -> str:
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
