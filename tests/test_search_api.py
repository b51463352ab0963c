"""GET /api/v1/maps/<slug>/search/: the search page's hits as JSON, paged, following the map's access."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from arguments import services
from arguments.models import Visibility

from .factories import make_claim, make_map, make_source
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

TEXT = "\n\n".join(
    f"Part {n}. The Council vetoed the draft on peace-keeping. " + "Filler words. " * 15 for n in range(12)
)


@pytest.fixture
def seminar(owner, viewer):
    argument_map = make_map(owner, viewer=viewer, title="Seminar")
    source = make_source("Report", text=TEXT)
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    make_claim(argument_map, "Vetoes paralyse <b>peacekeeping</b>.", actor=owner)
    return argument_map


def ask(user, argument_map, **params):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get(reverse("api:search", args=[argument_map.slug]), params)


def test_hits_come_with_plain_snippets_their_marks_and_their_place(owner, seminar):
    answer = ask(owner, seminar, q="vetoes peacekeeping")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["count"], body["page"], body["pages"]) == (13, 1, 2) and len(body["results"]) == 10
    claim, first = body["results"][0], body["results"][1]
    assert claim["kind"] == "claim" and claim["snippet"] == "Vetoes paralyse <b>peacekeeping</b>."
    assert [claim["snippet"][a:b] for a, b in claim["marks"]] == ["Vetoes", "peacekeeping"]
    assert first["kind"] == "source" and first["source"] == seminar.map_sources.get().source.slug
    assert TEXT[first["start"] : first["end"]] == "vetoed the draft on peace-keeping"
    assert [first["snippet"][a:b] for a, b in first["marks"]] == ["vetoed", "peace-keeping"]
    assert first["url"].endswith(f"?match={first['start']}-{first['end']}#match")
    assert body["previous"] is None and body["next"].endswith("page=2")
    second = ask(owner, seminar, q="vetoes peacekeeping", page=2).json()
    assert len(second["results"]) == 3 and second["next"] is None and second["previous"].endswith("page=1")
    assert ask(owner, seminar, q="vetoes peacekeeping", page=9).json()["results"] == []


@pytest.mark.parametrize(
    "params,field", [({"q": " "}, "q"), ({"q": "x" * 201}, "q"), ({"q": "veto", "page": "0"}, "page")]
)
def test_bad_queries_are_explained(owner, seminar, params, field):
    answer = ask(owner, seminar, **params)
    assert answer.status_code == 400 and field in answer.json()


def test_search_follows_the_map_access(viewer, outsider, seminar):
    assert ask(viewer, seminar, q="veto").status_code == 200
    assert ask(outsider, seminar, q="veto").status_code == 404  # a private map is not shown to exist
    assert ask(None, seminar, q="veto").status_code == 404


def test_the_api_search_costs_the_same_queries_for_a_small_and_a_large_map(client, owner):
    def url_of(argument_map) -> str:
        return reverse("api:search", args=[argument_map.slug]) + "?q=coalitions"

    client.force_login(owner)
    queries_at_two_sizes(client, owner, url_of, at_most=9, visibility=Visibility.PUBLIC)


def test_the_schema_describes_search(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/maps/{slug}/search/:" in text and "SearchHit" in text
