"""Two app processes, one PostgreSQL database: an edit through one reaches the clients of the other.

Each test starts two uvicorn processes on the test database (data committed, hence the transactional
database), writes through the first as a signed-in annotator posting a form, and follows the map from
the second as an editor: through its SSE stream, woken by LISTEN/NOTIFY, and through its polling feed.
"""

import pytest
from django.db import connection
from django.test import Client

from arguments import services
from arguments.models import ClaimKind, Event

from .factories import make_claim
from .live_support import AppServer, Browser, database_url

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: several processes on one SQLite file have no NOTIFY to wake a stream",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def servers(transactional_db):
    url = database_url(connection.settings_dict)
    first = AppServer(url)
    try:
        second = AppServer(url)
    except Exception:
        first.stop()
        raise
    yield first, second
    second.stop()
    first.stop()


def signed_in(user, server: AppServer) -> Browser:
    client = Client()
    client.force_login(user)  # the session row is committed, so every process can read it
    return Browser(server.port, {"sessionid": client.cookies["sessionid"].value})


@pytest.fixture
def thesis(private_map, owner):
    return make_claim(private_map, "Coalitions of the willing should act.", kind=ClaimKind.THESIS, actor=owner)


def respond(browser: Browser, argument_map, parent, text: str, kind: str = "opposes") -> None:
    status = browser.post_form(
        f"/maps/{argument_map.slug}/",
        f"/maps/{argument_map.slug}/claims/{parent.pk}/respond/",
        {"text": text, "kind": kind},
    )
    assert status == 302, status


def newest_id(argument_map) -> int:
    return Event.objects.filter(map=argument_map).latest("id").pk


def test_an_edit_through_one_process_reaches_a_client_of_the_other(
    servers, private_map, annotator, editor, outsider, thesis
):
    first, second = servers
    writer, reader = signed_in(annotator, first), signed_in(editor, second)
    start = newest_id(private_map)
    stream = reader.stream(private_map.slug, after=start)
    assert stream.status == 200 and stream.content_type.startswith("text/event-stream")

    respond(writer, private_map, thesis, "Coalitions lack accountability.")

    created, linked = stream.next_event(), stream.next_event()
    stream.close()
    assert created["data"]["text"] == "anna added the claim “Coalitions lack accountability.”"
    assert created["data"]["actor"] == "anna"
    assert linked["data"]["object_type"] == "relation"
    ids = list(Event.objects.filter(map=private_map, id__gt=start).values_list("id", flat=True))
    assert [created["id"], linked["id"]] == ids

    polled = reader.feed(private_map.slug, start)
    assert [e["id"] for e in polled["events"]] == ids
    assert reader.feed(private_map.slug, ids[-1]) is None  # 304: nothing newer

    # The stream checks access like every page: a stranger to a private map learns nothing.
    assert signed_in(outsider, second).stream(private_map.slug, after=0).status == 404


def test_a_client_cut_off_for_a_while_receives_every_missed_event_once_in_order(
    servers, private_map, annotator, editor, owner, thesis
):
    first, second = servers
    writer, reader = signed_in(annotator, first), signed_in(editor, second)
    stream = reader.stream(private_map.slug, after=newest_id(private_map))
    respond(writer, private_map, thesis, "Speed matters when people are dying.", kind="supports")
    seen = [stream.next_event()["id"], stream.next_event()["id"]]
    stream.close()  # cut off: the train enters a tunnel

    for i in range(3):
        respond(writer, private_map, thesis, f"Objection number {i}.")
    services.add_comment(claim=thesis, actor=owner, body="Please cite sources for these.")
    services.update_claim(
        claim=thesis,
        actor=owner,
        text="Coalitions of the willing should act, within limits.",
        kind=ClaimKind.THESIS,
        expected_version=thesis.version,
    )
    missed = list(Event.objects.filter(map=private_map, id__gt=seen[-1]).values_list("id", flat=True))
    assert len(missed) == 3 * 2 + 2

    # Back: the browser's EventSource sends Last-Event-ID, and the other process resends the rest.
    stream = reader.stream(private_map.slug, after=0, last_event_id=seen[-1])
    caught_up = [stream.next_event() for _ in missed]
    assert [e["id"] for e in caught_up] == missed
    assert caught_up[-1]["data"]["text"].startswith("olga changed the claim from")

    # Then it is live again, with nothing repeated.
    respond(writer, private_map, thesis, "One more after the tunnel.")
    after_tunnel = stream.next_event()
    stream.close()
    assert after_tunnel["id"] == Event.objects.filter(id__gt=missed[-1]).earliest("id").pk
    assert after_tunnel["data"]["text"] == "anna added the claim “One more after the tunnel.”"

    # A polling client that was away gets the same events, page by page.
    polled = reader.feed(private_map.slug, seen[-1])
    assert [e["id"] for e in polled["events"]][: len(missed)] == missed
