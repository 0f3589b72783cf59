from django.db import migrations


def create_gin(apps, schema_editor):
    # The import-tag filter is `import_tags @> '["tag"]'` on PostgreSQL; SQLite scans json_each.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_import_tags_gin "
            "ON contacts_customer USING gin (import_tags jsonb_path_ops)"
        )


def drop_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_import_tags_gin")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(create_gin, drop_gin)]
