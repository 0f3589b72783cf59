"""Who an audience holds and reaches (R-B2, R-M2, R-I7): one selector for counts and lists."""

import pytest

from audience.selectors import (
    CONTAINS,
    EMAIL,
    IS,
    TEXT,
    Audience,
    KeyFilter,
    audience_counts,
    audience_recipients,
)
from contacts.models import ProfileKey
from tests.factories import ChannelFactory, CustomerFactory

pytestmark = pytest.mark.django_db

MOBILE = "+821020203030"


def reached(channel, reach, audience=None):
    rows = audience_recipients(channel=channel, audience=audience or Audience(), reach=reach)
    return [name for _, _, name, _ in rows]


def counts(channel, audience=None):
    found = audience_counts(channel=channel, audience=audience or Audience())
    return found.customer_count, found.email_count, found.text_count


def test_reachable_customer_is_in_both_lists(channel):
    CustomerFactory(channel=channel, name="Kim", mobile_number=MOBILE)

    assert counts(channel) == (1, 1, 1)
    assert reached(channel, EMAIL) == reached(channel, TEXT) == ["Kim"]


def test_blocked_customer_is_left_out_R_B2(channel):
    CustomerFactory(channel=channel, name="Kim", mobile_number=MOBILE)
    CustomerFactory(channel=channel, name="Blocked", mobile_number="+821020203031", is_blocked=True)

    assert counts(channel) == (1, 1, 1)
    assert reached(channel, EMAIL) == reached(channel, TEXT) == ["Kim"]


def test_hidden_customer_is_left_out_R_M2(channel):
    CustomerFactory(channel=channel, name="Kim", mobile_number=MOBILE)
    CustomerFactory(channel=channel, name="Hidden", mobile_number="+821020203031", is_hidden=True)

    assert counts(channel) == (1, 1, 1)
    assert reached(channel, EMAIL) == reached(channel, TEXT) == ["Kim"]


def test_email_opt_out_leaves_the_email_list_only_R_I7(channel):
    CustomerFactory(channel=channel, name="Kim", mobile_number=MOBILE, unsubscribe_email=True)

    assert counts(channel) == (1, 0, 1)
    assert reached(channel, EMAIL) == []
    assert reached(channel, TEXT) == ["Kim"]


def test_texting_opt_out_leaves_the_text_list_only_R_I7(channel):
    CustomerFactory(channel=channel, name="Kim", mobile_number=MOBILE, unsubscribe_texting=True)

    assert counts(channel) == (1, 1, 0)
    assert reached(channel, EMAIL) == ["Kim"]
    assert reached(channel, TEXT) == []


def test_customer_without_the_contact_is_not_reached_by_it(channel):
    CustomerFactory(channel=channel, name="Email only")
    CustomerFactory(channel=channel, name="Mobile only", email=None, mobile_number=MOBILE)
    CustomerFactory(channel=channel, name="Landline only", email=None, landline_number=MOBILE)

    # A landline alone is no contact (R-M1): that customer is an anonymous visitor, not listed.
    assert counts(channel) == (2, 1, 1)
    assert reached(channel, EMAIL) == ["Email only"]
    assert reached(channel, TEXT) == ["Mobile only"]


def test_unknown_opt_out_is_no_opt_out_R_I7(channel):
    CustomerFactory(channel=channel, name="Kim", mobile_number=MOBILE)
    CustomerFactory(
        channel=channel,
        name="Said no opt-out",
        mobile_number="+821020203031",
        unsubscribe_email=False,
        unsubscribe_texting=False,
    )

    assert counts(channel) == (2, 2, 2)


def test_list_rows_are_id_member_id_name_and_the_reached_contact(channel):
    kim = CustomerFactory(
        channel=channel, name="Kim", member_id="M-1", email="kim@example.com", mobile_number=MOBILE
    )

    by_email = list(audience_recipients(channel=channel, audience=Audience(), reach=EMAIL))
    by_text = list(audience_recipients(channel=channel, audience=Audience(), reach=TEXT))

    assert by_email == [(kim.pk, "M-1", "Kim", "kim@example.com")]
    assert by_text == [(kim.pk, "M-1", "Kim", MOBILE)]


def test_another_channels_customers_are_never_in_it(channel):
    CustomerFactory(channel=ChannelFactory(), import_tags=["spring"])

    assert counts(channel) == (0, 0, 0)
    assert counts(channel, Audience(tag="spring")) == (0, 0, 0)


def test_import_tag_and_type_narrow_the_audience(channel):
    CustomerFactory(channel=channel, name="Tagged member", member_id="M-1", import_tags=["a", "b"])
    CustomerFactory(channel=channel, name="Tagged lead", import_tags=["b"])
    CustomerFactory(channel=channel, name="Untagged", member_id="M-2", import_tags=["c"])

    assert reached(channel, EMAIL, Audience(tag="b")) == ["Tagged member", "Tagged lead"]
    assert reached(channel, EMAIL, Audience(tag="b", customer_type="lead")) == ["Tagged lead"]
    assert reached(channel, EMAIL, Audience(customer_type="member")) == [
        "Tagged member",
        "Untagged",
    ]


def _by_key(channel, reach=EMAIL, **key_filter):
    return reached(channel, reach, Audience(key_filter=KeyFilter(**key_filter)))


def test_built_in_key_matches_its_field(channel):
    CustomerFactory(channel=channel, name="Kim", mobile_number=MOBILE, unsubscribe_texting=False)
    CustomerFactory(channel=channel, name="Lee", import_tags=["x"])

    assert _by_key(channel, operator=IS, value=MOBILE, field="mobile_number") == ["Kim"]
    assert _by_key(channel, operator=IS, value="Lee", field="name") == ["Lee"]
    assert _by_key(channel, operator=IS, value=False, field="unsubscribe_texting") == ["Kim"]
    assert _by_key(channel, operator=CONTAINS, value="x", field="import_tags") == ["Lee"]
    assert _by_key(channel, operator=IS, value=["x"], field="import_tags") == ["Lee"]


@pytest.mark.parametrize(
    ("type_name", "stored", "other", "wanted"),
    [
        ("string", "Seoul", "Busan", "Seoul"),
        ("phone", MOBILE, "+821020203031", MOBILE),
        ("number", 1.0, 2, 1),
        ("date", "2025-05-04", "2025-05-05", "2025-05-04"),
        ("datetime", "2025-05-04T00:00:00.000Z", "2025-05-04T00:00:01.000Z", None),
        ("boolean", True, False, True),
        ("list", ["a", "b"], ["b"], ["a", "b"]),
    ],
)
def test_custom_key_is_matches_the_stored_value(channel, type_name, stored, other, wanted):
    ProfileKey.objects.create(channel=channel, name="field", label="Field", type=type_name)
    CustomerFactory(channel=channel, name="Match", profile={"field": stored})
    CustomerFactory(channel=channel, name="Other", profile={"field": other})
    CustomerFactory(channel=channel, name="No value")

    value = stored if wanted is None else wanted
    assert _by_key(channel, operator=IS, value=value, custom_key="field") == ["Match"]


@pytest.mark.parametrize(
    ("type_name", "stored", "other", "item"),
    [
        ("list", ["a", "Seoul"], ["a"], "Seoul"),
        ("tag", ["basic/level1", "vip"], ["basic/level2", "basic"], "basic/level1"),
        ("listOfNumber", [1, 2.5], [1, 2], 2.5),
    ],
)
def test_custom_list_key_contains_one_item(channel, type_name, stored, other, item):
    ProfileKey.objects.create(channel=channel, name="field", label="Field", type=type_name)
    CustomerFactory(channel=channel, name="Match", profile={"field": stored})
    CustomerFactory(channel=channel, name="Other", profile={"field": other})
    CustomerFactory(channel=channel, name="No value")
    CustomerFactory(channel=ChannelFactory(), profile={"field": stored})

    assert _by_key(channel, operator=CONTAINS, value=item, custom_key="field") == ["Match"]


def test_tag_item_is_compared_whole(channel):
    CustomerFactory(channel=channel, profile={"grade": ["basic/level1"]})

    assert _by_key(channel, operator=CONTAINS, value="basic", custom_key="grade") == []


def test_custom_key_named_like_a_lookup_is_still_a_key(channel):
    CustomerFactory(channel=channel, name="Match", profile={"contains": "x", "exact": ["y"]})
    CustomerFactory(channel=channel, name="Other", profile={"contains": "z"})

    assert _by_key(channel, operator=IS, value="x", custom_key="contains") == ["Match"]
    assert _by_key(channel, operator=CONTAINS, value="y", custom_key="exact") == ["Match"]


def test_filters_combine_with_the_exclusions_R_B2_R_I7(channel):
    tagged = {"import_tags": ["spring"], "profile": {"city": "Seoul"}}
    CustomerFactory(channel=channel, name="Target", mobile_number=MOBILE, **tagged)
    CustomerFactory(channel=channel, name="Blocked", is_blocked=True, **tagged)
    CustomerFactory(
        channel=channel,
        name="No email",
        email=None,
        mobile_number="+821020203032",
        unsubscribe_texting=True,
        **tagged,
    )
    CustomerFactory(channel=channel, name="Elsewhere", import_tags=["spring"])
    audience = Audience(
        tag="spring", key_filter=KeyFilter(operator=IS, value="Seoul", custom_key="city")
    )

    assert counts(channel, audience) == (2, 1, 1)
    assert reached(channel, EMAIL, audience) == reached(channel, TEXT, audience) == ["Target"]


def test_counts_take_one_query(channel, django_assert_num_queries):
    CustomerFactory(channel=channel, import_tags=["spring"], profile={"city": "Seoul"})
    audience = Audience(
        tag="spring",
        customer_type="lead",
        key_filter=KeyFilter(operator=IS, value="Seoul", custom_key="city"),
    )

    with django_assert_num_queries(1):
        assert counts(channel, audience) == (1, 1, 0)
