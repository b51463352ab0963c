"""Writing to the source library. Views, the demo loader and management commands all import through here."""

import re
from datetime import date
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import transaction

from .extractors.common import describe
from .ingest import extract
from .models import Source, SourceKind
from .offsets import offsets_for_import

PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PUBLISHED_MESSAGE = "Write the date as YYYY, YYYY-MM or YYYY-MM-DD, and make it a real date."


def import_source(
    *,
    filename: str,
    data: bytes,
    added_by=None,
    title: str = "",
    authors: list[str] | None = None,
    container_title: str = "",
    publisher: str = "",
    place: str = "",
    published: str = "",
    kind: str = SourceKind.OTHER,
    language: str = "en",
    url: str = "",
    isbn: str = "",
    doi: str = "",
    notes: str = "",
) -> Source:
    """Extract the file's text and store it, with the original bytes, as a new Source.

    Raises IngestError if the file cannot be read and ValidationError if the metadata is invalid;
    in both cases nothing is written.
    """
    source = build_source(
        filename=filename,
        data=data,
        added_by=added_by,
        title=title,
        authors=authors,
        container_title=container_title,
        publisher=publisher,
        place=place,
        published=published,
        kind=kind,
        language=language,
        url=url,
        isbn=isbn,
        doi=doi,
        notes=notes,
    )
    with transaction.atomic():
        save_source(source)
    return source


def build_source(
    *,
    filename: str,
    data: bytes,
    added_by=None,
    title: str = "",
    authors: list[str] | None = None,
    container_title: str = "",
    publisher: str = "",
    place: str = "",
    published: str = "",
    kind: str = SourceKind.OTHER,
    language: str = "en",
    url: str = "",
    isbn: str = "",
    doi: str = "",
    notes: str = "",
) -> Source:
    """The Source a file makes, not yet saved: reading the file (which can take seconds for a PDF) happens here,
    outside any transaction, so that a caller saving it together with other rows holds no lock meanwhile.

    Raises IngestError if the file cannot be read.
    """
    extracted = extract(filename, data)
    name = PurePosixPath(filename.replace("\\", "/")).name
    # What the file says about itself (front matter) fills the fields the person left empty: what they typed wins.
    stated = extracted.metadata
    authors = [author.strip() for author in authors or [] if author.strip()] or list(stated.get("authors", []))
    if language.strip() in ("", "en") and stated.get("language"):
        language = stated["language"]
    source = Source(
        # A title the file itself gives may be longer than the field: cut, since nobody typed it to be refused.
        title=title.strip() or (extracted.title or PurePosixPath(name).stem.strip() or "Untitled")[:500],
        authors=authors,
        container_title=container_title.strip() or stated.get("container_title", ""),
        publisher=publisher.strip() or stated.get("publisher", ""),
        place=place.strip(),
        published=published.strip() or stated.get("published", ""),
        kind=kind,
        language=language.strip(),
        url=url.strip() or stated.get("url", ""),
        isbn=isbn.strip(),
        doi=doi.strip(),
        notes=notes.strip() or stated.get("notes", ""),
        text=extracted.text,
        original=data,
        # Made here, outside any transaction, like the text: a long file takes a moment to map.
        original_offsets=offsets_for_import(extracted.format, data, extracted.text),
        original_name=name[:255],
        original_format=extracted.format,
        added_by=added_by,
    )
    # Not a field: what the import removed from the text, for the page that reports the import (describe_import).
    source.import_removed = extracted.removed
    return source


def describe_import(source: Source) -> str:
    """What the import of a just-built source took out of its text, in one line; "" if nothing."""
    return describe(getattr(source, "import_removed", ()))


def save_source(source: Source) -> None:
    """Check a built Source's metadata and save it; call inside the caller's transaction.

    Raises ValidationError (nothing written) if the metadata is invalid.
    """
    _validate(source)
    source.save()


def _validate(source: Source) -> None:
    problems: dict[str, list[str]] = {}
    try:
        # slug and sha256 are derived by save(); everything the caller supplied is checked here.
        source.full_clean(exclude=["slug", "sha256"])
    except ValidationError as error:
        problems.update(error.message_dict)
    if source.published and not _is_real_date(source.published):
        problems.setdefault("published", []).append(PUBLISHED_MESSAGE)
    if problems:
        raise ValidationError(problems)


def _is_real_date(published: str) -> bool:
    """The model keeps the date as text, so a month 13 would otherwise travel on into citations."""
    match = PUBLISHED.match(published)
    if match is None:
        return False
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
