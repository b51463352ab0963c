"""Many people edit one claim at the same moment: no edit is lost and every loser is told.

Each editor is a real client in a thread of its own, with its own database connection, sending the
same requests a browser sends. Threads start together at a barrier so the edits truly collide.
"""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Event

from .factories import make_claim, make_map, make_user
from .parallel import in_parallel

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 8
CONFLICT = "Someone else changed this claim while you were editing"
VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def setting(owner):
    """A map with a claim at version 1 and EDITORS editors, each with a logged-in client of their own."""
    editors = [make_user(f"editor{i}") for i in range(EDITORS)]
    argument_map = make_map(owner, title="Busy seminar")
    for person in editors:
        services.add_member(argument_map=argument_map, user=person, role="editor", actor=owner)
    claim = make_claim(argument_map, "The original wording.", actor=owner)
    clients = []
    for person in editors:
        client = Client()
        client.force_login(person)
        clients.append(client)
    return claim, editors, clients


def edit_url(claim: Claim) -> str:
    return reverse("arguments:claim_edit", args=[claim.map.slug, claim.pk])


def post_edit(client: Client, claim: Claim, text: str, version: int):
    return client.post(edit_url(claim), {"text": text, "kind": "claim", "version": version})


def updates_in_order(claim: Claim) -> list[dict]:
    return list(
        Event.objects.filter(object_type="claim", object_id=claim.pk, verb="updated")
        .order_by("id")
        .values_list("payload", flat=True)
    )


def assert_nothing_lost(claim: Claim, accepted_texts: list[str]) -> None:
    """Every accepted edit is in the history, and each one was made on top of the one before it."""
    claim.refresh_from_db()
    history = updates_in_order(claim)
    assert claim.version == 1 + len(accepted_texts) == 1 + len(history)
    assert sorted(event["text"] for event in history) == sorted(accepted_texts)
    previous = "The original wording."
    for event in history:
        assert event["previous_text"] == previous, "an edit overwrote a version its author never saw"
        previous = event["text"]
    assert claim.text == previous


def test_the_database_runs_as_in_production():
    """On SQLite the test database is a file in WAL mode (tests/conftest.py), as Warrant runs it."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_simultaneous_edits_from_one_version_let_exactly_one_through(setting):
    claim, editors, clients = setting

    responses = in_parallel(lambda i: post_edit(clients[i], claim, f"Wording by {editors[i].username}.", 1), EDITORS)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    accepted = [i for i, r in enumerate(responses) if r.status_code == 302]
    refused = [i for i, r in enumerate(responses) if r.status_code == 200 and CONFLICT in r.content.decode()]
    assert len(accepted) == 1 and len(refused) == EDITORS - 1, [r.status_code for r in responses]
    winner_text = f"Wording by {editors[accepted[0]].username}."
    for i in refused:
        page = html.unescape(responses[i].content.decode())
        assert f'<blockquote class="quote">{winner_text}</blockquote>' in page, "the loser sees the winner's words"
        assert f"Wording by {editors[i].username}." in page, "and keeps their own, ready to reapply"
        assert VERSION_FIELD.search(page).group(1) == "2", "reapplying goes on top of the winner's version"
    assert_nothing_lost(claim, [winner_text])


def test_editors_who_retry_from_what_they_read_all_get_through_in_turn(setting):
    claim, editors, clients = setting
    attempts_per_editor = 3

    def keep_trying(i: int) -> dict:
        """Read the page, edit from its version; on a conflict, reapply on top of the version shown."""
        outcome = {"accepted": [], "conflicts": 0, "other": []}
        page = clients[i].get(edit_url(claim)).content.decode()
        for attempt in range(attempts_per_editor):
            text = f"Edit {attempt} by {editors[i].username}."
            version = int(VERSION_FIELD.search(page).group(1))
            while True:
                response = post_edit(clients[i], claim, text, version)
                if response.status_code == 302:
                    outcome["accepted"].append(text)
                    page = clients[i].get(edit_url(claim)).content.decode()
                    break
                body = response.content.decode()
                if response.status_code != 200 or CONFLICT not in body:
                    outcome["other"].append(response.status_code)
                    return outcome
                outcome["conflicts"] += 1
                version = int(VERSION_FIELD.search(body).group(1))
        return outcome

    outcomes = in_parallel(keep_trying, EDITORS)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert all(o["other"] == [] for o in outcomes), "every refusal was a conflict answer"
    accepted = [text for o in outcomes for text in o["accepted"]]
    assert len(accepted) == EDITORS * attempts_per_editor, "everyone got all their edits in, in the end"
    assert sum(o["conflicts"] for o in outcomes) > 0, "the edits really collided"
    assert_nothing_lost(claim, accepted)
