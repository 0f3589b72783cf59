"""Fixture users per channel: owner, editor (edit permission), viewer (none), outsider.

Models are imported inside the fixtures so that the pure modules' tests also run without
Django (`pytest -p no:django`).
"""

import pytest


@pytest.fixture
def channel(db):
    from tests.factories import ChannelFactory

    return ChannelFactory(slug="acme", name="Acme")


def _seat(channel, email, **permissions):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(email=email)
    MembershipFactory(channel=channel, user=user, **permissions)
    return user


@pytest.fixture
def owner(channel):
    return _seat(channel, "owner@example.com", role="owner")


@pytest.fixture
def editor(channel):
    return _seat(channel, "editor@example.com", can_edit_customers=True)


@pytest.fixture
def deleter(channel):
    return _seat(channel, "deleter@example.com", can_delete_customers=True)


@pytest.fixture
def viewer(channel):
    return _seat(channel, "viewer@example.com")


@pytest.fixture
def other_channel(db):
    from tests.factories import ChannelFactory

    return ChannelFactory(slug="globex", name="Globex")


@pytest.fixture
def outsider(other_channel):
    """Owner of another channel: every page of `channel` must be a 404 for them."""
    return _seat(other_channel, "outsider@example.com", role="owner")
