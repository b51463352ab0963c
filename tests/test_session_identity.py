"""The reader's own check of who is signed in (config/session_identity.py): it must agree with Django's.

The reader remembers, per session, whom Django found, and next time fetches that user row with the
page and checks the session against it. Each test here first lets the process learn the session,
then changes something Django's check would notice, and expects the page Django's answer would give.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arguments import services
from arguments.models import Membership
from arguments.reader import cache as reader_cache
from config import session_identity

from .factories import cite, make_source


@pytest.fixture
def source(private_map):
    return private_map.sources.get()


def reader(client, argument_map, source, etag: str | None = None):
    url = reverse("arguments:source", args=[argument_map.slug, source.slug])
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def learned(client, user, argument_map, source):
    """Sign in and read the page twice: the second time the process knows the session (one query)."""
    client.force_login(user)
    first, first_queries = reader(client, argument_map, source)
    second, second_queries = reader(client, argument_map, source, etag=first["ETag"])
    assert second.status_code == 304 and second_queries == 1 < first_queries
    return first["ETag"]


def session_of(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_known_session_gets_the_page_in_one_query_and_shows_who_is_signed_in(client, editor, private_map, source):
    learned(client, editor, private_map, source)
    reader_cache.forget_all()  # the page is built again, for the user the session names
    response, _ = reader(client, private_map, source)
    assert response.status_code == 200
    assert f"Signed in as <strong>{editor.username}</strong>" in response.content.decode()
    assert response["Vary"] == "Cookie"


def test_a_session_ended_elsewhere_is_a_visitor_again(client, editor, private_map, source):
    etag = learned(client, editor, private_map, source)
    session_of(client).delete()  # signed out in another tab, or the session was cleared
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 404  # a visitor does not see a private map


def test_an_expired_session_is_a_visitor_again(client, editor, private_map, source):
    etag = learned(client, editor, private_map, source)
    Session.objects.filter(pk=session_of(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 404


def test_a_session_expiring_within_the_second_still_gets_its_page(client, editor, private_map, source):
    """The statement takes the time rounded up to the next second (PageQuery.session_cutoff), so it may
    miss a session about to expire; the page then asks Django, which checks the exact time."""
    etag = learned(client, editor, private_map, source)
    if time.time() % 1 > 0.6:  # leave the request most of a second before the next whole one
        time.sleep(1 - time.time() % 1)
    next_second = datetime.fromtimestamp(int(time.time()) + 1, tz=UTC)
    soon = next_second - timedelta(milliseconds=20)  # after now, before the statement's rounded-up time
    Session.objects.filter(pk=session_of(client).pk).update(expire_date=soon)
    response, queries = reader(client, private_map, source, etag=etag)
    assert timezone.now() < soon, "the machine was too slow for this test"
    assert response.status_code == 304  # still the editor: not the visitor's 404
    assert queries > 1  # the statement missed the session; Django's own check found it


def test_a_new_password_signs_the_session_out(client, editor, private_map, source):
    etag = learned(client, editor, private_map, source)
    editor.set_password("a completely new one")
    editor.save()
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 404


def test_a_deactivated_account_is_signed_out(client, editor, private_map, source):
    etag = learned(client, editor, private_map, source)
    editor.is_active = False
    editor.save()
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 404


def test_a_lost_role_is_seen_at_once(client, editor, private_map, source):
    etag = learned(client, editor, private_map, source)
    Membership.objects.filter(map=private_map, user=editor).delete()
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 404


def test_a_lower_role_gets_a_new_page_without_the_controls(client, editor, private_map, source):
    evidence = cite(private_map, source, "Critics answer", editor)
    client.force_login(editor)
    etag = learned(client, editor, private_map, source)
    Membership.objects.filter(map=private_map, user=editor).update(role="viewer")
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    edit = reverse("arguments:reader_evidence_edit", args=[private_map.slug, source.slug, evidence.pk])
    assert edit not in response.content.decode()


def test_a_renamed_user_gets_a_new_page(client, editor, private_map, source):
    etag = learned(client, editor, private_map, source)
    editor.username = "renamed-editor"
    editor.save()
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 200 and "Signed in as <strong>renamed-editor</strong>" in response.content.decode()


def test_a_wrong_guess_costs_queries_never_the_wrong_user(client, editor, owner, private_map, source):
    """Even if the process remembered the session as someone else's, the page is the session's own user's."""
    owners_etag = learned(client, owner, private_map, source)
    client.force_login(editor)
    session_identity._users_by_session[client.cookies["sessionid"].value] = owner.pk
    response, queries = reader(client, private_map, source, etag=owners_etag)
    assert response.status_code == 200 and response["ETag"] != owners_etag
    assert f"Signed in as <strong>{editor.username}</strong>" in response.content.decode()
    assert queries > 1
    # Django's answer is remembered instead, and the next request takes one query again.
    assert session_identity._users_by_session[client.cookies["sessionid"].value] == editor.pk
    again, queries = reader(client, private_map, source, etag=response["ETag"])
    assert again.status_code == 304 and queries == 1


def test_a_tampered_session_hash_is_not_believed(client, editor, private_map, source):
    etag = learned(client, editor, private_map, source)
    stored = session_of(client)
    data = stored.get_decoded()
    data[HASH_SESSION_KEY] = "0" * 64
    Session.objects.save(stored.session_key, data, stored.expire_date)
    response, _ = reader(client, private_map, source, etag=etag)
    assert response.status_code == 404  # Django flushes such a session; the reader agrees


def test_visitors_of_a_public_map_are_answered_without_a_session(client, owner, public_map):
    source = make_source("A public source", added_by=owner)
    services.add_source(argument_map=public_map, source=source, actor=owner)
    first, first_queries = reader(client, public_map, source)
    again, again_queries = reader(client, public_map, source, etag=first["ETag"])
    assert again.status_code == 304 and again_queries == first_queries - 4 == 1  # no layer to build
    assert "sessionid" not in client.cookies


def test_only_sessions_django_has_checked_are_remembered(client, editor, private_map, source):
    client.cookies["sessionid"] = "made-up-session-key"
    response, _ = reader(client, private_map, source)
    assert response.status_code == 404
    assert session_identity._users_by_session == {}
    learned(client, editor, private_map, source)
    assert list(session_identity._users_by_session.values()) == [editor.pk]


def test_the_memory_is_bounded(client, editor, private_map, source, monkeypatch):
    monkeypatch.setattr(session_identity, "REMEMBERED_SESSIONS", 2)
    session_identity._users_by_session.update({"a": 1, "b": 2})
    learned(client, editor, private_map, source)
    assert len(session_identity._users_by_session) == 1


def test_the_same_rows_are_not_checked_again_but_changed_rows_are(client, editor, private_map, source, monkeypatch):
    """The verdict on a session row and a user row is kept; a new password makes the rows, and the verdict, new."""
    checks = []
    verify = session_identity.verify
    monkeypatch.setattr(session_identity, "verify", lambda *args: checks.append(args) or verify(*args))
    etag = learned(client, editor, private_map, source)
    assert len(checks) == 1  # the second page checked the rows; the first went Django's way
    for _ in range(3):
        assert reader(client, private_map, source, etag=etag)[0].status_code == 304
    assert len(checks) == 1
    editor.set_password("a new password")
    editor.save()
    response, _ = reader(client, private_map, source, etag=etag)
    assert len(checks) == 2 and response.status_code == 404  # a private map: signed out, the visitor sees nothing
