"""Every map endpoint of the API, for every persona, on a private and on a public map.

The rule is the pages' rule (arguments.access): outsiders and anonymous visitors of a private map get
404; a member whose role is too low gets 403; anonymous visitors may read a public map, and are asked
to authenticate (401) for anything more; outsiders may read a public map and get 403 for anything more.
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from arguments import services
from arguments.access import Need
from arguments.models import Claim, Comment, Evidence, Membership, Relation, Visibility

from .factories import make_claim, make_map, make_source, make_user

PERSONAS = ("owner", "editor", "annotator", "viewer", "outsider", "anonymous")
LEVEL = {"owner": Need.MANAGE, "editor": Need.EDIT, "annotator": Need.ANNOTATE, "viewer": Need.READ}
MEMBERS_ONLY = "members only"  # readable by every member, but not by readers of a public map


@dataclass
class World:
    map: object
    users: dict
    source: object
    thesis: Claim
    anna_claim: Claim
    anna_lone: Claim
    relation: Relation
    evidence: Evidence
    comment: Comment
    vic: Membership


@pytest.fixture(params=[Visibility.PRIVATE, Visibility.PUBLIC])
def world(request, db):
    users = {name: make_user(name) for name in ("olga", "eddie", "anna", "vic", "otto", "newbie")}
    owner, annotator = users["olga"], users["anna"]
    m = make_map(
        owner, visibility=request.param, editor=users["eddie"], annotator=annotator, viewer=users["vic"], title="M"
    )
    source = make_source("The source", added_by=owner)
    services.add_source(argument_map=m, source=source, actor=owner)
    thesis = make_claim(m, "Thesis.", kind="thesis", actor=owner)
    anna_claim = make_claim(m, "Anna's claim.", actor=annotator)
    anna_lone = make_claim(m, "Anna's claim nobody else's work hangs on.", actor=annotator)
    relation = services.create_relation(
        argument_map=m, actor=owner, from_claim=anna_claim, to_claim=thesis, kind="supports"
    )
    evidence = services.add_evidence(
        argument_map=m, actor=annotator, source=source, start=0, end=10, claim=anna_claim, stance="states"
    )
    comment = services.add_comment(claim=thesis, actor=owner, body="A remark.")
    vic = Membership.objects.get(map=m, user=users["vic"])
    return World(m, users, source, thesis, anna_claim, anna_lone, relation, evidence, comment, vic)


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str  # formatted with the World's attributes
    need: Need | str
    ok: int
    body: dict | None = None
    if_match: str | None = None


CALLS = [
    Call("read map", "get", "", Need.READ, 200),
    Call("change map", "patch", "", Need.MANAGE, 200, {"title": "New"}, '"1"'),
    Call("replace map", "put", "", Need.MANAGE, 200, {"title": "New", "question": "Why?"}, '"1"'),
    Call("list members", "get", "members/", MEMBERS_ONLY, 200),
    Call("read member", "get", "members/{vic.pk}/", MEMBERS_ONLY, 200),
    Call("add member", "post", "members/", Need.MANAGE, 201, {"username": "newbie", "role": "viewer"}),
    Call("change role", "patch", "members/{vic.pk}/", Need.MANAGE, 200, {"role": "annotator"}),
    Call("remove member", "delete", "members/{vic.pk}/", Need.MANAGE, 204),
    Call("list sources", "get", "sources/", Need.READ, 200),
    Call("read source", "get", "sources/{source.slug}/", Need.READ, 200),
    Call("link source", "post", "sources/", Need.EDIT, 201, {"source": "{library_source}"}),
    Call("list passages", "get", "passages/", Need.READ, 200),
    Call("read passage", "get", "passages/{evidence.passage_id}/", Need.READ, 200),
    Call("list claims", "get", "claims/", Need.READ, 200),
    Call("add claim", "post", "claims/", Need.ANNOTATE, 201, {"text": "New claim."}),
    Call("read claim", "get", "claims/{thesis.pk}/", Need.READ, 200),
    Call("change own claim", "patch", "claims/{anna_claim.pk}/", Need.ANNOTATE, 200, {"text": "Reworded."}, '"1"'),
    Call("replace own claim", "put", "claims/{anna_claim.pk}/", Need.ANNOTATE, 200, {"text": "Replaced."}, '"1"'),
    Call("delete own claim", "delete", "claims/{anna_lone.pk}/", Need.ANNOTATE, 200, None, '"1"'),
    # The owner's link hangs on it: as on the claim page, only an editor may take it with the claim.
    Call("delete own linked claim", "delete", "claims/{anna_claim.pk}/", Need.EDIT, 200, None, '"1"'),
    Call("list relations", "get", "relations/", Need.READ, 200),
    Call(
        "link claims",
        "post",
        "relations/",
        Need.ANNOTATE,
        201,
        {"from_claim": "{thesis.pk}", "to_claim": "{anna_claim.pk}", "kind": "opposes"},
    ),
    Call("read relation", "get", "relations/{relation.pk}/", Need.READ, 200),
    Call("relink", "patch", "relations/{relation.pk}/", Need.EDIT, 200, {"kind": "opposes"}, '"1"'),
    Call("unlink", "delete", "relations/{relation.pk}/", Need.EDIT, 204, None, '"1"'),
    Call("list evidence", "get", "evidence/", Need.READ, 200),
    Call(
        "quote",
        "post",
        "evidence/",
        Need.ANNOTATE,
        201,
        {"claim": "{thesis.pk}", "stance": "supports", "passage": "{evidence.passage_id}"},
    ),
    Call("read evidence", "get", "evidence/{evidence.pk}/", Need.READ, 200),
    Call("change own evidence", "patch", "evidence/{evidence.pk}/", Need.ANNOTATE, 200, {"stance": "supports"}, '"1"'),
    Call("remove own evidence", "delete", "evidence/{evidence.pk}/", Need.ANNOTATE, 204, None, '"1"'),
    Call("list comments", "get", "comments/", Need.READ, 200),
    Call("comment", "post", "comments/", Need.ANNOTATE, 201, {"claim": "{thesis.pk}", "body": "Why?"}),
    Call("read comment", "get", "comments/{comment.pk}/", Need.READ, 200),
    Call("events", "get", "events/", Need.READ, 200),
    Call("export", "get", "export/json/", Need.READ, 200),
]


def expected(call: Call, who: str, visibility: str) -> int:
    level = LEVEL.get(who)
    if level is None:
        if visibility == Visibility.PRIVATE:
            return 404
        if call.need == Need.READ:
            return call.ok
        return 401 if who == "anonymous" else 403
    if call.need == MEMBERS_ONLY:
        return call.ok
    return call.ok if level >= call.need else 403


def fill(value, world: World, values: dict):
    if isinstance(value, str) and value.startswith("{"):
        text = value.format(**values)
        return int(text) if text.isdigit() else text
    return value


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name.replace(" ", "-"))
def test_who_may_call_what(world, call, who):
    persona = {"owner": "olga", "editor": "eddie", "annotator": "anna", "viewer": "vic", "outsider": "otto"}
    client = APIClient()
    user = world.users.get(persona.get(who))
    if user is not None:
        client.force_authenticate(user)
    # A library source the caller may read, for the call that links one.
    library = make_source("Library", added_by=user) if user is not None else make_source("Library")
    values = {**vars(world), "library_source": library.slug}
    url = f"/api/v1/maps/{world.map.slug}/" + call.path.format(**values)
    body = {key: fill(value, world, values) for key, value in (call.body or {}).items()}
    headers = {"HTTP_IF_MATCH": call.if_match} if call.if_match else {}
    answer = getattr(client, call.method)(url, body, format="json", **headers)
    assert answer.status_code == expected(call, who, world.map.visibility), answer.content


@pytest.mark.parametrize("who", PERSONAS)
def test_the_map_list_and_creation(db, who):
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(make_user(who))
    assert client.get("/api/v1/maps/").status_code == 200
    answer = client.post("/api/v1/maps/", {"title": "Mine", "question": "Why?"}, format="json")
    assert answer.status_code == (401 if who == "anonymous" else 201)


def test_annotators_cannot_change_what_others_wrote(world):
    client = APIClient()
    client.force_authenticate(world.users["anna"])
    base = f"/api/v1/maps/{world.map.slug}/"
    assert (
        client.patch(f"{base}claims/{world.thesis.pk}/", {"text": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code
        == 403
    )
    assert client.delete(f"{base}claims/{world.thesis.pk}/", HTTP_IF_MATCH='"1"').status_code == 403
    owners_evidence = services.add_evidence(
        argument_map=world.map,
        actor=world.users["olga"],
        source=world.source,
        start=0,
        end=10,
        claim=world.thesis,
        stance="supports",
    )
    assert client.delete(f"{base}evidence/{owners_evidence.pk}/", HTTP_IF_MATCH='"1"').status_code == 403
    assert Evidence.objects.filter(pk=owners_evidence.pk).exists()
