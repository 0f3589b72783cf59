"""Properties of the profile types over generated values: offsets, round trips, any text. Pure."""

import json
import math
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contacts.profile_types import (
    BOOLEAN,
    DATE,
    DATETIME,
    EMPTY,
    LIST,
    LIST_OF_NUMBER,
    NUMBER,
    PHONE,
    STRING,
    TAG,
    TYPES,
    ProfileValueError,
    format_value,
    parse,
)
from contacts.tests.phone_examples import ALL_E164_EXAMPLES
from contacts.tests.profile_type_cases import REASONS

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(
    moment=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    offset_minutes=st.integers(-23 * 60 - 59, 23 * 60 + 59),
    style=st.sampled_from(["{}{:+03d}:{:02d}", "{}{:+03d}{:02d}"]),
)
def test_R_T1_datetime_offsets_convert_to_utc(moment, offset_minutes, style):
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    sign = -1 if offset_minutes < 0 else 1
    hours, minutes = divmod(abs(offset_minutes), 60)
    text = style.format(moment.isoformat(timespec="milliseconds"), sign * hours, minutes)
    if sign < 0 and hours == 0:
        text = text.replace("+00", "-00")
    expected = moment - timedelta(minutes=offset_minutes)
    assert parse(DATETIME, text) == expected.isoformat(timespec="milliseconds") + "Z"


# Round trip: every stored value formats to a cell that parses back to it.

stored_strings = (
    st.text(max_size=520).map(str.strip).filter(lambda s: s and len(s) <= 512 and "\x00" not in s)
)
# A string value may begin with tabs (R-I14); list items are trimmed whole.
tabbed_strings = st.builds(
    lambda tabs, s: "\t" * tabs + s,
    st.integers(0, 2),
    stored_strings.filter(lambda s: len(s) <= 510),
)
finite_numbers = st.one_of(
    st.integers(-(10**15) + 1, 10**15 - 1),
    st.builds(
        lambda mantissa, exponent: float(f"{mantissa}e{exponent}"),
        st.integers(-(10**15) + 1, 10**15 - 1),
        st.integers(-300, 290),
    ),
    st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False).filter(
        lambda f: len(repr(f).split("e")[0].replace("-", "").replace(".", "").strip("0")) <= 15
    ),
)
tag_levels = st.text(
    st.characters(exclude_categories=["Cs", "Zs", "Zl", "Zp", "Cc"], exclude_characters="/.,$\\"),
    min_size=1,
    max_size=20,
)
tag_items = st.one_of(tag_levels, st.builds("{}/{}".format, tag_levels, tag_levels))

STORED_VALUES = {
    STRING: tabbed_strings,
    PHONE: st.sampled_from(ALL_E164_EXAMPLES),
    NUMBER: finite_numbers,
    DATE: st.dates().map(date.isoformat),
    DATETIME: st.datetimes().map(
        lambda moment: (
            moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat(
                timespec="milliseconds"
            )
            + "Z"
        )
    ),
    BOOLEAN: st.booleans(),
    LIST: st.lists(stored_strings, min_size=1, max_size=200, unique=True),
    LIST_OF_NUMBER: st.lists(finite_numbers, min_size=1, max_size=200, unique=True),
    TAG: st.lists(tag_items, min_size=1, max_size=200, unique=True),
}


def _same(a, b):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and (a == b or (isinstance(a, float) and math.isnan(a)))


@pytest.mark.parametrize("type_name", TYPES)
@PROPERTY
@given(data=st.data())
def test_R_E1_stored_values_round_trip_through_their_cell_text(type_name, data):
    value = data.draw(STORED_VALUES[type_name])
    assume(value != "" and value is not None)
    assert _same(parse(type_name, format_value(type_name, value)), value)


# Arbitrary text: a value, EMPTY or ProfileValueError, and accepted values are canonical.

cell_texts = st.one_of(
    st.text(),
    st.text("0123456789+-.,:/ TZe[]\"'", max_size=40),
    st.text("0123456789-:T.Z+", min_size=10, max_size=32),
    st.from_regex(r"\+\d{1,3}[ \-]?\(?0?\d{1,4}\)?[ \-.]?\d{2,5}[ \-]?\d{0,5}", fullmatch=True),
    st.builds(json.dumps, st.lists(st.one_of(st.text(max_size=30), st.integers(), st.floats()))),
)


@pytest.mark.parametrize("type_name", TYPES)
@PROPERTY
@given(text=cell_texts)
def test_R_T2_any_text_parses_or_raises_profile_value_error(type_name, text):
    try:
        value = parse(type_name, text)
    except ProfileValueError as error:
        assert error.reason in REASONS
        return
    if value is EMPTY:
        assert format_value(type_name, value) == ""
        return
    again = parse(type_name, format_value(type_name, value))
    assert _same(again, value)
    json.dumps(value, ensure_ascii=False).encode()
