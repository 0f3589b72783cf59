"""The notifications page: a manager's messages from all their channels (R-I13)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from contacts.models import Membership
from imports.notification_views import PER_PAGE
from imports.tests.notification_support import NotificationFactory
from tests.factories import MembershipFactory

URL = reverse("notifications:list")


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_R_I13_lists_my_notifications_of_every_channel_newest_first(
    client, channel, owner, editor, other_channel
):
    MembershipFactory(channel=other_channel, user=owner)
    acme = NotificationFactory(recipient=owner, import_run__channel=channel, read_at=timezone.now())
    globex = NotificationFactory(recipient=owner, import_run__channel=other_channel)
    NotificationFactory(recipient=editor, import_run__channel=channel, text="Not yours")
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [globex, acme]
    page = response.content.decode()
    assert "Not yours" not in page
    assert page.count('class="unread"') == 1
    assert reverse("notifications:open", args=[globex.pk]) in page
    assert "Globex" in page and "Acme" in page


def test_R_I13_a_channel_i_left_is_not_listed(client, channel, editor, other_channel):
    MembershipFactory(channel=other_channel, user=editor)
    kept = NotificationFactory(recipient=editor, import_run__channel=other_channel)
    NotificationFactory(recipient=editor, import_run__channel=channel)
    Membership.objects.filter(channel=channel, user=editor).delete()
    client.force_login(editor)
    response = client.get(URL)
    assert list(response.context["page"].object_list) == [kept]
    assert response.context["unread_count"] == 1


def test_the_list_is_paginated(client, channel, owner):
    start = timezone.now()
    notes = [
        NotificationFactory(recipient=owner, import_run__channel=channel)
        for _ in range(PER_PAGE + 1)
    ]
    for minutes, note in enumerate(notes):
        note.created_at = start + timedelta(minutes=minutes)
        note.save(update_fields=["created_at"])
    client.force_login(owner)
    first = client.get(URL).context["page"]
    second = client.get(URL, {"page": 2}).context["page"]
    assert len(first.object_list) == PER_PAGE
    assert list(second.object_list) == [notes[0]]


def test_no_notifications_says_so(client, owner):
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert "No notifications yet." in page
    assert "Mark all read" not in page
