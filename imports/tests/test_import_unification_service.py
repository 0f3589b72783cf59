"""contacts.unification: the same merge outside imports (R-U4, R-U5)."""

import pytest

from activitylog.models import Entry
from contacts.models import Customer, PendingUnification
from contacts.unification import NOT_A_MEMBER, UnificationError, customer_unify
from tests.factories import ConversationFactory, CustomerFactory


def test_R_U5_a_unified_lead_leaves_its_data_conversations_and_pending_unification(channel, owner):
    member = CustomerFactory(channel=channel, member_id="M1", name="", import_tags=["a"])
    lead = CustomerFactory(channel=channel, name="Lead", has_booted=True, import_tags=["b"])
    lead_id = lead.pk
    PendingUnification.objects.create(channel=channel, lead=lead, member=member)
    conversation = ConversationFactory(customer=lead)
    assert customer_unify(lead=lead, member=member, by=owner) == member
    member.refresh_from_db()
    conversation.refresh_from_db()
    assert not Customer.objects.filter(pk=lead_id).exists()
    assert (member.name, member.import_tags, member.has_booted) == ("Lead", ["a", "b"], True)
    assert conversation.customer_id == member.pk
    assert not PendingUnification.objects.exists()
    entry = Entry.objects.get(category=Entry.Category.UNIFICATION)
    assert entry.customer_id == member.pk and entry.details["leadId"] == lead_id


def test_R_U4_a_lead_is_never_unified_into_a_lead(channel):
    first, second = CustomerFactory(channel=channel), CustomerFactory(channel=channel)
    with pytest.raises(UnificationError) as caught:
        customer_unify(lead=first, member=second)
    assert str(caught.value) == NOT_A_MEMBER
