"""Typed profile values (R-T1, R-T2, R-C6). Pure: no database, no Django."""

import json
import math
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contacts import profile_dates, profile_phones
from contacts import profile_types as pt
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
    parser_for,
)
from contacts.tests.phone_examples import ALL_E164_EXAMPLES

REASON_MODULES = (pt, profile_dates, profile_phones)
REASONS = {v for m in REASON_MODULES for name, v in vars(m).items() if name.startswith("REASON_")}
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def accepted(type_name, text, expected, rule="R-T1"):
    return pytest.param(type_name, text, expected, id=f"{rule}-{type_name}-{text[:40]!r}")


def rejected(type_name, text, reason, rule="R-T1"):
    return pytest.param(type_name, text, reason, id=f"{rule}-{type_name}-{text[:40]!r}")


def assert_rejected(type_name, text, reason):
    with pytest.raises(ProfileValueError) as caught:
        parse(type_name, text)
    assert caught.value.reason == reason


# The guide's "Supported Formats" examples, and the forms it rejects.

STRING_CASES = [
    accepted(STRING, "hello", "hello"),
    accepted(STRING, "  Kim Minji \t", "Kim Minji"),
    # A leading tab marks a formula as text (OWASP); trimming it would make it live (R-I14).
    accepted(STRING, "\t=1+1", "\t=1+1", rule="R-I14"),
    accepted(STRING, " \t\t=1+1 ", "\t\t=1+1", rule="R-I14"),
    accepted(STRING, "\t \t", pt.EMPTY, rule="R-I14"),
    accepted(STRING, "x" * 512, "x" * 512),
    accepted(STRING, "가" * 512, "가" * 512),
]
STRING_REJECTED = [
    rejected(STRING, "x" * 513, pt.REASON_TOO_LONG),
    rejected(STRING, "a\x00b", pt.REASON_BAD_CHARACTER),
    rejected(STRING, "a\ud800b", pt.REASON_BAD_CHARACTER),
]
PHONE_CASES = [
    accepted(PHONE, "+821020203030", "+821020203030"),
    accepted(PHONE, "+82 010-2020-3030", "+821020203030"),
    accepted(PHONE, "+8225556666", "+8225556666"),
    accepted(PHONE, "+82 02-555-6666", "+8225556666"),
    accepted(PHONE, "+82 (02) 555.6666", "+8225556666"),
    accepted(PHONE, "+82 10 2020 3030", "+821020203030"),
    accepted(PHONE, "+8201020203030", "+821020203030"),
    accepted(PHONE, " +1 650-253-0000 ", "+16502530000"),
    accepted(PHONE, "+447911123456", "+447911123456"),
    accepted(PHONE, "+390612345678", "+390612345678"),
    accepted(PHONE, "+39 06 1234 5678", "+390612345678"),
    accepted(PHONE, "+82 (010) 2020-3030.", "+821020203030"),
    accepted(PHONE, "+82 0 10 2020 3030", "+821020203030"),
    accepted(PHONE, "+44 (0)20 7946 0958", "+442079460958"),
    accepted(PHONE, "+33 06 12 34 56 78", "+33612345678"),
    accepted(PHONE, "+49 030 123456", "+4930123456"),
    accepted(PHONE, "+61 04 1234 5678", "+61412345678"),
    accepted(PHONE, "+81 090-1234-5678", "+819012345678"),
    accepted(PHONE, "+86 010 1234 5678", "+861012345678"),
    accepted(PHONE, "+7 8 912 345 67 89", "+79123456789"),
    accepted(PHONE, "+1 (415) 555-0100", "+14155550100"),
]
PHONE_REJECTED = [
    rejected(PHONE, "01020203030", profile_phones.REASON_PHONE_COUNTRY_CODE),
    rejected(PHONE, "821020203030", profile_phones.REASON_PHONE_COUNTRY_CODE),
    rejected(PHONE, "010-2020-3030", profile_phones.REASON_PHONE_COUNTRY_CODE),
    rejected(PHONE, "+82 10 2020 3030 ext 5", profile_phones.REASON_PHONE_FORMAT),
    rejected(PHONE, "+82 10/2020/3030", profile_phones.REASON_PHONE_FORMAT),
    rejected(PHONE, "++821020203030", profile_phones.REASON_PHONE_FORMAT),
    rejected(PHONE, "+", profile_phones.REASON_PHONE_FORMAT),
    rejected(PHONE, "+8210", profile_phones.REASON_PHONE_INVALID),
    rejected(PHONE, "+82123", profile_phones.REASON_PHONE_INVALID),
    rejected(PHONE, "+999123456789", profile_phones.REASON_PHONE_INVALID),
    rejected(PHONE, "+0821020203030", profile_phones.REASON_PHONE_INVALID),
    rejected(PHONE, "+8212345678901234", profile_phones.REASON_PHONE_INVALID),
    rejected(PHONE, "+82 00 10 2020 3030", profile_phones.REASON_PHONE_INVALID),
    rejected(PHONE, "+82 010-2020-30301", profile_phones.REASON_PHONE_INVALID),
    # phonenumbers refuses input longer than 250 characters, separators or not
    rejected(PHONE, "+82" + " " * 240 + "010-2020-3030", profile_phones.REASON_PHONE_INVALID),
]
NUMBER_CASES = [
    accepted(NUMBER, "1", 1),
    accepted(NUMBER, "1.01", 1.01),
    accepted(NUMBER, "-42", -42),
    accepted(NUMBER, "+7", 7),
    accepted(NUMBER, "007", 7),
    accepted(NUMBER, "0.5", 0.5),
    accepted(NUMBER, ".5", 0.5),
    accepted(NUMBER, "5.", 5.0),
    accepted(NUMBER, "-0.25", -0.25),
    accepted(NUMBER, "1.0", 1.0),
    accepted(NUMBER, "999999999999999", 999_999_999_999_999),
    accepted(NUMBER, "0000000000000000000001", 1),
    accepted(NUMBER, "1.500000000000000000", 1.5),
    accepted(NUMBER, "100000000000000000000.0", 1e20),
]
NUMBER_REJECTED = [
    rejected(NUMBER, "1,000", pt.REASON_THOUSANDS_SEPARATOR),
    rejected(NUMBER, "1,000,000.5", pt.REASON_THOUSANDS_SEPARATOR),
    rejected(NUMBER, "-12,345", pt.REASON_THOUSANDS_SEPARATOR),
    rejected(NUMBER, "1,5", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "1e5", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "nan", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "inf", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "1 000", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "1_000", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "1.2.3", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "-", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, ".", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "--1", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "١٢", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "$5", pt.REASON_NUMBER_FORMAT),
    rejected(NUMBER, "1234567890123456", pt.REASON_NUMBER_DIGITS),
    rejected(NUMBER, "3.14159265358979323846", pt.REASON_NUMBER_DIGITS),
    rejected(NUMBER, "1" + "0" * 400 + ".0", pt.REASON_NUMBER_RANGE),
    rejected(NUMBER, "0." + "0" * 320 + "1", pt.REASON_NUMBER_RANGE),
]
DATE_CASES = [
    accepted(DATE, "2025-05-04", "2025-05-04"),
    accepted(DATE, "2024-02-29", "2024-02-29"),
]
DATE_REJECTED = [
    rejected(DATE, "2025.05.04", profile_dates.REASON_DATE_FORMAT),
    rejected(DATE, "2025/05/04", profile_dates.REASON_DATE_FORMAT),
    rejected(DATE, "20250504", profile_dates.REASON_DATE_FORMAT),
    rejected(DATE, "2025-5-4", profile_dates.REASON_DATE_FORMAT),
    rejected(DATE, "2025-W18-7", profile_dates.REASON_DATE_FORMAT),
    rejected(DATE, "2025-05-04T00:00:00", profile_dates.REASON_DATE_FORMAT),
    rejected(DATE, "2025-02-30", profile_dates.REASON_DATE_INVALID),
    rejected(DATE, "0000-01-01", profile_dates.REASON_DATE_INVALID),
]
MIDNIGHT = "2025-05-04T00:00:00.000Z"
DATETIME_CASES = [
    accepted(DATETIME, "2025-05-04", MIDNIGHT),
    accepted(DATETIME, "2025-05-04T09:00:00+09:00", MIDNIGHT),
    accepted(DATETIME, "2025-05-04T00:00:00+00:00", MIDNIGHT),
    accepted(DATETIME, "2025-05-04T00:00:00Z", MIDNIGHT),
    accepted(DATETIME, "2025-05-04T00:00:00", MIDNIGHT),
    accepted(DATETIME, "1746316800000", MIDNIGHT),
    accepted(DATETIME, MIDNIGHT, MIDNIGHT),
    accepted(DATETIME, "2025-05-04 09:00:00+0900", MIDNIGHT),
    accepted(DATETIME, "2025-05-04T09:00+09", MIDNIGHT),
    accepted(DATETIME, "2025-05-03T19:30:00-04:30", MIDNIGHT),
    accepted(DATETIME, "2025-05-04T00:00:00.5Z", "2025-05-04T00:00:00.500Z"),
    accepted(DATETIME, "2025-05-04T00:00:00,123Z", "2025-05-04T00:00:00.123Z"),
    accepted(DATETIME, "2025-05-04T00:00:00.123000000Z", "2025-05-04T00:00:00.123Z"),
    accepted(DATETIME, "2025-05-04T00:30:00+01:00", "2025-05-03T23:30:00.000Z"),
    accepted(DATETIME, "2025-05-04T00:00:00-00:00", MIDNIGHT),
    accepted(DATETIME, "2025-05-04 00:00", MIDNIGHT),
    accepted(DATETIME, "2025-05-04T09:00+0900", MIDNIGHT),
    accepted(DATETIME, "1746316800123", "2025-05-04T00:00:00.123Z"),
    accepted(DATETIME, "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
    accepted(DATETIME, "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
    accepted(DATETIME, "100000000000", "1973-03-03T09:46:40.000Z"),
    accepted(DATETIME, "9999999999999", "2286-11-20T17:46:39.999Z"),
]
DATETIME_REJECTED = [
    rejected(DATETIME, "2025.05.04", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025/05/04", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025/05/04 09:00:00", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "20250504T090000", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09:00:00+09:00:00", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09:00:00+09:60", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09:00:00+24:00", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04t09:00:00z", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "-1746316800000", profile_dates.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "1746316800", profile_dates.REASON_EPOCH_DIGITS),
    rejected(DATETIME, "20250504", profile_dates.REASON_EPOCH_DIGITS),
    rejected(DATETIME, "17463168000000", profile_dates.REASON_EPOCH_DIGITS),
    rejected(DATETIME, "2025-05-04T00:00:00.1234Z", profile_dates.REASON_DATETIME_PRECISION),
    rejected(DATETIME, "2025-05-04T00:00:00.123456Z", profile_dates.REASON_DATETIME_PRECISION),
    rejected(DATETIME, "2025-02-30T00:00:00Z", profile_dates.REASON_DATETIME_INVALID),
    rejected(DATETIME, "2025-05-04T24:00:00Z", profile_dates.REASON_DATETIME_INVALID),
    rejected(DATETIME, "2025-05-04T23:59:60Z", profile_dates.REASON_DATETIME_INVALID),
    rejected(DATETIME, "0001-01-01T00:00:00+09:00", profile_dates.REASON_DATETIME_RANGE),
    rejected(DATETIME, "9999-12-31T23:00:00-02:00", profile_dates.REASON_DATETIME_RANGE),
]
BOOLEAN_CASES = [
    *(accepted(BOOLEAN, word, True) for word in ("true", "yes", "y", "1", "TRUE", "Yes", "Y")),
    *(accepted(BOOLEAN, word, False) for word in ("false", "no", "n", "0", "FALSE", "No", "N")),
    accepted(BOOLEAN, " tRuE ", True),
    accepted(BOOLEAN, "nO", False),
]
BOOLEAN_REJECTED = [
    rejected(BOOLEAN, word, pt.REASON_BOOLEAN)
    for word in ("t", "f", "on", "off", "2", "yess", "true1", "ｙｅｓ", "\u212a")
]
LIST_CASES = [
    accepted(LIST, '["string1", "string2"]', ["string1", "string2"]),
    accepted(LIST, '["a","b"]', ["a", "b"]),
    accepted(LIST, '["b", "a", "b", "c", "a"]', ["b", "a", "c"]),
    accepted(LIST, '[" a ", "a"]', ["a"]),
    accepted(LIST, '["가나", "a, b"]', ["가나", "a, b"]),
    accepted(LIST, "[]", EMPTY),
    accepted(LIST, json.dumps(["x" * 512]), ["x" * 512]),
    accepted(LIST, json.dumps([str(i) for i in range(200)]), [str(i) for i in range(200)]),
    accepted(LIST, json.dumps(["a"] * 300), ["a"]),
]
LIST_REJECTED = [
    rejected(LIST, "string1, string2", pt.REASON_LIST_FORMAT),
    rejected(LIST, "['a', 'b']", pt.REASON_LIST_FORMAT),
    rejected(LIST, '["a", 1]', pt.REASON_LIST_FORMAT),
    rejected(LIST, '["a", ["b"]]', pt.REASON_LIST_FORMAT),
    rejected(LIST, '["a", null]', pt.REASON_LIST_FORMAT),
    rejected(LIST, '["a"', pt.REASON_LIST_FORMAT),
    rejected(LIST, '{"a": 1}', pt.REASON_LIST_FORMAT),
    rejected(LIST, "[" * 100_000, pt.REASON_LIST_FORMAT),
    rejected(LIST, '["a", " "]', pt.REASON_EMPTY_ITEM),
    rejected(LIST, '["a", "\\u0000"]', pt.REASON_BAD_CHARACTER),
    rejected(LIST, '["\\ud800"]', pt.REASON_BAD_CHARACTER),
    rejected(LIST, json.dumps(["x" * 513]), pt.REASON_TOO_LONG),
    rejected(LIST, json.dumps([str(i) for i in range(201)]), pt.REASON_TOO_MANY_ITEMS),
]
LIST_OF_NUMBER_CASES = [
    accepted(LIST_OF_NUMBER, "[1,2]", [1, 2]),
    accepted(LIST_OF_NUMBER, "[1, 2.5, -3, 0.125]", [1, 2.5, -3, 0.125]),
    accepted(LIST_OF_NUMBER, "[1, 1.0, 2, 1]", [1, 2]),
    accepted(LIST_OF_NUMBER, "[]", EMPTY),
    accepted(LIST_OF_NUMBER, "[-0.5, 12345678901234.5]", [-0.5, 12345678901234.5]),
    accepted(LIST_OF_NUMBER, "[0.000000000000001]", [1e-15]),
    accepted(LIST_OF_NUMBER, "[100000000000000000000.0]", [1e20]),
    accepted(LIST_OF_NUMBER, json.dumps(list(range(200))), list(range(200))),
]
LIST_OF_NUMBER_REJECTED = [
    rejected(LIST_OF_NUMBER, "1, 2", pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, '["1", "2"]', pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, "[true, 1]", pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, "[1, null]", pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, "[1, [2]]", pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, "[1,000]", pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, "[+1]", pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, "[" * 100_000, pt.REASON_NUMBER_LIST_FORMAT),
    rejected(LIST_OF_NUMBER, "[NaN]", pt.REASON_NUMBER_FORMAT),
    rejected(LIST_OF_NUMBER, "[Infinity]", pt.REASON_NUMBER_FORMAT),
    rejected(LIST_OF_NUMBER, "[1e5]", pt.REASON_NUMBER_FORMAT),
    rejected(LIST_OF_NUMBER, "[1234567890123456]", pt.REASON_NUMBER_DIGITS),
    rejected(LIST_OF_NUMBER, "[1, 0.1234567890123456]", pt.REASON_NUMBER_DIGITS),
    rejected(LIST_OF_NUMBER, "[1E5]", pt.REASON_NUMBER_FORMAT),
    rejected(LIST_OF_NUMBER, "[1" + "0" * 5000 + "]", pt.REASON_NUMBER_DIGITS),
    rejected(LIST_OF_NUMBER, json.dumps(list(range(201))), pt.REASON_TOO_MANY_ITEMS),
]
TAG_CASES = [
    accepted(TAG, '["basic/level1", "advanced/level2"]', ["basic/level1", "advanced/level2"]),
    accepted(TAG, '["vip"]', ["vip"]),
    accepted(TAG, '["고객/VIP_1", "a-b"]', ["고객/VIP_1", "a-b"]),
    accepted(TAG, '["vip", "vip"]', ["vip"]),
    accepted(TAG, json.dumps(["t" * 512]), ["t" * 512]),
]
TAG_REJECTED = [
    rejected(TAG, '["/level1"]', pt.REASON_TAG_LEVELS),
    rejected(TAG, '["basic/"]', pt.REASON_TAG_LEVELS),
    rejected(TAG, '["a/b/c"]', pt.REASON_TAG_LEVELS),
    rejected(TAG, '["a//b"]', pt.REASON_TAG_LEVELS),
    rejected(TAG, '["/"]', pt.REASON_TAG_LEVELS),
    rejected(TAG, '["basic level1"]', pt.REASON_TAG_CHARACTER),
    rejected(TAG, '["basic\\tlevel1"]', pt.REASON_TAG_CHARACTER),
    rejected(TAG, '["v1.2"]', pt.REASON_TAG_CHARACTER),
    rejected(TAG, '["a,b"]', pt.REASON_TAG_CHARACTER),
    rejected(TAG, '["$vip"]', pt.REASON_TAG_CHARACTER),
    rejected(TAG, '["a\\\\b"]', pt.REASON_TAG_CHARACTER),
    rejected(TAG, "basic/level1", pt.REASON_LIST_FORMAT),
    rejected(TAG, '["ok", ""]', pt.REASON_EMPTY_ITEM),
    rejected(TAG, json.dumps(["t" * 513]), pt.REASON_TOO_LONG),
    rejected(TAG, json.dumps([f"t{i}" for i in range(201)]), pt.REASON_TOO_MANY_ITEMS),
]


@pytest.mark.parametrize(("type_name", "text", "expected"), STRING_CASES)
def test_R_T1_string_examples(type_name, text, expected):
    assert parse(type_name, text) == expected


@pytest.mark.parametrize(("type_name", "text", "reason"), STRING_REJECTED)
def test_R_T1_string_rejected(type_name, text, reason):
    assert_rejected(type_name, text, reason)


@pytest.mark.parametrize(("type_name", "text", "expected"), PHONE_CASES)
def test_R_T1_phone_examples(type_name, text, expected):
    assert parse(type_name, text) == expected


@pytest.mark.parametrize(("type_name", "text", "reason"), PHONE_REJECTED)
def test_R_T1_phone_rejected(type_name, text, reason):
    assert_rejected(type_name, text, reason)


@pytest.mark.parametrize(("type_name", "text", "expected"), NUMBER_CASES)
def test_R_T1_number_examples(type_name, text, expected):
    value = parse(type_name, text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(("type_name", "text", "reason"), NUMBER_REJECTED)
def test_R_T1_number_rejected(type_name, text, reason):
    assert_rejected(type_name, text, reason)


@pytest.mark.parametrize(("type_name", "text", "expected"), DATE_CASES)
def test_R_T1_date_examples(type_name, text, expected):
    assert parse(type_name, text) == expected


@pytest.mark.parametrize(("type_name", "text", "reason"), DATE_REJECTED)
def test_R_T1_date_rejected(type_name, text, reason):
    assert_rejected(type_name, text, reason)


@pytest.mark.parametrize(("type_name", "text", "expected"), DATETIME_CASES)
def test_R_T1_datetime_examples(type_name, text, expected):
    assert parse(type_name, text) == expected


@pytest.mark.parametrize(("type_name", "text", "reason"), DATETIME_REJECTED)
def test_R_T1_datetime_rejected(type_name, text, reason):
    assert_rejected(type_name, text, reason)


@pytest.mark.parametrize(("type_name", "text", "expected"), BOOLEAN_CASES)
def test_R_T1_boolean_examples(type_name, text, expected):
    assert parse(type_name, text) is expected


@pytest.mark.parametrize(("type_name", "text", "reason"), BOOLEAN_REJECTED)
def test_R_T1_boolean_rejected(type_name, text, reason):
    assert_rejected(type_name, text, reason)


@pytest.mark.parametrize(
    ("type_name", "text", "expected"), LIST_CASES + LIST_OF_NUMBER_CASES + TAG_CASES
)
def test_R_T1_list_examples(type_name, text, expected):
    value = parse(type_name, text)
    assert value == expected
    if value is not EMPTY:
        assert [type(item) for item in value] == [type(item) for item in expected]


@pytest.mark.parametrize(
    ("type_name", "text", "reason"), LIST_REJECTED + LIST_OF_NUMBER_REJECTED + TAG_REJECTED
)
def test_R_T1_list_rejected(type_name, text, reason):
    assert_rejected(type_name, text, reason)


@pytest.mark.parametrize("type_name", TYPES)
@pytest.mark.parametrize("text", ["", " ", "\t\n", "\u3000"])
def test_empty_cell_parses_to_empty_for_every_type(type_name, text):
    assert parse(type_name, text) is EMPTY


@pytest.mark.parametrize(
    ("type_name", "text", "reason"),
    [
        case
        for cases in (
            STRING_REJECTED,
            PHONE_REJECTED,
            NUMBER_REJECTED,
            DATE_REJECTED,
            DATETIME_REJECTED,
            BOOLEAN_REJECTED,
            LIST_REJECTED,
            LIST_OF_NUMBER_REJECTED,
            TAG_REJECTED,
        )
        for case in cases
    ],
)
def test_R_T2_errors_name_reason(type_name, text, reason):
    """A rejected cell is a ProfileValueError whose reason is one of the module's constants."""
    with pytest.raises(ProfileValueError) as caught:
        parse(type_name, text)
    assert caught.value.reason in REASONS
    assert str(caught.value).startswith(caught.value.reason)
    assert isinstance(caught.value, ValueError)


def test_R_T2_reason_constants_are_distinct_messages():
    names = [name for m in REASON_MODULES for name in vars(m) if name.startswith("REASON_")]
    assert len(REASONS) == len(names)


def test_R_T2_list_item_errors_name_the_item():
    with pytest.raises(ProfileValueError) as caught:
        parse(TAG, '["ok", "v1.2"]')
    assert caught.value.detail == "'v1.2'"


# Profile limits (R-C6) and key names.


def test_R_C6_profile_limits_keys():
    pt.check_profile_limits({f"k{i}": i for i in range(256)})
    with pytest.raises(ProfileValueError) as caught:
        pt.check_profile_limits({f"k{i}": i for i in range(257)})
    assert caught.value.reason == pt.REASON_TOO_MANY_KEYS


def test_R_C6_profile_limits_size_counts_utf8_of_compact_json():
    overhead = len('{"k":""}')
    pt.check_profile_limits({"k": "x" * (15 * 1024 - overhead)})
    with pytest.raises(ProfileValueError) as caught:
        pt.check_profile_limits({"k": "x" * (15 * 1024 - overhead + 1)})
    assert caught.value.reason == pt.REASON_PROFILE_TOO_LARGE
    korean = "가" * ((15 * 1024 - overhead) // 3 + 1)  # 3 bytes each in UTF-8
    with pytest.raises(ProfileValueError):
        pt.check_profile_limits({"k": korean})
    assert pt.profile_size({"a": [1, 2], "b": "가"}) == len('{"a":[1,2],"b":"가"}'.encode())


def test_R_C6_limit_constants():
    assert (pt.MAX_PROFILE_KEYS, pt.MAX_PROFILE_BYTES) == (256, 15 * 1024)
    assert (pt.MAX_STRING, pt.MAX_LIST_ITEMS) == (512, 200)


def test_R_I9_merge_list_values_appends_without_duplicates_within_limit():
    assert pt.merge_list_values(["a", "b"], ["b", "c", "a", "d"]) == ["a", "b", "c", "d"]
    with pytest.raises(ProfileValueError) as caught:
        pt.merge_list_values([str(i) for i in range(150)], [f"n{i}" for i in range(51)])
    assert caught.value.reason == pt.REASON_TOO_MANY_ITEMS


@pytest.mark.parametrize("name", ["a", "grade", "vipLevel", "level_2", "A" + "b" * 63])
def test_valid_key_names(name):
    pt.validate_key_name(name)


@pytest.mark.parametrize(
    "name", ["", "2nd", "_x", "a-b", "a b", "a.b", "가입일", "A" + "b" * 64, "a\n", "ａ"]
)
def test_invalid_key_names(name):
    with pytest.raises(ProfileValueError) as caught:
        pt.validate_key_name(name)
    assert caught.value.reason == pt.REASON_KEY_NAME


# API shape.


def test_types_are_the_documented_names():
    assert TYPES == (
        "string",
        "phone",
        "number",
        "date",
        "datetime",
        "boolean",
        "list",
        "listOfNumber",
        "tag",
    )


def test_parser_for_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError) as caught:
        parser_for("email")
    assert not isinstance(caught.value, ProfileValueError)


def test_format_value_of_nothing_is_an_empty_cell():
    for type_name in TYPES:
        assert format_value(type_name, EMPTY) == ""
        assert format_value(type_name, None) == ""
    assert format_value(LIST, []) == format_value(LIST_OF_NUMBER, []) == ""


def test_format_value_examples():
    assert format_value(LIST, ["가", "b"]) == '["가", "b"]'
    assert format_value(LIST_OF_NUMBER, [1, 2.5, 1e-7]) == "[1, 2.5, 0.0000001]"
    assert format_value(NUMBER, 1e20) == "100000000000000000000.0"
    assert format_value(NUMBER, 2.0) == "2.0"
    assert format_value(BOOLEAN, False) == "false"


@pytest.mark.parametrize(
    "module",
    ["contacts.profile_types", "contacts.profile_phones", "contacts.phone_fast", "contacts.keys"],
)
def test_module_does_not_import_django(module):
    code = (
        f"import sys, {module};"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


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
