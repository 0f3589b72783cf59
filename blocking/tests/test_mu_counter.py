"""Blocking moves a customer out of MU and back (R-B2, R-M1): the MU counter follows."""

from datetime import timedelta

from django.utils import timezone

from blocking.services import customer_block, customer_unblock
from tests.factories import CustomerFactory
from tests.mu_support import mu_checked


def test_block_and_unblock_under_the_limit_R_B2_R_M2(channel, owner):
    """Blocking frees a seat for the latest seen hidden; unblocking hides the least recent."""
    channel.mu_limit = 2
    channel.save()
    now = timezone.now()
    blocked = CustomerFactory(channel=channel, last_seen_at=now - timedelta(days=9))
    CustomerFactory(channel=channel, last_seen_at=now)
    CustomerFactory(channel=channel, is_hidden=True, last_seen_at=now - timedelta(days=1))
    CustomerFactory(channel=channel, email=None, is_blocked=True)  # an anonymous visitor
    assert mu_checked(channel) == 2
    customer_block(customer=blocked, by=owner)
    assert mu_checked(channel) == 2
    assert blocked.is_blocked
    customer_unblock(customer=blocked, by=owner)
    assert blocked.is_hidden and mu_checked(channel) == 2
    channel.mu_limit = None
    channel.save()
    customer_block(customer=blocked, by=owner)
    assert mu_checked(channel) == 2
    customer = CustomerFactory(channel=channel)
    assert mu_checked(channel) == 3
    customer_block(customer=customer, by=owner)
    assert mu_checked(channel) == 2
    customer_unblock(customer=customer, by=owner)
    assert mu_checked(channel) == 3
