"""The customer's stored fields, described once. Pure: no Django imports.

Every list of the customer's fields is derived from ``COLUMNS``: the built-in keys
(``contacts.keys``), the import planner's insert, load and update lists and the PostgreSQL
COPY types and columns (``imports.engine.records``, ``imports.writers``), the customer JSON
(``contacts.customer_json``), the demo data (``contacts.management.demo``) and, through the
built-in keys, the import templates and the editable exports.

Decisions:
- The table describes, the model declares: ``contacts.models.Customer`` keeps its Django
  fields, which its migrations are made from, and a test holds the two together (the same
  fields, nullability and types). Adding a built-in key is its line here, its model field and
  a migration.
- The order is the built-in keys' (R-C5) and the customer JSON's, with the profile last as the
  JSON shows it; the model's order does not matter to anyone.
- What an import does with a field is three flags (``ByImport``): inserted with a new customer,
  read of an existing one, updated on it. memberId (the identifier), lastSeenAt (R-I20) and
  blocking are read and never updated; updatedAt is set when a row changes a customer (R-I19)
  and never read; createdAt and the creating import are only inserted.
- Managers edit exactly the built-in keys an import column may take (R-C5, R-I5), so one flag,
  ``editable``, says both; ``system`` marks the keys only the system writes (timestamps).
"""

from dataclasses import dataclass
from enum import Flag, auto


class ByImport(Flag):
    """What a bulk import does with a stored field."""

    NOTHING = 0
    INSERTED = auto()
    READ = auto()
    UPDATED = auto()


_ALL = ByImport.INSERTED | ByImport.READ | ByImport.UPDATED
_KEPT = ByImport.INSERTED | ByImport.READ
_STAMPED = ByImport.INSERTED | ByImport.UPDATED

# PostgreSQL column types.
TEXT = "text"
BOOLEAN = "boolean"
JSONB = "jsonb"
TIMESTAMP = "timestamptz"
BIGINT = "bigint"


@dataclass(frozen=True, slots=True)
class Column:
    """One stored field of a customer."""

    field: str  # the Customer model's field
    sql: str  # its PostgreSQL type
    name: str | None = None  # its name in the customer JSON; a built-in key's name
    type: str | None = None  # the profile type of a built-in key (R-C5); None for the others
    label: str = ""  # a built-in key's label
    null: bool = True  # may hold None; a field that may not is cleared to its empty value
    editable: bool = False  # managers edit it and an import column may take it (R-I5)
    system: bool = False  # a built-in key written by the system alone (R-C5)
    verified: str | None = None  # the field of a contact's verified mark (R-C3)
    by_import: ByImport = ByImport.NOTHING

    @property
    def is_key(self) -> bool:
        """Whether the field holds a built-in profile key (R-C5)."""
        return self.type is not None


COLUMNS: tuple[Column, ...] = (
    Column("member_id", TEXT, name="memberId", type="string", label="Member ID",
           editable=True, by_import=_KEPT),
    Column("name", TEXT, name="name", type="string", label="Name",
           null=False, editable=True, by_import=_ALL),
    Column("email", TEXT, name="email", type="string", label="Email",
           editable=True, verified="email_verified", by_import=_ALL),
    Column("mobile_number", TEXT, name="mobileNumber", type="phone", label="Mobile number",
           editable=True, verified="mobile_verified", by_import=_ALL),
    Column("landline_number", TEXT, name="landlineNumber", type="phone", label="Landline number",
           editable=True, by_import=_ALL),
    Column("email_verified", BOOLEAN, name="emailVerified", null=False, by_import=_ALL),
    Column("mobile_verified", BOOLEAN, name="mobileVerified", null=False, by_import=_ALL),
    Column("unsubscribe_email", BOOLEAN, name="unsubscribeEmail", type="boolean",
           label="Email opt-out", editable=True, by_import=_ALL),
    Column("unsubscribe_texting", BOOLEAN, name="unsubscribeTexting", type="boolean",
           label="Texting opt-out", editable=True, by_import=_ALL),
    # Import tags are added by imports themselves (R-I10), never taken from a column. They are a
    # plain list: an import tag defaults to a file name, which may hold dots and spaces that the
    # `tag` type forbids.
    Column("import_tags", JSONB, name="userImportTag", type="list", label="Customer import tags",
           null=False, by_import=_ALL),
    Column("created_at", TIMESTAMP, name="createdAt", type="datetime", label="Created at",
           null=False, system=True, by_import=ByImport.INSERTED),
    Column("updated_at", TIMESTAMP, name="updatedAt", type="datetime", label="Updated at",
           null=False, system=True, by_import=_STAMPED),
    Column("last_seen_at", TIMESTAMP, name="lastSeenAt", type="datetime", label="Last seen at",
           system=True, by_import=_KEPT),
    Column("has_booted", BOOLEAN, null=False, by_import=_ALL),
    Column("veil_id", TEXT),
    Column("is_hidden", BOOLEAN, name="isHidden", null=False, by_import=_ALL),
    Column("is_blocked", BOOLEAN, name="isBlocked", null=False, by_import=_KEPT),
    Column("blocked_at", TIMESTAMP),
    Column("created_by_import_id", BIGINT, by_import=ByImport.INSERTED),
    Column("last_import_id", BIGINT, by_import=_ALL),
    Column("profile", JSONB, name="profile", null=False, by_import=_ALL),
)  # fmt: skip
BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}
STORED_FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS)
KEY_COLUMNS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.is_key)


def fields_by_import(use: ByImport) -> tuple[str, ...]:
    """The fields an import treats so (inserts, reads or updates), in the table's order."""
    return tuple(c.field for c in COLUMNS if use in c.by_import)
