"""A dry run's light path: match and check rows against light records. Pure; speed code.

Where nothing in the channel can unify with an import's rows (no leads for a member import, no
members for a lead import), a dry run needs of an existing customer only what can fail a row
that matches it: the list keys the rows append to (R-I9) and the profile limits (R-C6). The
loader sends those alone (``light_record``), ``CheckPlanner`` checks them (``check_update``),
and a row only whole records can decide raises ``NeedsFullRecords``: the caller plans the chunk
again on whole records with the ChunkPlanner. Both give the same report (tested).

Decisions:
- A stored list is sent undecoded with its length (``StoredList``); its text only where an
  append of the chunk could pass the item limit. Most appends cannot, whatever the items are,
  so they are counted, not merged.
- The size bound grows with every row (a whole plan grows it only when a value changes), so it
  never proves less than the whole plan's; where it cannot prove the limits hold, whole records
  decide.
"""

import json
from collections.abc import Sequence

from contacts import profile_types
from contacts.profile_types import EMPTY, ProfileValueError

from .mapping import ImportMapping
from .planner import ChunkPlanner
from .records import Record

# A light loader's row: (id, identifier, seen, last_import_id, size_bound, key_count), then for
# each list key the stored value's JSON text (None where absent or not needed), then for each
# its length when it is an array. ``key_count`` is at least the profile's number of keys and
# ``size_bound`` at least its size.
LIGHT_ROW = ("id", "identifier", "seen", "last_import_id", "size_bound", "key_count")


class NeedsFullRecords(Exception):
    """A check planned on light records reached a row only whole records can decide."""


class StoredList:
    """A stored list a check has not decoded: its JSON text, its length and the items since."""

    __slots__ = ("text", "length", "added")

    def __init__(self, text: str | None, length: int | None, added: tuple = ()) -> None:
        """``text`` None: not loaded; ``length`` None: the stored value is no list."""
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


def list_keys(mapping: ImportMapping) -> list[str]:
    """The mapped custom keys R-I9 appends to: what a check must load of a profile."""
    types = profile_types.LIST_TYPES
    return [c.key for c in mapping.columns if c.field is None and c.type in types]


def light_record(identifier_field: str, row: Sequence, list_keys: Sequence[str]) -> Record:
    """An existing customer as a check needs it, from a light loader's row (LIGHT_ROW)."""
    record_id, identifier, seen, last_import_id, size_bound, key_count = row[: len(LIGHT_ROW)]
    profile = {}
    for at, key in enumerate(list_keys, len(LIGHT_ROW)):
        text, length = row[at], row[at + len(list_keys)]
        if text is not None or length is not None:
            profile[key] = StoredList(text, length)
    record = Record(
        id=record_id,
        seen=seen,
        last_import_id=last_import_id,
        profile=profile,
        size_bound=size_bound,
        key_count=key_count,
    )
    setattr(record, identifier_field, identifier)
    return record


def check_update(
    record: Record,
    values: list,
    grows: int,
    lists: Sequence[tuple[str, int]],
    clear: bool,
    max_keys: int,
) -> list[tuple[str, str]]:
    """The errors a row fails with on a light record (R-I9); its appends taken in if none."""
    profile = record.profile
    merged: dict = {}
    errors: list[tuple[str, str]] = []
    for key, position in lists:
        value = values[position]
        if value is EMPTY:
            if clear and key in profile:
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
        return errors
    for key, value in merged.items():
        if value is None:
            del profile[key]
        else:
            profile[key] = value
    record.size_bound += grows
    keys = record.key_count if record.key_count is not None else len(profile)
    if record.size_bound > profile_types.MAX_PROFILE_BYTES or keys > max_keys:
        raise NeedsFullRecords
    return errors


class CheckPlanner(ChunkPlanner):
    """A dry run's planner on light records where nothing can unify: rows matched and checked."""

    def __init__(self, mapping: ImportMapping, **options) -> None:
        """A planner of the mapping's rows, as ChunkPlanner's, that knows its list columns."""
        super().__init__(mapping, **options)
        keys = set(list_keys(mapping))
        self._lists = [(c.key, at) for at, c in enumerate(mapping.columns) if c.key in keys]

    def _update(self, number: int, record: Record, values: list, grows: int) -> bool:
        """The row's failures on a light record, as ChunkPlanner._update would find them."""
        errors = check_update(record, values, grows, self._lists, self.clear_empty, self.max_keys)
        if errors:
            self._fail(number, errors, values)
            return False
        return True

    def _unify(self, number: int, record: Record) -> None:
        """Nothing: the check runs only where nothing in the channel can unify with the rows."""
