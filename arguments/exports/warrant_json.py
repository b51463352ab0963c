"""Warrant JSON: everything in a map, in a versioned document (docs/warrant-json.md).

Exporting reads each table once with values_list, so the number of queries does not grow with the
map. Objects are named by export-local ids (s1, p1, c1, m1) given in a stable order, never by
database ids, so export -> import -> export gives the same bytes. Importing checks the whole
document before it writes anything, then writes it in one transaction with bulk inserts.
"""

from collections import defaultdict, deque
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from arguments.access import readable_sources
from arguments.models import ArgumentMap, Claim, Comment, Evidence, MapSource, Relation
from sources.models import AnchorStatus, Passage, Source

from .common import close_map, open_map, parse_document
from .json_reader import (
    FORMAT_NAME,
    GENERATOR,
    PASSAGE_FIELDS,
    REUSE_FIELDS,
    SCHEMA_VERSION,
    SOURCE_FIELDS,
    Plan,
    read_document,
)
from .rows import insert_rows

# Export


def export_map(argument_map: ArgumentMap) -> dict:
    """The whole map as a Warrant JSON document (a dict; write it with dumps())."""
    map_id = argument_map.pk
    source_rows = list(
        MapSource.objects.filter(map_id=map_id)
        .order_by("position", "id")
        .values_list("source_id", *(f"source__{name}" for name in SOURCE_FIELDS))
    )
    used = Evidence.objects.filter(map_id=map_id).values("passage_id")
    passage_rows = list(Passage.objects.filter(pk__in=used).values_list("id", "source_id", *PASSAGE_FIELDS))
    stray = {row[1] for row in passage_rows} - {row[0] for row in source_rows}
    if stray:  # evidence quoting a source the map does not list: keep it rather than lose the quote
        source_rows += Source.objects.filter(pk__in=stray).order_by("id").values_list("id", *SOURCE_FIELDS)
    claim_rows = Claim.objects.filter(map_id=map_id).order_by("id").values_list("id", "kind", "text")
    relation_rows = (
        Relation.objects.filter(map_id=map_id)
        .order_by("id")
        .values_list("from_claim_id", "to_claim_id", "kind", "scheme", "weight")
    )
    evidence_rows = (
        Evidence.objects.filter(map_id=map_id).order_by("id").values_list("passage_id", "claim_id", "stance", "note")
    )
    comment_rows = (
        Comment.objects.filter(claim__map_id=map_id)
        .order_by("id")
        .values_list("id", "claim_id", "parent_id", "author__username", "author_name", "body", "created")
    )

    source_ids = {row[0]: f"s{n}" for n, row in enumerate(source_rows, 1)}
    position = {row[0]: n for n, row in enumerate(source_rows)}
    passage_rows.sort(key=lambda row: (position[row[1]], *row[2:], row[0]))
    passage_ids = {row[0]: f"p{n}" for n, row in enumerate(passage_rows, 1)}
    by_source = defaultdict(list)
    for pk, source_id, *values in passage_rows:
        by_source[source_id].append({"id": passage_ids[pk], **dict(zip(PASSAGE_FIELDS, values, strict=True))})

    sources = []
    for source_id, *values in source_rows:
        entry = {"id": source_ids[source_id], **dict(zip(SOURCE_FIELDS, values, strict=True))}
        entry["passages"] = by_source[source_id]
        sources.append(entry)

    claims, claim_ids = [], {}
    for n, (pk, kind, text) in enumerate(claim_rows, 1):
        claim_ids[pk] = f"c{n}"
        claims.append({"id": f"c{n}", "kind": kind, "text": text})

    comments, comment_ids = [], {}
    for n, (pk, claim_id, parent_id, username, author_name, body, created) in enumerate(comment_rows, 1):
        comment_ids[pk] = f"m{n}"
        comments.append(
            {
                "id": f"m{n}",
                "claim": claim_ids[claim_id],
                "parent": comment_ids.get(parent_id),
                "author": username or author_name or None,
                "body": body,
                "created": created.astimezone(UTC).isoformat(),
            }
        )

    return {
        "schema_version": SCHEMA_VERSION,
        "generator": GENERATOR,
        "map": {
            "title": argument_map.title,
            "slug": argument_map.slug,
            "question": argument_map.question,
            "description": argument_map.description,
            "visibility": argument_map.visibility,
            "citation_style": argument_map.citation_style,
        },
        "sources": sources,
        "claims": claims,
        "relations": [
            {"from": claim_ids[a], "to": claim_ids[b], "kind": kind, "scheme": scheme, "weight": weight}
            for a, b, kind, scheme, weight in relation_rows
        ],
        "evidence": [
            {"passage": passage_ids[p], "claim": claim_ids[c], "stance": stance, "note": note}
            for p, c, stance, note in evidence_rows
        ],
        "comments": comments,
    }


# Import: json_reader checks the whole document into a Plan, then the plan is written.


def import_map(data, *, owner) -> ArgumentMap:
    """A new map owned by `owner` from a Warrant JSON document (dict, str or bytes).

    Raises ImportProblem, having written nothing, if any part of the document is wrong.
    """
    plan = read_document(parse_document(data))
    with transaction.atomic():
        return _write(plan, owner)


# Writing a checked plan (inside the caller's transaction).


def _write(plan: Plan, owner) -> ArgumentMap:
    # The file's visibility is read (and checked) but not followed: an import is always private.
    argument_map = open_map(owner=owner, **{k: v for k, v in plan.map.items() if k != "visibility"})
    source_ids, reused = _place_sources(plan.sources, owner)
    insert_rows(
        MapSource, ("source_id", "position"), [(pk, n) for n, pk in enumerate(source_ids)], map_id=argument_map.pk
    )
    passage_ids = _place_passages(plan.passages, source_ids, owner)
    same = {"map_id": argument_map.pk, "created_by_id": owner.pk}
    claim_ids = insert_rows(Claim, ("kind", "text"), plan.claims, **same)
    insert_rows(
        Relation,
        ("from_claim_id", "to_claim_id", "kind", "scheme", "weight"),
        [(claim_ids[a], claim_ids[b], kind, scheme, weight) for a, b, kind, scheme, weight in plan.relations],
        **same,
    )
    # Two entries of the document may name one passage of the database (see _place_passages): a claim
    # gets one piece of evidence per passage, the first.
    evidence = {(passage_ids[p], claim_ids[c]): (stance, note) for p, c, stance, note in reversed(plan.evidence)}
    insert_rows(
        Evidence,
        ("passage_id", "claim_id", "stance", "note"),
        [(pid, cid, stance, note) for (pid, cid), (stance, note) in reversed(evidence.items())],
        **same,
    )
    _place_comments(plan.comments, claim_ids)
    counts = {
        "sources": len(source_ids),
        "sources_reused": reused,
        "passages": sum(1 for p in plan.passages if p["used"]),
        "claims": len(claim_ids),
        "relations": len(plan.relations),
        "evidence": len(evidence),
        "comments": len(plan.comments),
    }
    return close_map(argument_map, owner=owner, imported_from=FORMAT_NAME, counts=counts)


def _place_sources(entries: list[dict], owner) -> tuple[list[int], int]:
    """Database ids of the document's sources: an existing Source with the same text and the same
    metadata is reused (each at most once) if the importer could already read it; any other is created.

    Only a readable source may be reused: a file naming the text and details of a private map's source
    must not give the importer that source (and, through their own map, the right to edit it). A
    readable source may still belong to a public map the importer cannot edit; reusing it is safe only
    because an edit of a shared source's text by someone who may not edit every map using it goes into
    a copy for their own map (arguments.services.source_text), never into the source itself.
    """
    pools: dict[str, deque] = defaultdict(deque)
    rows = (
        readable_sources(owner)
        .filter(sha256__in={e["sha256"] for e in entries})
        .order_by("id")
        .values("id", *REUSE_FIELDS)
    )
    for row in rows:
        pools[row["sha256"]].append(row)
    ids, reused = [], 0
    for entry in entries:
        wanted = {name: entry[name] for name in REUSE_FIELDS}
        match = next((row for row in pools[entry["sha256"]] if all(row[k] == v for k, v in wanted.items())), None)
        if match is not None:
            pools[entry["sha256"]].remove(match)
            ids.append(match["id"])
            reused += 1
            continue
        fields = {name: entry[name] for name in SOURCE_FIELDS if name != "sha256"}
        source = Source(**fields, added_by=owner)
        source.save()  # derives sha256 and a unique slug
        ids.append(source.pk)
    return ids, reused


def _place_passages(passages: list[dict], source_ids: list[int], owner) -> list[int | None]:
    """Database ids of the document's passages (None for one no evidence uses): an identical passage
    already stored on a reused source is shared, any other is created. A placed passage is one per span
    (see sources.models.Passage), so placed entries on one span, stored or in the document, are one."""
    pools: dict[tuple, deque] = defaultdict(deque)
    rows = (
        Passage.objects.filter(source_id__in=set(source_ids))
        .order_by("id")
        .values_list("id", "source_id", *PASSAGE_FIELDS)
    )
    placed: dict[tuple, int] = {}  # (source id, start, end) -> the placed passage there
    for pk, *key in rows:
        pools[tuple(key)].append(pk)
        if key[-1] != AnchorStatus.ORPHANED:
            placed[tuple(key[:3])] = pk
    ids: list[int | None] = [None] * len(passages)
    new: list[tuple[int, tuple]] = []  # (index in the document, column values)
    new_spans: dict[tuple, int] = {}  # (source id, start, end) of a placed passage to create -> its first entry
    same_as: dict[int, int] = {}  # a later entry on such a span -> that first entry
    for n, p in enumerate(passages):
        if not p["used"]:
            continue
        key = (source_ids[p["source"]], *(p[name] for name in PASSAGE_FIELDS))
        span = key[:3] if p["anchor_status"] != AnchorStatus.ORPHANED else None
        pool = pools.get(key)
        if span in placed:
            ids[n] = placed[span]
        elif pool:
            ids[n] = pool.popleft()
        elif span in new_spans:
            same_as[n] = new_spans[span]  # the row the first entry on this span will have
        else:
            if span is not None:
                new_spans[span] = n
            new.append((n, key))
    created = insert_rows(Passage, ("source_id", *PASSAGE_FIELDS), [key for _, key in new], created_by_id=owner.pk)
    for (n, _), pk in zip(new, created, strict=True):
        ids[n] = pk
    for n, first in same_as.items():
        ids[n] = ids[first]
    return ids


def _place_comments(comments: list[tuple], claim_ids: list[int]) -> None:
    now = timezone.now()  # what bulk_create would stamp; the document's time where it gives one
    ids = insert_rows(
        Comment,
        ("claim_id", "author_name", "body", "created"),
        [(claim_ids[c], author, body, now if created is None else created) for c, _, author, body, created in comments],
    )
    # A reply's parent is an earlier comment of the same document, known only once it is written.
    replies = [
        Comment(pk=pk, parent_id=ids[parent])
        for pk, (_, parent, _, _, _) in zip(ids, comments, strict=True)
        if parent is not None
    ]
    if replies:
        Comment.objects.bulk_update(replies, ["parent"], batch_size=500)
