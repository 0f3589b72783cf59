"""Unification by imports and the MU limit, through the services (R-U1..R-U6, R-M3, R-I11)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activitylog.models import Entry
from contacts.models import Channel, Customer, PendingUnification
from contacts.selectors import mu_count
from imports import checking, lifecycle, running
from imports.models import ImportConflict
from imports.tests.rules_support import OPT, counters, csv, customer, run_csv, services_keys, upload
from tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.usefixtures("media")


# R-U unification


def test_R_U1_a_member_import_unifies_a_never_booted_verified_lead(channel, owner):
    lead = CustomerFactory(channel=channel, email="ann@example.com", has_booted=False)
    imp = run_csv(channel, owner, csv(f"memberId,email,{OPT}", "M1,ann@example.com,false,false"))
    assert (imp.created_count, imp.unified_count) == (1, 1)
    assert not Customer.objects.filter(pk=lead.pk).exists()
    assert Customer.objects.filter(channel=channel).count() == 1
    entry = Entry.objects.get(category=Entry.Category.UNIFICATION)
    assert entry.details["leadId"] == lead.pk
    assert entry.customer_id == customer(channel, member_id="M1").pk


def test_R_U1_a_lead_import_unifies_its_new_lead_with_the_member_sharing_a_contact(channel, owner):
    member = CustomerFactory(
        channel=channel, member_id="M1", email=None, mobile_number="+821020203030", name="Mem"
    )
    text = csv(f"email,mobileNumber,name,{OPT}", "new@example.com,+821020203030,Lead,true,true")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert counters(imp) | {} == {
        "created": 0, "updated": 1, "failed": 0, "createdHidden": 0,
        "unified": 1, "pendingUnification": 0, "conflicts": 0,
    }  # fmt: skip
    member.refresh_from_db()
    assert Customer.objects.filter(channel=channel).count() == 1
    assert member.email == "new@example.com" and member.email_verified
    assert member.name == "Mem"
    assert (member.unsubscribe_email, member.unsubscribe_texting) == (True, True)


def test_R_U1_an_unverified_lead_is_not_unified(channel, owner):
    CustomerFactory(channel=channel, email="ann@example.com", email_verified=False)
    imp = run_csv(channel, owner, csv(f"memberId,email,{OPT}", "M1,ann@example.com,false,false"))
    assert imp.unified_count == 0
    assert Customer.objects.filter(channel=channel).count() == 2


def test_R_U5_each_unified_leads_conversations_go_to_its_own_member(channel, owner):
    pairs = []
    for n in range(3):
        CustomerFactory(channel=channel, member_id=f"M{n}", email=f"p{n}@example.com")
        lead = CustomerFactory(
            channel=channel, email=f"p{n}@example.com", email_verified=True, has_booted=False
        )
        pairs.append((ConversationFactory(customer=lead), f"M{n}"))
    other = ConversationFactory(customer=CustomerFactory(channel=channel, member_id="M9"))
    imp = run_csv(channel, owner, csv("memberId", "M0", "M1", "M2"))
    assert imp.unified_count == 3
    for conversation, member_id in pairs:
        conversation.refresh_from_db()
        assert conversation.customer.member_id == member_id
    other.refresh_from_db()
    assert other.customer.member_id == "M9"


def test_R_U2_R_U5_a_never_booted_lead_is_unified_at_once_without_losing_data(channel, owner):
    services_keys(channel, owner, hobbies="list", tier="string", city="string")
    member = CustomerFactory(
        channel=channel, member_id="M1", name="Member", email="shared@example.com",
        email_verified=False, mobile_number=None, landline_number=None, unsubscribe_email=None,
        import_tags=["m-old"],
        profile={"hobbies": ["golf"], "tier": "gold"},
    )  # fmt: skip
    lead = CustomerFactory(
        channel=channel, name="Lead", email="shared@example.com", email_verified=True,
        mobile_number="+821020203030", mobile_verified=True, landline_number="+8225556666",
        unsubscribe_email=True, import_tags=["l-old"],
        profile={"hobbies": ["chess", "golf"], "tier": "silver", "city": "Seoul"}, has_booted=False,
    )  # fmt: skip
    conversation = ConversationFactory(customer=lead)
    imp = run_csv(channel, owner, csv("memberId", "M1"), tag="now")
    member.refresh_from_db()
    assert imp.unified_count == 1
    assert not Customer.objects.filter(pk=lead.pk).exists()
    assert member.name == "Member"
    assert member.email == "shared@example.com" and member.email_verified
    assert member.mobile_number == "+821020203030" and member.mobile_verified
    assert member.landline_number == "+8225556666"
    assert member.unsubscribe_email is True
    assert member.import_tags == ["m-old", "now", "l-old"]
    assert member.profile == {"hobbies": ["golf", "chess"], "tier": "gold", "city": "Seoul"}
    conversation.refresh_from_db()
    assert conversation.customer_id == member.pk


def test_R_U3_a_booted_lead_waits_and_both_count_toward_mu(channel, owner):
    lead = CustomerFactory(
        channel=channel,
        mobile_number="+821020203030",
        mobile_verified=True,
        email=None,
        has_booted=True,
    )
    imp = run_csv(
        channel, owner, csv(f"memberId,mobileNumber,{OPT}", "M1,+821020203030,false,false", "M1,,,")
    )
    member = customer(channel, member_id="M1")
    assert (imp.unified_count, imp.pending_unification_count) == (0, 1)
    assert list(PendingUnification.objects.values_list("lead_id", "member_id", "import_id")) == [
        (lead.pk, member.pk, imp.id)
    ]
    assert mu_count(channel) == 2
    again = run_csv(channel, owner, csv("memberId", "M1"))
    assert again.pending_unification_count == 0
    assert PendingUnification.objects.count() == 1


def test_R_U4_two_leads_are_never_unified(channel, owner):
    CustomerFactory(channel=channel, email="a@example.com", mobile_number="+821020203030")
    text = csv(f"email,mobileNumber,{OPT}", "b@example.com,+821020203030,false,false")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert (imp.created_count, imp.unified_count) == (1, 0)
    assert Customer.objects.filter(channel=channel).count() == 2


def test_R_U6_a_lead_pointing_at_two_members_is_a_conflict_naming_both(channel, owner):
    long_ago = timezone.now() - timedelta(days=30)
    by_email = CustomerFactory(
        channel=channel, member_id="M1", email="x@example.com", last_seen_at=long_ago
    )
    by_mobile = CustomerFactory(
        channel=channel, member_id="M2", email=None, mobile_number="+821020203030"
    )
    lead = CustomerFactory(channel=channel, email="x@example.com", has_booted=False)
    text = csv("email,mobileNumber", "x@example.com,+821020203030")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert (imp.updated_count, imp.conflict_count, imp.unified_count) == (1, 1, 0)
    conflict = ImportConflict.objects.get(import_run=imp)
    assert (conflict.row_number, conflict.lead_id) == (2, lead.pk)
    assert (conflict.email_member_id, conflict.mobile_member_id) == (by_email.pk, by_mobile.pk)
    lead.refresh_from_db()
    assert lead.mobile_number == "+821020203030"
    assert Customer.objects.filter(channel=channel).count() == 3


def test_R_U6_member_import_reports_a_lead_reaching_another_member(channel, owner):
    other = CustomerFactory(
        channel=channel, member_id="M2", email=None, mobile_number="+821020203030"
    )
    lead = CustomerFactory(
        channel=channel, email="x@example.com", mobile_number="+821020203030", mobile_verified=True
    )
    imp = run_csv(channel, owner, csv(f"memberId,email,{OPT}", "M1,x@example.com,false,false"))
    member = customer(channel, member_id="M1")
    conflict = ImportConflict.objects.get(import_run=imp)
    assert (conflict.lead_id, conflict.email_member_id, conflict.mobile_member_id) == (
        lead.pk,
        member.pk,
        other.pk,
    )
    assert Customer.objects.filter(pk=lead.pk).exists()


# R-M3 the MU limit


def test_R_M3_new_customers_fill_the_room_in_file_order_the_rest_hidden(channel, owner, chunked):
    Channel.objects.filter(pk=channel.pk).update(mu_limit=5)
    for i in range(2):
        CustomerFactory(channel=channel, member_id=f"OLD{i}")
    rows = [f"N{i},false,false" for i in range(6)]
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", *rows, "OLD0,true,true"))
    visible = set(
        Customer.objects.filter(channel=channel, is_hidden=False).values_list(
            "member_id", flat=True
        )
    )
    assert visible == {"OLD0", "OLD1", "N0", "N1", "N2"}
    assert imp.created_hidden_count == 3
    assert mu_count(channel) == 5


def test_R_M3_an_import_never_hides_a_visible_customer(channel, owner):
    Channel.objects.filter(pk=channel.pk).update(mu_limit=1)
    for i in range(3):
        CustomerFactory(channel=channel, member_id=f"OLD{i}")
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "OLD1,true,true", "NEW,false,false"))
    assert Customer.objects.filter(channel=channel, is_hidden=False).count() == 3
    assert customer(channel, member_id="NEW").is_hidden
    assert imp.created_hidden_count == 1


def test_R_I11_the_check_predicts_unifications_and_conflicts(channel, owner):
    CustomerFactory(channel=channel, email="ann@example.com", has_booted=False)
    CustomerFactory(channel=channel, member_id="M9", email=None, mobile_number="+821020203030")
    CustomerFactory(
        channel=channel, email="bo@example.com", mobile_number="+821020203030", mobile_verified=True
    )
    text = csv(
        f"memberId,email,{OPT}",
        "M1,ann@example.com,false,false",
        "M2,bo@example.com,false,false",
        "M3,,,",
    )
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    report = checking.import_check(imp=imp)
    assert (report["created"], report["unified"], report["conflicts"], report["failed"]) == (
        2,
        1,
        1,
        1,
    )
    imp.refresh_from_db()
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    done = running.import_run(import_id=imp.id)
    assert (done.created_count, done.unified_count, done.conflict_count, done.failed_count) == (
        2,
        1,
        1,
        1,
    )
