"""The guide's "Supported Formats" examples per profile type and the forms it rejects (R-T1)."""

import json

import pytest

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
)

REASON_MODULES = (pt, profile_dates, profile_phones)
REASONS = {v for m in REASON_MODULES for name, v in vars(m).items() if name.startswith("REASON_")}


def accepted(type_name, text, expected, rule="R-T1"):
    return pytest.param(type_name, text, expected, id=f"{rule}-{type_name}-{text[:40]!r}")


def rejected(type_name, text, reason, rule="R-T1"):
    return pytest.param(type_name, text, reason, id=f"{rule}-{type_name}-{text[:40]!r}")


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
