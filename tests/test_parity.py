"""Pages and API give the same answer: one table of actions, each run through a page and through the API,
for the owner, an editor, an annotator, a viewer, an outsider and an anonymous visitor, on a private
and on a public map.

Answers are compared as outcomes, since the two surfaces speak differently of the same decision:
- "ok": let in (the page or its redirect, a 2xx from the API);
- "denied": refused (403; a page may send a signed-out visitor to log in, the API answers 401);
- "hidden": the map does not exist for them (404).
Each outcome is also checked against what arguments/access.py's rule says for the persona, so both
surfaces agreeing on a wrong answer fails too. Every request runs in a savepoint that is rolled back,
so one person's deletion does not change what the next finds.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from arguments import services
from arguments.access import MapAccess
from arguments.models import Membership, Visibility

from .factories import make_claim, make_map, make_source, make_user

pytestmark = pytest.mark.django_db

PERSONAS = ("owner", "editor", "annotator", "viewer", "outsider", "anonymous")


@dataclass
class World:
    map: object
    people: dict
    ids: dict
    objects: dict

    def access(self, who: str) -> MapAccess:
        user = self.people.get(who)
        role = Membership.objects.filter(user=user, map=self.map).values_list("role", flat=True).first()
        return MapAccess(user, self.map, role)


@pytest.fixture(params=[Visibility.PRIVATE, Visibility.PUBLIC], ids=["private", "public"])
def world(request, owner, editor, annotator, viewer, outsider, settings) -> World:
    settings.WARRANT_RATE_LIMITS = {**settings.WARRANT_RATE_LIMITS, "write": "off"}
    m = make_map(owner, editor=editor, annotator=annotator, viewer=viewer, visibility=request.param, title="Parity")
    source = make_source("The reading", added_by=owner)
    services.add_source(argument_map=m, source=source, actor=owner)
    elsewhere = make_map(owner, visibility=Visibility.PUBLIC, title="Elsewhere")
    library = make_source("A library reading", added_by=owner)  # readable by all through the public map
    services.add_source(argument_map=elsewhere, source=library, actor=owner)
    thesis = make_claim(m, "The thesis.", kind="thesis", actor=owner)
    theirs = make_claim(m, "The owner's claim.", actor=owner)
    lone = make_claim(m, "Anna's claim nobody else's work hangs on.", actor=annotator)
    linked = make_claim(m, "Anna's claim the owner answered.", actor=annotator)
    relation = services.create_relation(
        argument_map=m, actor=owner, from_claim=theirs, to_claim=thesis, kind="supports"
    )
    services.create_relation(argument_map=m, actor=owner, from_claim=theirs, to_claim=linked, kind="opposes")
    evidence = services.add_evidence(
        argument_map=m, actor=owner, source=source, start=0, end=30, claim=theirs, stance="supports"
    )
    own_evidence = services.add_evidence(
        argument_map=m, actor=annotator, source=source, start=0, end=30, claim=lone, stance="states"
    )
    people = {"owner": owner, "editor": editor, "annotator": annotator, "viewer": viewer, "outsider": outsider}
    ids = {
        "slug": m.slug,
        "source": source.slug,
        "library": library.slug,
        "library_id": library.pk,
        "thesis": thesis.pk,
        "theirs": theirs.pk,
        "lone": lone.pk,
        "linked": linked.pk,
        "relation": relation.pk,
        "evidence": evidence.pk,
        "own_evidence": own_evidence.pk,
        "vic": Membership.objects.get(map=m, user=viewer).pk,
        "title": m.title,
        "start16": source.text.index("Security Council"),
        "end16": source.text.index("Security Council") + len("Security Council"),
        "exact": "Security Council",
        "newbie": make_user("newbie").username,
    }
    objects = {"theirs": theirs, "lone": lone, "linked": linked, "own_evidence": own_evidence}
    return World(m, people, ids, objects)


@dataclass(frozen=True)
class Surface:
    method: str
    path: str  # formatted with World.ids
    data: dict | None = None
    if_match: str | None = None


@dataclass(frozen=True)
class Action:
    name: str
    page: Surface
    api: Surface
    rule: Callable[[MapAccess, dict], bool]  # what arguments/access.py decides, given World.objects


PAGE = "/maps/{slug}/"
API = "/api/v1/maps/{slug}/"

ACTIONS = [
    Action("read the map", Surface("get", PAGE), Surface("get", API), lambda a, o: a.can_read),
    Action(
        "read a claim",
        Surface("get", PAGE + "claims/{theirs}/"),
        Surface("get", API + "claims/{theirs}/"),
        lambda a, o: a.can_read,
    ),
    Action(
        "read a source",
        Surface("get", PAGE + "sources/{source}/"),
        Surface("get", API + "sources/{source}/"),
        lambda a, o: a.can_read,
    ),
    Action(
        "download the map",
        Surface("get", PAGE + "export/json/"),
        Surface("get", API + "export/json/"),
        lambda a, o: a.can_read,
    ),
    Action(
        "follow its events",
        Surface("get", PAGE + "events/?after=0"),
        Surface("get", API + "events/"),
        lambda a, o: a.can_read,
    ),
    Action(
        "see the members",
        Surface("get", PAGE + "members/"),
        Surface("get", API + "members/"),
        lambda a, o: a.can_see_members,
    ),
    Action(
        "add a claim",
        Surface("post", PAGE + "claims/{thesis}/respond/", {"text": "New.", "kind": "opposes"}),
        Surface("post", API + "claims/", {"text": "New."}),
        lambda a, o: a.can_annotate,
    ),
    Action(
        "comment",
        Surface("post", PAGE + "claims/{theirs}/comments/", {"body": "Hm."}),
        Surface("post", API + "comments/", {"claim": "{theirs}", "body": "Hm."}),
        lambda a, o: a.can_annotate,
    ),
    Action(
        "quote a passage",
        Surface(
            "post",
            PAGE + "sources/{source}/annotate/",
            {"start16": "{start16}", "end16": "{end16}", "exact": "{exact}", "mode": "link", "claim": "{theirs}"}
            | {"stance": "opposes"},
        ),
        Surface(
            "post",
            API + "evidence/",
            {"claim": "{theirs}", "stance": "opposes", "source": "{source}", "exact": "{exact}"}
            | {"start16": "{start16}", "end16": "{end16}"},
        ),
        lambda a, o: a.can_annotate,
    ),
    Action(
        "change someone else's claim",
        Surface("post", PAGE + "claims/{theirs}/edit/", {"text": "Re.", "kind": "claim", "version": 1}),
        Surface("patch", API + "claims/{theirs}/", {"text": "Re."}, '"1"'),
        lambda a, o: a.can_change(o["theirs"].created_by_id),
    ),
    Action(
        "change one's own claim",
        Surface("post", PAGE + "claims/{lone}/edit/", {"text": "Re.", "kind": "claim", "version": 1}),
        Surface("patch", API + "claims/{lone}/", {"text": "Re."}, '"1"'),
        lambda a, o: a.can_change(o["lone"].created_by_id),
    ),
    Action(
        "delete one's own claim",
        Surface("post", PAGE + "claims/{lone}/delete/", {"version": 1}),
        Surface("delete", API + "claims/{lone}/", None, '"1"'),
        lambda a, o: a.can_delete_claim(o["lone"]),
    ),
    Action(
        "delete one's own claim others' work hangs on",
        Surface("post", PAGE + "claims/{linked}/delete/", {"version": 1}),
        Surface("delete", API + "claims/{linked}/", None, '"1"'),
        lambda a, o: a.can_delete_claim(o["linked"]),
    ),
    Action(
        "change someone else's evidence",
        Surface(
            "post",
            PAGE + "sources/{source}/evidence/{evidence}/",
            {"stance": "opposes", "note": "", "version": 1},
        ),
        Surface("patch", API + "evidence/{evidence}/", {"stance": "opposes"}, '"1"'),
        lambda a, o: a.can_edit,
    ),
    Action(
        "remove one's own evidence",
        Surface("post", PAGE + "sources/{source}/evidence/{own_evidence}/delete/"),
        Surface("delete", API + "evidence/{own_evidence}/", None, '"1"'),
        lambda a, o: a.can_change(o["own_evidence"].created_by_id),
    ),
    Action(
        "re-link a claim",
        Surface(
            "post",
            PAGE + "relations/{relation}/",
            {"kind": "opposes", "to_claim": "{thesis}", "version": 1},
        ),
        Surface("patch", API + "relations/{relation}/", {"kind": "opposes"}, '"1"'),
        lambda a, o: a.can_edit,
    ),
    Action(
        "unlink claims",
        Surface("post", PAGE + "relations/{relation}/", {"delete": "1"}),
        Surface("delete", API + "relations/{relation}/", None, '"1"'),
        lambda a, o: a.can_edit,
    ),
    Action(
        "add a source from the library",
        Surface("post", PAGE + "add-source/", {"source": "{library_id}"}),
        Surface("post", API + "sources/", {"source": "{library}"}),
        lambda a, o: a.can_edit,
    ),
    Action(
        "change the map's settings",
        Surface(
            "post",
            PAGE + "settings/",
            {"title": "{title}", "question": "Q?", "description": "", "visibility": "private", "version": 1},
        ),
        Surface("patch", API, {"question": "Q?"}, '"1"'),
        lambda a, o: a.can_manage,
    ),
    Action(
        "add a member",
        Surface("post", PAGE + "members/invite/", {"who": "{newbie}", "role": "viewer"}),
        Surface("post", API + "members/", {"username": "{newbie}", "role": "viewer"}),
        lambda a, o: a.can_manage,
    ),
    Action(
        "change a member's role",
        Surface("post", PAGE + "members/{vic}/", {"role": "annotator"}),
        Surface("patch", API + "members/{vic}/", {"role": "annotator"}),
        lambda a, o: a.can_manage,
    ),
]


def fill(value, ids: dict):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


def outcome_of_page(response) -> str:
    status = response.status_code
    if status == 404:
        return "hidden"
    if status == 403 or (status == 302 and response["Location"].startswith(reverse("login"))):
        return "denied"
    assert status < 400, (status, response.content[:300])
    return "ok"


def outcome_of_api(response) -> str:
    status = response.status_code
    if status == 404:
        return "hidden"
    if status in (401, 403):
        return "denied"
    assert status < 400, (status, getattr(response, "data", response.content[:300]))
    return "ok"


def expected(world: World, action: Action, who: str) -> str:
    access = world.access(who)
    if not access.can_read:
        return "hidden"
    return "ok" if action.rule(access, world.objects) else "denied"


def answer(world: World, who: str, surface: Surface, *, api: bool) -> str:
    client = APIClient() if api else Client()
    if who != "anonymous":
        client.force_login(world.people[who])
    path = surface.path.format(**world.ids)
    data = fill(surface.data, world.ids)
    headers = {"HTTP_IF_MATCH": surface.if_match} if surface.if_match else {}
    with transaction.atomic():
        call = getattr(client, surface.method)
        if api:
            response = call(path, data, format="json", **headers) if data is not None else call(path, **headers)
        else:
            response = call(path, data or {}) if surface.method == "post" else call(path)
        transaction.set_rollback(True)
    return (outcome_of_api if api else outcome_of_page)(response)


@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_pages_and_api_give_the_same_answer(world, action):
    disagreements = []
    for who in PERSONAS:
        wanted = expected(world, action, who)
        on_page = answer(world, who, action.page, api=False)
        on_api = answer(world, who, action.api, api=True)
        if not (on_page == on_api == wanted):
            disagreements.append(f"{who}: page {on_page}, API {on_api}, policy {wanted}")
    assert not disagreements, disagreements


def test_the_table_covers_every_capability():
    """Reading, annotating, changing one's own and others' work, editing and managing all appear."""
    names = " ".join(action.name for action in ACTIONS)
    for word in ("read", "add a claim", "own claim", "someone else's", "re-link", "settings", "member"):
        assert word in names
