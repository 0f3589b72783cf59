"""Plan an import chunk: parse rows, match customers, apply the rules in memory. Pure.

The planner never touches the database. It takes the chunk's parsed rows and the existing
customers they can reach (loaded by the caller in one query, see ``lookup_values``) as
``Record`` objects, applies the rows in file order (R-I18) and returns a ``ChunkOutcome``: the
records to insert and update, the leads unified away, pending unifications, conflicts, failed
rows and the counters. The writers turn an outcome into SQL; the dry run only counts it.

Decisions where the rules leave room:
- R-I3: a lead row matches every customer whose identifier contact equals its value, verified
  or not; the import verifies the contacts it writes (R-C3), the matched identifier included.
- R-I7/R-I21: a row that would create a customer fails unless both opt-out cells hold a value,
  each missing one named in errorColumns.
- R-I7a: with the import's choice, a new customer takes it for each opt-out its row leaves
  without a value. The choice is only for customers the import creates: a new lead unified at
  once into an existing member gives the member its row's opt-outs, never the chosen ones; a
  new member absorbing a lead (R-U1) takes the lead's opt-out over the chosen one (the lead's
  may be the customer's own wish, the choice is a default).
- R-I8 clear: empty cells clear name (to ""), landline, the non-identifier contact and custom
  keys (a list key is removed); never memberId, the identifier or the opt-outs.
- R-I9: a list merge that would pass 200 items fails the row (R-T2: nothing is cut silently);
  so does a profile over 256 keys or 15 KB after the row (R-C6).
- R-I19: updated_at changes only when a value, a verified mark or the tags changed; a customer
  matched without change keeps it (it still counts as updated, R-I14).
- Unification (R-U1..U6) runs after each row on the customer the row created or matched: a
  member import looks for verified leads sharing the member's email or mobile; a lead import
  looks, for a lead, for members sharing its verified contacts. A lead the row creates and that
  unifies at once is never inserted: its values go to the member as a unification would give
  them, the member counts as updated and the unification as unified.
- R-U6: a lead whose verified contacts reach more than one member is a conflict (the
  email-side and mobile-side members are named; two members sharing one contact are named in
  recency order); nothing is unified.
- R-M3: a new customer takes a place under the MU limit, in file order, unless it absorbed a
  visible lead (it takes that lead's place); the rest are created hidden.
"""

import json
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from contacts import profile_types
from contacts.columns import KEY_COLUMNS, ByImport, fields_by_import
from contacts.keys import BUILTIN_BY_NAME, OPT_OUT_KEYS, normalize_email
from contacts.profile_types import EMPTY, ProfileValueError

from .mapping import MEMBER, MEMBER_ID, ImportMapping
from .table import FORMULA_NOT_COMPUTED, FORMULA_WITHOUT_VALUE
from .unifying import merge_lead_into_member, merge_tags

# A new customer's columns, as inserted.
INSERT_FIELDS = fields_by_import(ByImport.INSERTED)
# What planning reads of an existing customer, in this order. ``seen`` is lastSeenAt as epoch
# seconds (or None): R-I3 only compares it, and an import never changes it (R-I20).
LOAD_FIELDS = (
    "id",
    *("seen" if name == "last_seen_at" else name for name in fields_by_import(ByImport.READ)),
)
# What an import may change on an existing customer (never memberId, createdAt, lastSeenAt or
# blocking).
UPDATE_FIELDS = fields_by_import(ByImport.UPDATED)

MEMBER_ID_EMPTY = "memberId is empty; every row of a member import needs one"
IDENTIFIER_EMPTY = "{key} is empty; every row of a lead import by {key} needs one"
OPT_OUT_REQUIRED = "A new customer needs a value here (true or false)"

# Column operations, decided once per import.
_OP_IDENTIFIER = 0
_OP_NAME = 1
_OP_FIELD = 2
_OP_EMAIL = 3
_OP_MOBILE = 4
_OP_OPT_OUT = 5
_OP_PROFILE = 6
_OP_PROFILE_LIST = 7

_BUILTIN_OPS = {
    "name": _OP_NAME,
    "landlineNumber": _OP_FIELD,
    "email": _OP_EMAIL,
    "mobileNumber": _OP_MOBILE,
    "unsubscribeEmail": _OP_OPT_OUT,
    "unsubscribeTexting": _OP_OPT_OUT,
}
_NEW_ID_BASE = 1 << 62
# Per mapped cell, what its stored JSON can add beyond 6 bytes a character (key, quotes, a
# datetime written out in full); see ChunkPlanner._fits.
_CELL_OVERHEAD = 100


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
    key_count: int | None = None  # of a light record: at least its profile's number of keys
    version: int | None = None  # the row version it was loaded at (PostgresWriter.lock_current)
    changed: set[str] = field(default_factory=set)  # the keys the chunk changed
    stamped: bool = False  # last_import_id set to this import
    is_new: bool = False
    is_deleted: bool = False  # a lead unified away
    seq: int = 0  # a new record's place among the chunk's new ones
    row_number: int = 0  # the row that created it
    chosen: list[str] = field(default_factory=list)  # opt-outs the import's choice filled (R-I7a)

    @classmethod
    def light(cls, identifier_field: str, row: Sequence, list_keys: Sequence[str]) -> "Record":
        """An existing customer as a dry run's check needs it.

        ``row`` is ``(id, identifier, seen, last_import_id, size_bound, key_count)`` then, for
        each of ``list_keys``, the stored value's JSON text (None where the key is absent, or
        where the value is an array the chunk's appends cannot take past the item limit) and
        its length when it is an array. ``key_count`` is at least the stored profile's number
        of keys and ``size_bound`` at least its size. Fields a check
        never reads are left empty (see ChunkPlanner._check_update).
        """
        record_id, identifier, seen, last_import_id, size_bound, key_count = row[:6]
        profile = {}
        for at, key in enumerate(list_keys, 6):
            text, length = row[at], row[at + len(list_keys)]
            if text is not None or length is not None:
                profile[key] = StoredList(text, length)
        return cls(
            id=record_id,
            seen=seen,
            last_import_id=last_import_id,
            profile=profile,
            size_bound=size_bound,
            key_count=key_count,
            **{identifier_field: identifier},
        )

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
        return self.name or self.member_id or self.email or self.mobile_number or f"#{self.id}"


def whole_profile(record) -> dict:
    """The profile as R-C6 measures it: built-in keys holding a value, then the custom keys
    (as contacts.services.customer_profile does)."""
    whole = {}
    for field_name, key in _PROFILE_FIELDS.items():
        value = getattr(record, field_name)
        if value is not None and value != "" and value != []:
            whole[key] = value
    whole.update(record.profile)
    return whole


def profile_bytes(record) -> int:
    """The exact size of the record's profile in bytes (R-C6)."""
    return profile_types.profile_size(whole_profile(record))


class StoredList:
    """A stored list value a check has not decoded: its JSON text (None when it was not
    loaded), its length (None when the stored value is not a list) and the lists rows appended
    to it since, not yet merged.

    Most appends cannot pass the item limit whatever the items are; only those that might are
    decoded and merged exactly, and a list whose text was not loaded sends the chunk back to
    whole records.
    """

    __slots__ = ("text", "length", "added")

    def __init__(self, text: str, length: int | None, added: tuple = ()) -> None:
        self.text = text
        self.length = length
        self.added = added

    def append(self, value: list) -> "StoredList | list":
        """The value after a row appends ``value`` (R-I9); raises ProfileValueError past it."""
        if self.length is not None and self.length + len(value) <= profile_types.MAX_LIST_ITEMS:
            return StoredList(self.text, self.length + len(value), (*self.added, value))
        if self.text is None:
            raise NeedsFullRecords
        merged = json.loads(self.text)
        for added in self.added:
            merged = profile_types.merge_list_values(merged, added)
        return profile_types.merge_list_values(merged, value)


class NeedsFullRecords(Exception):
    """A check planned on light records reached a row only whole records can decide."""


def list_keys(mapping: ImportMapping) -> list[str]:
    """The mapped custom keys R-I9 appends to: what a check must load of a profile."""
    types = profile_types.LIST_TYPES
    return [c.key for c in mapping.columns if c.field is None and c.type in types]


@dataclass(slots=True)
class Failure:
    """A failed row (R-I14): its number, (key, reason) pairs and its mapped values as text."""

    row_number: int
    errors: list[tuple[str, str]]
    values: dict[str, str]

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(key for key, _ in self.errors if key))

    @property
    def reasons(self) -> list[str]:
        return [reason for _, reason in self.errors]


# row_number, parsed values by column, the raw cells' length in characters (the whole row's)
ParsedRow = tuple[int, list, int]


@dataclass
class ChunkOutcome:
    """What one chunk does to the database, and its counters."""

    created: list[Record] = field(default_factory=list)
    updated: list[Record] = field(default_factory=list)
    deleted: list[Record] = field(default_factory=list)
    # (lead record or None for a lead never inserted, lead label, member record)
    unified: list[tuple[Record | None, str, Record]] = field(default_factory=list)
    pending: list[tuple[Record, Record]] = field(default_factory=list)
    # (row number, lead, email-side member, mobile-side member)
    conflicts: list[tuple[int, Record, Record, Record]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    created_count: int = 0
    updated_count: int = 0
    created_hidden_count: int = 0
    mu_room: int | None = None

    @property
    def unified_count(self) -> int:
        return len(self.unified)

    @property
    def conflict_count(self) -> int:
        return len(self.conflicts)

    @property
    def edited(self) -> list[Record]:
        """Customers the chunk created or changed (R-I15)."""
        return self.created + [r for r in self.updated if r.changed]


def _parse_email(text: str):
    s = text.strip()
    if not s:
        return EMPTY
    try:
        return normalize_email(s)
    except ValueError as error:
        raise ProfileValueError(str(error)) from None


# Cells of these types repeat in real files (dates, tags) and cost more to parse than to look
# up: a column remembers what each text parsed to, up to _MEMO_SIZE distinct texts (a few MB).
_MEMO_TYPES = frozenset(
    {
        profile_types.DATE,
        profile_types.DATETIME,
        profile_types.LIST,
        profile_types.LIST_OF_NUMBER,
        profile_types.TAG,
    }
)
_MEMO_SIZE = 32_768


def _remembering(parse: Callable) -> Callable:
    """``parse``, remembering each text's value or failure; lists are handed out as copies."""
    known: dict[str, tuple] = {}

    def parse_remembered(text: str):
        found = known.get(text)
        if found is None:
            try:
                found = (True, parse(text))
            except ProfileValueError as error:
                found = (False, (error.reason, error.detail))
            if len(known) < _MEMO_SIZE:
                known[text] = found
        parsed, value = found
        if not parsed:
            raise ProfileValueError(*value)
        return list(value) if type(value) is list else value

    return parse_remembered


def parser_for_column(key: str, type_name: str) -> Callable:
    """The cell parser of a mapped column: emails are also checked and lowercased, a landline's
    errors give a landline as their example."""
    if key == "email":
        return _parse_email
    if key == "landlineNumber":
        return profile_types.parse_landline
    parse = profile_types.parser_for(type_name)
    return _remembering(parse) if type_name in _MEMO_TYPES else parse


class RowParser:
    """Turn reader rows into ParsedRow tuples or Failures, without the database."""

    def __init__(self, mapping: ImportMapping) -> None:
        self.mapping = mapping
        self.columns = mapping.columns
        self._specs = [(c.index, parser_for_column(c.key, c.type)) for c in mapping.columns]
        self._parsers = [parser for _, parser in self._specs]
        # Each row's cells in column order: the cells themselves when the columns are the
        # header's first ones in order (map stops at the last parser), else picked out.
        indexes = [index for index, _ in self._specs]
        self._pick: Callable[[list[str]], Sequence[str]] | None = None
        if indexes != list(range(len(indexes))):
            pick = operator.itemgetter(*indexes)
            self._pick = pick if len(indexes) > 1 else lambda cells: (pick(cells),)
        self._id_position = next(
            i for i, c in enumerate(mapping.columns) if c.key == mapping.identifier_key
        )
        key = mapping.identifier_key
        self._id_empty = MEMBER_ID_EMPTY if key == MEMBER_ID else IDENTIFIER_EMPTY.format(key=key)

    def parse(self, row: tuple[int, list[str], str | None]) -> ParsedRow | Failure:
        """Parse one ``(row_number, cells, error)`` row of the reader."""
        number, cells, row_error = row
        pick = self._pick
        try:
            # map() calls the parsers from C: no Python loop around each cell. The reader
            # pads a short row to the header's width, so no parser goes without its cell.
            values = list(map(operator.call, self._parsers, cells if pick is None else pick(cells)))
        except ProfileValueError:
            return self._failed(row)
        if row_error is not None or values[self._id_position] is EMPTY:
            return self._failed(row)
        return number, values, sum(map(len, cells))

    def _failed(self, row: tuple[int, list[str], str | None]) -> Failure:
        """A row that fails, with every cell's error."""
        number, cells, row_error = row
        values: list = []
        errors: list[tuple[str, str]] | None = None
        for position, (index, parser) in enumerate(self._specs):
            try:
                values.append(parser(cells[index]))
            except ProfileValueError as error:
                values.append(_BAD)
                if errors is None:
                    errors = []
                reason = error.reason
                if cells[index] == FORMULA_WITHOUT_VALUE:
                    reason = FORMULA_NOT_COMPUTED
                errors.append((self.columns[position].key, reason))
        if values[self._id_position] is EMPTY:
            errors = errors or []
            errors.insert(0, (self.mapping.identifier_key, self._id_empty))
        if row_error is not None:
            errors = errors or []
            errors.insert(0, ("", row_error))
        return Failure(number, errors or [], self.failure_values(cells, values))

    def failure_values(self, cells: list[str], values: list) -> dict[str, str]:
        """The row's mapped values under their keys: formatted where parsed, else the raw text
        (NUL and lone surrogates, which no JSON column holds, as U+FFFD)."""
        result = {}
        for column, value in zip(self.columns, values, strict=True):
            if value is _BAD:
                raw = cells[column.index]
                result[column.key] = (
                    "" if raw == FORMULA_WITHOUT_VALUE else _UNSTORABLE.sub("\ufffd", raw)
                )
            else:
                result[column.key] = profile_types.format_value(column.type, value)
        return result


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


_BAD = _Bad()


# The keys that reach existing customers, in the order of lookup_values, and their fields.
LOOKUP_KEYS = (MEMBER_ID, "email", "mobileNumber")
IDENTIFIER_FIELDS = {key: BUILTIN_BY_NAME[key].field for key in LOOKUP_KEYS}


def lookup_values(
    mapping: ImportMapping, rows: Iterable[ParsedRow], *, identifier_only: bool = False
) -> tuple[set[str], set[str], set[str]]:
    """The memberIds, emails and mobile numbers of the rows: what reaches existing customers.

    ``identifier_only`` gives only the import's identifier (the other sets empty): all that
    matching needs where nothing in the channel can unify with the rows.
    """
    positions = {c.key: i for i, c in enumerate(mapping.columns)}
    found: list[set[str]] = [set(), set(), set()]
    for slot, key in enumerate(LOOKUP_KEYS):
        position = positions.get(key)
        if position is None or (identifier_only and key != mapping.identifier_key):
            continue
        bucket = found[slot]
        for row in rows:
            value = row[1][position]
            if value is not EMPTY:
                bucket.add(value)
    return found[0], found[1], found[2]


def contact_closure(
    records: Iterable[Record], emails: set[str], mobiles: set[str]
) -> tuple[set[str], set[str]]:
    """Contacts of loaded customers not looked up yet: they may reach unification partners."""
    more_emails = {r.email for r in records if r.email is not None} - emails
    more_mobiles = {r.mobile_number for r in records if r.mobile_number is not None} - mobiles
    return more_emails, more_mobiles


def _recency(record: Record) -> tuple:
    """R-I3: most recently seen first; never seen is oldest; ties go to the higher id."""
    seen = record.seen
    return (
        seen is not None,
        seen if seen is not None else 0.0,
        record.id if record.id is not None else _NEW_ID_BASE + record.seq,
    )


class ChunkPlanner:
    """Apply one chunk's rows to in-memory records, in file order."""

    def __init__(
        self,
        mapping: ImportMapping,
        *,
        import_id: int | None,
        tag: str | None,
        clear_empty: bool,
        now: datetime,
        mu_room: int | None,
        check_only: bool = False,
        new_opt_outs: tuple[bool, bool] | None = None,
    ) -> None:
        """``check_only`` plans on light records (Record.light) for a dry run in a channel where
        nothing can unify with the rows: existing customers are only matched and checked.
        ``new_opt_outs`` is the import's choice (email, texting) for new customers (R-I7a).
        ``tag`` None tags no one: a single customer written through the API is no import."""
        self.mapping = mapping
        self.check_only = check_only
        self.import_id = import_id
        self.tag = tag
        self.clear_empty = clear_empty
        self.now = now
        self.mu_room = mu_room
        self.is_member_import = mapping.kind == MEMBER
        self._now_seen = now.timestamp()
        self._row_overhead = _CELL_OVERHEAD * (len(mapping.columns) + 1) + 6 * len(tag or "")
        self._has_choice = new_opt_outs is not None
        self._new_email, self._new_texting = new_opt_outs or (None, None)
        if self._has_choice:  # the chosen values are no cell of the row
            self._row_overhead += _CELL_OVERHEAD * len(OPT_OUT_KEYS)
        self.max_keys = profile_types.MAX_PROFILE_KEYS - len(_PROFILE_FIELDS) - len(mapping.columns)
        id_key = mapping.identifier_key
        self._ops: list[tuple[int, str, str | None, int]] = []
        self._opt_out_positions: dict[str, int] = {}
        for position, column in enumerate(mapping.columns):
            if column.key == id_key:
                op = _OP_IDENTIFIER
                self._id_position = position
            elif column.field is not None:
                op = _BUILTIN_OPS[column.key]
            elif column.type in profile_types.LIST_TYPES:
                op = _OP_PROFILE_LIST
            else:
                op = _OP_PROFILE
            if op == _OP_OPT_OUT:
                self._opt_out_positions[column.key] = position
            self._ops.append((op, column.key, column.field, position))
        self._list_ops = [(k, at) for op, k, _, at in self._ops if op == _OP_PROFILE_LIST]
        self._missing_opt_outs = [k for k in OPT_OUT_KEYS if k not in self._opt_out_positions]
        self._id_field = IDENTIFIER_FIELDS[id_key]

    # indexes

    def _index(self, records: Iterable[Record]) -> None:
        self.by_member: dict[str, Record] = {}
        self.by_email: dict[str, list[Record]] = {}
        self.by_mobile: dict[str, list[Record]] = {}
        self.records: list[Record] = []
        for record in records:
            self._add(record)

    def _add(self, record: Record) -> None:
        self.records.append(record)
        if record.member_id is not None:
            self.by_member[record.member_id] = record
        if record.email is not None:
            self.by_email.setdefault(record.email, []).append(record)
        if record.mobile_number is not None:
            self.by_mobile.setdefault(record.mobile_number, []).append(record)

    def _unindex_contact(self, index: dict, value: str | None, record: Record) -> None:
        if value is None:
            return
        bucket = index.get(value)
        if bucket is not None and record in bucket:
            bucket.remove(record)

    def _set_contact(self, record: Record, field_name: str, value: str | None) -> None:
        index = self.by_email if field_name == "email" else self.by_mobile
        self._unindex_contact(index, getattr(record, field_name), record)
        setattr(record, field_name, value)
        if value is not None:
            index.setdefault(value, []).append(record)

    def _remove(self, record: Record) -> None:
        record.is_deleted = True
        self._unindex_contact(self.by_email, record.email, record)
        self._unindex_contact(self.by_mobile, record.mobile_number, record)

    # planning

    def plan(self, items: Sequence[ParsedRow | Failure], loaded: Iterable[Record]) -> ChunkOutcome:
        """Apply the chunk's rows in file order and return what to write."""
        self._index(loaded)
        self.outcome = outcome = ChunkOutcome()
        self._pending_seen: set[tuple[int, int]] = set()
        self._seq = 0
        for item in items:
            if isinstance(item, Failure):
                outcome.failures.append(item)
            else:
                self._apply(item)
        for record in self.records:
            if record.is_deleted:
                if not record.is_new:
                    outcome.deleted.append(record)
            elif record.is_new:
                outcome.created.append(record)
            elif record.changed or record.stamped:
                if record.changed:
                    record.updated_at = self.now
                outcome.updated.append(record)
        outcome.mu_room = self.mu_room
        return outcome

    def _target(self, values: list) -> Record | None:
        key = values[self._id_position]
        if self.is_member_import:
            return self.by_member.get(key)
        index = self.by_email if self._id_field == "email" else self.by_mobile
        candidates = index.get(key)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        return max(candidates, key=_recency)

    def _fail(self, number: int, errors: list[tuple[str, str]], values: list) -> None:
        result = {}
        for column, value in zip(self.mapping.columns, values, strict=True):
            result[column.key] = profile_types.format_value(column.type, value)
        self.outcome.failures.append(Failure(number, errors, result))

    def _apply(self, row: ParsedRow) -> None:
        number, values, chars = row
        target = self._target(values)
        # What the row can add to a profile, at most: 6 bytes a character (a \uXXXX escape)
        # plus a fixed allowance per cell. Only a record whose bound passes a limit is measured.
        grows = 6 * chars + self._row_overhead
        if target is None:
            record = self._create(number, values, grows)
            if record is None:
                return
        else:
            record = target
            update = self._check_update if self.check_only else self._update
            if not update(number, record, values, grows):
                return
            if record.last_import_id != self.import_id:
                record.last_import_id = self.import_id
                record.stamped = True
                self.outcome.updated_count += 1
        if not self.check_only:  # a check runs only where nothing can unify
            self._unify(number, record)
        if record.is_new and not record.is_deleted and record.row_number == number:
            self._place(record)

    def _create(self, number: int, values: list, grows: int) -> Record | None:
        missing = list(self._missing_opt_outs)
        for key, position in self._opt_out_positions.items():
            if values[position] is EMPTY:
                missing.append(key)
        if missing and not self._has_choice:
            missing.sort(key=OPT_OUT_KEYS.index)
            self._fail(number, [(k, OPT_OUT_REQUIRED) for k in missing], values)
            return None
        self._seq += 1
        record = Record(
            unsubscribe_email=self._new_email,  # None without a choice; a cell overrides it
            unsubscribe_texting=self._new_texting,
            import_tags=[self.tag] if self.tag is not None else [],
            created_at=self.now,
            updated_at=self.now,
            last_seen_at=self.now,
            seen=self._now_seen,
            is_hidden=True,  # decided by _place once unification has run
            created_by_import_id=self.import_id,
            last_import_id=self.import_id,
            is_new=True,
            seq=self._seq,
            row_number=number,
            chosen=missing,
        )
        profile = {}
        for op, key, field_name, position in self._ops:
            value = values[position]
            if value is EMPTY:
                continue
            if op == _OP_IDENTIFIER:
                setattr(record, self._id_field, value)
                if self._id_field == "email":
                    record.email_verified = True
                elif self._id_field == "mobile_number":
                    record.mobile_verified = True
            elif op >= _OP_PROFILE:
                profile[key] = value
            elif op == _OP_EMAIL:
                record.email = value
                record.email_verified = True
            elif op == _OP_MOBILE:
                record.mobile_number = value
                record.mobile_verified = True
            else:
                setattr(record, field_name, value)
        record.profile = profile
        record.size_bound = grows
        if not self._fits(record):
            error = self._limits_error(whole_profile(record))
            if error is not None:
                self._fail(number, [("", error)], values)
                return None
        record.changed = {"created"}
        self._add(record)
        self.outcome.created_count += 1
        return record

    def _update(self, number: int, record: Record, values: list, grows: int) -> bool:
        """Apply a row to an existing record; False (and a failure) if the row breaks a limit."""
        clear = self.clear_empty
        assignments: list[tuple[str, object, str]] = []
        profile = None
        errors: list[tuple[str, str]] = []
        for op, key, field_name, position in self._ops:
            value = values[position]
            if op == _OP_IDENTIFIER:
                if self._id_field == "email" and not record.email_verified:
                    assignments.append(("email_verified", True, "emailVerified"))
                elif self._id_field == "mobile_number" and not record.mobile_verified:
                    assignments.append(("mobile_verified", True, "mobileVerified"))
                continue
            if value is EMPTY:
                if not clear or op == _OP_OPT_OUT:
                    continue
                if op >= _OP_PROFILE:
                    if key in (profile if profile is not None else record.profile):
                        if profile is None:
                            profile = dict(record.profile)
                        del profile[key]
                    continue
                if op == _OP_NAME:
                    if record.name != "":
                        assignments.append(("name", "", key))
                    continue
                if getattr(record, field_name) is not None:
                    assignments.append((field_name, None, key))
                    if op == _OP_EMAIL:
                        assignments.append(("email_verified", False, "emailVerified"))
                    elif op == _OP_MOBILE:
                        assignments.append(("mobile_verified", False, "mobileVerified"))
                continue
            if op >= _OP_PROFILE:
                current = (profile if profile is not None else record.profile).get(key)
                if op == _OP_PROFILE_LIST and current is not None:
                    try:
                        value = profile_types.merge_list_values(current, value)
                    except ProfileValueError as error:
                        errors.append((key, error.reason))
                        continue
                if current is not None and type(current) is type(value) and current == value:
                    continue
                if profile is None:
                    profile = dict(record.profile)
                profile[key] = value
                continue
            current = getattr(record, field_name)
            if current is None or type(current) is not type(value) or current != value:
                assignments.append((field_name, value, key))
            if op == _OP_EMAIL and not record.email_verified:
                assignments.append(("email_verified", True, "emailVerified"))
            elif op == _OP_MOBILE and not record.mobile_verified:
                assignments.append(("mobile_verified", True, "mobileVerified"))
        if errors:
            self._fail(number, errors, values)
            return False
        tags = record.import_tags
        if self.tag is not None and self.tag not in tags:
            tags = merge_tags(tags, [self.tag])
        touched = profile is not None or assignments or tags is not record.import_tags
        if touched:
            bound = record.size_bound
            record.size_bound += grows
            if not self._fits(record, profile):
                whole = self._prospect(record, profile, assignments, tags)
                error = self._limits_error(whole)
                if error is not None:
                    record.size_bound = bound
                    self._fail(number, [("", error)], values)
                    return False
                record.size_bound = profile_types.profile_size(whole)
        changed = record.changed
        for field_name, value, key in assignments:
            if field_name in ("email", "mobile_number"):
                self._set_contact(record, field_name, value)
            else:
                setattr(record, field_name, value)
            changed.add(key)
        if profile is not None:
            for key in set(profile) ^ set(record.profile):
                changed.add(key)
            for key, value in profile.items():
                old = record.profile.get(key)
                if old is None or type(old) is not type(value) or old != value:
                    changed.add(key)
            record.profile = profile
        if tags is not record.import_tags:
            record.import_tags = tags
            changed.add("userImportTag")
        return True

    def _check_update(self, number: int, record: Record, values: list, grows: int) -> bool:
        """``_update`` for a check: the same failures, on a light record.

        Only list appends (R-I9) and the profile limits (R-C6) can fail a row that matched;
        other values are not compared. The size bound grows with every row (``_update`` grows it
        only when a value changes), so it never proves less than ``_update``'s; where it cannot
        prove the limits hold, whole records decide (NeedsFullRecords).
        """
        profile = record.profile
        merged: dict = {}
        errors: list[tuple[str, str]] = []
        for key, position in self._list_ops:
            value = values[position]
            if value is EMPTY:
                if self.clear_empty and key in profile:
                    merged[key] = None
                continue
            current = profile.get(key)
            if current is not None:
                try:
                    if type(current) is StoredList:
                        value = current.append(value)
                    else:
                        value = profile_types.merge_list_values(current, value)
                except ProfileValueError as error:
                    errors.append((key, error.reason))
                    continue
            merged[key] = value
        if errors:
            self._fail(number, errors, values)
            return False
        for key, value in merged.items():
            if value is None:
                del profile[key]
            else:
                profile[key] = value
        record.size_bound += grows
        keys = record.key_count if record.key_count is not None else len(profile)
        if record.size_bound > profile_types.MAX_PROFILE_BYTES or keys > self.max_keys:
            raise NeedsFullRecords
        return True

    def _fits(self, record: Record, profile: dict | None = None) -> bool:
        """True when the record's bounds prove it within the profile limits (R-C6)."""
        keys = len(profile if profile is not None else record.profile)
        return record.size_bound <= profile_types.MAX_PROFILE_BYTES and keys <= self.max_keys

    @staticmethod
    def _prospect(record: Record, profile: dict | None, assignments: list, tags: list) -> dict:
        """The whole profile as the row would leave the record."""
        values = {name: getattr(record, name) for name in _PROFILE_FIELDS}
        for field_name, value, _key in assignments:
            if field_name in values:
                values[field_name] = value
        values["import_tags"] = tags
        whole = {
            _PROFILE_FIELDS[name]: value
            for name, value in values.items()
            if value is not None and value != "" and value != []
        }
        whole.update(profile if profile is not None else record.profile)
        return whole

    @staticmethod
    def _limits_error(whole: dict) -> str | None:
        try:
            profile_types.check_profile_limits(whole)
        except ProfileValueError as error:
            return error.reason
        return None

    # unification

    def _members_of(self, lead: Record) -> tuple[list[Record], list[Record]]:
        """Members sharing the lead's verified email, and its verified mobile number."""
        by_email: list[Record] = []
        by_mobile: list[Record] = []
        if lead.email is not None and lead.email_verified:
            by_email = [
                r
                for r in self.by_email.get(lead.email, ())
                if r.member_id is not None and not r.is_deleted
            ]
        if lead.mobile_number is not None and lead.mobile_verified:
            by_mobile = [
                r
                for r in self.by_mobile.get(lead.mobile_number, ())
                if r.member_id is not None and not r.is_deleted
            ]
        return by_email, by_mobile

    def _leads_of(self, member: Record) -> list[Record]:
        """Verified leads sharing the member's email or mobile number, oldest id first."""
        found: dict[int, Record] = {}
        if member.email is not None:
            for r in self.by_email.get(member.email, ()):
                if r.member_id is None and r.email_verified and not r.is_deleted:
                    found[id(r)] = r
        if member.mobile_number is not None:
            for r in self.by_mobile.get(member.mobile_number, ()):
                if r.member_id is None and r.mobile_verified and not r.is_deleted:
                    found[id(r)] = r
        return sorted(found.values(), key=lambda r: (r.id is None, r.id or r.seq))

    def _unify(self, number: int, record: Record) -> None:
        if self.is_member_import:
            if not (record.email is None and record.mobile_number is None):
                for lead in self._leads_of(record):
                    self._unify_pair(number, lead, record)
        elif record.member_id is None and not (
            record.email is None and record.mobile_number is None
        ):
            self._unify_pair(number, record, None)

    def _unify_pair(self, number: int, lead: Record, member: Record | None) -> None:
        by_email, by_mobile = self._members_of(lead)
        members = list({id(r): r for r in (*by_email, *by_mobile)}.values())
        if not members:
            return
        if len(members) > 1:
            first = max(by_email, key=_recency) if by_email else None
            second = max(by_mobile, key=_recency) if by_mobile else None
            if first is None or second is None or first is second:
                first, second = sorted(members, key=_recency, reverse=True)[:2]
            self.outcome.conflicts.append((number, lead, first, second))
            return
        (partner,) = members
        if member is not None and partner is not member:
            return
        if lead.is_new or not lead.has_booted:
            self._merge(lead, partner)
        else:
            pair = (id(lead), id(partner))
            if pair not in self._pending_seen:
                self._pending_seen.add(pair)
                self.outcome.pending.append((lead, partner))

    def _merge(self, lead: Record, member: Record) -> None:
        if lead.is_new and lead.chosen:
            for key in lead.chosen:
                setattr(lead, _OPT_OUT_FIELDS[key], None)
        elif member.is_new and member.chosen:
            for key in member.chosen:
                if getattr(lead, _OPT_OUT_FIELDS[key]) is not None:
                    setattr(member, _OPT_OUT_FIELDS[key], None)
            member.chosen = [
                k for k in member.chosen if getattr(member, _OPT_OUT_FIELDS[k]) is not None
            ]
        old_email, old_mobile = member.email, member.mobile_number
        changed = merge_lead_into_member(member, lead)
        for field_name, old in (("email", old_email), ("mobile_number", old_mobile)):
            new = getattr(member, field_name)
            if new != old:
                setattr(member, field_name, old)
                self._set_contact(member, field_name, new)
        member.changed |= changed
        member.size_bound += lead.size_bound
        self._remove(lead)
        self.outcome.unified.append((None if lead.is_new else lead, lead.label, member))
        if lead.is_new:
            # The row's lead never reaches the database: the row matched the member.
            self.outcome.created_count -= 1
            if not member.is_new and member.last_import_id != self.import_id:
                member.last_import_id = self.import_id
                member.stamped = True
                self.outcome.updated_count += 1

    def _place(self, record: Record) -> None:
        """R-M3: a new customer is visible while there is room under the MU limit."""
        if not record.is_hidden:
            return
        if self.mu_room is None:
            record.is_hidden = False
        elif self.mu_room > 0:
            record.is_hidden = False
            self.mu_room -= 1
        else:
            self.outcome.created_hidden_count += 1


_OPT_OUT_FIELDS = {key: BUILTIN_BY_NAME[key].field for key in OPT_OUT_KEYS}
# The built-in keys a profile's size counts (as contacts.services.customer_profile does).
_PROFILE_FIELDS = {c.field: c.name for c in KEY_COLUMNS if not c.system}
