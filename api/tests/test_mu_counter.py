"""The site's API writes (R-D2, R-C4): members put and deleted, boots that add, show, hide and
unify customers. The MU counter follows each (R-M1)."""

from datetime import timedelta

from django.utils import timezone

from contacts.models import Customer
from contacts.unification import lead_contact_verify
from tests.factories import CustomerFactory
from tests.mu_support import mu_checked

OPT_OUTS = {"unsubscribeEmail": False, "unsubscribeTexting": False}


def test_members_put_and_deleted_R_D2(site, channel):
    channel.mu_limit = 2
    channel.save()
    assert site.put_member("M1", OPT_OUTS).status_code == 201
    assert mu_checked(channel) == 1
    assert site.put_member("M1", {"email": "kim@example.com"}).status_code == 200
    assert mu_checked(channel) == 1
    lead = CustomerFactory(channel=channel, email="lee@example.com", has_booted=False)
    assert mu_checked(channel) == 2
    # The new member takes the seat of the lead it unifies (R-U2), the next one is hidden (R-M3).
    assert site.put_member("M2", {"email": "lee@example.com", **OPT_OUTS}).status_code == 201
    assert not Customer.objects.filter(pk=lead.pk).exists()
    assert mu_checked(channel) == 2
    assert site.put_member("M3", OPT_OUTS).json()["isHidden"] is True
    assert mu_checked(channel) == 2
    assert site.call("delete", "/members/M1").status_code == 204
    assert mu_checked(channel) == 2  # the hidden member is shown in its seat
    assert site.call("delete", "/members/M3").status_code == 204
    assert mu_checked(channel) == 1


def test_boots_add_show_hide_and_unify_R_C4_R_M2_R_U3(site, channel, owner):
    channel.mu_limit = 2
    channel.save()
    long_ago = timezone.now() - timedelta(days=30)
    site.boot("veil-v")  # an anonymous visitor
    assert mu_checked(channel) == 0
    CustomerFactory(channel=channel, last_seen_at=long_ago)
    CustomerFactory(channel=channel, is_hidden=True, veil_id="veil-h")
    assert mu_checked(channel) == 1
    site.boot("veil-h")
    assert mu_checked(channel) == 2
    lead_id = site.boot("veil-l", profile={"email": "kim@example.com"}).json()["customerId"]
    assert mu_checked(channel) == 2  # the least recently seen is hidden for the new lead
    lead_contact_verify(lead=Customer.objects.get(pk=lead_id), by=owner, key="email")
    site.put_member("M1", {"email": "kim@example.com", **OPT_OUTS})
    assert mu_checked(channel) == 2
    site.boot("veil-l", member_id="M1")  # the login unifies the waiting lead
    assert not Customer.objects.filter(pk=lead_id).exists()
    assert mu_checked(channel) == 2
    site.boot("veil-v", profile={"mobileNumber": "+821020203030"})
    assert mu_checked(channel) == 2
