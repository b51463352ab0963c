"""Search in a map: claims, quoted passages and source texts, ranked, highlighted and linked."""

import pytest
from django.urls import reverse

from arguments import services

from .factories import make_claim, make_map, make_source
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture
def seminar(owner, editor, annotator, viewer):
    argument_map = make_map(owner, editor=editor, annotator=annotator, viewer=viewer, title="Seminar")
    source = make_source("Op-ed", text="Coalitions of the willing act quickly.\n\nThe Council is deadlocked by vetoes.")
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = make_claim(argument_map, "Coalitions fill the gap when the Council is deadlocked.", actor=owner)
    make_claim(argument_map, "Accountability matters.", actor=owner)
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=38, claim=claim, stance="supports"
    )
    return argument_map


def search(client, argument_map, q, **headers):
    return client.get(reverse("arguments:search", args=[argument_map.slug]), {"q": q}, **headers)


def test_finds_claims_quotes_and_source_text_with_words_highlighted(client, owner, seminar):
    client.force_login(owner)
    page = search(client, seminar, "deadlocked").content.decode()
    assert "<mark>deadlocked</mark>" in page
    assert f"/maps/{seminar.slug}/claims/" in page  # the claim
    assert "The Council is <mark>deadlocked</mark> by vetoes." in page  # the source text
    assert "Accountability" not in page
    quote_page = search(client, seminar, "willing").content.decode()
    assert "#passage-" in quote_page and "Quote · " in quote_page


def test_every_query_word_must_match(client, owner, seminar):
    client.force_login(owner)
    page = search(client, seminar, "coalitions accountability").content.decode()
    assert "0 results" in page and "Nothing in this map matches" in page


def test_the_query_and_results_are_escaped(client, owner, seminar):
    make_claim(seminar, "A <script>bad()</script> claim about vetoes", actor=owner)
    client.force_login(owner)
    page = search(client, seminar, "<script>vetoes").content.decode()
    assert "<script>bad()" not in page and "<script>vetoes" not in page
    assert "&lt;script&gt;" in page


def test_htmx_search_returns_the_results_only(client, owner, seminar):
    client.force_login(owner)
    fragment = search(client, seminar, "deadlocked", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="results"') and "<html" not in fragment


@pytest.mark.parametrize("page", ["²", "-1", "x", "99999999999"])
def test_a_page_number_that_is_not_one_shows_the_first(client, owner, seminar, page):
    client.force_login(owner)
    answer = client.get(reverse("arguments:search", args=[seminar.slug]), {"q": "Council", "page": page})
    assert answer.status_code == 200 and "<mark>Council</mark>" in answer.content.decode()


def test_an_empty_query_explains_what_search_covers(client, owner, seminar):
    client.force_login(owner)
    assert "Type words to find them" in search(client, seminar, "").content.decode()


ROLES = [("owner", 200), ("editor", 200), ("annotator", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 404)]


@pytest.mark.parametrize("who,status", ROLES)
def test_search_follows_the_map_access(client, request, seminar, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert search(client, seminar, "Council").status_code == status


def test_search_query_count_does_not_grow_with_the_map(client, owner):
    def url_of(argument_map) -> str:
        return reverse("arguments:search", args=[argument_map.slug]) + "?q=" + query

    # The map; then per kind of hit (claims, quotes, source texts) one query finds and ranks, and one
    # more fetches what is shown when something was found.
    for query, queries in (("nowhere", 4), ("coalitions", 6), ("argument", 5)):
        assert queries_at_two_sizes(client, owner, url_of) == queries, query
