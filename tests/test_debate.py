"""Shaping a debate from the map page (issue #16): the motion, theses, placing claims, background
claims, the outline level by level, the focus view, and where each claim stands in plain words."""

import re

import pytest
from django.urls import reverse

from arguments import services
from arguments.evaluation.assessment import CHALLENGED, CONTESTED, HOLDS, UNEXAMINED, assess
from arguments.models import ArgumentMap, Claim, ClaimKind, Relation

from .factories import grow_map, make_claim, make_map, make_source, quote
from .queries import queries_at_two_sizes, queries_for

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def link(m, a, b, kind, actor=None):
    return services.create_relation(argument_map=m, actor=actor, from_claim=a, to_claim=b, kind=kind)


# --- standing in plain words -------------------------------------------------------------------


def test_standings_describe_the_debate_without_ruling():
    texts = {1: "thesis", 2: "objection", 3: "answer", 4: "lonely", 5: "a", 6: "b", 7: "support"}
    relations = [(2, 1, "opposes"), (3, 2, "opposes"), (5, 6, "opposes"), (6, 5, "opposes"), (7, 4, "supports")]
    result = assess(texts, relations, {})
    assert result[1].standing == HOLDS and "answered" in result[1].explanation
    assert result[2].standing == CHALLENGED
    assert result[2].open_objections == ((3, "“answer”"),)
    assert "“answer” stands unanswered" in result[2].explanation
    assert result[5].standing == result[6].standing == CONTESTED
    assert "circle" in result[5].explanation
    assert result[4].standing == HOLDS  # supported, nothing opposes it
    assert result[3].standing == UNEXAMINED and result[7].standing == UNEXAMINED
    for a in result.values():
        assert not re.search(r"Rejected|Accepted|grounded|DF-QuAD", a.explanation + a.balance)


def test_an_opposing_quote_alone_challenges_a_claim():
    result = assess({1: "x"}, [], {1: (0, 0, 1)})
    assert result[1].standing == CHALLENGED and "quoted passage opposes it" in result[1].explanation


def test_a_weighted_link_moves_the_balance_less():
    texts = {1: "claim", 2: "objection"}
    full = assess(texts, [(2, 1, "opposes")], {})[1].percent
    half = assess(texts, [(2, 1, "opposes", 0.5)], {})[1].percent
    none = assess(texts, [], {})[1].percent
    assert full < half < none


def test_background_claims_are_never_evaluated(owner):
    m = make_map(owner)
    thesis = make_claim(m, "Coalitions help", kind=ClaimKind.THESIS)
    rule = make_claim(m, "The Charter gives five members a veto", kind=ClaimKind.BACKGROUND)
    link(m, rule, thesis, "opposes")  # a background claim does not count even if linked
    from arguments.evaluation.assessment import assess_map

    result = assess_map(m)
    assert rule.pk not in result
    assert result[thesis.pk].standing == UNEXAMINED


def test_no_page_of_the_demo_rules_on_the_motion(client, owner):
    from django.core.management import call_command

    call_command("demo", password="pw", force=True, verbosity=0)
    demo = ArgumentMap.objects.get(slug="coalitions-of-the-willing")
    client.force_login(demo.memberships.get(role="owner").user)
    thesis = demo.claims.filter(kind=ClaimKind.THESIS).first()
    for url in (
        demo.get_absolute_url(),
        f"{demo.get_absolute_url()}?open=all",
        reverse("arguments:claim", args=[demo.slug, thesis.pk]),
        reverse("arguments:claim_focus", args=[demo.slug, thesis.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Rejected" not in html and "Accepted" not in html, url
        assert re.search(r'class="standing (holds|challenged|contested|unexamined)"', html), url


# --- the motion and the theses ----------------------------------------------------------------


def test_owner_edits_the_motion_in_place(client, owner, private_map):
    client.force_login(owner)
    url = reverse("arguments:motion", args=[private_map.slug])
    form = client.get(url, headers={"HX-Request": "true"})
    assert b'name="question"' in form.content
    response = client.post(
        url,
        {"question": "Do coalitions weaken the UN?", "version": private_map.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and b"Do coalitions weaken the UN?" in response.content
    private_map.refresh_from_db()
    assert private_map.question == "Do coalitions weaken the UN?"
    # an old version is refused with the other change shown, nothing overwritten
    stale = client.post(url, {"question": "Older words", "version": 1})
    assert stale.status_code == 200 and "Someone else changed the map" in stale.content.decode()
    private_map.refresh_from_db()
    assert private_map.question == "Do coalitions weaken the UN?"


def test_motion_is_the_owners(client, editor, outsider, private_map):
    url = reverse("arguments:motion", args=[private_map.slug])
    client.force_login(editor)
    assert client.post(url, {"question": "x", "version": 1}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"question": "x", "version": 1}).status_code == 404


def test_an_empty_map_walks_its_owner_through_and_takes_a_thesis(client, owner):
    m = make_map(owner)
    client.force_login(owner)
    page = client.get(m.get_absolute_url()).content.decode()
    assert "Start the debate" in page and "Add sources" in page and "State the positions" in page
    response = client.post(reverse("arguments:add_thesis", args=[m.slug]), {"text": "  Coalitions strengthen the UN "})
    assert response.status_code == 302
    thesis = Claim.objects.get(map=m)
    assert thesis.kind == ClaimKind.THESIS and thesis.text == "Coalitions strengthen the UN"
    page = client.get(m.get_absolute_url()).content.decode()
    assert "Start the debate" not in page and "Thesis 1" in page
    empty = client.post(reverse("arguments:add_thesis", args=[m.slug]), {"text": "   "}, follow=True)
    assert "A position needs some words." in empty.content.decode()
    assert Claim.objects.filter(map=m).count() == 1


def test_viewers_cannot_add_theses(client, viewer, private_map):
    client.force_login(viewer)
    assert client.post(reverse("arguments:add_thesis", args=[private_map.slug]), {"text": "x"}).status_code == 403
    assert not Claim.objects.filter(map=private_map).exists()


# --- placing claims ---------------------------------------------------------------------------


def test_an_unplaced_claim_is_attached_as_a_con(client, owner, annotator, private_map):
    thesis = make_claim(private_map, "Coalitions help", kind=ClaimKind.THESIS, actor=owner)
    stray = make_claim(private_map, "Coalitions bypass the Council", actor=annotator)
    client.force_login(annotator)
    page = client.get(private_map.get_absolute_url()).content.decode()
    assert (
        "Claims not yet placed" in page and reverse("arguments:claim_place", args=[private_map.slug, stray.pk]) in page
    )
    url = reverse("arguments:claim_place", args=[private_map.slug, stray.pk])
    form = client.get(url).content.decode()
    assert "Coalitions help" in form and 'class="claim-filter"' in form
    response = client.post(url, {"to_claim": thesis.pk, "kind": "opposes"})
    assert response.status_code == 302
    assert Relation.objects.filter(from_claim=stray, to_claim=thesis, kind="opposes").exists()
    page = client.get(private_map.get_absolute_url()).content.decode()
    assert "Claims not yet placed" not in page
    assert "against thesis 1" in page
    # placing it under the same claim again is refused: that claim is no longer offered
    again = client.post(url, {"to_claim": thesis.pk, "kind": "supports"})
    assert again.status_code == 200 and Relation.objects.filter(from_claim=stray).count() == 1


def test_placing_asks_the_access_policy(client, viewer, outsider, private_map, owner):
    thesis = make_claim(private_map, "T", kind=ClaimKind.THESIS, actor=owner)
    stray = make_claim(private_map, "S", actor=owner)
    url = reverse("arguments:claim_place", args=[private_map.slug, stray.pk])
    client.force_login(viewer)
    assert client.post(url, {"to_claim": thesis.pk, "kind": "supports"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"to_claim": thesis.pk, "kind": "supports"}).status_code == 404
    assert not Relation.objects.exists()


def test_sides_count_objections_on_the_way_up(client, owner):
    m = make_map(owner)
    thesis = make_claim(m, "T", kind=ClaimKind.THESIS)
    con = make_claim(m, "Con of T")
    answer = make_claim(m, "Con of the con")
    link(m, con, thesis, "opposes")
    link(m, answer, con, "opposes")
    client.force_login(owner)
    page = client.get(f"{m.get_absolute_url()}?open={con.pk}").content.decode()
    assert re.search(rf'id="claim-{con.pk}".*?against thesis 1', page, re.S)
    assert re.search(rf'id="claim-{answer.pk}".*?for thesis 1', page, re.S)
    claim_page = client.get(reverse("arguments:claim", args=[m.slug, answer.pk])).content.decode()
    assert "for thesis 1" in claim_page


# --- the outline, level by level ----------------------------------------------------------------


def test_the_outline_shows_the_first_level_and_fetches_deeper_ones(client, owner):
    m = make_map(owner)
    thesis = make_claim(m, "T", kind=ClaimKind.THESIS)
    first = make_claim(m, "First level")
    second = make_claim(m, "Second level")
    third = make_claim(m, "Third level")
    link(m, first, thesis, "supports")
    link(m, second, first, "opposes")
    link(m, third, second, "supports")
    client.force_login(owner)
    page = client.get(m.get_absolute_url()).content.decode()
    assert f'id="claim-{first.pk}"' in page and f'id="claim-{second.pk}"' not in page
    assert "1 pro · 0 con" in page  # the thesis' counts
    assert f'data-fetch="{m.get_absolute_url()}outline/{first.pk}/"' in page
    level = client.get(reverse("arguments:outline_children", args=[m.slug, first.pk]), headers=HTMX).content.decode()
    assert f'id="claim-{second.pk}"' in level and f'id="claim-{third.pk}"' not in level
    # without JavaScript, opening a level is the outline with that claim open
    plain = client.get(reverse("arguments:outline_children", args=[m.slug, first.pk]))
    assert plain.status_code == 302 and plain["Location"].endswith(f"?open={first.pk}#claim-{first.pk}")
    # the claims a reader opened come back open after a live refresh, with what lies above them
    page = client.get(f"{m.get_absolute_url()}?open={second.pk}").content.decode()
    assert f'id="claim-{third.pk}"' in page
    everything = client.get(f"{m.get_absolute_url()}?open=all").content.decode()
    assert f'id="claim-{third.pk}"' in everything


def test_quotes_come_on_demand(client, owner):
    m = make_map(owner)
    source = make_source(added_by=owner)
    thesis = make_claim(m, "T", kind=ClaimKind.THESIS)
    services.add_source(argument_map=m, source=source, actor=owner)
    words = source.text[:40]
    quote(m, source, words, thesis, owner)
    client.force_login(owner)
    page = client.get(m.get_absolute_url()).content.decode()
    assert "1 quote" in page and words not in page
    quotes = client.get(reverse("arguments:claim_quotes", args=[m.slug, thesis.pk]), headers=HTMX).content.decode()
    assert words in quotes


def test_focus_view_shows_parent_pros_and_cons(client, owner):
    m = make_map(owner)
    thesis = make_claim(m, "The thesis", kind=ClaimKind.THESIS)
    middle = make_claim(m, "The middle claim")
    pro = make_claim(m, "A reason for it")
    con = make_claim(m, "An objection to it")
    link(m, middle, thesis, "supports")
    link(m, pro, middle, "supports")
    link(m, con, middle, "opposes")
    client.force_login(owner)
    html = client.get(reverse("arguments:claim_focus", args=[m.slug, middle.pk])).content.decode()
    up, rest = html.split('id="focus-text"', 1)
    assert "The thesis" in up
    pros, cons = rest.split('id="focus-cons"', 1)
    assert "A reason for it" in pros and "An objection to it" in cons
    assert "Challenged" in html  # the middle claim's objection stands unanswered, and is linked
    assert reverse("arguments:claim_focus", args=[m.slug, con.pk]) in html


def test_background_claims_have_their_own_section(client, owner):
    m = make_map(owner)
    make_claim(m, "T", kind=ClaimKind.THESIS)
    make_claim(m, "A veto is a negative vote of a permanent member", kind=ClaimKind.BACKGROUND)
    client.force_login(owner)
    page = client.get(m.get_absolute_url()).content.decode()
    background = page.split('id="background-heading"', 1)[1]
    assert "A veto is a negative vote" in background
    assert "Claims not yet placed" not in page


def test_a_change_shows_at_once_though_the_outline_is_kept(client, owner):
    m = make_map(owner)
    thesis = make_claim(m, "T", kind=ClaimKind.THESIS)
    client.force_login(owner)
    assert "no responses" in client.get(m.get_absolute_url()).content.decode()
    services.add_response(argument_map=m, actor=owner, parent=thesis, text="A fresh objection", kind="opposes")
    page = client.get(m.get_absolute_url()).content.decode()
    assert "A fresh objection" in page and "0 pro · 1 con" in page


def test_outline_queries_do_not_grow_with_the_map(client, owner):
    client.force_login(owner)
    queries_at_two_sizes(client, owner, lambda m: m.get_absolute_url(), at_most=12)
    queries_at_two_sizes(
        client,
        owner,
        lambda m: reverse("arguments:outline_children", args=[m.slug, m.claims.order_by("id").first().pk]),
        HTTP_HX_REQUEST="true",
        at_most=9,
    )
    queries_at_two_sizes(
        client,
        owner,
        lambda m: reverse("arguments:claim_focus", args=[m.slug, m.claims.order_by("id").first().pk]),
        at_most=10,
    )


def test_a_kept_outline_costs_fewer_queries(client, owner):
    m = make_map(owner)
    grow_map(m, make_source(added_by=owner), claims=30, actor=owner)
    client.force_login(owner)
    cold = queries_for(client, m.get_absolute_url())
    warm = queries_for(client, m.get_absolute_url())
    assert (cold, warm) == (9, 4)  # kept: session, user, the map, when its sources last changed


def test_the_brief_has_a_background_section(client, owner):
    m = make_map(owner)
    make_claim(m, "Coalitions help", kind=ClaimKind.THESIS)
    make_claim(m, "A veto blocks any Council decision", kind=ClaimKind.BACKGROUND)
    client.force_login(owner)
    page = client.get(reverse("arguments:brief", args=[m.slug])).content.decode()
    assert "A veto blocks any Council decision" in page.split('id="brief-background-heading"', 1)[1]
    markdown = client.get(reverse("arguments:brief", args=[m.slug]) + "?format=markdown").content.decode()
    assert "## Background" in markdown and "A veto blocks any Council decision" in markdown
