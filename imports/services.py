"""Bulk customer imports: upload, map, check (dry run), start, run in chunks, finish (R-I*).

The flow: ``import_upload`` stores the file as a draft import; ``import_configure`` checks the
mapping; ``import_check`` plans every row without writing (R-I11); ``import_start`` queues it
(one active import per channel, held by the database, R-I16) and enqueues the worker task;
``import_run`` works through the file chunk by chunk. Each chunk's customer writes, failed rows,
counters and progress commit in one transaction, so a run that dies at any moment resumes after
the last committed row with the same final result.
"""

import codecs
import contextlib
import gc
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record, activity_record_many
from contacts.models import IS_LEAD, Channel, Customer, Membership, PendingUnification
from contacts.services import ProfileKeyError, mu_room, profile_key_add
from contacts.unification import conversations_move
from imports import selectors
from imports.engine import mapping as mapping_engine
from imports.engine.counts import Counts, chunk_counts
from imports.engine.failures import write_failures
from imports.engine.pipeline import Forked
from imports.engine.planning import (
    IDENTIFIER_FIELDS,
    LOOKUP_KEYS,
    ChunkOutcome,
    ChunkPlanner,
    Failure,
    NeedsFullRecords,
    Record,
    RowParser,
    contact_closure,
    list_keys,
    lookup_values,
)
from imports.engine.reading import DELIMITERS, FILE_TOO_LARGE, FileRefused
from imports.models import COUNT_FIELDS, Import, ImportConflict, ImportFailure, ImportMatch
from imports.notifications import import_notify
from imports.writers import OrmWriter, writer_for_connection

logger = logging.getLogger(__name__)

NO_EDIT_PERMISSION = (
    "Only managers allowed to edit customer information can import customers; ask the channel "
    "owner for that permission."
)
NOT_A_MANAGER = "{who} is not a manager of the channel {channel}."
IMPORT_ALREADY_ACTIVE = (
    'Another import is {status} in this channel: #{id} "{file}", started by {who} on {when} UTC'
    "{progress}. Wait until it ends, or stop it on its page, then start this one."
)
# The running import's last progress, in the refusal above.
ACTIVE_PROGRESS = ", at row {done} of {total} (last progress {beat} UTC)"
ACTIVE_STALLED = ", stalled at row {done} of {total} since {beat} UTC: it resumes by itself"
ACTIVE_INTERRUPTED = ", interrupted at row {done} of {total}: it resumes by itself"
IMPORT_NOT_DRAFT = "This import has already been started; upload the file again to import it again."
IMPORT_NOT_CONFIGURED = "Map the file's columns before checking or starting the import."
CHECK_FIRST = "Check the file before starting the import: the check shows what it will do."
IMPORT_NOT_ACTIVE = "This import is not queued or running, so there is nothing to stop."
STOP_NOT_ALLOWED = "Only the manager who started the import or the channel owner can stop it."
CHECK_CRASHED = (
    "The check stopped because of an unexpected error ({error}). Nothing was written. Try "
    "again, or contact support if it happens again."
)
DELIMITER_UNKNOWN = "Choose the delimiter: a comma, a semicolon or a tab."
ENCODING_UNKNOWN = (
    'The encoding "{encoding}" is unknown. Use a name such as utf-8, cp949 or cp1252.'
)
TAG_CONTROL_CHARACTER = (
    "The import tag cannot hold a control character (a tab, a line break or another invisible "
    "code); type it on one line."
)
TAG_EMPTY = "The import tag cannot be empty."
TAG_TOO_LONG = "The import tag has at most 200 characters."
EMPTY_CELLS_UNKNOWN = "Choose what empty cells do: keep or clear existing data."
NEW_OPT_OUTS_HALF = (
    "Choose both opt-outs for new customers (email and texting), or neither: a new customer's "
    "row then needs both values."
)
IMPORT_CRASHED = (
    "The import stopped at row {row} because of an unexpected error ({error}). The rows before "
    "it were imported. Upload the remaining rows again, or contact support if it happens again."
)

MAX_TAG_LENGTH = 200
CHECK_REASON_ROWS = 5
CHECK_MAX_REASONS = 50
CHECK_CELL_CHARS = 200
# C0 and C1 controls, DEL and lone surrogates: what a one-line label cannot show or store.
_TAG_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class ImportRefused(Exception):
    """The import cannot go ahead; ``message`` tells the manager why and what to do.

    ``active_import_id``: the channel's queued or running import that refused it (R-I16).
    """

    def __init__(self, message: str, active_import_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.active_import_id = active_import_id


class _TakenOver(Exception):
    """Another runner committed the chunk this one was about to write."""


class _StopRequested(Exception):
    """A manager asked the running import to stop; the chunks before this one stay committed."""


class _Interrupted(Exception):
    """The runner was asked to let go (a signal to the command): the import stays resumable."""


# helpers


def _editor(channel: Channel, user) -> Membership:
    """The user's seat in the channel, refused unless it may edit customers (R-I17)."""
    membership = Membership.objects.filter(channel=channel, user=user).first() if user else None
    if membership is None:
        raise ImportRefused(NOT_A_MANAGER.format(who=user or "Nobody", channel=channel.slug))
    if not membership.may_edit:
        raise ImportRefused(NO_EDIT_PERMISSION)
    return membership


def default_tag(file_name: str) -> str:
    """The file's name without its extension, as the manager saw it (R-I10)."""
    stem = _TAG_CONTROL.sub(" ", Path(file_name).stem).strip()
    return stem[:MAX_TAG_LENGTH].rstrip() or "import"


def _checked_tag(tag: str) -> str:
    """An import tag is free text: trimmed, on one line, at most 200 characters (R-I10)."""
    tag = tag.strip()
    if not tag:
        raise ImportRefused(TAG_EMPTY)
    if len(tag) > MAX_TAG_LENGTH:
        raise ImportRefused(TAG_TOO_LONG)
    if _TAG_CONTROL.search(tag):
        raise ImportRefused(TAG_CONTROL_CHARACTER)
    return tag


def _active_refusal(active: Import) -> ImportRefused:
    who = active.started_by.email or active.started_by.username if active.started_by else "someone"
    when = (active.started_at or active.created_at).astimezone(UTC)
    progress = ""
    if active.status == Import.Status.RUNNING:
        words = ACTIVE_PROGRESS
        if active.heartbeat_at is None:  # its runner let go (an interrupted command)
            words = ACTIVE_INTERRUPTED
        elif selectors.import_is_stalled(active, timezone.now()):
            words = ACTIVE_STALLED
        beat = active.heartbeat_at or active.created_at
        progress = words.format(
            done=f"{active.rows_done:,}",
            total=f"{active.total_rows:,}",
            beat=beat.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        )
    return ImportRefused(
        IMPORT_ALREADY_ACTIVE.format(
            status=active.status,
            id=active.pk,
            file=active.file_name,
            who=who,
            when=when.strftime("%Y-%m-%d %H:%M"),
            progress=progress,
        ),
        active_import_id=active.pk,
    )


def _mapping_for(imp: Import, headers: list[str]) -> mapping_engine.ImportMapping:
    keys = mapping_engine.available_keys(selectors.custom_keys(imp.channel), imp.new_keys)
    return mapping_engine.rebuild(
        headers=headers,
        keys=keys,
        kind=imp.kind,
        identifier=imp.identifier or None,
        stored=imp.mapping,
    )


@contextlib.contextmanager
def _relaxed_gc() -> Iterator[None]:
    """Collect garbage rarely while a file is worked through.

    A chunk allocates hundreds of thousands of small containers and keeps none of them, and
    there are no reference cycles to find; the default collector would walk the whole heap
    again and again (a third of the run time in measurements).
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(slots=True)
class _ParsedChunk:
    """A chunk of rows parsed and ready to plan: pure work, done ahead of the database."""

    first_row: int
    last_row: int
    size: int
    items: list
    parsed: list


def _parsed_chunks(rows: Iterable, parser: RowParser, size: int) -> Iterator[_ParsedChunk]:
    """The file's rows parsed chunk by chunk (pure work, no database)."""
    for chunk in _chunks(rows, size):
        items = [parser.parse(row) for row in chunk]
        parsed = [item for item in items if type(item) is tuple]
        yield _ParsedChunk(
            chunk[0][0],
            chunk[-1][0],
            len(chunk),
            items,
            parsed,
        )


def _chunks_to_plan(
    imp: Import, rows: Iterable, parser: RowParser
) -> contextlib.AbstractContextManager[Iterator[_ParsedChunk]]:
    """Parsed chunks; for a big file parsed in a second process, which starts at once and runs
    ahead of planning and writing. Leaving the context stops it."""
    size = settings.IMPORT_CHUNK_ROWS
    if imp.file_size >= settings.IMPORT_PARALLEL_PARSE_MIN_BYTES:
        return Forked(lambda: _parsed_chunks(rows, parser, size))
    return contextlib.closing(_parsed_chunks(rows, parser, size))


def _planner(
    imp: Import, mapping, now, mu_room: int | None, check_only: bool = False
) -> ChunkPlanner:
    """The row planner of one chunk, with the import's tag, empty-cell policy, opt-out choice
    for new customers and MU room."""
    return ChunkPlanner(
        mapping,
        import_id=imp.id,
        tag=imp.tag,
        clear_empty=imp.empty_cells == Import.EmptyCells.CLEAR,
        now=now,
        mu_room=mu_room,
        check_only=check_only,
        new_opt_outs=imp.new_opt_outs,
    )


def _partners_exist(channel_id: int, mapping) -> bool:
    """Whether the channel holds a customer the rows could unify with (R-U1, R-U4): a lead for
    a member import, a member for a lead import (an index lookup either way)."""
    partners = IS_LEAD if mapping.kind == mapping_engine.MEMBER else Q(member_id__isnull=False)
    return Customer.objects.filter(partners, channel_id=channel_id).exists()


def customers_load(
    writer: OrmWriter, *, channel_id: int, lookups, lock: bool, partners: bool = True
) -> list[Record]:
    """One query for the chunk's keys, then the contacts that may reach unification partners.

    ``partners=False`` (no customer in the channel could unify with the rows: no leads for a
    member import, no members for a lead import) skips the contacts' second hops.
    """
    member_ids, emails, mobiles = lookups
    records = writer.load(
        channel_id=channel_id, member_ids=member_ids, emails=emails, mobiles=mobiles, lock=lock
    )
    if not partners:
        return records
    seen_emails, seen_mobiles = set(emails), set(mobiles)
    known = {r.id for r in records}
    # Two hops: member -> lead (U1) -> the lead's other member (U6).
    for _ in range(2):
        more_emails, more_mobiles = contact_closure(records, seen_emails, seen_mobiles)
        if not more_emails and not more_mobiles:
            break
        seen_emails |= more_emails
        seen_mobiles |= more_mobiles
        for record in writer.load(
            channel_id=channel_id, emails=more_emails, mobiles=more_mobiles, lock=lock
        ):
            if record.id not in known:
                known.add(record.id)
                records.append(record)
    return records


# upload and mapping


def import_upload(
    *,
    channel: Channel,
    by,
    file: File,
    file_name: str,
    encoding: str | None = None,
    kind: str = "",
    identifier: str = "",
) -> Import:
    """Store an uploaded file as a draft import, refusing what cannot be read (R-I17, R-I22).

    The wizard gives the kind (and a lead import's identifier) with the file; the mapping comes
    later, with ``import_configure``.
    """
    _editor(channel, by)
    if kind:
        _check_kind(kind, identifier)
    if file.size > settings.IMPORT_MAX_FILE_BYTES:
        raise ImportRefused(FILE_TOO_LARGE)
    encoding = _checked_encoding(encoding)
    imp = Import(
        channel=channel,
        started_by=by,
        kind=kind,
        identifier=identifier if kind == Import.Kind.LEAD else "",
        file_name=file_name,
        file_size=file.size,
        encoding=encoding or "",
        tag=default_tag(file_name),
        status=Import.Status.DRAFT,
    )
    imp.file.save(os.path.basename(file_name), file, save=False)
    try:
        with selectors.import_table(imp) as table:
            imp.encoding = table.encoding or ""
            imp.delimiter = table.delimiter or ""
        imp.save()
    except FileRefused as error:
        imp.file.delete(save=False)
        raise ImportRefused(error.message) from None
    except BaseException:
        imp.file.delete(save=False)  # no import refers to it: nothing would ever purge it
        raise
    return imp


def _check_kind(kind: str, identifier: str) -> None:
    if kind not in Import.Kind.values:
        raise ImportRefused(mapping_engine.KIND_UNKNOWN)
    if kind == Import.Kind.LEAD and identifier not in Import.Identifier.values:
        raise ImportRefused(mapping_engine.IDENTIFIER_UNKNOWN)


def _checked_encoding(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        "".encode(encoding)  # refuses codecs that are not text encodings ("hex", "zlib")
        return codecs.lookup(encoding).name
    except LookupError:
        raise ImportRefused(ENCODING_UNKNOWN.format(encoding=encoding)) from None


def import_reread(*, imp: Import, by, encoding: str | None, delimiter: str | None) -> Import:
    """Read a draft's file again with another encoding or delimiter (R-I22); the mapping resets."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    _editor(imp.channel, by)
    if delimiter and delimiter not in DELIMITERS:
        raise ImportRefused(DELIMITER_UNKNOWN)
    previous = (imp.encoding, imp.delimiter)
    imp.encoding = _checked_encoding(encoding) or ""
    imp.delimiter = delimiter or ""
    try:
        with selectors.import_table(imp) as table:
            imp.encoding = table.encoding or ""
            imp.delimiter = table.delimiter or ""
    except FileRefused as error:
        imp.encoding, imp.delimiter = previous
        raise ImportRefused(error.message) from None
    imp.mapping = {}
    imp.new_keys = {}
    _check_reset(imp)
    imp.save()
    return imp


def import_key_new(*, imp: Import, by, name: str, type_name: str) -> Import:
    """Add a custom key to a draft's mapping choices; it is created when the import starts."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    _editor(imp.channel, by)
    name = name.strip()
    try:
        mapping_engine.check_new_keys({name: type_name}, selectors.custom_keys(imp.channel))
    except mapping_engine.MappingError as error:
        raise ImportRefused(error.message) from None
    imp.new_keys = {**imp.new_keys, name: type_name}
    imp.save(update_fields=["new_keys"])
    return imp


def _check_reset(imp: Import) -> None:
    """A changed draft forgets its last dry run: the report no longer describes it."""
    imp.check_status = Import.CheckStatus.NONE
    imp.check_result = None
    imp.check_rows_done = 0
    imp.check_error = ""


def import_configure(
    *,
    imp: Import,
    by,
    kind: str,
    identifier: str | None = None,
    mapping: dict[str, str] | None = None,
    skip: Iterable[str] = (),
    new_keys: dict[str, str] | None = None,
    empty_cells: str = Import.EmptyCells.KEEP,
    tag: str | None = None,
    new_unsubscribe_email: bool | None = None,
    new_unsubscribe_texting: bool | None = None,
) -> Import:
    """Check and store the mapping, empty-cell policy, tag and opt-out choice for new customers
    of a draft import (R-I1, R-I5, R-I7a)."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    _editor(imp.channel, by)
    if empty_cells not in Import.EmptyCells.values:
        raise ImportRefused(EMPTY_CELLS_UNKNOWN)
    if (new_unsubscribe_email is None) != (new_unsubscribe_texting is None):
        raise ImportRefused(NEW_OPT_OUTS_HALF)
    try:
        with selectors.import_table(imp) as table:
            headers = table.headers
    except FileRefused as error:
        raise ImportRefused(error.message) from None
    try:
        resolved = mapping_engine.resolve(
            headers=headers,
            custom_keys=selectors.custom_keys(imp.channel),
            kind=kind,
            identifier=identifier or None,
            explicit=mapping or {},
            skip=skip,
            new_keys=new_keys or {},
        )
    except mapping_engine.MappingError as error:
        raise ImportRefused(error.message) from None
    imp.kind = kind
    imp.identifier = (identifier or "") if kind == Import.Kind.LEAD else ""
    imp.mapping = resolved.as_dict()
    imp.new_keys = resolved.new_keys
    imp.empty_cells = empty_cells
    imp.tag = _checked_tag(tag) if tag is not None else imp.tag
    imp.new_unsubscribe_email = new_unsubscribe_email
    imp.new_unsubscribe_texting = new_unsubscribe_texting
    _check_reset(imp)
    imp.save()
    return imp


# dry run


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


class _DryRunOverlay:
    """What earlier chunks of a dry run would have written, kept small: the identifiers of the
    customers they created, the ids they counted and the leads they unified away."""

    def __init__(self, imp: Import, mapping: mapping_engine.ImportMapping) -> None:
        self.import_id = imp.id
        self.tag = imp.tag
        # Nothing to look up in a channel without customers: its rows all create, and an
        # import's own customers (all members, or all leads) never unify with each other.
        customers = Customer.objects.filter(channel_id=imp.channel_id)
        self.channel_was_empty = not customers.exists()
        # Contacts matter to a dry run only when a unification partner may exist (R-U1, R-U4).
        self.has_partners = not self.channel_was_empty and _partners_exist(imp.channel_id, mapping)
        self.identifier_field = IDENTIFIER_FIELDS[mapping.identifier_key]
        self.id_position = next(
            i for i, c in enumerate(mapping.columns) if c.key == mapping.identifier_key
        )
        self.list_keys = list_keys(mapping)
        positions = {c.key: i for i, c in enumerate(mapping.columns)}
        self._list_positions = [positions[key] for key in self.list_keys]
        # hash() of the identifier: 8 bytes a customer; a collision (about 1 in 10^7 for a
        # million rows) only shifts one row between created and updated in the estimate.
        self.created: set[int] = set()
        self.counted: set[int] = set()
        self.unified: set[int] = set()
        self.pending: set[tuple[int, int]] = set()
        self._phantom_ids = 0

    def appends(self, rows: list) -> list[int]:
        """For each list key, the most items one of the rows appends."""
        longest = []
        for position in self._list_positions:
            lengths = [len(v) for row in rows if type(v := row[1][position]) is list]
            longest.append(max(lengths, default=0))
        return longest

    def apply(self, records: list[Record], rows: list, now) -> list[Record]:
        """Add the customers earlier chunks created; mark those they counted or unified."""
        records = [r for r in records if r.id not in self.unified]
        for record in records:
            if record.id in self.counted:
                record.last_import_id = self.import_id
        if self.created:
            present = {getattr(r, self.identifier_field) for r in records}
            for row in rows:
                value = row[1][self.id_position]
                if value in present or hash(value) not in self.created:
                    continue
                present.add(value)
                records.append(self._phantom(value, now))
        return records

    def _phantom(self, value: str, now) -> Record:
        self._phantom_ids -= 1
        record = Record.loaded(
            (self._phantom_ids, None, "", None, None, None, False, False, False, False)
            + ([self.tag], {}, now.timestamp(), False, False, False, self.import_id),
            0,
        )
        setattr(record, self.identifier_field, value)
        if self.identifier_field == "email":
            record.email_verified = True
        elif self.identifier_field == "mobile_number":
            record.mobile_verified = True
        return record

    def remember(self, outcome: ChunkOutcome) -> int:
        """Keep what later chunks must see; return the new pending unifications."""
        for record in outcome.created:
            self.created.add(hash(getattr(record, self.identifier_field)))
        for record in outcome.updated:
            if record.id is not None and record.id > 0:
                self.counted.add(record.id)
        for record in outcome.deleted:
            self.unified.add(record.id)
        fresh = 0
        pairs = [(lead.id, member.id) for lead, member in outcome.pending]
        if pairs:
            existing = set(
                PendingUnification.objects.filter(
                    lead_id__in=[lead for lead, _ in pairs]
                ).values_list("lead_id", "member_id")
            )
            for pair in pairs:
                if pair not in existing and pair not in self.pending:
                    self.pending.add(pair)
                    fresh += 1
        return fresh


def import_check(
    *,
    imp: Import,
    on_failure: Callable[[Failure], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_keys: Callable[[list[str]], None] | None = None,
) -> dict:
    """Plan every row against the database without writing anything (R-I11).

    Rows for the same customer are simulated across the whole file: one created at row 5 and
    matched at row 900 counts once, as created. Within a chunk each row sees what the rows
    before it did; a later chunk checks its rows against the stored customers, so a list or
    profile limit (R-I9, R-C6) reached only by rows in different chunks is found by the run
    (memory stays flat however many customers the file updates). ``on_keys`` is told the
    failed-rows file's value columns before any failure. Returns the report (also kept on the
    import). The file is opened once.
    """
    if not imp.mapping:
        raise ImportRefused(IMPORT_NOT_CONFIGURED)
    report = CheckReport(mu_room=mu_room(imp.channel))
    try:
        with _relaxed_gc(), selectors.import_table(imp) as table:
            mapping = _mapping_for(imp, table.headers)
            if on_keys is not None:
                on_keys(failure_keys(imp, table.headers))
            parser = RowParser(mapping)
            overlay = _DryRunOverlay(imp, mapping)
            writer = writer_for_connection()
            with _chunks_to_plan(imp, table.rows(), parser) as chunks:
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
    """Queue a configured draft's dry run for the worker (R-I11); the page follows its progress."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    if not imp.mapping:
        raise ImportRefused(IMPORT_NOT_CONFIGURED)
    _editor(imp.channel, by)
    _check_reset(imp)
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
    """Run a queued dry run in the worker, saving its progress and its report on the import.

    A running check is taken over only when its heartbeat is stale (its worker died): a task
    queued twice runs it once.
    """
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
    imp: Import, mapping, overlay: "_DryRunOverlay", writer, chunk: _ParsedChunk, report, on_failure
) -> None:
    """Plan one chunk of a dry run and add its outcome to the report.

    Where nothing in the channel can unify with the rows, existing customers are only matched
    and checked: they are loaded light (the identifier, the size bound, the list keys) and
    planned with ``check_only``; a row only whole records can decide sends the chunk back to
    the whole plan. Both give the same report (tested).
    """
    now = timezone.now()
    if overlay.channel_was_empty:
        outcome = _planner(imp, mapping, now, report.mu_room).plan(
            chunk.items, overlay.apply([], chunk.parsed, now)
        )
    elif not overlay.has_partners:
        lookups = lookup_values(mapping, chunk.parsed, identifier_only=True)
        values = lookups[LOOKUP_KEYS.index(mapping.identifier_key)]
        planner = _planner(imp, mapping, now, report.mu_room, check_only=True)
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
    imp: Import, mapping, overlay: "_DryRunOverlay", writer, chunk: _ParsedChunk, report, now
) -> ChunkOutcome:
    """A dry run's chunk planned on whole records, unification partners included."""
    lookups = lookup_values(mapping, chunk.parsed, identifier_only=not overlay.has_partners)
    loaded = customers_load(
        writer,
        channel_id=imp.channel_id,
        lookups=lookups,
        lock=False,
        partners=overlay.has_partners,
    )
    loaded = overlay.apply(loaded, chunk.parsed, now)
    return _planner(imp, mapping, now, report.mu_room).plan(chunk.items, loaded)


# start


def import_start(*, imp: Import, by, enqueue: bool = True, require_check: bool = False) -> Import:
    """Queue a configured draft import; one active import per channel (R-I16).

    Creates the import's new profile keys, records the BULK_IMPORT activity entry and, after
    commit, hands the run to the django-q2 worker (unless ``enqueue`` is false: the caller
    runs it in-process with ``import_run``). The wizard starts only a checked mapping
    (``require_check``, R-I11).
    """
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    if not imp.mapping:
        raise ImportRefused(IMPORT_NOT_CONFIGURED)
    if require_check and imp.check_status != Import.CheckStatus.DONE:
        raise ImportRefused(CHECK_FIRST)
    channel = imp.channel
    _editor(channel, by)
    with transaction.atomic():
        # One start at a time per channel: a second starter waits here, then sees the first
        # import active and is refused, before it touches profile keys or the constraint.
        Channel.objects.select_for_update().filter(pk=channel.pk).first()
        active = selectors.import_active(channel)
        if active is not None:
            raise _active_refusal(active)
        existing = {k.name: k.type for k in selectors.custom_keys(channel)}
        for name, type_name in imp.new_keys.items():
            if name in existing:
                continue
            try:
                profile_key_add(channel=channel, by=by, name=name, label=name, type=type_name)
            except ProfileKeyError as error:
                raise ImportRefused(
                    mapping_engine.NEW_KEY_INVALID.format(key=name, reason=error.message)
                ) from None
        imp.status = Import.Status.QUEUED
        imp.started_by = by
        imp.heartbeat_at = timezone.now()
        try:
            with transaction.atomic():
                imp.save(update_fields=["status", "started_by", "heartbeat_at"])
        except IntegrityError:
            imp.status = Import.Status.DRAFT
            active = selectors.import_active(channel)
            if active is None:
                raise
            raise _active_refusal(active) from None
        activity_record(
            channel=channel,
            actor=by,
            category=Entry.Category.BULK_IMPORT,
            action=f"Bulk import of {imp.file_name} started",
            import_id=imp.id,
            details=_start_details(imp, by),
        )
        if enqueue:
            import_id = imp.id
            transaction.on_commit(lambda: import_enqueue(import_id))
    return imp


def _start_details(imp: Import, by) -> dict:
    """What the BULK_IMPORT entry of a start records: who, the file and every choice made."""
    choice = imp.new_opt_outs
    return {
        "by": by.email or by.get_username(),
        "file": imp.file_name,
        "kind": imp.kind,
        "identifier": imp.identifier,
        "emptyCells": imp.empty_cells,
        "tag": imp.tag,
        "newCustomerOptOuts": (
            None
            if choice is None
            else {"unsubscribeEmail": choice[0], "unsubscribeTexting": choice[1]}
        ),
        "mapping": imp.mapping,  # last: the log's one-line summary cuts what runs long
    }


def import_enqueue(import_id: int) -> None:
    """Hand a queued or running import to the django-q2 worker."""
    from django_q.tasks import async_task

    async_task("imports.tasks.run_import_task", import_id, task_name=f"import-{import_id}")


# run


def import_run(
    *,
    import_id: int,
    progress: Callable[[int, int], None] | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> Import:
    """Run a queued import, or resume a running one after its last committed row.

    A running import is resumed only when its heartbeat is stale (its runner died or let go);
    otherwise it is returned as it is. Safe to call twice at once all the same: a chunk commits
    only if the import's last row is still the one its runner started from; the late runner
    stops. An unexpected error marks the import failed (the chunk in hand rolls back, nothing
    half-written). ``interrupted`` is asked before each chunk: once true, the run lets go of
    the import, which stays running and resumable.
    """
    imp = _begin(import_id)
    if imp is None:
        return Import.objects.get(pk=import_id)
    row = imp.last_row_number + 1
    headers = None
    try:
        with _relaxed_gc(), selectors.import_table(imp) as table:
            headers = table.headers
            mapping = _mapping_for(imp, headers)
            writer = writer_for_connection()
            logs_edits = imp.channel.logs_import_edits
            rows = table.rows(start_after_row_number=imp.last_row_number)
            with _chunks_to_plan(imp, rows, RowParser(mapping)) as chunks:
                if not imp.total_rows:
                    # Counted while the file is parsed, and before the first chunk is written:
                    # a file refused part-way (a broken quote, a row that does not decode) is
                    # refused with nothing written.
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


_PROGRESS_FIELDS = [
    "last_row_number",
    "rows_done",
    *COUNT_FIELDS.values(),
    "mu_room_left",
    "heartbeat_at",
]


def _run_chunk(imp: Import, mapping, writer, chunk: _ParsedChunk, logs_edits: bool) -> Import:
    """Plan and write one chunk, its failures and the import's progress in one transaction."""
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=imp.pk)
        if locked.status != Import.Status.RUNNING or locked.last_row_number != imp.last_row_number:
            raise _TakenOver
        if locked.stop_requested_at is not None:
            raise _StopRequested
        outcome = _plan_chunk(imp, mapping, writer, chunk, locked)
        pending = _write(imp, outcome, writer, logs_edits)
        locked.last_row_number = chunk.last_row
        locked.rows_done += chunk.size
        locked.counts += chunk_counts(outcome, pending_unification=pending)
        locked.mu_room_left = outcome.mu_room
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=_PROGRESS_FIELDS)
    for name in _PROGRESS_FIELDS:
        setattr(imp, name, getattr(locked, name))
    return imp


def _plan_chunk(imp: Import, mapping, writer, chunk: _ParsedChunk, locked: Import) -> ChunkOutcome:
    """Load the customers the chunk reaches and plan it, inside the chunk's transaction.

    Where the writer can (PostgreSQL), customers are loaded without locks and only those the
    chunk writes are locked afterwards, their versions checked: a chunk that matches a thousand
    customers without changing them locks and writes none of them. If one of them changed
    since it was loaded, the chunk is loaded again under locks and planned again.
    """
    # Contacts reach unification partners only where some exist (leads for a member import,
    # members for a lead import); checked per chunk, as the lookups themselves are.
    partners = _partners_exist(imp.channel_id, mapping)
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
        outcome = _planner(imp, mapping, now, locked.mu_room_left).plan(chunk.items, loaded)
        if not optimistic or writer.lock_current(_written(outcome)):
            break
    return outcome


def _written(outcome: ChunkOutcome) -> list[Record]:
    """The existing customers a planned chunk writes or points to: changed, removed by a
    unification, or part of a pending unification."""
    records = {id(r): r for r in outcome.updated if r.changed}
    records.update((id(r), r) for r in outcome.deleted)
    for lead, member in outcome.pending:
        records.update(((id(lead), lead), (id(member), member)))
    return [r for r in records.values() if not r.is_new]


def _write(imp: Import, outcome: ChunkOutcome, writer: OrmWriter, logs_edits: bool) -> int:
    """Write a planned chunk; return how many pending unifications were new."""
    channel_id = imp.channel_id
    need_ids = logs_edits or bool(outcome.unified or outcome.pending or outcome.conflicts)
    writer.insert(channel_id=channel_id, records=outcome.created, need_ids=need_ids)
    writer.update(channel_id=channel_id, records=outcome.updated, import_id=imp.id)
    conversations_move({lead.id: member.id for lead, _, member in outcome.unified if lead})
    entries = []
    for lead, label, member in outcome.unified:
        entries.append(
            Entry(
                channel_id=channel_id,
                actor=imp.started_by,
                category=Entry.Category.UNIFICATION,
                action=f"Lead {label} unified into member {member.label}",
                customer_id=member.id,
                customer_label=member.label,
                import_id=imp.id,
                details={"leadId": lead.id if lead is not None else None, "leadLabel": label},
            )
        )
    if outcome.deleted:
        Customer.objects.filter(id__in=[r.id for r in outcome.deleted]).delete()
    pending = 0
    if outcome.pending:
        existing = set(
            PendingUnification.objects.filter(
                lead_id__in=[lead.id for lead, _ in outcome.pending]
            ).values_list("lead_id", "member_id")
        )
        fresh = [
            PendingUnification(
                channel_id=channel_id, lead_id=lead.id, member_id=member.id, import_id=imp.id
            )
            for lead, member in outcome.pending
            if (lead.id, member.id) not in existing
        ]
        PendingUnification.objects.bulk_create(fresh)
        pending = len(fresh)
    if outcome.conflicts:
        ImportConflict.objects.bulk_create(
            ImportConflict(
                import_run_id=imp.id,
                row_number=number,
                lead_id=lead.id,
                email_member_id=first.id,
                mobile_member_id=second.id,
            )
            for number, lead, first, second in outcome.conflicts
        )
    if outcome.failures:
        ImportFailure.objects.bulk_create(
            (
                ImportFailure(
                    import_run_id=imp.id,
                    row_number=f.row_number,
                    error_columns=f.columns,
                    error_reasons=f.reasons,
                    errors=[list(error) for error in f.errors],
                    values=f.values,
                )
                for f in outcome.failures
            ),
            batch_size=2000,
        )
    if entries:
        activity_record_many(entries)
    if logs_edits:  # after the unification entries: a chunk's entries keep its order by id
        writer.log_edits(
            channel_id=channel_id,
            actor_id=imp.started_by_id,
            import_id=imp.id,
            records=outcome.edited,
        )
    return pending


# finish


def failure_keys(imp: Import, headers: list[str] | None = None) -> list[str]:
    """The mapped profile keys in file order: the failed-rows file's columns after the third.

    Without the file's ``headers`` (known to a caller that has it open), the file is opened.
    """
    if headers is None:
        try:
            with selectors.import_table(imp) as table:
                headers = table.headers
        except FileRefused:
            headers = []
    order = {h: i for i, h in enumerate(headers)}
    mapped = sorted(imp.mapping, key=lambda h: order.get(h, len(order)))
    return [imp.mapping[h] for h in mapped]


def failures_rows(imp: Import) -> Iterator[tuple]:
    """The import's failed rows in row order, streamed."""
    return (
        ImportFailure.objects.filter(import_run=imp)
        .order_by("row_number")
        .values_list("row_number", "error_columns", "error_reasons", "values")
        .iterator(chunk_size=2000)
    )


def failures_write(imp: Import, target, headers: list[str] | None = None) -> int:
    """Write the import's failed-rows workbook to a path or binary file (R-I14)."""
    return write_failures(target, failure_keys(imp, headers), failures_rows(imp))


def _finish(
    import_id: int,
    *,
    error: str | None = None,
    stopped: bool = False,
    headers: list[str] | None = None,
) -> Import:
    imp = Import.objects.select_related("channel", "started_by").get(pk=import_id)
    if imp.status not in Import.ACTIVE_STATUSES:
        return imp
    saved_name = ""
    if imp.failed_count:
        with tempfile.TemporaryFile() as handle:
            failures_write(imp, handle, headers)
            handle.seek(0)
            saved_name = default_storage.save(
                imp.failures_file.field.generate_filename(imp, f"import-{imp.pk}-failed-rows.xlsx"),
                File(handle),
            )
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
        large = locked.rows_done >= settings.IMPORT_UPKEEP_MIN_ROWS
        if large and connection.vendor == "postgresql":
            # Best effort: a broker that is down must not turn a finished import into an error.
            transaction.on_commit(_enqueue_upkeep, robust=True)
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
    """Stop a queued or running import after the chunk in flight; what was committed stays.

    A queued import, or a running one whose runner is gone (stale heartbeat), ends at once.
    """
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


def _enqueue_upkeep() -> None:
    """Queue the customer table's upkeep after a large import, so the contact list and the MU
    count are fast at once rather than after autovacuum; the import does not wait for it."""
    from django_q.tasks import async_task

    async_task("imports.tasks.customer_table_upkeep_task", task_name="customer-table-upkeep")


def import_summary(imp: Import) -> dict:
    """The import's counters under the names the command line prints (R-I14)."""
    return imp.counts.as_json()


# files


def import_files_purge(*, now=None) -> tuple[int, int]:
    """Delete failed-rows files past their 30 days and source files of imports that ended more
    than 30 days ago (drafts: created more than 30 days ago). Returns (failures, sources)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_FAILURES_KEEP_DAYS)
    failures = 0
    for imp in Import.objects.filter(failures_expire_at__lt=now).exclude(failures_file=""):
        imp.failures_file.delete(save=False)
        Import.objects.filter(pk=imp.pk).update(failures_file="")
        failures += 1
    sources = 0
    ended = Q(status__in=[Import.Status.SUCCEEDED, Import.Status.FAILED], finished_at__lt=cutoff)
    stale_draft = Q(status=Import.Status.DRAFT, created_at__lt=cutoff)
    for imp in Import.objects.filter(ended | stale_draft).exclude(file=""):
        imp.file.delete(save=False)
        Import.objects.filter(pk=imp.pk).update(file="")
        sources += 1
    return failures, sources


def import_discard(*, imp: Import) -> None:
    """Delete a draft import and its stored file (a refused command-line import)."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    if imp.file:
        imp.file.delete(save=False)
    imp.delete()
