import pytest
from django.urls import reverse

from activitylog.models import Entry
from blocking.services import customer_block
from contacts.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(channel):
    return CustomerFactory(channel=channel, name="Park Seoyeon", email="seoyeon@example.com")


def _block_url(customer):
    return reverse("blocking:block", args=[customer.channel.slug, customer.pk])


def _unblock_url(customer):
    return reverse("blocking:unblock", args=[customer.channel.slug, customer.pk])


def _list_url(channel):
    return reverse("blocking:list", args=[channel.slug])


def test_block_redirects_to_the_profile_R_B1(client, editor, customer):
    client.force_login(editor)

    response = client.post(_block_url(customer))

    assert response.status_code == 302
    assert response.url == reverse("contacts:detail", args=[customer.channel.slug, customer.pk])
    customer.refresh_from_db()
    assert customer.is_blocked


def test_block_needs_edit_permission(client, viewer, customer):
    client.force_login(viewer)

    response = client.post(_block_url(customer))

    assert response.status_code == 403
    customer.refresh_from_db()
    assert not customer.is_blocked


def test_unblock_needs_edit_permission(client, owner, viewer, customer):
    customer_block(customer=customer, by=owner)
    client.force_login(viewer)

    assert client.post(_unblock_url(customer)).status_code == 403


def test_block_is_404_for_another_channels_manager(client, outsider, customer):
    client.force_login(outsider)

    assert client.post(_block_url(customer)).status_code == 404
    assert client.get(_list_url(customer.channel)).status_code == 404


def test_block_is_404_for_a_customer_of_another_channel(client, owner, other_channel):
    stranger = CustomerFactory(channel=other_channel)
    client.force_login(owner)

    url = reverse("blocking:block", args=["acme", stranger.pk])
    assert client.post(url).status_code == 404
    stranger.refresh_from_db()
    assert not stranger.is_blocked


def test_block_refuses_get(client, owner, customer):
    client.force_login(owner)

    assert client.get(_block_url(customer)).status_code == 405


def test_blocked_list_shows_only_blocked_customers_R_B1(client, viewer, owner, channel, customer):
    CustomerFactory(channel=channel, name="Still Visible")
    customer_block(customer=customer, by=owner)
    client.force_login(viewer)

    response = client.get(_list_url(channel))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [customer]
    assert "Still Visible" not in response.content.decode()
    assert _unblock_url(customer) not in response.content.decode()  # a viewer may not unblock


def test_unblock_from_the_list_returns_to_the_list_R_B1(client, editor, owner, customer):
    customer_block(customer=customer, by=owner)
    client.force_login(editor)

    response = client.post(_unblock_url(customer))

    assert response.status_code == 302
    assert response.url == _list_url(customer.channel)
    customer.refresh_from_db()
    assert not customer.is_blocked
    assert Entry.objects.filter(action="Unblocked", actor=editor).exists()


def test_blocked_customer_leaves_the_contact_list_and_unblock_returns_it_R_B1(
    client, owner, channel, customer
):
    client.force_login(owner)

    def listed(url):
        return [c.name for c in client.get(url).context["page"].customers]

    contacts_url = reverse("contacts:list", args=[channel.slug])
    assert listed(contacts_url) == ["Park Seoyeon"]

    client.post(_block_url(customer))
    assert listed(contacts_url) == []
    blocked = client.get(_list_url(channel)).context["page"].object_list
    assert [c.name for c in blocked] == ["Park Seoyeon"]

    client.post(_unblock_url(customer))
    assert listed(contacts_url) == ["Park Seoyeon"]


def test_block_button_partial_follows_the_state_and_permission(rf, owner, viewer, channel):
    from django.template.loader import render_to_string

    from contacts.models import Membership

    customer = CustomerFactory(channel=channel)
    request = rf.get("/")
    request.user = owner
    owner_seat = Membership.objects.get(user=owner)
    viewer_seat = Membership.objects.get(user=viewer)

    def render(membership):
        context = {"channel": channel, "membership": membership, "customer": customer}
        return render_to_string("blocking/partials/_block_button.html", context, request)

    assert _block_url(customer) in render(owner_seat)
    assert render(viewer_seat).strip() == ""
    Customer.objects.filter(pk=customer.pk).update(is_blocked=True)
    customer.refresh_from_db()
    assert _unblock_url(customer) in render(owner_seat)


def test_profile_offers_block_to_editors_and_unblock_once_blocked_R_B1(
    client, editor, viewer, customer
):
    profile = reverse("contacts:detail", args=[customer.channel.slug, customer.pk])
    block = reverse("blocking:block", args=[customer.channel.slug, customer.pk])
    unblock = reverse("blocking:unblock", args=[customer.channel.slug, customer.pk])
    client.force_login(viewer)
    assert block not in client.get(profile).content.decode()
    client.force_login(editor)
    assert block in client.get(profile).content.decode()
    client.post(block)
    page = client.get(profile).content.decode()
    assert unblock in page and block not in page
