"""What a map is made of: claims, the relations between them, the evidence quoting sources for them,
and the discussion on them. Each change is one transaction with its Event."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F

from arguments.models import ArgumentMap, Claim, ClaimKind, Comment, Evidence, Relation, Verb
from sources.models import Passage, Source

from .events import EditConflict, record_event


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
def add_response(*, argument_map: ArgumentMap, actor, parent: Claim, text: str, kind: str) -> tuple[Claim, Relation]:
    """A new claim that supports or opposes `parent`: both rows and both events, or nothing."""
    claim = create_claim(argument_map=argument_map, actor=actor, text=text)
    relation = create_relation(argument_map=argument_map, actor=actor, from_claim=claim, to_claim=parent, kind=kind)
    return claim, relation


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


# update_relation leaves a link's weight alone unless it is given (None clears it).
KEEP_WEIGHT = object()


@transaction.atomic
def update_relation(
    *, relation: Relation, actor, kind: str, to_claim: Claim, expected_version: int, weight=KEEP_WEIGHT
) -> Relation:
    """Re-link: change what a claim bears on, how, and how much it counts, refusing edits from an old version."""
    changes = {"kind": kind, "to_claim": to_claim}
    if weight is not KEEP_WEIGHT:
        if weight is not None and not 0 <= weight <= 1:
            raise ValidationError("A link's weight lies between 0 and 1.")
        changes["weight"] = weight
    if to_claim.pk == relation.from_claim_id:
        raise ValidationError("A claim cannot support or oppose itself.")
    try:
        with transaction.atomic():
            updated = Relation.objects.filter(pk=relation.pk, version=expected_version).update(
                **changes, version=F("version") + 1
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
            "weight": current.weight,
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


@transaction.atomic
def add_evidence(
    *, argument_map: ArgumentMap, actor, source: Source, start: int, end: int, claim: Claim, stance: str, note: str = ""
) -> Evidence:
    """Quote source.text[start:end] as evidence for a claim, reusing the passage if the span exists.

    Idempotent: when the passage already serves the claim, that evidence comes back unchanged, with
    `already_linked` set, and nothing is written. The database's unique constraints decide between
    people quoting the same words for the same claim at the same moment: one row each, whoever wins.
    """
    passage = _placed_passage(source, start, end, actor)
    evidence = Evidence(map=argument_map, passage=passage, claim=claim, stance=stance, note=note, created_by=actor)
    evidence.full_clean(exclude=["map", "passage", "claim", "created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:
        existing = Evidence.objects.get(passage=passage, claim=claim)
        existing.already_linked = True
        return existing
    evidence.already_linked = False
    record_event(
        argument_map=argument_map,
        actor=actor,
        verb=Verb.LINKED,
        obj=evidence,
        payload={
            "claim": claim.pk,
            "stance": stance,
            "quote": passage.exact[:200],
            "source": argument_map.cite(source).short,
        },
    )
    return evidence


def _placed_passage(source: Source, start: int, end: int, actor) -> Passage:
    """The placed passage over source.text[start:end], made if there is none (one per span: see Passage)."""
    placed = Passage.objects.placed().filter(source=source, start=start, end=end)
    passage = placed.first()
    if passage is not None:
        return passage
    passage = Passage.from_span(source, start, end, created_by=actor)
    try:
        with transaction.atomic():
            passage.save()
    except IntegrityError:  # someone else made it meanwhile
        return placed.get()
    return passage


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


@transaction.atomic
def add_comment(*, claim: Claim, actor, body: str, parent: Comment | None = None) -> Comment:
    comment = Comment.objects.create(claim=claim, author=actor, body=body.strip(), parent=parent)
    record_event(argument_map=claim.map, actor=actor, verb=Verb.CREATED, obj=comment, payload={"claim": claim.pk})
    return comment
