"""manage.py export_map SLUG --format json|aif [--output FILE]: a map as Warrant JSON or AIF."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arguments.exports.aif_export import export_aif
from arguments.exports.common import dumps
from arguments.exports.imports import IMPORT_FORMATS
from arguments.exports.warrant_json import export_map
from arguments.models import ArgumentMap


class Command(BaseCommand):
    help = "Write a map as Warrant JSON (lossless) or AIF JSON, to standard output or a file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The map's slug, as in /maps/<slug>/.")
        parser.add_argument(
            "--format", choices=IMPORT_FORMATS, default="json", help="json (Warrant JSON, default) or aif."
        )
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, slug: str, format: str, output: str | None, **options) -> None:
        argument_map = ArgumentMap.objects.filter(slug=slug).first()
        if argument_map is None:
            raise CommandError(f"No map has the slug {slug!r}.")
        text = dumps(export_map(argument_map) if format == "json" else export_aif(argument_map))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {argument_map.slug} as {format} to {output} ({len(text.encode())} bytes).")
        else:
            self.stdout.write(text, ending="")
