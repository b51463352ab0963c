"""API reads cost a fixed number of queries, whatever the size of the map."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arguments import services
from arguments.models import Claim

from .factories import grow_map

# Token and its user (1), the map with the caller's role (1), the rows (1).
IN_MAP = 3
LISTS = ["claims", "relations", "evidence", "passages", "comments", "events", "members", "sources"]


@pytest.fixture
def token_client(owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    return client


def grow(argument_map, owner, claims: int) -> None:
    grow_map(argument_map, argument_map.sources.get(), claims=claims, actor=owner)
    for claim in Claim.objects.filter(map=argument_map):
        services.add_comment(claim=claim, actor=owner, body="A comment.")


@pytest.mark.parametrize("size", [3, 40])
@pytest.mark.parametrize("endpoint", LISTS)
def test_map_lists_cost_the_same_at_any_size(
    token_client, private_map, owner, django_assert_num_queries, endpoint, size
):
    grow(private_map, owner, size)
    with django_assert_num_queries(IN_MAP):
        answer = token_client.get(f"/api/v1/maps/{private_map.slug}/{endpoint}/", {"limit": 500})
    assert answer.status_code == 200
    assert answer.json()["results"]


@pytest.mark.parametrize("size", [3, 40])
def test_a_full_page_costs_the_same_as_a_short_one(token_client, private_map, owner, django_assert_num_queries, size):
    grow(private_map, owner, size)
    with django_assert_num_queries(IN_MAP):
        answer = token_client.get(f"/api/v1/maps/{private_map.slug}/events/", {"limit": 10})
    assert len(answer.json()["results"]) == 10


@pytest.mark.parametrize("size", [1, 30])
def test_the_map_list_costs_the_same_for_many_maps(token_client, owner, django_assert_num_queries, size):
    for n in range(size):
        services.create_map(owner=owner, title=f"Map {n}", question="?")
    with django_assert_num_queries(2):  # the token with its user, and the maps with the caller's role in each
        answer = token_client.get("/api/v1/maps/")
    assert len(answer.json()["results"]) == size
    assert {m["role"] for m in answer.json()["results"]} == {"owner"}


@pytest.mark.parametrize("size", [3, 40])
def test_detail_reads_are_fixed(token_client, private_map, owner, django_assert_num_queries, size):
    grow(private_map, owner, size)
    claim = Claim.objects.filter(map=private_map).last()
    base = f"/api/v1/maps/{private_map.slug}/"
    for path in (f"claims/{claim.pk}/", f"sources/{private_map.sources.get().slug}/", ""):
        expected = IN_MAP if path else IN_MAP - 1  # the map itself needs no query of its own
        with django_assert_num_queries(expected):
            assert token_client.get(base + path).status_code == 200
