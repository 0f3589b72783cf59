"""Fixture users per channel: owner, editor (edit permission), viewer (none), outsider."""

import pytest

from contacts.models import Membership
from tests.factories import ChannelFactory, MembershipFactory, UserFactory


@pytest.fixture
def channel(db):
    return ChannelFactory(slug="acme", name="Acme")


@pytest.fixture
def owner(channel):
    user = UserFactory(email="owner@example.com")
    MembershipFactory(channel=channel, user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def editor(channel):
    user = UserFactory(email="editor@example.com")
    MembershipFactory(channel=channel, user=user, can_edit_customers=True)
    return user


@pytest.fixture
def deleter(channel):
    user = UserFactory(email="deleter@example.com")
    MembershipFactory(channel=channel, user=user, can_delete_customers=True)
    return user


@pytest.fixture
def viewer(channel):
    user = UserFactory(email="viewer@example.com")
    MembershipFactory(channel=channel, user=user)
    return user


@pytest.fixture
def other_channel(db):
    return ChannelFactory(slug="globex", name="Globex")


@pytest.fixture
def outsider(other_channel):
    """Owner of another channel: every page of `channel` must be a 404 for them."""
    user = UserFactory(email="outsider@example.com")
    MembershipFactory(channel=other_channel, user=user, role=Membership.Role.OWNER)
    return user
