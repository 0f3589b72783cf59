"""Typed profile values (R-T1, R-T2, R-C6). Pure: no database, no Django."""

import json
import math
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

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

REASONS = {value for name, value in vars(pt).items() if name.startswith("REASON_")}
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
    rejected(PHONE, "01020203030", pt.REASON_PHONE_COUNTRY_CODE),
    rejected(PHONE, "821020203030", pt.REASON_PHONE_COUNTRY_CODE),
    rejected(PHONE, "010-2020-3030", pt.REASON_PHONE_COUNTRY_CODE),
    rejected(PHONE, "+82 10 2020 3030 ext 5", pt.REASON_PHONE_FORMAT),
    rejected(PHONE, "+82 10/2020/3030", pt.REASON_PHONE_FORMAT),
    rejected(PHONE, "++821020203030", pt.REASON_PHONE_FORMAT),
    rejected(PHONE, "+", pt.REASON_PHONE_FORMAT),
    rejected(PHONE, "+8210", pt.REASON_PHONE_INVALID),
    rejected(PHONE, "+82123", pt.REASON_PHONE_INVALID),
    rejected(PHONE, "+999123456789", pt.REASON_PHONE_INVALID),
    rejected(PHONE, "+0821020203030", pt.REASON_PHONE_INVALID),
    rejected(PHONE, "+8212345678901234", pt.REASON_PHONE_INVALID),
    rejected(PHONE, "+82 00 10 2020 3030", pt.REASON_PHONE_INVALID),
    rejected(PHONE, "+82 010-2020-30301", pt.REASON_PHONE_INVALID),
    # phonenumbers refuses input longer than 250 characters, separators or not
    rejected(PHONE, "+82" + " " * 240 + "010-2020-3030", pt.REASON_PHONE_INVALID),
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
    rejected(DATE, "2025.05.04", pt.REASON_DATE_FORMAT),
    rejected(DATE, "2025/05/04", pt.REASON_DATE_FORMAT),
    rejected(DATE, "20250504", pt.REASON_DATE_FORMAT),
    rejected(DATE, "2025-5-4", pt.REASON_DATE_FORMAT),
    rejected(DATE, "2025-W18-7", pt.REASON_DATE_FORMAT),
    rejected(DATE, "2025-05-04T00:00:00", pt.REASON_DATE_FORMAT),
    rejected(DATE, "2025-02-30", pt.REASON_DATE_INVALID),
    rejected(DATE, "0000-01-01", pt.REASON_DATE_INVALID),
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
    rejected(DATETIME, "2025.05.04", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025/05/04", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025/05/04 09:00:00", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "20250504T090000", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09:00:00+09:00:00", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09:00:00+09:60", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04T09:00:00+24:00", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "2025-05-04t09:00:00z", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "-1746316800000", pt.REASON_DATETIME_FORMAT),
    rejected(DATETIME, "1746316800", pt.REASON_EPOCH_DIGITS),
    rejected(DATETIME, "20250504", pt.REASON_EPOCH_DIGITS),
    rejected(DATETIME, "17463168000000", pt.REASON_EPOCH_DIGITS),
    rejected(DATETIME, "2025-05-04T00:00:00.1234Z", pt.REASON_DATETIME_PRECISION),
    rejected(DATETIME, "2025-05-04T00:00:00.123456Z", pt.REASON_DATETIME_PRECISION),
    rejected(DATETIME, "2025-02-30T00:00:00Z", pt.REASON_DATETIME_INVALID),
    rejected(DATETIME, "2025-05-04T24:00:00Z", pt.REASON_DATETIME_INVALID),
    rejected(DATETIME, "2025-05-04T23:59:60Z", pt.REASON_DATETIME_INVALID),
    rejected(DATETIME, "0001-01-01T00:00:00+09:00", pt.REASON_DATETIME_RANGE),
    rejected(DATETIME, "9999-12-31T23:00:00-02:00", pt.REASON_DATETIME_RANGE),
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
    assert len(REASONS) == len([n for n in vars(pt) if n.startswith("REASON_")])


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


def test_to_python():
    assert pt.to_python(DATE, "2025-05-04") == date(2025, 5, 4)
    assert pt.to_python(DATETIME, MIDNIGHT) == datetime(2025, 5, 4, tzinfo=UTC)
    assert pt.to_python(DATETIME, MIDNIGHT).utcoffset().total_seconds() == 0
    assert pt.to_python(NUMBER, 1.5) == 1.5


def test_module_does_not_import_django():
    code = (
        "import sys, contacts.profile_types;"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


# Phone: the E.164 fast path reaches the library's verdict.


def _library_e164(text):
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _parse_or_none(type_name, text):
    try:
        return parse(type_name, text)
    except ProfileValueError:
        return None


NUMBER_TYPES = [getattr(phonenumbers.PhoneNumberType, n) for n in ("MOBILE", "FIXED_LINE")]
OTHER_NUMBER_TYPES = [
    getattr(phonenumbers.PhoneNumberType, n)
    for n in ("TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER")
    + ("UAN", "VOICEMAIL")
]


def _example_numbers(number_types):
    found = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in number_types:
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is not None and phonenumbers.is_valid_number(number):
                found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None and phonenumbers.is_valid_number(number):
            found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return sorted(found)


E164_EXAMPLES = _example_numbers(NUMBER_TYPES)
ALL_E164_EXAMPLES = _example_numbers(NUMBER_TYPES + OTHER_NUMBER_TYPES)


def test_R_T1_phone_every_library_example_number_is_accepted_unchanged():
    assert len(ALL_E164_EXAMPLES) > 400
    for text in ALL_E164_EXAMPLES:
        assert parse(PHONE, text) == text


def test_R_T1_phone_e164_neighbours_of_every_example_match_library_verdict():
    for example in ALL_E164_EXAMPLES:
        for digit in "0123456789":
            for text in (example[:-1] + digit, example + digit):
                assert _parse_or_none(PHONE, text) == _library_e164(text), text


@PROPERTY
@given(
    example=st.sampled_from(E164_EXAMPLES),
    tail=st.text("0123456789", min_size=1, max_size=5),
    cut=st.integers(0, 5),
)
def test_R_T1_phone_e164_matches_library_verdict(example, tail, cut):
    text = (example[: max(len(example) - cut, 2)] + tail)[:16]
    assert _parse_or_none(PHONE, text) == _library_e164(text)


@PROPERTY
@given(
    example=st.sampled_from(E164_EXAMPLES),
    separators=st.lists(st.sampled_from([" ", "-", ".", "(", ")", " 0"]), max_size=4),
    data=st.data(),
)
def test_R_T1_phone_other_forms_match_library_verdict(example, separators, data):
    text = example
    for separator in separators:
        at = data.draw(st.integers(2, len(text)))
        text = text[:at] + separator + text[at:]
    assert _parse_or_none(PHONE, text) == _library_e164(text)


def _outcome(parser, text):
    try:
        return ("accepted", parser(text))
    except ProfileValueError as error:
        return ("rejected", error.reason)


def _assert_same_as_library(text):
    """parse() gives the library path's value or reason, and the library's own E.164 verdict."""
    outcome = _outcome(lambda t: parse(PHONE, t), text)
    assert outcome == _outcome(pt._parse_phone_with_library, text.strip()), text
    assert (outcome[1] if outcome[0] == "accepted" else None) == _library_e164(text), text


def _written_forms():
    """Example mobile and fixed-line numbers of every region as people write them: the
    library's INTERNATIONAL format, with a trunk "0" after the country code, and variants."""
    forms = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for number_type in NUMBER_TYPES:
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is None:
                continue
            written = phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
            code, rest = written.split(" ", 1) if " " in written else (written, "")
            forms.add(written)
            forms.add(f"{code} ({rest[:3]}) {rest[3:]}")
            forms.add(f"{code}-{rest.replace(' ', '.')}")
            trunk = metadata.national_prefix or "0"
            forms.add(f"{code} {trunk}{rest}")
            forms.add(f"{code} ({trunk}){rest}")
            forms.add(f"{code}{trunk}{rest.replace(' ', '')}")
            forms.add(f"{code} 00{rest}")
    return sorted(forms)


WRITTEN_FORMS = _written_forms()


def test_R_T1_phone_written_forms_of_every_example_match_library_path():
    assert len(WRITTEN_FORMS) > 2500
    for text in WRITTEN_FORMS:
        _assert_same_as_library(text)


def test_R_T1_phone_written_form_neighbours_match_library_path():
    for text in WRITTEN_FORMS:
        for digit in "0123456789":
            _assert_same_as_library(text[:-1] + digit)
            _assert_same_as_library(text + digit)


def test_phone_written_forms_take_the_fast_path(monkeypatch):
    """Separators and a trunk "0" need not reach the library (~13 µs per cell)."""

    def library(text, *reason):
        raise AssertionError(f"library path taken for {text!r}")

    monkeypatch.setattr(pt, "_parse_phone_with_library", library)
    for text, expected in [
        ("+82 010-2020-3030", "+821020203030"),
        ("+82 2-555-6666", "+8225556666"),
        ("+82 (02) 555.6666", "+8225556666"),
        ("+8201020203030", "+821020203030"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+33 06 12 34 56 78", "+33612345678"),
        ("+49 030 123456", "+4930123456"),
    ]:
        assert parse(PHONE, text) == expected
    fast = 0
    for text in WRITTEN_FORMS:
        try:
            parse(PHONE, text)
            fast += 1
        except AssertionError:
            pass
    assert fast > len(WRITTEN_FORMS) // 3


@PROPERTY
@given(
    example=st.sampled_from(E164_EXAMPLES),
    trunk=st.sampled_from(["", "0", "00", "8", "1", " 0", "(0)", "0 "]),
    separators=st.lists(st.sampled_from([" ", "-", ".", "(", ")", "0"]), max_size=4),
    tail=st.text("0123456789", max_size=2),
    cut=st.integers(0, 2),
    data=st.data(),
)
def test_R_T1_phone_trunk_and_separator_forms_match_library_path(
    example, trunk, separators, tail, cut, data
):
    code = str(phonenumbers.parse(example).country_code)
    text = "+" + code + trunk + example[1 + len(code) : len(example) - cut] + tail
    for separator in separators:
        at = data.draw(st.integers(1, len(text)))
        text = text[:at] + separator + text[at:]
    _assert_same_as_library(text)


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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0044 7911 123456", "+447911123456"),
        ("0082 10-2020-3030", "+821020203030"),
        ("00 82 010 2020 3030", "+821020203030"),
        ("＋８２ １０－２０２０－３０３０", "+821020203030"),
        ("００８２　１０２０２０３０３０", "+821020203030"),
        ("+８２ (０２) ５５５-６６６６", "+8225556666"),
    ],
)
def test_R_T1_phone_with_the_00_prefix_or_full_width_digits_carries_its_country_code(
    text, expected
):
    assert pt.parse(PHONE, text) == expected
    assert pt.parse_landline(text) == expected


def test_R_T1_a_landline_error_gives_a_landline_example():
    for text, mobile_reason, landline_reason in [
        ("02-555-6666", pt.REASON_PHONE_COUNTRY_CODE, pt.REASON_LANDLINE_COUNTRY_CODE),
        ("+82 2 555 6666 ext 1", pt.REASON_PHONE_FORMAT, pt.REASON_LANDLINE_FORMAT),
    ]:
        with pytest.raises(ProfileValueError) as mobile:
            pt.parse(PHONE, text)
        with pytest.raises(ProfileValueError) as landline:
            pt.parse_landline(text)
        assert (mobile.value.reason, landline.value.reason) == (mobile_reason, landline_reason)
    assert "+82 2-555-6666" in pt.REASON_LANDLINE_COUNTRY_CODE
