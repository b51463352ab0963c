"""Key points: each thesis's sides gathered into a handful of groups named by their most central claim."""

import numpy as np
import pytest

from arguments import services
from arguments.assist import key_points
from arguments.assist.key_points import group, sides
from arguments.demo import load_demo
from arguments.models import ClaimKind

from .factories import make_claim, make_map, make_source, quote

pytestmark = pytest.mark.django_db


def test_a_claims_side_follows_the_parity_of_opposes_on_its_shortest_path():
    relations = [(2, 1, "supports"), (3, 1, "opposes"), (4, 3, "opposes"), (5, 3, "supports"), (6, 4, "opposes")]
    assert sides(1, relations) == {2: "for", 3: "against", 4: "for", 5: "against", 6: "against"}
    assert sides(1, [(7, 8, "supports")]) == {}  # not connected to the thesis


def test_groups_gather_close_vectors_and_start_with_their_most_central_row():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    rows = [a, a + 0.1 * rng.normal(size=16), a + 0.2 * rng.normal(size=16), b, b + 0.1 * rng.normal(size=16)]
    vectors = np.array([r / np.linalg.norm(r) for r in rows])
    groups = group(vectors, max_groups=2)
    assert sorted(sorted(g) for g in groups) == [[0, 1, 2], [3, 4]]
    assert groups[0][0] in (0, 1)  # the middle of the three, not the outlier
    assert group(vectors[:0], 5) == []


def test_the_demo_has_a_handful_of_key_points_on_each_side_of_each_thesis():
    demo = load_demo(password="demo-pass").map
    result = key_points(demo)
    assert {r.thesis.kind for r in result} == {ClaimKind.THESIS} and len(result) == 2
    for thesis in result:
        for side, points in thesis.sides.items():
            assert 1 <= len(points) <= 5, side
            assert [p.count for p in points] == sorted((p.count for p in points), reverse=True)
            for point in points:
                assert point.members[0] == point.claim
                assert point.source_ids
            members = [m.pk for p in points for m in p.members]
            assert len(members) == len(set(members))  # every claim in one group only


def test_key_points_never_mix_topics_and_list_their_sources(owner):
    argument_map = make_map(owner)
    speed = make_source(text="Coalitions of the willing are formed within weeks of a crisis breaking out.")
    rights = make_source(text="Coalition operations answer to thin human rights and financial accountability.")
    for source in (speed, rights):
        services.add_source(argument_map=argument_map, source=source, actor=owner)
    thesis = make_claim(argument_map, "States should act through coalitions of the willing.", kind=ClaimKind.THESIS)
    texts = {
        "Coalitions can be assembled very quickly.": speed,
        "Ad hoc coalitions act faster than the UN.": speed,
        "Speed is the great advantage of coalitions.": speed,
        "Coalitions escape human rights oversight.": rights,
        "Coalition missions are less accountable for abuses.": rights,
        "Nobody audits the finances of coalition operations.": rights,
    }
    for n, (text, source) in enumerate(texts.items()):
        claim = make_claim(argument_map, text)
        services.create_relation(
            argument_map=argument_map, actor=owner, from_claim=claim, to_claim=thesis, kind="supports"
        )
        quote(argument_map, source, source.text.split()[n % 3], claim, owner)

    (result,) = key_points(argument_map)

    assert result.sides["against"] == []
    points = result.sides["for"]
    assert 2 <= len(points) <= 3  # at most the square root of six, rounded up
    for point in points:  # no group mixes the two topics
        assert len(point.source_ids) == 1
        topic = speed if point.source_ids == (speed.pk,) else rights
        assert all(texts[m.text] == topic for m in point.members)
    assert sum(p.count for p in points) == 6


@pytest.mark.parametrize("claims", [4, 40])
def test_key_points_take_three_queries(owner, django_assert_num_queries, claims):
    argument_map = make_map(owner)
    thesis = make_claim(argument_map, "The thesis under debate.", kind=ClaimKind.THESIS)
    for n in range(claims):
        claim = make_claim(argument_map, f"Argument {n} about coalitions and the Council.")
        services.create_relation(
            argument_map=argument_map,
            actor=owner,
            from_claim=claim,
            to_claim=thesis,
            kind=("supports", "opposes")[n % 2],
        )
    with django_assert_num_queries(3):  # claims, relations, evidence sources
        (result,) = key_points(argument_map)
    assert sum(p.count for side in result.sides.values() for p in side) == claims
