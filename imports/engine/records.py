"""The customers an import chunk reaches, in memory: records and the chunk's indexes. Pure.

Decisions:
- A record carries the Customer model's field names, so the writers read and write it by the
  field lists below (derived from ``contacts.columns``) and the merge rule
  (``contacts.merging``) works on records and model instances alike.
- ``seen`` is lastSeenAt as epoch seconds: R-I3 only compares it, and an import never changes
  it (R-I20).
- R-I3: among the customers sharing a lead import's identifier, a row matches the one seen most
  recently; never seen is oldest; ties go to the higher id, a customer the chunk creates
  counting above every stored one.
- R-C6: a record's ``size_bound`` is at least the size of its whole profile, so a row is
  measured exactly only where the bound passes the limit.
- ``loaded_record`` calls Record with LOAD_FIELDS as keywords, its source written once from that
  list (as dataclasses writes ``__init__``): a dict of the row unpacked with ``**`` took about
  twice as long, a second of a 930k-row re-import (bench/README.md).
"""

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from contacts import profile_types
from contacts.columns import KEY_COLUMNS, ByImport, fields_by_import

# A new customer's columns, as inserted.
INSERT_FIELDS = fields_by_import(ByImport.INSERTED)
# What planning reads of an existing customer, in this order.
LOAD_FIELDS = (
    "id",
    *("seen" if name == "last_seen_at" else name for name in fields_by_import(ByImport.READ)),
)
# What an import may change on an existing customer (never memberId, createdAt, lastSeenAt or
# blocking).
UPDATE_FIELDS = fields_by_import(ByImport.UPDATED)
# The built-in keys a profile's size counts (as contacts.services.customer_profile does).
PROFILE_FIELDS = {c.field: c.name for c in KEY_COLUMNS if not c.system}

_NEW_ID_BASE = 1 << 62
_GETTERS: dict[tuple[str, ...], operator.attrgetter] = {}


@dataclass(slots=True, eq=False)
class Record:
    """One customer in memory, with the Customer model's field names; equal only to itself."""

    id: int | None = None
    member_id: str | None = None
    name: str = ""
    email: str | None = None
    mobile_number: str | None = None
    landline_number: str | None = None
    email_verified: bool = False
    mobile_verified: bool = False
    unsubscribe_email: bool | None = None
    unsubscribe_texting: bool | None = None
    import_tags: list[str] = field(default_factory=list)
    seen: float | None = None  # lastSeenAt as epoch seconds (LOAD_FIELDS)
    has_booted: bool = False
    is_hidden: bool = False
    is_blocked: bool = False
    last_import_id: int | None = None
    profile: dict = field(default_factory=dict)
    # Only a new customer's, for INSERT_FIELDS (updated_at also when a row changes one).
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_seen_at: datetime | None = None
    created_by_import_id: int | None = None
    # Planning's own.
    size_bound: int = 0  # at least the profile's size as R-C6 measures it (profile_bytes)
    key_count: int | None = None  # at least the profile's number of keys, where not all loaded
    version: int | None = None  # the row version it was loaded at (PostgresWriter.lock_current)
    changed: set[str] = field(default_factory=set)  # the keys the chunk changed
    stamped: bool = False  # last_import_id set to this import
    is_new: bool = False
    is_deleted: bool = False  # a lead unified away
    seq: int = 0  # a new record's place among the chunk's new ones
    row_number: int = 0  # the row that created it
    chosen: list[str] = field(default_factory=list)  # opt-outs the import's choice filled (R-I7a)

    def values(self, fields: tuple[str, ...]) -> tuple:
        """The given fields' values, in that order."""
        getter = _GETTERS.get(fields)
        if getter is None:
            getter = _GETTERS[fields] = operator.attrgetter(*fields)
        return getter(self) if len(fields) > 1 else (getter(self),)

    def as_dict(self, fields: Sequence[str]) -> dict:
        """The given fields by name."""
        return {name: getattr(self, name) for name in fields}

    @property
    def label(self) -> str:
        """How the activity log names the customer."""
        return self.name or self.member_id or self.email or self.mobile_number or f"#{self.id}"


def _keyword_call(fields: tuple[str, ...]) -> Callable[..., Record]:
    """A function building a Record from a row of ``fields``, each passed by its name."""
    arguments = "".join(f"{name}=row[{at}], " for at, name in enumerate(fields))
    source = (
        "def loaded_record(row, size_bound=0, version=None):\n"
        f"    return Record({arguments}size_bound=size_bound, version=version)\n"
    )
    namespace = {"Record": Record}
    exec(source, namespace)  # the source holds LOAD_FIELDS names alone
    return namespace["loaded_record"]


# A stored customer from a row of LOAD_FIELDS: loaded_record(row, size_bound, version).
loaded_record = _keyword_call(LOAD_FIELDS)


def whole_profile(record) -> dict:
    """The profile as R-C6 measures it: built-in keys holding a value, then the custom keys."""
    whole = {}
    for field_name, key in PROFILE_FIELDS.items():
        value = getattr(record, field_name)
        if value is not None and value != "" and value != []:
            whole[key] = value
    whole.update(record.profile)
    return whole


def profile_bytes(record) -> int:
    """The exact size of the record's profile in bytes (R-C6)."""
    return profile_types.profile_size(whole_profile(record))


def recency(record: Record) -> tuple:
    """R-I3's key: the customer seen most recently is the greatest, one never seen the least."""
    seen = record.seen
    return (
        seen is not None,
        seen if seen is not None else 0.0,
        record.id if record.id is not None else _NEW_ID_BASE + record.seq,
    )


class RecordIndex:
    """A chunk's records, found by memberId, email and mobile number."""

    def __init__(self, records: Iterable[Record]) -> None:
        """Index the loaded records."""
        self.records: list[Record] = []
        self.by_member: dict[str, Record] = {}
        self.by_email: dict[str, list[Record]] = {}
        self.by_mobile: dict[str, list[Record]] = {}
        for record in records:
            self.add(record)

    def add(self, record: Record) -> None:
        """Take a record in, under each of its keys."""
        self.records.append(record)
        if record.member_id is not None:
            self.by_member[record.member_id] = record
        if record.email is not None:
            self.by_email.setdefault(record.email, []).append(record)
        if record.mobile_number is not None:
            self.by_mobile.setdefault(record.mobile_number, []).append(record)

    def set_contact(self, record: Record, field_name: str, value: str | None) -> None:
        """Change a record's email or mobile number, and where the index finds it."""
        index = self.by_email if field_name == "email" else self.by_mobile
        _unindex(index, getattr(record, field_name), record)
        setattr(record, field_name, value)
        if value is not None:
            index.setdefault(value, []).append(record)

    def remove(self, record: Record) -> None:
        """Mark a record deleted (a lead unified away); no contact finds it any more."""
        record.is_deleted = True
        _unindex(self.by_email, record.email, record)
        _unindex(self.by_mobile, record.mobile_number, record)


def _unindex(index: dict[str, list[Record]], value: str | None, record: Record) -> None:
    """Take the record out of the index's bucket for ``value``."""
    if value is None:
        return
    bucket = index.get(value)
    if bucket is not None and record in bucket:
        bucket.remove(record)
