"""Who may do what in a map. Every view and the API ask here; nothing else decides access.

Capabilities, from least to most: read < annotate < edit < manage.
- viewer: read
- annotator: read, annotate (add passages, claims, evidence, comments; change their own)
- editor: read, annotate, edit (change anything in the map)
- owner: everything, including managing members and settings and deleting the map
Anonymous visitors and non-members may read public maps only. A private map is invisible to
outsiders: they get 404, so its existence is not revealed. A member whose role is too low gets 403.
"""

from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404

from sources.models import Source

from .models import ArgumentMap, Event, Membership, Role


class Need(IntEnum):
    READ = 1
    ANNOTATE = 2
    EDIT = 3
    MANAGE = 4


ROLE_GRANTS: dict[str, Need] = {
    Role.VIEWER: Need.READ,
    Role.ANNOTATOR: Need.ANNOTATE,
    Role.EDITOR: Need.EDIT,
    Role.OWNER: Need.MANAGE,
}


def role_in(user, argument_map: ArgumentMap) -> str | None:
    """The user's role in the map, or None for anonymous visitors and non-members."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, map=argument_map).values_list("role", flat=True).first()


def granted(role: str | None, argument_map: ArgumentMap) -> Need | None:
    return level_of(role, argument_map.is_public)


def level_of(role: str | None, map_is_public: bool) -> Need | None:
    """What a role (None: no membership) allows in a map that is public or not; None: nothing, not even reading."""
    if role is not None:
        return ROLE_GRANTS[role]
    return Need.READ if map_is_public else None


def can(user, argument_map: ArgumentMap, need: Need, role: str | None = None) -> bool:
    level = granted(role if role is not None else role_in(user, argument_map), argument_map)
    return level is not None and level >= need


class MapAccess:
    """A map as one user sees it: the role they hold and what it lets them do."""

    def __init__(self, user, argument_map: ArgumentMap, role: str | None) -> None:
        self.user = user
        self.map = argument_map
        self.role = role
        self.level = granted(role, argument_map)

    def allows(self, need: Need) -> bool:
        return self.level is not None and self.level >= need

    @property
    def can_annotate(self) -> bool:
        return self.allows(Need.ANNOTATE)

    @property
    def can_edit(self) -> bool:
        return self.allows(Need.EDIT)

    @property
    def can_manage(self) -> bool:
        return self.allows(Need.MANAGE)

    def can_change(self, created_by_id: int | None) -> bool:
        """Annotators change what they wrote themselves; editors and owners change anything."""
        if self.can_edit:
            return True
        return self.can_annotate and created_by_id is not None and created_by_id == self.user.pk


def get_map_for(user, slug: str, need: Need = Need.READ) -> MapAccess:
    """The map with this slug if the user may `need` it: 404 when they may not even read it, else 403."""
    # The newest event id rides along in the same query: map pages hand it to static/js/live.js as
    # the point to follow live updates from, without adding a query to any page.
    newest_event = Event.objects.filter(map=OuterRef("pk")).order_by("-id").values("id")[:1]
    argument_map = ArgumentMap.objects.filter(slug=slug).annotate(last_event_id=Subquery(newest_event)).first()
    if argument_map is None:
        raise Http404("No such map.")
    access = MapAccess(user, argument_map, role_in(user, argument_map))
    if access.level is None:
        raise Http404("No such map.")
    if not access.allows(need):
        raise PermissionDenied("Your role in this map does not allow this.")
    return access


def readable_sources(user):
    """Sources a user may read in the library: their own uploads and those of maps they can read.

    Named in settings.WARRANT_SOURCE_ACCESS so the `sources` app can use it without importing us.
    """
    if user.is_authenticated and user.is_staff:
        return Source.objects.all()
    readable_maps = ArgumentMap.objects.visible_to(user).values("pk")
    rule = Q(maps__in=readable_maps)
    if user.is_authenticated:
        rule |= Q(added_by=user)
    return Source.objects.filter(pk__in=Source.objects.filter(rule).values("pk"))
