"""R-U3 end to end: a booted lead, a member import that finds it, the login that unifies them."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from activitylog.models import Entry
from contacts.models import Customer, PendingUnification
from contacts.selectors import mu_count
from contacts.unification import lead_contact_verify
from imports import lifecycle, running


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def import_members(channel, by, text):
    imp = lifecycle.import_upload(
        channel=channel,
        by=by,
        file=ContentFile(text.encode(), name="members.csv"),
        file_name="members.csv",
        encoding=None,
    )
    lifecycle.import_configure(imp=imp, by=by, kind="member", identifier=None)
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


def test_R_U3_import_member_pending_login_boot_unified_mu_down_by_one(site, client, channel, owner):
    # A visitor types its email into the site (R-C3: unverified), and a manager verifies it.
    lead_id = site.boot("veil-1", profile={"email": "kim@example.com"}).json()["customerId"]
    lead = Customer.objects.get(pk=lead_id)
    lead_contact_verify(lead=lead, by=owner, key="email")

    # Import member: the booted lead waits for the login (R-U3); both records count toward MU.
    imp = import_members(
        channel,
        owner,
        "memberId,name,email,unsubscribeEmail,unsubscribeTexting\n"
        "M1,Kim Minsu,kim@example.com,false,false\n",
    )
    assert (imp.created_count, imp.unified_count, imp.pending_unification_count) == (1, 0, 1)
    member = Customer.objects.get(channel=channel, member_id="M1")
    assert PendingUnification.objects.filter(lead_id=lead_id, member=member).exists()
    assert mu_count(channel) == 2

    # Pending: both profiles show it.
    client.force_login(owner)
    for customer in (lead, member):
        page = client.get(reverse("contacts:detail", args=[channel.slug, customer.pk]))
        assert "Pending unification" in page.content.decode()

    # Login boot: the lead is unified into the member, and MU is down by one.
    body = site.boot("veil-1", member_id="M1").json()
    assert body == {"customerId": member.pk, "type": "member", "blocked": False, "hidden": False}
    assert not Customer.objects.filter(pk=lead_id).exists()
    assert not PendingUnification.objects.exists()
    member.refresh_from_db()
    assert (member.email, member.email_verified, member.veil_id) == (
        "kim@example.com",
        True,
        "veil-1",
    )
    assert mu_count(channel) == 1
    entry = Entry.objects.filter(channel=channel, category=Entry.Category.UNIFICATION).first()
    assert entry.customer_id == member.pk and entry.details["via"] == "api"


def test_R_U3_a_lead_waiting_for_one_member_logs_in_as_another(site, channel, owner):
    """The login names the member: the lead becomes that new member, its wait is dropped."""
    lead = Customer.objects.get(
        pk=site.boot("veil-1", profile={"email": "kim@example.com"}).json()["customerId"]
    )
    lead_contact_verify(lead=lead, by=owner, key="email")
    import_members(
        channel,
        owner,
        "memberId,email,unsubscribeEmail,unsubscribeTexting\nM1,kim@example.com,false,false\n",
    )
    assert PendingUnification.objects.count() == 1
    site.boot("veil-1", member_id="M2")
    assert not PendingUnification.objects.exists()
    assert not Customer.objects.filter(pk=lead.pk, member_id__isnull=True).exists()
    assert Customer.objects.get(member_id="M2").pk == lead.pk
