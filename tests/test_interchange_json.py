"""Warrant JSON: byte-identical round trips, clear refusals, fixed query counts, the commands."""

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arguments import services
from arguments.demo import load_demo
from arguments.exports.aif_export import export_aif
from arguments.exports.common import ImportProblem, dumps
from arguments.exports.rows import insert_rows
from arguments.exports.warrant_json import export_map, import_map
from arguments.models import ArgumentMap, Claim, Comment, Event, Evidence, MapSource, Membership, Relation, Role
from sources.models import Passage, Source

from .factories import grow_map, make_map, make_source, make_user

pytestmark = pytest.mark.django_db

MODELS = (ArgumentMap, Membership, MapSource, Claim, Relation, Evidence, Comment, Event, Source, Passage)
HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo():
    argument_map = load_demo(password="demo-pass").map
    claims = list(argument_map.claims.order_by("id")[:2])
    owner = argument_map.memberships.get(role=Role.OWNER).user
    first = services.add_comment(claim=claims[0], actor=owner, body="Is this **really** so? 🤔")
    services.add_comment(claim=claims[0], actor=None, body="Yes: see Phillips.", parent=first)
    services.add_comment(claim=claims[1], actor=owner, body="多边主义")
    return argument_map


@pytest.fixture
def small_map(owner):
    argument_map = make_map(owner, title="Small map")
    source = make_source("Small source", text="Alpha beta gamma. Delta epsilon 😀 zeta. Eta theta.")
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    thesis = services.create_claim(argument_map=argument_map, actor=owner, text="Thesis", kind="thesis")
    pro = services.create_claim(argument_map=argument_map, actor=owner, text="Pro")
    con = services.create_claim(argument_map=argument_map, actor=owner, text="Con")
    services.create_relation(argument_map=argument_map, actor=owner, from_claim=pro, to_claim=thesis, kind="supports")
    services.create_relation(argument_map=argument_map, actor=owner, from_claim=con, to_claim=thesis, kind="opposes")
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=17, claim=pro, stance="supports"
    )
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=18, end=39, claim=con, stance="states", note="n"
    )
    services.add_comment(claim=thesis, actor=owner, body="A comment")
    return argument_map


@pytest.fixture
def small_doc(small_map) -> dict:
    return export_map(small_map)


def private(document: dict) -> str:
    """The document as an import gives it back: the same, except that the map is private."""
    return dumps({**document, "map": {**document["map"], "visibility": "private"}})


def test_demo_round_trip_is_byte_identical_but_private(demo):
    document = export_map(demo)
    first = dumps(document)
    assert document["map"]["visibility"] == "public"
    uploader = demo.memberships.get(role=Role.OWNER).user  # added the demo's sources, so may still read them
    slug = demo.slug
    demo.delete()
    sources_before = Source.objects.count()
    imported = import_map(first, owner=uploader)
    assert imported.slug == slug and imported.visibility == "private"
    assert dumps(export_map(imported)) == private(document)
    assert Source.objects.count() == sources_before  # the library's identical sources were reused
    assert imported.import_counts["sources_reused"] == 3


def test_round_trip_into_an_empty_library_is_byte_identical_but_private(demo, owner):
    document = export_map(demo)
    source_ids = list(demo.sources.values_list("pk", flat=True))
    demo.delete()
    Source.objects.filter(pk__in=source_ids).delete()
    imported = import_map(dumps(document).encode("utf-8"), owner=owner)
    assert imported.import_counts["sources_reused"] == 0
    assert dumps(export_map(imported)) == private(document)


def test_importing_beside_the_original_changes_only_the_slug_and_visibility(demo, owner):
    first = dumps(export_map(demo))
    imported = import_map(first, owner=owner)
    assert imported.slug != demo.slug
    assert imported.import_counts["sources_reused"] == 3  # a public map's sources: anyone may read them
    second = dumps(export_map(imported))
    a, b = first.splitlines(), second.splitlines()
    assert len(a) == len(b)
    changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    assert changed == [
        (f'    "slug": "{demo.slug}",', f'    "slug": "{imported.slug}",'),
        ('    "visibility": "public",', '    "visibility": "private",'),
    ]


def test_import_writes_the_map_with_one_event_and_its_owner(small_doc, outsider):
    before = Event.objects.count()
    imported = import_map(small_doc, owner=outsider)
    assert Event.objects.count() == before + 1
    event = imported.events.get()
    assert (event.verb, event.object_type, event.actor) == ("created", "argumentmap", outsider)
    assert event.payload["imported_from"] == "warrant-json"
    assert event.payload["counts"]["claims"] == 3
    assert imported.memberships.get().role == Role.OWNER
    assert imported.memberships.get().user == outsider
    assert imported.revision == 1
    assert Comment.objects.filter(claim__map=imported).get().author is None  # authors are not exported


def test_document_uses_local_ids_and_documented_keys(small_doc, owner):
    assert list(small_doc) == [
        "schema_version",
        "generator",
        "map",
        "sources",
        "claims",
        "relations",
        "evidence",
        "comments",
    ]
    assert small_doc["schema_version"] == "1.2"
    assert [c["id"] for c in small_doc["claims"]] == ["c1", "c2", "c3"]
    source = small_doc["sources"][0]
    assert source["id"] == "s1" and [p["id"] for p in source["passages"]] == ["p1", "p2"]
    assert "original" not in source and len(source["sha256"]) == 64
    assert small_doc["relations"][0] == {"from": "c2", "to": "c1", "kind": "supports", "scheme": "", "weight": None}
    assert small_doc["evidence"][1] == {"passage": "p2", "claim": "c3", "stance": "states", "note": "n"}
    comment = small_doc["comments"][0]
    assert list(comment) == ["id", "claim", "parent", "author", "body", "created"]
    assert comment["author"] == owner.username
    assert comment["created"].endswith("+00:00")
    text = dumps(small_doc)
    assert text.endswith("}\n") and "😀" in text and json.loads(text) == small_doc


def _set(doc: dict, path: tuple, value) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


BROKEN = [
    (("claims", 0, "kind"), "thesi", "claims[0].kind: 'thesi' is not one of thesis, claim"),
    (("claims", 1, "text"), "  ", "claims[1].text: must not be empty"),
    (("claims", 1, "text"), "a\x00b", "claims[1].text: contains a NUL character"),
    (("claims", 1, "id"), "c1", "claims[1].id: 'c1' is used twice"),
    (("relations", 0, "to"), "c2", "relations[0]: a claim cannot support or oppose itself"),
    (("relations", 1, "from"), "c2", "relations[1]: repeats relations[0]"),
    (("relations", 0, "to"), "c99", "relations[0].to: 'c99' is not the id of any claim"),
    (("relations", 0, "weight"), 1.5, "relations[0].weight: 1.5 is not between 0 and 1"),
    (("relations", 0, "kind"), None, "relations[0].kind: expected a string, found null"),
    (("evidence", 0, "stance"), "proves", "evidence[0].stance: 'proves' is not one of states, supports, opposes"),
    (("evidence", 1, "passage"), "p1", None),  # p1 -> c3 is new: allowed
    (("evidence", 0, "passage"), 7, "evidence[0].passage: expected the id of a passage, found a number"),
    (("sources", 0, "passages", 0, "exact"), "Alpha beta", "sources[0].passages[0].exact: the source text at 0..17"),
    (("sources", 0, "passages", 0, "end"), 0, "sources[0].passages[0].end: 0 must be greater than start (0)"),
    (("sources", 0, "passages", 1, "end"), 999, "sources[0].passages[1].end: 999 is past the end of the source"),
    (("sources", 0, "passages", 1, "start"), -1, "sources[0].passages[1].start: -1 is outside"),
    (("sources", 0, "passages", 1, "start"), True, "sources[0].passages[1].start: expected a whole number"),
    (("sources", 0, "text"), "Changed.", "sources[0].sha256: does not match"),
    (("sources", 0, "url"), "javascript:alert(1)", "sources[0].url: 'javascript:alert(1)' is not"),
    (("sources", 0, "kind"), "novel", "sources[0].kind: 'novel' is not one of book"),
    (("sources",), {}, "sources: expected a list, found an object"),
    (("map", "visibility"), "secret", "map.visibility: 'secret' is not one of private, public"),
    (("map", "slug"), "no spaces", "map.slug: 'no spaces' is not a slug"),
    (("map",), None, "map: expected an object, found null"),
    (("schema_version",), "2.0", "schema_version: '2.0' is not a version this Warrant reads"),
    (("comments", 0, "parent"), "m1", "comments[0].parent: 'm1' is not the id of any earlier comment"),
    (("comments", 0, "created"), "2024-01-01T10:00:00", "comments[0].created: '2024-01-01T10:00:00' has no time"),
    (("comments", 0, "claim"), "c9", "comments[0].claim: 'c9' is not the id of any claim"),
]


@pytest.mark.parametrize(("path", "value", "message"), BROKEN)
def test_broken_documents_are_refused_with_a_clear_message(small_doc, outsider, path, value, message):
    broken = _set(small_doc, path, value)
    before = row_counts()
    if message is None:
        import_map(broken, owner=outsider)
        return
    with pytest.raises(ImportProblem) as caught:
        import_map(broken, owner=outsider)
    assert str(caught.value).startswith(message), str(caught.value)
    assert row_counts() == before


@pytest.mark.parametrize(
    "data", [b"\xff\xfe\x00", "[1, 2]", "{", '{"schema_version": "1.0", "map": NaN}', 42, "1" * 5000]
)
def test_unreadable_input_is_refused(data, outsider):
    before = row_counts()
    with pytest.raises(ImportProblem):
        import_map(data, owner=outsider)
    assert row_counts() == before


def test_export_takes_the_same_few_queries_at_any_size(owner):
    counts = []
    for size in (5, 60):
        argument_map = make_map(owner)
        grow_map(argument_map, make_source(added_by=owner), claims=size, actor=owner)
        claim = argument_map.claims.first()
        services.add_comment(claim=claim, actor=owner, body="One")
        with CaptureQueriesContext(connection) as queries:
            document = export_map(argument_map)
        assert len(document["claims"]) == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 7


def test_import_takes_the_same_few_queries_at_any_size(owner, outsider):
    counts = []
    for size in (5, 60):
        argument_map = make_map(owner)
        grow_map(argument_map, make_source(added_by=owner), claims=size, actor=owner)
        claim = argument_map.claims.first()
        first = services.add_comment(claim=claim, actor=owner, body="One")
        services.add_comment(claim=claim, actor=owner, body="Two", parent=first)
        document = export_map(argument_map)
        with CaptureQueriesContext(connection) as queries:
            imported = import_map(document, owner=outsider)
        assert imported.claims.count() == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_imported_rows_carry_the_importer_defaults_and_times(small_doc, outsider):
    small_doc["sources"][0]["title"] = "Not the stored source"  # so that its passages are written anew
    before = timezone.now()
    imported = import_map(small_doc, owner=outsider)
    for rows in (imported.claims, imported.relations, imported.evidence):
        assert set(rows.values_list("created_by", "version")) == {(outsider.pk, 1)}
        assert all(before <= created <= timezone.now() for created in rows.values_list("created", flat=True))
    claim = imported.claims.get(text="Thesis")
    assert (claim.kind, claim.updated >= before) == ("thesis", True)
    passage = Passage.objects.get(evidence__map=imported, evidence__stance="states")
    assert (passage.created_by, passage.version, passage.anchor_status) == (outsider, 1, "anchored")
    comment = Comment.objects.get(claim__map=imported)
    assert comment.created.isoformat() == small_doc["comments"][0]["created"]
    assert (comment.author, comment.parent, comment.updated >= before) == (None, None, True)
    # The author travels as a name, never as an account of this site (see docs/warrant-json.md).
    assert comment.author_name == small_doc["comments"][0]["author"] != ""
    assert comment.byline == comment.author_name


def test_comment_authors_survive_a_second_round_trip_as_names(small_doc, owner, outsider):
    first = import_map(small_doc, owner=outsider)
    again = export_map(first)
    assert [c["author"] for c in again["comments"]] == [c["author"] for c in small_doc["comments"]]
    assert Comment.objects.get(claim__map=first).author is None


@pytest.mark.parametrize(
    ("author", "message"),
    [(7, "comments[0].author: expected a string, found a number"), ("x" * 151, "comments[0].author: longer than 150")],
)
def test_a_bad_comment_author_is_refused(small_doc, outsider, author, message):
    small_doc["comments"][0]["author"] = author
    with pytest.raises(ImportProblem) as problem:
        import_map(small_doc, owner=outsider)
    assert message in str(problem.value)


def test_a_comment_without_an_author_reads_as_unknown(small_doc, outsider):
    del small_doc["comments"][0]["author"]
    imported = import_map(small_doc, owner=outsider)
    assert export_map(imported)["comments"][0]["author"] is None


# Property tests: random maps survive the round trip byte for byte; junk never gets past ImportProblem.

TEXT_CHARS = st.one_of(st.characters(codec="utf-8", exclude_characters="\x00"), st.sampled_from("漢字語😀🎉👩‍🔬é \n"))
TEXT = st.text(TEXT_CHARS, max_size=30)
SOME_TEXT = TEXT.filter(lambda s: s.strip())


@st.composite
def map_specs(draw) -> dict:
    n_claims = draw(st.integers(1, 6))
    pairs = [(a, b) for a in range(n_claims) for b in range(n_claims) if a != b]
    relations = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=8)) if pairs else []
    texts = draw(st.lists(st.text(TEXT_CHARS, min_size=1, max_size=60), min_size=1, max_size=2))
    quotes = []
    for _ in range(draw(st.integers(0, 6))):
        s = draw(st.integers(0, len(texts) - 1))
        start = draw(st.integers(0, len(texts[s]) - 1))
        end = draw(st.integers(start + 1, len(texts[s])))
        quotes.append((s, start, end, draw(st.integers(0, n_claims - 1)), draw(st.sampled_from(STANCES)), draw(TEXT)))
    return {
        "title": draw(SOME_TEXT),
        "question": draw(TEXT),
        "description": draw(TEXT),
        "visibility": draw(st.sampled_from(["private", "public"])),
        "claims": draw(
            st.lists(st.tuples(st.sampled_from(["thesis", "claim"]), SOME_TEXT), min_size=n_claims, max_size=n_claims)
        ),
        "relations": [
            (a, b, draw(st.sampled_from(["supports", "opposes"])), draw(st.text(TEXT_CHARS, max_size=10)), draw(WEIGHT))
            for a, b in relations
        ],
        "sources": [(draw(SOME_TEXT), text) for text in texts],
        "quotes": quotes,
        "orphan": draw(st.none() | st.text(TEXT_CHARS, max_size=10)),
        "comments": draw(st.lists(st.tuples(st.integers(0, n_claims - 1), SOME_TEXT, st.integers(-1, 5)), max_size=4)),
        "fresh_library": draw(st.booleans()),
    }


STANCES = ["states", "supports", "opposes"]
WEIGHT = st.none() | st.floats(0, 1)


def build_map(spec: dict, owner) -> ArgumentMap:
    m = services.create_map(
        owner=owner,
        title=spec["title"],
        question=spec["question"],
        description=spec["description"],
        visibility=spec["visibility"],
    )
    sources = [make_source(title, text=text, added_by=owner) for title, text in spec["sources"]]
    for source in sources:
        services.add_source(argument_map=m, source=source, actor=owner)
    claims = [services.create_claim(argument_map=m, actor=owner, text=t, kind=k) for k, t in spec["claims"]]
    for a, b, kind, scheme, weight in spec["relations"]:
        r = services.create_relation(
            argument_map=m, actor=owner, from_claim=claims[a], to_claim=claims[b], kind=kind, scheme=scheme
        )
        Relation.objects.filter(pk=r.pk).update(weight=weight)
    linked = set()
    for s, start, end, c, stance, note in spec["quotes"]:
        if (s, start, end, c) not in linked:
            linked.add((s, start, end, c))
            services.add_evidence(
                argument_map=m,
                actor=owner,
                source=sources[s],
                start=start,
                end=end,
                claim=claims[c],
                stance=stance,
                note=note,
            )
    if spec["orphan"] is not None and linked:
        first = Passage.objects.filter(evidence__map=m).order_by("id").values_list("pk", flat=True).first()
        Passage.objects.filter(pk=first).update(anchor_status="orphaned", exact=spec["orphan"])
    comments = []
    for c, body, parent in spec["comments"]:
        reply_to = comments[parent] if 0 <= parent < len(comments) else None
        comments.append(services.add_comment(claim=claims[c], actor=owner, body=body, parent=reply_to))
    return m


@settings(max_examples=25, **HYPOTHESIS)
@given(spec=map_specs())
def test_random_maps_survive_export_import_export_byte_for_byte(spec):
    with transaction.atomic():
        owner = make_user()
        original = build_map(spec, owner)
        document = export_map(original)
        first = dumps(document)
        source_ids = list(original.sources.values_list("pk", flat=True))
        original.delete()
        if spec["fresh_library"]:
            Source.objects.filter(pk__in=source_ids).delete()
        imported = import_map(first, owner=owner)
        assert dumps(export_map(imported)) == private(document)
        transaction.set_rollback(True)


def attempt(data, owner) -> None:
    """Import `data`: it may succeed, or fail with ImportProblem having written nothing; nothing else."""
    before = row_counts()
    with transaction.atomic():
        try:
            import_map(data, owner=owner)
        except ImportProblem:
            assert row_counts() == before
        transaction.set_rollback(True)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, **HYPOTHESIS)
@given(data=st.binary(max_size=200))
def test_random_bytes_raise_import_problem(data, outsider):
    before = row_counts()
    with pytest.raises(ImportProblem):
        import_map(data, owner=outsider)
    assert row_counts() == before


@settings(max_examples=60, **HYPOTHESIS)
@given(value=JSON_VALUES)
def test_random_json_raises_import_problem(value, outsider):
    before = row_counts()
    for data in (value, json.dumps(value)):
        with pytest.raises(ImportProblem):
            import_map(data, owner=outsider)
    assert row_counts() == before


@settings(max_examples=40, **HYPOTHESIS)
@given(cut=st.floats(0, 1, exclude_max=True))
def test_truncated_documents_raise_import_problem(cut, small_doc, outsider):
    text = dumps(small_doc).rstrip()
    before = row_counts()
    with pytest.raises(ImportProblem):
        import_map(text[: int(len(text) * cut)].encode("utf-8"), owner=outsider)
    assert row_counts() == before


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


@settings(max_examples=60, **HYPOTHESIS)
@given(data=st.data())
def test_mutated_documents_import_or_raise_import_problem(data, small_doc, outsider):
    paths = [p for p in _paths(small_doc) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        try:
            small_doc = _set(small_doc, path, data.draw(JSON_VALUES))
        except (KeyError, IndexError, TypeError):  # an earlier mutation removed the path
            continue
    attempt(small_doc, outsider)


def test_insert_rows_writes_what_bulk_create_writes(owner):
    argument_map = make_map(owner)
    fields = ("verb", "object_type", "object_id")
    rows = [("created", "claim", 7), ("deleted", "relation", None)]
    inserted = insert_rows(Event, fields, rows, map_id=argument_map.pk, actor_id=owner.pk)
    created = Event.objects.bulk_create(
        Event(map=argument_map, actor=owner, **dict(zip(fields, row, strict=True))) for row in rows
    )
    values = ("map", "actor", *fields, "payload")
    written = list(Event.objects.filter(pk__in=inserted).order_by("id").values_list(*values))
    assert written == list(Event.objects.filter(pk__in=[e.pk for e in created]).order_by("id").values_list(*values))
    assert written[1] == (argument_map.pk, owner.pk, "deleted", "relation", None, {})
    assert insert_rows(Event, fields, []) == []


# dumps() writes what json.dumps(indent=2) writes, only faster.

FLAT_OBJECTS = st.lists(
    st.dictionaries(
        st.text(max_size=5), st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8), max_size=4
    ),
    max_size=4,
)


def json_text(value) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    except ValueError as error:
        return repr(error)


def dumps_text(value) -> str:
    try:
        return dumps(value)
    except ValueError as error:
        return repr(error)


@settings(max_examples=300, **HYPOTHESIS)
@given(value=st.dictionaries(st.text(max_size=10), JSON_VALUES | FLAT_OBJECTS | st.lists(FLAT_OBJECTS), max_size=5))
def test_dumps_writes_what_json_writes(value):
    assert dumps_text(value) == json_text(value)


def test_dumps_writes_what_json_writes_for_a_whole_map(demo):
    for document in (export_map(demo), export_aif(demo)):
        assert dumps(document) == json_text(document)


# The commands.


def test_export_and_import_commands(small_map, outsider, tmp_path):
    out = StringIO()
    call_command("export_map", small_map.slug, stdout=out)
    assert out.getvalue() == dumps(export_map(small_map))
    path = tmp_path / "map.json"
    call_command("export_map", small_map.slug, "--output", str(path), stderr=StringIO())
    assert path.read_text(encoding="utf-8") == out.getvalue()
    out = StringIO()
    call_command("import_map", str(path), "--owner", outsider.username, stdout=out)
    imported = ArgumentMap.objects.get(slug=small_map.slug + "-2")
    assert f"as {imported.slug}" in out.getvalue() and "3 claims" in out.getvalue()
    assert imported.memberships.get().user == outsider


def test_commands_report_problems(small_map, outsider, tmp_path):
    with pytest.raises(CommandError, match="No map has the slug"):
        call_command("export_map", "no-such-map", stdout=StringIO())
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": "1.0", "map": {"title": ""}}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"map\.title: must not be empty"):
        call_command("import_map", str(path), "--owner", outsider.username, stdout=StringIO())
    with pytest.raises(CommandError, match="No user is called"):
        call_command("import_map", str(path), "--owner", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_map", str(tmp_path / "missing.json"), "--owner", outsider.username, stdout=StringIO())


def test_a_document_quoting_one_span_twice_imports_as_one_passage(small_doc, outsider):
    """Files written before one passage per span was a rule may hold two passages on one span, both
    quoted for one claim: they import as one passage with one piece of evidence."""
    doc = copy.deepcopy(small_doc)
    source = doc["sources"][0]
    first = source["passages"][0]
    source["passages"].append({**first, "id": "p-again"})
    evidence = next(e for e in doc["evidence"] if e["passage"] == first["id"])
    doc["evidence"].append({**evidence, "passage": "p-again", "note": "twice"})
    argument_map = import_map(doc, owner=outsider)
    quoted = Evidence.objects.filter(map=argument_map)
    assert quoted.count() == len(small_doc["evidence"])
    assert Passage.objects.filter(evidence__map=argument_map).distinct().count() == len(small_doc["evidence"])
    assert argument_map.import_counts["evidence"] == len(small_doc["evidence"])
