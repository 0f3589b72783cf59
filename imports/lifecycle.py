"""An import from upload to start: upload, read again, map, start; discard and purge (R-I*).

Decisions:
- R-I17: every step checks the manager's seat first (``refusals.editor``).
- R-I16: one active (queued or running) import per channel, held by the database's unique
  constraint so it holds across web and worker processes. A start locks the channel's row
  first: a second starter waits, then sees the first import active and is refused before it
  touches profile keys or the constraint.
- The wizard gives the kind (and a lead import's identifier) with the file; the command line
  gives them with the mapping (``import_configure``).
- R-I10: the import tag defaults to the file's name without its extension; a tag is free text
  on one line, at most 200 characters.
- Kept 30 days (IMPORT_FAILURES_KEEP_DAYS): a failed-rows file from its import's end, a source
  file from its import's end (a draft's from its upload); the purge deletes them after.
- R-I22: an upload reads the file's headers at once, so a file that cannot be read is refused
  with nothing stored; reading it again with another encoding or delimiter resets the mapping.
- R-I11: a changed draft forgets its last check, which no longer describes it; the wizard
  starts only a checked draft (``require_check``).
- R-I15: the start records the import's BULK_IMPORT activity entry with who started it, the
  file and every choice made; the run's finish gives the same entry its outcome.
- A start creates the import's new profile keys and, after commit, hands the run to the
  django-q2 worker; without ``enqueue`` the caller runs it in its own process (the command).
- The command line's import (``import_file_start``) leaves no draft behind when it is refused
  or breaks: the draft is discarded unless the import started.
"""

import codecs
import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.models import Channel
from contacts.services import ProfileKeyError, profile_key_add
from imports import selectors
from imports.engine import mapping as mapping_engine
from imports.engine.reading import DELIMITERS, FILE_TOO_LARGE, FileRefused
from imports.models import Import
from imports.refusals import (
    IMPORT_NOT_CONFIGURED,
    IMPORT_NOT_DRAFT,
    ImportRefused,
    active_refusal,
    editor,
)

CHECK_FIRST = "Check the file before starting the import: the check shows what it will do."
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

MAX_TAG_LENGTH = 200
# C0 and C1 controls, DEL and lone surrogates: what a one-line label cannot show or store.
_TAG_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


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
    """Store an uploaded file as a draft import, refusing what cannot be read (R-I17, R-I22)."""
    editor(channel, by)
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
    editor(imp.channel, by)
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
    check_reset(imp)
    imp.save()
    return imp


def import_key_new(*, imp: Import, by, name: str, type_name: str) -> Import:
    """Add a custom key to a draft's mapping choices; it is created when the import starts."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    editor(imp.channel, by)
    name = name.strip()
    try:
        mapping_engine.check_new_keys({name: type_name}, selectors.custom_keys(imp.channel))
    except mapping_engine.MappingError as error:
        raise ImportRefused(error.message) from None
    imp.new_keys = {**imp.new_keys, name: type_name}
    imp.save(update_fields=["new_keys"])
    return imp


def check_reset(imp: Import) -> None:
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
    """Check and store a draft's mapping and choices (R-I1, R-I5, R-I7a, R-I8, R-I10)."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    editor(imp.channel, by)
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
    check_reset(imp)
    imp.save()
    return imp


def import_start(*, imp: Import, by, enqueue: bool = True, require_check: bool = False) -> Import:
    """Queue a configured draft import, one active import per channel (R-I16)."""
    if imp.status != Import.Status.DRAFT:
        raise ImportRefused(IMPORT_NOT_DRAFT)
    if not imp.mapping:
        raise ImportRefused(IMPORT_NOT_CONFIGURED)
    if require_check and imp.check_status != Import.CheckStatus.DONE:
        raise ImportRefused(CHECK_FIRST)
    channel = imp.channel
    editor(channel, by)
    with transaction.atomic():
        # One start at a time per channel (see Decisions).
        Channel.objects.select_for_update().filter(pk=channel.pk).first()
        active = selectors.import_active(channel)
        if active is not None:
            raise active_refusal(active)
        _new_keys_create(imp, by)
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
            raise active_refusal(active) from None
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


def _new_keys_create(imp: Import, by) -> None:
    """Create the custom keys the import's mapping adds that the channel does not hold yet."""
    existing = {k.name for k in selectors.custom_keys(imp.channel)}
    for name, type_name in imp.new_keys.items():
        if name in existing:
            continue
        try:
            profile_key_add(channel=imp.channel, by=by, name=name, label=name, type=type_name)
        except ProfileKeyError as error:
            raise ImportRefused(
                mapping_engine.NEW_KEY_INVALID.format(key=name, reason=error.message)
            ) from None


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


def import_files_purge(*, now=None) -> tuple[int, int]:
    """Delete expired failed-rows files and old source files; return how many of each."""
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


@contextlib.contextmanager
def file_draft(
    *,
    channel: Channel,
    by,
    path: Path,
    encoding: str | None,
    choices: dict[str, Any],
    on_draft: Callable[[Import], None] | None = None,
) -> Iterator[Import]:
    """A file on disk uploaded and configured with ``choices``; discarded if the block fails."""
    imp = None
    try:
        with path.open("rb") as handle:
            imp = import_upload(
                channel=channel,
                by=by,
                file=File(handle, name=path.name),
                file_name=path.name,
                encoding=encoding,
            )
        if on_draft is not None:
            on_draft(imp)
        yield import_configure(imp=imp, by=by, **choices)
    except BaseException:
        _draft_discard(imp)
        raise


def _draft_discard(imp: Import | None) -> None:
    """Discard the draft a failed command-line import left; nothing once it has started."""
    if imp is None or imp.pk is None:
        return
    if Import.objects.filter(pk=imp.pk, status=Import.Status.DRAFT).exists():
        imp.status = Import.Status.DRAFT  # a start that failed may have changed it in memory
        import_discard(imp=imp)


def import_file_start(*, enqueue: bool, **draft) -> Import:
    """Upload, configure and start a file on disk (the command line); no draft stays behind."""
    with file_draft(**draft) as imp:
        return import_start(imp=imp, by=draft["by"], enqueue=enqueue)
