"""manage.py import_map FILE --owner USERNAME [--format json|aif] [--title TITLE]: a new map from a file.

Like every import, the map is private and owned by --owner, whatever the file says; it reuses only
sources that --owner could already read (arguments/exports/warrant_json.py)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from arguments.exports.aif import import_aif
from arguments.exports.common import MAX_DOCUMENT_BYTES, ImportProblem, parse_document
from arguments.exports.imports import IMPORT_FORMATS, detect_format
from arguments.exports.warrant_json import import_map


class Command(BaseCommand):
    help = "Import a Warrant JSON or AIF (AIFdb / OVA) file as a new private map owned by --owner."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The file to read.")
        parser.add_argument("--owner", required=True, help="Username of the new map's owner.")
        parser.add_argument(
            "--format",
            choices=IMPORT_FORMATS,
            help="json or aif (default: from the extension .aif, else from the content).",
        )
        parser.add_argument("--title", help="Title for a map imported from AIF (which has none of its own).")

    def handle(self, *args, file: str, owner: str, format: str | None, title: str | None, **options) -> None:
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"No user is called {owner!r}.")
        path = Path(file)
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise CommandError(f"{file} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            document = parse_document(data)
            format = format or ("aif" if path.suffix.lower() == ".aif" else detect_format(document))
            if format is None:
                raise CommandError(f"{file} is neither Warrant JSON nor AIF; say which with --format.")
            if format == "json":
                argument_map = import_map(document, owner=user)
            else:
                argument_map = import_aif(document, owner=user, title=title)
        except ImportProblem as problem:
            raise CommandError(f"Cannot import {file}: {problem}") from None
        counts = ", ".join(f"{value} {name}" for name, value in argument_map.import_counts.items() if name != "skipped")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{argument_map.title}” as {argument_map.slug}, a private map owned by {user.get_username()}"
            )
        )
        self.stdout.write(counts)
        skipped = argument_map.import_counts.get("skipped")
        if skipped:
            self.stdout.write("Left out: " + ", ".join(f"{value} {name}" for name, value in skipped.items()))
