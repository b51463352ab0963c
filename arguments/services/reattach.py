"""Re-attaching an orphaned passage: pointing it at new words of its source's current text, its claims
and stances kept, logged in every map whose evidence cites it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from arguments.models import ArgumentMap, Evidence, Verb
from sources.anchoring import context_for
from sources.models import CITATION_FIELDS, AnchorStatus, Passage, Source

from .events import EditConflict, record_event


def reattach_passage(*, passage: Passage, actor, start: int, end: int, exact: str, expected_version: int) -> Passage:
    """Place an orphaned passage on `exact` at code points start–end of its source's current text.

    Refused with EditConflict when the passage changed since `expected_version` was read, and with
    ValidationError when it is no longer orphaned or the words are no longer there (the text was edited
    meanwhile). Logged once in every map whose evidence cites the passage.
    """
    with transaction.atomic():
        # Source first, then passage: the order reanchor_source locks them in, so the two never deadlock.
        source = Source.objects.select_for_update().only("pk", "text", *CITATION_FIELDS)
        source = source.get(pk=passage.source_id)
        current = Passage.objects.select_for_update().get(pk=passage.pk)
        if current.version != expected_version:
            raise EditConflict(current)
        if current.anchor_status != AnchorStatus.ORPHANED:
            raise ValidationError("This passage is not orphaned: it is already placed in the text.")
        if not (0 <= start < end <= len(source.text)) or source.text[start:end] != exact:
            raise ValidationError(
                "The text of the source changed meanwhile. Reload the page and select the words again."
            )
        if Passage.objects.placed().filter(source=source, start=start, end=end).exists():
            # One placed passage per span (sources.models.Passage): moving this one there would merge two.
            raise ValidationError(
                "These exact words are already a passage of their own. Select a word more or less, or ask "
                "an editor to link the claims to that passage instead."
            )
        previous = current.exact
        prefix, suffix = context_for(source.text, start, end)
        updated = Passage.objects.filter(pk=current.pk, version=expected_version).update(
            start=start,
            end=end,
            exact=exact,
            prefix=prefix,
            suffix=suffix,
            anchor_status=AnchorStatus.ANCHORED,
            version=F("version") + 1,
        )
        if not updated:  # pragma: no cover - the row lock above makes this unreachable
            raise EditConflict(current)
        current.refresh_from_db()
        current.source = source
        current.check_invariant()
        map_ids = Evidence.objects.filter(passage=current).values_list("map_id", flat=True).distinct()
        for argument_map in ArgumentMap.objects.filter(pk__in=map_ids).order_by("pk"):
            record_event(
                argument_map=argument_map,
                actor=actor,
                verb=Verb.REANCHORED,
                obj=current,
                payload={
                    "source": argument_map.cite(source).short,
                    "source_slug": source.slug,
                    "quote": exact[:200],
                    "previous_quote": previous[:200],
                    "reattached": True,
                },
            )
    return current
