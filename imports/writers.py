"""Load the customers an import chunk reaches, and write a planned chunk back.

Two writers give the same results: the portable ORM writer (bulk_create / bulk_update; SQLite,
the embedded default) and the PostgreSQL writer, which streams the chunk through ``COPY`` into
temporary staging tables and writes it with one set-based ``INSERT … SELECT`` and one
``UPDATE … FROM`` (PERFORMANCE.md). Everything else an outcome holds (unifications, failures,
conflicts, activity entries) is small and written through the ORM by the caller.
"""

import json
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from contacts.models import Customer
from imports.engine.planning import FIELDS, LOAD_FIELDS, Record

# Keep every statement under SQLite's 32,766 bound parameters.
MAX_LOOKUP_PARAMS = 20_000
ORM_BATCH = 500


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
            for row in query.values_list(*LOAD_FIELDS):
                if row[0] not in records:
                    records[row[0]] = Record.from_row(row)
        return list(records.values())

    def insert(self, *, channel_id: int, records: list[Record]) -> None:
        """Insert new customers and give each record its id."""
        objects = [
            Customer(channel_id=channel_id, **dict(zip(FIELDS, r.values(), strict=True)))
            for r in records
        ]
        Customer.objects.bulk_create(objects, batch_size=ORM_BATCH)
        for record, obj in zip(records, objects, strict=True):
            record.id = obj.pk

    def update(self, *, channel_id: int, records: list[Record]) -> None:
        """Write changed (or newly stamped) customers."""
        objects = [
            Customer(id=r.id, channel_id=channel_id, **dict(zip(FIELDS, r.values(), strict=True)))
            for r in records
        ]
        Customer.objects.bulk_update(objects, FIELDS, batch_size=ORM_BATCH)


_PG_TYPES = {
    "member_id": "text",
    "name": "text",
    "email": "text",
    "mobile_number": "text",
    "landline_number": "text",
    "email_verified": "boolean",
    "mobile_verified": "boolean",
    "unsubscribe_email": "boolean",
    "unsubscribe_texting": "boolean",
    "import_tags": "jsonb",
    "profile": "jsonb",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "last_seen_at": "timestamptz",
    "has_booted": "boolean",
    "is_hidden": "boolean",
    "is_blocked": "boolean",
    "created_by_import_id": "bigint",
    "last_import_id": "bigint",
}
_JSON_POSITIONS = (FIELDS.index("import_tags"), FIELDS.index("profile"))
_COLUMNS = ", ".join(FIELDS)
_STAGE_DDL = "CREATE TEMP TABLE IF NOT EXISTS {name} (id bigint, {columns}) ON COMMIT DELETE ROWS"
_STAGE_COLUMNS = ", ".join(f"{name} {_PG_TYPES[name]}" for name in FIELDS)


def _copy_row(record: Record) -> list:
    row = [record.id, *record.values()]
    for position in _JSON_POSITIONS:
        row[position + 1] = json.dumps(row[position + 1], ensure_ascii=False)
    return row


class PostgresWriter(OrmWriter):
    """COPY into temporary staging tables, then one INSERT … SELECT and one UPDATE … FROM."""

    def _stage(self, cursor, name: str, records: list[Record]) -> None:
        cursor.execute(_STAGE_DDL.format(name=name, columns=_STAGE_COLUMNS))
        cursor.execute(f"TRUNCATE {name}")
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {name} (id, {_COLUMNS}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(_copy_row(record))

    def insert(self, *, channel_id: int, records: list[Record]) -> None:
        if not records:
            return
        table = Customer._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(records)],
            )
            for record, (new_id,) in zip(records, cursor.fetchall(), strict=True):
                record.id = new_id
            self._stage(cursor, "import_stage_new", records)
            cursor.execute(
                f"INSERT INTO {table} (id, channel_id, {_COLUMNS}) "
                f"SELECT id, %s, {_COLUMNS} FROM import_stage_new",
                [channel_id],
            )

    def update(self, *, channel_id: int, records: list[Record]) -> None:
        if not records:
            return
        table = Customer._meta.db_table
        assignments = ", ".join(f"{name} = s.{name}" for name in FIELDS)
        target = ", ".join(f"c.{name}" for name in FIELDS)
        source = ", ".join(f"s.{name}" for name in FIELDS)
        with connection.cursor() as cursor:
            self._stage(cursor, "import_stage_changed", records)
            cursor.execute(
                f"UPDATE {table} AS c SET {assignments} FROM import_stage_changed AS s "
                f"WHERE c.id = s.id AND c.channel_id = %s "
                f"AND ({target}) IS DISTINCT FROM ({source})",
                [channel_id],
            )


def writer_for_connection(prefer_orm: bool = False) -> OrmWriter:
    """The PostgreSQL writer on PostgreSQL, the ORM writer elsewhere (or when asked)."""
    if connection.vendor == "postgresql" and not prefer_orm:
        return PostgresWriter()
    return OrmWriter()
