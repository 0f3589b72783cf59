"""Boot (R-C4) from the site's pages: visitors, unverified leads (R-C3), the MU limit's order
(R-M2), blocked customers (R-B2) and logins (R-U5)."""

from datetime import timedelta

from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import VIA_API
from api import errors
from contacts import profile_phones, selectors
from contacts.models import Conversation, Customer
from contacts.selectors import mu_count
from tests.factories import ConversationFactory, CustomerFactory


def test_unknown_veil_id_creates_a_visitor_not_counted_nor_listed_R_C4(site, channel):
    response = site.boot("veil-1")
    assert response.status_code == 200
    body = response.json()
    visitor = Customer.objects.get(channel=channel, veil_id="veil-1")
    assert body == {"customerId": visitor.pk, "type": "visitor", "blocked": False, "hidden": False}
    assert visitor.has_booted and visitor.last_seen_at is not None
    assert mu_count(channel) == 0
    assert not selectors.customer_list(channel=channel).exists()
    assert not selectors.customer_list(channel=channel, customer_type=selectors.LEAD).exists()
    assert not Entry.objects.filter(channel=channel).exclude(category="settings").exists()


def test_same_veil_id_boots_the_same_customer_and_moves_last_seen_R_C4(site, channel):
    first = site.boot("veil-1").json()["customerId"]
    earlier = timezone.now() - timedelta(days=3)
    Customer.objects.filter(pk=first).update(last_seen_at=earlier)
    assert site.boot("veil-1").json()["customerId"] == first
    assert Customer.objects.get(pk=first).last_seen_at > earlier
    assert Customer.objects.filter(channel=channel).count() == 1


def test_a_boot_with_an_email_makes_an_unverified_lead_R_C3(site, channel):
    response = site.boot("veil-1", profile={"name": "Kim", "email": " Kim@Example.com "})
    assert response.json()["type"] == "lead"
    lead = Customer.objects.get(channel=channel, veil_id="veil-1")
    assert (lead.email, lead.email_verified, lead.name) == ("kim@example.com", False, "Kim")
    assert mu_count(channel) == 1
    assert list(selectors.customer_list(channel=channel)) == [lead]
    entry = Entry.objects.get(channel=channel, category=Entry.Category.CUSTOMER_ADD)
    assert (entry.actor, entry.details["via"], entry.customer_id) == (None, VIA_API, lead.pk)


def test_a_visitor_that_types_a_mobile_number_becomes_an_unverified_lead_R_C3(site, channel):
    site.boot("veil-1")
    site.boot("veil-1", profile={"mobileNumber": "+82 010-2020-3030"})
    lead = Customer.objects.get(channel=channel, veil_id="veil-1")
    assert (lead.type, lead.mobile_number, lead.mobile_verified) == ("lead", "+821020203030", False)
    entry = Entry.objects.get(channel=channel, category=Entry.Category.CUSTOMER_EDIT)
    assert entry.details == {"via": VIA_API, "keys": ["mobileNumber"]}


def test_a_changed_contact_is_unverified_an_unchanged_one_keeps_its_mark_R_C3(site, channel):
    lead = CustomerFactory(channel=channel, email="kim@example.com", veil_id="veil-1")
    lead.mobile_number, lead.mobile_verified = "+821020203030", True
    lead.save()
    site.boot("veil-1", profile={"email": "kim@example.com", "mobileNumber": "+821099998888"})
    lead.refresh_from_db()
    assert (lead.email_verified, lead.mobile_verified) == (True, False)


def test_a_boot_never_clears_a_value(site, channel):
    CustomerFactory(channel=channel, name="Kim", email="kim@example.com", veil_id="veil-1")
    site.boot("veil-1", profile={"name": "", "email": None})
    lead = Customer.objects.get(veil_id="veil-1")
    assert (lead.name, lead.email) == ("Kim", "kim@example.com")


def test_a_bad_value_answers_400_naming_the_key_and_the_accepted_form_R_T2(site, channel):
    response = site.boot("veil-1", profile={"mobileNumber": "010-2020-3030"})
    assert response.status_code == 400
    assert response.json() == {
        "code": errors.BAD_VALUE,
        "message": errors.VALUE_INVALID.format(
            key="mobileNumber", reason=profile_phones.REASON_PHONE_COUNTRY_CODE
        ),
    }
    assert not Customer.objects.exists()


def test_an_unknown_profile_key_or_a_missing_veil_id_answers_400(site, channel):
    response = site.boot("veil-1", profile={"birthday": "2000-01-01"})
    assert (response.status_code, response.json()["code"]) == (400, errors.BAD_REQUEST)
    assert "profile.birthday" in response.json()["message"]
    response = site.client.post(
        "/api/v1/boot",
        "{}",
        content_type="application/json",
        headers={"X-Plugin-Key": site.keys.plugin},
    )
    assert response.status_code == 400
    assert "veilId" in response.json()["message"]


def test_a_hidden_customer_that_boots_is_shown_and_the_least_recent_is_hidden_R_M2(site, channel):
    channel.mu_limit = 2
    channel.save()
    now = timezone.now()
    oldest = CustomerFactory(channel=channel, last_seen_at=now - timedelta(days=30))
    recent = CustomerFactory(channel=channel, last_seen_at=now - timedelta(days=1))
    hidden = CustomerFactory(
        channel=channel, last_seen_at=now - timedelta(days=90), is_hidden=True, veil_id="veil-h"
    )
    assert site.boot("veil-h").json() == {
        "customerId": hidden.pk,
        "type": "lead",
        "blocked": False,
        "hidden": False,
    }
    hidden_now = set(Customer.objects.filter(is_hidden=True).values_list("pk", flat=True))
    assert hidden_now == {oldest.pk}
    assert not Customer.objects.get(pk=recent.pk).is_hidden
    assert mu_count(channel) == 2


def test_a_new_lead_at_the_limit_is_shown_by_the_limits_order_R_M2(site, channel):
    channel.mu_limit = 1
    channel.save()
    older = CustomerFactory(channel=channel, last_seen_at=timezone.now() - timedelta(days=1))
    body = site.boot("veil-1", profile={"email": "new@example.com"}).json()
    assert body["hidden"] is False
    older.refresh_from_db()
    assert older.is_hidden
    assert mu_count(channel) == 1


def test_a_visitor_takes_no_room_under_the_limit_R_M1(site, channel):
    channel.mu_limit = 1
    channel.save()
    member = CustomerFactory(channel=channel, member_id="M1")
    assert site.boot("veil-1").json()["hidden"] is False
    member.refresh_from_db()
    assert not member.is_hidden


def test_a_blocked_customer_boots_and_is_told_blocked_R_B2(site, channel):
    blocked = CustomerFactory(channel=channel, veil_id="veil-b", is_blocked=True)
    body = site.boot("veil-b").json()
    assert body == {"customerId": blocked.pk, "type": "lead", "blocked": True, "hidden": False}
    blocked.refresh_from_db()
    assert blocked.is_blocked and blocked.has_booted


def test_a_login_of_an_unknown_member_makes_the_visitor_that_member_R_C4(site, channel):
    visitor = site.boot("veil-1").json()["customerId"]
    body = site.boot("veil-1", member_id="M1", profile={"name": "Kim"}).json()
    assert body == {"customerId": visitor, "type": "member", "blocked": False, "hidden": False}
    member = Customer.objects.get(pk=visitor)
    assert (member.member_id, member.name) == ("M1", "Kim")
    entry = Entry.objects.get(channel=channel, category=Entry.Category.CUSTOMER_EDIT)
    assert sorted(entry.details["keys"]) == ["memberId", "name"]


def test_a_first_boot_that_logs_in_creates_the_member(site, channel):
    body = site.boot("veil-1", member_id="M1").json()
    member = Customer.objects.get(channel=channel, member_id="M1")
    assert (body["customerId"], body["type"], member.veil_id) == (member.pk, "member", "veil-1")
    entry = Entry.objects.get(channel=channel, category=Entry.Category.CUSTOMER_ADD)
    assert entry.action == "Member added by a login"


def test_a_login_unifies_the_browsers_lead_into_the_member_R_U5(site, channel):
    member = CustomerFactory(channel=channel, member_id="M1", name="Kim", email=None)
    lead = CustomerFactory(channel=channel, name="", email="kim@example.com", veil_id="veil-1")
    ConversationFactory(customer=lead)
    body = site.boot("veil-1", member_id="M1").json()
    assert body["customerId"] == member.pk
    assert not Customer.objects.filter(pk=lead.pk).exists()
    member.refresh_from_db()
    assert (member.email, member.veil_id, member.has_booted) == ("kim@example.com", "veil-1", True)
    assert Conversation.objects.get().customer_id == member.pk
    entry = Entry.objects.get(channel=channel, category=Entry.Category.UNIFICATION)
    assert (entry.actor, entry.details["via"], entry.details["leadId"]) == (None, VIA_API, lead.pk)


def test_a_login_on_another_members_browser_moves_the_veil_id(site, channel):
    first = CustomerFactory(channel=channel, member_id="M1", veil_id="veil-1")
    second = CustomerFactory(channel=channel, member_id="M2")
    assert site.boot("veil-1", member_id="M2").json()["customerId"] == second.pk
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.veil_id, second.veil_id) == (None, "veil-1")


def test_a_member_that_logs_in_again_stays_itself(site, channel):
    member = CustomerFactory(channel=channel, member_id="M1", veil_id="veil-1")
    assert site.boot("veil-1", member_id="M1").json()["customerId"] == member.pk
    assert site.boot("veil-2", member_id="M1").json()["customerId"] == member.pk
    member.refresh_from_db()
    assert member.veil_id == "veil-2"
    assert Customer.objects.count() == 1


def test_a_wrong_or_missing_plugin_key_answers_401(site, channel, other_channel):
    for key in ("pk_wrong", ""):
        response = site.boot("veil-1", plugin_key=key or " ")
        assert response.status_code == 401
        assert response.json() == {
            "code": errors.UNAUTHORIZED,
            "message": errors.PLUGIN_KEY_REFUSED,
        }
    assert not Customer.objects.exists()
