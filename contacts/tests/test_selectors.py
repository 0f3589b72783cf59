"""Reads of the contacts app that are more than one filter."""

from contacts import selectors
from tests.factories import CustomerFactory


def test_customer_profile_counts_built_in_and_custom_keys(channel):
    """R-C6: what the profile limits measure."""
    customer = CustomerFactory.build(
        channel=channel,
        name="Kim",
        email="kim@example.com",
        unsubscribe_email=False,
        import_tags=["t"],
        profile={"points": 1},
    )
    assert selectors.customer_profile(customer) == {
        "name": "Kim",
        "email": "kim@example.com",
        "unsubscribeEmail": False,
        "userImportTag": ["t"],
        "points": 1,
    }
