"""Editing a source's text from the reader (preview, save, conflicts) and re-attaching orphaned passages."""

import pytest
from django.urls import reverse

from arguments import services
from arguments.activity import describe, link_for
from arguments.models import Event, Evidence, Verb
from arguments.services import source_text
from sources.models import AnchorStatus, Passage, Source

from .factories import cite, edit_text, make_claim, make_map, reader_url

FIRST = "Coalitions of the willing act quickly when the Security Council is blocked."
SECOND = "Critics answer that such coalitions lack accountability and legitimacy."
THIRD = "Peace operations remain a necessity and a resource that should be used."


@pytest.fixture
def source(private_map):
    return private_map.sources.get()


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def edit_url(argument_map, source) -> str:
    return reverse("arguments:source_edit_text", args=[argument_map.slug, source.slug])


def reattach_url(argument_map, source, passage) -> str:
    return reverse("arguments:reattach", args=[argument_map.slug, source.slug, passage.pk])


def preview(client, argument_map, source, text: str, version: int | None = None):
    version = source.version if version is None else version
    return client.post(edit_url(argument_map, source), {"text": text, "version": version, "action": "preview"})


def save(client, argument_map, source, text: str, version: int | None = None):
    """Preview, then save exactly the previewed text, as the page's two buttons do."""
    response = preview(client, argument_map, source, text, version)
    digest = response.context["form"].initial["previewed"]
    version = source.version if version is None else version
    data = {"text": response.context["form"].initial["text"], "version": version, "previewed": digest}
    return client.post(edit_url(argument_map, source), {**data, "action": "save"})


def state(source):
    source = Source.objects.get(pk=source.pk)
    passages = list(
        Passage.objects.filter(source=source).order_by("pk").values_list("start", "end", "exact", "version")
    )
    return source.text, source.revision, passages, Event.objects.count()


# ------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    "who, status",
    [("owner", 200), ("editor", 200), ("annotator", 403), ("viewer", 403), ("outsider", 404), (None, 404)],
)
def test_only_editors_and_owners_may_edit_the_text(client, request, private_map, source, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    before = state(source)
    assert client.get(edit_url(private_map, source)).status_code == status
    data = {"text": "Only this.", "version": source.version, "action": "preview"}
    assert client.post(edit_url(private_map, source), data).status_code == status
    assert state(source) == before  # a preview writes nothing, whoever asks


def test_the_edit_page_refuses_other_methods(client, editor, private_map, source):
    client.force_login(editor)
    assert client.put(edit_url(private_map, source)).status_code == 405
    assert client.delete(edit_url(private_map, source)).status_code == 405


def test_viewers_see_no_edit_text_control_and_editors_do(client, viewer, editor, private_map, source):
    client.force_login(viewer)
    assert "edit-text-link" not in client.get(reader_url(private_map, source)).content.decode()
    client.force_login(editor)
    html = client.get(reader_url(private_map, source)).content.decode()
    assert 'id="edit-text-link"' in html and edit_url(private_map, source) in html


def test_the_edit_page_shows_the_current_text_and_version(client, editor, private_map, source):
    client.force_login(editor)
    html = client.get(edit_url(private_map, source)).content.decode()
    assert SECOND in html
    assert f'name="version" value="{source.version}"' in html
    assert "Preview the changes" in html and "Save the new text" not in html


# ------------------------------------------------------------------------------------------ preview


def test_preview_counts_what_stays_moves_and_is_orphaned_and_writes_nothing(client, editor, private_map, source):
    cite(private_map, source, "Security Council is blocked", editor)
    cite(private_map, source, "lack accountability", editor)
    cite(private_map, source, "Peace operations", editor)
    client.force_login(editor)
    before = state(source)
    new_text = f"{FIRST}\n\nSomething else entirely is said here now, about weather.\n\nNew. {THIRD}"
    response = preview(client, private_map, source, new_text)
    assert response.status_code == 200
    assert state(source) == before
    effect = response.context["preview"].effects[0]
    assert effect.argument_map == private_map
    assert effect.counts == {"anchored": 1, "moved": 1, "orphaned": 1}
    html = response.content.decode()
    assert "What saving this text will do" in html and "Passages that will need re-attaching (1)" in html
    assert "“lack accountability”" in html
    assert "Save the new text" in html and "No other map uses this source." in html


def test_preview_names_every_other_map_the_edit_changes(client, owner, editor, private_map, source):
    other = make_map(owner, title="Seen seminar", editor=editor)
    services.add_source(argument_map=other, source=source, actor=owner)
    cite(other, source, "lack accountability", owner)
    client.force_login(editor)
    response = preview(client, private_map, source, f"{FIRST}\n\n{THIRD}")
    html = response.content.decode()
    assert "Also used by <a" in html and "Seen seminar" in html and "own copy" not in html
    assert [effect.counts["orphaned"] for effect in response.context["preview"].effects] == [0, 1]
    assert response.context["preview"].hidden.maps == 0


def test_an_unchanged_text_has_nothing_to_save(client, editor, private_map, source):
    client.force_login(editor)
    response = preview(client, private_map, source, source.text + "\n\n")
    assert "there is nothing to save" in response.content.decode()
    assert "Save the new text" not in response.content.decode()


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_an_empty_text_is_refused(client, editor, private_map, source, text):
    client.force_login(editor)
    before = state(source)
    response = client.post(edit_url(private_map, source), {"text": text, "version": source.version, "action": "save"})
    assert response.status_code == 200
    assert "The text is empty" in response.content.decode()
    assert state(source) == before


def test_a_text_over_the_limit_is_refused(client, editor, private_map, source, monkeypatch):
    monkeypatch.setattr(source_text, "MAX_TEXT_CHARS", 100)
    client.force_login(editor)
    response = preview(client, private_map, source, "word " * 30)
    assert "The text is too long: 149 characters, at most 100." in response.content.decode()
    response = preview(client, private_map, source, "word " * 50)
    assert "The text is too long: at most 100 characters." in response.content.decode()


# --------------------------------------------------------------------------------------------- save


def test_saving_moves_passages_with_their_words_and_tells_every_map(client, owner, editor, private_map, source):
    other = make_map(owner, title="Other seminar", editor=editor)  # eddie may edit both maps: in place
    services.add_source(argument_map=other, source=source, actor=owner)
    kept = cite(private_map, source, "Peace operations remain a necessity", editor)
    elsewhere = cite(other, source, "Security Council", owner)
    revisions = {m.pk: type(m).objects.get(pk=m.pk).revision for m in (private_map, other)}
    client.force_login(editor)
    new_text = f"{SECOND}\n\n{THIRD}"  # the first paragraph (a 'cover page') removed

    response = save(client, private_map, source, new_text)

    assert response.status_code == 302 and response.url == reader_url(private_map, source)
    source.refresh_from_db()
    assert source.text == new_text and source.revision == 2
    passage = Passage.objects.get(pk=kept.passage_id)
    assert new_text[passage.start : passage.end] == "Peace operations remain a necessity"
    assert passage.anchor_status == AnchorStatus.MOVED
    assert Passage.objects.get(pk=elsewhere.passage_id).anchor_status == AnchorStatus.ORPHANED
    events = {e.map_id: e for e in Event.objects.filter(verb=Verb.REANCHORED)}
    assert set(events) == {private_map.pk, other.pk}
    mine = events[private_map.pk]
    assert (mine.actor, mine.object_type) == (editor, "mapsource")
    assert mine.payload["counts"] == {"anchored": 0, "moved": 1, "orphaned": 0}
    assert events[other.pk].payload["orphaned_passages"] == [elsewhere.passage_id]
    for m in (private_map, other):
        assert type(m).objects.get(pk=m.pk).revision == revisions[m.pk] + 1
    page = client.get(reader_url(private_map, source)).content.decode()
    assert "Text saved (revision 2)" in page and "1 other map using this source was told" in page


def test_the_text_is_normalised_like_an_import(client, editor, private_map, source):
    client.force_login(editor)
    save(client, private_map, source, f"  {FIRST}\r\n\r\n\r\n{THIRD}   with  ﬁnal   words \r\n")
    source.refresh_from_db()
    assert source.text == f"{FIRST}\n\n{THIRD} with final words"


def test_saving_needs_the_previewed_text(client, editor, private_map, source):
    client.force_login(editor)
    first = preview(client, private_map, source, f"{FIRST}\n\n{THIRD}")
    data = {
        "text": f"{FIRST}",  # edited after the preview
        "version": source.version,
        "previewed": first.context["form"].initial["previewed"],
        "action": "save",
    }
    before = state(source)
    response = client.post(edit_url(private_map, source), data)
    assert response.status_code == 200
    assert "The text was changed after the preview" in response.content.decode()
    assert state(source) == before


def test_a_stale_edit_is_refused_showing_the_change(client, owner, editor, private_map, source):
    client.force_login(editor)
    old_version = source.version
    edit_text(private_map, source, f"{FIRST}\n\nOwner's new words.", owner)
    before = state(source)
    response = save(client, private_map, source, f"{FIRST}\n\nEditor's words.", version=old_version)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved a new text for this source" in html
    assert "it is now version 2" in html and "Owner's new words." in html
    assert "Editor&#x27;s words." in html  # their own text is kept
    assert state(source) == before
    # The form now carries the current version, and must be previewed again before it can be saved.
    assert 'name="version" value="2"' in html and "Save the new text" not in html


def test_a_failure_while_logging_leaves_nothing_half_written(editor, private_map, source, monkeypatch):
    cite(private_map, source, "Peace operations", editor)
    before = state(source)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(source_text, "record_event", broken)
    with pytest.raises(RuntimeError):
        edit_text(private_map, source, THIRD, editor)
    assert state(source) == before


def test_activity_tells_the_text_edit_in_plain_words(editor, private_map, source):
    cite(private_map, source, "lack accountability", editor)
    cite(private_map, source, "Peace operations", editor)
    edit_text(private_map, source, f"{FIRST}\n\n{THIRD}", editor)
    event = Event.objects.filter(map=private_map).latest("id")
    assert describe(event) == (
        "eddie edited the text of Lima and Chen 2021: 0 of this map's passages stayed in place, "
        "1 followed the edit, 1 needs re-attaching"
    )
    assert link_for(event, "/maps/x/") == f"/maps/x/sources/{source.slug}/"


# ------------------------------------------------------------------------------------------ orphans


@pytest.fixture
def orphan(owner, annotator, private_map, source):
    """An annotation by anna whose words were then edited away."""
    evidence = cite(private_map, source, "lack accountability and legitimacy", annotator, stance="opposes")
    edit_text(private_map, source, f"{FIRST}\n\nCritics say they answer to nobody at all.\n\n{THIRD}", owner)
    passage = Passage.objects.get(pk=evidence.passage_id)
    assert passage.anchor_status == AnchorStatus.ORPHANED
    return passage


def test_orphans_are_listed_on_the_reader_with_quote_claim_and_stance(client, viewer, private_map, source, orphan):
    client.force_login(viewer)
    html = client.get(reader_url(private_map, source)).content.decode()
    assert "Passages to re-attach" in html and f'id="orphan-{orphan.pk}"' in html
    assert "“lack accountability and legitimacy”" in html
    assert '<span class="stance opposes">opposes</span>' in html and "Claim on lack accountabili" in html
    assert f'data-passages="{orphan.pk}"' not in html  # never highlighted somewhere it is not
    assert "data-reattach" not in html  # viewers cannot re-attach


def reattach_data(text: str, exact: str, version: int) -> dict:
    start = text.index(exact)
    return {"start16": u16(text[:start]), "end16": u16(text[: start + len(exact)]), "exact": exact, "version": version}


def test_annotator_reattaches_their_orphan_by_selecting_new_words(client, annotator, private_map, source, orphan):
    source.refresh_from_db()
    client.force_login(annotator)
    assert f'data-reattach="{orphan.pk}"' in client.get(reader_url(private_map, source)).content.decode()
    revision = type(private_map).objects.get(pk=private_map.pk).revision
    data = reattach_data(source.text, "answer to nobody", orphan.version)

    response = client.post(reattach_url(private_map, source, orphan), data)

    assert response.status_code == 302 and response.url.endswith(f"#passage-{orphan.pk}")
    orphan.refresh_from_db()
    assert (orphan.exact, orphan.anchor_status) == ("answer to nobody", AnchorStatus.ANCHORED)
    assert source.text[orphan.start : orphan.end] == "answer to nobody"
    assert orphan.suffix.startswith(" at all.")
    event = Event.objects.filter(map=private_map).latest("id")
    assert (event.verb, event.object_type, event.object_id) == (Verb.REANCHORED, "passage", orphan.pk)
    assert event.payload["previous_quote"] == "lack accountability and legitimacy"
    assert describe(event) == "anna re-attached a passage of Lima and Chen 2021 to “answer to nobody”"
    assert type(private_map).objects.get(pk=private_map.pk).revision == revision + 1
    html = client.get(reader_url(private_map, source)).content.decode()
    assert f'data-passages="{orphan.pk}"' in html and "Passages to re-attach" not in html


def test_an_orphan_is_not_reattached_onto_words_another_passage_holds(client, annotator, private_map, source, orphan):
    """One placed passage per span: re-attaching onto a quoted span would merge two passages, which it refuses."""
    source.refresh_from_db()
    cite(private_map, source, "answer to nobody", annotator)
    client.force_login(annotator)
    data = reattach_data(source.text, "answer to nobody", orphan.version)
    response = client.post(reattach_url(private_map, source, orphan), data)
    assert response.status_code == 200 and "already a passage of their own" in response.content.decode()
    orphan.refresh_from_db()
    assert orphan.anchor_status == AnchorStatus.ORPHANED


def test_reattaching_is_logged_in_every_map_citing_the_passage(client, owner, editor, private_map, source, orphan):
    other = make_map(owner, title="Other seminar")
    services.add_source(argument_map=other, source=source, actor=owner)
    Evidence.objects.create(map=other, passage=orphan, claim=make_claim(other, "Elsewhere"), stance="states")
    source.refresh_from_db()
    client.force_login(editor)
    client.post(
        reattach_url(private_map, source, orphan), reattach_data(source.text, "answer to nobody", orphan.version)
    )
    assert set(Event.objects.filter(verb=Verb.REANCHORED, object_type="passage").values_list("map_id", flat=True)) == {
        private_map.pk,
        other.pk,
    }


def test_without_javascript_the_new_words_are_quoted(client, annotator, private_map, source, orphan):
    client.force_login(annotator)
    page = client.get(reattach_url(private_map, source, orphan))
    html = page.content.decode()
    assert page.status_code == 200 and "could not be found in the edited text" in html
    assert "lack accountability and legitimacy" in html and "Critics say they answer to nobody" in html
    response = client.post(reattach_url(private_map, source, orphan), {"exact": "nobody at all", "version": 2})
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert (orphan.exact, orphan.anchor_status) == ("nobody at all", AnchorStatus.ANCHORED)


def test_a_stale_reattach_is_refused(client, annotator, private_map, source, orphan):
    source.refresh_from_db()
    client.force_login(annotator)
    data = reattach_data(source.text, "answer to nobody", orphan.version - 1)
    response = client.post(reattach_url(private_map, source, orphan), data)
    assert response.status_code == 409
    assert "Nothing saved: this passage was changed meanwhile" in response.content.decode()
    orphan.refresh_from_db()
    assert orphan.anchor_status == AnchorStatus.ORPHANED


def test_words_that_are_not_in_the_text_are_refused(client, annotator, private_map, source, orphan):
    client.force_login(annotator)
    data = {"exact": "lack accountability", "version": orphan.version}
    response = client.post(reattach_url(private_map, source, orphan), data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    orphan.refresh_from_db()
    assert orphan.anchor_status == AnchorStatus.ORPHANED


@pytest.mark.parametrize("who, status", [("viewer", 403), ("outsider", 404), (None, 404)])
def test_readers_and_outsiders_cannot_reattach(client, request, private_map, source, orphan, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.post(reattach_url(private_map, source, orphan), {"exact": "nobody at all", "version": 2})
    assert response.status_code == status
    orphan.refresh_from_db()
    assert orphan.anchor_status == AnchorStatus.ORPHANED


def test_annotators_cannot_reattach_a_passage_others_cite(client, owner, annotator, private_map, source, orphan):
    Evidence.objects.create(map=private_map, passage=orphan, claim=make_claim(private_map, "Owner's"), stance="states")
    client.force_login(annotator)
    response = client.post(reattach_url(private_map, source, orphan), {"exact": "nobody at all", "version": 2})
    assert response.status_code == 403
    assert f'data-reattach="{orphan.pk}"' not in client.get(reader_url(private_map, source)).content.decode()


def test_a_passage_this_map_does_not_cite_is_404(client, owner, editor, private_map, source, orphan):
    other = make_map(owner, title="Other seminar", editor=editor)
    services.add_source(argument_map=other, source=source, actor=owner)
    client.force_login(editor)
    assert client.get(reattach_url(other, source, orphan)).status_code == 404


def test_a_placed_passage_is_not_reattached(client, editor, private_map, source):
    evidence = cite(private_map, source, "Peace operations", editor)
    passage = evidence.passage
    client.force_login(editor)
    response = client.post(reattach_url(private_map, source, passage), {"exact": "Critics", "version": passage.version})
    assert response.status_code == 200
    passage.refresh_from_db()
    assert passage.exact == "Peace operations"
