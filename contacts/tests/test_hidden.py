"""Hidden customers (R-M2): the owner's page, its order, count and keyset pages."""

from datetime import timedelta

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import selectors, services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = reverse("contacts:hidden", args=["acme"])


def listed(response):
    return [c.name for c in response.context["page"].customers]


@pytest.fixture
def seen():
    """A moment `n` hours ago."""
    now = timezone.now()
    return lambda hours: now - timedelta(hours=hours)


def test_anonymous_is_sent_to_login(client, channel):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


def test_only_the_owner_sees_the_page(client, editor, viewer, owner):
    contacts = reverse("contacts:list", args=["acme"])
    for manager in (editor, viewer):
        client.force_login(manager)
        assert client.get(URL).status_code == 403
        assert URL not in client.get(contacts).content.decode()
    client.force_login(owner)
    assert URL in client.get(contacts).content.decode()
    assert URL in client.get(reverse("contacts:settings", args=["acme"])).content.decode()


def test_lists_hidden_customers_most_recently_seen_first_with_the_count_R_M2(
    client, owner, channel, other_channel, seen
):
    CustomerFactory(channel=channel, name="Never seen", is_hidden=True, last_seen_at=None)
    CustomerFactory(channel=channel, name="Old", is_hidden=True, last_seen_at=seen(5))
    CustomerFactory(channel=channel, name="Recent", is_hidden=True, last_seen_at=seen(1))
    CustomerFactory(channel=channel, name="Visible", last_seen_at=seen(9))
    CustomerFactory(channel=channel, name="Blocked", is_hidden=True, is_blocked=True)
    CustomerFactory(channel=other_channel, name="Elsewhere", is_hidden=True)
    client.force_login(owner)

    response = client.get(URL)

    assert listed(response) == ["Recent", "Old", "Never seen"]
    assert response.context["hidden_count"] == 3
    assert 'id="hidden-count">3<' in response.content.decode()


def test_the_first_listed_is_the_next_shown_again_R_M2(client, owner, channel, seen):
    for hours in range(1, 6):
        CustomerFactory(channel=channel, name=f"{hours}h ago", last_seen_at=seen(hours))
    services.mu_limit_set(channel=channel, by=owner, mu_limit=2)
    client.force_login(owner)
    assert listed(client.get(URL)) == ["3h ago", "4h ago", "5h ago"]

    services.mu_limit_set(channel=channel, by=owner, mu_limit=3)

    assert listed(client.get(URL)) == ["4h ago", "5h ago"]


def test_keyset_pages_walk_forward_and_back(channel, seen):
    same_moment = seen(2)
    for name, last_seen in [
        ("a", seen(1)),
        ("b", same_moment),
        ("c", same_moment),
        ("d", seen(3)),
        ("e", None),
        ("f", None),
    ]:
        CustomerFactory(channel=channel, name=name, is_hidden=True, last_seen_at=last_seen)
    hidden = selectors.customers_hidden(channel)

    def names(page):
        return [c.name for c in page.customers]

    first = selectors.hidden_page(hidden, size=2)
    second = selectors.hidden_page(hidden, after=first.next_after, size=2)
    third = selectors.hidden_page(hidden, after=second.next_after, size=2)
    back = selectors.hidden_page(hidden, before=third.previous_before, size=2)
    back_to_first = selectors.hidden_page(hidden, before=back.previous_before, size=2)

    # Same moment: the higher id first, as the MU limit shows them again.
    assert [names(first), names(second), names(third)] == [["a", "c"], ["b", "d"], ["f", "e"]]
    assert first.previous_before is None and third.next_after is None
    assert names(back) == ["b", "d"] and back.next_after == second.next_after
    assert names(back_to_first) == ["a", "c"] and back_to_first.previous_before is None


def test_page_links_carry_the_cursor(client, owner, channel, seen):
    start = seen(100)
    CustomerFactory.create_batch(
        selectors.PAGE_SIZE + 1,
        channel=channel,
        is_hidden=True,
        last_seen_at=factory.Sequence(lambda n: start + timedelta(minutes=n)),
    )
    client.force_login(owner)

    first = client.get(URL)
    cursor = first.context["page"].next_after
    second = client.get(URL, {"after": cursor})

    assert len(first.context["page"].customers) == selectors.PAGE_SIZE
    assert f"?after={cursor}" in first.content.decode()
    assert len(second.context["page"].customers) == 1
    previous = second.context["page"].previous_before
    assert f"?before={previous}" in second.content.decode()
    assert listed(client.get(URL, {"before": previous})) == listed(first)


def test_a_broken_cursor_shows_the_first_page(client, owner, channel):
    CustomerFactory(channel=channel, name="Hidden", is_hidden=True)
    client.force_login(owner)

    for cursor in ("x", "1.", "never.abc", "99999999999999999999.1", ".5"):
        assert listed(client.get(URL, {"after": cursor})) == ["Hidden"]
