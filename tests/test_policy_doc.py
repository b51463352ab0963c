"""The security model's table in docs/administration.md says what arguments/access.py decides, cell by cell.

Each row of the table is worked out here from the access object's named rules, for each persona, on
a map that holds something of every kind; a row the test does not know fails it, so the table cannot
grow a claim the code does not back.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from arguments import services
from arguments.access import MapAccess
from arguments.models import Membership, Visibility
from sources.models import AnchorStatus, Passage

from .factories import make_claim, make_map, make_source, make_user

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parent.parent / "docs" / "administration.md"
PERSONAS = ("anonymous", "outsider", "viewer", "annotator", "editor", "owner")


def policy_table() -> dict[str, dict[str, str]]:
    section = DOC.read_text(encoding="utf-8").split("## Security model", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header == ["action", *PERSONAS]
    table = {}
    for row in rows[1:]:
        action, *cells = (cell.strip() for cell in row.strip("|").split("|"))
        table[action] = dict(zip(PERSONAS, cells, strict=True))
    return table


def access(user, argument_map) -> MapAccess:
    role = None
    if user.is_authenticated:
        role = Membership.objects.filter(user=user, map=argument_map).values_list("role", flat=True).first()
    return MapAccess(user, argument_map, role)


@pytest.fixture
def world():
    people = {name: make_user(name) for name in PERSONAS if name != "anonymous"}
    people["anonymous"] = AnonymousUser()
    owner = people["owner"]
    maps = {}
    for visibility in (Visibility.PUBLIC, Visibility.PRIVATE):
        members = {role: people[role] for role in ("viewer", "annotator", "editor")}
        maps[visibility] = make_map(owner, visibility=visibility, **members)
    argument_map = maps[Visibility.PUBLIC]
    source = make_source("A reading", added_by=owner)
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    theirs = make_claim(argument_map, "The owner's claim.", actor=owner)
    own = {}
    for who in PERSONAS:
        own[who] = make_claim(argument_map, f"{who}'s claim.", actor=people[who] if who != "anonymous" else None)
        services.create_relation(
            argument_map=argument_map, actor=owner, from_claim=theirs, to_claim=own[who], kind="opposes"
        )

    def orphan(exact: str, *authors) -> Passage:
        start = source.text.index(exact)
        for n, author in enumerate(authors):
            claim = make_claim(argument_map, f"Quoting {exact} {n}", actor=author)
            evidence = services.add_evidence(
                argument_map=argument_map,
                actor=author,
                source=source,
                start=start,
                end=start + len(exact),
                claim=claim,
                stance="supports",
            )
        Passage.objects.filter(pk=evidence.passage_id).update(anchor_status=AnchorStatus.ORPHANED)
        return Passage.objects.get(pk=evidence.passage_id)

    shared_orphan = orphan("Critics answer", people["annotator"], owner)
    sole_orphan = orphan("Peace operations", people["annotator"])
    return people, maps, own, theirs, shared_orphan, sole_orphan


def decided(world, action: str, who: str) -> str:
    """What arguments/access.py decides for one row of the table: "yes", "no", "own" or "404"."""
    people, maps, own, theirs, shared_orphan, sole_orphan = world
    user = people[who]
    public = access(user, maps[Visibility.PUBLIC])
    yes_no = {True: "yes", False: "no"}
    rules = {
        "read a public map (outline, reader, graph, brief, exports)": lambda: yes_no[public.can_read],
        "read a private map": lambda: yes_no[True] if access(user, maps[Visibility.PRIVATE]).can_read else "404",
        "see who the members are, and their roles": lambda: yes_no[public.can_see_members],
        "add claims, passages, evidence, comments and supporting or opposing links": lambda: yes_no[
            public.can_annotate
        ],
        "change or remove their own claims and evidence": lambda: yes_no[public.can_change(own[who].created_by_id)],
        "change or remove anyone's claims and evidence; re-link claims": lambda: yes_no[
            public.can_change(theirs.created_by_id) and public.can_edit
        ],
        "delete their own claim that others' work hangs on": lambda: yes_no[public.can_delete_claim(own[who])],
        "re-attach an orphaned passage that others cite too": lambda: yes_no[public.can_reattach(shared_orphan)],
        "re-attach an orphaned passage only they cite": lambda: (
            "yes" if public.can_edit else ("own" if public.can_reattach(sole_orphan) else "no")
        ),
        "add and remove sources; correct a source's text for this map": lambda: yes_no[
            public.can_edit_source_text() and public.can_edit
        ],
        "manage members, invitations and settings; delete the map": lambda: yes_no[public.can_manage],
    }
    assert action in rules, f"docs/administration.md has a row this test does not check: {action!r}"
    return rules[action]()


def test_the_security_model_table_is_what_access_py_decides(world):
    table = policy_table()
    assert len(table) >= 10
    for action, cells in table.items():
        for who in PERSONAS:
            assert cells[who] == decided(world, action, who), (action, who)
