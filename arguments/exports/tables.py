"""CSV export: a zip holding one CSV per table, for spreadsheets and data frames.

sources.csv, passages.csv, claims.csv, relations.csv, evidence.csv and comments.csv, each with a
header row, database ids, UTF-8 with a byte order mark (so spreadsheet programs detect the
encoding) and CRLF line ends. Six queries, whatever the size of the map.

Only what belongs to this map is written: its sources (and any source its evidence quotes), and
of those sources' passages only the ones this map's evidence uses — a source shared with another
map does not leak that map's passages. Source texts are left out (a spreadsheet cell holds 32,767
characters); Warrant JSON carries them.

Free-text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or
carriage return) are prefixed with an apostrophe, the usual guard against CSV injection; so this
export is for reading, and Warrant JSON is the lossless one.
"""

import csv
import io
import zipfile
from datetime import UTC

from django.db.models import Q

from arguments.models import ArgumentMap, Claim, Comment, Evidence, MapSource, Relation
from sources.models import Passage, Source
from sources.names import names_field

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

SOURCE_COLUMNS = (
    "id",
    "title",
    "authors",
    "published",
    "kind",
    "container_title",
    "publisher",
    "place",
    "url",
    "isbn",
    "doi",
    "language",
    "revision",
    "sha256",
)
PASSAGE_COLUMNS = ("id", "source_id", "start", "end", "exact", "prefix", "suffix", "anchor_status")
CLAIM_COLUMNS = ("id", "kind", "text", "created", "updated")
RELATION_COLUMNS = ("id", "from_claim_id", "to_claim_id", "kind", "scheme", "weight", "created")
EVIDENCE_COLUMNS = ("id", "passage_id", "claim_id", "stance", "note", "created")
COMMENT_COLUMNS = ("id", "claim_id", "parent_id", "body", "created", "updated")


TEXT_COLUMNS = {"title", "authors", "container_title", "publisher", "place", "exact", "prefix", "suffix", "text"}
TEXT_COLUMNS |= {"scheme", "note", "body", "url", "isbn", "doi"}
TIME_COLUMNS = {"created", "updated"}


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _authors(value) -> str:
    # Names as the upload form takes them ("Ana Lima; {United Nations}"), so a table reads and types back.
    return _text(names_field(value)) if isinstance(value, list) else _text(str(value or ""))


def _time(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if value else ""


def _csv(header: tuple[str, ...], rows) -> bytes:
    """CSV text for `rows`; only the columns that need it are converted (None is written as empty)."""
    convert = {
        n: _authors if name == "authors" else _text if name in TEXT_COLUMNS else _time
        for n, name in enumerate(header)
        if name in TEXT_COLUMNS or name in TIME_COLUMNS
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    if convert:
        fixed = []
        for row in rows:
            row = list(row)
            for n, fn in convert.items():
                if row[n] is not None:
                    row[n] = fn(row[n])
            fixed.append(row)
        rows = fixed
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def export_tables(argument_map: ArgumentMap) -> bytes:
    map_id = argument_map.pk
    evidence = Evidence.objects.filter(map_id=map_id).order_by("id").values_list(*EVIDENCE_COLUMNS)
    used = Evidence.objects.filter(map_id=map_id).values("passage_id")
    passages = Passage.objects.filter(pk__in=used).order_by("id").values_list(*PASSAGE_COLUMNS)
    listed = MapSource.objects.filter(map_id=map_id).values("source_id")
    quoted = Passage.objects.filter(pk__in=used).values("source_id")
    sources = Source.objects.filter(Q(pk__in=listed) | Q(pk__in=quoted)).order_by("id").values_list(*SOURCE_COLUMNS)
    claims = Claim.objects.filter(map_id=map_id).order_by("id").values_list(*CLAIM_COLUMNS)
    relations = Relation.objects.filter(map_id=map_id).order_by("id").values_list(*RELATION_COLUMNS)
    comments = Comment.objects.filter(claim__map_id=map_id).order_by("id").values_list(*COMMENT_COLUMNS)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows in (
            ("sources.csv", SOURCE_COLUMNS, sources),
            ("passages.csv", PASSAGE_COLUMNS, passages),
            ("claims.csv", CLAIM_COLUMNS, claims),
            ("relations.csv", RELATION_COLUMNS, relations),
            ("evidence.csv", EVIDENCE_COLUMNS, evidence),
            ("comments.csv", COMMENT_COLUMNS, comments),
        ):
            archive.writestr(name, _csv(header, rows))
    return buffer.getvalue()
