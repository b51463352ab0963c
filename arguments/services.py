"""Every change to a map goes through here: one transaction, one Event, one bump of the map's revision.

Views and commands call these keyword-only functions; they never write models directly, so the
activity log, the audit trail and live updates can rely on the Event table being complete.
"""

import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from sources.models import Passage, Source

from . import live
from .models import (
    ArgumentMap,
    Claim,
    ClaimKind,
    Comment,
    Event,
    Evidence,
    Invitation,
    MapSource,
    Membership,
    Relation,
    Role,
    Verb,
    Visibility,
)

logger = logging.getLogger(__name__)


class EditConflict(Exception):
    """Someone else changed the object since the editor loaded it."""

    def __init__(self, current) -> None:
        self.current = current
        super().__init__("This was changed by someone else while you were editing it.")


def record_event(*, argument_map: ArgumentMap, actor, verb: str, obj, payload: dict | None = None) -> Event:
    """Append to the map's log and bump its revision; call inside the change's transaction."""
    ArgumentMap.objects.filter(pk=argument_map.pk).update(revision=F("revision") + 1)
    event = Event.objects.create(
        map=argument_map,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        object_type=type(obj).__name__.lower(),
        object_id=obj.pk,
        payload=payload or {},
    )
    live.announce(event)
    return event


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
def add_member(*, argument_map: ArgumentMap, user, role: str, actor) -> Membership:
    membership, _ = Membership.objects.update_or_create(map=argument_map, user=user, defaults={"role": role})
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.JOINED,
        obj=membership,
        payload={"user": user.get_username(), "role": role},
    )
    return membership


@transaction.atomic
def add_source(*, argument_map: ArgumentMap, source: Source, actor) -> MapSource:
    position = MapSource.objects.filter(map=argument_map).count()
    map_source = MapSource.objects.create(map=argument_map, source=source, position=position)
    record_event(
        argument_map=argument_map, actor=actor, verb=Verb.LINKED, obj=map_source, payload={"source": source.title}
    )
    return map_source


@transaction.atomic
def create_claim(*, argument_map: ArgumentMap, actor, text: str, kind: str = ClaimKind.CLAIM) -> Claim:
    claim = Claim(map=argument_map, kind=kind, text=text.strip(), created_by=actor)
    claim.full_clean(exclude=["map", "created_by"])
    claim.save()
    record_event(argument_map=argument_map, actor=actor, verb=Verb.CREATED, obj=claim, payload={"text": claim.text})
    return claim


@transaction.atomic
def update_claim(*, claim: Claim, actor, text: str, kind: str, expected_version: int) -> Claim:
    """Change a claim's text and kind, refusing if it changed since `expected_version` was read."""
    updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
        text=text.strip(), kind=kind, version=F("version") + 1
    )
    current = Claim.objects.get(pk=claim.pk)
    if not updated:
        raise EditConflict(current)
    record_event(
        argument_map=claim.map,
        actor=actor,
        verb=Verb.UPDATED,
        obj=current,
        payload={"text": current.text, "previous_text": claim.text, "kind": kind},
    )
    return current


@transaction.atomic
def create_relation(
    *, argument_map: ArgumentMap, actor, from_claim: Claim, to_claim: Claim, kind: str, scheme: str = ""
) -> Relation:
    relation = Relation(
        map=argument_map, from_claim=from_claim, to_claim=to_claim, kind=kind, scheme=scheme, created_by=actor
    )
    relation.full_clean(exclude=["map", "from_claim", "to_claim", "created_by"], validate_constraints=False)
    relation.save()
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.LINKED,
        obj=relation,
        payload={"from": from_claim.pk, "to": to_claim.pk, "kind": kind, "from_text": from_claim.text},
    )
    return relation


@transaction.atomic
def add_evidence(
    *, argument_map: ArgumentMap, actor, source: Source, start: int, end: int, claim: Claim, stance: str, note: str = ""
) -> Evidence:
    """Quote source.text[start:end] as evidence for a claim, reusing the passage if the span exists."""
    passage = Passage.objects.filter(source=source, start=start, end=end).first()
    if passage is None:
        passage = Passage.from_span(source, start, end, created_by=actor)
        passage.save()
    evidence = Evidence(map=argument_map, passage=passage, claim=claim, stance=stance, note=note, created_by=actor)
    evidence.full_clean(exclude=["map", "passage", "claim", "created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError as error:
        raise ValueError("This passage is already linked to that claim.") from error
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.LINKED,
        obj=evidence,
        payload={"claim": claim.pk, "stance": stance, "quote": passage.exact[:200], "source": source.short_citation},
    )
    return evidence


@transaction.atomic
def add_comment(*, claim: Claim, actor, body: str, parent: Comment | None = None) -> Comment:
    comment = Comment.objects.create(claim=claim, author=actor, body=body.strip(), parent=parent)
    record_event(argument_map=claim.map, actor=actor, verb=Verb.CREATED, obj=comment, payload={"claim": claim.pk})
    return comment


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
) -> ArgumentMap:
    updated = ArgumentMap.objects.filter(pk=argument_map.pk, version=expected_version).update(
        title=title, question=question, description=description, visibility=visibility, version=F("version") + 1
    )
    current = ArgumentMap.objects.get(pk=argument_map.pk)
    if not updated:
        raise EditConflict(current)
    changed = {
        name: getattr(current, name)
        for name in ("title", "question", "description", "visibility")
        if getattr(current, name) != getattr(argument_map, name)
    }
    record_event(argument_map=current, actor=actor, verb=Verb.UPDATED, obj=current, payload=changed)
    return current


@transaction.atomic
def add_response(*, argument_map: ArgumentMap, actor, parent: Claim, text: str, kind: str) -> tuple[Claim, Relation]:
    """A new claim that supports or opposes `parent`: both rows and both events, or nothing."""
    claim = create_claim(argument_map=argument_map, actor=actor, text=text)
    relation = create_relation(argument_map=argument_map, actor=actor, from_claim=claim, to_claim=parent, kind=kind)
    return claim, relation


@transaction.atomic
def update_relation(*, relation: Relation, actor, kind: str, to_claim: Claim, expected_version: int) -> Relation:
    """Re-link: change what a claim bears on and how, refusing edits from an old version."""
    if to_claim.pk == relation.from_claim_id:
        raise ValidationError("A claim cannot support or oppose itself.")
    try:
        with transaction.atomic():
            updated = Relation.objects.filter(pk=relation.pk, version=expected_version).update(
                kind=kind, to_claim=to_claim, version=F("version") + 1
            )
    except IntegrityError as error:
        raise ValidationError("These two claims are already linked.") from error
    current = Relation.objects.select_related("from_claim").get(pk=relation.pk)
    if not updated:
        raise EditConflict(current)
    record_event(
        argument_map=relation.map,
        actor=actor,
        verb=Verb.UPDATED,
        obj=current,
        payload={
            "from": current.from_claim_id,
            "to": to_claim.pk,
            "kind": kind,
            "from_text": current.from_claim.text,
            "previous_to": relation.to_claim_id,
            "previous_kind": relation.kind,
        },
    )
    return current


@transaction.atomic
def delete_relation(*, relation: Relation, actor) -> None:
    payload = {
        "from": relation.from_claim_id,
        "to": relation.to_claim_id,
        "kind": relation.kind,
        "from_text": relation.from_claim.text,
    }
    record_event(argument_map=relation.map, actor=actor, verb=Verb.UNLINKED, obj=relation, payload=payload)
    relation.delete()


def claim_dependents(claim: Claim) -> dict[str, int]:
    """What deleting a claim takes with it: the confirmation page shows these counts."""
    return {
        "relations": Relation.objects.filter(map_id=claim.map_id)
        .filter(models.Q(from_claim_id=claim.pk) | models.Q(to_claim_id=claim.pk))
        .count(),
        "evidence": Evidence.objects.filter(claim_id=claim.pk).count(),
        "comments": Comment.objects.filter(claim_id=claim.pk).count(),
    }


@transaction.atomic
def delete_claim(*, claim: Claim, actor, expected_version: int | None = None) -> dict[str, int]:
    """Delete a claim with its relations, evidence and comments; passages no longer quoted go too.

    Returns what was removed. With `expected_version`, a claim changed meanwhile is not deleted.
    """
    current = Claim.objects.select_for_update().filter(pk=claim.pk).first()
    if current is None:
        raise Claim.DoesNotExist("This claim has already been deleted.")
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(current)
    removed = claim_dependents(current)
    passage_ids = set(Evidence.objects.filter(claim_id=current.pk).values_list("passage_id", flat=True))
    record_event(
        argument_map=current.map,
        actor=actor,
        verb=Verb.DELETED,
        obj=current,
        payload={"text": current.text, "kind": current.kind, **removed},
    )
    current.delete()
    # A passage exists to be quoted; one left without evidence anywhere is removed with its last quote.
    Passage.objects.filter(pk__in=passage_ids, evidence__isnull=True).delete()
    return removed


# ---- members and invitations --------------------------------------------------------------------

ROLE_RANK = {Role.VIEWER: 1, Role.ANNOTATOR: 2, Role.EDITOR: 3, Role.OWNER: 4}


class MembershipError(Exception):
    """A change to the members that would leave the map in a bad state; the message says why."""


@transaction.atomic
def change_role(*, membership: Membership, role: str, actor) -> Membership:
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(membership)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        argument_map=membership.map,
        actor=actor,
        verb=Verb.UPDATED,
        obj=membership,
        payload={"user": membership.user.get_username(), "role": role, "previous_role": previous},
    )
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor) -> None:
    """Remove someone (or, with actor == the member, leave). The last owner cannot go."""
    if membership.role == Role.OWNER:
        _keep_an_owner(membership)
    record_event(
        argument_map=membership.map,
        actor=actor,
        verb=Verb.LEFT,
        obj=membership,
        payload={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()


def _keep_an_owner(membership: Membership) -> None:
    others = Membership.objects.filter(map=membership.map_id, role=Role.OWNER).exclude(pk=membership.pk)
    if not others.select_for_update().exists():
        raise MembershipError("A map needs an owner: make someone else an owner first.")


@transaction.atomic
def create_invitation(*, argument_map: ArgumentMap, role: str, actor, email: str = "", expires_at=None):
    invitation = Invitation.objects.create(
        map=argument_map,
        token=secrets.token_urlsafe(24),
        role=role,
        email=email,
        created_by=actor,
        expires_at=expires_at,
    )
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.CREATED,
        obj=invitation,
        payload={"role": role, "email": email, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation, actor) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(argument_map=invitation.map, actor=actor, verb=Verb.DELETED, obj=invitation, payload={})


@transaction.atomic
def accept_invitation(*, invitation, user) -> Membership:
    """Join with the invitation's role; someone already holding a higher role keeps it."""
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.state != "active":
        raise MembershipError(f"This invitation has been {current.state}.")
    Invitation.objects.filter(pk=current.pk).update(uses=F("uses") + 1)
    existing = Membership.objects.filter(map=current.map, user=user).first()
    if existing and ROLE_RANK[existing.role] >= ROLE_RANK[current.role]:
        return existing
    return add_member(argument_map=current.map, user=user, role=current.role, actor=user)


@transaction.atomic
def update_evidence(*, evidence: Evidence, actor, stance: str, note: str, expected_version: int) -> Evidence:
    """Change an annotation's stance and note, refusing if it changed since `expected_version`."""
    note = note.strip()
    updated = Evidence.objects.filter(pk=evidence.pk, version=expected_version).update(
        stance=stance, note=note, version=F("version") + 1
    )
    current = Evidence.objects.filter(pk=evidence.pk).first()
    if not updated:
        raise EditConflict(current)
    record_event(
        argument_map=evidence.map,
        actor=actor,
        verb=Verb.UPDATED,
        obj=current,
        payload={"claim": current.claim_id, "stance": stance, "previous_stance": evidence.stance, "note": note},
    )
    return current


@transaction.atomic
def delete_evidence(*, evidence: Evidence, actor) -> bool:
    """Remove an annotation, and its passage once nothing refers to it; False if it was already gone."""
    # Locking the passage serialises deletions on it, so the last one out sees it is the last.
    passage = Passage.objects.select_for_update().filter(pk=evidence.passage_id).first()
    deleted, _ = Evidence.objects.filter(pk=evidence.pk).delete()
    if not deleted:
        return False
    if passage is not None and not Evidence.objects.filter(passage_id=passage.pk).exists():
        passage.delete()
    record_event(
        argument_map=evidence.map,
        actor=actor,
        verb=Verb.UNLINKED,
        obj=evidence,
        payload={
            "claim": evidence.claim_id,
            "stance": evidence.stance,
            "quote": passage.exact[:200] if passage else "",
            "passage_deleted": passage is not None and passage.pk is None,
        },
    )
    return True


# ---- removing a source from a map, deleting a map ------------------------------------------------


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
