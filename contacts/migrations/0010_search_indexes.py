import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations, models

# The upper-cased name's two-character pieces. A two-character search (a Korean given name such
# as 민준) has no trigram for pg_trgm to look up; as a bigram it is one GIN entry. PL/pgSQL's
# loop is the cheapest of the plain-SQL ways tried (array_agg over generate_series, regexp).
BIGRAMS_SQL = """
CREATE OR REPLACE FUNCTION customer_name_bigrams(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    upper_name text := upper(name);
    bigrams text[] := '{}';
BEGIN
    FOR i IN 1 .. char_length(upper_name) - 1 LOOP
        bigrams := bigrams || substr(upper_name, i, 2);
    END LOOP;
    RETURN bigrams;
END
$$
"""
BIGRAMS_UNDO = "DROP FUNCTION IF EXISTS customer_name_bigrams(text)"

# Served by customer_search_gin from now on: the import tag (migration 0002) and the name's start
# (0004), which its trigrams hold.
REPLACED_SQL = [
    "DROP INDEX IF EXISTS customer_import_tags_gin",
    "DROP INDEX IF EXISTS customer_name_prefix_idx",
]
REPLACED_UNDO = [
    "CREATE INDEX IF NOT EXISTS customer_import_tags_gin "
    "ON contacts_customer USING gin (import_tags jsonb_path_ops)",
    "CREATE INDEX IF NOT EXISTS customer_name_prefix_idx ON contacts_customer "
    "(channel_id, UPPER(name::text) text_pattern_ops) WHERE NOT is_hidden AND NOT is_blocked",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class PostgresOnly:
    """An operation's database work on PostgreSQL only; elsewhere (SQLite has no GIN and no
    extensions) the model state still changes. Django's extension operations skip other
    databases going forwards but not backwards."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddPostgresIndex(PostgresOnly, migrations.AddIndex):
    pass


class CreateTrigramExtension(PostgresOnly, TrigramExtension):
    pass


class CreateBtreeGinExtension(PostgresOnly, BtreeGinExtension):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0009_mu_counter"),
    ]

    operations = [
        CreateTrigramExtension(),
        CreateBtreeGinExtension(),
        migrations.RunPython(_on_postgresql([BIGRAMS_SQL]), _on_postgresql([BIGRAMS_UNDO])),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_email_idx",
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_mobile_idx",
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["channel", "email"],
                name="customer_email_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["channel", "mobile_number"],
                name="customer_mobile_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
        AddPostgresIndex(
            model_name="customer",
            index=django.contrib.postgres.indexes.GinIndex(
                models.F("channel"),
                django.contrib.postgres.indexes.OpClass(
                    models.F("import_tags"), name="jsonb_path_ops"
                ),
                models.Func(
                    models.F("name"),
                    function="customer_name_bigrams",
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None
                    ),
                ),
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("name"), name="gin_trgm_ops"
                ),
                name="customer_search_gin",
            ),
        ),
        migrations.RunPython(_on_postgresql(REPLACED_SQL), _on_postgresql(REPLACED_UNDO)),
    ]
