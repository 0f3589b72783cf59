"""An import's run (R-I*): its file worked through in chunks, each written in one transaction.

Decisions:
- Each chunk's customer writes, failed rows, counters and progress commit in one transaction,
  so a run that dies at any moment resumes after the last committed row with the same result.
- A running import is resumed only when its heartbeat is stale (its runner died or let go);
  otherwise it is left to its runner. Two runners at once are safe all the same: a chunk
  commits only if the import's last row is still the one its runner started from; the late
  runner stops.
- An unexpected error marks the import failed: the chunk in hand rolls back, nothing is
  half-written, and the message names the row it stopped at.
- ``interrupted`` is asked before each chunk: once true, the run lets go of the import (its
  heartbeat cleared), which stays running and can be resumed at once.
- The file's rows are counted while it is parsed and before the first chunk is written: a file
  refused part-way (a broken quote, a row that does not decode) is refused with nothing written.
- Where the writer can (PostgreSQL), a chunk's customers are loaded without locks and only
  those it writes are locked afterwards, their versions checked: a chunk that matches a
  thousand customers without changing them locks and writes none of them. If one changed
  since it was loaded, the chunk is loaded again under locks and planned again.
- A chunk takes the channel's MU counter (R-M1) right after the import's row and before any
  customer, the order every write that moves MU keeps (contacts.mu_counter). A boot keeps its
  own order, so a chunk can still lose a deadlock to one: it rolls back whole and is run
  again, up to CHUNK_ATTEMPTS times, before the import fails.
- A stop asked for while the import runs ends it after the chunk in flight; a queued import,
  or a running one whose runner is gone, ends at once. What was committed stays.
- After a large import the customer table's upkeep is queued: on PostgreSQL its statistics and
  visibility map, so the contact list is fast at once rather than after autovacuum, and on
  every database the check of the channel's MU counter (R-M1); best effort, the import does
  not wait for it.
"""

import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.mu_counter import mu_writes_lock
from contacts.selectors import mu_room
from imports import selectors
from imports.chunks import (
    ParsedChunk,
    chunk_planner,
    chunks_to_plan,
    customers_load,
    mapping_for,
    partners_exist,
    relaxed_gc,
)
from imports.engine import mapping as mapping_engine
from imports.engine.counts import chunk_counts
from imports.engine.lookups import lookup_values
from imports.engine.outcome import ChunkOutcome
from imports.engine.parsing import RowParser
from imports.engine.reading import FileRefused
from imports.engine.records import Record
from imports.failed_rows import failures_save
from imports.models import COUNT_FIELDS, Import, ImportMatch
from imports.notifications import import_notify
from imports.refusals import ImportRefused
from imports.writers import outcome_write, writer_for_connection

logger = logging.getLogger(__name__)

IMPORT_NOT_ACTIVE = "This import is not queued or running, so there is nothing to stop."
STOP_NOT_ALLOWED = "Only the manager who started the import or the channel owner can stop it."
IMPORT_CRASHED = (
    "The import stopped at row {row} because of an unexpected error ({error}). The rows before "
    "it were imported. Upload the remaining rows again, or contact support if it happens again."
)


class _TakenOver(Exception):
    """Another runner committed the chunk this one was about to write."""


class _StopRequested(Exception):
    """A manager asked the running import to stop; the chunks before this one stay committed."""


class _Interrupted(Exception):
    """The runner was asked to let go (a signal to the command): the import stays resumable."""


def import_run(
    *,
    import_id: int,
    progress: Callable[[int, int], None] | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> Import:
    """Run a queued import, or resume a running one after its last committed row."""
    imp = _begin(import_id)
    if imp is None:
        return Import.objects.get(pk=import_id)
    row = imp.last_row_number + 1
    headers = None
    try:
        with relaxed_gc(), selectors.import_table(imp) as table:
            headers = table.headers
            mapping = mapping_for(imp, headers)
            writer = writer_for_connection()
            logs_edits = imp.channel.logs_import_edits
            rows = table.rows(start_after_row_number=imp.last_row_number)
            with chunks_to_plan(imp, rows, RowParser(mapping)) as chunks:
                if not imp.total_rows:  # counted before the first chunk (see Decisions)
                    imp.total_rows = table.count_rows()
                    imp.heartbeat_at = timezone.now()
                    Import.objects.filter(pk=imp.pk).update(
                        total_rows=imp.total_rows, heartbeat_at=imp.heartbeat_at
                    )
                for chunk in chunks:
                    if interrupted is not None and interrupted():
                        raise _Interrupted
                    row = chunk.first_row
                    imp = _run_chunk(imp, mapping, writer, chunk, logs_edits)
                    if progress is not None:
                        progress(imp.rows_done, imp.total_rows)
    except _TakenOver:
        return Import.objects.get(pk=import_id)
    except _Interrupted:
        _release(imp)
        return Import.objects.get(pk=import_id)
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):  # the connection may be gone with the signal
            _release(imp)
        raise
    except _StopRequested:
        return _finish(import_id, stopped=True, headers=headers)
    except (FileRefused, mapping_engine.MappingError) as error:
        return _finish(import_id, error=error.message, headers=headers)
    except Exception as error:
        logger.exception("Import %s failed at row %s", import_id, row)
        crashed = IMPORT_CRASHED.format(row=row, error=type(error).__name__)
        return _finish(import_id, error=crashed, headers=headers)
    return _finish(import_id, headers=headers)


def _begin(import_id: int) -> Import | None:
    """Take a queued import, or a running one whose runner is gone (stale heartbeat)."""
    now = timezone.now()
    with transaction.atomic():
        imp = Import.objects.select_for_update().get(pk=import_id)
        if imp.status == Import.Status.QUEUED:
            imp.status = Import.Status.RUNNING
            imp.started_at = now
            imp.mu_room_left = mu_room(imp.channel)
            imp.heartbeat_at = now
            imp.save(update_fields=["status", "started_at", "mu_room_left", "heartbeat_at"])
        elif selectors.import_is_stalled(imp, now):
            imp.heartbeat_at = now
            imp.save(update_fields=["heartbeat_at"])
        else:
            return None
    return Import.objects.select_related("channel", "started_by").get(pk=import_id)


def _release(imp: Import) -> None:
    """Let go of a running import: its heartbeat is cleared, so it can be resumed at once."""
    Import.objects.filter(
        pk=imp.pk, status=Import.Status.RUNNING, heartbeat_at=imp.heartbeat_at
    ).update(heartbeat_at=None)


CHUNK_ATTEMPTS = 3
DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for deadlock_detected
_PROGRESS_FIELDS = [
    "last_row_number",
    "rows_done",
    *COUNT_FIELDS.values(),
    "mu_room_left",
    "heartbeat_at",
]


def _run_chunk(imp: Import, mapping, writer, chunk: ParsedChunk, logs_edits: bool) -> Import:
    """Run one chunk, again from the start when it lost a deadlock and was rolled back."""
    for _ in range(CHUNK_ATTEMPTS - 1):
        try:
            return _chunk_write(imp, mapping, writer, chunk, logs_edits)
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != DEADLOCK:
                raise
            logger.warning("Import %s: chunk at row %s lost a deadlock", imp.pk, chunk.first_row)
    return _chunk_write(imp, mapping, writer, chunk, logs_edits)


def _chunk_write(imp: Import, mapping, writer, chunk: ParsedChunk, logs_edits: bool) -> Import:
    """Plan and write one chunk, its failures and the import's progress in one transaction."""
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=imp.pk)
        if locked.status != Import.Status.RUNNING or locked.last_row_number != imp.last_row_number:
            raise _TakenOver
        mu_writes_lock(imp.channel_id)
        if locked.stop_requested_at is not None:
            raise _StopRequested
        outcome = _plan_chunk(imp, mapping, writer, chunk, locked)
        pending = outcome_write(imp, outcome, writer, logs_edits)
        locked.last_row_number = chunk.last_row
        locked.rows_done += chunk.size
        locked.counts += chunk_counts(outcome, pending_unification=pending)
        locked.mu_room_left = outcome.mu_room
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=_PROGRESS_FIELDS)
    for name in _PROGRESS_FIELDS:
        setattr(imp, name, getattr(locked, name))
    return imp


def _plan_chunk(imp: Import, mapping, writer, chunk: ParsedChunk, locked: Import) -> ChunkOutcome:
    """Load the customers the chunk reaches and plan it, inside the chunk's transaction."""
    # Checked per chunk, as the lookups themselves are: the chunk before may have added some.
    partners = partners_exist(imp.channel_id, mapping)
    lookups = lookup_values(mapping, chunk.parsed, identifier_only=not partners)
    for optimistic in (True, False) if writer.optimistic else (False,):
        now = timezone.now()
        loaded = customers_load(
            writer,
            channel_id=imp.channel_id,
            lookups=lookups,
            lock=not optimistic,
            partners=partners,
        )
        if locked.updated_count:  # customers matched without change in earlier chunks
            ids = [r.id for r in loaded if r.last_import_id != imp.id]
            matched = writer.matched(import_id=imp.id, ids=ids)
            for record in loaded:
                if record.id in matched:
                    record.last_import_id = imp.id
        outcome = chunk_planner(imp, mapping, now, locked.mu_room_left).plan(chunk.items, loaded)
        if not optimistic or writer.lock_current(_written(outcome)):
            break
    return outcome


def _written(outcome: ChunkOutcome) -> list[Record]:
    """The stored customers a planned chunk changes, removes or names in a pending unification."""
    records = {id(r): r for r in outcome.updated if r.changed}
    records.update((id(r), r) for r in outcome.deleted)
    for lead, member in outcome.pending:
        records.update(((id(lead), lead), (id(member), member)))
    return [r for r in records.values() if not r.is_new]


def _finish(
    import_id: int,
    *,
    error: str | None = None,
    stopped: bool = False,
    headers: list[str] | None = None,
) -> Import:
    """End an active import: its failed-rows file, status, activity entry and notifications."""
    imp = Import.objects.select_related("channel", "started_by").get(pk=import_id)
    if imp.status not in Import.ACTIVE_STATUSES:
        return imp
    saved_name = failures_save(imp, headers) if imp.failed_count else ""
    now = timezone.now()
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=import_id)
        if locked.status not in Import.ACTIVE_STATUSES:
            if saved_name:
                default_storage.delete(saved_name)
            return locked
        ImportMatch.objects.filter(import_run_id=import_id).delete()  # only resuming needs them
        locked.status = _final_status(error, stopped)
        locked.error_message = error or ""
        locked.finished_at = now
        if saved_name:
            locked.failures_file.name = saved_name
            locked.failures_expire_at = now + timedelta(days=settings.IMPORT_FAILURES_KEEP_DAYS)
        locked.save(
            update_fields=[
                "status",
                "error_message",
                "finished_at",
                "failures_file",
                "failures_expire_at",
            ]
        )
        _record_finish(imp, locked, error)
        import_notify(imp=locked)
        if locked.rows_done >= settings.IMPORT_UPKEEP_MIN_ROWS:
            # A broker that is down must not turn a finished import into an error.
            transaction.on_commit(lambda: _enqueue_upkeep(imp.channel_id), robust=True)
    return locked


def _record_finish(imp: Import, locked: Import, error: str | None) -> None:
    """R-I15: the import's one BULK_IMPORT entry, written at its start, gets its outcome."""
    action = f"Bulk import of {imp.file_name} {FINISH_ACTIONS[locked.status]}"
    outcome = (
        import_summary(locked) | {"status": locked.status} | ({"error": error} if error else {})
    )
    entry = Entry.objects.filter(
        channel_id=imp.channel_id, category=Entry.Category.BULK_IMPORT, import_id=imp.pk
    ).first()
    if entry is None:  # started before entries were kept whole
        activity_record(
            channel=imp.channel,
            actor=imp.started_by,
            category=Entry.Category.BULK_IMPORT,
            action=action,
            import_id=imp.pk,
            details=outcome,
        )
        return
    entry.action = action
    entry.details = entry.details | outcome
    entry.save(update_fields=["action", "details"])


FINISH_ACTIONS = {
    Import.Status.SUCCEEDED: "finished",
    Import.Status.FAILED: "stopped",
    Import.Status.STOPPED: "stopped by a manager",
}


def _final_status(error: str | None, stopped: bool) -> str:
    if error:
        return Import.Status.FAILED
    return Import.Status.STOPPED if stopped else Import.Status.SUCCEEDED


def import_stop(*, imp: Import, by) -> Import:
    """Stop a queued or running import after the chunk in flight; what was committed stays."""
    owner = selectors.channel_owner(imp.channel)
    if by is None or (by.pk != imp.started_by_id and (owner is None or by.pk != owner.pk)):
        raise ImportRefused(STOP_NOT_ALLOWED)
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=imp.pk)
        if locked.status not in Import.ACTIVE_STATUSES:
            raise ImportRefused(IMPORT_NOT_ACTIVE)
        if locked.stop_requested_at is None:
            locked.stop_requested_at = timezone.now()
            locked.stop_requested_by = by
            locked.save(update_fields=["stop_requested_at", "stop_requested_by"])
        # No runner holds a queued import yet, nor a running one whose heartbeat is stale.
        unheld = locked.status == Import.Status.QUEUED or selectors.import_is_stalled(
            locked, timezone.now()
        )
    if unheld:  # it ends now, with what was committed
        return _finish(imp.pk, stopped=True)
    return locked


def _enqueue_upkeep(channel_id: int) -> None:
    """Queue the customer table's upkeep after a large import of the channel (see Decisions)."""
    from django_q.tasks import async_task

    async_task(
        "imports.tasks.customer_table_upkeep_task", channel_id, task_name="customer-table-upkeep"
    )


def import_summary(imp: Import) -> dict:
    """The import's counters under the names the command line prints (R-I14)."""
    return imp.counts.as_json()
