"""Add a lead by hand (R-C2, R-C3), with the MU limit (R-M2)."""

import pytest
from django.urls import reverse

from activitylog.models import Entry
from contacts import profile_phones, selectors, services, views
from contacts.keys import EMAIL_INVALID
from contacts.models import Customer
from tests.factories import ChannelFactory, CustomerFactory

URL = reverse("contacts:lead_add", args=["acme"])


def errors(response):
    form = response.context["form"]
    return [e for field_errors in form.errors.values() for e in field_errors]


def test_anonymous_is_sent_to_login(client, channel):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"email": "kim@example.com"}).status_code == 404
    assert not Customer.objects.exists()


def test_manager_without_edit_permission_gets_403(client, channel, viewer, deleter):
    """R-I17: only managers allowed to edit contact information add leads."""
    for user in (viewer, deleter):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"email": "kim@example.com"}).status_code == 403
    assert not Customer.objects.exists()


def test_editor_sees_the_form(client, channel, editor):
    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["nav"] == "lead_add"


def test_email_or_mobile_is_required_R_C2(client, channel, editor):
    """R-C2: at least one of email and mobile number."""
    client.force_login(editor)
    response = client.post(URL, {"email": " ", "mobile_number": "", "name": "Kim"})
    assert response.status_code == 200
    assert services.CONTACT_REQUIRED in errors(response)
    assert not Customer.objects.exists()


def test_email_lead_is_added_normalized_and_verified_R_C3(client, channel, editor):
    """R-C2, R-C3: a lead added by a manager is verified."""
    client.force_login(editor)
    response = client.post(URL, {"email": " Kim@Example.COM ", "name": "Kim"})
    lead = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:detail", args=["acme", lead.pk])
    assert (lead.email, lead.email_verified, lead.name) == ("kim@example.com", True, "Kim")
    assert lead.mobile_number is None and not lead.mobile_verified
    assert lead.member_id is None and not lead.is_hidden
    assert lead.created_at == lead.updated_at == lead.last_seen_at
    assert not lead.has_booted
    page = client.get(response["Location"])
    assert views.LEAD_ADDED in [str(m) for m in page.context["messages"]]


def test_mobile_lead_is_stored_in_e164_and_verified(client, channel, editor):
    """R-T1, R-C3."""
    client.force_login(editor)
    client.post(URL, {"mobile_number": "+82 010-2020-3030"})
    lead = Customer.objects.get()
    assert (lead.mobile_number, lead.mobile_verified, lead.email) == ("+821020203030", True, None)


def test_both_contacts_are_verified(client, channel, editor):
    client.force_login(editor)
    client.post(URL, {"email": "kim@example.com", "mobile_number": "+821020203030"})
    lead = Customer.objects.get()
    assert lead.email_verified and lead.mobile_verified


def test_bad_contacts_are_refused_beside_the_field(client, channel, editor):
    client.force_login(editor)
    response = client.post(URL, {"email": "not-an-email"})
    assert response.context["form"].errors["email"] == [EMAIL_INVALID]
    response = client.post(URL, {"mobile_number": "010-2020-3030"})
    assert response.context["form"].errors["mobile_number"] == [
        profile_phones.REASON_PHONE_COUNTRY_CODE
    ]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("existing", "posted"),
    [
        ({"email": "kim@example.com"}, {"email": "KIM@example.com"}),
        (
            {"email": None, "mobile_number": "+821020203030"},
            {"mobile_number": "+82 010-2020-3030"},
        ),
        ({"email": "kim@example.com", "is_hidden": True}, {"email": "kim@example.com"}),
        ({"email": "kim@example.com", "is_blocked": True}, {"email": "kim@example.com"}),
        ({"email": "kim@example.com", "member_id": "m-1"}, {"email": "kim@example.com"}),
        (
            {"email": "kim@example.com", "mobile_number": "+821020203030"},
            {"email": "lee@example.com", "mobile_number": "+821020203030"},
        ),
    ],
    ids=["email", "mobile-other-format", "hidden", "blocked", "member", "either-contact"],
)
def test_already_exists_adds_nothing_R_C2(client, channel, editor, existing, posted):
    """R-C2, R-M2: any customer with that contact, hidden, blocked or member, blocks the add."""
    customer = CustomerFactory(channel=channel, **existing)
    client.force_login(editor)
    response = client.post(URL, posted)
    assert response.status_code == 200
    assert errors(response) == [services.LEAD_ALREADY_EXISTS]
    assert b"Already exists" in response.content
    assert response.context["existing"] == customer
    assert list(Customer.objects.all()) == [customer]
    assert not Entry.objects.filter(category=Entry.Category.CUSTOMER_ADD).exists()


def test_another_channels_customer_does_not_count(client, channel, editor):
    CustomerFactory(channel=ChannelFactory(), email="kim@example.com")
    client.force_login(editor)
    client.post(URL, {"email": "kim@example.com"})
    assert Customer.objects.filter(channel=channel).count() == 1


def test_add_is_recorded_in_the_activity_log(client, channel, editor):
    client.force_login(editor)
    client.post(URL, {"email": "kim@example.com", "name": "Kim"})
    entry = Entry.objects.get(category=Entry.Category.CUSTOMER_ADD)
    lead = Customer.objects.get()
    assert (entry.channel, entry.actor, entry.customer_id) == (channel, editor, lead.pk)
    assert entry.customer_label == "Kim"
    assert entry.details == {"keys": ["email"]}


def test_with_the_mu_limit_reached_the_lead_is_added_hidden(client, channel, editor):
    """R-M2, R-M3: no room under the limit stores the lead hidden and says so."""
    channel.mu_limit = 1
    channel.save()
    CustomerFactory(channel=channel)
    client.force_login(editor)
    response = client.post(URL, {"email": "kim@example.com"}, follow=True)
    lead = Customer.objects.get(email="kim@example.com")
    assert lead.is_hidden
    assert views.LEAD_ADDED_HIDDEN in [str(m) for m in response.context["messages"]]
    assert selectors.mu_count(channel) == 1
    again = client.post(URL, {"email": "kim@example.com"})
    assert errors(again) == [services.LEAD_ALREADY_EXISTS]


def test_with_room_under_the_limit_the_lead_is_visible(client, channel, editor):
    channel.mu_limit = 2
    channel.save()
    CustomerFactory(channel=channel)
    client.force_login(editor)
    client.post(URL, {"email": "kim@example.com"})
    assert not Customer.objects.get(email="kim@example.com").is_hidden
