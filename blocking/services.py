from django.db import transaction
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.models import Customer
from contacts.mu_counter import mu_writes_lock
from contacts.services import mu_rebalance

ACTION_BLOCKED = "Blocked"
ACTION_UNBLOCKED = "Unblocked"


@transaction.atomic
def customer_block(*, customer: Customer, by) -> Customer:
    """Block a customer (R-B1): out of the contact list and MU (R-B2); frees MU room (R-M2)."""
    if customer.is_blocked:
        return customer
    mu_writes_lock(customer.channel_id)
    customer.is_blocked = True
    customer.blocked_at = timezone.now()
    customer.save(update_fields=["is_blocked", "blocked_at"])
    activity_record(
        channel=customer.channel,
        actor=by,
        category=Entry.Category.CUSTOMER_BLOCK,
        action=ACTION_BLOCKED,
        customer=customer,
    )
    # The freed seat goes to the most recently seen hidden customer, if a limit hid any.
    mu_rebalance(customer.channel)
    return customer


@transaction.atomic
def customer_unblock(*, customer: Customer, by) -> Customer:
    """Unblock a customer (R-B1): back in the contact list and MU, within the MU limit (R-M2)."""
    if not customer.is_blocked:
        return customer
    mu_writes_lock(customer.channel_id)
    customer.is_blocked = False
    customer.blocked_at = None
    customer.save(update_fields=["is_blocked", "blocked_at"])
    activity_record(
        channel=customer.channel,
        actor=by,
        category=Entry.Category.CUSTOMER_BLOCK,
        action=ACTION_UNBLOCKED,
        customer=customer,
    )
    # Over a manual MU limit, the limit's own order decides who hides (oldest lastSeenAt first).
    mu_rebalance(customer.channel)
    customer.refresh_from_db(fields=["is_hidden"])
    return customer
