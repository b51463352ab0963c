"""Every URL of the site, for every kind of visitor: who is let in and who is refused, and how.

The matrix below names each URL pattern with what it needs: a role in the map (the Need from
arguments/access.py), a signed-in user, or nothing. The expected answer for each person follows from
the policy, not from a table of status codes:
- someone who may not even read the map gets 404 (a private map's existence is not revealed);
- someone who may read it but whose role is too low gets 403;
- an anonymous visitor on a page that needs an account is sent to the login page;
- a method the URL does not take gets 405;
- anyone let in gets an answer below 500 that is none of those (the page, a redirect, a form error).
A refused request must leave the map untouched (no event, same revision).

`test_every_url_pattern_is_in_the_matrix` walks the URL resolver, so a new URL without an entry here
fails the suite with its name. Left out on purpose: the `api` namespace (tests of the API check its
roles through the same access helper), the admin site (Django's own staff checks) and static files.

Each case runs in a savepoint that is rolled back, so one person's successful delete does not change
what the next person finds.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from arguments import services
from arguments.access import Need
from arguments.models import ArgumentMap, Event, Invitation, Membership, Visibility

from .factories import make_claim, make_map, make_source

pytestmark = pytest.mark.django_db

ROLES = ["owner", "editor", "annotator", "viewer", "outsider", "anonymous"]
LEVEL = {"owner": Need.MANAGE, "editor": Need.EDIT, "annotator": Need.ANNOTATE, "viewer": Need.READ}
LEFT_OUT_NAMESPACES = ("api:",)  # see the module docstring
LEFT_OUT_ROUTES = ("admin/", "static/")

# What a URL needs, besides a Need in the map:
PUBLIC = "anyone"  # every visitor is let in
LOGIN = "signed in"  # anonymous visitors are sent to log in
ANONYMOUS = "signed out"  # sign-in and sign-up pages: signed-in people are sent home
NO = "method not allowed"  # 405 for everyone
STREAM = "stream"  # 204 for everyone under the test client (see below)
MEMBERS = "members"  # who is in a map is for its members: readers of a public map who are not members get 403


@dataclass
class World:
    """One map, with something of every kind in it, all made by the owner."""

    map: ArgumentMap
    people: dict
    ids: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    args: tuple  # names of World.ids entries, in URL order
    get: object  # a Need, or one of the strings above
    post: object
    in_map: bool = True  # the URL belongs to one map: run it on a private and a public map


MATRIX: dict[str, Route] = {
    # site
    "home": Route((), PUBLIC, NO, in_map=False),
    "healthz": Route((), PUBLIC, NO, in_map=False),
    "status": Route((), PUBLIC, NO, in_map=False),
    "docs": Route((), PUBLIC, NO, in_map=False),
    "doc": Route(("doc_name",), PUBLIC, NO, in_map=False),
    "csp_report": Route((), NO, PUBLIC, in_map=False),  # browsers report policy violations here
    "login": Route((), ANONYMOUS, ANONYMOUS, in_map=False),
    "logout": Route((), NO, PUBLIC, in_map=False),
    "signup": Route((), ANONYMOUS, ANONYMOUS, in_map=False),
    "password_reset": Route((), PUBLIC, PUBLIC, in_map=False),
    "password_reset_done": Route((), PUBLIC, NO, in_map=False),
    "password_reset_confirm": Route(("uid", "reset_token"), PUBLIC, PUBLIC, in_map=False),
    "password_reset_complete": Route((), PUBLIC, NO, in_map=False),
    "password_change": Route((), LOGIN, LOGIN, in_map=False),
    "password_change_done": Route(
        (), LOGIN, {**dict.fromkeys(LEVEL, "405"), "outsider": "405", "anonymous": "login"}, in_map=False
    ),
    "sign_out_everywhere": Route((), LOGIN, LOGIN, in_map=False),
    "invitation": Route(("token",), PUBLIC, LOGIN, in_map=False),
    "sources:library": Route((), PUBLIC, NO, in_map=False),
    "sources:upload": Route((), LOGIN, LOGIN, in_map=False),
    "sources:upload_preview": Route((), NO, LOGIN, in_map=False),
    "sources:import_bibliography": Route((), LOGIN, LOGIN, in_map=False),
    "arguments:list": Route((), PUBLIC, NO, in_map=False),
    "arguments:new": Route((), LOGIN, LOGIN, in_map=False),
    "arguments:import": Route((), LOGIN, LOGIN, in_map=False),
    # reading a map
    "arguments:map": Route(("slug",), Need.READ, NO),
    "arguments:search": Route(("slug",), Need.READ, NO),
    "arguments:activity": Route(("slug",), Need.READ, NO),
    "arguments:brief": Route(("slug",), Need.READ, NO),
    "arguments:graph": Route(("slug",), Need.READ, NO),
    "arguments:graph_claim": Route(("slug", "claim"), Need.READ, NO),
    "arguments:export": Route(("slug",), Need.READ, NO),
    "arguments:export_format": Route(("slug", "format"), Need.READ, NO),
    "arguments:claim": Route(("slug", "claim"), Need.READ, NO),
    "arguments:claim_focus": Route(("slug", "claim"), Need.READ, NO),
    "arguments:claim_quotes": Route(("slug", "claim"), Need.READ, NO),
    "arguments:outline_children": Route(("slug", "claim"), Need.READ, NO),
    "arguments:source": Route(("slug", "source"), Need.READ, NO),
    "arguments:events": Route(("slug",), Need.READ, NO),
    # Streams need an ASGI server and PostgreSQL; under the test client the view answers 204 ("poll
    # instead") before looking at the map, which tells nobody anything. tests/test_live*.py cover it.
    "arguments:events_stream": Route(("slug",), STREAM, NO),
    "sources:detail": Route(("source",), Need.READ, NO),
    # Adding a library document to a map the user edits (the map is named in the form; none named: a message).
    "add_source_to_map": Route(
        ("source",), NO, {**dict.fromkeys(LEVEL, "allowed"), "outsider": "404", "anonymous": "login"}, in_map=False
    ),
    "arguments:members": Route(("slug",), MEMBERS, NO),
    "arguments:leave": Route(("slug",), NO, Need.READ),
    # annotating
    "arguments:claim_comment": Route(("slug", "claim"), NO, Need.ANNOTATE),
    "arguments:claim_respond": Route(("slug", "claim"), Need.ANNOTATE, Need.ANNOTATE),
    "arguments:claim_place": Route(("slug", "claim"), Need.ANNOTATE, Need.ANNOTATE),
    "arguments:add_thesis": Route(("slug",), NO, Need.ANNOTATE),
    "arguments:annotate": Route(("slug", "source"), Need.ANNOTATE, Need.ANNOTATE),
    # Warrant suggests: for the people who can act on a suggestion (the model runs on each request)
    "arguments:evidence_suggestions": Route(("slug", "claim"), Need.ANNOTATE, NO),
    "arguments:accept_suggestion": Route(("slug", "claim"), NO, Need.ANNOTATE),
    "arguments:similar_claims": Route(("slug",), Need.ANNOTATE, NO),
    # Changing what someone else made (everything in the World is the owner's) needs an editor.
    "arguments:claim_edit": Route(("slug", "claim"), Need.EDIT, Need.EDIT),
    "arguments:claim_delete": Route(("slug", "claim"), Need.EDIT, Need.EDIT),
    "arguments:reader_evidence_edit": Route(("slug", "source", "evidence"), Need.EDIT, Need.EDIT),
    "arguments:reader_evidence_delete": Route(("slug", "source", "evidence"), NO, Need.EDIT),
    "arguments:reattach": Route(("slug", "source", "passage"), Need.EDIT, Need.EDIT),
    # editing the map's structure
    "arguments:link_suggestions": Route(("slug",), Need.EDIT, NO),
    "arguments:decide_link": Route(("slug",), NO, Need.EDIT),
    "arguments:relation_edit": Route(("slug", "relation"), Need.EDIT, Need.EDIT),
    "arguments:add_source": Route(("slug",), Need.EDIT, Need.EDIT),
    "arguments:upload_sources": Route(("slug",), NO, Need.EDIT),
    "arguments:remove_source": Route(("slug", "source"), Need.EDIT, Need.EDIT),
    "arguments:source_edit_text": Route(("slug", "source"), Need.EDIT, Need.EDIT),
    "arguments:source_history": Route(("slug", "source"), Need.EDIT, NO),
    "arguments:source_revision": Route(("slug", "source", "revision"), Need.EDIT, NO),
    # managing
    "arguments:settings": Route(("slug",), Need.MANAGE, Need.MANAGE),
    "arguments:motion": Route(("slug",), Need.MANAGE, Need.MANAGE),
    "arguments:delete": Route(("slug",), Need.MANAGE, Need.MANAGE),
    "arguments:invite": Route(("slug",), NO, Need.MANAGE),
    "arguments:create_link": Route(("slug",), NO, Need.MANAGE),
    "arguments:revoke_link": Route(("slug", "invitation"), NO, Need.MANAGE),
    "arguments:change_member": Route(("slug", "membership"), NO, Need.MANAGE),
}


def url_names(patterns=None, namespace: str = "") -> list[tuple[str, str]]:
    """(name, route) of every URL pattern, namespaced, however deeply included."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += [(name, f"{pattern.pattern}{route}") for name, route in url_names(pattern.url_patterns, inner)]
        elif isinstance(pattern, URLPattern):
            found.append((f"{namespace}{pattern.name}" if pattern.name else "", str(pattern.pattern)))
    return found


def checked(patterns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, route)
        for name, route in patterns
        if not name.startswith(LEFT_OUT_NAMESPACES) and not route.startswith(LEFT_OUT_ROUTES)
    ]


def test_every_url_pattern_is_in_the_matrix():
    patterns = checked(url_names())
    unnamed = [route for name, route in patterns if not name]
    assert not unnamed, f"Give these URL patterns a name so the role matrix can check them: {unnamed}"
    missing = sorted({name for name, _ in patterns} - set(MATRIX))
    assert not missing, (
        f"URL patterns with no entry in tests/test_role_matrix.py MATRIX: {missing}. "
        "Say who may GET and POST each one, so that the matrix checks them for every role."
    )
    stale = sorted(set(MATRIX) - {name for name, _ in patterns})
    assert not stale, f"MATRIX entries for URL patterns that no longer exist: {stale}"


def test_the_walk_finds_nested_patterns_and_leaves_out_only_api_and_admin():
    names = {name for name, _ in checked(url_names())}
    assert {"arguments:claim_edit", "arguments:events", "arguments:source", "invitation", "sources:detail"} <= names
    assert not any(name.startswith("api:") for name in names)
    assert any(name.startswith("api:") for name, _ in url_names()), "the API exists; it is left out on purpose"


@pytest.fixture(params=[Visibility.PRIVATE, Visibility.PUBLIC])
def world(request, owner, editor, annotator, viewer, outsider) -> World:
    return build_world(request.param, owner, editor, annotator, viewer, outsider)


@pytest.fixture
def private_world(owner, editor, annotator, viewer, outsider) -> World:
    return build_world(Visibility.PRIVATE, owner, editor, annotator, viewer, outsider)


def build_world(visibility, owner, editor, annotator, viewer, outsider) -> World:
    argument_map = make_map(
        owner, editor=editor, annotator=annotator, viewer=viewer, visibility=visibility, title="Matrix seminar"
    )
    source = make_source("Matrix reading", added_by=owner)
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = make_claim(argument_map, "A claim the owner wrote.", actor=owner)
    other = make_claim(argument_map, "Another claim.", actor=owner)
    relation = services.create_relation(
        argument_map=argument_map, actor=owner, from_claim=other, to_claim=claim, kind="supports"
    )
    evidence = services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=30, claim=claim, stance="states"
    )
    services.add_comment(claim=claim, actor=owner, body="A first comment.")
    invitation = services.create_invitation(argument_map=argument_map, role="annotator", actor=owner)
    people = {"owner": owner, "editor": editor, "annotator": annotator, "viewer": viewer, "outsider": outsider}
    ids = {
        "slug": argument_map.slug,
        "claim": claim.pk,
        "relation": relation.pk,
        "evidence": evidence.pk,
        "passage": evidence.passage_id,
        "source": source.slug,
        "revision": source.revision,
        "format": "json",
        "doc_name": "exports",
        "invitation": invitation.pk,
        "token": invitation.token,
        "membership": Membership.objects.get(map=argument_map, user=viewer).pk,
        "uid": urlsafe_base64_encode(force_bytes(viewer.pk)),
        "reset_token": default_token_generator.make_token(viewer),
    }
    return World(argument_map, people, ids)


def level(world: World, who: str) -> Need | None:
    if who in LEVEL:
        return LEVEL[who]
    return Need.READ if world.map.is_public else None


def expected(world: World, need, who: str) -> str:
    """'allowed', 'login', 'home', or a status code as text, from the policy of the module docstring."""
    if isinstance(need, dict):
        return need[who]
    if need == NO:
        return "405"
    if need == STREAM:
        return "204"
    if need == PUBLIC:
        return "allowed"
    if need == LOGIN:
        return "login" if who == "anonymous" else "allowed"
    if need == ANONYMOUS:
        return "allowed" if who == "anonymous" else "home"
    granted = level(world, who)
    if granted is None:
        return "404"
    if need == MEMBERS:
        return "allowed" if who in LEVEL else "403"
    return "allowed" if granted >= need else "403"


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("login")):
            return "login"
        if location == reverse("home"):
            return "home"
    if status in (204, 401, 403, 404, 405, 410) or status >= 500:
        return str(status)
    return "allowed"


def cases(in_map: bool) -> list:
    return [
        pytest.param(name, method, id=f"{name}-{method}")
        for name, route in MATRIX.items()
        if route.in_map == in_map
        for method in ("get", "post")
    ]


def check(world: World, name: str, method: str) -> None:
    route = MATRIX[name]
    url = reverse(name, args=[world.ids[arg] for arg in route.args])
    need = route.get if method == "get" else route.post
    wanted = {who: expected(world, need, who) for who in ROLES}
    answers = {}
    for who in ROLES:
        with transaction.atomic():
            client = Client()
            if who != "anonymous":
                client.force_login(world.people[who])
            revision, events = ArgumentMap.objects.get(pk=world.map.pk).revision, Event.objects.count()
            response = getattr(client, method)(url)
            answers[who] = outcome(response)
            if answers[who] == "home" and wanted[who] != "home":
                answers[who] = "allowed"  # done, and back to the start (leaving a map, logging out)
            if answers[who] != "allowed":
                assert ArgumentMap.objects.get(pk=world.map.pk).revision == revision, f"{who} was refused yet"
                assert Event.objects.count() == events, f"{who} was refused, yet something was recorded"
            transaction.set_rollback(True)
    assert answers == wanted, f"{method.upper()} {url} on a {world.map.visibility} map"


@pytest.mark.parametrize(("name", "method"), cases(in_map=True))
def test_map_urls_for_every_role_on_private_and_public_maps(world, name, method):
    check(world, name, method)


@pytest.mark.parametrize(("name", "method"), cases(in_map=False))
def test_site_urls_for_every_role(private_world, name, method):
    check(private_world, name, method)


# ---- invitation links: valid, revoked, expired --------------------------------------------------


@pytest.fixture
def links(owner):
    argument_map = make_map(owner, title="Invited seminar")
    make = services.create_invitation
    valid = make(argument_map=argument_map, role="editor", actor=owner, expires_at=timezone.now() + timedelta(days=1))
    revoked = make(argument_map=argument_map, role="editor", actor=owner)
    services.revoke_invitation(invitation=revoked, actor=owner)
    expired = make(argument_map=argument_map, role="editor", actor=owner)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return {"valid": valid, "revoked": revoked, "expired": expired}


@pytest.mark.parametrize("state", ["revoked", "expired"])
@pytest.mark.parametrize("who", ROLES)
def test_revoked_and_expired_links_let_nobody_in(client, request, links, state, who):
    invitation = links[state]
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 410 and f"It has been {state}" in page.content.decode()
    joins_before = Membership.objects.filter(map=invitation.map).count()
    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 302
    assert Membership.objects.filter(map=invitation.map).count() == joins_before
    if who == "outsider":
        assert client.get(invitation.map.get_absolute_url()).status_code == 404, "and the map stays hidden"


def test_a_valid_link_lets_an_outsider_in_with_its_role_and_anonymous_visitors_log_in_first(client, outsider, links):
    invitation = links["valid"]
    assert client.post(invitation.get_absolute_url())["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(invitation.map.get_absolute_url()).status_code == 404
    assert client.post(invitation.get_absolute_url())["Location"] == invitation.map.get_absolute_url()
    assert Membership.objects.get(map=invitation.map, user=outsider).role == "editor"
    assert client.get(reverse("arguments:add_source", args=[invitation.map.slug])).status_code == 200


def test_an_unknown_link_is_404(client):
    assert client.get(reverse("invitation", args=["no-such-token"])).status_code == 404
