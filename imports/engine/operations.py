"""The column operations of an import: what each mapped cell does to a customer. Pure.

Each mapped column gets one ``ColumnOp``, decided once per import from the column's key and
``contacts.columns``; the planner applies a row's cells to an existing customer through
``RowChange``'s named steps: clear cells, set built-ins, set profile values, append lists.

Decisions:
- R-I8 clear: an empty cell clears name (to "", the field holds no null), landline, a contact
  that is not the identifier (and its verified mark) and custom keys (a list key is removed);
  never the identifier or the opt-outs (``ColumnOp.clears``).
- R-C3: a contact the import writes, the matched identifier included, is verified.
- A value equal to the stored one (same type) is no change (R-I19), so a re-import of the same
  file changes nothing but the tags.
- Each of RowChange's steps takes all of a row's cells of its kind, so a row costs four calls,
  not one a cell: a 930k-row re-import visits about ten million cells, and a call a cell made
  it about a tenth slower than the single loop the steps replaced (bench/README.md).
"""

from dataclasses import dataclass
from enum import Enum

from contacts import profile_types
from contacts.columns import BY_FIELD
from contacts.keys import OPT_OUT_KEYS
from contacts.profile_types import EMPTY, ProfileValueError

from .mapping import Column as MappedColumn
from .records import PROFILE_FIELDS, Record


class ColumnOp(Enum):
    """What a mapped column's cell does to a customer."""

    IDENTIFIER = "identifier"  # matches the customer (R-I3); verified if a contact, never changed
    BUILTIN = "builtin"  # a built-in key's field (name, landline)
    CONTACT = "contact"  # an email or mobile number, with its verified mark (R-C3)
    OPT_OUT = "opt-out"  # an opt-out: needed by a new customer (R-I7), never cleared (R-I8)
    PROFILE = "profile"  # a custom key's value
    LIST = "list"  # a custom list key's items, appended (R-I9)

    @property
    def is_profile(self) -> bool:
        """Whether the value goes to the profile (a custom key)."""
        return self is ColumnOp.PROFILE or self is ColumnOp.LIST

    @property
    def appends(self) -> bool:
        """Whether the cell's items are appended to the stored ones (R-I9)."""
        return self is ColumnOp.LIST

    @property
    def clears(self) -> bool:
        """Whether an empty cell clears the value where the import clears (R-I8)."""
        return self is not ColumnOp.IDENTIFIER and self is not ColumnOp.OPT_OUT


def column_op(column: MappedColumn, identifier_key: str) -> ColumnOp:
    """The operation of a mapped column in an import by ``identifier_key``."""
    if column.key == identifier_key:
        return ColumnOp.IDENTIFIER
    if column.field is None:
        return ColumnOp.LIST if column.type in profile_types.LIST_TYPES else ColumnOp.PROFILE
    if BY_FIELD[column.field].verified is not None:
        return ColumnOp.CONTACT
    if column.key in OPT_OUT_KEYS:
        return ColumnOp.OPT_OUT
    return ColumnOp.BUILTIN


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """A mapped column as the planner applies it."""

    op: ColumnOp
    key: str
    position: int  # of its value in a parsed row
    field: str | None = None  # a built-in key's Customer field
    empty: object = None  # what clearing leaves in the field: "" for the name, else None
    verified: str | None = None  # a contact's verified mark field
    verified_key: str | None = None  # that mark's name among the changed keys
    # The op's predicates, read for every cell (an enum's members are slow to reach).
    is_profile: bool = False
    appends: bool = False
    clears: bool = False

    @classmethod
    def of(cls, column: MappedColumn, position: int, identifier_key: str) -> "ColumnPlan":
        """The plan of the column at ``position`` of the mapping."""
        op = column_op(column, identifier_key)
        predicates = {"is_profile": op.is_profile, "appends": op.appends, "clears": op.clears}
        if column.field is None:
            return cls(op=op, key=column.key, position=position, **predicates)
        stored = BY_FIELD[column.field]
        verified = BY_FIELD[stored.verified] if stored.verified is not None else None
        return cls(
            op=op,
            key=column.key,
            position=position,
            field=column.field,
            empty=None if stored.null else "",
            verified=verified.field if verified is not None else None,
            verified_key=verified.name if verified is not None else None,
            **predicates,
        )


class RowChange:
    """What a row changes on an existing record, gathered before any of it is applied."""

    __slots__ = ("record", "assignments", "profile", "errors")

    def __init__(self, record: Record) -> None:
        """Nothing changed yet."""
        self.record = record
        self.assignments: list[tuple[str, object, str]] = []  # (field, value, changed key)
        self.profile: dict | None = None  # the new profile, once a custom key changes
        self.errors: list[tuple[str, str]] = []

    def current_profile(self) -> dict:
        """The profile as the row has left it so far."""
        return self.profile if self.profile is not None else self.record.profile

    def writable_profile(self) -> dict:
        """The new profile, copied from the record's at the first change."""
        if self.profile is None:
            self.profile = dict(self.record.profile)
        return self.profile

    def verify(self, identifier: ColumnPlan) -> None:
        """R-C3: the contact a row matched by is verified."""
        record = self.record
        if identifier.verified is not None and not getattr(record, identifier.verified):
            self.assignments.append((identifier.verified, True, identifier.verified_key))

    def clear_cells(self, columns: list[ColumnPlan], values: list) -> None:
        """R-I8: each of the columns whose cell is empty clears its value (a custom key goes)."""
        record = self.record
        assignments = self.assignments
        for column in columns:
            if values[column.position] is not EMPTY:
                continue
            if column.is_profile:
                if column.key in self.current_profile():
                    del self.writable_profile()[column.key]
            elif getattr(record, column.field) != column.empty:
                assignments.append((column.field, column.empty, column.key))
                if column.verified is not None:
                    assignments.append((column.verified, False, column.verified_key))

    def set_builtins(self, columns: list[ColumnPlan], values: list) -> None:
        """Built-in keys take their cells' values; a contact written is verified (R-C3)."""
        record = self.record
        assignments = self.assignments
        for column in columns:
            value = values[column.position]
            if value is EMPTY:
                continue
            current = getattr(record, column.field)
            if current is None or type(current) is not type(value) or current != value:
                assignments.append((column.field, value, column.key))
            if column.verified is not None and not getattr(record, column.verified):
                assignments.append((column.verified, True, column.verified_key))

    def set_profile_values(self, columns: list[ColumnPlan], values: list) -> None:
        """Custom keys take their cells' values, unless they hold the same ones (R-I19)."""
        for column in columns:
            value = values[column.position]
            if value is EMPTY:
                continue
            profile = self.profile if self.profile is not None else self.record.profile
            current = profile.get(column.key)
            if current is None or type(current) is not type(value) or current != value:
                self.writable_profile()[column.key] = value

    def append_lists(self, columns: list[ColumnPlan], values: list) -> None:
        """R-I9: list keys take their cells' items after their own; past the limit the row fails."""
        for column in columns:
            value = values[column.position]
            if value is EMPTY:
                continue
            current = self.current_profile().get(column.key)
            if current is not None:
                try:
                    value = profile_types.merge_list_values(current, value)
                except ProfileValueError as error:
                    self.errors.append((column.key, error.reason))
                    continue
            if current is None or type(current) is not type(value) or current != value:
                self.writable_profile()[column.key] = value

    def prospect(self, tags: list) -> dict:
        """The whole profile as the row would leave the record (R-C6 measures it)."""
        values = {name: getattr(self.record, name) for name in PROFILE_FIELDS}
        for field_name, value, _key in self.assignments:
            if field_name in values:
                values[field_name] = value
        values["import_tags"] = tags
        whole = {
            PROFILE_FIELDS[name]: value
            for name, value in values.items()
            if value is not None and value != "" and value != []
        }
        whole.update(self.current_profile())
        return whole
