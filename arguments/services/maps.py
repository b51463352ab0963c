"""Maps as wholes: creating one, its settings, the sources it reads, and deleting it."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.text import slugify

from arguments.models import (
    ArgumentMap,
    Claim,
    Comment,
    Event,
    Evidence,
    MapSource,
    Membership,
    Relation,
    Role,
    Verb,
    Visibility,
)
from sources.models import Passage, Source

from .events import EditConflict, record_event

logger = logging.getLogger(__name__)


def unique_map_slug(title: str) -> str:
    base = slugify(title)[:70] or "map"
    slug, n = base, 2
    while ArgumentMap.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_map(
    *, owner, title: str, question: str, description: str = "", visibility: str = Visibility.PRIVATE, slug: str = ""
) -> ArgumentMap:
    argument_map = ArgumentMap.objects.create(
        title=title,
        slug=slug or unique_map_slug(title),
        question=question,
        description=description,
        visibility=visibility,
        created_by=owner,
    )
    Membership.objects.create(map=argument_map, user=owner, role=Role.OWNER)
    record_event(argument_map=argument_map, actor=owner, verb=Verb.CREATED, obj=argument_map, payload={"title": title})
    return argument_map


@transaction.atomic
def update_map(
    *,
    argument_map: ArgumentMap,
    actor,
    title: str,
    question: str,
    description: str,
    visibility: str,
    expected_version: int,
    citation_style: str | None = None,
) -> ArgumentMap:
    fields = {"title": title, "question": question, "description": description, "visibility": visibility}
    if citation_style is not None:  # callers that do not offer the style leave it as it is
        fields["citation_style"] = citation_style
    updated = ArgumentMap.objects.filter(pk=argument_map.pk, version=expected_version).update(
        **fields, version=F("version") + 1
    )
    current = ArgumentMap.objects.get(pk=argument_map.pk)
    if not updated:
        raise EditConflict(current)
    changed = {
        name: getattr(current, name)
        for name in ("title", "question", "description", "visibility", "citation_style")
        if getattr(current, name) != getattr(argument_map, name)
    }
    record_event(argument_map=current, actor=actor, verb=Verb.UPDATED, obj=current, payload=changed)
    return current


@transaction.atomic
def add_source(*, argument_map: ArgumentMap, source: Source, actor) -> MapSource:
    position = MapSource.objects.filter(map=argument_map).count()
    map_source = MapSource.objects.create(map=argument_map, source=source, position=position)
    record_event(
        argument_map=argument_map, actor=actor, verb=Verb.LINKED, obj=map_source, payload={"source": source.title}
    )
    return map_source


def source_dependents(*, argument_map: ArgumentMap, source: Source) -> dict[str, int]:
    """What taking `source` out of the map takes with it: the confirmation page shows these counts."""
    evidence = Evidence.objects.filter(map=argument_map, passage__source=source)
    return {"evidence": evidence.count(), "claims": evidence.values("claim_id").distinct().count()}


@transaction.atomic
def remove_source(*, argument_map: ArgumentMap, source: Source, actor) -> dict[str, int]:
    """Take a document out of a map with the evidence quoting it; it stays in the library.

    Passages left without any evidence (in this map or another) go too, as with deleted claims.
    """
    map_source = MapSource.objects.select_for_update().filter(map=argument_map, source=source).first()
    if map_source is None:
        raise MapSource.DoesNotExist("This document is no longer in the map.")
    evidence = Evidence.objects.filter(map=argument_map, passage__source=source)
    passage_ids = set(evidence.values_list("passage_id", flat=True))
    removed = source_dependents(argument_map=argument_map, source=source)
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.UNLINKED,
        obj=map_source,
        payload={"source": source.title, **removed},
    )
    evidence.delete()
    map_source.delete()
    removed["passages"], _ = Passage.objects.filter(pk__in=passage_ids, evidence__isnull=True).delete()
    return removed


def map_dependents(argument_map: ArgumentMap) -> dict[str, int]:
    """Everything a map deletion removes, counted for the confirmation page."""
    return {
        "claims": Claim.objects.filter(map=argument_map).count(),
        "relations": Relation.objects.filter(map=argument_map).count(),
        "evidence": Evidence.objects.filter(map=argument_map).count(),
        "comments": Comment.objects.filter(claim__map=argument_map).count(),
        "sources": MapSource.objects.filter(map=argument_map).count(),
        "members": Membership.objects.filter(map=argument_map).count(),
        "events": Event.objects.filter(map=argument_map).count(),
    }


@transaction.atomic
def delete_map(*, argument_map: ArgumentMap, actor, confirm_title: str) -> dict[str, int]:
    """Delete a map and everything in it; its sources stay in the library.

    `confirm_title` must repeat the map's title, so no stray request deletes a map. The map's
    events go with it (they belong to the map), so the deletion is recorded in the server log too.
    """
    current = ArgumentMap.objects.select_for_update().filter(pk=argument_map.pk).first()
    if current is None:
        raise ArgumentMap.DoesNotExist("This map has already been deleted.")
    if confirm_title.strip() != current.title.strip():
        raise ValidationError("Type the map's title exactly as shown to confirm.")
    removed = map_dependents(current)
    passage_ids = set(Evidence.objects.filter(map=current).values_list("passage_id", flat=True))
    # Recorded so that live pages open on the map learn of it; the row goes with the map below.
    record_event(argument_map=current, actor=actor, verb=Verb.DELETED, obj=current, payload={"title": current.title})
    logger.warning(
        "Map %s (%r) deleted by %s: %s", current.slug, current.title, getattr(actor, "username", actor), removed
    )
    current.delete()
    Passage.objects.filter(pk__in=passage_ids, evidence__isnull=True).delete()
    return removed


def source_metadata_changed(sender, instance: Source, created: bool, update_fields=None, **kwargs) -> None:
    """A source's bibliographic data changed outside any map (an imported bibliography, sources/bibliography.py):
    the maps citing it get a new revision, so that the pages they keep per revision cite it anew.

    Only saves that name their fields and leave the text alone: a text edit records its own events."""
    if created or not update_fields or "text" in update_fields:
        return
    using = MapSource.objects.filter(source=instance).values("map_id")
    citing = Evidence.objects.filter(passage__source=instance).values("map_id")
    ArgumentMap.objects.filter(Q(pk__in=using) | Q(pk__in=citing)).update(revision=F("revision") + 1)
