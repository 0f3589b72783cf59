"""Reads of imports that take more than one filter()."""

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from contacts.models import Channel, Membership, ProfileKey
from imports.engine.mapping import KeyInfo
from imports.engine.reading import Table, open_table
from imports.models import Import, Notification
from imports.template_files import template_workbook


def import_active(channel: Channel) -> Import | None:
    """The channel's queued or running import, if any (R-I16)."""
    return (
        Import.objects.select_related("started_by")
        .filter(channel=channel, status__in=Import.ACTIVE_STATUSES)
        .first()
    )


def heartbeat_stale(now: datetime) -> Q:
    """Imports whose heartbeat is older than IMPORT_STALE_SECONDS, or that have none."""
    cutoff = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    return Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff)


def import_is_stalled(imp: Import, now: datetime) -> bool:
    """Whether a running import has given no sign of life for IMPORT_STALE_SECONDS."""
    if imp.status != Import.Status.RUNNING:
        return False
    cutoff = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    return imp.heartbeat_at is None or imp.heartbeat_at < cutoff


def imports_stranded(now: datetime) -> QuerySet[Import]:
    """Active imports and drafts being checked whose heartbeat is stale: work left behind."""
    checking = Q(
        status=Import.Status.DRAFT,
        check_status__in=[Import.CheckStatus.QUEUED, Import.CheckStatus.RUNNING],
    )
    return Import.objects.filter(
        Q(status__in=Import.ACTIVE_STATUSES) | checking, heartbeat_stale(now)
    ).order_by("pk")


def custom_keys(channel: Channel) -> list[KeyInfo]:
    """The channel's custom profile keys as the mapping sees them."""
    return [
        KeyInfo(name, label or name, type_name)
        for name, label, type_name in ProfileKey.objects.filter(channel=channel)
        .order_by("name")
        .values_list("name", "label", "type")
    ]


def channel_owner(channel: Channel):
    """The owner of the channel (every channel has exactly one)."""
    membership = (
        Membership.objects.select_related("user")
        .filter(channel=channel, role=Membership.Role.OWNER)
        .first()
    )
    return membership.user if membership is not None else None


@contextlib.contextmanager
def import_table(imp: Import) -> Iterator[Table]:
    """Open the import's stored file with its encoding and delimiter."""
    imp.file.open("rb")
    try:
        table = open_table(imp.file, encoding=imp.encoding or None, delimiter=imp.delimiter or None)
        try:
            yield table
        finally:
            table.close()
    finally:
        imp.file.close()


def import_preview(imp: Import, rows: int = 30) -> tuple[list[str], list[tuple]]:
    """The file's headers and its first rows with all columns (R-I6)."""
    with import_table(imp) as table:
        return table.headers, table.preview(rows)


def notifications_visible(user) -> QuerySet[Notification]:
    """A manager's messages in the channels they still belong to, newest first (R-I13)."""
    seats = Membership.objects.filter(user=user).values("channel_id")
    return Notification.objects.filter(recipient=user, channel_id__in=seats)


def import_template(channel: Channel, *, kind: str, identifier: str | None) -> bytes:
    """The .xlsx template of a member, email-lead or mobile-lead import of the channel (R-I4)."""
    return template_workbook(kind=kind, identifier=identifier, custom_keys=custom_keys(channel))


def notifications_unread_count(user) -> int:
    """How many of a manager's messages are unread: one indexed count, for the bell (R-I13)."""
    return notifications_visible(user).filter(read_at__isnull=True).count()


def notification_recipients(imp: Import) -> list:
    """Who hears that an import ended: its starter and the channel owner, seated (R-I13)."""
    seats = Membership.objects.select_related("user").filter(channel_id=imp.channel_id)
    seats = seats.filter(Q(role=Membership.Role.OWNER) | Q(user_id=imp.started_by_id))
    return [seat.user for seat in seats.order_by("user_id")]
