"""Load the customers an import chunk reaches, and write a planned chunk back.

Two writers give the same results: the portable ORM writer (bulk_create / bulk_update; SQLite,
the embedded default) and the PostgreSQL writer, which looks customers up with one array query,
streams new customers through ``COPY`` straight into the table (the planner has decided they
are new, so there is nothing to merge) and changed ones through ``COPY`` into a temporary
staging table written with one set-based ``UPDATE … FROM`` (PERFORMANCE.md). Customers matched
without change are not written at all: their ids go to ImportMatch, so an unchanged re-import
leaves the customer table untouched. On PostgreSQL a chunk loads without locks and then locks
only the customers it writes, checking their row versions (``lock_current``). R-I15's activity
entry for each customer a chunk created or changed (``log_edits``) is as many rows as the
customers, so it goes the customers' way: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.
Everything else an outcome holds (unifications, failures, conflicts, the other activity
entries) is small and written through the ORM by the caller.

Decisions:
- R-I15: both writers build an edit entry's values with ``edit_entries``, so the two paths log
  the same entries. On PostgreSQL a chunk's entries share one ``created_at``, taken when they
  are written (after the chunk's other entries); the ORM stamps each entry as it saves it.
  Both order by id within a chunk, as the log does for equal times.
- A lookup is fast only if the planner probes the key's index ((channel, memberId), (channel,
  email), (channel, mobile)). It does so whenever its statistics put the channel at more than
  a handful of customers; when they put it at about none (a channel created or grown since the
  last ANALYZE, autovacuum behind) it reads the whole channel through another of its indexes
  for every key, and a chunk costs the channel's size times its rows. No form of the query
  escapes this (an ``= ANY`` array on the key's index is planned the same way), so the writer
  keeps the statistics right instead: before a channel's lookups it compares the planner's
  estimate of the channel with what it holds, counted up to ten times the estimate, and
  ANALYZEs the customer table when the channel holds more. Once the estimate is in the
  thousands it is not checked again in the run; a channel that grows from nothing during one
  import is analyzed a few times on the way (each time it has grown tenfold).
- Lookups are planned with their actual values (custom plans), never from a cached generic
  plan: a generic plan estimates the channel from the table's average channel, which the
  check above does not look at.
"""

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import orjson
import psycopg
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record_many
from contacts import profile_types
from contacts.columns import COLUMNS
from contacts.models import Customer
from imports.engine.checking import light_record
from imports.engine.records import INSERT_FIELDS, LOAD_FIELDS, UPDATE_FIELDS, Record, profile_bytes
from imports.models import ImportMatch

logger = logging.getLogger(__name__)

_json_encode = json.JSONEncoder(ensure_ascii=False).encode
# A run of digits that long may be an integer past 64 bits, which orjson reads as a float.
_LONG_DIGITS = re.compile(r"[0-9]{19}")


def _dumps(value) -> str:
    """JSON text of a stored value: orjson (a tenth of the json module's time), the json module
    for what orjson refuses (an integer past 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _json_encode(value)


def _loads(text: str):
    """A stored JSON value: orjson, or the json module where a long run of digits may be an
    integer orjson would round."""
    if _LONG_DIGITS.search(text) is None:
        return orjson.loads(text)
    return json.loads(text)


# Keep every statement under SQLite's 32,766 bound parameters.
MAX_LOOKUP_PARAMS = 20_000
ORM_BATCH = 500
# LOAD_FIELDS, with the stored lastSeenAt where planning takes epoch seconds.
_ORM_LOAD_FIELDS = tuple("last_seen_at" if name == "seen" else name for name in LOAD_FIELDS)


def _orm_record(row: tuple) -> Record:
    """A customer read as _ORM_LOAD_FIELDS, as planning takes it."""
    values = dict(zip(LOAD_FIELDS, row, strict=True))
    seen = values["seen"]
    values["seen"] = seen.timestamp() if seen is not None else None
    return Record(**values)


def _batches(values: Iterable) -> Iterator[list]:
    """``values`` sorted, in lists that keep a statement under the parameter bound."""
    values = sorted(values)
    for start in range(0, len(values), MAX_LOOKUP_PARAMS):
        yield values[start : start + MAX_LOOKUP_PARAMS]


def _lookup_batches(member_ids, emails, mobiles):
    pending = [
        ("member_id", sorted(member_ids)),
        ("email", sorted(emails)),
        ("mobile_number", sorted(mobiles)),
    ]
    batch: list[tuple[str, list[str]]] = []
    room = MAX_LOOKUP_PARAMS
    for field_name, values in pending:
        while values:
            taken, values = values[:room], values[room:]
            batch.append((field_name, taken))
            room -= len(taken)
            if room == 0:
                yield batch
                batch, room = [], MAX_LOOKUP_PARAMS
    if batch:
        yield batch


EDITED_BY_IMPORT = "Customer edited by import"
CREATED_BY_IMPORT = "Customer created by import"


def edit_entries(
    records: Iterable[Record], encode: Callable[[dict], Any] = dict
) -> Iterator[tuple[str, int, str, Any]]:
    """The action, customer id, label and ``encode``d details of R-I15's entry for each of these
    customers an import created or changed. Edits of one kind (the same changed keys) share one
    action and one encoded details value, built once."""
    kinds: dict[tuple[bool, frozenset[str]], tuple[str, Any]] = {}
    for record in records:
        kind = (record.is_new, frozenset(record.changed))
        made = kinds.get(kind)
        if made is None:
            created = record.is_new
            details = {"keys": sorted(record.changed - {"created"}), "created": created}
            action = CREATED_BY_IMPORT if created else EDITED_BY_IMPORT
            made = kinds[kind] = (action, encode(details))
        yield made[0], record.id, record.label, made[1]


class OrmWriter:
    """The portable path: one lookup query per chunk, bulk_create and bulk_update."""

    def load(
        self,
        *,
        channel_id: int,
        member_ids: Iterable[str] = (),
        emails: Iterable[str] = (),
        mobiles: Iterable[str] = (),
        lock: bool = False,
    ) -> list[Record]:
        """The channel's customers with one of these memberIds, emails or mobile numbers."""
        records: dict[int, Record] = {}
        for batch in _lookup_batches(set(member_ids), set(emails), set(mobiles)):
            condition = Q()
            for field_name, values in batch:
                condition |= Q(**{f"{field_name}__in": values})
            query = Customer.objects.filter(condition, channel_id=channel_id).order_by()
            if lock:
                query = query.select_for_update()
            for row in query.values_list(*_ORM_LOAD_FIELDS):
                if row[0] not in records:
                    record = _orm_record(row)
                    record.size_bound = profile_bytes(record)
                    records[row[0]] = record
        return list(records.values())

    def load_light(
        self,
        *,
        channel_id: int,
        column: str,
        values: Iterable[str],
        list_keys: list[str],
        appends: Iterable[int] = (),
        key_limit: int = profile_types.MAX_PROFILE_KEYS,
    ) -> list[Record]:
        """The channel's customers whose ``column`` holds one of ``values``, as a dry run's check
        reads them (light_record): no values beyond the mapped list keys, left undecoded.

        ``appends`` is, for each list key, the most items a row of the chunk appends, and
        ``key_limit`` the most profile keys the rows' checks allow: the PostgreSQL writer sends
        a list's text only where an append could pass the item limit, and counts a profile's
        keys only where they could pass ``key_limit``. Here both are always exact."""
        records: dict[int, Record] = {}
        for taken in _batches(set(values)):
            query = Customer.objects.filter(channel_id=channel_id, **{f"{column}__in": taken})
            for row in query.order_by().values_list(*_ORM_LOAD_FIELDS):
                if row[0] in records:
                    continue
                full = _orm_record(row)
                stored = [full.profile.get(key) for key in list_keys]
                light = (
                    full.id,
                    getattr(full, column),
                    full.seen,
                    full.last_import_id,
                    profile_bytes(full),
                    len(full.profile),
                    *(None if v is None else _dumps(v) for v in stored),
                    *(len(v) if isinstance(v, list) else None for v in stored),
                )
                records[row[0]] = light_record(column, light, list_keys)
        return list(records.values())

    def insert(self, *, channel_id: int, records: list[Record], need_ids: bool = True) -> None:
        """Insert new customers and give each record its id."""
        objects = [Customer(channel_id=channel_id, **r.as_dict(INSERT_FIELDS)) for r in records]
        Customer.objects.bulk_create(objects, batch_size=ORM_BATCH)
        for record, obj in zip(records, objects, strict=True):
            record.id = obj.pk

    # Whether ``load`` may run without locks, ``lock_current`` then locking only what a chunk
    # writes. The ORM path locks as it loads (SQLite has one writer at a time anyway).
    optimistic = False

    def update(self, *, channel_id: int, records: list[Record], import_id: int) -> None:
        """Write changed customers; record the ones matched without change (ImportMatch)."""
        changed = [r for r in records if r.changed]
        objects = [
            Customer(id=r.id, channel_id=channel_id, **r.as_dict(UPDATE_FIELDS)) for r in changed
        ]
        Customer.objects.bulk_update(objects, UPDATE_FIELDS, batch_size=ORM_BATCH)
        self.match(import_id=import_id, ids=[r.id for r in records if not r.changed])

    def match(self, *, import_id: int, ids: list[int]) -> None:
        """Record customers the import matched without changing them."""
        ImportMatch.objects.bulk_create(
            [ImportMatch(import_run_id=import_id, customer_id=i) for i in ids],
            batch_size=ORM_BATCH,
        )

    def matched(self, *, import_id: int, ids: Iterable[int]) -> set[int]:
        """The ones of ``ids`` the import has already matched without change."""
        found: set[int] = set()
        for taken in _batches(ids):
            query = ImportMatch.objects.filter(import_run_id=import_id, customer_id__in=taken)
            found.update(query.values_list("customer_id", flat=True))
        return found

    def lock_current(self, records: Iterable[Record]) -> bool:
        """Lock these loaded customers; False if one changed or went since it was loaded."""
        return True

    def log_edits(
        self, *, channel_id: int, actor_id: int | None, import_id: int, records: list[Record]
    ) -> None:
        """Record R-I15's activity entry for each customer the chunk created or changed."""
        activity_record_many(
            [
                Entry(
                    channel_id=channel_id,
                    actor_id=actor_id,
                    category=Entry.Category.CUSTOMER_EDIT,
                    action=action,
                    customer_id=customer_id,
                    customer_label=label,
                    import_id=import_id,
                    details=details,
                )
                for action, customer_id, label, details in edit_entries(records)
            ]
        )


_PG_TYPES = {c.field: c.sql for c in COLUMNS}
_STAGE_DDL = "CREATE TEMP TABLE IF NOT EXISTS {name} (id bigint, {columns}) ON COMMIT DELETE ROWS"
# One index probe a key: LATERAL behind OFFSET 0 cannot be flattened into a join, so each key
# is looked up on its (channel, key) index whatever the statistics say. While an import fills
# a channel its statistics lag behind, and a plan chosen from them (scan the channel, filter
# the keys) would read the whole channel again for every chunk.
_PG_MATCH = (
    "SELECT m.id FROM unnest({keys}) AS k(value), LATERAL (SELECT id FROM contacts_customer "
    "WHERE channel_id = %s AND {column} = k.value OFFSET 0) AS m"
)
# LOAD_FIELDS as the server sends them (JSON as text, lastSeenAt as epoch seconds), then the
# row version.
_PG_COLUMNS = ", ".join(
    "extract(epoch FROM last_seen_at)::float8"
    if name == "seen"
    else f"{name}::text"
    if _PG_TYPES.get(name) == "jsonb"
    else name
    for name in (*LOAD_FIELDS, "xmin::text::bigint")
)
_PG_JSON_AT = [i for i, name in enumerate(LOAD_FIELDS) if _PG_TYPES.get(name) == "jsonb"]
_PG_TEXT_AT = [i for i, name in enumerate(LOAD_FIELDS) if _PG_TYPES.get(name) == "text"]
_PG_LOAD = (
    "SELECT c.* FROM ({matches}) AS found, LATERAL (SELECT "
    + _PG_COLUMNS
    + " FROM contacts_customer WHERE id = found.id OFFSET 0{lock}) AS c"
)
# One key list: each probe fetches its rows at once.
_PG_LOAD_ONE = (
    "SELECT c.* FROM unnest({keys}) AS k(value), LATERAL (SELECT "
    + _PG_COLUMNS
    + " FROM contacts_customer WHERE channel_id = %s AND {column} = k.value OFFSET 0{lock}) AS c"
)
_PG_LOCK = " FOR UPDATE"
# A dry run's check (light_record): the size bound PostgresWriter.load computes, a bound of the
# number of profile keys and, for each mapped list key, its length and, where an append could
# pass the item limit, its JSON text, all computed by the server. A jsonb object of n keys
# takes at least 9n bytes uncompressed (two 4-byte entries and a character a key), so its
# stored size bounds its keys; only a profile that may be near the key limit is counted. Each
# list value is taken out of the profile once (``profile -> key`` copies the whole profile).
_PG_LOAD_LIGHT = (
    "SELECT c.* FROM unnest({keys}) AS k(value), LATERAL (SELECT id, {column}, "
    "extract(epoch FROM last_seen_at)::float8, last_import_id, "
    "4 * (length(import_tags::text) + length(profile::text)) + 6 * (coalesce(length(member_id), 0) "
    "+ length(name) + coalesce(length(email), 0) + coalesce(length(mobile_number), 0) "
    "+ coalesce(length(landline_number), 0)) + 200, "
    "CASE WHEN pg_column_compression(profile) IS NULL AND pg_column_size(profile) <= %s "
    "THEN pg_column_size(profile) / 9 "
    "ELSE (SELECT count(*) FROM jsonb_object_keys(profile))::int END{texts}{lengths} "
    "FROM contacts_customer{lists} WHERE channel_id = %s AND {column} = k.value OFFSET 0) AS c"
)
_PG_LISTS = ", LATERAL (SELECT {values} OFFSET 0) AS l"
_PG_LIST_VALUE = "profile -> %s AS v{i}"
_PG_LIST_TEXT = (
    ", CASE WHEN jsonb_typeof(l.v{i}) = 'array' THEN CASE WHEN jsonb_array_length(l.v{i}) > %s "
    "THEN l.v{i}::text END ELSE l.v{i}::text END"
)
_PG_LIST_LENGTH = ", CASE WHEN jsonb_typeof(l.v{i}) = 'array' THEN jsonb_array_length(l.v{i}) END"
_KEY_SEPARATOR = "\x1f"
# PostgresWriter.log_edits's row: what a chunk's entries share, then each one's own values.
_ENTRY_COLUMNS = (
    "channel_id, actor_id, category, import_id, created_at, "
    "action, customer_id, customer_label, details"
)


# The planner's estimate of a channel's customers, and what the channel holds, up to a bound.
_PG_CHANNEL_ESTIMATE = "EXPLAIN (FORMAT JSON) SELECT 1 FROM contacts_customer WHERE channel_id = %s"
_PG_CHANNEL_HOLDS = (
    "SELECT count(*) FROM (SELECT FROM contacts_customer WHERE channel_id = %s LIMIT %s) AS c"
)
# From this estimate on, the key's index wins whatever the channel holds.
STATISTICS_SIZABLE = 1000
# ANALYZE when the channel holds more than this many times the estimate (and over a hundred).
STATISTICS_LAG = 10
# ANALYZE waits for a running VACUUM or ANALYZE of the table no longer than this, then the
# lookups go ahead on the statistics as they are (that VACUUM (ANALYZE) refreshes them).
STATISTICS_LOCK_TIMEOUT = "2s"


def _fetch_lookup(sql: str, params: list) -> list[tuple]:
    """The rows of a lookup every chunk repeats, as a prepared statement (parsed once a
    connection), planned with its values. JIT is off: per-key probes look expensive to the
    planner, and compiling them costs more than running them."""
    with transaction.atomic():
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()


def _channel_estimate(cursor, channel_id: int) -> float:
    cursor.execute(_PG_CHANNEL_ESTIMATE, [channel_id])
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


def _channel_holds_more(cursor, channel_id: int, estimate: float) -> bool:
    """Whether the channel holds more than STATISTICS_LAG times the estimate (and over 100)."""
    bound = STATISTICS_LAG * max(int(estimate), 10)
    cursor.execute(_PG_CHANNEL_HOLDS, [channel_id, bound + 1])
    return cursor.fetchone()[0] > bound


def _analyze_customers() -> bool:
    """ANALYZE the customer table; False if a running VACUUM or ANALYZE held it too long."""
    table = Customer._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # A savepoint: a lock not had in time leaves the caller's transaction usable.
            cursor.execute("SELECT current_setting('lock_timeout')")
            previous = cursor.fetchone()[0]
            cursor.execute(f"SET LOCAL lock_timeout = '{STATISTICS_LOCK_TIMEOUT}'")
            cursor.execute(f"ANALYZE {table}")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    except OperationalError:
        logger.info("ANALYZE %s skipped: the table is being vacuumed or analyzed", table)
        return False
    return True


def _pg_keys(values: list[str]) -> tuple[str, object]:
    """SQL for a text array of ``values`` and its parameter: one string split by the server
    (quoting each item of an array parameter is most of a lookup's client time), or the array
    where a value holds the separator."""
    if any(_KEY_SEPARATOR in value for value in values):
        return "%s::text[]", values
    return "string_to_array(%s, E'\\x1f')", _KEY_SEPARATOR.join(values)


def _copy_in(cursor, table: str, columns: str, rows: Iterable[Iterable]) -> None:
    """Stream ``rows`` into these columns of ``table`` with COPY, in the caller's transaction."""
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


def _copy_rows(records: list[Record], fields: tuple[str, ...], *, ids: bool, lead: tuple = ()):
    """COPY rows: each record's id (if ``ids``), the ``lead`` values, then its ``fields``, with
    JSON as text and timestamps as ISO 8601 text (psycopg's datetime dumper costs as much as
    the rest of a row, and a chunk's rows share a few timestamps)."""
    start = int(ids) + len(lead)
    json_positions = [start + i for i, name in enumerate(fields) if _PG_TYPES[name] == "jsonb"]
    time_positions = [
        start + i for i, name in enumerate(fields) if _PG_TYPES[name] == "timestamptz"
    ]
    dumps = _dumps
    texts: dict[datetime, str] = {}
    for record in records:
        row = [record.id, *lead] if ids else [*lead]
        row += record.values(fields)
        for position in json_positions:
            row[position] = dumps(row[position])
        for position in time_positions:
            moment = row[position]
            if moment is not None:
                text = texts.get(moment)
                if text is None:
                    text = texts[moment] = moment.isoformat()
                row[position] = text
        yield row


class PostgresWriter(OrmWriter):
    """Array lookups, COPY for new customers, COPY + one UPDATE … FROM for changed ones."""

    def __init__(self) -> None:
        # Channels whose estimate was found sizable in this run: not checked again.
        self._sizable: set[int] = set()

    def _statistics_current(self, channel_id: int) -> None:
        """Before a lookup: ANALYZE where the statistics put the channel far below its size."""
        if channel_id in self._sizable:
            return
        with connection.cursor() as cursor:
            estimate = _channel_estimate(cursor, channel_id)
            if estimate < STATISTICS_SIZABLE and _channel_holds_more(cursor, channel_id, estimate):
                if not _analyze_customers():
                    return
                estimate = _channel_estimate(cursor, channel_id)
        if estimate >= STATISTICS_SIZABLE:
            self._sizable.add(channel_id)

    def load(
        self,
        *,
        channel_id: int,
        member_ids: Iterable[str] = (),
        emails: Iterable[str] = (),
        mobiles: Iterable[str] = (),
        lock: bool = False,
    ) -> list[Record]:
        parts, params, columns = [], [], []
        for column, values in (
            ("member_id", member_ids),
            ("email", emails),
            ("mobile_number", mobiles),
        ):
            values = list(values)
            if values:
                keys, param = _pg_keys(values)
                parts.append(_PG_MATCH.format(keys=keys, column=column))
                params += [param, channel_id]
                columns.append((column, keys))
        if not parts:
            return []
        self._statistics_current(channel_id)
        lock_clause = _PG_LOCK if lock else ""
        if len(parts) == 1:
            column, keys = columns[0]
            sql = _PG_LOAD_ONE.format(keys=keys, column=column, lock=lock_clause)
        else:
            sql = _PG_LOAD.format(matches=" UNION ".join(parts), lock=lock_clause)
        records: dict[int, Record] = {}
        loads = _loads
        for row in _fetch_lookup(sql, params):
            if row[0] in records:
                continue
            row = list(row)
            version = row.pop()
            # The stored JSON text is a bound of its compact UTF-8 (4 bytes a character at
            # most); the built-in strings count 6 bytes a character (escapes).
            bound = 200
            for at in _PG_JSON_AT:
                bound += 4 * len(row[at])
                row[at] = loads(row[at])
            for at in _PG_TEXT_AT:
                if row[at]:
                    bound += 6 * len(row[at])
            values = dict(zip(LOAD_FIELDS, row, strict=True))
            records[row[0]] = Record(**values, size_bound=bound, version=version)
        return list(records.values())

    def load_light(
        self,
        *,
        channel_id: int,
        column: str,
        values: Iterable[str],
        list_keys: list[str],
        appends: Iterable[int] = (),
        key_limit: int = profile_types.MAX_PROFILE_KEYS,
    ) -> list[Record]:
        values = list(values)
        if not values:
            return []
        self._statistics_current(channel_id)
        appends = list(appends) or [profile_types.MAX_LIST_ITEMS] * len(list_keys)
        keys, param = _pg_keys(values)
        positions = range(len(list_keys))
        values_sql = ", ".join(_PG_LIST_VALUE.format(i=i) for i in positions)
        sql = _PG_LOAD_LIGHT.format(
            keys=keys,
            column=column,
            texts="".join(_PG_LIST_TEXT.format(i=i) for i in positions),
            lengths="".join(_PG_LIST_LENGTH.format(i=i) for i in positions),
            lists=_PG_LISTS.format(values=values_sql) if list_keys else "",
        )
        thresholds = [profile_types.MAX_LIST_ITEMS - longest for longest in appends]
        params = [param, 9 * key_limit, *thresholds, *list_keys, channel_id]
        records: dict[int, Record] = {}
        light = light_record
        for row in _fetch_lookup(sql, params):
            if row[0] not in records:
                records[row[0]] = light(column, row, list_keys)
        return list(records.values())

    def _stage(self, cursor, name: str, fields: tuple[str, ...], records: list[Record]) -> None:
        columns = ", ".join(f"{field} {_PG_TYPES[field]}" for field in fields)
        cursor.execute(_STAGE_DDL.format(name=name, columns=columns))
        cursor.execute(f"TRUNCATE {name}")
        _copy_in(cursor, name, f"id, {', '.join(fields)}", _copy_rows(records, fields, ids=True))

    def insert(self, *, channel_id: int, records: list[Record], need_ids: bool = True) -> None:
        """COPY new customers straight into the table (every one is new: nothing to merge).

        Ids are drawn from the sequence first only when the chunk needs them (unifications,
        conflicts, per-customer activity entries); otherwise the table assigns them.
        """
        if not records:
            return
        table = Customer._meta.db_table
        with connection.cursor() as cursor:
            if need_ids:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(records)],
                )
                for record, (new_id,) in zip(records, cursor.fetchall(), strict=True):
                    record.id = new_id
            columns = ("id, " if need_ids else "") + "channel_id, " + ", ".join(INSERT_FIELDS)
            rows = _copy_rows(records, INSERT_FIELDS, ids=need_ids, lead=(channel_id,))
            _copy_in(cursor, table, columns, rows)

    optimistic = True

    def lock_current(self, records: Iterable[Record]) -> bool:
        """Lock the customers, in id order, and compare their row versions (xmin) with the
        loaded ones: a manager's edit, a block or a delete since the load shows as a change."""
        loaded = {r.id: r.version for r in records}
        if not loaded:
            return True
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, xmin::text::bigint FROM {Customer._meta.db_table} "
                "WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",
                [sorted(loaded)],
            )
            current = dict(cursor.fetchall())
        return current == loaded

    def match(self, *, import_id: int, ids: list[int]) -> None:
        if not ids:
            return
        rows = ((import_id, customer_id) for customer_id in ids)
        with connection.cursor() as cursor:
            _copy_in(cursor, ImportMatch._meta.db_table, "import_run_id, customer_id", rows)

    def log_edits(
        self, *, channel_id: int, actor_id: int | None, import_id: int, records: list[Record]
    ) -> None:
        """COPY R-I15's entries into the activity log, details through the customers' JSON
        encoder, the chunk's one timestamp as text."""
        if not records:
            return
        lead = (
            channel_id,
            actor_id,
            Entry.Category.CUSTOMER_EDIT.value,
            import_id,
            timezone.now().isoformat(),
        )
        rows = (
            (*lead, action, customer_id, label, details)
            for action, customer_id, label, details in edit_entries(records, _dumps)
        )
        with connection.cursor() as cursor:
            _copy_in(cursor, Entry._meta.db_table, _ENTRY_COLUMNS, rows)

    def matched(self, *, import_id: int, ids: Iterable[int]) -> set[int]:
        ids = list(ids)
        if not ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT customer_id FROM {ImportMatch._meta.db_table} "
                "WHERE import_run_id = %s AND customer_id = ANY(%s::bigint[])",
                [import_id, ids],
            )
            return {row[0] for row in cursor.fetchall()}

    def update(self, *, channel_id: int, records: list[Record], import_id: int) -> None:
        table = Customer._meta.db_table
        changed = [r for r in records if r.changed]
        with connection.cursor() as cursor:
            if changed:
                assignments = ", ".join(f"{name} = s.{name}" for name in UPDATE_FIELDS)
                target = ", ".join(f"c.{name}" for name in UPDATE_FIELDS)
                source = ", ".join(f"s.{name}" for name in UPDATE_FIELDS)
                self._stage(cursor, "import_stage_changed", UPDATE_FIELDS, changed)
                # The ids again as an array: the planner then reaches the rows through the
                # primary key. Joining on the channel alone, with statistics that lag while an
                # import fills the channel, made it hash the whole channel for every chunk.
                # The channel is checked as a filter (``+ 0``), never as an index condition:
                # ANDed with the ids it made the planner scan the channel's entries in an
                # index whose leading column is the channel, for every chunk.
                cursor.execute(
                    f"UPDATE {table} AS c SET {assignments} FROM import_stage_changed AS s "
                    f"WHERE c.id = ANY(%s::bigint[]) AND c.id = s.id AND c.channel_id + 0 = %s "
                    f"AND ({target}) IS DISTINCT FROM ({source})",
                    [[r.id for r in changed], channel_id],
                )
        self.match(import_id=import_id, ids=[r.id for r in records if not r.changed])


def writer_for_connection(prefer_orm: bool = False) -> OrmWriter:
    """The PostgreSQL writer on PostgreSQL, the ORM writer elsewhere (or when asked)."""
    if connection.vendor == "postgresql" and not prefer_orm:
        return PostgresWriter()
    return OrmWriter()
