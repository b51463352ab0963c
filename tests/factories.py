"""Plain factory functions for tests: explicit, no magic."""

from itertools import count
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse

from arguments import services
from arguments.access import Need, get_map_for
from arguments.models import ArgumentMap, Claim, ClaimKind, Role, Visibility
from arguments.services import source_text
from sources.models import Source, SourceFormat

_seq = count(1)

SAMPLE_TEXT = (
    "Coalitions of the willing act quickly when the Security Council is blocked.\n\n"
    "Critics answer that such coalitions lack accountability and legitimacy.\n\n"
    "Peace operations remain a necessity and a resource that should be used."
)


def make_user(username: str | None = None, **fields):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password="pw-for-tests", **fields)


def make_source(title: str | None = None, text: str = SAMPLE_TEXT, added_by=None, **fields) -> Source:
    n = next(_seq)
    return Source.objects.create(
        title=title or f"Source {n}",
        text=text,
        authors=fields.pop("authors", ["Ana Lima", "Bo Chen"]),
        published=fields.pop("published", "2021-08-04"),
        original_format=SourceFormat.TXT,
        original_name=f"source-{n}.txt",
        added_by=added_by,
        **fields,
    )


def make_map(owner, *, visibility: str = Visibility.PRIVATE, title: str | None = None, **members) -> ArgumentMap:
    """A map owned by `owner`, with extra members given as role=user (editor=, annotator=, viewer=)."""
    argument_map = services.create_map(
        owner=owner,
        title=title or f"Map {next(_seq)}",
        question="Should states act in coalitions?",
        visibility=visibility,
    )
    for role, user in members.items():
        services.add_member(argument_map=argument_map, user=user, role=Role(role), actor=owner)
    return argument_map


def make_claim(argument_map: ArgumentMap, text: str | None = None, kind: str = ClaimKind.CLAIM, actor=None) -> Claim:
    return services.create_claim(argument_map=argument_map, actor=actor, text=text or f"Claim {next(_seq)}", kind=kind)


def quote(argument_map: ArgumentMap, source: Source, exact: str, claim, actor, stance: str = "supports"):
    """Evidence quoting `exact` (which must occur in the source's text) for `claim`, with `stance`."""
    start = source.text.index(exact)
    return services.add_evidence(
        argument_map=argument_map,
        actor=actor,
        source=source,
        start=start,
        end=start + len(exact),
        claim=claim,
        stance=stance,
    )


def cite(argument_map: ArgumentMap, source: Source, exact: str, actor, stance: str = "supports"):
    """A new claim with `exact` (which must occur in the source's text) as its evidence, with `stance`."""
    claim = make_claim(argument_map, f"Claim on {exact[:20]}", actor=actor)
    return quote(argument_map, source, exact, claim, actor, stance)


def grow_map(argument_map: ArgumentMap, source: Source, *, claims: int, actor=None) -> None:
    """Add a thesis tree of `claims` claims, alternating pro and con, each with one quote as evidence."""
    if not argument_map.map_sources.filter(source=source).exists():
        services.add_source(argument_map=argument_map, source=source, actor=actor)
    thesis = make_claim(argument_map, "The thesis under debate.", kind=ClaimKind.THESIS, actor=actor)
    parents = [thesis]
    sentence_end = source.text.index(".") + 1
    for i in range(claims):
        claim = make_claim(argument_map, f"Argument number {i}", actor=actor)
        services.create_relation(
            argument_map=argument_map,
            actor=actor,
            from_claim=claim,
            to_claim=parents[i // 3],
            kind="supports" if i % 2 == 0 else "opposes",
        )
        start = i % 40
        services.add_evidence(
            argument_map=argument_map,
            actor=actor,
            source=source,
            start=start,
            end=sentence_end,
            claim=claim,
            stance=("states", "supports", "opposes")[i % 3],
        )
        parents.append(claim)


def edit_text(argument_map: ArgumentMap, source: Source, text: str, actor, *, restored: int | None = None):
    """Save `text` as `source`'s text from `argument_map`, as `actor` (an editor there) would from the reader."""
    source.refresh_from_db(fields=["version"])
    return source_text.edit_source_text(
        access=get_map_for(actor, argument_map.slug, Need.EDIT),
        source=source,
        text=text,
        expected_version=source.version,
        restored=restored,
    )


def reader_url(argument_map: ArgumentMap, source: Source, **query) -> str:
    """The reader page of `source` in `argument_map`; keywords become its query string (stance="opposes")."""
    url = reverse("arguments:source", args=[argument_map.slug, source.slug])
    return f"{url}?{urlencode(query)}" if query else url
