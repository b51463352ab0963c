"""A source's text history: every change keeps the text it replaced; editors list the revisions, read
one, and restore it, which is an edit like any other (preview, copy or in place, re-anchoring, Event)."""

import hashlib

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import services
from arguments.models import Event, MapSource, Verb, Visibility
from sources.models import AnchorStatus, Passage, Source, SourceRevision
from sources.revisions import ParagraphChanges, paragraph_changes

from .factories import cite, edit_text, make_map, make_source

pytestmark = pytest.mark.django_db

FIRST = "Coalitions of the willing act quickly when the Security Council is blocked."
SECOND = "Critics answer that such coalitions lack accountability and legitimacy."
THIRD = "Peace operations remain a necessity and a resource that should be used."
ORIGINAL = f"{FIRST}\n\n{SECOND}\n\n{THIRD}"
SHORTER = f"{FIRST}\n\n{THIRD}"


@pytest.fixture
def source(private_map):
    return private_map.sources.get()


def history_url(argument_map, source) -> str:
    return reverse("arguments:source_history", args=[argument_map.slug, source.slug])


def revision_url(argument_map, source, revision: int) -> str:
    return reverse("arguments:source_revision", args=[argument_map.slug, source.slug, revision])


def edit_url(argument_map, source) -> str:
    return reverse("arguments:source_edit_text", args=[argument_map.slug, source.slug])


# ------------------------------------------------------------------------------------- keeping texts


def test_every_text_change_keeps_the_text_it_replaced(owner, editor, private_map, source):
    edit_text(private_map, source, SHORTER, editor)
    edit_text(private_map, source, f"{SHORTER}\n\nA new closing line.", owner)
    kept = list(SourceRevision.objects.filter(source=source).order_by("revision"))
    assert [(r.revision, r.text, r.replaced_by) for r in kept] == [(1, ORIGINAL, editor), (2, SHORTER, owner)]
    assert [r.sha256 for r in kept] == [hashlib.sha256(t.encode()).hexdigest() for t in (ORIGINAL, SHORTER)]
    assert [(r.length, r.paragraphs_added, r.paragraphs_removed, r.paragraphs_changed) for r in kept] == [
        (len(ORIGINAL), 0, 1, 0),
        (len(SHORTER), 1, 0, 0),
    ]
    assert Source.objects.get(pk=source.pk).revision == 3


def test_an_unchanged_text_keeps_nothing(editor, private_map, source):
    edit_text(private_map, source, ORIGINAL, editor)
    assert not SourceRevision.objects.exists()


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ("a\n\nb\n\nc", "a\n\nb\n\nc", ParagraphChanges(0, 0, 0)),
        ("a\n\nb\n\nc", "a\n\nB\n\nc", ParagraphChanges(0, 0, 1)),
        ("a\n\nb", "a\n\nb\n\nc\n\nd", ParagraphChanges(2, 0, 0)),
        ("a\n\nb\n\nc", "c", ParagraphChanges(0, 2, 0)),
        ("a\n\nb\n\nc", "x\n\nb\n\ny\n\nz", ParagraphChanges(1, 0, 2)),
    ],
)
def test_paragraph_changes_count_what_an_edit_did(old, new, changes):
    assert paragraph_changes(old, new) == changes


def test_revisions_are_read_only_in_the_admin(admin_client, editor, private_map, source):
    edit_text(private_map, source, SHORTER, editor)
    revision = SourceRevision.objects.get()
    model_admin = admin.site._registry[SourceRevision]
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None, revision)
    page = admin_client.get(reverse("admin:sources_sourcerevision_change", args=[revision.pk]))
    assert page.status_code == 200 and "Critics answer" in page.content.decode()
    # The text changes from the reader, where passages follow it; never from the admin's form.
    assert "text" in admin.site._registry[Source].get_readonly_fields(None, source)


# ------------------------------------------------------------------------------------------ the pages


def test_the_reader_links_editors_to_the_history(client, editor, viewer, private_map, source):
    client.force_login(editor)
    page = client.get(reverse("arguments:source", args=[private_map.slug, source.slug])).content.decode()
    assert history_url(private_map, source) in page
    client.force_login(viewer)
    page = client.get(reverse("arguments:source", args=[private_map.slug, source.slug])).content.decode()
    assert history_url(private_map, source) not in page


def test_history_lists_each_revision_when_who_size_and_changes(client, owner, editor, private_map, source):
    edit_text(private_map, source, SHORTER, editor)
    edit_text(private_map, source, f"{SHORTER}\n\nA new closing line.", editor)
    client.force_login(editor)
    response = client.get(history_url(private_map, source))
    assert response.status_code == 200
    html = response.content.decode()
    rows = html.split('<tr id="revision-')[1:]
    assert [row.split('"')[0] for row in rows] == ["3", "2", "1"]
    assert "(current)" in rows[0] and "Restore…" not in rows[0]
    added, removed = len("\n\nA new closing line."), len(ORIGINAL) - len(SHORTER)
    assert "<td>eddie</td>" in rows[0] and f"1 paragraph added, 0 removed, 0 changed; +{added} characters" in rows[0]
    assert f"0 paragraphs added, 1 removed, 0 changed; -{removed} characters" in rows[1]
    assert "first text" in rows[2] and f"{len(ORIGINAL)} characters" in rows[2]
    assert f"{edit_url(private_map, source)}?restore=1" in rows[2]
    assert "Earlier revisions of this text were not kept" not in html


def test_history_names_only_people_of_this_map(client, owner, outsider, editor, private_map, source):
    """Someone who edited the text from another map, before this one used it, is not named here."""
    theirs = make_source_in_own_map(outsider)
    edit_text(theirs["map"], theirs["source"], SHORTER, outsider)
    services.add_source(argument_map=private_map, source=theirs["source"], actor=owner)
    client.force_login(editor)
    html = client.get(history_url(private_map, theirs["source"])).content.decode()
    assert "<td>otto</td>" not in html and "<td>someone outside this map</td>" in html


def make_source_in_own_map(user) -> dict:
    argument_map = make_map(user, title="Otto's seminar")
    source = Source.objects.create(
        title="Otto's reading", text=ORIGINAL, original_format="txt", original_name="o.txt", added_by=user
    )
    services.add_source(argument_map=argument_map, source=source, actor=user)
    return {"map": argument_map, "source": source}


def test_a_revision_page_shows_its_text_and_offers_to_restore_it(client, editor, private_map, source):
    edit_text(private_map, source, SHORTER, editor)
    client.force_login(editor)
    old = client.get(revision_url(private_map, source, 1)).content.decode()
    assert SECOND in old and "Restore this revision…" in old
    assert f"{edit_url(private_map, source)}?restore=1" in old
    current = client.get(revision_url(private_map, source, 2)).content.decode()
    assert SECOND not in current and "This is the current text" in current and "Restore this revision" not in current
    assert client.get(revision_url(private_map, source, 7)).status_code == 404


def test_user_text_in_a_revision_is_escaped(client, editor, private_map, source):
    edit_text(private_map, source, '<script>alert("x")</script> and the rest.', editor)
    edit_text(private_map, source, SHORTER, editor)
    client.force_login(editor)
    page = client.get(revision_url(private_map, source, 2)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


@pytest.mark.parametrize("who, status", [("annotator", 403), ("viewer", 403), ("outsider", 404), (None, 404)])
def test_only_editors_see_the_history(client, request, private_map, source, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(history_url(private_map, source)).status_code == status
    assert client.get(revision_url(private_map, source, 1)).status_code == status


def history_queries(client, argument_map, source) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(history_url(argument_map, source))
    assert response.status_code == 200
    return len(queries)


def test_history_query_count_does_not_grow_with_the_revisions(client, owner, editor):
    counts = []
    for edits in (2, 12):
        argument_map = make_map(owner, title=f"Seminar with {edits} edits", editor=editor)
        source = make_source(f"A reading edited {edits} times", text=ORIGINAL, added_by=owner)
        services.add_source(argument_map=argument_map, source=source, actor=owner)
        for n in range(edits):
            edit_text(argument_map, source, f"{ORIGINAL}\n\nEdit number {n}.", editor if n % 2 else owner)
        client.force_login(editor)
        counts.append(history_queries(client, argument_map, source))
        assert SourceRevision.objects.filter(source=source).count() == edits
    assert counts[0] == counts[1]


# -------------------------------------------------------------------------------------------- restore


def test_restoring_previews_then_brings_back_the_old_text_and_its_passages(client, editor, private_map, source):
    lost = cite(private_map, source, "lack accountability", editor).passage
    edit_text(private_map, source, SHORTER, editor)
    lost.refresh_from_db()
    assert lost.anchor_status == AnchorStatus.ORPHANED
    client.force_login(editor)

    preview = client.get(f"{edit_url(private_map, source)}?restore=1")

    html = preview.content.decode()
    assert preview.status_code == 200 and "You are restoring <strong>revision 1</strong>" in html
    # An orphan keeps the offsets it had, which the restored text has again: it is back in place.
    assert preview.context["preview"].counts == {"anchored": 1, "moved": 0, "orphaned": 0}
    assert Source.objects.get(pk=source.pk).text == SHORTER  # a preview writes nothing
    form = preview.context["form"].initial
    assert form["restored"] == 1 and form["text"] == ORIGINAL
    data = {"text": form["text"], "version": form["version"], "previewed": form["previewed"], "restored": 1}
    response = client.post(edit_url(private_map, source), {**data, "action": "save"})

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.text, source.revision) == (ORIGINAL, 3)
    lost.refresh_from_db()
    assert lost.anchor_status == AnchorStatus.ANCHORED and ORIGINAL[lost.start : lost.end] == "lack accountability"
    assert SourceRevision.objects.get(revision=2).restored == 1
    event = Event.objects.filter(map=private_map, verb=Verb.REANCHORED).latest("id")
    assert event.payload["restored_revision"] == 1
    html = client.get(history_url(private_map, source)).content.decode()
    assert "restored revision 1" in html.split('<tr id="revision-')[1]


def test_a_restore_edited_before_saving_is_an_ordinary_edit(editor, private_map, source):
    edit_text(private_map, source, SHORTER, editor)
    edit_text(private_map, source, f"{ORIGINAL}\n\nAnd a line of my own.", editor, restored=1)
    assert SourceRevision.objects.get(revision=2).restored is None
    assert "restored_revision" not in Event.objects.filter(map=private_map).latest("id").payload


def test_restoring_a_shared_source_without_editing_every_map_restores_into_a_copy(client, owner, editor, private_map):
    source = private_map.sources.get()
    edit_text(private_map, source, SHORTER, owner)
    public = make_map(owner, title="Open seminar", visibility=Visibility.PUBLIC)
    services.add_source(argument_map=public, source=source, actor=owner)
    client.force_login(editor)
    history = client.get(history_url(private_map, source)).content.decode()
    assert "restoring gives this map its own copy" in history

    preview = client.get(f"{edit_url(private_map, source)}?restore=1")

    assert preview.context["preview"].copy and "your edit will give this map its own copy" in preview.content.decode()
    form = preview.context["form"].initial
    data = {**{k: form[k] for k in ("text", "version", "previewed", "restored")}, "action": "save"}
    client.post(edit_url(private_map, source), data)
    copy = MapSource.objects.get(map=private_map).source
    assert copy.pk != source.pk and copy.text == ORIGINAL
    assert Source.objects.get(pk=source.pk).text == SHORTER  # the public map keeps its text
    assert Event.objects.filter(map=private_map).latest("id").payload["restored_revision"] == 1


def test_restoring_an_unknown_revision_is_404(client, editor, private_map, source):
    client.force_login(editor)
    assert client.get(f"{edit_url(private_map, source)}?restore=9").status_code == 404
    assert client.get(f"{edit_url(private_map, source)}?restore=x").status_code == 404


def test_a_passage_orphaned_and_restored_is_the_same_passage(editor, private_map, source):
    passage = cite(private_map, source, "lack accountability", editor).passage
    edit_text(private_map, source, SHORTER, editor)
    edit_text(private_map, source, ORIGINAL, editor, restored=1)
    assert Passage.objects.get(pk=passage.pk).anchor_status != AnchorStatus.ORPHANED
