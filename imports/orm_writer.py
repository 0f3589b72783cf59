"""The portable writer of an import's chunks: one lookup query a chunk, bulk_create, bulk_update.

It runs on SQLite (the embedded default) and is the interface the PostgreSQL writer keeps.

Decisions:
- Customers matched without change are not written at all: their ids go to ImportMatch, so an
  unchanged re-import leaves the customer table untouched and a resumed run still counts each
  customer once (R-I14).
- R-I15: both writers build an edit entry's values with ``edit_entries``, so the two paths log
  the same entries; edits of one kind (the same changed keys) share one action and one
  encoded details value, built once. The ORM stamps each entry as it saves it; entries order
  by id within a chunk, as the log does for equal times.
- Statements keep under SQLite's 32,766 bound parameters (MAX_LOOKUP_PARAMS).
- A check reads customers light (``light_record``): the identifier, the size bound, the number of
  profile keys and the mapped list keys, left undecoded. ``appends`` (for each list key, the
  most items a row of the chunk appends) and ``key_limit`` let the PostgreSQL writer send a
  list's text only where an append could pass the item limit, and count a profile's keys only
  where they could pass the limit; here both are always exact.
- The ORM path locks as it loads (``optimistic`` is false): SQLite has one writer at a time.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import Q

from activitylog.models import Entry
from activitylog.services import activity_record_many
from contacts import profile_types
from contacts.models import Customer
from imports.engine.light_check import light_record
from imports.engine.records import (
    INSERT_FIELDS,
    UPDATE_FIELDS,
    Record,
    loaded_record,
    profile_bytes,
)
from imports.fast_json import dumps
from imports.models import ImportMatch
from imports.writer_columns import ORM_LOAD_FIELDS

MAX_LOOKUP_PARAMS = 20_000
ORM_BATCH = 500


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


def _orm_record(row: tuple) -> Record:
    """A customer read as ORM_LOAD_FIELDS, as planning takes it."""
    record = loaded_record(row)
    if record.seen is not None:
        record.seen = record.seen.timestamp()
    return record


EDITED_BY_IMPORT = "Customer edited by import"
CREATED_BY_IMPORT = "Customer created by import"


def edit_entries(
    records: Iterable[Record], encode: Callable[[dict], Any] = dict
) -> Iterator[tuple[str, int, str, Any]]:
    """Action, customer id, label and ``encode``d details of each customer's R-I15 entry."""
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
            for row in query.values_list(*ORM_LOAD_FIELDS):
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
        """The customers whose ``column`` holds one of ``values``, as a check reads them."""
        records: dict[int, Record] = {}
        for taken in _batches(set(values)):
            query = Customer.objects.filter(channel_id=channel_id, **{f"{column}__in": taken})
            for row in query.order_by().values_list(*ORM_LOAD_FIELDS):
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
                    *(None if v is None else dumps(v) for v in stored),
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
