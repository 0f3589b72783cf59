from django.db.models import QuerySet

from contacts.models import Channel, Customer


def blocked_customers(*, channel: Channel) -> QuerySet[Customer]:
    """The channel's blocked customers, most recently blocked first (R-B1)."""
    return Customer.objects.filter(channel=channel, is_blocked=True).order_by("-blocked_at", "-id")
