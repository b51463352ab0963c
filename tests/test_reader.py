"""The annotating reader: reading, annotating (new claim or link), editing and deleting, by role."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Event, Evidence, Verb
from sources.models import Passage

from .factories import make_claim, make_map, make_source, make_user, reader_url
from .queries import queries_at_two_sizes

HTMX = {"HTTP_HX_REQUEST": "true"}
UNICODE_TEXT = (
    "Le café “déjà vu” — naïve façade 😀 then more.\n"
    "A second line with 🎉 party.\n\n"
    "中文 text and 𠀀 rare ideograph: the claim after them.\n\n"
    "Final words."
)


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def selection(text: str, exact: str) -> dict:
    """The POST fields a browser sends for selecting `exact` (its first occurrence) in `text`."""
    start = text.index(exact)
    return {"start16": u16(text[:start]), "end16": u16(text[: start + len(exact)]), "exact": exact}


@pytest.fixture
def source(private_map):
    return private_map.sources.get()


def annotate_url(argument_map, source) -> str:
    return reverse("arguments:annotate", args=[argument_map.slug, source.slug])


def written():
    return (Claim.objects.count(), Passage.objects.count(), Evidence.objects.count(), Event.objects.count())


# ---------------------------------------------------------------------------------------- reading


@pytest.mark.parametrize("who, status", [("owner", 200), ("editor", 200), ("annotator", 200), ("viewer", 200)])
def test_members_read_the_private_reader(client, request, private_map, source, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reader_url(private_map, source))
    assert response.status_code == status
    html = response.content.decode()
    assert "reader-doc" in html and 'data-o16="0"' in html
    assert ('id="annotate-dialog"' in html) is (who != "viewer")
    assert ("press C for caret mode" in html) is (who != "viewer")


def test_outsiders_and_visitors_get_404_on_a_private_map(client, outsider, private_map, source):
    assert client.get(reader_url(private_map, source)).status_code == 404
    client.force_login(outsider)
    assert client.get(reader_url(private_map, source)).status_code == 404


def test_visitors_read_a_public_map_without_controls(client, owner, public_map):
    source = make_source("Open source", added_by=owner)
    services.add_source(argument_map=public_map, source=source, actor=owner)
    response = client.get(reader_url(public_map, source))
    assert response.status_code == 200
    html = response.content.decode()
    assert "annotate-dialog" not in html and "annotate-float" not in html and "Delete annotation" not in html


def test_a_source_outside_the_map_is_404(client, owner, private_map):
    other = make_source("Not in the map", added_by=owner)
    client.force_login(owner)
    assert client.get(reader_url(private_map, other)).status_code == 404


@pytest.mark.parametrize("who, status", [("viewer", 403), ("outsider", 404), (None, 404)])
def test_annotating_needs_the_annotator_role(client, request, private_map, source, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    before = written()
    data = {**selection(source.text, "Coalitions of the willing"), "mode": "new", "claim_text": "Forged"}
    assert client.post(annotate_url(private_map, source), data, **HTMX).status_code == status
    assert client.get(annotate_url(private_map, source)).status_code == status
    assert written() == before


# -------------------------------------------------------------------------------------- annotating


def test_annotator_creates_a_claim_stated_by_a_passage(client, annotator, private_map, source):
    client.force_login(annotator)
    exact = "Critics answer that such coalitions lack accountability and legitimacy."
    data = {
        **selection(source.text, exact),
        "mode": "new",
        "claim_text": "Coalitions lack accountability.",
        "note": "key",
    }
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert response.status_code == 200
    claim = Claim.objects.get(text="Coalitions lack accountability.")
    evidence = Evidence.objects.get(claim=claim)
    assert (evidence.stance, evidence.note, evidence.created_by) == ("states", "key", annotator)
    assert evidence.passage.exact == exact
    assert evidence.passage.start == source.text.index(exact)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="reader-body"')
    assert f'data-passages="{evidence.passage_id}"' in html
    assert "Annotation added" in html
    assert "warrant:annotated" in response["HX-Trigger"]
    verbs = list(Event.objects.filter(map=private_map).order_by("-id").values_list("verb", "object_type")[:2])
    assert verbs == [(Verb.LINKED, "evidence"), (Verb.CREATED, "claim")]


def test_annotator_links_a_passage_to_an_existing_claim_as_opposing(client, annotator, private_map, source):
    claim = make_claim(private_map, "Coalitions are the best tool.")
    client.force_login(annotator)
    exact = "lack accountability and legitimacy"
    data = {**selection(source.text, exact), "mode": "link", "claim": claim.pk, "stance": "opposes"}
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert response.status_code == 200
    evidence = Evidence.objects.get(claim=claim)
    assert (evidence.stance, evidence.passage.exact) == ("opposes", exact)
    assert Claim.objects.filter(map=private_map).count() == 1


def test_plain_form_post_redirects_back_to_the_passage(client, annotator, private_map, source):
    client.force_login(annotator)
    data = {**selection(source.text, "Peace operations"), "mode": "new", "claim_text": "Operations are needed."}
    response = client.post(annotate_url(private_map, source) + "?stance=states", data)
    passage = Passage.objects.get(exact="Peace operations")
    assert response.status_code == 302
    assert response["Location"] == reader_url(private_map, source) + f"?stance=states#passage-{passage.pk}"


def test_without_javascript_a_quote_is_located_in_the_text(client, annotator, private_map, source):
    client.force_login(annotator)
    page = client.get(annotate_url(private_map, source))
    assert page.status_code == 200 and "<dialog" in page.content.decode() and " open>" in page.content.decode()
    data = {"exact": "a necessity and a resource", "mode": "new", "claim_text": "Peace operations are useful."}
    assert client.post(annotate_url(private_map, source), data).status_code == 302
    passage = Passage.objects.get()
    assert source.text[passage.start : passage.end] == "a necessity and a resource"


def test_a_quote_that_does_not_match_the_text_is_refused_and_nothing_is_written(client, annotator, private_map, source):
    client.force_login(annotator)
    before = written()
    data = {**selection(source.text, "Critics answer"), "mode": "new", "claim_text": "Critics."}
    data["exact"] = "Critics answre"  # the page was out of date, or the offsets were miscounted
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#annotate-form" and response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="annotate-form"')
    assert "does not match the source" in html
    assert written() == before


def test_plain_form_errors_show_the_page_with_the_form_open(client, annotator, private_map, source):
    client.force_login(annotator)
    before = written()
    data = {**selection(source.text, "Critics answer"), "mode": "new", "claim_text": "  "}
    response = client.post(annotate_url(private_map, source), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Write the claim this passage states." in html and 'class="reader-body"' in html
    assert written() == before


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"mode": "new", "claim_text": ""}, "Write the claim this passage states."),
        ({"mode": "link", "stance": "supports"}, "Pick a claim from the list."),
        ({"mode": "link", "stance": "supports", "claim": 999999}, "That claim is not in this map."),
    ],
)
def test_incomplete_annotations_are_refused_beside_the_field(client, annotator, private_map, source, fields, message):
    client.force_login(annotator)
    before = written()
    response = client.post(annotate_url(private_map, source), {**selection(source.text, "Critics"), **fields}, **HTMX)
    assert message in response.content.decode()
    assert written() == before


def test_a_claim_of_another_map_cannot_be_linked(client, owner, annotator, private_map, source):
    elsewhere = make_claim(make_map(owner, title="Elsewhere"), "Foreign claim")
    client.force_login(annotator)
    before = written()
    data = {**selection(source.text, "Critics"), "mode": "link", "claim": elsewhere.pk, "stance": "supports"}
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert "not in this map" in response.content.decode()
    assert written() == before


def test_a_selection_with_surrounding_white_space_is_refused(client, annotator, private_map, source):
    client.force_login(annotator)
    text = source.text
    start = text.index("\n\nCritics")
    data = {"start16": start, "end16": start + 9, "exact": text[start : start + 9], "mode": "new", "claim_text": "x"}
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert "white space" in response.content.decode()
    assert Passage.objects.count() == 0


def test_claim_and_evidence_are_written_together_or_not_at_all(client, annotator, private_map, source, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError("Refused for the test.")

    monkeypatch.setattr(services, "add_evidence", refuse)
    client.force_login(annotator)
    before = written()
    data = {**selection(source.text, "Critics"), "mode": "new", "claim_text": "Half-written claim"}
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert "Refused for the test." in response.content.decode()
    assert written() == before


def test_linking_the_same_passage_to_a_claim_again_changes_nothing_and_says_so(client, annotator, private_map, source):
    claim = make_claim(private_map, "Target")
    client.force_login(annotator)
    data = {**selection(source.text, "Critics"), "mode": "link", "claim": claim.pk, "stance": "supports"}
    client.post(annotate_url(private_map, source), data, **HTMX)
    before = written()
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert response.status_code == 200
    assert "“Critics” already supports that claim; nothing new was added." in response.content.decode()
    assert written() == before


# ------------------------------------------------------------------------------ UTF-16 through the view


@pytest.fixture
def unicode_source(owner, private_map):
    source = make_source("Unicode source", text=UNICODE_TEXT, added_by=owner)
    services.add_source(argument_map=private_map, source=source, actor=owner)
    return source


@pytest.mark.parametrize(
    "exact",
    [
        "déjà vu",
        "naïve façade 😀 then",
        "🎉 party",
        "中文 text and 𠀀 rare ideograph",
        "the claim after them",
        "Final words.",
    ],
)
def test_utf16_offsets_from_the_browser_become_code_points(client, annotator, private_map, unicode_source, exact):
    client.force_login(annotator)
    data = {**selection(UNICODE_TEXT, exact), "mode": "new", "claim_text": f"About {exact}"}
    response = client.post(annotate_url(private_map, unicode_source), data, **HTMX)
    assert response.status_code == 200 and "HX-Retarget" not in response
    passage = Passage.objects.get(source=unicode_source)
    assert (passage.start, passage.end) == (UNICODE_TEXT.index(exact), UNICODE_TEXT.index(exact) + len(exact))
    assert passage.exact == exact


def test_code_point_offsets_sent_as_if_they_were_utf16_are_refused(client, annotator, private_map, unicode_source):
    client.force_login(annotator)
    exact = "the claim after them"
    start = UNICODE_TEXT.index(exact)  # code points: wrong by the two emoji and the rare ideograph
    data = {"start16": start, "end16": start + len(exact), "exact": exact, "mode": "new", "claim_text": "x"}
    response = client.post(annotate_url(private_map, unicode_source), data, **HTMX)
    assert "does not match the source" in response.content.decode()
    assert Passage.objects.count() == 0


def test_an_offset_inside_an_emoji_is_refused(client, annotator, private_map, unicode_source):
    client.force_login(annotator)
    emoji_at = u16(UNICODE_TEXT[: UNICODE_TEXT.index("😀")])
    data = {"start16": emoji_at + 1, "end16": emoji_at + 8, "exact": "x", "mode": "new", "claim_text": "x"}
    response = client.post(annotate_url(private_map, unicode_source), data, **HTMX)
    assert "surrogate pair" in response.content.decode()
    assert Passage.objects.count() == 0


def test_reader_paragraph_offsets_are_in_utf16_units(client, annotator, private_map, unicode_source):
    client.force_login(annotator)
    html = client.get(reader_url(private_map, unicode_source)).content.decode()
    second = UNICODE_TEXT.index("中文")
    assert re.findall(r'data-o16="(\d+)"', html) == [
        "0",
        str(u16(UNICODE_TEXT[:second])),
        str(u16(UNICODE_TEXT[: UNICODE_TEXT.index("Final")])),
    ]
    assert "😀 then more.\nA second line" in html


# ----------------------------------------------------------------------------------------- filters


@pytest.fixture
def annotated(private_map, source, annotator, editor):
    """Two annotations by different people with different stances on overlapping passages."""
    first = make_claim(private_map, "Coalitions act fast.")
    second = make_claim(private_map, "Coalitions are illegitimate.")
    text = source.text
    a = text.index("Coalitions of the willing act quickly")
    b = text.index("the willing act quickly when")
    ev1 = services.add_evidence(
        argument_map=private_map, actor=annotator, source=source, start=a, end=a + 40, claim=first, stance="states"
    )
    ev2 = services.add_evidence(
        argument_map=private_map, actor=editor, source=source, start=b, end=b + 50, claim=second, stance="opposes"
    )
    return ev1, ev2


def highlighted(html: str) -> set[str]:
    return {pid for ids in re.findall(r'data-passages="([\d ]+)"', html) for pid in ids.split()}


def test_overlapping_passages_are_both_highlighted_and_listed(client, annotator, private_map, source, annotated):
    ev1, ev2 = annotated
    client.force_login(annotator)
    html = client.get(reader_url(private_map, source)).content.decode()
    assert highlighted(html) == {str(ev1.passage_id), str(ev2.passage_id)}
    assert f'data-passages="{ev1.passage_id} {ev2.passage_id}"' in html
    assert 'aria-description="states: Coalitions act fast.; opposes: Coalitions are illegitimate."' in html
    assert f'href="{reverse("arguments:claim", args=[private_map.slug, ev2.claim_id])}"' in html


@pytest.mark.parametrize("key", ["claim", "stance", "annotator"])
def test_filters_keep_only_matching_passages(client, annotator, private_map, source, annotated, key):
    ev1, ev2 = annotated
    value = {"claim": ev2.claim_id, "stance": "opposes", "annotator": "eddie"}[key]
    client.force_login(annotator)
    html = client.get(reader_url(private_map, source, **{key: value})).content.decode()
    assert highlighted(html) == {str(ev2.passage_id)}
    assert f'id="annotation-{ev2.pk}"' in html and f'id="annotation-{ev1.pk}"' not in html
    assert "(1 of 2)" in html


def test_unknown_filter_values_are_ignored(client, annotator, private_map, source, annotated):
    client.force_login(annotator)
    html = client.get(reader_url(private_map, source, claim="x", stance="bogus")).content.decode()
    assert len(highlighted(html)) == 2


# ---------------------------------------------------------------------------------- edit and delete


def edit_url(argument_map, source, evidence) -> str:
    return reverse("arguments:reader_evidence_edit", args=[argument_map.slug, source.slug, evidence.pk])


def delete_url(argument_map, source, evidence) -> str:
    return reverse("arguments:reader_evidence_delete", args=[argument_map.slug, source.slug, evidence.pk])


def test_annotator_sees_controls_only_on_their_own_annotations(client, annotator, private_map, source, annotated):
    ev1, ev2 = annotated
    client.force_login(annotator)
    html = client.get(reader_url(private_map, source)).content.decode()
    assert edit_url(private_map, source, ev1) in html and edit_url(private_map, source, ev2) not in html


def test_annotator_edits_their_own_annotation(client, annotator, private_map, source, annotated):
    ev1, _ = annotated
    client.force_login(annotator)
    data = {"stance": "supports", "note": "Now a <b>supporting</b> note", "version": ev1.version}
    response = client.post(edit_url(private_map, source, ev1), data, **HTMX)
    assert response.status_code == 200 and "Annotation updated." in response.content.decode()
    ev1.refresh_from_db()
    assert (ev1.stance, ev1.note, ev1.version) == ("supports", "Now a <b>supporting</b> note", 2)
    event = Event.objects.filter(map=private_map).latest("id")
    assert (event.verb, event.object_type, event.object_id) == (Verb.UPDATED, "evidence", ev1.pk)
    assert event.payload["previous_stance"] == "states"
    assert "Now a &lt;b&gt;supporting&lt;/b&gt; note" in response.content.decode()


def test_a_stale_edit_is_refused(client, annotator, private_map, source, annotated):
    ev1, _ = annotated
    client.force_login(annotator)
    client.post(edit_url(private_map, source, ev1), {"stance": "supports", "version": 1}, **HTMX)
    response = client.post(edit_url(private_map, source, ev1), {"stance": "opposes", "version": 1}, **HTMX)
    assert "someone else changed" in response.content.decode()
    ev1.refresh_from_db()
    assert ev1.stance == "supports"


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_annotator_cannot_change_someone_elses_annotation(client, annotator, private_map, source, annotated, action):
    _, ev2 = annotated
    client.force_login(annotator)
    before = written()
    url = edit_url(private_map, source, ev2) if action == "edit" else delete_url(private_map, source, ev2)
    assert client.post(url, {"stance": "supports", "version": 1}).status_code == 403
    assert written() == before


@pytest.mark.parametrize("who, status", [("viewer", 403), ("outsider", 404)])
def test_viewers_and_outsiders_cannot_delete(client, request, private_map, source, annotated, who, status):
    ev1, _ = annotated
    client.force_login(request.getfixturevalue(who))
    assert client.post(delete_url(private_map, source, ev1)).status_code == status
    assert Evidence.objects.filter(pk=ev1.pk).exists()


def test_editor_edits_and_deletes_anyones_annotation(client, editor, private_map, source, annotated):
    ev1, _ = annotated
    client.force_login(editor)
    assert client.post(edit_url(private_map, source, ev1), {"stance": "opposes", "version": 1}).status_code == 302
    response = client.post(delete_url(private_map, source, ev1))
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=ev1.pk).exists()


def test_deleting_the_last_annotation_of_a_passage_deletes_the_passage(
    client, annotator, private_map, source, annotated
):
    ev1, _ = annotated
    client.force_login(annotator)
    response = client.post(delete_url(private_map, source, ev1), **HTMX)
    assert response.status_code == 200 and "Annotation removed." in response.content.decode()
    assert not Evidence.objects.filter(pk=ev1.pk).exists()
    assert not Passage.objects.filter(pk=ev1.passage_id).exists()
    assert Claim.objects.filter(pk=ev1.claim_id).exists()
    event = Event.objects.filter(map=private_map).latest("id")
    assert (event.verb, event.object_type, event.object_id) == (Verb.UNLINKED, "evidence", ev1.pk)
    assert event.payload["passage_deleted"] is True


def test_a_passage_still_in_use_survives_the_deletion(client, annotator, private_map, source, annotated):
    ev1, _ = annotated
    other = make_claim(private_map, "Another reading")
    services.add_evidence(
        argument_map=private_map,
        actor=annotator,
        source=source,
        start=ev1.passage.start,
        end=ev1.passage.end,
        claim=other,
        stance="supports",
    )
    client.force_login(annotator)
    client.post(delete_url(private_map, source, ev1), **HTMX)
    assert Passage.objects.filter(pk=ev1.passage_id).exists()
    assert Event.objects.filter(map=private_map).latest("id").payload["passage_deleted"] is False


# ------------------------------------------------------------------------------ cost and escaping


def test_reader_query_count_does_not_grow_with_the_number_of_passages(client, owner):
    client.force_login(owner)
    queries_at_two_sizes(client, owner, lambda m: reader_url(m, m.sources.get()), visibility="private", sizes=(3, 40))


def test_user_text_is_escaped_in_claims_notes_and_labels(client, annotator, private_map, source):
    nasty = '<script>alert("x")</script>'
    client.force_login(annotator)
    data = {**selection(source.text, "Critics"), "mode": "new", "claim_text": f"Claim {nasty}", "note": f"Note {nasty}"}
    html = client.post(annotate_url(private_map, source), data, **HTMX).content.decode()
    assert "<script>alert" not in html
    assert "Claim &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Note &lt;script&gt;" in html
    page = client.get(reader_url(private_map, source)).content.decode()
    assert "<script>alert" not in page


def test_annotator_list_shows_author_stance_and_note(client, owner, annotator, private_map, source):
    user = make_user("zed")
    services.add_member(argument_map=private_map, user=user, role="annotator", actor=owner)
    claim = make_claim(private_map, "Zed's claim")
    services.add_evidence(
        argument_map=private_map, actor=user, source=source, start=0, end=10, claim=claim, stance="supports", note="N"
    )
    client.force_login(annotator)
    html = client.get(reader_url(private_map, source)).content.decode()
    assert "by zed" in html and '<p class="note">N</p>' in html and 'class="stance supports"' in html


# ------------------------------------------------------------------ placing a new claim; duplicates


@pytest.mark.parametrize("place", ["supports", "opposes"])
def test_a_new_claim_is_placed_under_a_claim_of_the_map_in_one_change(client, annotator, private_map, source, place):
    target = make_claim(private_map, "Coalitions are legitimate.")
    client.force_login(annotator)
    data = {**selection(source.text, "Critics"), "mode": "new", "claim_text": "Critics doubt it.", "place": place}
    response = client.post(annotate_url(private_map, source), {**data, "target": target.pk}, **HTMX)
    assert response.status_code == 200
    claim = Claim.objects.get(text="Critics doubt it.")
    relation = claim.outgoing.get()
    assert (relation.to_claim_id, relation.kind, relation.map_id, relation.created_by) == (
        target.pk,
        place,
        private_map.pk,
        annotator,
    )
    assert Evidence.objects.get(claim=claim).stance == "states"
    verbs = list(Event.objects.filter(map=private_map).order_by("id").values_list("verb", "object_type"))[-3:]
    assert verbs == [(Verb.CREATED, "claim"), (Verb.LINKED, "relation"), (Verb.LINKED, "evidence")]
    assert f"The claim {place} “Coalitions are legitimate.”" in response.content.decode()


def test_not_placed_yet_makes_no_relation(client, annotator, private_map, source):
    target = make_claim(private_map, "Coalitions are legitimate.")
    client.force_login(annotator)
    data = {**selection(source.text, "Critics"), "mode": "new", "claim_text": "Loose claim", "place": ""}
    client.post(annotate_url(private_map, source), {**data, "target": target.pk}, **HTMX)
    assert not Claim.objects.get(text="Loose claim").outgoing.exists()


@pytest.mark.parametrize(
    "target,message",
    [(None, "Pick the claim the new claim supports or opposes"), ("elsewhere", "That claim is not in this map.")],
)
def test_a_placement_needs_a_claim_of_this_map(client, owner, annotator, private_map, source, target, message):
    elsewhere = make_claim(make_map(owner, title="Elsewhere"), "Foreign claim")
    client.force_login(annotator)
    before = written()
    data = {**selection(source.text, "Critics"), "mode": "new", "claim_text": "Placed", "place": "supports"}
    if target:
        data["target"] = elsewhere.pk
    response = client.post(annotate_url(private_map, source), data, **HTMX)
    assert message in response.content.decode()
    assert written() == before


def test_claim_relation_and_evidence_are_written_together_or_not_at_all(
    client, annotator, private_map, source, monkeypatch
):
    target = make_claim(private_map, "Coalitions are legitimate.")

    def refuse(**kwargs):
        raise ValidationError("Refused for the test.")

    monkeypatch.setattr(services, "add_evidence", refuse)
    client.force_login(annotator)
    before = written()
    data = {**selection(source.text, "Critics"), "mode": "new", "claim_text": "Half", "place": "opposes"}
    response = client.post(annotate_url(private_map, source), {**data, "target": target.pk}, **HTMX)
    html = response.content.decode()
    assert "Refused for the test." in html
    assert f'value="{target.pk}" checked' in html  # the form comes back with the claim still picked
    assert written() == before


def test_a_passage_stating_the_same_claim_again_is_warned_about(client, annotator, private_map, source):
    client.force_login(annotator)
    data = {**selection(source.text, "Critics"), "mode": "new", "claim_text": "Critics  doubt it."}
    client.post(annotate_url(private_map, source), data, **HTMX)
    before = written()

    again = {**data, "claim_text": "critics doubt IT."}
    response = client.post(annotate_url(private_map, source), again, **HTMX)
    html = response.content.decode()
    assert "This passage already states “Critics  doubt it.”" in html
    assert 'name="duplicate_ok"' in html
    assert response["HX-Retarget"] == "#annotate-form"
    assert written() == before

    response = client.post(annotate_url(private_map, source), {**again, "duplicate_ok": "on"}, **HTMX)
    assert "Annotation added" in response.content.decode()
    assert Claim.objects.count() == before[0] + 1  # the reader chose to add it

    # Other words of the passage's text, or the same claim on other words, are no duplicates.
    other = {**selection(source.text, "Critics"), "mode": "new", "claim_text": "Critics doubt something else."}
    assert "Annotation added" in client.post(annotate_url(private_map, source), other, **HTMX).content.decode()


def test_without_javascript_both_pickers_list_whole_claims(client, annotator, private_map, source):
    long_text = "A claim long enough to have been cut off in a one-line list before: " + "and so on, " * 20 + "end."
    claim = make_claim(private_map, long_text)
    client.force_login(annotator)
    html = client.get(annotate_url(private_map, source)).content.decode()
    for name in ("claim", "target"):
        assert f'<input type="radio" name="{name}" value="{claim.pk}"> {long_text}</label>' in html
    assert '<input type="radio" name="place" value="" checked> not placed yet' in html
