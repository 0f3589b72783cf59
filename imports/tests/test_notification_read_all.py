"""Mark all read: every notification the manager can see, by POST (R-I13)."""

from django.urls import reverse

from imports.models import Notification
from imports.notification_views import ALL_READ
from imports.tests.notification_support import NotificationFactory

URL = reverse("notifications:read_all")


def test_anonymous_is_sent_to_login(client):
    response = client.post(URL)
    assert reverse("login") in response["Location"]


def test_R_I13_mark_all_read_marks_mine_and_not_others(client, channel, owner, editor):
    mine = [NotificationFactory(recipient=owner, import_run__channel=channel) for _ in range(3)]
    theirs = NotificationFactory(recipient=editor, import_run__channel=channel)
    client.force_login(owner)
    response = client.post(URL, follow=True)
    assert response.redirect_chain == [(reverse("notifications:list"), 302)]
    assert [str(m) for m in response.context["messages"]] == [ALL_READ]
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "Mark all read" not in response.content.decode()


def test_mark_all_read_needs_a_post(client, channel, owner):
    note = NotificationFactory(recipient=owner, import_run__channel=channel)
    client.force_login(owner)
    assert client.get(URL).status_code == 405
    assert Notification.objects.get(pk=note.pk).read_at is None
