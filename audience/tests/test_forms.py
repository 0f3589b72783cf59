"""The Audience page's filters parse each value by its key's type (R-T1)."""

import pytest

from audience.forms import CONTAINS_NEEDS_LIST, KEY_REQUIRED, VALUE_REQUIRED, AudienceForm
from audience.selectors import CONTAINS, IS, Audience, KeyFilter
from contacts import profile_dates, profile_types
from contacts.keys import EMAIL_INVALID
from contacts.models import ProfileKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(channel):
    for name, type_name in [("city", "string"), ("scores", "listOfNumber"), ("grade", "tag")]:
        ProfileKey.objects.create(channel=channel, name=name, label=name.title(), type=type_name)
    ProfileKey.objects.create(channel=channel, name="visited", label="Visited", type="date")


def audience(channel, **data):
    form = AudienceForm(data, channel=channel)
    assert form.is_valid(), form.errors
    return form.audience()


def errors(channel, **data):
    form = AudienceForm(data, channel=channel)
    assert not form.is_valid()
    return form.errors


def test_empty_filters_are_the_whole_contact_list(channel):
    assert audience(channel, tag=" ", type="", key="", value="") == Audience()


def test_tag_and_type(channel):
    assert audience(channel, tag=" spring.csv ", type="lead") == Audience(
        tag="spring.csv", customer_type="lead"
    )


def test_built_in_values_are_read_as_stored(channel):
    email = audience(channel, key="email", value=" Kim@Example.COM ").key_filter
    mobile = audience(channel, key="mobileNumber", value="+82 010-2020-3030").key_filter
    opt_out = audience(channel, key="unsubscribeEmail", value="yes").key_filter
    tag = audience(channel, key="userImportTag", operator="contains", value="a.csv").key_filter

    assert email == KeyFilter(operator=IS, value="kim@example.com", field="email")
    assert mobile == KeyFilter(operator=IS, value="+821020203030", field="mobile_number")
    assert opt_out == KeyFilter(operator=IS, value=True, field="unsubscribe_email")
    assert tag == KeyFilter(operator=CONTAINS, value="a.csv", field="import_tags")


def test_custom_values_are_parsed_by_their_type(channel, keys):
    assert audience(channel, key="visited", value="2025-05-04").key_filter == KeyFilter(
        operator=IS, value="2025-05-04", custom_key="visited"
    )
    assert audience(channel, key="scores", operator="contains", value="2.50").key_filter == (
        KeyFilter(operator=CONTAINS, value=2.5, custom_key="scores")
    )
    assert audience(channel, key="grade", operator="contains", value="vip").key_filter == (
        KeyFilter(operator=CONTAINS, value="vip", custom_key="grade")
    )


def test_refusals_name_the_reason(channel, keys):
    assert errors(channel, value="Seoul") == {"key": [KEY_REQUIRED]}
    assert errors(channel, key="city", value=" ") == {"value": [VALUE_REQUIRED]}
    assert errors(channel, key="city", operator="contains", value="Seoul") == {
        "operator": [CONTAINS_NEEDS_LIST]
    }
    assert errors(channel, key="visited", value="2025/05/04") == {
        "value": [profile_dates.REASON_DATE_FORMAT]
    }
    assert errors(channel, key="grade", operator="contains", value="a b") == {
        "value": [profile_types.REASON_TAG_CHARACTER]
    }
    assert errors(channel, key="email", value="kim") == {"value": [EMAIL_INVALID]}


def test_system_keys_and_other_channels_keys_are_not_offered(channel, other_channel):
    ProfileKey.objects.create(channel=other_channel, name="secret", label="S", type="string")

    assert "key" in errors(channel, key="lastSeenAt", value="2025-05-04")
    assert "key" in errors(channel, key="secret", value="x")
