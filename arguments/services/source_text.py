"""Changing a source's text, and re-attaching the passages that could not follow the change.

A source can be shared by several maps, and so can its passages. `sources.reanchor` moves the
passages and knows nothing about maps; this module is the arguments side of the same change: it
checks the editor's version, runs the re-anchoring and writes one Event (verb `reanchored`) for every
map that uses the source, all in one transaction, so each map's revision, activity feed and live
updates learn about it. Re-attaching an orphan is logged the same way in every map citing it.

Keyword-only functions, like services.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from arguments.access import maps_visible_to
from arguments.models import ArgumentMap, Evidence, MapSource, Verb
from sources.anchoring import Selector, context_for, reanchor
from sources.models import AnchorStatus, Passage, Source
from sources.normalise import normalise
from sources.reanchor import ReanchorReport, reanchor_source

from .events import EditConflict, record_event

# A generous bound for one document's text (a long book is about a million characters); the form's
# body also has to fit Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
MAX_TEXT_CHARS = 1_000_000
STATUSES = (AnchorStatus.ANCHORED, AnchorStatus.MOVED, AnchorStatus.ORPHANED)


def canonical_text(raw: str) -> str:
    """The edited text as the canonical text it will become, or ValidationError saying what is wrong.

    Typed text marks its paragraphs with blank lines, like HTML or Markdown, so a block without
    closing punctuation (a heading) is never run into the next one.
    """
    if len(raw) > 2 * MAX_TEXT_CHARS:
        raise ValidationError(f"The text is too long: at most {MAX_TEXT_CHARS:,} characters.")
    text = normalise(raw, mend_page_breaks=False)
    if not text.strip():
        raise ValidationError("The text is empty. A source needs some text; nothing was changed.")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(f"The text is too long: {len(text):,} characters, at most {MAX_TEXT_CHARS:,}.")
    return text


# ---------------------------------------------------------------------------------------------- preview


@dataclass
class MapEffect:
    """What a text change does to the passages one map cites."""

    argument_map: ArgumentMap
    visible: bool  # whether the editor may see this map (its title is shown only then)
    counts: dict[str, int] = field(default_factory=dict)
    orphaned: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class TextEditPreview:
    counts: dict[str, int]  # passages of the source per status they would get
    effects: list[MapEffect]  # one per map using the source, this map first
    orphans: list[Passage]  # passages that would be orphaned (old quote), in text order
    moved: list[tuple[Passage, str]]  # passages that would move, with the words they would land on
    unchanged_text: bool

    @property
    def other_maps(self) -> list[MapEffect]:
        return self.effects[1:]


def preview_text_edit(*, source: Source, new_text: str, argument_map: ArgumentMap, user) -> TextEditPreview:
    """Re-anchor in memory only: what saving `new_text` would do, per map, with nothing written."""
    passages = list(
        Passage.objects.filter(source=source)
        .order_by("pk")
        .only("pk", "start", "end", "exact", "prefix", "suffix", "anchor_status", "source_id")
    )
    if new_text == source.text:
        statuses = {p.pk: p.anchor_status for p in passages}
        placements = {}
    else:
        selectors = [Selector(p.pk, p.start, p.end, p.exact, p.prefix, p.suffix) for p in passages]
        placements = {pl.id: pl for pl in reanchor(source.text, new_text, selectors)}
        statuses = {pk: pl.status for pk, pl in placements.items()}
    effects = _effects(source, statuses, argument_map, user)
    orphans = sorted((p for p in passages if statuses[p.pk] == AnchorStatus.ORPHANED), key=lambda p: p.start)
    moved = sorted(
        ((p, placements[p.pk].exact) for p in passages if statuses[p.pk] == AnchorStatus.MOVED and placements),
        key=lambda pair: pair[0].start,
    )
    counts = Counter(statuses.values())
    return TextEditPreview(
        counts={s: counts.get(s, 0) for s in STATUSES},
        effects=effects,
        orphans=orphans,
        moved=moved,
        unchanged_text=new_text == source.text,
    )


def _effects(source: Source, statuses: dict[int, str], argument_map: ArgumentMap, user) -> list[MapEffect]:
    """Per map that uses the source (this one first): its passages' statuses after the change."""
    cited: dict[int, set[int]] = {}
    for map_id, passage_id in (
        Evidence.objects.filter(passage__source=source).values_list("map_id", "passage_id").distinct()
    ):
        cited.setdefault(map_id, set()).add(passage_id)
    map_ids = set(cited) | set(MapSource.objects.filter(source=source).values_list("map_id", flat=True))
    map_ids.add(argument_map.pk)
    maps = ArgumentMap.objects.filter(pk__in=map_ids).only("id", "title", "slug", "visibility")
    visible = set(maps_visible_to(user).filter(pk__in=map_ids).values_list("pk", flat=True))
    effects = []
    for m in sorted(maps, key=lambda m: (m.pk != argument_map.pk, m.title.lower(), m.pk)):
        ids = sorted(cited.get(m.pk, ()))
        counts = Counter(statuses[pid] for pid in ids if pid in statuses)
        effects.append(
            MapEffect(
                argument_map=m,
                visible=m.pk in visible,
                counts={s: counts.get(s, 0) for s in STATUSES},
                orphaned=[pid for pid in ids if statuses.get(pid) == AnchorStatus.ORPHANED],
            )
        )
    return effects


# ------------------------------------------------------------------------------------------------- save


@dataclass
class TextEdit:
    report: ReanchorReport
    events: int  # how many maps were told


def edit_source_text(*, source: Source, actor, text: str, expected_version: int) -> TextEdit:
    """Give the source `text` (already canonical), re-anchor every passage, and log it in every map.

    Refused with EditConflict when the source changed since `expected_version` was read. One
    transaction: the text, every passage's new place and every map's Event are written together.
    """
    with transaction.atomic():
        current = Source.objects.select_for_update().only("pk", "version", "revision").get(pk=source.pk)
        if current.version != expected_version:
            raise EditConflict(current)
        report = reanchor_source(source=source, new_text=text)
        if not report.text_changed:
            return TextEdit(report, 0)
        statuses = {o.passage_id: o.new_status for o in report.outcomes}
        told = 0
        map_sources = {ms.map_id: ms for ms in MapSource.objects.filter(source=source).select_related("map")}
        cited: dict[int, set[int]] = {}
        for map_id, passage_id in (
            Evidence.objects.filter(passage__source=source).values_list("map_id", "passage_id").distinct()
        ):
            cited.setdefault(map_id, set()).add(passage_id)
        extra = ArgumentMap.objects.filter(pk__in=set(cited) - set(map_sources))
        maps = [ms.map for ms in map_sources.values()] + list(extra)
        for argument_map in sorted(maps, key=lambda m: m.pk):
            ids = sorted(cited.get(argument_map.pk, ()))
            counts = Counter(statuses[pid] for pid in ids)
            record_event(
                argument_map=argument_map,
                actor=actor,
                verb=Verb.REANCHORED,
                obj=map_sources.get(argument_map.pk, source),
                payload={
                    "source": source.short_citation,
                    "source_title": source.title,
                    "source_slug": source.slug,
                    "revision": report.new_revision,
                    "passages": len(ids),
                    "counts": {s: counts.get(s, 0) for s in STATUSES},
                    "orphaned_passages": [pid for pid in ids if statuses[pid] == AnchorStatus.ORPHANED],
                },
            )
            told += 1
    return TextEdit(report, told)


# ------------------------------------------------------------------------------------------- re-attach


def reattach_passage(*, passage: Passage, actor, start: int, end: int, exact: str, expected_version: int) -> Passage:
    """Place an orphaned passage on `exact` at code points start–end of its source's current text.

    Refused with EditConflict when the passage changed since `expected_version` was read, and with
    ValidationError when it is no longer orphaned or the words are no longer there (the text was edited
    meanwhile). Logged once in every map whose evidence cites the passage.
    """
    with transaction.atomic():
        # Source first, then passage: the order reanchor_source locks them in, so the two never deadlock.
        source = Source.objects.select_for_update().only("pk", "text", "title", "slug", "authors", "published")
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
                    "source": source.short_citation,
                    "source_slug": source.slug,
                    "quote": exact[:200],
                    "previous_quote": previous[:200],
                    "reattached": True,
                },
            )
    return current
