"""Live updates: the map's event feed, the stream's fallback, the wake-up NOTIFY and the pages' live config."""

import json

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import services
from arguments.live import feed as live
from arguments.live import hub as live_hub
from arguments.models import Event, Visibility

from .factories import grow_map, make_claim, make_map, make_source

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="NOTIFY and LISTEN exist only on PostgreSQL; SQLite clients poll"
)


def feed_url(argument_map) -> str:
    return reverse("arguments:events", args=[argument_map.slug])


def feed(client, argument_map, **params):
    return client.get(feed_url(argument_map), params)


def newest_id(argument_map) -> int:
    return Event.objects.filter(map=argument_map).latest("id").pk


def test_events_after_an_id_come_in_order_in_plain_words(client, annotator, private_map):
    after = newest_id(private_map)
    claim = make_claim(private_map, "Coalitions <b>act</b> faster.", actor=annotator)
    services.add_comment(claim=claim, actor=annotator, body="Sources?")
    client.force_login(annotator)

    response = feed(client, private_map, after=after)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    data = response.json()
    assert [e["object_type"] for e in data["events"]] == ["claim", "comment"]
    first = data["events"][0]
    assert first["id"] > after and first["verb"] == "created" and first["object_id"] == claim.pk
    assert first["actor"] == "anna"
    assert first["text"] == "anna added the claim “Coalitions <b>act</b> faster.”"  # JSON; the page escapes it
    assert first["url"] == f"/maps/{private_map.slug}/claims/{claim.pk}/"
    assert "payload" not in first
    assert data["last_id"] == data["events"][-1]["id"] == newest_id(private_map)
    assert data["more"] is False


def test_nothing_new_is_not_modified(client, viewer, private_map):
    client.force_login(viewer)
    newest = newest_id(private_map)

    response = feed(client, private_map, after=newest)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == f'"{private_map.pk}.{newest}"'


def test_a_matching_etag_is_not_modified_and_a_new_event_changes_it(client, viewer, private_map):
    client.force_login(viewer)
    before = feed(client, private_map, after=0)
    etag = before["ETag"]
    assert client.get(feed_url(private_map), {"after": 0}, headers={"If-None-Match": etag}).status_code == 304

    make_claim(private_map, "Something new.", actor=viewer)

    after = client.get(feed_url(private_map), {"after": 0}, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert after.json()["events"][-1]["text"] == "vic added the claim “Something new.”"


def test_an_idle_page_s_poll_is_not_modified_after_the_access_check_alone(client, viewer, private_map, public_map):
    """What static/js/live.js sends once it has an answer: `?after=<newest>` and the ETag it was given."""
    client.force_login(viewer)
    newest = newest_id(private_map)
    etag = feed(client, private_map, after=newest)["ETag"]
    with CaptureQueriesContext(connection) as signed_in:
        response = client.get(feed_url(private_map), {"after": newest}, headers={"If-None-Match": etag})
    assert (response.status_code, response["ETag"], response.content) == (304, etag, b"")
    assert response["Cache-Control"] == "private, no-cache"
    assert len(signed_in) == 3  # the session, the user, and the map with its newest event id and the role

    client.logout()
    newest_public = newest_id(public_map)
    with CaptureQueriesContext(connection) as anonymous:
        assert feed(client, public_map, after=newest_public).status_code == 304
    assert len(anonymous) == 1  # the map alone


@pytest.mark.parametrize("form", ["weak", "in a list"])
def test_if_none_match_is_compared_as_django_compares_it(client, viewer, private_map, form):
    client.force_login(viewer)
    etag = feed(client, private_map, after=0)["ETag"]
    sent = f"W/{etag}" if form == "weak" else f'"something-else", {etag}'
    assert client.get(feed_url(private_map), {"after": 0}, headers={"If-None-Match": sent}).status_code == 304
    stale = client.get(feed_url(private_map), {"after": 0}, headers={"If-None-Match": '"0.0"'})
    assert stale.status_code == 200 and stale.json()["events"]


def test_without_after_the_feed_says_only_where_the_log_stands(client, viewer, private_map):
    client.force_login(viewer)
    data = feed(client, private_map).json()
    assert data == {"events": [], "last_id": newest_id(private_map), "more": False}


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", ""])
def test_a_bad_after_is_a_clear_400(client, viewer, private_map, after):
    client.force_login(viewer)
    response = feed(client, private_map, after=after)
    assert response.status_code == 400
    assert "whole number" in response.json()["error"]


def test_a_client_that_was_away_catches_up_page_by_page_without_gaps_or_repeats(client, owner):
    argument_map = make_map(owner, visibility=Visibility.PUBLIC)
    after = newest_id(argument_map)
    for i in range(live.PAGE_SIZE * 2 + 7):
        make_claim(argument_map, f"Claim {i}", actor=owner)

    seen, pages, more = [], 0, True
    while more:
        data = feed(client, argument_map, after=after).json()
        seen += [e["id"] for e in data["events"]]
        after, more, pages = data["last_id"], data["more"], pages + 1
        assert len(data["events"]) <= live.PAGE_SIZE

    expected = list(Event.objects.filter(map=argument_map, id__gt=seen[0] - 1).values_list("id", flat=True))
    assert seen == expected and len(seen) == live.PAGE_SIZE * 2 + 7
    assert pages == 3
    assert feed(client, argument_map, after=after).status_code == 304


def test_events_of_other_maps_stay_out(client, owner, private_map):
    other = make_map(owner, title="Another map")
    after = newest_id(private_map)
    make_claim(other, "Elsewhere.", actor=owner)
    client.force_login(owner)
    assert feed(client, private_map, after=after).status_code == 304


@pytest.mark.parametrize("who,status", [("viewer", 304), ("outsider", 404), ("anonymous", 404)])
def test_the_feed_follows_map_access(client, request, private_map, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert feed(client, private_map, after=newest_id(private_map)).status_code == status


def test_anyone_may_follow_a_public_map(client, public_map):
    assert feed(client, public_map, after=0).status_code == 200


def test_the_feed_is_read_only(client, owner, private_map):
    client.force_login(owner)
    assert client.post(feed_url(private_map), {"after": 0}).status_code == 405


def test_the_feed_takes_the_same_few_queries_at_any_size(client, owner):
    counts = []
    for size in (5, 50):
        argument_map = make_map(owner, visibility=Visibility.PUBLIC)
        after = newest_id(argument_map)
        grow_map(argument_map, make_source(), claims=size, actor=owner)
        client.force_login(owner)
        with CaptureQueriesContext(connection) as captured:
            assert feed(client, argument_map, after=after).status_code == 200
        counts.append(len(captured))
        newest = newest_id(argument_map)
        with CaptureQueriesContext(connection) as unchanged:
            assert feed(client, argument_map, after=newest).status_code == 304
        # session, user, the map with its newest event id and the caller's role: nothing more to say "not modified"
        assert len(unchanged) == 3
    assert counts[0] == counts[1] == 4


def test_under_wsgi_the_stream_answers_no_content_so_the_page_polls(client, viewer, private_map):
    client.force_login(viewer)
    response = client.get(reverse("arguments:events_stream", args=[private_map.slug]), {"after": 0})
    assert response.status_code == 204


@pytest.mark.parametrize(
    "name,args",
    [
        ("arguments:map", []),
        ("arguments:graph", []),
        ("arguments:activity", []),
    ],
)
def test_map_pages_carry_the_live_config_with_the_newest_event(client, viewer, private_map, name, args):
    client.force_login(viewer)
    page = client.get(reverse(name, args=[private_map.slug, *args])).content.decode()
    assert f'data-last-event="{newest_id(private_map)}"' in page
    assert f'data-events-url="/maps/{private_map.slug}/events/"' in page
    assert 'data-user="vic"' in page
    assert 'id="live-notices"' in page and 'aria-live="polite"' in page
    assert "js/live.js" in page
    assert "data-live-region" in page


def test_claim_page_and_reader_carry_the_live_config(client, viewer, private_map):
    claim = make_claim(private_map, "A claim to follow.", actor=viewer)
    source = private_map.sources.get()
    client.force_login(viewer)
    for url in (
        reverse("arguments:claim", args=[private_map.slug, claim.pk]),
        reverse("arguments:source", args=[private_map.slug, source.slug]),
    ):
        page = client.get(url).content.decode()
        assert f'data-last-event="{newest_id(private_map)}"' in page, url
        assert "data-live-region" in page, url


def test_sqlite_announces_nothing(private_map):
    if connection.vendor == "postgresql":
        pytest.skip("this is the SQLite side")
    with CaptureQueriesContext(connection) as captured:
        make_claim(private_map, "Quietly.")
    assert not any("notify" in q["sql"].lower() for q in captured.captured_queries)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_committed_change_notifies_listeners_with_map_and_event_ids(owner):
    argument_map = make_map(owner, title="Notified")
    params = connection.get_connection_params()
    listener = psycopg.connect(
        autocommit=True, **{k: v for k, v in params.items() if isinstance(v, str | int) and k != "cursor_factory"}
    )
    try:
        listener.execute(f"LISTEN {live.CHANNEL}")
        claim = make_claim(argument_map, "Heard everywhere.", actor=owner)
        event = Event.objects.get(object_type="claim", object_id=claim.pk)
        payloads = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
    finally:
        listener.close()
    assert payloads == [f"{argument_map.pk}:{event.pk}"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_notifies_nobody(owner):
    argument_map = make_map(owner, title="Silent")
    params = connection.get_connection_params()
    listener = psycopg.connect(
        autocommit=True, **{k: v for k, v in params.items() if isinstance(v, str | int) and k != "cursor_factory"}
    )
    try:
        listener.execute(f"LISTEN {live.CHANNEL}")
        with pytest.raises(RuntimeError), transaction.atomic():
            make_claim(argument_map, "Never said.", actor=owner)
            raise RuntimeError("changed my mind")
        payloads = [n.payload for n in listener.notifies(timeout=1, stop_after=1)]
    finally:
        listener.close()
    assert payloads == []


def test_hub_wakes_only_the_streams_of_the_map_that_changed():
    import asyncio

    async def scenario():
        hub = live_hub.Hub()
        hub.task = asyncio.get_running_loop().create_future()  # pretend to listen: no database here
        mine, other = hub.subscribe(1), hub.subscribe(2)
        hub.dispatch("1:99")
        assert mine.is_set() and not other.is_set()
        hub.dispatch("garbage")  # unreadable: wake everyone, they re-read the table
        assert other.is_set()
        hub.unsubscribe(1, mine)
        hub.unsubscribe(2, other)
        assert hub.flags == {}
        hub.task.cancel()

    asyncio.run(scenario())


def test_event_rows_are_plain_json(owner, private_map):
    make_claim(private_map, "Plain.", actor=owner)
    rows, more = live.events_after(private_map.pk, private_map.get_absolute_url(), 0)
    assert not more
    json.dumps(rows)  # nothing a browser could not read
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
