"""Parsing a cell of each profile type: the guide's examples and refusals (R-T1, R-T2). Pure."""

import pytest

from contacts.profile_types import EMPTY, TAG, TYPES, ProfileValueError, parse
from contacts.tests.profile_type_cases import (
    BOOLEAN_CASES,
    BOOLEAN_REJECTED,
    DATE_CASES,
    DATE_REJECTED,
    DATETIME_CASES,
    DATETIME_REJECTED,
    LIST_CASES,
    LIST_OF_NUMBER_CASES,
    LIST_OF_NUMBER_REJECTED,
    LIST_REJECTED,
    NUMBER_CASES,
    NUMBER_REJECTED,
    PHONE_CASES,
    PHONE_REJECTED,
    REASON_MODULES,
    REASONS,
    STRING_CASES,
    STRING_REJECTED,
    TAG_CASES,
    TAG_REJECTED,
)


def assert_rejected(type_name, text, reason):
    with pytest.raises(ProfileValueError) as caught:
        parse(type_name, text)
    assert caught.value.reason == reason


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
