"""Claims of kind `background` (context and definitions, never evaluated).

Changing a check constraint makes SQLite rebuild the claims table, which drops the triggers that keep
the claim search index in step (0004); they are made again here. PostgreSQL alters in place."""

from django.db import migrations, models

from sources.search_fold import restore_sqlite_triggers


def restore_search_triggers(apps, schema_editor):
    restore_sqlite_triggers(schema_editor, "arguments_claim")


class Migration(migrations.Migration):
    dependencies = [("arguments", "0004_search_fold")]

    operations = [
        migrations.RemoveConstraint(model_name="claim", name="claim_kind_known"),
        migrations.AlterField(
            model_name="claim",
            name="kind",
            field=models.CharField(
                choices=[("thesis", "Thesis"), ("claim", "Claim"), ("background", "Background")],
                default="claim",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["thesis", "claim", "background"])), name="claim_kind_known"
            ),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
