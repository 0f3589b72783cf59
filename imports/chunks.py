"""A file worked through in chunks: parsed ahead, planned against the customers it reaches.

The check (``imports.checking``) and the run (``imports.running``) share these steps.

Decisions:
- Garbage is collected rarely while a file is worked through: a chunk allocates hundreds of
  thousands of small containers and keeps none of them, and there are no reference cycles to
  find, so the default collector would walk the whole heap again and again (bench/README.md).
- A big file (IMPORT_PARALLEL_PARSE_MIN_BYTES and more) is parsed in a second process, which
  starts at once and runs ahead of planning and writing; leaving its context stops it.
- A chunk's customers are one query for its keys, then two hops through their contacts:
  member -> lead (R-U1) -> the lead's other member (R-U6). The hops are skipped where nothing
  in the channel could unify with the rows (no leads for a member import, no members for a
  lead import: R-U1, R-U4), which one index lookup tells.
"""

import contextlib
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from contacts.models import IS_LEAD, Customer
from imports import selectors
from imports.engine import mapping as mapping_engine
from imports.engine.light_check import CheckPlanner
from imports.engine.lookups import contact_closure
from imports.engine.parsing import RowParser
from imports.engine.pipeline import Forked
from imports.engine.planner import ChunkPlanner
from imports.engine.records import Record
from imports.models import Import
from imports.orm_writer import OrmWriter


def mapping_for(imp: Import, headers: list[str]) -> mapping_engine.ImportMapping:
    """The import's stored mapping, rebuilt against the file's headers and the channel's keys."""
    keys = mapping_engine.available_keys(selectors.custom_keys(imp.channel), imp.new_keys)
    return mapping_engine.rebuild(
        headers=headers,
        keys=keys,
        kind=imp.kind,
        identifier=imp.identifier or None,
        stored=imp.mapping,
    )


@contextlib.contextmanager
def relaxed_gc() -> Iterator[None]:
    """Collect garbage rarely while a file is worked through."""
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
class ParsedChunk:
    """A chunk of rows parsed and ready to plan: pure work, done ahead of the database."""

    first_row: int
    last_row: int
    size: int
    items: list
    parsed: list


def _parsed_chunks(rows: Iterable, parser: RowParser, size: int) -> Iterator[ParsedChunk]:
    """The file's rows parsed chunk by chunk (pure work, no database)."""
    for chunk in _chunks(rows, size):
        items = [parser.parse(row) for row in chunk]
        parsed = [item for item in items if type(item) is tuple]
        yield ParsedChunk(
            first_row=chunk[0][0],
            last_row=chunk[-1][0],
            size=len(chunk),
            items=items,
            parsed=parsed,
        )


def chunks_to_plan(
    imp: Import, rows: Iterable, parser: RowParser
) -> contextlib.AbstractContextManager[Iterator[ParsedChunk]]:
    """The file's parsed chunks, a big file's parsed in a second process; leaving stops it."""
    size = settings.IMPORT_CHUNK_ROWS
    if imp.file_size >= settings.IMPORT_PARALLEL_PARSE_MIN_BYTES:
        return Forked(lambda: _parsed_chunks(rows, parser, size))
    return contextlib.closing(_parsed_chunks(rows, parser, size))


def chunk_planner(
    imp: Import, mapping, now, mu_room: int | None, check_only: bool = False
) -> ChunkPlanner:
    """The planner of one chunk, with the import's tag, choices and the MU room left."""
    planner = CheckPlanner if check_only else ChunkPlanner
    return planner(
        mapping,
        import_id=imp.id,
        tag=imp.tag,
        clear_empty=imp.empty_cells == Import.EmptyCells.CLEAR,
        now=now,
        mu_room=mu_room,
        new_opt_outs=imp.new_opt_outs,
    )


def partners_exist(channel_id: int, mapping) -> bool:
    """Whether the channel holds a customer the rows could unify with (R-U1, R-U4)."""
    partners = IS_LEAD if mapping.kind == mapping_engine.MEMBER else Q(member_id__isnull=False)
    return Customer.objects.filter(partners, channel_id=channel_id).exists()


def customers_load(
    writer: OrmWriter, *, channel_id: int, lookups, lock: bool, partners: bool = True
) -> list[Record]:
    """The customers a chunk's keys find, and with ``partners`` those their contacts reach."""
    member_ids, emails, mobiles = lookups
    records = writer.load(
        channel_id=channel_id, member_ids=member_ids, emails=emails, mobiles=mobiles, lock=lock
    )
    if not partners:
        return records
    seen_emails, seen_mobiles = set(emails), set(mobiles)
    known = {r.id for r in records}
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
