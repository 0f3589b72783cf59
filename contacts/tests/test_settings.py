"""Channel settings: managers, their permissions and the MU limit (R-M2), owner only."""

import pytest
from django.urls import reverse

from activitylog.models import Entry
from contacts import channels, settings_views
from contacts.models import Customer, Invitation, Membership
from tests.factories import CustomerFactory

SETTINGS = reverse("contacts:settings", args=["acme"])
INVITE = reverse("contacts:manager_invite", args=["acme"])
MU_LIMIT = reverse("contacts:mu_limit", args=["acme"])


def seat(channel, user):
    return Membership.objects.get(channel=channel, user=user)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def all_urls(channel, user):
    pk = seat(channel, user).pk
    return [
        ("get", SETTINGS),
        ("post", INVITE),
        ("post", MU_LIMIT),
        ("post", reverse("contacts:manager_update", args=["acme", pk])),
        ("post", reverse("contacts:manager_remove", args=["acme", pk])),
    ]


def test_anonymous_is_sent_to_login(client, channel, viewer):
    for method, url in all_urls(channel, viewer):
        assert getattr(client, method)(url)["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, viewer, outsider):
    client.force_login(outsider)
    for method, url in all_urls(channel, viewer):
        assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "editor", "deleter"])
def test_managers_who_are_not_the_owner_get_403(client, channel, viewer, who, request):
    client.force_login(request.getfixturevalue(who))
    for method, url in all_urls(channel, viewer):
        assert getattr(client, method)(url, {"mu_limit": "1"}).status_code == 403
    channel.refresh_from_db()
    assert channel.mu_limit is None
    assert seat(channel, viewer)


def test_owner_sees_managers_with_their_permissions(client, channel, owner, editor):
    client.force_login(owner)
    response = client.get(SETTINGS)
    assert response.status_code == 200
    assert [m.user for m in response.context["memberships"]] == [owner, editor]
    assert b"editor@example.com" in response.content


def test_owner_toggles_a_managers_permissions(client, channel, owner, viewer):
    client.force_login(owner)
    membership = seat(channel, viewer)
    url = reverse("contacts:manager_update", args=["acme", membership.pk])
    client.post(url, {"can_edit_customers": "on", "can_delete_customers": "on"})
    membership.refresh_from_db()
    assert membership.may_edit and membership.may_delete
    client.post(url, {"can_delete_customers": "on"})
    membership.refresh_from_db()
    assert not membership.may_edit and membership.may_delete
    entries = Entry.objects.filter(category=Entry.Category.SETTINGS)
    assert entries.count() == 2


def test_the_owners_permissions_are_fixed(client, channel, owner):
    client.force_login(owner)
    url = reverse("contacts:manager_update", args=["acme", seat(channel, owner).pk])
    response = client.post(url, {}, follow=True)
    assert channels.OWNER_PERMISSIONS_FIXED in messages_of(response)
    assert seat(channel, owner).may_edit


def test_another_channels_membership_is_404(client, channel, owner, outsider):
    other = Membership.objects.get(user=outsider)
    client.force_login(owner)
    assert (
        client.post(reverse("contacts:manager_update", args=["acme", other.pk])).status_code == 404
    )
    assert (
        client.post(reverse("contacts:manager_remove", args=["acme", other.pk])).status_code == 404
    )
    assert Membership.objects.filter(pk=other.pk).exists()


def test_inviting_twice_a_manager_of_the_channel_is_refused(client, channel, owner, editor):
    client.force_login(owner)
    response = client.post(INVITE, {"email": "Editor@Example.com"})
    assert response.context["add_form"].errors["email"] == [channels.ALREADY_MANAGER]
    assert not Invitation.objects.exists()


def test_an_invitation_needs_a_valid_email(client, channel, owner):
    client.force_login(owner)
    response = client.post(INVITE, {"email": "nope"})
    assert "email" in response.context["add_form"].errors
    assert not Invitation.objects.exists()


def test_remove_a_manager_but_never_the_owner(client, channel, owner, editor):
    client.force_login(owner)
    client.post(reverse("contacts:manager_remove", args=["acme", seat(channel, editor).pk]))
    assert not Membership.objects.filter(user=editor).exists()
    owner_seat = seat(channel, owner)
    response = client.post(
        reverse("contacts:manager_remove", args=["acme", owner_seat.pk]), follow=True
    )
    assert channels.OWNER_NOT_REMOVABLE in messages_of(response)
    assert Membership.objects.filter(pk=owner_seat.pk).exists()


def test_setting_the_mu_limit_hides_the_oldest_and_clearing_shows_them(client, channel, owner):
    """R-M2: beyond the limit, the oldest lastSeenAt hide first; clearing shows them again."""
    customers = CustomerFactory.create_batch(5, channel=channel)
    client.force_login(owner)
    response = client.post(MU_LIMIT, {"mu_limit": "3"}, follow=True)
    channel.refresh_from_db()
    assert channel.mu_limit == 3
    assert settings_views.MU_LIMIT_SAVED.format(hidden=2, shown=0) in messages_of(response)
    hidden = set(Customer.objects.filter(is_hidden=True).values_list("pk", flat=True))
    assert hidden == {customers[0].pk, customers[1].pk}
    response = client.post(MU_LIMIT, {"mu_limit": ""}, follow=True)
    channel.refresh_from_db()
    assert channel.mu_limit is None
    assert settings_views.MU_LIMIT_CLEARED.format(shown=2) in messages_of(response)
    assert not Customer.objects.filter(is_hidden=True).exists()
    actions = list(
        Entry.objects.filter(category=Entry.Category.SETTINGS)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["MU limit set to 3", "MU limit cleared"]


def test_a_negative_mu_limit_is_refused(client, channel, owner):
    client.force_login(owner)
    response = client.post(MU_LIMIT, {"mu_limit": "-1"})
    assert "mu_limit" in response.context["mu_form"].errors
    channel.refresh_from_db()
    assert channel.mu_limit is None
