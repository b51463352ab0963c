"""Several API clients change one claim with the same ETag at the same moment: one wins, the rest get 412.

Each client runs in a thread of its own with its own database connection; a barrier releases them
together so that the writes truly collide.
"""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arguments import services
from arguments.models import Claim, Event

from .factories import make_claim, make_map, make_user
from .parallel import in_parallel

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 6


@pytest.fixture
def editors_and_claim(settings):
    settings.WARRANT_RATE_LIMITS = {**settings.WARRANT_RATE_LIMITS, "write": "off"}
    owner = make_user("olga")
    argument_map = make_map(owner, title="Busy seminar")
    clients = []
    for i in range(CLIENTS):
        person = make_user(f"editor{i}")
        services.add_member(argument_map=argument_map, user=person, role="editor", actor=owner)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person).key}")
        clients.append(client)
    return make_claim(argument_map, "The original wording.", actor=owner), clients


def test_one_edit_wins_and_the_others_are_told(editors_and_claim):
    claim, clients = editors_and_claim
    url = f"/api/v1/maps/{claim.map.slug}/claims/{claim.pk}/"

    def edit(i: int):
        return clients[i].patch(url, {"text": f"Wording {i}."}, format="json", HTTP_IF_MATCH='"1"')

    answers = in_parallel(edit, CLIENTS)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [412] * (CLIENTS - 1)
    winner = next(a for a in answers if a.status_code == 200).json()
    claim.refresh_from_db()
    assert (claim.text, claim.version) == (winner["text"], 2)
    for loser in (a for a in answers if a.status_code == 412):
        assert loser.json()["current"]["text"] == winner["text"]
    assert Event.objects.filter(object_type="claim", object_id=claim.pk, verb="updated").count() == 1


def test_one_deletion_wins_and_the_others_are_told(editors_and_claim):
    claim, clients = editors_and_claim
    url = f"/api/v1/maps/{claim.map.slug}/claims/{claim.pk}/"
    answers = in_parallel(lambda i: clients[i].delete(url, HTTP_IF_MATCH='"1"'), CLIENTS)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 200 and set(codes[1:]) <= {404, 412}, codes
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert Event.objects.filter(object_type="claim", object_id=claim.pk, verb="deleted").count() == 1
