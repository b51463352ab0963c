"""Reading a Warrant JSON document: every check the importer makes before it writes anything.

read_document() turns an untrusted dict into a Plan of plain, checked values that refer to each other
by position; warrant_json.py writes a Plan. Every refusal is an ImportProblem naming the offending
part of the document ("claims[3].kind").
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from arguments.models import ClaimKind, RelationKind, Stance, Visibility
from sources.citations import style_key
from sources.models import CONTEXT_CHARS, AnchorStatus, SourceFormat, SourceKind
from sources.names import NAME_PARTS, clean_name

from .common import (
    MAX_CLAIMS,
    ImportProblem,
    need_dict,
    need_int,
    need_list,
    need_ref,
    need_text,
    need_unit_float,
    show,
)

SCHEMA_VERSION = "1.2"
GENERATOR = "Warrant"
FORMAT_NAME = "warrant-json"
READABLE_VERSION = re.compile(r"1\.\d{1,4}")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")

MAX_SOURCES = 1_000
MAX_PASSAGES = 200_000
MAX_RELATIONS = 200_000
MAX_EVIDENCE = 200_000
MAX_COMMENTS = 100_000
MAX_AUTHOR_NAME_CHARS = 150  # Comment.author_name
MAX_CLAIM_CHARS = 100_000

# A source's fields in the order they are written, with the longest value each may hold.
SOURCE_STRINGS = {
    "title": 500,
    "container_title": 500,
    "publisher": 300,
    "place": 200,
    "published": 10,
    "language": 20,
    "url": 1000,
    "isbn": 20,
    "doi": 200,
    "notes": 100_000,
    "original_name": 255,
}
SOURCE_FIELDS = (
    "title",
    "authors",
    "container_title",
    "publisher",
    "place",
    "published",
    "kind",
    "language",
    "url",
    "isbn",
    "doi",
    "notes",
    "original_name",
    "original_format",
    "revision",
    "sha256",
    "text",
)
# What must match for an existing Source to stand in for a document's source (sha256 covers the text).
REUSE_FIELDS = tuple(name for name in SOURCE_FIELDS if name != "text")
PASSAGE_FIELDS = ("start", "end", "exact", "prefix", "suffix", "anchor_status")
# Each choice list once: `Choices.values` builds a new list every time it is read.
VISIBILITIES = tuple(Visibility.values)
SOURCE_KINDS = tuple(SourceKind.values)
SOURCE_FORMATS = tuple(SourceFormat.values)
ANCHOR_STATUSES = tuple(AnchorStatus.values)
CLAIM_KINDS = tuple(ClaimKind.values)
RELATION_KINDS = tuple(RelationKind.values)
STANCES = tuple(Stance.values)


@dataclass
class Plan:
    map: dict
    sources: list[dict] = field(default_factory=list)  # fields of Source, plus "passages": [passage index]
    passages: list[dict] = field(default_factory=list)  # fields of Passage, plus "source": source index
    claims: list[tuple[str, str]] = field(default_factory=list)
    relations: list[tuple] = field(default_factory=list)
    evidence: list[tuple] = field(default_factory=list)
    comments: list[tuple] = field(default_factory=list)


def read_document(doc: dict) -> Plan:
    version = need_text(doc.get("schema_version"), "schema_version", limit=20)
    if not READABLE_VERSION.fullmatch(version):
        raise ImportProblem(f"{show(version)} is not a version this Warrant reads (1.x)", where="schema_version")
    plan = Plan(map=_read_map(need_dict(doc.get("map"), "map")))
    passage_index = _read_sources(doc, plan)
    claim_index = _read_claims(doc, plan)
    _read_relations(doc, plan, claim_index)
    _read_evidence(doc, plan, passage_index, claim_index)
    _read_comments(doc, plan, claim_index)
    return plan


def _read_map(m: dict) -> dict:
    slug = need_text(m.get("slug"), "map.slug", limit=80, default="")
    if slug and not SLUG.fullmatch(slug):
        raise ImportProblem(f"{show(slug)} is not a slug (letters, digits, hyphens, underscores)", where="map.slug")
    return {
        "title": need_text(m.get("title"), "map.title", limit=200, blank=False),
        "slug": slug,
        "question": need_text(m.get("question"), "map.question", default=""),
        "description": need_text(m.get("description"), "map.description", default=""),
        "visibility": need_text(
            m.get("visibility"), "map.visibility", choices=VISIBILITIES, default=Visibility.PRIVATE.value
        ),
        # Since schema 1.2; an unknown style (from a newer Warrant) falls back to the default.
        "citation_style": style_key(need_text(m.get("citation_style"), "map.citation_style", limit=40, default="")),
    }


def _local_id(value, where: str, seen: dict) -> str:
    local = need_text(value, where, limit=64, blank=False)
    if local in seen:
        raise ImportProblem(f"{show(local)} is used twice", where=where)
    return local


def _read_sources(doc: dict, plan: Plan) -> dict[str, int]:
    source_ids: dict[str, int] = {}
    passage_index: dict[str, int] = {}
    check_url = URLValidator()
    for i, item in enumerate(need_list(doc.get("sources"), "sources", limit=MAX_SOURCES, missing_ok=True)):
        where = f"sources[{i}]"
        item = need_dict(item, where)
        source_ids[_local_id(item.get("id"), f"{where}.id", source_ids)] = i
        entry = {
            name: need_text(item.get(name), f"{where}.{name}", limit=n, default="")
            for name, n in SOURCE_STRINGS.items()
        }
        if not entry["title"].strip():
            raise ImportProblem("must not be empty", where=f"{where}.title")
        authors = need_list(item.get("authors"), f"{where}.authors", limit=200, missing_ok=True)
        entry["authors"] = [_author(a, f"{where}.authors[{k}]") for k, a in enumerate(authors)]
        entry["kind"] = need_text(item.get("kind"), f"{where}.kind", choices=SOURCE_KINDS, default="other")
        entry["original_format"] = need_text(
            item.get("original_format"), f"{where}.original_format", choices=SOURCE_FORMATS, default="txt"
        )
        entry["revision"] = (
            1 if item.get("revision") is None else need_int(item["revision"], f"{where}.revision", low=1)
        )
        if entry["url"]:
            try:
                check_url(entry["url"])
            except ValidationError:
                raise ImportProblem(
                    f"{show(entry['url'])} is not an http(s) or ftp URL", where=f"{where}.url"
                ) from None
        text = entry["text"] = need_text(item.get("text"), f"{where}.text")
        entry["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        given = need_text(item.get("sha256"), f"{where}.sha256", limit=64, default=entry["sha256"])
        if given != entry["sha256"]:
            raise ImportProblem(
                "does not match the SHA-256 of the text (was the text changed?)", where=f"{where}.sha256"
            )
        entry["passages"] = []
        passages = need_list(item.get("passages"), f"{where}.passages", limit=MAX_PASSAGES, missing_ok=True)
        for j, p in enumerate(passages):
            if len(plan.passages) >= MAX_PASSAGES:
                raise ImportProblem(f"more than {MAX_PASSAGES} passages in all", where=f"{where}.passages")
            pw = f"{where}.passages[{j}]"
            p = need_dict(p, pw)
            passage_index[_local_id(p.get("id"), f"{pw}.id", passage_index)] = len(plan.passages)
            plan.passages.append(_read_passage(p, pw, text, i))
        plan.sources.append(entry)
    return passage_index


def _read_passage(p: dict, where: str, text: str, source: int) -> dict:
    start = need_int(p.get("start"), f"{where}.start")
    end = need_int(p.get("end"), f"{where}.end")
    if end <= start:
        raise ImportProblem(f"{end} must be greater than start ({start})", where=f"{where}.end")
    passage = {
        "source": source,
        "start": start,
        "end": end,
        "exact": need_text(p.get("exact"), f"{where}.exact"),
        "prefix": need_text(p.get("prefix"), f"{where}.prefix", limit=CONTEXT_CHARS, default=""),
        "suffix": need_text(p.get("suffix"), f"{where}.suffix", limit=CONTEXT_CHARS, default=""),
        "anchor_status": need_text(
            p.get("anchor_status"), f"{where}.anchor_status", choices=ANCHOR_STATUSES, default="anchored"
        ),
        "used": False,
    }
    # The model's invariant, checked here because bulk_create skips save(): orphans keep an old quote.
    if passage["anchor_status"] != AnchorStatus.ORPHANED:
        if end > len(text):
            raise ImportProblem(
                f"{end} is past the end of the source text ({len(text)} characters)", where=f"{where}.end"
            )
        if text[start:end] != passage["exact"]:
            raise ImportProblem(
                f"the source text at {start}..{end} is {show(text[start:end])}, not the quote", where=f"{where}.exact"
            )
    return passage


def _read_claims(doc: dict, plan: Plan) -> dict[str, int]:
    claim_index: dict[str, int] = {}
    for i, item in enumerate(need_list(doc.get("claims"), "claims", limit=MAX_CLAIMS, missing_ok=True)):
        where = f"claims[{i}]"
        item = need_dict(item, where)
        claim_index[_local_id(item.get("id"), f"{where}.id", claim_index)] = i
        kind = need_text(item.get("kind"), f"{where}.kind", choices=CLAIM_KINDS, default=ClaimKind.CLAIM.value)
        plan.claims.append((kind, need_text(item.get("text"), f"{where}.text", limit=MAX_CLAIM_CHARS, blank=False)))
    return claim_index


def _read_relations(doc: dict, plan: Plan, claims: dict[str, int]) -> None:
    seen: dict[tuple[int, int], int] = {}
    for i, item in enumerate(need_list(doc.get("relations"), "relations", limit=MAX_RELATIONS, missing_ok=True)):
        where = f"relations[{i}]"
        item = need_dict(item, where)
        a = need_ref(item.get("from"), f"{where}.from", claims, "claim")
        b = need_ref(item.get("to"), f"{where}.to", claims, "claim")
        if a == b:
            raise ImportProblem("a claim cannot support or oppose itself", where=where)
        if (a, b) in seen:
            raise ImportProblem(f"repeats relations[{seen[a, b]}] (one relation per pair of claims)", where=where)
        seen[a, b] = i
        kind = need_text(item.get("kind"), f"{where}.kind", choices=RELATION_KINDS)
        scheme = need_text(item.get("scheme"), f"{where}.scheme", limit=100, default="")
        plan.relations.append((a, b, kind, scheme, need_unit_float(item.get("weight"), f"{where}.weight")))


def _read_evidence(doc: dict, plan: Plan, passages: dict[str, int], claims: dict[str, int]) -> None:
    seen: dict[tuple[int, int], int] = {}
    for i, item in enumerate(need_list(doc.get("evidence"), "evidence", limit=MAX_EVIDENCE, missing_ok=True)):
        where = f"evidence[{i}]"
        item = need_dict(item, where)
        p = need_ref(item.get("passage"), f"{where}.passage", passages, "passage")
        c = need_ref(item.get("claim"), f"{where}.claim", claims, "claim")
        if (p, c) in seen:
            raise ImportProblem(f"repeats evidence[{seen[p, c]}] (a passage is linked to a claim once)", where=where)
        seen[p, c] = i
        stance = need_text(item.get("stance"), f"{where}.stance", choices=STANCES)
        plan.evidence.append((p, c, stance, need_text(item.get("note"), f"{where}.note", default="")))
        plan.passages[p]["used"] = True


def _read_comments(doc: dict, plan: Plan, claims: dict[str, int]) -> None:
    earlier: dict[str, int] = {}
    for i, item in enumerate(need_list(doc.get("comments"), "comments", limit=MAX_COMMENTS, missing_ok=True)):
        where = f"comments[{i}]"
        item = need_dict(item, where)
        local = _local_id(item.get("id"), f"{where}.id", earlier)
        claim = need_ref(item.get("claim"), f"{where}.claim", claims, "claim")
        parent = item.get("parent")
        if parent is not None:
            parent = need_ref(parent, f"{where}.parent", earlier, "earlier comment")
        author = need_text(item.get("author"), f"{where}.author", limit=MAX_AUTHOR_NAME_CHARS, default="")
        body = need_text(item.get("body"), f"{where}.body", limit=MAX_CLAIM_CHARS, blank=False)
        created = item.get("created")
        if created is not None:
            created = _read_time(need_text(created, f"{where}.created", limit=40), f"{where}.created")
        plan.comments.append((claim, parent, author, body, created))
        earlier[local] = i


def _read_time(value: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ImportProblem(f"{show(value)} is not an ISO 8601 date and time", where=where) from None
    if moment.tzinfo is None:
        raise ImportProblem(f"{show(value)} has no time zone (write +00:00 or Z)", where=where)
    return moment


def _author(value, where: str) -> dict:
    """A CSL name object, or (schema 1.1 and before) a name as a string, parsed into one."""
    if isinstance(value, str):
        name = clean_name(need_text(value, where, limit=300))
    elif isinstance(value, dict):
        for part in NAME_PARTS:
            if part in value:
                need_text(value[part], f"{where}.{part}", limit=300)
        name = clean_name(value)
    else:
        raise ImportProblem("must be a name: a string or an object with family/given/suffix or literal", where=where)
    if not name:
        raise ImportProblem("must not be empty", where=where)
    return name
