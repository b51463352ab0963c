"""Full-text search indexes on PostgreSQL (passage quotes and source texts); nothing on SQLite.

The expressions match what django.contrib.postgres's SearchVector(field, config="english")
generates, so queries filtering with `@@` on them can use the indexes.
"""

from django.db import migrations

INDEXES = {
    "sources_passage_exact_fts": ("sources_passage", "exact"),
    "sources_source_text_fts": ("sources_source", "text"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('english'::regconfig, COALESCE({column}, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
