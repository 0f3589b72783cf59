"""The message and the email when an import ends (R-I13), driven through the services."""

import logging
import socket

import pytest
from django.urls import reverse

from contacts.models import Membership
from imports.models import Import, Notification
from imports.notifications import (
    EMAIL_BODY,
    EMAIL_NOT_SENT,
    EMAIL_SUBJECT,
    NOTE_STOPPED,
    NOTE_STOPPED_BY,
    NOTE_SUCCEEDED,
    import_notify,
)
from imports.tests.notification_support import EndedImportFactory, import_finished


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


SUCCEEDED = NOTE_SUCCEEDED.format(file="spring.csv", channel="Acme", created=2, updated=0, failed=0)


def test_R_I13_the_starter_and_the_owner_are_emailed_after_commit(
    channel, owner, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        imp = import_finished(channel, editor)
        assert mailoutbox == []
    for callback in callbacks:
        callback()
    link = reverse("imports:detail", args=["acme", imp.pk])
    assert sorted(m.to for m in mailoutbox) == [["editor@example.com"], ["owner@example.com"]]
    for message in mailoutbox:
        assert message.subject == EMAIL_SUBJECT.format(file="spring.csv", status="succeeded")
        assert message.body == EMAIL_BODY.format(text=SUCCEEDED, link=link)


def test_R_I13_the_email_links_to_the_site_when_SITE_URL_is_set(
    channel, owner, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://contacts.example.com/"
    with django_capture_on_commit_callbacks(execute=True):
        imp = import_finished(channel, owner)
    [message] = mailoutbox
    link = "https://contacts.example.com" + reverse("imports:detail", args=["acme", imp.pk])
    assert message.body == EMAIL_BODY.format(text=SUCCEEDED, link=link)


def test_R_I13_a_mail_server_that_is_down_is_logged_and_the_import_still_succeeds(
    channel, owner, editor, settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    with (
        caplog.at_level(logging.ERROR, logger="imports.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        imp = import_finished(channel, editor)
    assert Import.objects.get(pk=imp.pk).status == Import.Status.SUCCEEDED
    assert Notification.objects.filter(import_run=imp).count() == 2
    assert sorted(r.getMessage() for r in caplog.records) == [
        EMAIL_NOT_SENT % (imp.pk, "editor@example.com"),
        EMAIL_NOT_SENT % (imp.pk, "owner@example.com"),
    ]


def test_R_I13_a_starter_who_left_the_channel_gets_no_message(
    channel, owner, editor, mailoutbox, django_capture_on_commit_callbacks
):
    imp = EndedImportFactory(channel=channel, started_by=editor)
    Membership.objects.filter(channel=channel, user=editor).delete()
    with django_capture_on_commit_callbacks(execute=True):
        notes = import_notify(imp=imp)
    assert [n.recipient for n in notes] == [owner]
    assert [m.to for m in mailoutbox] == [["owner@example.com"]]


def test_R_I13_a_stopped_import_says_who_stopped_it(
    channel, owner, editor, mailoutbox, django_capture_on_commit_callbacks
):
    imp = EndedImportFactory(
        channel=channel,
        started_by=editor,
        status=Import.Status.STOPPED,
        stop_requested_by=owner,
        rows_done=40,
        created_count=30,
        updated_count=8,
        failed_count=2,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notes = import_notify(imp=imp)
    text = NOTE_STOPPED_BY.format(
        file="spring.csv",
        channel="Acme",
        who="owner@example.com",
        rows=40,
        created=30,
        updated=8,
        failed=2,
    )
    assert {n.text for n in notes} == {text}
    assert {m.subject for m in mailoutbox} == {
        EMAIL_SUBJECT.format(file="spring.csv", status="stopped")
    }


def test_R_I13_a_stopped_import_without_a_stopper_says_stopped(channel, owner):
    imp = EndedImportFactory(
        channel=channel, started_by=owner, status=Import.Status.STOPPED, rows_done=5
    )
    [note] = import_notify(imp=imp)
    assert note.text == NOTE_STOPPED.format(
        file="spring.csv", channel="Acme", rows=5, created=0, updated=0, failed=0
    )
