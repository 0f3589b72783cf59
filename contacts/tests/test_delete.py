"""Delete one customer (R-D1): permanent, conversations stay, room shows hidden ones (R-M2)."""

from django.urls import reverse

from activitylog.models import Entry
from contacts import views
from contacts.models import Conversation, Customer
from tests.factories import ChannelFactory, ConversationFactory, CustomerFactory


def url(customer):
    return reverse("contacts:delete", args=[customer.channel.slug, customer.pk])


def test_anonymous_is_sent_to_login(client, channel):
    customer = CustomerFactory(channel=channel)
    assert client.post(url(customer))["Location"].startswith(reverse("login"))
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_another_channels_manager_gets_404(client, channel, outsider):
    customer = CustomerFactory(channel=channel)
    client.force_login(outsider)
    assert client.post(url(customer)).status_code == 404
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_manager_without_delete_permission_gets_403_R_D1(client, channel, viewer, editor):
    """R-D1: only managers allowed to delete customers delete them."""
    customer = CustomerFactory(channel=channel)
    for user in (viewer, editor):
        client.force_login(user)
        assert client.get(url(customer)).status_code == 403
        assert client.post(url(customer)).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_another_channels_customer_id_is_404(client, channel, owner):
    stranger = CustomerFactory(channel=ChannelFactory())
    client.force_login(owner)
    assert client.post(reverse("contacts:delete", args=["acme", stranger.pk])).status_code == 404
    assert Customer.objects.filter(pk=stranger.pk).exists()


def test_get_asks_for_confirmation_and_deletes_nothing(client, channel, deleter):
    customer = CustomerFactory(channel=channel)
    ConversationFactory(customer=customer)
    client.force_login(deleter)
    response = client.get(url(customer))
    assert response.status_code == 200
    assert b"permanent" in response.content
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_delete_keeps_conversations_and_logs_it_R_D1(client, channel, deleter):
    """R-D1: everything but conversation history is erased."""
    customer = CustomerFactory(channel=channel, name="Kim")
    conversation = ConversationFactory(customer=customer)
    other = CustomerFactory(channel=channel)
    client.force_login(deleter)
    response = client.post(url(customer), follow=True)
    assert response.redirect_chain[-1][0] == reverse("contacts:list", args=["acme"])
    assert views.CUSTOMER_DELETED in [str(m) for m in response.context["messages"]]
    assert list(Customer.objects.all()) == [other]
    conversation.refresh_from_db()
    assert conversation.customer is None
    assert Conversation.objects.count() == 1
    entry = Entry.objects.get(category=Entry.Category.CUSTOMER_DELETE)
    assert (entry.customer_id, entry.customer_label, entry.actor) == (customer.pk, "Kim", deleter)


def test_deleting_makes_room_for_a_hidden_customer(client, channel, owner):
    """R-M2: when room appears, the hidden customer seen most recently shows again."""
    channel.mu_limit = 1
    channel.save()
    visible = CustomerFactory(channel=channel)
    hidden = CustomerFactory(channel=channel, is_hidden=True)
    client.force_login(owner)
    response = client.post(url(visible), follow=True)
    hidden.refresh_from_db()
    assert not hidden.is_hidden
    assert views.HIDDEN_SHOWN_AGAIN.format(count=1) in [
        str(m) for m in response.context["messages"]
    ]
