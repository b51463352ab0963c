"""Warrant suggests in the pages and the API: evidence for a claim (find, then accept with a stance a
person chooses) and similar claims while typing. The real model runs (loaded once per process)."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from arguments import services
from arguments.models import Event, Evidence, LinkSuggestionDecision, Relation, Verb, Visibility
from sources.models import Source
from sources.sentence_index import sentences_for

from .factories import edit_text, make_claim, make_map, make_source, quote
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

COUNCIL = (
    "The Security Council has been deadlocked by vetoes for years. "
    "Its permanent members shield their allies from every resolution that names them.\n\n"
    "Meanwhile the weather in Geneva was mild and pleasant all spring."
)
COALITIONS = (
    "Ad hoc coalitions can be launched within weeks when a crisis breaks out. "
    "Their accountability frameworks remain thin and patchy, critics say.\n\n"
    "The conference dinner served fish and vegetables to every guest."
)
PARAPHRASE = "Vetoes of the great powers paralyse the Security Council."
VETO = "Rival great powers paralyse the UN's top body with their vetoes."
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def council(owner, annotator, viewer):
    argument_map = make_map(owner, annotator=annotator, viewer=viewer, title="Council seminar")
    for title, text in (("Council report", COUNCIL), ("Coalitions paper", COALITIONS)):
        services.add_source(argument_map=argument_map, source=make_source(title, text=text), actor=owner)
    return argument_map


def _url(name, argument_map, *args):
    return reverse(f"arguments:{name}", args=[argument_map.slug, *args])


def _suggestions(client, argument_map, claim):
    return client.get(_url("evidence_suggestions", argument_map, claim.pk), **HX)


# ---- find evidence -------------------------------------------------------------------------------


def test_the_claim_page_offers_to_find_evidence_to_annotators_only(client, council, annotator, viewer):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    page = client.get(_url("claim", council, claim.pk)).content.decode()
    assert "Find evidence in the sources" in page
    assert f'hx-get="{_url("evidence_suggestions", council, claim.pk)}"' in page
    assert "Similarity is not agreement" in page
    client.force_login(viewer)
    assert "Find evidence in the sources" not in client.get(_url("claim", council, claim.pk)).content.decode()


def test_suggestions_show_the_sentence_in_context_with_its_source_and_a_closeness_in_words(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    response = _suggestions(client, council, claim)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the fragment alone
    first = html.index('<li class="suggestion"')
    assert html.index("<mark>The Security Council has been deadlocked by vetoes for years.</mark>") > first
    # the words after it in its paragraph, for context, and the source it comes from
    assert '</mark><span class="muted"> Its permanent members shield their allies' in html
    assert "Geneva</span>" not in html.split("</li>")[0]
    assert "Council report" in html
    assert re.search(r'<span class="closeness">(close match|related|loosely related|weak match)</span>', html)
    for stance in ("states", "supports", "opposes"):
        assert f'name="stance" value="{stance}"' in html
    assert Evidence.objects.filter(claim=claim).count() == 0  # suggesting writes nothing to the map


def test_without_javascript_the_suggestions_are_a_page(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    html = client.get(_url("evidence_suggestions", council, claim.pk)).content.decode()
    assert "<html" in html and "<h1>Find evidence in the sources</h1>" in html
    assert "Similarity is not agreement" in html and "you decide" in html
    assert "deadlocked by vetoes" in html


def test_a_linked_sentence_is_not_suggested_again(client, council, owner, annotator):
    claim = make_claim(council, VETO)
    quote(council, council.sources.get(title="Council report"), "deadlocked by vetoes", claim, owner)
    client.force_login(annotator)
    html = _suggestions(client, council, claim).content.decode()
    assert "<mark>The Security Council has been deadlocked" not in html
    assert "<mark>Its permanent members shield" in html


def test_finding_evidence_costs_the_same_queries_for_a_small_and_a_large_map(client, owner):
    def url_of(argument_map) -> str:
        return _url("evidence_suggestions", argument_map, argument_map.claims.order_by("pk").last().pk)

    def embedded(argument_map):  # the sources' sentences once, as after the first use
        sentences_for(Source.objects.filter(map_sources__map=argument_map))

    client.force_login(owner)
    queries_at_two_sizes(client, owner, url_of, exactly=8, prepare=embedded, **HX)


def _accept(client, argument_map, claim, stance, **changes):
    html = _suggestions(client, argument_map, claim).content.decode()
    form = html[html.index("<form") : html.index("</form>")]
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    data["exact"] = data["exact"].replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    data.update(stance=stance, **changes)
    return client.post(_url("accept_suggestion", argument_map, claim.pk), data, **HX), data


def test_accepting_a_suggestion_links_it_with_the_chosen_stance_like_an_annotation(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    events = Event.objects.count()

    response, data = _accept(client, council, claim, "opposes")

    assert response.status_code == 200
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.stance == "opposes" and evidence.created_by == annotator
    assert evidence.passage.exact == data["exact"] == "The Security Council has been deadlocked by vetoes for years."
    assert (evidence.passage.start, evidence.passage.end) == (int(data["start"]), int(data["end"]))
    assert Event.objects.count() == events + 1
    event = Event.objects.latest("id")
    assert (event.verb, event.object_type, event.payload["stance"]) == (Verb.LINKED, "evidence", "opposes")
    html = response.content.decode()
    assert "Evidence added" in html and "opposes this claim" in html
    # the claim page's evidence list is replaced out of band, with the new quote in it
    oob = html[html.index('<section id="evidence"') :]
    assert 'hx-swap-oob="true"' in oob[:200] and 'Evidence <span class="muted small">(1)</span>' in oob
    # and it is no longer suggested
    assert f"<mark>{data['exact']}</mark>" not in _suggestions(client, council, claim).content.decode()


def test_accepting_twice_adds_nothing_new(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    _, data = _accept(client, council, claim, "supports")
    events = Event.objects.count()
    again = client.post(_url("accept_suggestion", council, claim.pk), data, **HX)
    assert "already supports this claim" in again.content.decode()
    assert Evidence.objects.filter(claim=claim).count() == 1 and Event.objects.count() == events


def test_a_suggestion_whose_text_changed_meanwhile_is_refused_with_a_message(client, council, owner, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    html = _suggestions(client, council, claim).content.decode()
    source = council.sources.get(title="Council report")
    edit_text(council, source, "A new first line.\n\n" + source.text, owner)
    form = html[html.index("<form") : html.index("</form>")]
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)) | {"stance": "states"}
    events = Event.objects.count()
    response = client.post(_url("accept_suggestion", council, claim.pk), data, **HX)
    assert "has changed since this was suggested" in response.content.decode()
    assert not Evidence.objects.filter(claim=claim).exists() and Event.objects.count() == events


def test_a_source_of_another_map_cannot_be_quoted_through_a_suggestion(client, council, owner, annotator):
    claim = make_claim(council, VETO)
    elsewhere = make_map(owner)
    other = make_source("Elsewhere", text=COUNCIL)
    services.add_source(argument_map=elsewhere, source=other, actor=owner)
    client.force_login(annotator)
    data = {"source": other.pk, "start": 0, "end": 20, "exact": COUNCIL[:20], "stance": "states"}
    assert client.post(_url("accept_suggestion", council, claim.pk), data, **HX).status_code == 404
    assert not Evidence.objects.exists()


def test_without_javascript_accepting_goes_back_to_the_claim(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    html = client.get(_url("evidence_suggestions", council, claim.pk)).content.decode()
    form = html[html.index('<form method="post" action="/maps/') :]
    form = form[: form.index("</form>")]
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)) | {"stance": "states"}
    data["exact"] = data["exact"].replace("&#x27;", "'")
    response = client.post(_url("accept_suggestion", council, claim.pk), data, follow=True)
    assert "Evidence added" in response.content.decode()
    assert Evidence.objects.get(claim=claim).stance == "states"


# ---- similar claims while typing -----------------------------------------------------------------


def _similar(client, argument_map, **params):
    return client.get(_url("similar_claims", argument_map), params, **HX).content.decode()


def test_a_paraphrase_being_typed_brings_up_the_claim_as_the_same_point_or_its_opposite(client, council, annotator):
    claim = make_claim(council, VETO)
    make_claim(council, "The conference dinner was excellent.")
    client.force_login(annotator)
    html = _similar(client, council, text=PARAPHRASE)
    assert "the same point, or its opposite?" in html
    assert f'href="{_url("claim", council, claim.pk)}"' in html
    assert "dinner" not in html
    assert "Use this claim instead" not in html  # in the respond form it is a link to the claim
    # its negation too: similarity is not agreement
    negated = _similar(client, council, text="Great powers do not paralyse the Security Council with vetoes.")
    assert _url("claim", council, claim.pk) in negated


def test_the_annotate_dialog_can_pick_the_similar_claim_instead(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    html = _similar(client, council, claim_text=PARAPHRASE, **{"for": "reader"})
    assert f'data-use-claim="{claim.pk}"' in html and "Use this claim instead" in html


def test_without_javascript_similar_claims_are_a_page(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    html = client.get(_url("similar_claims", council), {"text": PARAPHRASE}).content.decode()
    assert "<h1>Is it already in the map?</h1>" in html and _url("claim", council, claim.pk) in html
    short = client.get(_url("similar_claims", council), {"text": "vetoes"}).content.decode()
    assert "give at least three words" in short


def test_few_words_or_the_claim_itself_bring_up_nothing(client, council, annotator):
    claim = make_claim(council, VETO)
    client.force_login(annotator)
    assert "similar-claims" not in _similar(client, council, text="vetoes paralyse")
    assert "similar-claims" not in _similar(client, council, text=VETO, exclude=claim.pk, **{"for": "edit"})
    assert "similar-claims" in _similar(client, council, text=VETO, **{"for": "edit"})


def test_the_forms_ask_for_similar_claims_after_a_pause_in_typing(client, council, owner, annotator):
    claim = make_claim(council, VETO, actor=owner)
    similar = _url("similar_claims", council)
    client.force_login(annotator)
    page = client.get(_url("claim", council, claim.pk)).content.decode()
    assert f'hx-get="{similar}?for=respond"' in page and "from:#respond-text" in page
    respond = client.get(_url("claim_respond", council, claim.pk), **HX).content.decode()
    assert f"from:#respond-text-{claim.pk}" in respond
    client.force_login(owner)
    edit = client.get(_url("claim_edit", council, claim.pk)).content.decode()
    assert f"?for=edit&amp;exclude={claim.pk}" in edit and "from:#id_text" in edit
    reader = client.get(_url("source", council, council.sources.first().slug)).content.decode()
    assert "from:#annotate-claim-text" in reader


def test_similar_claims_cost_the_same_queries_for_a_small_and_a_large_map(client, owner):
    def url_of(argument_map) -> str:
        return _url("similar_claims", argument_map) + "?text=An+argument+with+a+number"

    client.force_login(owner)
    queries_at_two_sizes(client, owner, url_of, exactly=4, **HX)


# ---- the API ---------------------------------------------------------------------------------------


def _api(user, name, argument_map, *args, **params):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get(reverse(f"api:{name}", args=[argument_map.slug, *args]), params)


def test_the_api_lists_similar_claims(council, annotator, viewer, outsider):
    claim = make_claim(council, VETO)
    response = _api(annotator, "similar_claims", council, text=PARAPHRASE)
    assert response.status_code == 200
    [found] = response.json()["results"]
    assert (found["id"], found["text"], found["kind"]) == (claim.pk, VETO, "claim")
    assert 0.58 <= found["similarity"] <= 1 and found["url"].endswith(f"/claims/{claim.pk}/")
    assert _api(annotator, "similar_claims", council, text=VETO, exclude=claim.pk).json() == {"results": []}
    assert _api(annotator, "similar_claims", council).status_code == 400
    assert _api(annotator, "similar_claims", council, text="x" * 2001).status_code == 400
    assert _api(annotator, "similar_claims", council, text=VETO, limit=0).status_code == 400
    assert _api(viewer, "similar_claims", council, text=VETO).status_code == 403
    assert _api(outsider, "similar_claims", council, text=VETO).status_code == 404  # a private map is not shown


def test_the_api_suggests_evidence_that_can_be_posted_as_it_is(council, annotator, outsider):
    claim = make_claim(council, VETO)
    response = _api(annotator, "evidence_suggestions", council, claim.pk, limit=2)
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 2
    best = results[0]
    assert best["exact"] == "The Security Council has been deadlocked by vetoes for years."
    assert best["source"] == council.sources.get(title="Council report").slug
    assert set(best) == {"source", "start", "end", "exact", "score", "similarity"}
    client = APIClient()
    client.force_authenticate(annotator)
    posted = client.post(
        reverse("api:evidence-list", args=[council.slug]),
        {"claim": claim.pk, "stance": "supports", **{k: best[k] for k in ("source", "start", "end", "exact")}},
        format="json",
    )
    assert posted.status_code == 201, posted.content
    assert _api(outsider, "evidence_suggestions", council, claim.pk).status_code == 404
    other = make_claim(make_map(annotator), "Elsewhere.")
    assert _api(annotator, "evidence_suggestions", council, other.pk).status_code == 404


def test_the_api_suggestions_on_a_public_map_need_an_annotator(owner, viewer):
    argument_map = make_map(owner, visibility=Visibility.PUBLIC)
    claim = make_claim(argument_map, VETO)
    assert _api(None, "evidence_suggestions", argument_map, claim.pk).status_code == 401
    assert _api(viewer, "similar_claims", argument_map, text=VETO).status_code == 403


def test_the_schema_describes_the_suggestions(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/maps/{slug}/similar-claims/:" in text
    assert "/api/v1/maps/{slug}/claims/{claim_id}/evidence-suggestions/:" in text
    assert "/api/v1/maps/{slug}/link-suggestions/:" in text
    assert "same point or its opposite" in text


def test_the_api_lists_link_suggestions_for_editors(council, owner, annotator, two_documents):
    first, second = two_documents
    response = _api(owner, "link_suggestions", council)
    assert response.status_code == 200
    [pair] = response.json()["results"]
    report, paper = (council.sources.get(title=t).slug for t in ("Council report", "Coalitions paper"))
    assert (pair["claim"], pair["other"], pair["sources"], pair["other_sources"]) == (
        first.pk,
        second.pk,
        [report],
        [paper],
    )
    assert _api(annotator, "link_suggestions", council).status_code == 403
    assert _api(owner, "link_suggestions", council, limit=51).status_code == 400


def test_closeness_is_said_in_words():
    from arguments.views.assist import closeness

    assert [closeness(x) for x in (0.9, 0.55, 0.45, 0.3, 0.1)] == [
        "close match",
        "close match",
        "related",
        "loosely related",
        "weak match",
    ]


# ---- suggested links between claims of different documents -----------------------------------------


@pytest.fixture
def two_documents(council, owner):
    """Two claims, each quoted from its own source, that make nearly the same point."""
    first = make_claim(council, VETO, actor=owner)
    quote(council, council.sources.get(title="Council report"), "deadlocked by vetoes", first, owner)
    second = make_claim(council, PARAPHRASE, actor=owner)
    quote(council, council.sources.get(title="Coalitions paper"), "Ad hoc coalitions", second, owner)
    return first, second


def test_editors_see_suggested_links_between_documents(client, council, editor, two_documents):
    first, second = two_documents
    council.memberships.create(user=editor, role="editor")
    client.force_login(editor)
    assert "Suggested links" in client.get(_url("map", council)).content.decode()
    html = client.get(_url("link_suggestions", council)).content.decode()
    assert f'name="claim" value="{first.pk}"' in html and f'name="other" value="{second.pk}"' in html
    assert "Council report" in html and "Coalitions paper" in html
    assert "you decide" in html and "as pro (supports)" in html and "not linked" in html


def test_accepting_a_link_makes_a_relation_and_is_remembered(client, council, owner, two_documents):
    first, second = two_documents
    client.force_login(owner)
    events = Event.objects.count()
    data = {"claim": first.pk, "other": second.pk, "direction": "back", "decision": "opposes"}
    response = client.post(_url("decide_link", council), data, **HX)
    assert "Linked:" in response.content.decode()
    relation = Relation.objects.get(map=council)
    assert (relation.from_claim, relation.to_claim, relation.kind) == (second, first, "opposes")
    assert Event.objects.count() == events + 1
    assert LinkSuggestionDecision.objects.get(map=council).decision == "accepted"
    assert f'value="{first.pk}"' not in client.get(_url("link_suggestions", council)).content.decode()


def test_rejecting_a_link_is_remembered_and_writes_no_relation(client, council, owner, two_documents):
    first, second = two_documents
    client.force_login(owner)
    data = {"claim": first.pk, "other": second.pk, "decision": "rejected"}
    response = client.post(_url("decide_link", council), data, follow=True)
    assert "will not be suggested again" in response.content.decode()
    assert not Relation.objects.filter(map=council).exists()
    assert LinkSuggestionDecision.objects.get(map=council).decision == "rejected"
    assert "No suggestion" in client.get(_url("link_suggestions", council)).content.decode()


def test_claims_of_another_map_cannot_be_linked(client, council, owner, two_documents):
    first, _ = two_documents
    stranger = make_claim(make_map(owner), "Elsewhere.")
    client.force_login(owner)
    data = {"claim": first.pk, "other": stranger.pk, "decision": "supports"}
    assert client.post(_url("decide_link", council), data, **HX).status_code == 404
    assert not Relation.objects.filter(map=council).exists()


def test_suggested_links_cost_the_same_queries_for_a_small_and_a_large_map(client, owner):
    client.force_login(owner)
    queries_at_two_sizes(client, owner, lambda m: _url("link_suggestions", m), exactly=7)
