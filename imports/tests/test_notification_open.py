"""Opening a notification marks it read and leads to its import (R-I13)."""

from django.urls import reverse

from contacts.models import Membership
from imports.models import Notification
from imports.tests.notification_support import NotificationFactory


def _open(note):
    return reverse("notifications:open", args=[note.pk])


def test_anonymous_is_sent_to_login(client, channel, owner):
    note = NotificationFactory(recipient=owner, import_run__channel=channel)
    response = client.get(_open(note))
    assert reverse("login") in response["Location"]
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_R_I13_opening_marks_read_and_redirects_to_the_import(client, channel, editor):
    note = NotificationFactory(recipient=editor, import_run__channel=channel)
    client.force_login(editor)
    response = client.get(_open(note))
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=["acme", note.import_run_id])
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_R_I13_opening_a_read_one_keeps_its_read_time(client, channel, editor):
    note = NotificationFactory(recipient=editor, import_run__channel=channel)
    client.force_login(editor)
    client.get(_open(note))
    first = Notification.objects.get(pk=note.pk).read_at
    client.get(_open(note))
    assert Notification.objects.get(pk=note.pk).read_at == first


def test_R_I13_another_managers_notification_is_404(client, channel, owner, editor):
    note = NotificationFactory(recipient=owner, import_run__channel=channel)
    client.force_login(editor)
    assert client.get(_open(note)).status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_R_I13_another_channels_owner_gets_404(client, channel, owner, outsider):
    note = NotificationFactory(recipient=owner, import_run__channel=channel)
    client.force_login(outsider)
    assert client.get(_open(note)).status_code == 404


def test_R_I13_a_notification_of_a_channel_i_left_is_404(client, channel, editor):
    note = NotificationFactory(recipient=editor, import_run__channel=channel)
    Membership.objects.filter(channel=channel, user=editor).delete()
    client.force_login(editor)
    assert client.get(_open(note)).status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_a_notification_without_an_import_leads_to_the_list(client, channel, owner):
    note = NotificationFactory(recipient=owner, import_run=None, channel=channel)
    client.force_login(owner)
    response = client.get(_open(note))
    assert response["Location"] == reverse("notifications:list")
    assert Notification.objects.get(pk=note.pk).read_at is not None
