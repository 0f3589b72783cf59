"""Customer profile: built-in and custom keys, marks, badges and action buttons."""

from django.urls import reverse

from contacts import profile_types
from contacts.models import ProfileKey
from tests.factories import ChannelFactory, ConversationFactory, CustomerFactory


def url(customer):
    return reverse("contacts:detail", args=[customer.channel.slug, customer.pk])


def test_anonymous_is_sent_to_login(client, channel):
    customer = CustomerFactory(channel=channel)
    response = client.get(url(customer))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    customer = CustomerFactory(channel=channel)
    client.force_login(outsider)
    assert client.get(url(customer)).status_code == 404


def test_another_channels_customer_id_is_404(client, channel, owner):
    stranger = CustomerFactory(channel=ChannelFactory())
    client.force_login(owner)
    path = reverse("contacts:detail", args=["acme", stranger.pk])
    assert client.get(path).status_code == 404


def test_profile_shows_every_key_with_formatted_values(client, channel, viewer):
    """R-C5: every built-in key; custom keys formatted by their type (R-T1)."""
    ProfileKey.objects.create(channel=channel, name="points", label="Points", type="number")
    ProfileKey.objects.create(channel=channel, name="tags", label="Tags", type="tag")
    ProfileKey.objects.create(channel=channel, name="birthday", label="Birthday", type="date")
    customer = CustomerFactory(
        channel=channel,
        name="Kim",
        mobile_number="+821020203030",
        mobile_verified=False,
        import_tags=["spring.csv"],
        profile={"points": 1.5, "tags": ["basic/level1"]},
    )
    ConversationFactory.create_batch(2, customer=customer)
    client.force_login(viewer)
    response = client.get(url(customer))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("memberId", "email", "mobileNumber", "unsubscribeEmail", "lastSeenAt"):
        assert f">{name}" in html
    assert "1.5" in html
    assert profile_types.format_value("tag", ["basic/level1"]) in response.content.decode(
        "utf-8"
    ).replace("&quot;", '"')
    assert "spring.csv" in html
    assert "unverified" in html and "verified" in html
    assert response.context["conversation_count"] == 2
    assert "Edit</a>" not in html and "Delete</a>" not in html


def test_hidden_and_blocked_profiles_stay_reachable_with_badges(client, channel, owner):
    """R-M2: hidden customers are stored; their profile opens with a badge."""
    hidden = CustomerFactory(channel=channel, is_hidden=True)
    blocked = CustomerFactory(channel=channel, is_blocked=True)
    client.force_login(owner)
    assert b">Hidden<" in client.get(url(hidden)).content
    assert b">Blocked<" in client.get(url(blocked)).content


def test_actions_follow_the_permissions(client, channel, owner, editor, deleter):
    customer = CustomerFactory(channel=channel)
    expected = {owner: (True, True), editor: (True, False), deleter: (False, True)}
    for user, (may_edit, may_delete) in expected.items():
        client.force_login(user)
        html = client.get(url(customer)).content.decode()
        assert ('class="actions"' in html) is True
        assert (reverse("contacts:edit", args=["acme", customer.pk]) in html) is may_edit
        assert (reverse("contacts:delete", args=["acme", customer.pk]) in html) is may_delete
