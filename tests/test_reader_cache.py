"""The reader's cached annotation layer and its conditional GET: 304, invalidation, fixed query counts."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import services
from arguments.access import MapAccess
from arguments.models import Event, Evidence
from arguments.reader import cache as reader_cache
from arguments.reader.layer import ReaderFilters

from .factories import cite, edit_text, grow_map, make_map, make_source, reader_url


@pytest.fixture
def source(private_map):
    return private_map.sources.get()


def fetch(client, argument_map, source, etag: str | None = None, query: str = ""):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reader_url(argument_map, source) + query, **headers)
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
    edit_text(private_map, source, text, editor)
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
    build = reader_cache.build_shared_layer
    monkeypatch.setattr(reader_cache, "build_shared_layer", lambda *args: builds.append(args) or build(*args))
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


def test_after_a_change_the_page_shows_the_new_counts_and_newest_event(client, editor, annotator, private_map, source):
    client.force_login(editor)
    first, _ = fetch(client, private_map, source)
    evidence = cite(private_map, source, "Critics answer", annotator)  # someone else annotates
    after, _ = fetch(client, private_map, source)
    assert after["ETag"] != first["ETag"]
    html = after.content.decode()
    newest = Event.objects.filter(map=private_map).latest("id").pk
    assert f'data-last-event="{newest}"' in html and f'data-passages="{evidence.passage_id}"' in html
    assert 'Annotations <span class="muted small">(1)</span>' in html
    claims = private_map.claims.count()
    assert f"{claims} claim{'' if claims == 1 else 's'}; type to narrow the list" in html
    cache.clear()  # the same page with its layer built afresh
    fresh, _ = fetch(client, private_map, source)
    assert without_tokens(fresh.content) == without_tokens(after.content)


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
    url = reverse("arguments:source", args=[private_map.slug, source.slug])
    assert (
        f'<div id="reader-body" class="reader-body" data-live-region hx-get="{url}" '
        'hx-trigger="warrant:map-changed from:body, warrant:refresh" hx-select="#reader-body" hx-swap="morph"'
    ) in html


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
        cache.clear()
        cold, cold_queries = fetch(client, argument_map, source)
        cached, cached_queries = fetch(client, argument_map, source)
        not_modified, not_modified_queries = fetch(client, argument_map, source, etag=cold["ETag"])
        assert (cold.status_code, cached.status_code, not_modified.status_code) == (200, 200, 304)
        assert without_tokens(cached.content) == without_tokens(cold.content)
        counts.append((cold_queries, cached_queries, not_modified_queries))
    assert counts[0] == counts[1]
    cold_queries, cached_queries, not_modified_queries = counts[0]
    # The session and user (Django's authentication), the map with the viewer's role, the source.
    assert not_modified_queries == cached_queries == 4
    # Building the layer adds the text, the evidence, the claims and the other sources.
    assert cold_queries == cached_queries + 4


def test_the_layer_is_kept_in_djangos_cache_under_its_revision(client, editor, private_map, source):
    """Any cache backend can keep it (a shared one in production): the key names the map's revision."""
    client.force_login(editor)
    fetch(client, private_map, source)
    private_map.refresh_from_db()
    key = reader_cache.layer_key(MapAccess(editor, private_map, "editor"), source, ReaderFilters(), "")
    assert cache.get(key) is not None
    cite(private_map, source, "Critics answer", editor)
    private_map.refresh_from_db()
    newer = reader_cache.layer_key(MapAccess(editor, private_map, "editor"), source, ReaderFilters(), "")
    assert newer != key and cache.get(newer) is None
