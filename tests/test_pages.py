"""Pages render for their readers, and their query counts do not grow with the map."""

import pytest
from django.db import connection
from django.urls import reverse

from arguments import services
from arguments.models import ArgumentMap, Event, Visibility

from .factories import grow_map, make_map, make_source, make_user, reader_url
from .queries import queries_at_two_sizes, queries_for

pytestmark = pytest.mark.django_db


def test_landing_page_explains_warrant_and_opens_the_demo(client):
    owner = make_user()
    make_map(owner, visibility=Visibility.PUBLIC, title="Demo")
    ArgumentMap.objects.update(slug="coalitions-of-the-willing")
    page = client.get("/").content.decode()
    assert "Warrant lets a seminar read documents together" in page
    assert 'href="/maps/coalitions-of-the-willing/"' in page


def test_dashboard_lists_my_maps(client, private_map, owner):
    client.force_login(owner)
    page = client.get("/").content.decode()
    assert "Your maps" in page and private_map.title in page


def test_map_page_shows_question_theses_outline_quotes_and_citations(client, owner):
    argument_map = make_map(owner, visibility=Visibility.PUBLIC)
    source = make_source("Coalitions op-ed", authors=["David L. Phillips"], published="2021-08-04")
    grow_map(argument_map, source, claims=4, actor=owner)
    page = client.get(f"{argument_map.get_absolute_url()}?open=all").content.decode()
    assert argument_map.question in page
    assert "The thesis under debate." in page
    assert "Argument number 3" in page
    assert "Pro</span>" in page and "Con</span>" in page
    # Quotes come when a reader asks for them, each with its citation and a link into the source.
    claim = argument_map.claims.get(text="Argument number 3")
    quotes = client.get(
        reverse("arguments:claim_quotes", args=[argument_map.slug, claim.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Phillips 2021" in quotes
    passage = claim.evidence.get().passage
    assert f"/maps/{argument_map.slug}/sources/{source.slug}/#passage-{passage.pk}" in quotes


def test_map_reader_highlights_passages_by_stance(client, owner):
    argument_map = make_map(owner, visibility=Visibility.PUBLIC)
    source = make_source()
    grow_map(argument_map, source, claims=3, actor=owner)
    page = client.get(reverse("arguments:source", args=[argument_map.slug, source.slug])).content.decode()
    for passage in source.passages.all():
        assert f'id="passage-{passage.pk}"' in page
    assert "stance-states" in page and "stance-supports" in page and "stance-opposes" in page


def test_user_text_is_escaped_everywhere_it_is_shown(client, owner):
    argument_map = make_map(owner, visibility=Visibility.PUBLIC, title="<script>alert(1)</script>")
    source = make_source("<img src=x onerror=alert(2)>", text="Plain <b>bold</b> & text.\n\nMore.")
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = services.create_claim(argument_map=argument_map, actor=owner, text="<i>claim</i>", kind="thesis")
    services.add_evidence(
        argument_map=argument_map,
        actor=owner,
        source=source,
        start=0,
        end=12,
        claim=claim,
        stance="states",
        note="<u>note</u>",
    )
    for url in [
        argument_map.get_absolute_url(),
        reverse("arguments:source", args=[argument_map.slug, source.slug]),
        reverse("arguments:list"),
        source.get_absolute_url(),
    ]:
        page = client.get(url).content.decode()
        for raw in ["<script>alert(1)", "<img src=x", "<b>bold", "<i>claim", "<u>note"]:
            assert raw not in page, (url, raw)


def test_map_page_and_reader_query_counts_stay_the_same_for_a_map_ten_times_larger(client, owner):
    client.force_login(owner)
    # Built: session, user, map, sources changed, claims, relations, evidence counts, sources, members.
    queries_at_two_sizes(client, owner, lambda m: m.get_absolute_url(), exactly=9)
    # Cold (its layer built): the reader's cached and 304 paths are in test_reader_cache.py.
    queries_at_two_sizes(client, owner, lambda m: reader_url(m, m.sources.get()), exactly=8)
    assert queries_for(client, reverse("sources:library")) <= 4


def test_source_page_query_count_is_fixed(client, owner):
    client.force_login(owner)
    short = make_source(added_by=owner)
    long = make_source(added_by=owner, text="A long paragraph of words. " * 2000)
    # session, user, source, and the maps the user may add it to ("Add to one of your maps")
    assert queries_for(client, short.get_absolute_url()) == queries_for(client, long.get_absolute_url()) == 4


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}


def test_signup_logs_in_and_lands_on_the_dashboard(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "email": "n@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert "Your maps" in client.get("/").content.decode()


def test_signup_with_mismatched_passwords_shows_the_error_and_creates_nobody(client):
    from django.contrib.auth import get_user_model

    response = client.post(
        reverse("signup"), {"username": "newbie", "password1": "a-long-pass-phrase", "password2": "different-phrase"}
    )
    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_login_and_logout(client):
    make_user("lena")
    bad = client.post(reverse("login"), {"username": "lena", "password": "wrong"})
    assert "do not match" in bad.content.decode()
    assert client.post(reverse("login"), {"username": "lena", "password": "pw-for-tests"}).status_code == 302
    assert "Signed in as" in client.get("/").content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert "Signed in as" not in client.get("/").content.decode()


def test_creating_a_map_makes_me_its_owner_and_logs_it(client):
    me = make_user()
    client.force_login(me)
    response = client.post(
        reverse("arguments:new"),
        {"title": "Coalitions seminar", "question": "Should states act in coalitions?", "visibility": "private"},
    )
    argument_map = ArgumentMap.objects.get(title="Coalitions seminar")
    assert response["Location"] == argument_map.get_absolute_url()
    assert argument_map.memberships.get().user == me
    assert Event.objects.filter(map=argument_map, verb="created").exists()


def test_creating_a_map_without_a_question_shows_the_error(client):
    client.force_login(make_user())
    response = client.post(reverse("arguments:new"), {"title": "No question", "visibility": "private"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not ArgumentMap.objects.exists()
