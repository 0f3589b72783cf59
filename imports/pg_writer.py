"""The PostgreSQL writer of an import's chunks: array lookups, COPY in, one UPDATE … FROM.

Decisions:
- Customers are looked up with one array query a chunk. Each key is one index probe: LATERAL
  behind OFFSET 0 cannot be flattened into a join, so each key is looked up on its (channel,
  key) index whatever the statistics say. While an import fills a channel its statistics lag
  behind, and a plan chosen from them (scan the channel, filter the keys) would read the whole
  channel again for every chunk (``imports.pg_plans`` keeps them current besides).
- A key list is sent as one string the server splits, which spares quoting each item of an
  array parameter (bench/README.md). A value holding the separator sends the array instead.
- New customers stream through ``COPY`` straight into the table: the planner has decided they
  are new, so there is nothing to merge. Ids are drawn from the sequence first only when the
  chunk needs them (unifications, conflicts, per-customer activity entries).
- Changed customers stream through ``COPY`` into a temporary staging table, written with one
  set-based ``UPDATE … FROM``. The ids go again as an array, so the planner reaches the rows
  through the primary key (joining on the channel alone, with statistics that lag while an
  import fills the channel, made it hash the whole channel for every chunk); the channel is
  checked as a filter (``+ 0``), never as an index condition (ANDed with the ids it made the
  planner scan the channel's entries in an index whose leading column is the channel).
- COPY rows carry JSON as text and timestamps as ISO 8601 text, made once for the few
  timestamps a chunk's rows share, rather than through psycopg's datetime dumper
  (bench/README.md).
- A chunk loads without locks, then locks only the customers it writes, in id order, and
  compares their row versions (xmin) with the loaded ones: a manager's edit, a block or a
  delete since the load shows as a change, and the chunk is planned again under locks.
- A light load (a check's, ``light_record``) has the server compute the size bound ``load``
  computes, a bound of the number of profile keys and, for each mapped list key, its length
  and, where an append could pass the item limit, its JSON text. A jsonb object of n keys
  takes at least 9n bytes uncompressed (two 4-byte entries and a character a key), so its
  stored size bounds its keys; only a profile that may be near the key limit is counted. Each
  list value is taken out of the profile once (``profile -> key`` copies the whole profile).
- R-I15: a chunk's edit entries are as many rows as its customers, so they go the customers'
  way (COPY), sharing one ``created_at`` taken when they are written, after the chunk's other
  entries.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.utils import timezone

from activitylog.models import Entry
from contacts import profile_types
from contacts.models import Customer
from imports.engine.light_check import light_record
from imports.engine.records import INSERT_FIELDS, UPDATE_FIELDS, Record, loaded_record
from imports.fast_json import dumps, loads
from imports.models import ImportMatch
from imports.orm_writer import OrmWriter, edit_entries
from imports.pg_plans import ChannelStatistics, fetch_lookup
from imports.writer_columns import (
    ENTRY_COLUMNS,
    PG_LOAD_COLUMNS,
    PG_LOAD_JSON_AT,
    PG_LOAD_TEXT_AT,
    PG_TYPES,
)

_STAGE_DDL = "CREATE TEMP TABLE IF NOT EXISTS {name} (id bigint, {columns}) ON COMMIT DELETE ROWS"
# One index probe a key (see Decisions).
_PG_MATCH = (
    "SELECT m.id FROM unnest({keys}) AS k(value), LATERAL (SELECT id FROM contacts_customer "
    "WHERE channel_id = %s AND {column} = k.value OFFSET 0) AS m"
)
_PG_LOAD = (
    "SELECT c.* FROM ({matches}) AS found, LATERAL (SELECT "
    + PG_LOAD_COLUMNS
    + " FROM contacts_customer WHERE id = found.id OFFSET 0{lock}) AS c"
)
# One key list: each probe fetches its rows at once.
_PG_LOAD_ONE = (
    "SELECT c.* FROM unnest({keys}) AS k(value), LATERAL (SELECT "
    + PG_LOAD_COLUMNS
    + " FROM contacts_customer WHERE channel_id = %s AND {column} = k.value OFFSET 0{lock}) AS c"
)
_PG_LOCK = " FOR UPDATE"
# A check's light load, computed by the server (see Decisions).
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


def _pg_keys(values: list[str]) -> tuple[str, object]:
    """SQL for a text array of ``values``, and its parameter (see Decisions)."""
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
    """COPY rows: each record's id (if ``ids``), the ``lead`` values, then its ``fields``."""
    start = int(ids) + len(lead)
    json_positions = [start + i for i, name in enumerate(fields) if PG_TYPES[name] == "jsonb"]
    time_positions = [start + i for i, name in enumerate(fields) if PG_TYPES[name] == "timestamptz"]
    encode = dumps
    texts: dict[datetime, str] = {}
    for record in records:
        row = [record.id, *lead] if ids else [*lead]
        row += record.values(fields)
        for position in json_positions:
            row[position] = encode(row[position])
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
        self._statistics = ChannelStatistics()

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
        self._statistics.keep_current(channel_id)
        lock_clause = _PG_LOCK if lock else ""
        if len(parts) == 1:
            column, keys = columns[0]
            sql = _PG_LOAD_ONE.format(keys=keys, column=column, lock=lock_clause)
        else:
            sql = _PG_LOAD.format(matches=" UNION ".join(parts), lock=lock_clause)
        records: dict[int, Record] = {}
        decode, build = loads, loaded_record
        for row in fetch_lookup(sql, params):
            if row[0] in records:
                continue
            row = list(row)
            version = row.pop()
            # The stored JSON text is a bound of its compact UTF-8 (4 bytes a character at
            # most); the built-in strings count 6 bytes a character (escapes).
            bound = 200
            for at in PG_LOAD_JSON_AT:
                bound += 4 * len(row[at])
                row[at] = decode(row[at])
            for at in PG_LOAD_TEXT_AT:
                if row[at]:
                    bound += 6 * len(row[at])
            records[row[0]] = build(row, bound, version)
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
        self._statistics.keep_current(channel_id)
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
        for row in fetch_lookup(sql, params):
            if row[0] not in records:
                records[row[0]] = light(column, row, list_keys)
        return list(records.values())

    def _stage(self, cursor, name: str, fields: tuple[str, ...], records: list[Record]) -> None:
        columns = ", ".join(f"{field} {PG_TYPES[field]}" for field in fields)
        cursor.execute(_STAGE_DDL.format(name=name, columns=columns))
        cursor.execute(f"TRUNCATE {name}")
        _copy_in(cursor, name, f"id, {', '.join(fields)}", _copy_rows(records, fields, ids=True))

    def insert(self, *, channel_id: int, records: list[Record], need_ids: bool = True) -> None:
        """COPY new customers straight into the table, ids drawn first where needed."""
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
        """Lock the customers in id order; False if a row version changed since the load."""
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
        """COPY R-I15's entries into the activity log, the chunk's one timestamp as text."""
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
            for action, customer_id, label, details in edit_entries(records, dumps)
        )
        with connection.cursor() as cursor:
            _copy_in(cursor, Entry._meta.db_table, ENTRY_COLUMNS, rows)

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
                # The ids as an array, the channel as a filter (see Decisions).
                cursor.execute(
                    f"UPDATE {table} AS c SET {assignments} FROM import_stage_changed AS s "
                    f"WHERE c.id = ANY(%s::bigint[]) AND c.id = s.id AND c.channel_id + 0 = %s "
                    f"AND ({target}) IS DISTINCT FROM ({source})",
                    [[r.id for r in changed], channel_id],
                )
        self.match(import_id=import_id, ids=[r.id for r in records if not r.changed])
