"""Reads of the activity log.

Decisions:
- Date filters are whole days in the current time zone, both ends included.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from activitylog.models import Entry


def entries_for_channel(
    *,
    channel,
    category: str | None = None,
    actor_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    before: Entry | None = None,
) -> QuerySet[Entry]:
    """The channel's activity entries, newest first, filtered; `before` is the keyset cursor."""
    entries = Entry.objects.filter(channel=channel).select_related("actor")
    if category:
        entries = entries.filter(category=category)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if date_from:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if before is not None:
        entries = entries.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, id__lt=before.id)
        )
    return entries.order_by("-created_at", "-id")


def channel_managers(*, channel) -> QuerySet:
    """The people who hold a seat in the channel, for the activity log's manager filter."""
    return (
        get_user_model().objects.filter(memberships__channel=channel).order_by("email", "username")
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
