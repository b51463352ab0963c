"""The activity page tells a map's events in plain words, filtered by person and kind."""

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Visibility

from .factories import make_claim, make_map
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db


def activity(client, argument_map, **params):
    return client.get(reverse("arguments:activity", args=[argument_map.slug]), params)


def test_events_in_plain_words_linking_to_their_objects(client, owner, annotator, private_map):
    source = private_map.sources.get()
    claim = make_claim(private_map, "Coalitions act faster.", actor=owner)
    services.add_evidence(
        argument_map=private_map, actor=annotator, source=source, start=0, end=30, claim=claim, stance="opposes"
    )
    client.force_login(owner)
    page = activity(client, private_map).content.decode()
    assert "olga added the claim “Coalitions act faster.”" in page
    assert "anna linked a passage from Lima and Chen 2021 as opposing a claim" in page
    assert f'href="/maps/{private_map.slug}/claims/{claim.pk}/"' in page


def test_filters_by_person_and_kind(client, owner, annotator, private_map):
    make_claim(private_map, "By the owner.", actor=owner)
    make_claim(private_map, "By the annotator.", actor=annotator)
    client.force_login(owner)
    page = activity(client, private_map, who="anna").content.decode()
    assert "By the annotator." in page and "By the owner." not in page
    page = activity(client, private_map, kind="membership").content.decode()
    assert "gave anna the role annotator" in page and "By the owner." not in page


@pytest.mark.parametrize("who,status", [("viewer", 200), ("outsider", 404), ("anonymous", 404)])
def test_activity_follows_map_access(client, request, private_map, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert activity(client, private_map).status_code == status


def test_older_activity_pages_back(client, owner):
    argument_map = make_map(owner, visibility=Visibility.PUBLIC)
    for i in range(55):
        make_claim(argument_map, f"Claim {i}", actor=owner)
    first = activity(client, argument_map).content.decode()
    assert "Claim 54" in first and "“Claim 3”" not in first and "Older activity" in first
    before = first.split("before=")[1].split('"')[0]
    older = activity(client, argument_map, before=before).content.decode()
    assert "“Claim 3”" in older and "Claim 54" not in older


def test_activity_query_count_is_fixed(client, owner):
    client.force_login(owner)
    queries_at_two_sizes(client, owner, lambda m: reverse("arguments:activity", args=[m.slug]), at_most=6)
