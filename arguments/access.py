"""Who may do what in a map: the one policy. Pages, the API, templates and services ask here; nothing
else decides access. docs/administration.md ("Security model") shows it as a table, and
tests/test_policy_doc.py checks that table against this module.

Capabilities, from least to most: read < annotate < edit < manage; each role grants one:
- viewer: read
- annotator: read, annotate (add passages, claims, evidence, comments; change their own work)
- editor: read, annotate, edit (change anything in the map)
- owner: everything, including managing members and settings and deleting the map
Anonymous visitors and non-members may read public maps only. A private map is invisible to
outsiders: they get 404, so its existence is not revealed. A member whose role is too low gets 403.
"""

from __future__ import annotations

from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from sources.models import Passage, Source

from .models import ArgumentMap, Claim, Comment, Event, Evidence, MapSource, Membership, Relation, Role, Visibility


class Need(IntEnum):
    READ = 1
    ANNOTATE = 2
    EDIT = 3
    MANAGE = 4


# The one ranking of roles: what each grants.
ROLE_GRANTS: dict[str, Need] = {
    Role.VIEWER: Need.READ,
    Role.ANNOTATOR: Need.ANNOTATE,
    Role.EDITOR: Need.EDIT,
    Role.OWNER: Need.MANAGE,
}


def level_of(role: str | None, map_is_public: bool) -> Need | None:
    """What a role (None: no membership) allows in a map that is public or not; None: not even reading."""
    if role is not None:
        return ROLE_GRANTS[role]
    return Need.READ if map_is_public else None


def keeps_role(current: str, offered: str) -> bool:
    """Whether someone holding `current` keeps it rather than take `offered` (an invitation never lowers a role)."""
    return ROLE_GRANTS[current] >= ROLE_GRANTS[offered]


def maps_visible_to(user) -> QuerySet[ArgumentMap]:
    """The maps a user may read: public ones, and private ones they are a member of."""
    public = Q(visibility=Visibility.PUBLIC)
    if not user.is_authenticated:
        return ArgumentMap.objects.filter(public)
    return ArgumentMap.objects.filter(public | Q(pk__in=Membership.objects.filter(user=user).values("map_id")))


def editable_maps(user) -> QuerySet[ArgumentMap]:
    """The maps in which a user may change anything (editors and owners): where they may add documents."""
    if not user.is_authenticated:
        return ArgumentMap.objects.none()
    roles = [role for role, need in ROLE_GRANTS.items() if need >= Need.EDIT]
    return ArgumentMap.objects.filter(pk__in=Membership.objects.filter(user=user, role__in=roles).values("map_id"))


class MapAccess:
    """A map as one user sees it: the role they hold and what it lets them do."""

    def __init__(self, user, argument_map: ArgumentMap, role: str | None) -> None:
        self.user = user
        self.map = argument_map
        self.role = role
        self.level = level_of(role, argument_map.is_public)

    def allows(self, need: Need) -> bool:
        return self.level is not None and self.level >= need

    @property
    def can_read(self) -> bool:
        return self.allows(Need.READ)

    @property
    def can_annotate(self) -> bool:
        return self.allows(Need.ANNOTATE)

    @property
    def can_edit(self) -> bool:
        return self.allows(Need.EDIT)

    @property
    def can_manage(self) -> bool:
        return self.allows(Need.MANAGE)

    @property
    def can_see_members(self) -> bool:
        """Who is in a map, and with which role, is for its members: readers of a public map see the map only."""
        return self.role is not None

    def can_change(self, created_by_id: int | None) -> bool:
        """Change or remove one thing in the map: annotators their own work, editors and owners anything."""
        if self.can_edit:
            return True
        return self.can_annotate and created_by_id is not None and created_by_id == self.user.pk

    def can_delete_claim(self, claim: Claim) -> bool:
        """Editors and owners delete any claim. An annotator deletes a claim they wrote only while no one
        else's work hangs on it: no link to another claim, no evidence or comment by someone else."""
        if self.can_edit:
            return True
        if not self.can_change(claim.created_by_id):
            return False
        mine = self.user.pk
        linked = Relation.objects.filter(Q(from_claim=claim) | Q(to_claim=claim)).exists()
        others_evidence = Evidence.objects.filter(claim=claim).exclude(created_by_id=mine).exists()
        others_comments = Comment.objects.filter(claim=claim).exclude(author_id=mine).exists()
        return not (linked or others_evidence or others_comments)

    def can_reattach(self, passage: Passage) -> bool:
        """Editors re-attach any passage their map cites; annotators only one all of whose evidence is theirs.

        A passage can be cited by several people (and maps); moving it moves their evidence too, which an
        annotator may not decide for others.
        """
        if self.can_edit:
            return True
        if not self.can_annotate:
            return False
        authors = set(Evidence.objects.filter(passage=passage).values_list("created_by_id", flat=True))
        return authors == {self.user.pk}

    def can_edit_source_text(self) -> bool:
        """Correct the text of one of the map's sources (for this map: see `changes_shared_text`)."""
        return self.can_edit

    def changes_shared_text(self, source: Source) -> bool:
        """Whether an edit of `source`'s text by this editor changes the source itself, for every map that
        uses it: only when they may edit every one of those maps. Anyone else's edit gives their map its
        own copy of the source (arguments.services.source_text), leaving the other maps untouched."""
        return self.can_edit_source_text() and not self.maps_out_of_reach(source)

    def maps_out_of_reach(self, source: Source) -> set[int]:
        """Ids of the maps using `source` (listing it, or citing its passages) that this user may not edit:
        the maps whose text an edit of theirs must leave alone."""
        using = set(MapSource.objects.filter(source=source).values_list("map_id", flat=True))
        using |= set(Evidence.objects.filter(passage__source=source).values_list("map_id", flat=True))
        if not self.user.is_authenticated:
            return using
        editable = Membership.objects.filter(
            user=self.user, map_id__in=using, role__in=[r for r, need in ROLE_GRANTS.items() if need >= Need.EDIT]
        )
        return using - set(editable.values_list("map_id", flat=True))


def get_map_for(user, slug: str, need: Need = Need.READ) -> MapAccess:
    """The map with this slug if the user may `need` it: 404 when they may not even read it, else 403.

    One query: the viewer's role and the map's newest event id come with the map. The event id is
    where map pages start following live updates (static/js/live.js).
    """
    newest_event = Event.objects.filter(map=OuterRef("pk")).order_by("-id").values("id")[:1]
    maps = ArgumentMap.objects.filter(slug=slug).annotate(last_event_id=Subquery(newest_event))
    if user.is_authenticated:
        role = Membership.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1]
        maps = maps.annotate(viewer_role=Subquery(role))
    argument_map = maps.first()
    if argument_map is None:
        raise Http404("No such map.")
    access = MapAccess(user, argument_map, getattr(argument_map, "viewer_role", None))
    if access.level is None:
        raise Http404("No such map.")
    if not access.allows(need):
        raise PermissionDenied("Your role in this map does not allow this.")
    return access


def readable_sources(user) -> QuerySet[Source]:
    """Sources a user may read in the library: their own uploads and those of maps they can read.

    Named in settings.WARRANT_SOURCE_ACCESS so the `sources` app can use it without importing us.
    """
    if user.is_authenticated and user.is_staff:
        return Source.objects.all()
    rule = Q(pk__in=MapSource.objects.filter(map__in=maps_visible_to(user).values("pk")).values("source_id"))
    if user.is_authenticated:
        rule |= Q(added_by=user)
    return Source.objects.filter(rule)


def editable_sources(user) -> QuerySet[Source]:
    """Sources whose bibliographic data a user may change (importing a bibliography): those in reach of
    their edits, as for a source's text (MapAccess.changes_shared_text) — their own uploads and the
    sources of maps they edit — and used by no map they may not edit. Staff may change any.

    Named in settings.WARRANT_SOURCE_EDIT_ACCESS so the `sources` app can use it without importing us.
    """
    if not user.is_authenticated:
        return Source.objects.none()
    if user.is_staff:
        return Source.objects.all()
    editors = [r for r, need in ROLE_GRANTS.items() if need >= Need.EDIT]
    edited = Membership.objects.filter(user=user, role__in=editors).values("map_id")
    in_reach = Q(added_by=user) | Q(pk__in=MapSource.objects.filter(map_id__in=edited).values("source_id"))
    elsewhere = Q(pk__in=MapSource.objects.exclude(map_id__in=edited).values("source_id")) | Q(
        pk__in=Evidence.objects.exclude(map_id__in=edited).values("passage__source_id")
    )
    return Source.objects.filter(in_reach).exclude(elsewhere)
