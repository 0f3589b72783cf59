"""The MU counter's check shared by the write paths' tests (R-M1)."""

from contacts.models import IS_MU, Customer
from contacts.selectors import mu_count


def mu_checked(channel) -> int:
    """The channel's MU count, once its counter is seen to equal a fresh count of the table."""
    fresh = Customer.objects.filter(IS_MU, channel=channel).count()
    assert mu_count(channel) == fresh
    return fresh
