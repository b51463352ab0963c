"""Giving a source a new text and carrying its passages over to it (the database side).

The algorithm is `sources.anchoring.placement.reanchor`, a pure function; this module reads a source's passages,
checks every placement against the new text, writes the placements and the new text in one transaction,
keeping the text it replaces (sources/revisions.py), and reports what happened. It writes no events:
sources knows nothing about maps, so the arguments app logs events from the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import F

from .anchoring.placement import ORPHANED, Placement, Selector, reanchor
from .anchoring.quotes import context_for
from .models import AnchorStatus, Passage, Source
from .revisions import keep_revision

_WRITTEN_FIELDS = ["start", "end", "exact", "prefix", "suffix", "anchor_status", "version"]


class AnchoringInvariantError(RuntimeError):
    """A placement would store a quote that is not the text at its offsets. Nothing was written."""


@dataclass(frozen=True, slots=True)
class PassageOutcome:
    passage_id: int
    old_status: str
    new_status: str
    method: str  # "unchanged", "diff", "exact", "fuzzy" or "none" (orphaned)
    updated: bool  # whether the passage's row was rewritten (offsets, quote, context or status changed)


@dataclass(frozen=True)
class ReanchorReport:
    source_id: int
    old_revision: int
    new_revision: int
    text_changed: bool
    counts: dict[str, int]  # passages per new status, every status present
    outcomes: list[PassageOutcome]  # one per passage of the source, by id

    @property
    def orphaned_ids(self) -> list[int]:
        return [o.passage_id for o in self.outcomes if o.new_status == AnchorStatus.ORPHANED]

    @property
    def updated(self) -> list[PassageOutcome]:
        return [o for o in self.outcomes if o.updated]


def reanchor_source(*, source: Source, new_text: str, edited_by=None, restored: int | None = None) -> ReanchorReport:
    """Replace `source.text` by `new_text` (already canonical) and re-anchor its passages, atomically.

    The source row and its passages are locked for the duration (on databases that can). A text equal
    to the current one changes nothing. The text replaced is kept as a SourceRevision, saying who
    replaced it (`edited_by`) and, for a restore, which earlier revision came back (`restored`).
    `source` is refreshed with the saved text and revision.
    """
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        rows = list(
            Passage.objects.select_for_update()
            .filter(source_id=locked.pk)
            .order_by("pk")
            .values_list("pk", "start", "end", "exact", "prefix", "suffix", "anchor_status")
        )
        old_revision = locked.revision
        if new_text == locked.text:
            outcomes = [PassageOutcome(row[0], row[6], row[6], "unchanged", False) for row in rows]
            return _report(locked, old_revision, False, outcomes)

        selectors = [
            Selector(pk, start, end, exact, prefix, suffix) for pk, start, end, exact, prefix, suffix, _ in rows
        ]
        placements = placements_for(locked.text, new_text, selectors)
        outcomes, changed = [], []
        for row, placement in zip(rows, placements, strict=True):
            new_values = (
                placement.start,
                placement.end,
                placement.exact,
                placement.prefix,
                placement.suffix,
                placement.status,
            )
            updated = new_values != tuple(row[1:])
            outcomes.append(PassageOutcome(row[0], row[6], placement.status, placement.method, updated))
            if updated:
                changed.append(
                    Passage(
                        pk=row[0],
                        start=placement.start,
                        end=placement.end,
                        exact=placement.exact,
                        prefix=placement.prefix,
                        suffix=placement.suffix,
                        anchor_status=placement.status,
                        version=F("version") + 1,
                    )
                )
        Passage.objects.bulk_update(changed, _WRITTEN_FIELDS, batch_size=500)

        keep_revision(locked, new_text=new_text, replaced_by=edited_by, restored=restored)
        locked.text = new_text
        locked.revision = F("revision") + 1
        locked.version = F("version") + 1
        locked.save(update_fields=["text", "sha256", "revision", "version", "updated"])
        locked.refresh_from_db(fields=["revision", "version"])

    for name in ("text", "sha256", "revision", "version", "updated"):
        setattr(source, name, getattr(locked, name))
    return _report(locked, old_revision, True, outcomes)


def placements_for(old_text: str, new_text: str, selectors: list[Selector]) -> list[Placement]:
    """Where each passage goes when `old_text` becomes `new_text`, checked, one placed passage per span:
    exactly what reanchor_source stores, so a preview made with it shows what a save will do."""
    placements = reanchor(old_text, new_text, selectors)
    verify_placements(new_text, selectors, placements)
    return _one_passage_per_span(selectors, placements)


def _one_passage_per_span(selectors: list[Selector], placements: list[Placement]) -> list[Placement]:
    """The placements, with any that would land on a span another passage already takes orphaned instead
    (keeping its old offsets and quote, as every orphan does): one placed passage per span.

    Two passages can only meet on one span after an edit that made their words the same; merging them
    would move one's evidence onto the other, a decision for a person, who re-attaches the orphan.
    """
    taken: set[tuple[int, int]] = set()
    kept = []
    for selector, placement in zip(selectors, placements, strict=True):
        if placement.status != ORPHANED:
            span = (placement.start, placement.end)
            if span in taken:
                placement = replace(
                    placement,
                    status=ORPHANED,
                    method="none",
                    start=selector.start,
                    end=selector.end,
                    exact=selector.exact,
                    prefix=selector.prefix,
                    suffix=selector.suffix,
                )
            else:
                taken.add(span)
        kept.append(placement)
    return kept


def verify_placements(text: str, selectors: list[Selector], placements: list[Placement]) -> None:
    """Raise AnchoringInvariantError unless every placement can be stored as it is."""
    if [p.id for p in placements] != [s.id for s in selectors]:
        raise AnchoringInvariantError("Re-anchoring must return one placement per passage, in order.")
    for p in placements:
        if not 0 <= p.start < p.end:
            raise AnchoringInvariantError(f"Passage {p.id}: offsets {p.start}–{p.end} are not a span.")
        if p.status == ORPHANED:
            continue
        if p.end > len(text) or text[p.start : p.end] != p.exact:
            raise AnchoringInvariantError(
                f"Passage {p.id}: the quote {p.exact[:40]!r} is not the text at {p.start}–{p.end} "
                f"({text[p.start : p.end][:40]!r})."
            )
        if (p.prefix, p.suffix) != context_for(text, p.start, p.end):
            raise AnchoringInvariantError(f"Passage {p.id}: its context is not the text around {p.start}–{p.end}.")


def _report(source: Source, old_revision: int, text_changed: bool, outcomes: list[PassageOutcome]) -> ReanchorReport:
    counts = Counter(o.new_status for o in outcomes)
    return ReanchorReport(
        source_id=source.pk,
        old_revision=old_revision,
        new_revision=source.revision,
        text_changed=text_changed,
        counts={status: counts.get(status, 0) for status in AnchorStatus.values},
        outcomes=outcomes,
    )
