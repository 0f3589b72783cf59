"""Delete every customer with one import tag (R-D1's example)."""

from django.urls import reverse

from activitylog.models import Entry
from contacts.models import Customer
from tests.factories import ChannelFactory, CustomerFactory

URL = reverse("contacts:delete_tagged", args=["acme"])


def test_anonymous_is_sent_to_login(client, channel):
    assert client.post(URL, {"tag": "t"})["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    CustomerFactory(channel=channel, import_tags=["t"])
    client.force_login(outsider)
    assert client.post(URL, {"tag": "t"}).status_code == 404
    assert Customer.objects.count() == 1


def test_manager_without_delete_permission_gets_403(client, channel, viewer, editor):
    CustomerFactory(channel=channel, import_tags=["t"])
    for user in (viewer, editor):
        client.force_login(user)
        assert client.get(URL, {"tag": "t"}).status_code == 403
        assert client.post(URL, {"tag": "t"}).status_code == 403
    assert Customer.objects.count() == 1


def test_confirmation_counts_the_tagged_customers(client, channel, deleter):
    CustomerFactory.create_batch(3, channel=channel, import_tags=["spring.csv"])
    CustomerFactory(channel=channel, import_tags=["other"])
    client.force_login(deleter)
    response = client.get(URL, {"tag": "spring.csv"})
    assert response.context["count"] == 3
    assert b'id="tagged-count">3<' in response.content
    assert Customer.objects.count() == 4


def test_deletes_only_the_visible_customers_with_the_tag_R_D1(client, channel, deleter):
    """R-D1: search by the import tag, then delete them all at once."""
    CustomerFactory.create_batch(3, channel=channel, import_tags=["old", "spring.csv"])
    untagged = CustomerFactory(channel=channel, import_tags=["other"])
    hidden = CustomerFactory(channel=channel, import_tags=["spring.csv"], is_hidden=True)
    elsewhere = CustomerFactory(channel=ChannelFactory(), import_tags=["spring.csv"])
    client.force_login(deleter)
    response = client.post(URL, {"tag": "spring.csv"})
    assert response.status_code == 302
    assert set(Customer.objects.all()) == {untagged, hidden, elsewhere}
    assert Entry.objects.filter(category=Entry.Category.CUSTOMER_DELETE).count() == 3


def test_the_list_offers_it_when_filtered_by_tag(client, channel, deleter, viewer):
    CustomerFactory(channel=channel, import_tags=["t"])
    list_url = reverse("contacts:list", args=["acme"])
    client.force_login(deleter)
    assert URL.encode() in client.get(list_url, {"tag": "t"}).content
    assert URL.encode() not in client.get(list_url).content
    client.force_login(viewer)
    assert URL.encode() not in client.get(list_url, {"tag": "t"}).content
