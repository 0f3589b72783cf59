"""A customer as JSON: the one shape that `export_customers --format jsonl` writes and the
customer API answers with (R-E1, R-D2).

Absent values are null; timestamps are ISO 8601 in UTC with milliseconds
("2025-05-04T09:00:00.000Z"); custom keys keep their typed JSON values, sorted by name so the
output is the same on every database.

Decisions:
- The shape is ``contacts.columns``'s: every column with a name, in the table's order, after
  the id and the customer's type (R-C1). A text that may not be null (the name) is absent when
  empty; an absent list is shown empty.
"""

from datetime import UTC

from contacts.columns import COLUMNS, JSONB, TEXT, TIMESTAMP
from contacts.keys import customer_type

_SHOWN = tuple(c for c in COLUMNS if c.name is not None)
# The Customer fields read, in the order customer_json takes them.
CUSTOMER_FIELDS = ("id", *(c.field for c in _SHOWN))
_TYPE_AT = tuple(CUSTOMER_FIELDS.index(name) for name in ("member_id", "email", "mobile_number"))


def _when(moment):
    """A timestamp as ISO 8601 in UTC with milliseconds."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(value):
    """An empty text as null."""
    return value or None


def _items(value) -> list:
    """A list, empty when absent."""
    return list(value or [])


def _sorted(value) -> dict:
    """An object's keys by name."""
    value = value or {}
    return {key: value[key] for key in sorted(value)}


def _show(column):
    """How a column's stored value is shown, or None when as it is."""
    if column.sql == TIMESTAMP:
        return _when
    if column.sql == JSONB:
        return _items if column.is_key else _sorted
    if column.sql == TEXT and not column.null:
        return _text
    return None


_SHOW = tuple((c.name, at, _show(c)) for at, c in enumerate(_SHOWN, 1))


def customer_json(row: tuple) -> dict:
    """A customer read as a tuple of CUSTOMER_FIELDS, as a JSON-ready dict."""
    shown = {"id": row[0], "type": customer_type(*(row[at] for at in _TYPE_AT))}
    for name, at, show in _SHOW:
        shown[name] = row[at] if show is None else show(row[at])
    return shown


def customer_row(customer) -> tuple:
    """A Customer instance as the tuple customer_json reads."""
    return tuple(getattr(customer, name) for name in CUSTOMER_FIELDS)
