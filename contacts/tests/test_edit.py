"""Edit a customer: built-in keys and typed custom keys (R-T1, R-T2), limits (R-C6)."""

import pytest
from django.urls import reverse

from activitylog.models import Entry
from contacts import profile_dates, profile_phones, profile_types, services
from contacts.forms import CUSTOM_FIELD_PREFIX, CustomerEditForm
from contacts.keys import EMAIL_INVALID
from contacts.models import ProfileKey
from tests.factories import ChannelFactory, CustomerFactory


def url(customer):
    return reverse("contacts:edit", args=[customer.channel.slug, customer.pk])


def form_data(customer, **changes):
    """What the edit page posts when the manager changes only `changes` (by field name)."""
    keys = list(ProfileKey.objects.filter(channel=customer.channel))
    form = CustomerEditForm(customer=customer, keys=keys)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def key(channel, name, type_name):
    return ProfileKey.objects.create(channel=channel, name=name, label=name.title(), type=type_name)


def field_errors(response, name):
    return response.context["form"].errors.get(name, [])


def test_anonymous_is_sent_to_login(client, channel):
    customer = CustomerFactory(channel=channel)
    assert client.get(url(customer))["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    customer = CustomerFactory(channel=channel)
    client.force_login(outsider)
    assert client.get(url(customer)).status_code == 404
    assert client.post(url(customer), {"name": "X"}).status_code == 404


def test_manager_without_edit_permission_gets_403(client, channel, viewer, deleter):
    customer = CustomerFactory(channel=channel, name="Kim")
    for user in (viewer, deleter):
        client.force_login(user)
        assert client.get(url(customer)).status_code == 403
        assert client.post(url(customer), form_data(customer, name="X")).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Kim"


def test_another_channels_customer_id_is_404(client, channel, owner):
    stranger = CustomerFactory(channel=ChannelFactory())
    client.force_login(owner)
    path = reverse("contacts:edit", args=["acme", stranger.pk])
    assert client.get(path).status_code == 404
    assert client.post(path, {"name": "X"}).status_code == 404


def test_edit_built_in_keys_and_log_the_changed_keys(client, channel, editor):
    customer = CustomerFactory(channel=channel, name="Kim", unsubscribe_email=None)
    before = customer.updated_at
    client.force_login(editor)
    data = form_data(
        customer,
        name="Kim Minsu",
        landline_number="+8225556666",
        unsubscribe_email="true",
        unsubscribe_texting="false",
    )
    response = client.post(url(customer), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Kim Minsu"
    assert customer.landline_number == "+8225556666"
    assert (customer.unsubscribe_email, customer.unsubscribe_texting) == (True, False)
    assert customer.updated_at > before
    entry = Entry.objects.get(category=Entry.Category.CUSTOMER_EDIT)
    assert entry.customer_id == customer.pk and entry.actor == editor
    assert set(entry.details["keys"]) == {
        "name",
        "landlineNumber",
        "unsubscribeEmail",
        "unsubscribeTexting",
    }


def test_saving_unchanged_records_nothing(client, channel, editor):
    customer = CustomerFactory(channel=channel)
    client.force_login(editor)
    assert client.post(url(customer), form_data(customer)).status_code == 302
    assert not Entry.objects.filter(category=Entry.Category.CUSTOMER_EDIT).exists()


def test_a_contact_typed_by_a_manager_is_verified_R_C3(client, channel, editor):
    """R-C3: contact information a manager enters is trusted."""
    customer = CustomerFactory(channel=channel, email="old@example.com", email_verified=False)
    client.force_login(editor)
    client.post(
        url(customer),
        form_data(customer, email="New@Example.com", mobile_number="+82 010-2020-3030"),
    )
    customer.refresh_from_db()
    assert (customer.email, customer.email_verified) == ("new@example.com", True)
    assert (customer.mobile_number, customer.mobile_verified) == ("+821020203030", True)


def test_a_manager_verifies_an_unverified_contact(client, channel, editor):
    """R-C3: a lead that typed its contact in a chat stays unverified until a manager verifies."""
    customer = CustomerFactory(channel=channel, email_verified=False)
    client.force_login(editor)
    client.post(url(customer), form_data(customer, email_verified="on"))
    customer.refresh_from_db()
    assert customer.email_verified
    entry = Entry.objects.get(category=Entry.Category.CUSTOMER_EDIT)
    assert entry.details["keys"] == ["emailVerified"]


def test_bad_email_and_phone_are_refused_beside_the_field(client, channel, editor):
    customer = CustomerFactory(channel=channel)
    client.force_login(editor)
    response = client.post(
        url(customer), form_data(customer, email="nope", landline_number="02-555-6666")
    )
    assert field_errors(response, "email") == [EMAIL_INVALID]
    landline_refused = [profile_phones.REASON_LANDLINE_COUNTRY_CODE]
    assert field_errors(response, "landline_number") == landline_refused


def test_a_lead_keeps_one_contact(client, channel, editor):
    customer = CustomerFactory(channel=channel, email="kim@example.com")
    client.force_login(editor)
    response = client.post(url(customer), form_data(customer, email=""))
    assert services.LEAD_KEEPS_A_CONTACT in response.context["form"].non_field_errors()
    customer.refresh_from_db()
    assert customer.email == "kim@example.com"


def test_member_id_is_editable_for_members_only(client, channel, editor):
    lead = CustomerFactory(channel=channel)
    member = CustomerFactory(channel=channel, member_id="m-1")
    client.force_login(editor)
    assert "member_id" not in client.get(url(lead)).context["form"].fields
    client.post(url(member), form_data(member, member_id="m-2"))
    member.refresh_from_db()
    assert member.member_id == "m-2"


def test_a_member_keeps_its_member_id_R_C1(client, channel, editor):
    """R-C1: clearing a member's memberId would make it a lead; page and service refuse."""
    member = CustomerFactory(channel=channel, member_id="m-1", name="Ann")
    client.force_login(editor)
    response = client.post(url(member), form_data(member, member_id="", name="Changed"))
    assert field_errors(response, "member_id") == ["This field is required."]
    with pytest.raises(services.CustomerError) as caught:
        services.customer_update(
            customer=member, by=editor, changes={"memberId": None, "name": "Changed"}
        )
    assert (caught.value.message, caught.value.field) == (services.MEMBER_ID_REQUIRED, "member_id")
    member.refresh_from_db()
    assert (member.member_id, member.name) == ("m-1", "Ann")


def test_member_id_stays_unique_in_the_channel_R_C1(client, channel, editor):
    """R-C1: the memberId is a member's identity."""
    CustomerFactory(channel=channel, member_id="taken")
    CustomerFactory(channel=ChannelFactory(), member_id="elsewhere")
    member = CustomerFactory(channel=channel, member_id="m-1")
    client.force_login(editor)
    response = client.post(url(member), form_data(member, member_id="taken"))
    assert field_errors(response, "member_id") == [services.MEMBER_ID_TAKEN]
    assert client.post(url(member), form_data(member, member_id="elsewhere")).status_code == 302
    member.refresh_from_db()
    assert member.member_id == "elsewhere"


@pytest.mark.parametrize(
    ("type_name", "text", "stored"),
    [
        ("string", "  gold  ", "gold"),
        ("phone", "+82 010-2020-3030", "+821020203030"),
        ("number", "1.01", 1.01),
        ("number", "42", 42),
        ("date", "2025-05-04", "2025-05-04"),
        ("datetime", "2025-05-04T09:00:00+09:00", "2025-05-04T00:00:00.000Z"),
        ("boolean", "true", True),
        ("boolean", "false", False),
        ("list", '["a", "b"]', ["a", "b"]),
        ("listOfNumber", "[1, 2.5]", [1, 2.5]),
        ("tag", '["basic/level1", "vip"]', ["basic/level1", "vip"]),
    ],
)
def test_custom_keys_are_stored_typed(client, channel, editor, type_name, text, stored):
    """R-T1: each custom key parses by its type."""
    key(channel, "field", type_name)
    customer = CustomerFactory(channel=channel)
    client.force_login(editor)
    response = client.post(url(customer), form_data(customer, key__field=text))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.profile == {"field": stored}
    assert type(customer.profile["field"]) is type(stored)
    form = client.get(url(customer)).context["form"]
    assert form.initial[CUSTOM_FIELD_PREFIX + "field"] == profile_types.format_value(
        type_name, stored
    )


def test_an_empty_custom_value_clears_it(client, channel, editor):
    key(channel, "points", "number")
    customer = CustomerFactory(channel=channel, profile={"points": 3})
    client.force_login(editor)
    client.post(url(customer), form_data(customer, key__points=""))
    customer.refresh_from_db()
    assert customer.profile == {}
    assert Entry.objects.get().details["keys"] == ["points"]


@pytest.mark.parametrize(
    ("type_name", "text", "reason"),
    [
        ("number", "1,000", profile_types.REASON_THOUSANDS_SEPARATOR),
        ("date", "2025.05.04", profile_dates.REASON_DATE_FORMAT),
        ("datetime", "2025/05/04", profile_dates.REASON_DATETIME_FORMAT),
        ("tag", '["a/b/c"]', profile_types.REASON_TAG_LEVELS),
        ("tag", '["a b"]', profile_types.REASON_TAG_CHARACTER),
        ("list", "a, b", profile_types.REASON_LIST_FORMAT),
        ("boolean", "maybe", profile_types.REASON_BOOLEAN),
        ("string", "x" * 513, profile_types.REASON_TOO_LONG),
    ],
)
def test_a_bad_typed_value_shows_its_reason_and_saves_nothing(
    client, channel, editor, type_name, text, reason
):
    """R-T1, R-T2: a value that breaks its type names the reason; nothing is guessed."""
    key(channel, "field", type_name)
    customer = CustomerFactory(channel=channel, name="Kim")
    client.force_login(editor)
    response = client.post(url(customer), form_data(customer, name="Changed", key__field=text))
    assert response.status_code == 200
    assert field_errors(response, "key__field") == [reason]
    assert reason.encode() in response.content.replace(b"&quot;", b'"')
    customer.refresh_from_db()
    assert (customer.name, customer.profile) == ("Kim", {})


def test_the_257th_profile_key_is_refused(client, channel, editor):
    """R-C6: at most 256 keys per profile (built-in keys with values count too)."""
    customer = CustomerFactory(channel=channel, name="Kim", email="kim@example.com")
    ProfileKey.objects.bulk_create(
        ProfileKey(channel=channel, name=f"k{n}", label=f"k{n}", type="number") for n in range(255)
    )
    customer.profile = {f"k{n}": n for n in range(253)}
    customer.save()
    client.force_login(editor)
    assert client.post(url(customer), form_data(customer, key__k253="1")).status_code == 302
    customer.refresh_from_db()
    assert len(customer.profile) == 254  # with name and email: 256 keys
    response = client.post(url(customer), form_data(customer, key__k254="2"))
    assert response.status_code == 200
    assert profile_types.REASON_TOO_MANY_KEYS in response.context["form"].non_field_errors()
    response = client.post(url(customer), form_data(customer, landline_number="+8225556666"))
    assert profile_types.REASON_TOO_MANY_KEYS in response.context["form"].non_field_errors()
    customer.refresh_from_db()
    assert customer.landline_number is None
    assert "k254" not in customer.profile


def test_a_profile_over_15_kb_is_refused(client, channel, editor):
    """R-C6: at most 15 KB per profile."""
    for n in range(30):
        key(channel, f"s{n}", "string")
    customer = CustomerFactory(channel=channel)
    customer.profile = {f"s{n}": "x" * 510 for n in range(29)}
    customer.save()
    client.force_login(editor)
    response = client.post(url(customer), form_data(customer, key__s29="y" * 510))
    assert profile_types.REASON_PROFILE_TOO_LARGE in response.context["form"].non_field_errors()
    customer.refresh_from_db()
    assert "s29" not in customer.profile
