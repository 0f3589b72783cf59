"""Profile limits (R-C6), list merging (R-I9), key names and the value types' API. Pure."""

import subprocess
import sys
from pathlib import Path

import pytest

from contacts import profile_types as pt
from contacts.profile_types import (
    BOOLEAN,
    EMPTY,
    LIST,
    LIST_OF_NUMBER,
    NUMBER,
    TYPES,
    ProfileValueError,
    format_value,
    parser_for,
)

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
