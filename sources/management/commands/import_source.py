"""manage.py import_source FILE: add a document to the source library from the command line."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources.ingest import SUPPORTED_EXTENSIONS, IngestError
from sources.models import SourceKind
from sources.services import import_source


class Command(BaseCommand):
    help = f"Import a document ({', '.join(SUPPORTED_EXTENSIONS)}) into the source library."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the document to import.")
        parser.add_argument("--title", default="", help="Defaults to the document's own title, then the file name.")
        parser.add_argument("--authors", default="", help='Names separated by semicolons: "Ana Lima; Bo Chen".')
        parser.add_argument("--container-title", default="", help="The book, journal, site or series.")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--place", default="", help="Place of publication.")
        parser.add_argument("--published", default="", help="YYYY, YYYY-MM or YYYY-MM-DD.")
        parser.add_argument("--kind", default=SourceKind.OTHER, choices=SourceKind.values)
        parser.add_argument("--url", default="")
        parser.add_argument("--language", default="en")
        parser.add_argument("--isbn", default="")
        parser.add_argument("--doi", default="")
        parser.add_argument("--notes", default="")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                # One byte past the limit is enough for the importer to refuse a file that is too large.
                data = file.read(settings.WARRANT_MAX_UPLOAD_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        try:
            source = import_source(
                filename=path.name,
                data=data,
                title=options["title"],
                authors=options["authors"].split(";"),
                container_title=options["container_title"],
                publisher=options["publisher"],
                place=options["place"],
                published=options["published"],
                kind=options["kind"],
                language=options["language"],
                url=options["url"],
                isbn=options["isbn"],
                doi=options["doi"],
                notes=options["notes"],
            )
        except IngestError as error:
            raise CommandError(f"{path.name}: {error}") from error
        except ValidationError as error:
            problems = " ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(f"{path.name}: {problems}") from error
        self.stdout.write(self.style.SUCCESS(f"Imported “{source.title}”"))
        self.stdout.write(f"  slug:       {source.slug}")
        self.stdout.write(f"  characters: {len(source.text):,}")
        self.stdout.write(f"  revision:   {source.revision}")
