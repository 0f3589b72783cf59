"""The bell in the top bar: the unread count on every page, for one count query (R-I13)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Membership
from imports.tests.notification_support import NotificationFactory
from tests.factories import MembershipFactory

PAGE = reverse("contacts:list", args=["acme"])


def test_R_I13_the_bell_shows_the_unread_count_in_its_name(client, channel, owner):
    for _ in range(2):
        NotificationFactory(recipient=owner, import_run__channel=channel)
    NotificationFactory(recipient=owner, import_run__channel=channel, read_at=timezone.now())
    client.force_login(owner)
    page = client.get(PAGE).content.decode()
    assert 'aria-label="Notifications, 2 unread"' in page
    assert '<span class="bell-count">2</span>' in page
    assert f'href="{reverse("notifications:list")}"' in page


def test_R_I13_no_unread_shows_no_count(client, channel, owner):
    NotificationFactory(recipient=owner, import_run__channel=channel, read_at=timezone.now())
    client.force_login(owner)
    page = client.get(PAGE).content.decode()
    assert 'aria-label="Notifications"' in page
    assert "bell-count" not in page


def test_R_I13_the_bell_leaves_out_channels_i_left(client, channel, other_channel, editor):
    MembershipFactory(channel=other_channel, user=editor)
    NotificationFactory(recipient=editor, import_run__channel=channel)
    NotificationFactory(recipient=editor, import_run__channel=other_channel)
    Membership.objects.filter(channel=channel, user=editor).delete()
    client.force_login(editor)
    page = client.get(reverse("contacts:list", args=["globex"])).content.decode()
    assert 'aria-label="Notifications, 1 unread"' in page


def test_the_bell_costs_one_count_query(client, channel, owner):
    for _ in range(3):
        NotificationFactory(recipient=owner, import_run__channel=channel)
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        client.get(PAGE)
    touching = [q["sql"] for q in queries if "imports_notification" in q["sql"]]
    assert len(touching) == 1
    assert "COUNT(" in touching[0].upper()


def test_the_bell_is_on_every_page_but_not_for_the_signed_out(client, owner):
    assert "Notifications" not in client.get(reverse("login")).content.decode()
    client.force_login(owner)
    assert 'class="bell"' in client.get(reverse("notifications:list")).content.decode()
