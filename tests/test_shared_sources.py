"""A source shared by several maps: its text changes only for someone who may edit every one of them;
anyone else's edit gives their own map a copy, and every other map keeps its text, passages and anchors.
"""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from arguments import services
from arguments.activity import describe, link_for
from arguments.demo import load_demo
from arguments.models import Event, Evidence, MapSource, Verb, Visibility
from arguments.services import source_text
from sources.models import AnchorStatus, Passage, Source

from .factories import cite, edit_text, grow_map, make_map, make_source, make_user

pytestmark = pytest.mark.django_db

FIRST = "Coalitions of the willing act quickly when the Security Council is blocked."
SECOND = "Critics answer that such coalitions lack accountability and legitimacy."
THIRD = "Peace operations remain a necessity and a resource that should be used."
REWRITTEN = f"A new opening sentence, written by someone else.\n\n{THIRD}\n\n{FIRST}"


def edit_url(argument_map, source) -> str:
    return reverse("arguments:source_edit_text", args=[argument_map.slug, source.slug])


def reader_url(argument_map, source) -> str:
    return reverse("arguments:source", args=[argument_map.slug, source.slug])


def save(client, argument_map, source, text: str):
    """Preview, then save exactly the previewed text, as the edit page's two buttons do."""
    response = client.post(
        edit_url(argument_map, source), {"text": text, "version": source.version, "action": "preview"}
    )
    assert response.status_code == 200
    form = response.context["form"].initial
    data = {"text": form["text"], "version": form["version"], "previewed": form["previewed"], "action": "save"}
    return client.post(edit_url(argument_map, source), data)


def snapshot(source: Source):
    """Everything a reader of `source` depends on: its text and revision, and every passage's anchor."""
    source = Source.objects.get(pk=source.pk)
    passages = Passage.objects.filter(source=source).order_by("pk")
    rows = list(passages.values_list("pk", "start", "end", "exact", "prefix", "suffix", "anchor_status", "version"))
    return source.text, source.revision, source.version, rows


def map_source_of(argument_map) -> Source:
    return MapSource.objects.select_related("source").get(map=argument_map).source


@pytest.fixture
def shared(owner, public_map, outsider):
    """A public map's source, cited there, and linked by an outsider into a map of their own."""
    source = Source.objects.create(
        title="Coalitions and the Council",
        text=f"{FIRST}\n\n{SECOND}\n\n{THIRD}",
        authors=["Ana Lima"],
        published="2021",
        original_format="txt",
        original_name="coalitions.txt",
        original=b"The original upload, kept as it came.",
        added_by=owner,
    )
    services.add_source(argument_map=public_map, source=source, actor=owner)
    for words in ("Security Council is blocked", "lack accountability and legitimacy", "Peace operations"):
        cite(public_map, source, words, owner)
    own = make_map(outsider, title="Otto's seminar")
    services.add_source(argument_map=own, source=source, actor=outsider)
    return source, own


# ------------------------------------------------------------------------------------------- the attack


def test_an_outsider_who_links_a_public_maps_source_edits_only_a_copy_of_their_own(client, outsider):
    demo = load_demo(password="demo-pass").map
    source = (
        Source.objects.filter(map_sources__map=demo)
        .annotate(cited=Count("passages__evidence"))
        .order_by("-cited")
        .first()
    )
    demo_passages = snapshot(source)
    assert len(demo_passages[3]) > 10
    quote = demo_passages[3][0][3]
    own = make_map(outsider, title="Otto's seminar")
    api = APIClient()
    api.force_authenticate(outsider)
    linked = api.post(f"/api/v1/maps/{own.slug}/sources/", {"source": source.slug}, format="json")
    assert linked.status_code == 201  # allowed: they may read a public map's source
    demo_events = Event.objects.filter(map=demo).count()

    client.force_login(outsider)
    page = client.get(edit_url(own, source)).content.decode()
    assert "This source is also used by 1 map you cannot edit" in page
    assert "your edit will give this map its own copy" in page
    response = save(client, own, source, "Nothing of the original is left.")

    copy = map_source_of(own)
    assert response.status_code == 302 and response.url == reader_url(own, copy)
    assert copy.pk != source.pk and copy.text == "Nothing of the original is left."
    assert snapshot(source) == demo_passages  # the public map's text, passages and anchors are untouched
    assert Event.objects.filter(map=demo).count() == demo_events
    client.logout()
    public_page = client.get(reader_url(demo, source)).content.decode()
    assert quote in public_page and "Nothing of the original is left." not in public_page


def test_the_outsiders_passages_go_with_the_copy_and_are_reanchored_there(client, owner, public_map, outsider, shared):
    source, own = shared
    mine_only = cite(own, source, "act quickly", outsider)  # a passage only the outsider cites
    both = cite(own, source, "Peace operations", outsider)  # the public map cites the same span
    public_before = snapshot(source)
    public_before_rows = [row for row in public_before[3] if row[0] != mine_only.passage_id]
    client.force_login(outsider)

    save(client, own, source, REWRITTEN)

    copy = map_source_of(own)
    moved = Passage.objects.get(pk=mine_only.passage_id)
    assert moved.source_id == copy.pk and copy.text[moved.start : moved.end] == "act quickly"
    assert moved.anchor_status == AnchorStatus.MOVED
    duplicate = Evidence.objects.get(pk=both.pk).passage
    assert duplicate.pk != both.passage_id and duplicate.source_id == copy.pk
    assert copy.text[duplicate.start : duplicate.end] == "Peace operations"
    text, revision, version, rows = snapshot(source)
    assert (text, revision, version) == public_before[:3]
    assert rows == public_before_rows  # the shared passage stayed, untouched, for the public map
    assert Evidence.objects.filter(map=public_map, passage__source=source).count() == 3
    assert not Evidence.objects.filter(map=own, passage__source=source).exists()


def test_the_copy_keeps_the_metadata_and_upload_and_gets_a_slug_of_its_own(outsider, shared):
    source, own = shared
    result = edit_text(own, source, REWRITTEN, outsider)
    copy = Source.objects.get(pk=result.source.pk)
    same = ("title", "authors", "published", "kind", "language", "original_name", "original_format")
    assert [getattr(copy, name) for name in same] == [getattr(source, name) for name in same]
    assert bytes(copy.original) == b"The original upload, kept as it came."
    assert copy.slug != source.slug and copy.added_by == outsider
    assert (copy.revision, copy.text) == (2, REWRITTEN)
    assert copy.revisions.get().text == source.text  # its history starts at the text it was copied from
    position = MapSource.objects.get(map=own).position
    assert MapSource.objects.filter(map=own, source=copy, position=position).exists()


def test_the_copy_is_one_event_in_the_editors_map_saying_so(client, public_map, outsider, shared):
    source, own = shared
    cite(own, source, "act quickly", outsider)
    public_events = Event.objects.filter(map=public_map).count()
    client.force_login(outsider)
    save(client, own, source, REWRITTEN)
    copy = map_source_of(own)
    event = Event.objects.filter(map=own).latest("id")
    assert (event.verb, event.object_type) == (Verb.REANCHORED, "mapsource")
    assert event.payload["copied_from"] == source.slug and event.payload["source_slug"] == copy.slug
    assert event.payload["maps_kept"] == 1 and event.payload["counts"]["moved"] == 1
    assert describe(event).startswith("otto edited the text of Lima 2021")
    assert link_for(event, f"/maps/{own.slug}/") == f"/maps/{own.slug}/sources/{copy.slug}/"
    assert Event.objects.filter(map=public_map).count() == public_events
    page = client.get(reader_url(own, copy)).content.decode()
    assert "This map now has its own copy of the source with your text (revision 2 of the copy)" in page
    assert "including the 1 you cannot edit, keeps the previous text" in page


def test_editing_the_copy_again_changes_only_the_copy(outsider, shared):
    source, own = shared
    before = snapshot(source)
    copy = edit_text(own, source, REWRITTEN, outsider).source
    again = edit_text(own, copy, f"{REWRITTEN}\n\nOne more line.", outsider)
    assert again.copied_from is None and again.source.pk == copy.pk and again.events == 1
    assert Source.objects.get(pk=copy.pk).revision == 3
    assert snapshot(source) == before
    assert Source.objects.count() == 2


def test_an_unchanged_text_makes_no_copy(outsider, shared):
    source, own = shared
    result = edit_text(own, source, source.text, outsider)
    assert not result.report.text_changed and result.copied_from is None
    assert map_source_of(own) == source and Source.objects.count() == 1


def test_a_failure_while_copying_leaves_nothing_half_written(outsider, shared, monkeypatch):
    source, own = shared
    cite(own, source, "Peace operations", outsider)
    before = snapshot(source), Source.objects.count(), list(Evidence.objects.values_list("pk", "passage_id"))

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(source_text, "record_event", broken)
    with pytest.raises(RuntimeError):
        edit_text(own, source, REWRITTEN, outsider)
    assert (snapshot(source), Source.objects.count(), list(Evidence.objects.values_list("pk", "passage_id"))) == before
    assert map_source_of(own) == source


# ------------------------------------------------------------------------------------------ in place


def test_an_editor_of_every_map_using_a_source_edits_it_in_place(client, owner, editor, private_map):
    source = private_map.sources.get()
    other = make_map(owner, title="Other seminar", editor=editor)
    services.add_source(argument_map=other, source=source, actor=owner)
    passage = cite(other, source, "Peace operations", owner).passage
    client.force_login(editor)
    page = client.get(edit_url(private_map, source)).content.decode()
    assert "own copy" not in page and "Every passage of every map using this source follows" in page

    response = save(client, private_map, source, REWRITTEN)

    assert response.url == reader_url(private_map, source)
    assert Source.objects.count() == 1 and Source.objects.get(pk=source.pk).text == REWRITTEN
    passage.refresh_from_db()
    assert passage.source_id == source.pk and REWRITTEN[passage.start : passage.end] == "Peace operations"
    told = set(Event.objects.filter(verb=Verb.REANCHORED).values_list("map_id", flat=True))
    assert told == {private_map.pk, other.pk}


def test_a_public_map_the_editor_can_only_read_still_gets_a_copy_made(owner, editor, private_map):
    """Reading a map is not editing it: a public map using the source keeps its text."""
    source = private_map.sources.get()
    public = make_map(owner, title="Open seminar", visibility=Visibility.PUBLIC)
    services.add_source(argument_map=public, source=source, actor=owner)
    result = edit_text(private_map, source, REWRITTEN, editor)
    assert result.copied_from == source and result.out_of_reach == 1
    assert Source.objects.get(pk=source.pk).text != REWRITTEN


def test_a_save_previewed_in_place_is_refused_once_it_would_need_a_copy(client, owner, editor, private_map):
    source = private_map.sources.get()
    client.force_login(editor)
    preview = client.post(edit_url(private_map, source), {"text": REWRITTEN, "version": 1, "action": "preview"})
    assert not preview.context["preview"].copy
    stranger_map = make_map(owner, title="A map eddie is not in")
    services.add_source(argument_map=stranger_map, source=source, actor=owner)
    form = preview.context["form"].initial
    data = {"text": form["text"], "version": 1, "previewed": form["previewed"], "action": "save"}
    response = client.post(edit_url(private_map, source), data)
    assert response.status_code == 200 and "changed after the preview" in response.content.decode()
    assert response.context["preview"].copy
    assert Source.objects.count() == 1 and Source.objects.get(pk=source.pk).revision == 1


# ------------------------------------------------------------------------------------------- preview


def test_the_preview_names_no_map_and_quotes_no_passage_the_editor_cannot_read(client, owner, editor, private_map):
    source = private_map.sources.get()
    cite(private_map, source, "Security Council is blocked", editor)
    secret = make_map(owner, title="Secret seminar")
    services.add_source(argument_map=secret, source=source, actor=owner)
    cite(secret, source, "lack accountability and legitimacy", owner)
    client.force_login(editor)

    response = client.post(
        edit_url(private_map, source), {"text": f"{THIRD}\n\n{FIRST}", "version": 1, "action": "preview"}
    )

    html = response.content.decode()
    preview = response.context["preview"]
    assert preview.copy and preview.out_of_reach == 1
    assert [effect.argument_map for effect in preview.effects] == [private_map]
    assert "Secret seminar" not in html and "lack accountability" not in html
    assert "1 map you cannot edit" in html
    assert all(
        p.pk in private_map.evidence.values_list("passage_id", flat=True)
        for p in preview.orphans + [m for m, _ in preview.moved]
    )


def test_in_place_the_preview_counts_every_map_it_changes(client, owner, editor, private_map):
    source = private_map.sources.get()
    other = make_map(owner, title="Seen seminar", editor=editor)
    services.add_source(argument_map=other, source=source, actor=owner)
    cite(other, source, "lack accountability and legitimacy", owner)
    client.force_login(editor)
    response = client.post(
        edit_url(private_map, source), {"text": f"{THIRD}\n\n{FIRST}", "version": 1, "action": "preview"}
    )
    preview = response.context["preview"]
    assert not preview.copy and preview.hidden.maps == 0
    assert [(e.argument_map.title, e.counts["orphaned"]) for e in preview.effects] == [
        ("Private seminar", 0),
        ("Seen seminar", 1),
    ]
    assert "lack accountability and legitimacy" in response.content.decode()  # a map eddie may read


def test_a_colleagues_form_for_the_source_before_the_copy_is_shown_the_copy(client, owner, outsider, shared):
    source, own = shared
    colleague = make_user("colleague")
    services.add_member(argument_map=own, user=colleague, role="editor", actor=outsider)
    client.force_login(colleague)
    preview = client.post(edit_url(own, source), {"text": "The colleague's text.", "version": 1, "action": "preview"})
    form = preview.context["form"].initial
    stale = {"text": form["text"], "version": 1, "previewed": form["previewed"], "action": "save"}
    copy = edit_text(own, source, REWRITTEN, outsider).source

    assert client.get(edit_url(own, source) + "?restore=1").url == edit_url(own, copy) + "?restore=1"
    response = client.post(edit_url(own, source), stale)

    assert response.status_code == 409
    page = response.content.decode()
    assert "it went into a copy of the source for this map" in page and f'action="{edit_url(own, copy)}"' in page
    assert Source.objects.get(pk=copy.pk).text == REWRITTEN and Source.objects.count() == 2
    assert client.get(edit_url(make_map(owner), source)).status_code == 404  # a map that never used it


def test_a_copy_takes_the_same_queries_at_any_size(owner, outsider):
    counts = []
    for claims in (4, 40):
        public = make_map(owner, title=f"Open seminar {claims}", visibility=Visibility.PUBLIC)
        source = make_source(f"A reading for {claims}", added_by=owner)
        grow_map(public, source, claims=claims, actor=owner)
        own = make_map(outsider, title=f"Otto's seminar {claims}")
        grow_map(own, source, claims=claims, actor=outsider)  # the same spans: every passage is shared
        with CaptureQueriesContext(connection) as queries:
            result = edit_text(own, source, source.text.replace("Critics", "Some critics"), outsider)
        assert result.copied_from == source and Passage.objects.filter(source=result.source).count() >= 4
        counts.append(len(queries))
    assert counts[0] == counts[1]
