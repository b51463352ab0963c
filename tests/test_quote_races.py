"""32 annotators quote the same new words for the same claim at the same moment: one passage, one piece of
evidence, one event; every one of them is answered with that evidence.

Each annotator is a real client in a thread of its own with its own database connection, released
together by a barrier (tests/parallel.py), through the reader's annotate form and through the API.
"""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arguments import services
from arguments.models import Event, Evidence
from sources.models import Passage

from .factories import make_claim, make_map, make_source, make_user
from .parallel import in_parallel

pytestmark = pytest.mark.django_db(transaction=True)

ANNOTATORS = 32
WORDS = "Critics answer that such coalitions lack accountability"


@pytest.fixture
def seminar(settings):
    settings.WARRANT_RATE_LIMITS = {**settings.WARRANT_RATE_LIMITS, "write": "off"}
    owner = make_user("olga")
    argument_map = make_map(owner, title="Crowded seminar")
    source = make_source("The reading", added_by=owner)
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    people = [make_user(f"student{i}") for i in range(ANNOTATORS)]
    for person in people:
        services.add_member(argument_map=argument_map, user=person, role="annotator", actor=owner)
    claim = make_claim(argument_map, "Coalitions answer to no one.", actor=owner)
    return argument_map, source, claim, people


def one_of_each(argument_map, source, claim) -> None:
    assert Passage.objects.filter(source=source).count() == 1
    evidence = Evidence.objects.get(map=argument_map)
    assert (evidence.claim_id, evidence.passage.exact) == (claim.pk, WORDS)
    assert Event.objects.filter(map=argument_map, object_type="evidence").count() == 1


def test_quoting_the_same_words_at_once_in_the_reader_makes_one_passage_and_one_evidence(seminar):
    argument_map, source, claim, people = seminar
    start = source.text.index(WORDS)
    data = {"start16": start, "end16": start + len(WORDS), "exact": WORDS, "mode": "link"}
    data |= {"claim": claim.pk, "stance": "supports"}
    url = f"/maps/{argument_map.slug}/sources/{source.slug}/annotate/"
    clients = []
    for person in people:
        client = Client()
        client.force_login(person)
        clients.append(client)

    answers = in_parallel(lambda i: clients[i].post(url, data, HTTP_HX_REQUEST="true"), ANNOTATORS)

    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert {a.status_code for a in answers} == {200}
    pages = [a.content.decode() for a in answers]
    assert sum("Annotation added" in page for page in pages) == 1
    assert sum("already supports that claim; nothing new was added" in page for page in pages) == ANNOTATORS - 1
    one_of_each(argument_map, source, claim)


def test_quoting_the_same_words_at_once_through_the_api_makes_one_passage_and_one_evidence(seminar):
    argument_map, source, claim, people = seminar
    clients = []
    for person in people:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person).key}")
        clients.append(client)
    url = f"/api/v1/maps/{argument_map.slug}/evidence/"
    body = {"claim": claim.pk, "stance": "supports", "source": source.slug, "exact": WORDS}

    answers = in_parallel(lambda i: clients[i].post(url, body, format="json"), ANNOTATORS)

    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert sorted(a.status_code for a in answers) == [200] * (ANNOTATORS - 1) + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    one_of_each(argument_map, source, claim)


def test_a_passage_that_lost_its_place_does_not_hold_its_old_span(seminar):
    """An orphan keeps its old offsets; new words quoted there make a placed passage of their own."""
    argument_map, source, claim, people = seminar
    start = source.text.index(WORDS)
    orphan = Passage.from_span(source, start, start + len(WORDS))
    orphan.anchor_status = "orphaned"
    orphan.save()
    evidence = services.add_evidence(
        argument_map=argument_map,
        actor=people[0],
        source=source,
        start=start,
        end=start + len(WORDS),
        claim=claim,
        stance="supports",
    )
    assert evidence.passage_id != orphan.pk and evidence.passage.anchor_status == "anchored"
