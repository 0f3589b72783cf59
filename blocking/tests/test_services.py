import datetime as dt

import pytest
from django.utils import timezone

from activitylog.models import Entry
from blocking.services import ACTION_BLOCKED, ACTION_UNBLOCKED, customer_block, customer_unblock
from contacts.selectors import mu_count
from contacts.services import mu_rebalance
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _seen(days_ago: int):
    return timezone.now() - dt.timedelta(days=days_ago)


def test_blocked_customer_leaves_mu_count_R_B2_R_M1(channel, owner):
    customer = CustomerFactory(channel=channel)
    CustomerFactory(channel=channel)
    assert mu_count(channel) == 2

    customer_block(customer=customer, by=owner)

    customer.refresh_from_db()
    assert customer.is_blocked
    assert customer.blocked_at is not None
    assert mu_count(channel) == 1


def test_unblocked_customer_returns_to_mu_count_R_B1(channel, owner):
    customer = CustomerFactory(channel=channel)
    customer_block(customer=customer, by=owner)

    customer_unblock(customer=customer, by=owner)

    customer.refresh_from_db()
    assert not customer.is_blocked
    assert customer.blocked_at is None
    assert mu_count(channel) == 1


def test_block_and_unblock_are_logged(channel, editor):
    customer = CustomerFactory(channel=channel, name="Kim Minjun")

    customer_block(customer=customer, by=editor)
    customer_unblock(customer=customer, by=editor)

    entries = Entry.objects.filter(channel=channel, category=Entry.Category.CUSTOMER_BLOCK)
    assert [e.action for e in entries.order_by("id")] == [ACTION_BLOCKED, ACTION_UNBLOCKED]
    assert {(e.actor, e.customer_id, e.customer_label) for e in entries} == {
        (editor, customer.pk, "Kim Minjun")
    }


def test_blocking_twice_changes_nothing(channel, owner):
    customer = CustomerFactory(channel=channel)
    customer_block(customer=customer, by=owner)
    blocked_at = customer.blocked_at

    customer_block(customer=customer, by=owner)

    customer.refresh_from_db()
    assert customer.blocked_at == blocked_at
    assert Entry.objects.filter(category=Entry.Category.CUSTOMER_BLOCK).count() == 1


def test_blocking_frees_mu_room_for_the_latest_seen_hidden_customer_R_M2(channel, owner):
    channel.mu_limit = 2
    channel.save()
    visible = CustomerFactory(channel=channel, last_seen_at=_seen(1))
    CustomerFactory(channel=channel, last_seen_at=_seen(2))
    older_hidden = CustomerFactory(channel=channel, last_seen_at=_seen(10))
    newer_hidden = CustomerFactory(channel=channel, last_seen_at=_seen(5))
    mu_rebalance(channel)
    newer_hidden.refresh_from_db()
    assert newer_hidden.is_hidden

    customer_block(customer=visible, by=owner)

    newer_hidden.refresh_from_db()
    older_hidden.refresh_from_db()
    assert not newer_hidden.is_hidden
    assert older_hidden.is_hidden
    assert mu_count(channel) == 2


def test_unblocking_over_the_mu_limit_hides_the_oldest_seen_R_M2(channel, owner):
    channel.mu_limit = 2
    channel.save()
    oldest = CustomerFactory(channel=channel, last_seen_at=_seen(30))
    blocked = CustomerFactory(channel=channel, last_seen_at=_seen(1))
    customer_block(customer=blocked, by=owner)
    CustomerFactory(channel=channel, last_seen_at=_seen(2))
    mu_rebalance(channel)
    assert mu_count(channel) == 2

    customer_unblock(customer=blocked, by=owner)

    oldest.refresh_from_db()
    blocked.refresh_from_db()
    assert oldest.is_hidden
    assert not blocked.is_hidden
    assert mu_count(channel) == 2
