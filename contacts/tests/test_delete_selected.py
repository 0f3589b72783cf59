"""Delete the customers checked in the list (R-D1)."""

from django.urls import reverse

from activitylog.models import Entry
from contacts import views
from contacts.models import Conversation, Customer
from tests.factories import ChannelFactory, ConversationFactory, CustomerFactory

URL = reverse("contacts:delete_selected", args=["acme"])


def test_anonymous_is_sent_to_login(client, channel):
    customer = CustomerFactory(channel=channel)
    response = client.post(URL, {"ids": [customer.pk], "confirm": "1"})
    assert response["Location"].startswith(reverse("login"))
    assert Customer.objects.count() == 1


def test_another_channels_manager_gets_404(client, channel, outsider):
    customer = CustomerFactory(channel=channel)
    client.force_login(outsider)
    assert client.post(URL, {"ids": [customer.pk], "confirm": "1"}).status_code == 404
    assert Customer.objects.count() == 1


def test_manager_without_delete_permission_gets_403(client, channel, viewer, editor):
    customer = CustomerFactory(channel=channel)
    for user in (viewer, editor):
        client.force_login(user)
        assert client.post(URL, {"ids": [customer.pk], "confirm": "1"}).status_code == 403
    assert Customer.objects.count() == 1


def test_get_is_not_allowed(client, channel, deleter):
    client.force_login(deleter)
    assert client.get(URL).status_code == 405


def test_first_post_asks_for_confirmation(client, channel, deleter):
    customers = CustomerFactory.create_batch(3, channel=channel)
    client.force_login(deleter)
    response = client.post(URL, {"ids": [c.pk for c in customers[:2]]})
    assert response.status_code == 200
    assert response.context["count"] == 2
    assert b'name="confirm"' in response.content
    assert Customer.objects.count() == 3


def test_confirmed_delete_removes_the_selected_customers(client, channel, deleter):
    """R-D1: many at once; conversations stay; one activity entry per customer."""
    kept, *chosen = CustomerFactory.create_batch(3, channel=channel)
    conversation = ConversationFactory(customer=chosen[0])
    client.force_login(deleter)
    response = client.post(URL, {"ids": [c.pk for c in chosen], "confirm": "1"}, follow=True)
    assert list(Customer.objects.all()) == [kept]
    assert views.CUSTOMERS_DELETED.format(count=2) in [str(m) for m in response.context["messages"]]
    conversation.refresh_from_db()
    assert conversation.customer is None and Conversation.objects.count() == 1
    entries = Entry.objects.filter(category=Entry.Category.CUSTOMER_DELETE)
    assert sorted(e.customer_id for e in entries) == sorted(c.pk for c in chosen)


def test_ids_of_another_channel_are_never_deleted(client, channel, deleter):
    mine = CustomerFactory(channel=channel)
    stranger = CustomerFactory(channel=ChannelFactory())
    client.force_login(deleter)
    client.post(URL, {"ids": [mine.pk, stranger.pk, "x"], "confirm": "1"})
    assert list(Customer.objects.all()) == [stranger]
    assert Entry.objects.get().customer_id == mine.pk


def test_nothing_selected_goes_back_to_the_list(client, channel, deleter):
    stranger = CustomerFactory(channel=ChannelFactory())
    client.force_login(deleter)
    response = client.post(URL, {"ids": [stranger.pk]}, follow=True)
    assert views.NOTHING_SELECTED in [str(m) for m in response.context["messages"]]
    assert Customer.objects.count() == 1


def test_room_after_deleting_shows_hidden_customers(client, channel, owner):
    """R-M2."""
    channel.mu_limit = 2
    channel.save()
    chosen = CustomerFactory.create_batch(2, channel=channel)
    hidden = CustomerFactory.create_batch(3, channel=channel, is_hidden=True)
    client.force_login(owner)
    client.post(URL, {"ids": [c.pk for c in chosen], "confirm": "1"})
    assert Customer.objects.filter(pk__in=[c.pk for c in hidden], is_hidden=False).count() == 2
