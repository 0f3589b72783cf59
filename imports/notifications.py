"""Messages to managers when an import ends (R-I13): a notification each, and an email.

Decisions (R-I13):
- Recipients: the manager who started the import and the channel owner, once each, and only
  while they hold a seat in the channel: a starter who has left gets neither message nor email.
- One text per import, by its status: finished with its counts, failed with the reason, or
  stopped (by whom, when the stop request names a manager) with the counts so far.
- The emails go out after the finishing transaction commits, one per recipient (no shared To
  line), each on its own: a refused address or a mail server that is down is logged and never
  turns a finished import into an error, nor keeps the other recipient's email back.
- The email links to the import's page: an absolute address when ``SITE_URL`` is set (the
  worker has no request to build one from), else the path.
"""

import logging
from dataclasses import asdict
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from imports import selectors
from imports.models import Import, Notification

logger = logging.getLogger(__name__)

NOTE_SUCCEEDED = (
    'The import of "{file}" into {channel} has finished: {created} created, {updated} updated, '
    "{failed} failed."
)
NOTE_FAILED = 'The import of "{file}" into {channel} has failed: {error}'
NOTE_STOPPED = (
    'The import of "{file}" into {channel} was stopped after {rows} rows: {created} created, '
    "{updated} updated, {failed} failed."
)
NOTE_STOPPED_BY = (
    'The import of "{file}" into {channel} was stopped by {who} after {rows} rows: {created} '
    "created, {updated} updated, {failed} failed."
)
EMAIL_SUBJECT = 'Customer import "{file}": {status}'
EMAIL_BODY = "{text}\n\nOpen the import: {link}\n"
EMAIL_NOT_SENT = "The email that import %s ended was not sent to %s"

MAX_TEXT_LENGTH = 500


def notification_text(imp: Import) -> str:
    """What the recipients of an ended import read (R-I13)."""
    if imp.status == Import.Status.FAILED:
        return NOTE_FAILED.format(
            file=imp.file_name, channel=imp.channel.name, error=imp.error_message
        )
    counts = {"file": imp.file_name, "channel": imp.channel.name} | asdict(imp.counts)
    if imp.status != Import.Status.STOPPED:
        return NOTE_SUCCEEDED.format(**counts)
    stopper = imp.stop_requested_by
    if stopper is None:
        return NOTE_STOPPED.format(rows=imp.rows_done, **counts)
    return NOTE_STOPPED_BY.format(
        rows=imp.rows_done, who=stopper.email or stopper.get_username(), **counts
    )


def import_notify(*, imp: Import) -> list[Notification]:
    """Tell the starter and the owner that the import ended, in the app and by email (R-I13)."""
    text = notification_text(imp)[:MAX_TEXT_LENGTH]
    recipients = selectors.notification_recipients(imp)
    notes = Notification.objects.bulk_create(
        Notification(recipient=user, channel=imp.channel, import_run=imp, text=text)
        for user in recipients
    )
    emails = [_email(imp, text, user.email) for user in recipients if user.email]
    if emails:
        transaction.on_commit(partial(_emails_send, imp.pk, emails))
    return notes


def _email(imp: Import, text: str, address: str) -> EmailMessage:
    link = settings.SITE_URL.rstrip("/") + reverse(
        "imports:detail", args=[imp.channel.slug, imp.pk]
    )
    return EmailMessage(
        subject=EMAIL_SUBJECT.format(file=imp.file_name, status=imp.get_status_display().lower()),
        body=EMAIL_BODY.format(text=text, link=link),
        to=[address],
    )


def _emails_send(import_id: int, emails: list[EmailMessage]) -> None:
    for email in emails:
        try:
            email.send()
        except Exception:
            # Best effort (R-I13): the notification is in the app whatever the mail server does.
            logger.exception(EMAIL_NOT_SENT, import_id, email.to[0])


def notification_read(*, notification: Notification) -> None:
    """Mark a manager's message read."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_read_all(*, user) -> int:
    """Mark every unread message the manager can see read; returns how many."""
    return (
        selectors.notifications_visible(user)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
