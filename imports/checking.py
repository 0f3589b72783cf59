"""The check of an import (R-I11): every row planned against the database, nothing written.

Decisions:
- Rows for the same customer are simulated across the whole file (``imports.check_overlay``).
- Within a chunk each row sees what the rows before it did; a later chunk checks its rows
  against the stored customers, so a list or profile limit (R-I9, R-C6) reached only by rows
  in different chunks is found by the run: memory stays flat however many customers the file
  updates.
- Where nothing in the channel can unify with the rows, existing customers are only matched
  and checked: loaded light (the identifier, the size bound, the list keys) and planned by
  ``light_check.CheckPlanner``; a row only whole records can decide sends its chunk back to the
  whole plan.
  Both give the same report (tested).
- ``on_keys`` is told the failed-rows file's columns before the first failure, so a command's
  check writes its failed rows as they come; the file is opened once.
- The report keeps the first 50 reasons, each with its first 5 rows and their cells (200
  characters at most); the failed-rows file of a command's check has every row (``on_failure``).
- The wizard's check runs in the worker and beats like a run; a check is taken over only when
  its heartbeat is stale (its worker died), so a task queued twice runs it once.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contacts.selectors import mu_room
from imports import selectors
from imports.check_overlay import CheckOverlay
from imports.chunks import (
    ParsedChunk,
    chunk_planner,
    chunks_to_plan,
    customers_load,
    mapping_for,
    relaxed_gc,
)
from imports.engine import mapping as mapping_engine
from imports.engine.counts import Counts, chunk_counts
from imports.engine.light_check import NeedsFullRecords
from imports.engine.lookups import LOOKUP_KEYS, lookup_values
from imports.engine.outcome import ChunkOutcome, Failure
from imports.engine.parsing import RowParser
from imports.engine.reading import FileRefused
from imports.failed_rows import failure_keys
from imports.lifecycle import check_reset, file_draft, import_discard
from imports.models import Import
from imports.refusals import IMPORT_NOT_CONFIGURED, IMPORT_NOT_DRAFT, ImportRefused, editor
from imports.writers import writer_for_connection

logger = logging.getLogger(__name__)

CHECK_CRASHED = (
    "The check stopped because of an unexpected error ({error}). Nothing was written. Try "
    "again, or contact support if it happens again."
)

CHECK_REASON_ROWS = 5
CHECK_MAX_REASONS = 50
CHECK_CELL_CHARS = 200


@dataclass
class CheckReport:
    """What the import would do (R-I11): counters and the failing rows grouped by reason."""

    rows: int = 0
    counts: Counts = Counts()
    reasons: dict[tuple[str, str], list] = field(default_factory=dict)
    mu_room: int | None = None  # the room the next chunk may fill (R-M3)

    def add_failure(self, failure: Failure) -> None:
        for column, reason in dict.fromkeys(failure.errors):
            group = self.reasons.get((column, reason))
            if group is None:
                if len(self.reasons) >= CHECK_MAX_REASONS:
                    continue
                group = self.reasons[(column, reason)] = [0, [], []]
            group[0] += 1
            if len(group[1]) < CHECK_REASON_ROWS:
                group[1].append(failure.row_number)
                cell = str(failure.values.get(column, ""))[:CHECK_CELL_CHARS]
                group[2].append(cell.replace("\x00", "\ufffd"))  # JSON columns refuse NUL

    def as_dict(self) -> dict:
        reasons = sorted(self.reasons.items(), key=lambda item: (-item[1][0], item[1][1][0]))
        return (
            {"rows": self.rows}
            | self.counts.as_json()
            | {
                "reasons": [
                    {"column": c, "reason": r, "count": n, "rows": rows, "cells": cells}
                    for (c, r), (n, rows, cells) in reasons
                ]
            }
        )


def import_check(
    *,
    imp: Import,
    on_failure: Callable[[Failure], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_keys: Callable[[list[str]], None] | None = None,
) -> dict:
    """Plan every row against the database without writing; return the report, kept too."""
    if not imp.mapping:
        raise ImportRefused(IMPORT_NOT_CONFIGURED)
    report = CheckReport(mu_room=mu_room(imp.channel))
    try:
        with relaxed_gc(), selectors.import_table(imp) as table:
            mapping = mapping_for(imp, table.headers)
            if on_keys is not None:
                on_keys(failure_keys(imp, table.headers))
            parser = RowParser(mapping)
            overlay = CheckOverlay(imp, mapping)
            writer = writer_for_connection()
            with chunks_to_plan(imp, table.rows(), parser) as chunks:
                total = 0
                if progress is not None:  # counted while the file is parsed
                    total = imp.total_rows or table.count_rows()
                for chunk in chunks:
                    _check_chunk(imp, mapping, overlay, writer, chunk, report, on_failure)
                    if progress is not None:
                        progress(report.rows, total)
    except FileRefused as error:
        raise ImportRefused(error.message) from None
    except mapping_engine.MappingError as error:
        raise ImportRefused(error.message) from None
    result = report.as_dict()
    imp.total_rows = report.rows
    imp.check_result = result
    imp.save(update_fields=["total_rows", "check_result"])
    return result


def import_check_request(*, imp: Import, by) -> Import:
    """Queue a configured draft's check for the worker (R-I11); the page follows its progress."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    if not imp.mapping:
        raise ImportRefused(IMPORT_NOT_CONFIGURED)
    editor(imp.channel, by)
    check_reset(imp)
    imp.check_status = Import.CheckStatus.QUEUED
    imp.heartbeat_at = timezone.now()
    imp.save(
        update_fields=[
            "check_status",
            "check_result",
            "check_rows_done",
            "check_error",
            "heartbeat_at",
        ]
    )
    import_id = imp.id
    transaction.on_commit(lambda: import_check_enqueue(import_id))
    return imp


def import_check_enqueue(import_id: int) -> None:
    """Hand a draft's queued check to the django-q2 worker."""
    from django_q.tasks import async_task

    async_task("imports.tasks.check_import_task", import_id, task_name=f"import-check-{import_id}")


def import_check_perform(*, import_id: int) -> Import:
    """Run a queued check in the worker, saving its progress and its report on the import."""
    draft = Import.objects.filter(pk=import_id, status=Import.Status.DRAFT)
    asked = draft.filter(
        Q(check_status=Import.CheckStatus.QUEUED)
        | Q(selectors.heartbeat_stale(timezone.now()), check_status=Import.CheckStatus.RUNNING)
    )
    taken = asked.update(
        check_status=Import.CheckStatus.RUNNING, check_rows_done=0, heartbeat_at=timezone.now()
    )
    if not taken:
        return Import.objects.get(pk=import_id)  # changed, discarded or checked elsewhere
    running = draft.filter(check_status=Import.CheckStatus.RUNNING)

    def progress(done: int, total: int) -> None:
        running.update(check_rows_done=done, total_rows=total, heartbeat_at=timezone.now())

    imp = Import.objects.select_related("channel").get(pk=import_id)
    try:
        import_check(imp=imp, progress=progress)
    except ImportRefused as refusal:
        running.update(check_status=Import.CheckStatus.FAILED, check_error=refusal.message)
    except Exception as error:
        logger.exception("The check of import %s failed", import_id)
        message = CHECK_CRASHED.format(error=type(error).__name__)
        running.update(check_status=Import.CheckStatus.FAILED, check_error=message)
    else:
        running.update(check_status=Import.CheckStatus.DONE)
    return Import.objects.get(pk=import_id)


def _check_chunk(
    imp: Import, mapping, overlay: CheckOverlay, writer, chunk: ParsedChunk, report, on_failure
) -> None:
    """Plan one chunk of a check and add its outcome to the report."""
    now = timezone.now()
    if overlay.channel_was_empty:
        outcome = chunk_planner(imp, mapping, now, report.mu_room).plan(
            chunk.items, overlay.apply([], chunk.parsed, now)
        )
    elif not overlay.has_partners:
        lookups = lookup_values(mapping, chunk.parsed, identifier_only=True)
        values = lookups[LOOKUP_KEYS.index(mapping.identifier_key)]
        planner = chunk_planner(imp, mapping, now, report.mu_room, check_only=True)
        light = writer.load_light(
            channel_id=imp.channel_id,
            column=overlay.identifier_field,
            values=values,
            list_keys=overlay.list_keys,
            appends=overlay.appends(chunk.parsed),
            key_limit=planner.max_keys,
        )
        try:
            outcome = planner.plan(chunk.items, overlay.apply(light, chunk.parsed, now))
        except NeedsFullRecords:
            outcome = _plan_whole(imp, mapping, overlay, writer, chunk, report, now)
    else:
        outcome = _plan_whole(imp, mapping, overlay, writer, chunk, report, now)
    report.mu_room = outcome.mu_room
    report.rows += chunk.size
    report.counts += chunk_counts(outcome, pending_unification=overlay.remember(outcome))
    for failure in outcome.failures:
        report.add_failure(failure)
        if on_failure is not None:
            on_failure(failure)


def _plan_whole(
    imp: Import, mapping, overlay: CheckOverlay, writer, chunk: ParsedChunk, report, now
) -> ChunkOutcome:
    """A check's chunk planned on whole records, unification partners included."""
    lookups = lookup_values(mapping, chunk.parsed, identifier_only=not overlay.has_partners)
    loaded = customers_load(
        writer,
        channel_id=imp.channel_id,
        lookups=lookups,
        lock=False,
        partners=overlay.has_partners,
    )
    loaded = overlay.apply(loaded, chunk.parsed, now)
    return chunk_planner(imp, mapping, now, report.mu_room).plan(chunk.items, loaded)


def import_file_check(
    *,
    on_failure: Callable[[Failure], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_keys: Callable[[list[str]], None] | None = None,
    **draft,
) -> dict:
    """Check a file on disk (the command line, R-I11) and keep nothing: no draft, no file."""
    with file_draft(**draft) as imp:
        report = import_check(imp=imp, on_failure=on_failure, progress=progress, on_keys=on_keys)
        import_discard(imp=imp)
    return report
