"""Authors become CSL names: "Joseph R. Biden Jr." → {"family": "Biden", "given": "Joseph R.", "suffix": "Jr."},
"United Nations" → {"literal": "United Nations"}. Going back writes each name as it reads in prose."""

from django.db import migrations, models

from sources.names import clean_names, display_name


def names_to_csl(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for source in Source.objects.only("pk", "authors").iterator():
        names = clean_names(source.authors)
        if names != source.authors:
            Source.objects.filter(pk=source.pk).update(authors=names)


def csl_to_names(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for source in Source.objects.only("pk", "authors").iterator():
        Source.objects.filter(pk=source.pk).update(authors=[display_name(n) for n in source.authors or []])


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0007_source_offset_map"),
    ]

    operations = [
        migrations.AlterField(
            model_name="source",
            name="authors",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Names in order, as CSL names: {"family", "given", "suffix"} or {"literal"} for an organisation.',
            ),
        ),
        migrations.RunPython(names_to_csl, csl_to_names),
    ]
