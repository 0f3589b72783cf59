"""The customer and activity-log columns the import's writers load and COPY, in one place.

Decisions:
- The planner's field lists (LOAD_FIELDS, INSERT_FIELDS, UPDATE_FIELDS) say which values a
  chunk reads and writes; the lists here say how the writers name and type those columns in
  SQL. A column added to the planner's lists is added here too.
"""

from imports.engine.planning import LOAD_FIELDS

# LOAD_FIELDS, with the stored lastSeenAt where planning takes epoch seconds.
ORM_LOAD_FIELDS = tuple("last_seen_at" if name == "seen" else name for name in LOAD_FIELDS)
SEEN = ORM_LOAD_FIELDS.index("last_seen_at")

# The PostgreSQL type of each customer column the writers COPY or stage.
PG_TYPES = {
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

# PostgresWriter.load's row: LOAD_FIELDS in order, JSON as text, lastSeenAt in epoch seconds,
# then the row's version.
PG_LOAD_COLUMNS = (
    "id, member_id, name, email, mobile_number, landline_number, email_verified, "
    "mobile_verified, unsubscribe_email, unsubscribe_texting, import_tags::text, profile::text, "
    "extract(epoch FROM last_seen_at)::float8, has_booted, is_hidden, is_blocked, last_import_id, "
    "xmin::text::bigint"
)

# PostgresWriter.log_edits's row: what a chunk's entries share, then each one's own values.
ENTRY_COLUMNS = (
    "channel_id, actor_id, category, import_id, created_at, "
    "action, customer_id, customer_label, details"
)
