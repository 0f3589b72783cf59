"""The customer and activity-log columns the import's writers load and COPY, in one place.

Decisions:
- The planner's field lists (LOAD_FIELDS, INSERT_FIELDS, UPDATE_FIELDS) say which values a
  chunk reads and writes; the types and the load's columns here are derived from the same
  column table (``contacts.columns``), so a stored field is described once.
"""

from contacts.columns import COLUMNS, JSONB, TEXT
from imports.engine.records import LOAD_FIELDS

# LOAD_FIELDS, with the stored lastSeenAt where planning takes epoch seconds.
ORM_LOAD_FIELDS = tuple("last_seen_at" if name == "seen" else name for name in LOAD_FIELDS)

# The PostgreSQL type of each customer column the writers COPY or stage.
PG_TYPES = {c.field: c.sql for c in COLUMNS}

# PostgresWriter.load's row: LOAD_FIELDS in order, JSON as text, lastSeenAt in epoch seconds,
# then the row's version.
PG_LOAD_COLUMNS = ", ".join(
    "extract(epoch FROM last_seen_at)::float8"
    if name == "seen"
    else f"{name}::text"
    if PG_TYPES.get(name) == JSONB
    else name
    for name in (*LOAD_FIELDS, "xmin::text::bigint")
)
# Where that row holds JSON text, and the built-in strings.
PG_LOAD_JSON_AT = tuple(i for i, name in enumerate(LOAD_FIELDS) if PG_TYPES.get(name) == JSONB)
PG_LOAD_TEXT_AT = tuple(i for i, name in enumerate(LOAD_FIELDS) if PG_TYPES.get(name) == TEXT)

# PostgresWriter.log_edits's row: what a chunk's entries share, then each one's own values.
ENTRY_COLUMNS = (
    "channel_id, actor_id, category, import_id, created_at, "
    "action, customer_id, customer_label, details"
)
