"""Full-text search index on claim texts, on PostgreSQL only (see sources 0002 for the others)."""

from django.db import migrations

INDEX = "arguments_claim_text_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON arguments_claim "
            "USING gin (to_tsvector('english'::regconfig, COALESCE(text, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("arguments", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
