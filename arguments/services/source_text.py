"""Changing a source's text (or restoring an earlier one), and re-attaching the passages that could not
follow the change.

A source can be shared by several maps, and so can its passages. Its text changes in place, for every
map, only when the editor may edit every one of those maps (`MapAccess.changes_shared_text`). Anyone
else's edit gives their map its own copy of the source: a new Source with the same metadata, the
original upload and the new text, which the map's MapSource then names; the passages this map cites
go with it (moved when only this map cites them, duplicated when another map cites them too) and are
re-anchored there. Every other map keeps the source, its passages and its text exactly as they were.

`sources.reanchor` moves the passages (and keeps the replaced text as a revision) and knows nothing
about maps; this module is the arguments side of the same change: it checks the editor's version,
decides between in place and a copy, runs the re-anchoring and writes one Event (verb `reanchored`)
for every map whose text changed, all in one transaction, so each map's revision, activity feed and
live updates learn about it. Re-attaching an orphan is logged the same way in every map citing it.

Keyword-only functions, like services.py.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from arguments.access import MapAccess, maps_visible_to
from arguments.models import ArgumentMap, Event, Evidence, MapSource, Verb
from sources.anchoring import Selector
from sources.models import AnchorStatus, Passage, Source, SourceRevision
from sources.normalise import normalise
from sources.reanchor import ReanchorReport, placements_for, reanchor_source

from .events import EditConflict, record_event

# A generous bound for one document's text (a long book is about a million characters); the form's
# body also has to fit Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
MAX_TEXT_CHARS = 1_000_000
STATUSES = (AnchorStatus.ANCHORED, AnchorStatus.MOVED, AnchorStatus.ORPHANED)
# What a copy takes over from the source it copies; it gets a slug, a revision count, a version and
# times of its own, and is added by the editor who made it (so only they, not the original's
# uploader, find it in their library).
_NOT_COPIED = frozenset({"id", "slug", "sha256", "revision", "version", "created", "updated", "added_by"})


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


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def revision_text(*, source: Source, revision: int) -> str | None:
    """The text `source` had at `revision` (its current text for the current revision); None if not kept."""
    if revision == source.revision:
        return source.text
    return SourceRevision.objects.filter(source=source, revision=revision).values_list("text", flat=True).first()


def copy_in_map(*, argument_map: ArgumentMap, slug: str) -> Source | None:
    """The map's own copy of the source called `slug`, which the map used until an edit copied it (the
    Event of that edit names both); None if the map never copied such a source, or no longer uses it."""
    for _ in range(5):  # a copy can itself be copied, if another map took it up meanwhile
        event = (
            Event.objects.filter(map=argument_map, verb=Verb.REANCHORED, payload__copied_from=slug)
            .order_by("-id")
            .values_list("payload__source_slug", flat=True)
            .first()
        )
        if event is None:
            return None
        slug = event
        copy = Source.objects.defer("original").filter(slug=slug, map_sources__map=argument_map).first()
        if copy is not None:
            return copy
    return None


# ---------------------------------------------------------------------------------------------- preview


@dataclass
class MapEffect:
    """What a text change does to the passages one map cites."""

    argument_map: ArgumentMap
    counts: dict[str, int] = field(default_factory=dict)
    orphaned: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class HiddenEffect:
    """What a text change does to maps the editor may not read: only how many, and how many passages.

    An edit in place needs the right to edit, hence to read, every map it changes, so under the current
    policy this stays empty; it is kept so that no change of that policy can make the preview name or
    quote a map its editor may not read.
    """

    maps: int = 0
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class TextEditPreview:
    counts: dict[str, int]  # passages shown (cited by maps the editor may read) per status they would get
    effects: list[MapEffect]  # this map first, then every other map changed that the editor may read
    hidden: HiddenEffect  # the maps changed that the editor may not read, counted only
    orphans: list[Passage]  # shown passages that would be orphaned (old quote), in text order
    moved: list[tuple[Passage, str]]  # shown passages that would move, with the words they would land on
    unchanged_text: bool
    copy: bool  # whether saving gives this map its own copy of the source, leaving the others alone
    out_of_reach: int  # maps using the source that the editor may not edit (they keep the current text)

    @property
    def other_maps(self) -> list[MapEffect]:
        return self.effects[1:]


def preview_text_edit(*, access: MapAccess, source: Source, new_text: str) -> TextEditPreview:
    """Re-anchor in memory only: what saving `new_text` would do, per map, with nothing written.

    Only maps the editor may read are named, and only their passages are quoted; other maps appear as
    counts. When the edit would give this map its own copy, only this map's passages are affected.
    """
    out_of_reach = access.maps_out_of_reach(source)
    copy = bool(out_of_reach)
    passages = Passage.objects.filter(source=source)
    if copy:
        passages = passages.filter(pk__in=Evidence.objects.filter(map=access.map).values("passage_id"))
    passages = list(
        passages.order_by("pk").only("pk", "start", "end", "exact", "prefix", "suffix", "anchor_status", "source_id")
    )
    unchanged = new_text == source.text
    if unchanged:
        statuses = {p.pk: p.anchor_status for p in passages}
        placements = {}
    else:
        selectors = [Selector(p.pk, p.start, p.end, p.exact, p.prefix, p.suffix) for p in passages]
        placements = {pl.id: pl for pl in placements_for(source.text, new_text, selectors)}
        statuses = {pk: pl.status for pk, pl in placements.items()}
    effects, hidden, shown = _effects(source, statuses, access, copy=copy)
    passages = [p for p in passages if p.pk in shown]
    orphans = sorted((p for p in passages if statuses[p.pk] == AnchorStatus.ORPHANED), key=lambda p: p.start)
    moved = sorted(
        ((p, placements[p.pk].exact) for p in passages if statuses[p.pk] == AnchorStatus.MOVED and placements),
        key=lambda pair: pair[0].start,
    )
    return TextEditPreview(
        counts=_count(statuses[p.pk] for p in passages),
        effects=effects,
        hidden=hidden,
        orphans=orphans,
        moved=moved,
        unchanged_text=unchanged,
        copy=copy,
        out_of_reach=len(out_of_reach),
    )


def _effects(
    source: Source, statuses: dict[int, str], access: MapAccess, *, copy: bool
) -> tuple[list[MapEffect], HiddenEffect, set[int]]:
    """Per map the change reaches (this one first): its passages' statuses after the change, for the maps
    the editor may read; the others summed up; and the ids of the passages that may be shown."""
    this = access.map
    if copy:
        cited = _cited_by_map(source, only=this)
        map_ids = {this.pk}
    else:
        cited = _cited_by_map(source)
        map_ids = set(cited) | set(MapSource.objects.filter(source=source).values_list("map_id", flat=True))
        map_ids.add(this.pk)
    visible = set(maps_visible_to(access.user).filter(pk__in=map_ids).values_list("pk", flat=True)) | {this.pk}
    maps = ArgumentMap.objects.filter(pk__in=visible).only("id", "title", "slug", "visibility")
    effects, shown = [], set()
    for m in sorted(maps, key=lambda m: (m.pk != this.pk, m.title.lower(), m.pk)):
        ids = sorted(cited.get(m.pk, ()))
        shown.update(ids)
        effects.append(
            MapEffect(
                argument_map=m,
                counts=_count(statuses[pid] for pid in ids),
                orphaned=[pid for pid in ids if statuses[pid] == AnchorStatus.ORPHANED],
            )
        )
    hidden_ids = map_ids - visible
    hidden_passages = set().union(*(cited.get(map_id, set()) for map_id in hidden_ids))
    hidden = HiddenEffect(maps=len(hidden_ids), counts=_count(statuses[pid] for pid in hidden_passages))
    return effects, hidden, shown


def _count(statuses) -> dict[str, int]:
    counts = Counter(statuses)
    return {s: counts.get(s, 0) for s in STATUSES}


# ------------------------------------------------------------------------------------------------- save


@dataclass
class TextEdit:
    report: ReanchorReport
    events: int  # how many maps were told
    source: Source  # the source that now has the text: the one edited, or this map's new copy
    copied_from: Source | None = None  # the source copied, when the edit gave this map its own copy
    out_of_reach: int = 0  # maps using the copied source that the editor could not edit


def edit_source_text(
    *, access: MapAccess, source: Source, text: str, expected_version: int, restored: int | None = None
) -> TextEdit:
    """Give the source `text` (already canonical) for this map: in place, re-anchoring every passage and
    telling every map, when the editor may edit every map using it; otherwise in a copy of the source
    for this map alone (see the module's docstring). `restored` names the revision being brought back
    when this edit is a restore (kept only if `text` is that revision's text).

    Refused with EditConflict when the source changed since `expected_version` was read, or when the map
    no longer uses it (someone gave the map its own copy meanwhile). One transaction: the text, every
    passage's new place and every map's Event are written together.
    """
    if not access.can_edit_source_text():
        raise PermissionDenied("Your role in this map does not allow editing the text of its sources.")
    with transaction.atomic():
        # The row lock orders this edit after any other edit or re-attachment of the source. Whether the
        # edit may change the shared text is decided under it.
        current = Source.objects.select_for_update().only("pk", "version", "revision", "sha256").get(pk=source.pk)
        if current.version != expected_version:
            raise EditConflict(current)
        if not MapSource.objects.filter(map=access.map, source=current).exists():
            # Someone gave this map its own copy meanwhile: this edit was meant for the text the map had.
            raise EditConflict(current)
        restored = _restored(current, text, restored)
        out_of_reach = access.maps_out_of_reach(current)
        if not out_of_reach:
            return _edit_in_place(access, source, text, restored)
        if current.sha256 == sha256(text):
            return TextEdit(reanchor_source(source=source, new_text=text), 0, source)
        return _edit_in_copy(access, source, text, restored, out_of_reach)


def _restored(source: Source, text: str, restored: int | None) -> int | None:
    """`restored` if `text` is indeed that earlier revision's text, else None (a restore edited further)."""
    if restored is None or restored == source.revision:
        return None
    kept = SourceRevision.objects.filter(source=source, revision=restored).values_list("sha256", flat=True).first()
    return restored if kept == sha256(text) else None


def _edit_in_place(access: MapAccess, source: Source, text: str, restored: int | None) -> TextEdit:
    actor = access.user
    report = reanchor_source(source=source, new_text=text, edited_by=actor, restored=restored)
    if not report.text_changed:
        return TextEdit(report, 0, source)
    statuses = {o.passage_id: o.new_status for o in report.outcomes}
    map_sources = {ms.map_id: ms for ms in MapSource.objects.filter(source=source).select_related("map")}
    cited = _cited_by_map(source)
    extra = ArgumentMap.objects.filter(pk__in=set(cited) - set(map_sources))
    maps = [ms.map for ms in map_sources.values()] + list(extra)
    for argument_map in sorted(maps, key=lambda m: m.pk):
        ids = sorted(cited.get(argument_map.pk, ()))
        record_event(
            argument_map=argument_map,
            actor=actor,
            verb=Verb.REANCHORED,
            obj=map_sources.get(argument_map.pk, source),
            payload=_payload(source, report, ids, statuses, restored=restored),
        )
    return TextEdit(report, len(maps), source)


def _edit_in_copy(
    access: MapAccess, source: Source, text: str, restored: int | None, out_of_reach: set[int]
) -> TextEdit:
    """Give this map its own copy of `source` with `text`; every other map keeps `source` as it is."""
    this, actor = access.map, access.user
    original = Source.objects.get(pk=source.pk)  # the whole row, upload included; locked by the caller
    copy = Source(**{f.attname: getattr(original, f.attname) for f in _copied_fields()}, added_by=actor)
    copy.save()  # a slug of its own
    map_source = MapSource.objects.get(map=this, source=original)  # checked under the source's lock
    map_source.source = copy
    map_source.save(update_fields=["source"])
    _carry_passages(this, original, copy)
    report = reanchor_source(source=copy, new_text=text, edited_by=actor)
    statuses = {o.passage_id: o.new_status for o in report.outcomes}
    payload = _payload(copy, report, sorted(statuses), statuses, restored=restored)
    payload.update(copied_from=original.slug, copied_from_revision=original.revision, maps_kept=len(out_of_reach))
    record_event(argument_map=this, actor=actor, verb=Verb.REANCHORED, obj=map_source, payload=payload)
    return TextEdit(report, 1, copy, copied_from=original, out_of_reach=len(out_of_reach))


def _copied_fields():
    return [f for f in Source._meta.concrete_fields if f.name not in _NOT_COPIED]


def _carry_passages(argument_map: ArgumentMap, original: Source, copy: Source) -> None:
    """Give `copy` the passages of `original` that this map cites, and point this map's evidence at them.

    A passage only this map cites moves to the copy (its version bumped, so that a re-attachment begun
    before is refused rather than applied to the wrong source). A passage other maps cite too stays
    where it is for them, and this map's evidence gets a duplicate on the copy.
    """
    cited = list(Evidence.objects.filter(map=argument_map, passage__source=original).values_list("pk", "passage_id"))
    ids = {passage_id for _, passage_id in cited}
    shared = set(
        Evidence.objects.filter(passage_id__in=ids).exclude(map=argument_map).values_list("passage_id", flat=True)
    )
    Passage.objects.filter(pk__in=ids - shared).update(source=copy, version=F("version") + 1)
    if not shared:
        return
    originals = list(Passage.objects.filter(pk__in=shared).order_by("pk"))
    duplicates = Passage.objects.bulk_create(
        Passage(
            source=copy,
            start=p.start,
            end=p.end,
            exact=p.exact,
            prefix=p.prefix,
            suffix=p.suffix,
            anchor_status=p.anchor_status,
            created_by_id=p.created_by_id,
        )
        for p in originals
    )
    duplicate_of = {p.pk: d.pk for p, d in zip(originals, duplicates, strict=True)}
    Evidence.objects.bulk_update(
        [Evidence(pk=pk, passage_id=duplicate_of[pid]) for pk, pid in cited if pid in duplicate_of],
        ["passage"],
        batch_size=500,
    )


def _cited_by_map(source: Source, only: ArgumentMap | None = None) -> dict[int, set[int]]:
    """The ids of the passages of `source` that each map's evidence cites (of one map, with `only`)."""
    evidence = Evidence.objects.filter(passage__source=source)
    if only is not None:
        evidence = evidence.filter(map=only)
    cited: dict[int, set[int]] = {}
    for map_id, passage_id in evidence.values_list("map_id", "passage_id").distinct():
        cited.setdefault(map_id, set()).add(passage_id)
    return cited


def _payload(source: Source, report: ReanchorReport, ids: list[int], statuses: dict, *, restored) -> dict:
    payload = {
        "source": source.short_citation,
        "source_title": source.title,
        "source_slug": source.slug,
        "revision": report.new_revision,
        "passages": len(ids),
        "counts": _count(statuses[pid] for pid in ids),
        "orphaned_passages": [pid for pid in ids if statuses[pid] == AnchorStatus.ORPHANED],
    }
    if restored is not None:
        payload["restored_revision"] = restored
    return payload
