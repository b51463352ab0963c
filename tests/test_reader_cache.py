"""The reader's cached annotation layer and its conditional GET: 304, invalidation, fixed query counts."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import services
from arguments.models import ArgumentMap, Event, Evidence
from arguments.reader import cache as reader_cache
from arguments.reader import layer as reader_layer
from arguments.reader import views as reader_views
from arguments.reader_query import PageQuery
from arguments.services import source_text
from config import session_identity
from sources.models import Source

from .factories import cite, grow_map, make_map, make_source


@pytest.fixture
def source(private_map):
    return private_map.sources.get()


def reader_url(argument_map, source, query: str = "") -> str:
    return reverse("arguments:source", args=[argument_map.slug, source.slug]) + query


def fetch(client, argument_map, source, etag: str | None = None, query: str = ""):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reader_url(argument_map, source, query), **headers)
    return response, len(queries)


def test_a_matching_etag_gets_304_with_no_body(client, editor, private_map, source):
    client.force_login(editor)
    first, _ = fetch(client, private_map, source)
    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    again, _ = fetch(client, private_map, source, etag=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    other, _ = fetch(client, private_map, source, etag='"something-else"')
    assert other.status_code == 200


def test_a_new_passage_changes_the_page_and_its_etag(client, editor, private_map, source):
    client.force_login(editor)
    first, _ = fetch(client, private_map, source)
    evidence = cite(private_map, source, "Critics answer", editor)  # the map's revision goes up
    after, _ = fetch(client, private_map, source, etag=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert f'data-passages="{evidence.passage_id}"' in after.content.decode()


@pytest.mark.parametrize("htmx", [True, False])
def test_the_reader_after_a_change_is_never_the_cached_one(client, annotator, private_map, source, htmx):
    """The page was cached before the change; what comes back after it must show the change."""
    client.force_login(annotator)
    fetch(client, private_map, source)
    exact = "Critics answer"
    start = source.text.index(exact)
    data = {"start16": start, "end16": start + len(exact), "exact": exact, "mode": "new", "claim_text": "New one"}
    url = reverse("arguments:annotate", args=[private_map.slug, source.slug])
    response = client.post(url, data, **({"HTTP_HX_REQUEST": "true"} if htmx else {}), follow=not htmx)
    evidence = Evidence.objects.get(claim__text="New one")
    html = response.content.decode()
    assert f'data-passages="{evidence.passage_id}"' in html and "New one" in html
    edit = reverse("arguments:reader_evidence_edit", args=[private_map.slug, source.slug, evidence.pk])
    response = client.post(edit, {"stance": "opposes", "note": "changed", "version": 1}, HTTP_HX_REQUEST="true")
    assert '<p class="note">changed</p>' in response.content.decode()


def test_a_text_edit_changes_the_page_and_its_etag(client, editor, private_map, source):
    client.force_login(editor)
    first, _ = fetch(client, private_map, source)
    text = source.text.replace("Critics answer", "Critics reply")
    source_text.edit_source_text(source=source, actor=editor, text=text, expected_version=source.version)
    after, _ = fetch(client, private_map, source, etag=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert "Critics reply" in after.content.decode()


def test_a_bibliographic_edit_changes_the_etag(client, editor, private_map, source):
    client.force_login(editor)
    first, _ = fetch(client, private_map, source)
    source.title = "A renamed source"
    source.save()
    after, _ = fetch(client, private_map, source, etag=first["ETag"])
    assert after.status_code == 200 and "A renamed source" in after.content.decode()


def test_each_user_has_their_own_etag(client, editor, annotator, private_map, source):
    client.force_login(editor)
    editors, _ = fetch(client, private_map, source)
    client.force_login(annotator)
    response, _ = fetch(client, private_map, source, etag=editors["ETag"])
    assert response.status_code == 200 and response["ETag"] != editors["ETag"]


def test_filters_are_part_of_the_etag(client, editor, private_map, source):
    cite(private_map, source, "Critics answer", editor)
    client.force_login(editor)
    everything, _ = fetch(client, private_map, source)
    filtered, _ = fetch(client, private_map, source, etag=everything["ETag"], query="?stance=opposes")
    assert filtered.status_code == 200
    assert "No annotations match these filters." in filtered.content.decode()


def test_a_pending_message_is_never_answered_with_304(client, editor, private_map, source):
    client.force_login(editor)
    first, _ = fetch(client, private_map, source)
    text = source.text + "\n\nA closing line."
    data = {"text": text, "version": source.version, "action": "preview"}
    previewed = client.post(reverse("arguments:source_edit_text", args=[private_map.slug, source.slug]), data)
    data.update(action="save", previewed=previewed.context["form"].initial["previewed"])
    client.post(reverse("arguments:source_edit_text", args=[private_map.slug, source.slug]), data)
    # The new text would change the ETag anyway; what matters is that the message is shown once.
    shown, _ = fetch(client, private_map, source, etag=first["ETag"])
    assert shown.status_code == 200 and "Text saved" in shown.content.decode()
    assert "ETag" not in shown
    later, _ = fetch(client, private_map, source)
    assert "Text saved" not in later.content.decode() and later["ETag"]


def test_cached_controls_belong_to_the_viewer(client, editor, annotator, private_map, source):
    """Annotators get a layer of their own, with controls on their own annotations only."""
    mine = cite(private_map, source, "Critics answer", annotator)
    theirs = cite(private_map, source, "Peace operations", editor)

    def edit_link(evidence) -> str:
        url = reverse("arguments:reader_evidence_edit", args=[private_map.slug, source.slug, evidence.pk])
        return f'href="{url}" data-evidence-edit'

    client.force_login(editor)
    html = fetch(client, private_map, source)[0].content.decode()
    assert edit_link(mine) in html and edit_link(theirs) in html
    client.force_login(annotator)
    for _ in range(2):  # built, then from the cache
        html = fetch(client, private_map, source)[0].content.decode()
        assert edit_link(mine) in html and edit_link(theirs) not in html


def test_one_build_after_a_change_serves_every_viewer(
    client, owner, editor, annotator, viewer, private_map, source, monkeypatch
):
    """In a seminar every open reader fetches the page after each change: the text and list are built once."""
    mine = cite(private_map, source, "Critics answer", annotator)
    theirs = cite(private_map, source, "Peace operations", editor)
    builds = []
    build = reader_layer.build_layer
    monkeypatch.setattr(reader_layer, "build_layer", lambda *args: builds.append(args) or build(*args))
    pages = {}
    for user in (owner, editor, annotator, viewer):
        client.force_login(user)
        pages[user.username], queries = fetch(client, private_map, source)
        assert pages[user.username].status_code == 200
    assert len(builds) == 1

    def edit_links(html: bytes) -> set[int]:
        return {int(pk) for pk in re.findall(rb'/evidence/(\d+)/[^"]*" data-evidence-edit', html)}

    assert (
        edit_links(pages[owner.username].content)
        == edit_links(pages[editor.username].content)
        == {
            mine.pk,
            theirs.pk,
        }
    )
    assert edit_links(pages[annotator.username].content) == {mine.pk}
    assert edit_links(pages[viewer.username].content) == set()
    # The highlighted text and the list's items are the same for all.
    for user in (editor, annotator, viewer):
        assert without_controls(pages[user.username].content) == without_controls(pages[owner.username].content)


def without_controls(html: bytes) -> bytes:
    """The highlighted text and the annotation list, without the list's controls."""
    text = re.search(rb'<div class="doc reader-doc">.*?</div>', html, re.S).group()
    annotations = re.search(rb'<ol class="annotations".*?</ol>', html, re.S).group()
    return text + re.sub(rb'<div class="annotation-controls">.*?</div>', b"", annotations)


def test_after_a_change_the_page_around_the_layer_is_not_rendered_again(
    client, editor, annotator, private_map, source, monkeypatch
):
    """The counts, the claim count and the newest event are spliced in; the rest of the page stays valid."""
    client.force_login(editor)
    first, _ = fetch(client, private_map, source)
    renders = []
    frame = reader_views._frame
    monkeypatch.setattr(reader_views, "_frame", lambda *args: renders.append(args) or frame(*args))
    evidence = cite(private_map, source, "Critics answer", annotator)  # someone else annotates
    after, queries = fetch(client, private_map, source)
    assert renders == [] and after["ETag"] != first["ETag"]
    html = after.content.decode()
    newest = Event.objects.filter(map=private_map).latest("id").pk
    assert f'data-last-event="{newest}"' in html and f'data-passages="{evidence.passage_id}"' in html
    assert 'Annotations <span class="muted small">(1)</span>' in html
    claims = private_map.claims.count()
    assert f"{claims} claim{'' if claims == 1 else 's'}; type to narrow the list" in html
    reader_cache.forget_all()  # the same page rendered from scratch
    fresh, _ = fetch(client, private_map, source)
    assert len(renders) == 1 and without_tokens(fresh.content) == without_tokens(after.content)


def test_a_new_map_title_renders_the_page_again(client, editor, owner, private_map, source):
    client.force_login(editor)
    fetch(client, private_map, source)
    services.update_map(
        argument_map=private_map,
        actor=owner,
        title="A renamed seminar",
        question=private_map.question,
        description="",
        visibility=private_map.visibility,
        expected_version=private_map.version,
    )
    html = fetch(client, private_map, source)[0].content.decode()
    assert "A renamed seminar" in html


def test_the_edit_form_comes_as_a_fragment_or_a_page(client, annotator, private_map, source):
    mine = cite(private_map, source, "Critics answer", annotator)
    client.force_login(annotator)
    url = reverse("arguments:reader_evidence_edit", args=[private_map.slug, source.slug, mine.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith(f'<div class="evidence-forms" id="evidence-forms-{mine.pk}">')
    assert 'name="csrfmiddlewaretoken"' in fragment and f'id="edit-stance-{mine.pk}"' in fragment
    page = client.get(url).content.decode()
    assert "<!doctype html>" in page and "Delete annotation" in page


def test_the_live_region_wraps_text_and_annotations(client, viewer, private_map, source):
    client.force_login(viewer)
    html = fetch(client, private_map, source)[0].content.decode()
    assert '<div id="reader-body" class="reader-body" data-live-region>' in html


# ------------------------------------------------------------------------------------- query counts


def without_tokens(html: bytes) -> bytes:
    """The page with its CSRF tokens blanked: they are masked afresh on every request."""
    html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", html)


def sized_maps(owner):
    small, large = make_map(owner, title="Small"), make_map(owner, title="Large")
    small_source, large_source = (
        make_source("Small source", added_by=owner),
        make_source("Large source", added_by=owner),
    )
    grow_map(small, small_source, claims=3, actor=owner)
    grow_map(large, large_source, claims=40, actor=owner)
    return (small, small_source), (large, large_source)


def test_cold_cached_and_304_query_counts_are_fixed_whatever_the_size(client, owner):
    sizes = sized_maps(owner)
    client.force_login(owner)
    counts = []
    for argument_map, source in sizes:
        session_identity.forget_all()  # as in a process that has not seen this session yet
        first, first_queries = fetch(client, argument_map, source)
        reader_cache.forget_all()
        cold, cold_queries = fetch(client, argument_map, source)
        cached, cached_queries = fetch(client, argument_map, source)
        not_modified, not_modified_queries = fetch(client, argument_map, source, etag=cold["ETag"])
        assert (first.status_code, cold.status_code, cached.status_code, not_modified.status_code) == (200,) * 3 + (
            304,
        )
        assert without_tokens(cold.content) == without_tokens(first.content)
        assert cached.content == cold.content  # the page frame came from the cache, tokens and all
        counts.append((first_queries, cold_queries, cached_queries, not_modified_queries))
    assert counts[0] == counts[1]
    first_queries, cold_queries, cached_queries, not_modified_queries = counts[0]
    # Once the process knows the session: one statement (session, user, role, map, source) and nothing else.
    assert not_modified_queries == cached_queries == 1
    # Building the layer adds the text, evidence, claims and other sources.
    assert cold_queries == cached_queries + 4
    # A session's first request here is checked by Django itself: its session and user queries come first.
    assert first_queries == cold_queries + 2


def test_304_needs_one_query(client, owner, django_assert_max_num_queries):
    (_, _), (argument_map, source) = sized_maps(owner)
    client.force_login(owner)
    etag = fetch(client, argument_map, source)[0]["ETag"]
    with django_assert_max_num_queries(1):
        response = client.get(reader_url(argument_map, source), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


# ------------------------------------------------------------------------------ the page's own query


@pytest.mark.parametrize("who, role", [("annotator", "annotator"), ("owner", "owner"), (None, None)])
def test_the_page_row_holds_what_the_orm_would_load(rf, request, owner, public_map, who, role):
    """The reader page's map-and-source row is written in SQL (for speed); its objects match the ORM's."""
    source = make_source("Public source", added_by=owner, authors=["Ana Lima"])
    services.add_source(argument_map=public_map, source=source, actor=owner)
    http = rf.get("/")
    http.user = request.getfixturevalue(who) if who else AnonymousUser()
    reader = reader_views._reader_for_page(http, public_map.slug, source.slug)

    expected_map = ArgumentMap.objects.get(pk=public_map.pk)
    expected_source = Source.objects.defer("text", "original").get(pk=source.pk)

    def same(made, expected, field):  # equal, and of the same type (a date, not its text; True, not 1)
        value, wanted = getattr(made, field.attname), getattr(expected, field.attname)
        assert (value, type(value)) == (wanted, type(wanted)), field.name

    for field in ArgumentMap._meta.concrete_fields:
        same(reader.map, expected_map, field)
    assert reader.source.get_deferred_fields() == expected_source.get_deferred_fields() == {"text", "original"}
    for field in Source._meta.concrete_fields:
        if field.name not in ("text", "original"):
            same(reader.source, expected_source, field)
    assert reader.access.role == role
    assert reader.map.last_event_id == Event.objects.filter(map=public_map).latest("id").pk
    if who is None:
        assert reader.row.user is None
    else:
        expected_user = get_user_model().objects.get(pk=http.user.pk)
        for field in get_user_model()._meta.concrete_fields:
            same(reader.row.user, expected_user, field)
    assert reader.source.text == source.text  # loaded when used, as a deferred field is


def test_the_page_statement_reads_the_same_row_on_the_driver_and_through_django(client, owner, private_map, source):
    """Unwatched, the statement runs on the driver's cursor; watched (DEBUG, a test counting), through
    Django's, where it is logged and counted. Both give the same row, session included."""
    client.force_login(owner)
    key = client.cookies["sessionid"].value
    query = PageQuery.for_connection(connection)
    assert not connection.queries_logged and query.driver_sql is not None

    def read():
        return PageQuery.fetch(owner.pk, private_map.slug, source.slug, session_key=key).values

    with CaptureQueriesContext(connection) as watched:
        through_django = read()
    with CaptureQueriesContext(connection) as unwatched:
        connection.force_debug_cursor = False  # as in production: nothing records queries
        on_driver = read()
    assert len(watched) == 1 and len(unwatched) == 0
    assert on_driver == through_django
    assert through_django[query.session_position] is not None  # the session row was joined
    assert PageQuery.fetch(owner.pk, private_map.slug, "no-such-source", session_key=key) is None


def test_the_page_row_refuses_outsiders_and_other_sources(rf, outsider, owner, private_map, source):
    http = rf.get("/")
    http.user = outsider
    with pytest.raises(Http404):
        reader_views._reader_for_page(http, private_map.slug, source.slug)
    http.user = owner
    with pytest.raises(Http404):
        reader_views._reader_for_page(http, private_map.slug, make_source("Elsewhere", added_by=owner).slug)


# ------------------------------------------------------------------------------- what is kept, and how


def test_memory_drops_the_least_recently_used_past_its_budget():
    memory = reader_cache.PageMemory(budget=100)
    memory.set("a", b"a" * 40, 40)
    memory.set("b", b"b" * 40, 40)
    assert memory.get("a") == b"a" * 40  # now "b" is the least recently used
    memory.set("c", b"c" * 40, 40)
    assert memory.get("b") is None and memory.get("a") and memory.get("c")
    assert memory.held == 80 and len(memory) == 2
    memory.set("too big", b"x" * 101, 101)  # never kept: it alone would push everything out
    assert memory.get("too big") is None and len(memory) == 2
    memory.set("a", b"A" * 10, 10)  # kept again under the same key: counted once
    assert memory.held == 50 and memory.get("a") == b"A" * 10


def test_the_page_is_sent_in_pieces_with_its_length(client, editor, private_map, source):
    """The layer's kept bytes go out as they are, not joined into a new string per request."""
    client.force_login(editor)
    fetch(client, private_map, source)
    response, _ = fetch(client, private_map, source)  # the frame and the layer as kept
    pieces = list(response)
    assert len(pieces) > 3 and int(response["Content-Length"]) == sum(map(len, pieces)) == len(response.content)
    layer = reader_cache.memory.get(
        reader_cache.layer_key(
            reader_cache.layer_identity(ArgumentMap.objects.get(pk=private_map.pk), source),
            reader_layer.ReaderFilters(),
            "",
            "all",
        )
    )
    assert any(piece is layer["doc_html"] for piece in pieces)  # the very bytes kept, not a copy


def test_the_page_row_names_the_layer_as_the_objects_do(rf, owner, private_map, source):
    """The page finds the layer a change's own response built (reader_cache.layer_identity), and vice versa."""
    http = rf.get("/")
    http.user = owner
    reader = reader_views._reader_for_page(http, private_map.slug, source.slug)
    expected = reader_cache.layer_identity(ArgumentMap.objects.get(pk=private_map.pk), source)
    assert reader.row.layer_identity == expected
    assert reader_cache.layer_identity(reader.map, reader.source) == expected
