"""A manager verifies a lead's email or mobile number from its profile page (R-C3), which
unifies it with a member as R-U1..R-U3 and R-U6 say."""

from django.urls import reverse

from activitylog.models import Entry
from contacts import views
from contacts.models import Customer, PendingUnification
from contacts.unification import VERIFY_NOT_A_LEAD, VERIFY_NOTHING
from tests.factories import CustomerFactory


def url(customer):
    return reverse("contacts:verify", args=["acme", customer.pk])


def detail(customer):
    return reverse("contacts:detail", args=["acme", customer.pk])


def unverified_lead(channel, **values):
    values = {"email": "kim@example.com", "email_verified": False, "has_booted": True, **values}
    return CustomerFactory(channel=channel, **values)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_editor_verifies_a_leads_email_R_C3(client, channel, editor):
    lead = unverified_lead(channel)
    client.force_login(editor)
    response = client.post(url(lead), {"key": "email"}, follow=True)
    assert response.redirect_chain[-1][0] == detail(lead)
    assert messages_of(response) == [views.CONTACT_VERIFIED.format(key="Email")]
    lead.refresh_from_db()
    assert lead.email_verified
    entry = Entry.objects.get(channel=channel, category=Entry.Category.CUSTOMER_EDIT)
    assert (entry.actor, entry.details["keys"]) == (editor, ["emailVerified"])


def test_the_profile_offers_verify_for_an_unverified_contact_only(client, channel, editor):
    lead = unverified_lead(channel, mobile_number="+821020203030", mobile_verified=True)
    client.force_login(editor)
    page = client.get(detail(lead)).content.decode()
    assert 'aria-label="Verify email"' in page
    assert 'aria-label="Verify mobileNumber"' not in page


def test_verifying_a_booted_leads_mobile_makes_it_wait_for_the_member_R_U3(client, channel, editor):
    lead = unverified_lead(channel, email=None, mobile_number="+821020203030")
    member = CustomerFactory(channel=channel, member_id="M1", mobile_number="+821020203030")
    client.force_login(editor)
    response = client.post(url(lead), {"key": "mobileNumber"}, follow=True)
    assert messages_of(response) == [
        views.VERIFIED_PENDING.format(key="Mobile number", member=member.display_name)
    ]
    assert PendingUnification.objects.filter(lead=lead, member=member).exists()
    for customer in (lead, member):
        assert "Pending unification" in client.get(detail(customer)).content.decode()


def test_verifying_a_lead_that_never_booted_unifies_it_at_once_R_U2(client, channel, editor):
    lead = unverified_lead(channel, has_booted=False)
    member = CustomerFactory(channel=channel, member_id="M1", email="kim@example.com")
    client.force_login(editor)
    response = client.post(url(lead), {"key": "email"}, follow=True)
    assert response.redirect_chain[-1][0] == detail(member)
    assert messages_of(response) == [
        views.VERIFIED_UNIFIED.format(key="Email", member=member.display_name)
    ]
    assert not Customer.objects.filter(pk=lead.pk).exists()


def test_a_lead_reaching_two_members_is_not_unified_R_U6(client, channel, editor):
    lead = unverified_lead(channel, mobile_number="+821020203030", mobile_verified=True)
    first = CustomerFactory(channel=channel, member_id="M1", email="kim@example.com")
    second = CustomerFactory(
        channel=channel, member_id="M2", email=None, mobile_number="+821020203030"
    )
    client.force_login(editor)
    response = client.post(url(lead), {"key": "email"}, follow=True)
    names = {first.display_name, second.display_name}
    [message] = messages_of(response)
    assert message in {
        views.VERIFIED_CONFLICT.format(key="Email", first=a, second=b)
        for a in names
        for b in names - {a}
    }
    assert Customer.objects.filter(pk=lead.pk).exists()
    assert not PendingUnification.objects.exists()


def test_a_members_contact_or_a_missing_one_is_refused(client, channel, editor):
    member = CustomerFactory(channel=channel, member_id="M1", email_verified=False)
    lead = unverified_lead(channel)
    client.force_login(editor)
    response = client.post(url(member), {"key": "email"}, follow=True)
    assert messages_of(response) == [VERIFY_NOT_A_LEAD]
    response = client.post(url(lead), {"key": "mobileNumber"}, follow=True)
    assert messages_of(response) == [VERIFY_NOTHING.format(key="mobileNumber")]
    member.refresh_from_db()
    assert not member.email_verified


def test_verify_needs_the_edit_permission_and_the_channel(client, channel, viewer, outsider):
    lead = unverified_lead(channel)
    client.force_login(viewer)
    assert client.post(url(lead), {"key": "email"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url(lead), {"key": "email"}).status_code == 404
    lead.refresh_from_db()
    assert not lead.email_verified
