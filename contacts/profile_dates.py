"""Dates and datetimes (R-T1): cell text to the stored ``YYYY-MM-DD`` and UTC ISO 8601 forms.

Decisions:
- date: exactly ``YYYY-MM-DD``.
- datetime: ``YYYY-MM-DD``, or that plus ``T`` (or a space) ``HH:MM[:SS[.fff]]`` with an optional
  ``Z`` / ``±HH[:MM]`` offset (no offset reads as UTC), or epoch milliseconds written with 12 or
  13 digits (1973-03-03 to 2286-11-20; shorter digit strings such as epoch seconds or 20250504
  are rejected, not misread). Stored as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC; more than 3
  fractional digits are rejected unless the extra ones are zeros, so nothing is truncated.
"""

import re
from datetime import date, datetime, timedelta
from typing import Final

from contacts.profile_values import EMPTY, EmptyValue, ProfileValueError

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


def parse_date(text: str) -> str | EmptyValue:
    """A ``YYYY-MM-DD`` cell as stored, EMPTY, or ProfileValueError."""
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


def parse_datetime(text: str) -> str | EmptyValue:
    """A datetime cell as stored, in UTC (see Decisions), EMPTY, or ProfileValueError."""
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
