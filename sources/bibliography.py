"""Bibliographic data in and out: BibTeX, RIS and CSL-JSON, as reference managers (Zotero, Mendeley,
EndNote) export them.

In: `read_entries` turns a file into CSL-JSON items; `fill_sources` matches them to sources (by DOI,
else by title, case and spacing ignored) and copies their metadata. Out: `to_csljson` and `to_bibtex`.
"""

import json
import re
from dataclasses import dataclass, field

import bibtexparser
import rispy
from django.db import transaction
from pylatexenc.latex2text import LatexNodes2Text

from .citations import csl_item, date_parts
from .models import Source, SourceKind
from .names import clean_names, parse_name

MAX_ENTRIES = 5_000


class BibliographyError(ValueError):
    pass


# CSL item types as Warrant's kinds, and back to BibTeX and RIS types.
KINDS = {
    "book": SourceKind.BOOK,
    "chapter": SourceKind.BOOK_CHAPTER,
    "article-journal": SourceKind.ARTICLE,
    "article": SourceKind.ARTICLE,
    "article-newspaper": SourceKind.OP_ED,
    "article-magazine": SourceKind.OP_ED,
    "report": SourceKind.REPORT,
    "webpage": SourceKind.WEB_PAGE,
    "post-weblog": SourceKind.WEB_PAGE,
}
BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "misc": "document",
}
RIS_TYPES = {
    "JOUR": "article-journal",
    "BOOK": "book",
    "CHAP": "chapter",
    "RPRT": "report",
    "NEWS": "article-newspaper",
    "MGZN": "article-magazine",
    "ELEC": "webpage",
    "BLOG": "post-weblog",
}
TO_BIBTEX = {"article-journal": "article", "book": "book", "chapter": "incollection", "report": "techreport"}


def read_entries(filename: str, data: bytes) -> list[dict]:
    """The file's entries as CSL-JSON items; the format is told by the content, the name only breaks ties."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BibliographyError("The file is not UTF-8 text.") from error
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return _from_csljson(text)
    if re.search(r"^TY  - ", text, re.M):
        return _from_ris(text)
    if re.search(r"^\s*@\w+\s*[{(]", text, re.M):
        return _from_bibtex(text)
    raise BibliographyError("This is not a BibTeX (.bib), RIS (.ris) or CSL-JSON (.json) file.")


def _from_csljson(text: str) -> list[dict]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise BibliographyError(f"The CSL-JSON is not valid JSON: {error.msg} (line {error.lineno}).") from error
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BibliographyError("A CSL-JSON file holds a list of items.")
    return [_clean_item(i) for i in items[:MAX_ENTRIES]]


def _from_ris(text: str) -> list[dict]:
    try:
        entries = rispy.loads(text)
    except Exception as error:  # rispy raises bare exceptions on broken files
        raise BibliographyError(f"The RIS file could not be read: {error}") from error
    items = []
    for entry in entries[:MAX_ENTRIES]:
        names = entry.get("authors") or entry.get("first_authors") or []
        date = entry.get("date") or entry.get("publication_year") or entry.get("year") or ""
        item = {
            "type": RIS_TYPES.get(entry.get("type_of_reference", ""), "document"),
            "title": entry.get("title") or entry.get("primary_title") or "",
            "author": [parse_name(n) for n in names],
            "container-title": entry.get("secondary_title") or entry.get("journal_name") or "",
            "publisher": entry.get("publisher", ""),
            "publisher-place": entry.get("place_published", ""),
            "DOI": entry.get("doi", ""),
            "URL": (entry.get("urls") or [""])[0],
            "ISBN": entry.get("issn", "") if entry.get("type_of_reference") in ("BOOK", "CHAP") else "",
            "issued": _issued(str(date)),
        }
        items.append(_clean_item(item))
    return items


def _from_bibtex(text: str) -> list[dict]:
    library = bibtexparser.parse_string(text)
    latex = LatexNodes2Text()
    items = []
    for entry in library.entries[:MAX_ENTRIES]:
        raw = {f.key.lower(): str(f.value) for f in entry.fields}
        fields = {k: latex.latex_to_text(v) for k, v in raw.items() if k != "author"}
        # Names are split before LaTeX is decoded: "{United Nations}" in braces is one literal name.
        names = [
            {"literal": latex.latex_to_text(n.strip()[1:-1])}
            if n.strip().startswith("{") and n.strip().endswith("}")
            else parse_name(latex.latex_to_text(n))
            for n in re.split(r"\s+and\s+", raw.get("author", "").strip())
            if n.strip()
        ]
        date = fields.get("date") or "-".join(p for p in (fields.get("year", ""), _month(fields.get("month"))) if p)
        item = {
            "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "document"),
            "title": fields.get("title", ""),
            "author": names,
            "container-title": fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle", ""),
            "publisher": fields.get("publisher") or fields.get("institution", ""),
            "publisher-place": fields.get("address") or fields.get("location", ""),
            "DOI": fields.get("doi", ""),
            "URL": fields.get("url", ""),
            "ISBN": fields.get("isbn", ""),
            "issued": _issued(date),
        }
        items.append(_clean_item(item))
    return items


MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _month(value: str | None) -> str:
    value = (value or "").strip().lower()[:3]
    if value.isdigit():
        return f"{int(value):02d}"
    return f"{MONTHS.index(value) + 1:02d}" if value in MONTHS else ""


def _issued(date: str) -> dict:
    parts = [int(p) for p in re.findall(r"\d+", date)[:3]]
    if not parts or not 1000 <= parts[0] <= 9999:
        return {}
    return {"date-parts": [parts]}


def _clean_item(item: dict) -> dict:
    """Drop empty fields and braces BibTeX leaves ("{UN} Charter"), give names their CSL shape."""
    out = {}
    for key, value in item.items():
        if key == "author":
            names = clean_names(value if isinstance(value, list) else [])
            if names:
                out[key] = names
        elif isinstance(value, str) and value.strip():
            out[key] = " ".join(value.replace("{", "").replace("}", "").split())
        elif isinstance(value, dict) and value:
            out[key] = value
    return out


def _published(item: dict) -> str:
    try:
        parts = [int(p) for p in item["issued"]["date-parts"][0]][:3]
    except (KeyError, IndexError, TypeError, ValueError):
        return ""
    return "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])]) if parts else ""


def match_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", title.casefold()).split())


def doi_key(doi: str) -> str:
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi.strip().casefold())


@dataclass
class FillReport:
    filled: list[Source] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # titles (or DOIs) of entries that matched no source


def fill_sources(items: list[dict], sources) -> FillReport:
    """Copy each item's metadata onto the source it matches (DOI first, then title); one transaction."""
    by_doi, by_title = {}, {}
    for source in sources:
        if source.doi:
            by_doi.setdefault(doi_key(source.doi), source)
        by_title.setdefault(match_key(source.title), source)
    report = FillReport()
    with transaction.atomic():
        for item in items:
            source = by_doi.get(doi_key(item.get("DOI", ""))) if item.get("DOI") else None
            source = source or by_title.get(match_key(item.get("title", "")))
            if source is None:
                report.unmatched.append(item.get("title") or item.get("DOI") or "(an entry without a title)")
                continue
            _apply(source, item)
            if source not in report.filled:
                report.filled.append(source)
    return report


def _apply(source: Source, item: dict) -> None:
    values = {
        "title": item.get("title", "")[:500],
        "authors": item.get("author", []),
        "container_title": item.get("container-title", "")[:500],
        "publisher": item.get("publisher", "")[:300],
        "place": item.get("publisher-place", "")[:200],
        "published": _published(item)[:10],
        "url": item.get("URL", "")[:1000],
        "isbn": item.get("ISBN", "")[:20],
        "doi": item.get("DOI", "")[:200],
    }
    # A field the entry leaves empty keeps what the source had: a file never erases metadata.
    changed = [name for name, value in values.items() if value and getattr(source, name) != value]
    for name in changed:
        setattr(source, name, values[name])
    kind = KINDS.get(item.get("type", ""))
    if kind and source.kind != kind:
        source.kind = kind
        changed.append("kind")
    if changed:
        source.version += 1
        source.save(update_fields=[*changed, "version", "updated"])


# Out


def to_csljson(sources) -> list[dict]:
    return [csl_item(s) for s in sources]


def _bibtex_escape(value: str) -> str:
    return value.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}")


def bibtex_name(name: dict) -> str:
    if "literal" in name:
        return "{" + _bibtex_escape(name["literal"]) + "}"
    family = _bibtex_escape(" ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p))
    parts = [family]
    if name.get("suffix"):
        parts.append(_bibtex_escape(name["suffix"]))
    if name.get("given"):
        parts.append(_bibtex_escape(name["given"]))
    return ", ".join(parts)


def to_bibtex(sources) -> str:
    """One entry per source, keyed by its slug; names as "Family, Suffix, Given" or {Literal}."""
    out = []
    for source in sources:
        item = csl_item(source)
        fields = {"title": "{" + _bibtex_escape(source.title) + "}"}
        if item.get("author"):
            fields["author"] = "{" + " and ".join(bibtex_name(n) for n in item["author"]) + "}"
        container = "journal" if item["type"] == "article-journal" else "booktitle"
        parts = date_parts(source.published)
        plain = {
            container: source.container_title,
            "publisher": source.publisher,
            "address": source.place,
            "year": str(parts[0]) if parts else "",
            "month": str(parts[1]) if len(parts) > 1 else "",
            "date": source.published,
            "doi": source.doi,
            "url": source.url,
            "isbn": source.isbn,
            "language": source.language,
        }
        fields.update({k: "{" + _bibtex_escape(v) + "}" for k, v in plain.items() if v})
        body = ",\n".join(f"  {k} = {v}" for k, v in fields.items())
        out.append(f"@{TO_BIBTEX.get(item['type'], 'misc')}{{{source.slug},\n{body}\n}}\n")
    return "\n".join(out)
