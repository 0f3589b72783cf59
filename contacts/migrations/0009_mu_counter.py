"""The MU counter (R-M1): one row per channel, kept by triggers on the customer table.

Decisions:
- The count lives in the database and the database keeps it, so no write path can forget it:
  an import chunk's COPY and UPDATE … FROM, the API, the admin, the demo loader, raw SQL and
  code not yet written all pass through these triggers. The app only reads the counter
  (``contacts.selectors.mu_count``); ``contacts.mu_counter.mu_recount`` checks it.
- Its own table, not a column of Channel: ``channel.save()`` anywhere would write back a count
  read before the triggers moved it. A trigger on the channel table opens a channel's row.
- ``MU_SQL`` is R-M1 in SQL, ``contacts.models.IS_MU`` in Python; the tests hold the two to
  each other (contacts/tests/test_mu_counter.py).
- PostgreSQL: statement-level AFTER triggers with transition tables add, per channel, the MU
  rows of the new versions minus those of the old, and update a channel's row only where that
  sum is not zero: an edit that moves nobody in or out of MU neither writes nor locks the
  counter. Row-level triggers updating the counter once per row would, in a chunk of
  thousands, leave thousands of versions of one row for each update to walk (quadratic).
  A statement that moves MU holds its channel's row until its transaction ends, so writes
  that move MU in one channel commit one after the other.
- SQLite: row-level triggers whose WHEN clause skips the rows that do not move MU; SQLite
  has one writer at a time and updates a row in place.
- Django rebuilds a SQLite table for most field changes, and the rebuild drops its triggers: a
  later migration that does so on the customer or channel table must create them again. The
  tests check that the triggers exist.
- The counts of the channels that exist are filled in after the triggers are created, in the
  same transaction: on PostgreSQL creating the triggers locks the tables against writes until
  it commits, so no write falls between the count and the triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

# R-M1 of the customer row named `{row}`: contact information, not hidden, not blocked.
MU_SQL = (
    "(({row}.member_id IS NOT NULL OR {row}.email IS NOT NULL OR {row}.mobile_number IS NOT NULL)"
    " AND NOT {row}.is_hidden AND NOT {row}.is_blocked)"
)
# The columns R-M1 reads, and the channel a customer counts in.
MU_COLUMNS = "channel_id, member_id, email, mobile_number, is_hidden, is_blocked"

BACKFILL = (
    "INSERT INTO contacts_mucounter (channel_id, mu_count) "
    "SELECT ch.id, (SELECT count(*) FROM contacts_customer AS r "
    f"WHERE r.channel_id = ch.id AND {MU_SQL.format(row='r')}) FROM contacts_channel AS ch"
)


def _pg_delta(source: str) -> str:
    """Add the per-channel sum of `source`'s (channel_id, delta) rows, where it is not zero."""
    return (
        "UPDATE contacts_mucounter AS m SET mu_count = m.mu_count + d.delta FROM ("
        f"SELECT channel_id, sum(delta) AS delta FROM ({source}) AS moves "
        "GROUP BY channel_id HAVING sum(delta) <> 0) AS d WHERE m.channel_id = d.channel_id;"
    )


def _pg_rows(table: str, sign: str) -> str:
    return f"SELECT r.channel_id, {sign}1 AS delta FROM {table} AS r WHERE {MU_SQL.format(row='r')}"


POSTGRESQL = [
    "CREATE FUNCTION contacts_mu_counter_open() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO contacts_mucounter (channel_id, mu_count) VALUES (NEW.id, 0); "
    "RETURN NULL; END $$",
    "CREATE TRIGGER contacts_mu_counter_open AFTER INSERT ON contacts_channel "
    "FOR EACH ROW EXECUTE FUNCTION contacts_mu_counter_open()",
    "CREATE FUNCTION contacts_mu_counter_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    + _pg_delta(_pg_rows("new_rows", "+"))
    + " ELSIF TG_OP = 'DELETE' THEN "
    + _pg_delta(_pg_rows("old_rows", "-"))
    + " ELSE "
    + _pg_delta(f"{_pg_rows('new_rows', '+')} UNION ALL {_pg_rows('old_rows', '-')}")
    + " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER contacts_mu_counter_insert AFTER INSERT ON contacts_customer "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_mu_counter_move()",
    "CREATE TRIGGER contacts_mu_counter_update AFTER UPDATE ON contacts_customer "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_mu_counter_move()",
    "CREATE TRIGGER contacts_mu_counter_delete AFTER DELETE ON contacts_customer "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_mu_counter_move()",
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER contacts_mu_counter_delete ON contacts_customer",
    "DROP TRIGGER contacts_mu_counter_update ON contacts_customer",
    "DROP TRIGGER contacts_mu_counter_insert ON contacts_customer",
    "DROP FUNCTION contacts_mu_counter_move()",
    "DROP TRIGGER contacts_mu_counter_open ON contacts_channel",
    "DROP FUNCTION contacts_mu_counter_open()",
]


def _sqlite_step(name: str, event: str, when: str, sign: str, row: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON contacts_customer WHEN {when} BEGIN "
        f"UPDATE contacts_mucounter SET mu_count = mu_count {sign} 1 "
        f"WHERE channel_id = {row}.channel_id; END"
    )


_OLD, _NEW = MU_SQL.format(row="OLD"), MU_SQL.format(row="NEW")
_STAYS = f"({_OLD} AND {_NEW} AND OLD.channel_id = NEW.channel_id)"
_UPDATE = f"UPDATE OF {MU_COLUMNS}"
SQLITE = [
    "CREATE TRIGGER contacts_mu_counter_open AFTER INSERT ON contacts_channel BEGIN "
    "INSERT INTO contacts_mucounter (channel_id, mu_count) VALUES (NEW.id, 0); END",
    _sqlite_step("contacts_mu_counter_insert", "INSERT", _NEW, "+", "NEW"),
    _sqlite_step("contacts_mu_counter_delete", "DELETE", _OLD, "-", "OLD"),
    _sqlite_step("contacts_mu_counter_leave", _UPDATE, f"{_OLD} AND NOT {_STAYS}", "-", "OLD"),
    _sqlite_step("contacts_mu_counter_enter", _UPDATE, f"{_NEW} AND NOT {_STAYS}", "+", "NEW"),
]
SQLITE_UNDO = [
    f"DROP TRIGGER {name}"
    for name in (
        "contacts_mu_counter_enter",
        "contacts_mu_counter_leave",
        "contacts_mu_counter_delete",
        "contacts_mu_counter_insert",
        "contacts_mu_counter_open",
    )
]
# The triggers each vendor has once this migration ran (the tests check they still exist).
TRIGGERS = {
    "postgresql": (
        "contacts_mu_counter_open",
        "contacts_mu_counter_insert",
        "contacts_mu_counter_update",
        "contacts_mu_counter_delete",
    ),
    "sqlite": (
        "contacts_mu_counter_open",
        "contacts_mu_counter_insert",
        "contacts_mu_counter_delete",
        "contacts_mu_counter_leave",
        "contacts_mu_counter_enter",
    ),
}


def _statements(vendor: str, undo: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_UNDO if undo else POSTGRESQL
    if vendor == "sqlite":
        return SQLITE_UNDO if undo else SQLITE
    raise NotImplementedError(f"No MU counter triggers for {vendor}")


def triggers_create(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, undo=False):
        schema_editor.execute(statement)
    schema_editor.execute(BACKFILL)


def triggers_drop(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, undo=True):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0008_api_keys_veil_id'),
    ]

    operations = [
        migrations.CreateModel(
            name='MuCounter',
            fields=[
                ('channel', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='mu_counter', serialize=False, to='contacts.channel')),
                ('mu_count', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
