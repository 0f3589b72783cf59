"""Resuming the imports and checks a dead worker left behind (R-I16 keeps the channel locked).

Decisions:
- Heartbeat: ``Import.heartbeat_at`` is set when an import is queued, when a runner takes it and
  with every committed chunk; a draft's check beats the same way. A runner that is asked to let
  go (an interrupted command) clears it. A worker killed outright leaves it as it was: past
  IMPORT_STALE_SECONDS it is stale.
- Why a sweep: django-q2's Redis broker drops a task once a worker took it, and its database
  broker hands it out again only after Q_RETRY (an hour). The sweep does not run anything
  itself; it queues the import (or the check) again, and the worker that takes the task
  resumes it after its last committed chunk, as ``run_import`` does.
- A task queued twice runs once: a runner takes a running import only when its heartbeat is
  stale, and takes it over by setting it (``running._begin``, ``import_check_perform``). So
  the sweep may queue as often as it likes; it moves a queued import's heartbeat on when it
  queues it, so that a long queue gets one more task a period, not one a sweep.
- When: a django-q2 schedule every IMPORT_SWEEP_MINUTES, and whenever a worker process starts
  (django-q2's ``post_spawn``: at cluster start, and after a worker died or was recycled).
  The schedule is made or updated then too, so it exists wherever a cluster runs. With the
  defaults (30 s, every minute; django-q2 looks at its schedules every 30 s) a dead worker's
  import resumes within two minutes.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from imports import checking, lifecycle, selectors
from imports.models import Import

logger = logging.getLogger(__name__)

SWEEP_SCHEDULE = "imports-sweep"
SWEEP_TASK = "imports.tasks.import_sweep_task"
# Serialises making the schedule between worker processes starting at once (PostgreSQL).
_SCHEDULE_LOCK = 7_302_115


def import_sweep(*, now=None) -> list[int]:
    """Queue again the imports and checks whose heartbeat is stale; return their ids."""
    now = now or timezone.now()
    queued = []
    for imp in selectors.imports_stranded(now):
        if imp.status == Import.Status.DRAFT:
            enqueue, waiting = checking.import_check_enqueue, Import.CheckStatus.QUEUED
            is_waiting = imp.check_status == waiting
        else:
            enqueue = lifecycle.import_enqueue
            is_waiting = imp.status == Import.Status.QUEUED
        if is_waiting:
            # Claimed by moving its heartbeat on: two sweeps at once queue it once.
            claimed = Import.objects.filter(
                pk=imp.pk, status=imp.status, check_status=imp.check_status
            ).filter(selectors.heartbeat_stale(now))
            if not claimed.update(heartbeat_at=now):
                continue
        logger.warning(
            "Import %s (%s) has given no sign of life since %s: queued again",
            imp.pk,
            "check" if imp.status == Import.Status.DRAFT else imp.status,
            imp.heartbeat_at,
        )
        enqueue(imp.pk)
        queued.append(imp.pk)
    return queued


def import_sweep_schedule() -> None:
    """Make the sweep's django-q2 schedule, or bring it in line with the settings."""
    from django_q.models import Schedule

    wanted = {
        "func": SWEEP_TASK,
        "schedule_type": Schedule.MINUTES,
        "minutes": settings.IMPORT_SWEEP_MINUTES,
        "repeats": -1,
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK])
        schedules = list(Schedule.objects.filter(name=SWEEP_SCHEDULE).order_by("pk"))
        if not schedules:
            Schedule.objects.create(name=SWEEP_SCHEDULE, next_run=timezone.now(), **wanted)
            return
        first, extra = schedules[0], schedules[1:]
        if any(getattr(first, name) != value for name, value in wanted.items()):
            Schedule.objects.filter(pk=first.pk).update(**wanted)
        Schedule.objects.filter(pk__in=[s.pk for s in extra]).delete()


def on_worker_start(sender=None, **kwargs) -> None:
    """django-q2's post_spawn: make the schedule and sweep once; never stop the worker."""
    try:
        import_sweep_schedule()
        import_sweep()
    except Exception:
        logger.exception("The import sweep at worker start failed")
