"""Phone numbers (R-T1): the E.164 fast path reaches the library's verdict. Pure: no database."""

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts import profile_phones
from contacts.profile_phones import (
    REASON_LANDLINE_COUNTRY_CODE,
    REASON_LANDLINE_FORMAT,
    REASON_PHONE_COUNTRY_CODE,
    REASON_PHONE_FORMAT,
)
from contacts.profile_types import PHONE, ProfileValueError, parse
from contacts.tests.phone_examples import ALL_E164_EXAMPLES, E164_EXAMPLES, NUMBER_TYPES

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
    assert outcome == _outcome(profile_phones.parse_with_library, text.strip()), text
    assert (outcome[1] if outcome[0] == "accepted" else None) == _library_e164(text), text


def _written_forms():
    """Every region's example mobile and fixed-line numbers as people write them, with variants."""
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
    """Separators and a trunk "0" need not reach the library."""

    def library(text, *reason):
        raise AssertionError(f"library path taken for {text!r}")

    monkeypatch.setattr(profile_phones, "parse_with_library", library)
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
    assert parse(PHONE, text) == expected
    assert profile_phones.parse_landline(text) == expected


def test_R_T1_a_landline_error_gives_a_landline_example():
    for text, mobile_reason, landline_reason in [
        ("02-555-6666", REASON_PHONE_COUNTRY_CODE, REASON_LANDLINE_COUNTRY_CODE),
        ("+82 2 555 6666 ext 1", REASON_PHONE_FORMAT, REASON_LANDLINE_FORMAT),
    ]:
        with pytest.raises(ProfileValueError) as mobile:
            parse(PHONE, text)
        with pytest.raises(ProfileValueError) as landline:
            profile_phones.parse_landline(text)
        assert (mobile.value.reason, landline.value.reason) == (mobile_reason, landline_reason)
    assert "+82 2-555-6666" in REASON_LANDLINE_COUNTRY_CODE
