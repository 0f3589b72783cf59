"""Services behind the contacts pages, called the way imports and commands call them."""

import pytest

from activitylog.models import Entry
from contacts import selectors, services
from contacts.models import Customer
from tests.factories import ChannelFactory, CustomerFactory


def test_customers_delete_works_in_batches(channel, owner, monkeypatch):
    """R-D1: a large delete runs in id batches, one activity entry per customer."""
    monkeypatch.setattr(services, "_DELETE_BATCH", 3)
    customers = CustomerFactory.create_batch(8, channel=channel)
    stranger = CustomerFactory(channel=ChannelFactory())
    deleted, shown = services.customers_delete(
        channel=channel, by=owner, customer_ids=[c.pk for c in customers] + [stranger.pk]
    )
    assert (deleted, shown) == (8, 0)
    assert list(Customer.objects.all()) == [stranger]
    assert Entry.objects.filter(category=Entry.Category.CUSTOMER_DELETE).count() == 8


def test_lead_add_refuses_without_contact(channel, owner):
    """R-C2."""
    with pytest.raises(services.CustomerError) as error:
        services.lead_add(channel=channel, by=owner, email="  ", mobile_number="")
    assert error.value.message == services.CONTACT_REQUIRED


def test_lead_add_hides_the_lead_without_room(channel, owner):
    """R-M2: a lead beyond the MU limit is stored hidden, never lost."""
    channel.mu_limit = 0
    channel.save()
    lead = services.lead_add(channel=channel, by=owner, mobile_number="+82 010-2020-3030")
    assert lead.is_hidden and lead.mobile_number == "+821020203030" and lead.mobile_verified
    assert selectors.mu_room(channel) == 0


def test_mu_room(channel):
    assert selectors.mu_room(channel) is None
    channel.mu_limit = 3
    CustomerFactory(channel=channel)
    CustomerFactory(channel=channel, is_hidden=True)
    assert selectors.mu_room(channel) == 2


def test_profile_key_add_for_an_import_mapping(channel, owner):
    """R-I5: a missing key can be created on the spot with a name and a type."""
    key = services.profile_key_add(channel=channel, by=owner, name="grade", type="tag")
    assert (key.label, key.type) == ("grade", "tag")
    with pytest.raises(services.ProfileKeyError) as error:
        services.profile_key_add(channel=channel, by=owner, name="grade", type="string")
    assert (error.value.message, error.value.field) == (services.KEY_NAME_TAKEN, "name")
    with pytest.raises(services.ProfileKeyError) as error:
        services.profile_key_add(channel=channel, by=owner, name="score", type="float")
    assert error.value.message == services.KEY_TYPE_UNKNOWN


def test_customer_update_refuses_system_keys(channel, owner):
    """R-C5: system keys are not editable."""
    customer = CustomerFactory(channel=channel)
    with pytest.raises(ValueError, match="lastSeenAt"):
        services.customer_update(customer=customer, by=owner, changes={"lastSeenAt": None})
