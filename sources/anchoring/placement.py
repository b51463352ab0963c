"""Re-anchoring: placing passages made on an old revision of a text in the new revision.

Each passage is described by a `Selector` (its code-point offsets plus the W3C quote selector: exact
text, prefix, suffix) and `reanchor` gives back exactly one `Placement` for it:

1. identical texts: every passage whose quote still matches stays where it is;
2. offsets are carried through a diff of the two texts (`diff.OffsetMap`) and accepted only if the new
   text at the carried offsets is exactly the quote;
3. otherwise the quote is searched for verbatim; several hits are told apart by their context and
   their distance from where the diff put the passage, and only a clear winner is taken;
4. otherwise a fuzzy search (`fuzzy.spans_like`), scored on quote and context, may place a passage
   whose own words were lightly edited; its quote is then replaced by the text now at that place;
5. otherwise the passage is orphaned: it keeps its old offsets and quote for re-attachment by hand.

Text that the diff pairs with *another* part of the old text is never taken: if the same sentence
appears twice and the passage's copy was deleted, the surviving copy belongs to the other one.

This module decides; `diff` and `fuzzy` only measure. Plain Python with no ORM: `sources.reanchor`
reads and writes the passages of a source around it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from .diff import OffsetMap
from .fuzzy import Pieces, context_similarity, similarity, spans_like, trim
from .quotes import CONTEXT_CHARS, context_for

Status = Literal["anchored", "moved", "orphaned"]
Method = Literal["unchanged", "diff", "exact", "fuzzy", "none"]

ANCHORED: Status = "anchored"
MOVED: Status = "moved"
ORPHANED: Status = "orphaned"

# Acceptance rules. Similarities are rapidfuzz ratios (0–100) after folding quote marks and white space.
QUOTE_MIN = 90.0  # a fuzzy placement must match the old quote at least this well
FUZZY_MARGIN = 5.0  # ... and beat the next-best place by this much
EXACT_MARGIN = 10.0  # several verbatim hits: the winner must beat the next one by this much
CONTEXT_MIN = 60.0  # text found away from the passage's own place needs one side of its context to agree ...
LONG_QUOTE = 40  # ... unless the quote is at least this long and (nearly) verbatim
LONG_QUOTE_SIM = 95.0
NEAR = 2000  # how far (code points) from the diff-mapped place a hit still earns a proximity bonus
PROXIMITY_BONUS = 10.0


@dataclass(frozen=True, slots=True)
class Selector:
    """Where a passage was in the old text: code-point offsets plus its quote and context."""

    id: Hashable
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a passage is in the new text, with the quote selector to store for it.

    For a placed passage (anchored or moved) `new_text[start:end] == exact`, and prefix/suffix are the
    context at that place. An orphan keeps its old offsets, quote and context.
    """

    id: Hashable
    status: Status
    start: int
    end: int
    score: float
    method: Method
    exact: str
    prefix: str
    suffix: str

    @property
    def placed(self) -> bool:
        return self.status != ORPHANED


def reanchor(old_text: str, new_text: str, selectors: Sequence[Selector]) -> list[Placement]:
    """Place every selector made on `old_text` in `new_text`: one Placement per selector, in order."""
    mapping = OffsetMap.identity(old_text) if old_text == new_text else OffsetMap.between(old_text, new_text)
    finder = _Finder(old_text, new_text, mapping)
    return [finder.place(selector) for selector in selectors]


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    quote: float  # similarity of the text here to the old quote
    before: float  # similarity of the text before it to the old prefix
    after: float  # ... and after it to the old suffix
    bonus: float  # nearness to where the diff put the passage
    mapped: bool = False  # the diff's own image of the passage
    # When the same text stood elsewhere in the old text too (so this may be that copy, moved here): how
    # well the context of the best such copy agrees with the context here (before + after, 0–200).
    other_copy: float | None = None

    @property
    def combined(self) -> float:
        return 0.75 * self.quote + 0.125 * (self.before + self.after) + self.bonus

    @property
    def plausible(self) -> bool:
        """Enough evidence to take text away from the passage's own place."""
        if self.mapped:
            return True
        if self.other_copy is not None and self.before + self.after < self.other_copy + EXACT_MARGIN:
            return False  # another copy of these words explains them here at least as well
        if max(self.before, self.after) >= CONTEXT_MIN:
            return True
        # Without context, only a long quote whose text cannot be a copy of other old text moved here.
        return self.other_copy is None and self.end - self.start >= LONG_QUOTE and self.quote >= LONG_QUOTE_SIM

    def overlaps(self, other: _Candidate) -> bool:
        return self.overlaps_span(other.start, other.end)

    def overlaps_span(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


class _Finder:
    def __init__(self, old_text: str, new_text: str, mapping: OffsetMap):
        self.old, self.new, self.map = old_text, new_text, mapping
        self.same = old_text == new_text
        self.pieces = Pieces(new_text)

    def place(self, sel: Selector) -> Placement:
        if not sel.exact:
            return self._orphan(sel, 0.0)
        valid = 0 <= sel.start < sel.end <= len(self.old) and self.old[sel.start : sel.end] == sel.exact
        if valid and self.same:
            return self._placed(sel, sel.start, sel.end, 100.0, "unchanged")
        # Only a selector that matches the old text has an own place there for the diff to carry.
        own = (sel.start, sel.end) if valid else (-1, -1)
        mapped = (self.map.start(sel.start), self.map.end(sel.end)) if valid else None
        if mapped and mapped[0] < mapped[1] and self.new[mapped[0] : mapped[1]] == sel.exact:
            return self._placed(sel, *mapped, 100.0, "diff")

        mapped_candidate = None
        if mapped and mapped[0] < mapped[1]:
            start, end = trim(sel.exact, self.new, *mapped)
            if start < end:
                mapped_candidate = self._candidate(sel, start, end, own, mapped=True)
        placement = self._exact(sel, own, mapped, mapped_candidate)
        if placement is None:
            placement = self._fuzzy(sel, own, mapped, mapped_candidate)
        return placement

    # -- step 3: the quote verbatim ----------------------------------------------------------------
    def _exact(self, sel, own, mapped, mapped_candidate) -> Placement | None:
        hits = []
        at = self.new.find(sel.exact)
        while at != -1 and len(hits) < 1000:
            end = at + len(sel.exact)
            if not self._claimed(at, end, own):
                hits.append(self._candidate(sel, at, end, own, near=mapped))
            at = self.new.find(sel.exact, at + 1)
        if not hits:
            return None
        rivals = list(hits)
        if mapped_candidate and mapped_candidate.quote >= QUOTE_MIN:
            rivals.append(mapped_candidate)
        if len(rivals) == 1:
            best = rivals[0]
            return self._placed(sel, best.start, best.end, 100.0, "exact") if best.plausible else self._orphan(sel, 0)
        best = self._clear_winner(rivals, EXACT_MARGIN)
        if best is None:
            return self._orphan(sel, 100.0)
        if best.mapped:
            return self._placed(sel, best.start, best.end, best.quote, "fuzzy")
        return self._placed(sel, best.start, best.end, 100.0, "exact")

    # -- step 4: fuzzy -------------------------------------------------------------------------------
    def _fuzzy(self, sel, own, mapped, mapped_candidate) -> Placement:
        if mapped_candidate and mapped_candidate.quote >= QUOTE_MIN:
            return self._placed(sel, mapped_candidate.start, mapped_candidate.end, mapped_candidate.quote, "fuzzy")
        candidates = [mapped_candidate] if mapped_candidate else []
        for start, end in spans_like(sel.exact, sel.prefix, sel.suffix, self.pieces):
            if mapped_candidate and mapped_candidate.overlaps_span(start, end):
                # Found again at its own place, edges drawn afresh: an edge may only move where the
                # passage's own first (last) letters were rewritten, never cut off words still there.
                if self.map.survives(sel.start):
                    start = mapped_candidate.start
                if self.map.survives(sel.end - 1):
                    end = mapped_candidate.end
                if start >= end or (start, end) == (mapped_candidate.start, mapped_candidate.end):
                    continue
            if not self._claimed(start, end, own):
                candidates.append(self._candidate(sel, start, end, own, near=mapped))
        best_quote = max((c.quote for c in candidates), default=0.0)
        best = self._clear_winner(candidates, FUZZY_MARGIN)
        if best is None or best.quote < QUOTE_MIN:
            return self._orphan(sel, best_quote)
        return self._placed(sel, best.start, best.end, best.quote, "fuzzy")

    # -- helpers -------------------------------------------------------------------------------------
    def _claimed(self, start: int, end: int, own: tuple[int, int]) -> bool:
        """Whether the diff pairs most of new[start:end] with old text other than the passage's own."""
        return 2 * self.map.foreign(start, end, *own) > end - start

    def _candidate(self, sel: Selector, start: int, end: int, own, *, near=None, mapped=False) -> _Candidate:
        quote = similarity(sel.exact, self.new[start:end])
        before = context_similarity(sel.prefix, self.new[max(0, start - 2 * CONTEXT_CHARS) : start], tail=True)
        after = context_similarity(sel.suffix, self.new[end : end + 2 * CONTEXT_CHARS], tail=False)
        if mapped:
            bonus = PROXIMITY_BONUS
        elif near:
            bonus = PROXIMITY_BONUS * max(0.0, 1.0 - abs(start - near[0]) / NEAR)
        else:
            bonus = 0.0
        other_copy = None if mapped else self._other_copy(start, end, own)
        return _Candidate(start, end, quote, before, after, bonus, mapped, other_copy)

    def _other_copy(self, start: int, end: int, own: tuple[int, int], most: int = 20) -> float | None:
        """The best context agreement between new[start:end] and a copy of its text elsewhere in the old
        text (outside the passage's own span); None if there is no such copy."""
        text = self.new[start:end]
        before, after = context_for(self.new, start, end)
        best, seen, at = None, 0, self.old.find(text)
        while at != -1 and seen < most:
            if not (own[0] <= at and at + len(text) <= own[1]):
                old_before, old_after = context_for(self.old, at, at + len(text))
                agreement = context_similarity(old_before, before, tail=True) + context_similarity(
                    old_after, after, tail=False
                )
                best = agreement if best is None else max(best, agreement)
                seen += 1
            at = self.old.find(text, at + 1)
        return best

    @staticmethod
    def _clear_winner(candidates: list[_Candidate], margin: float) -> _Candidate | None:
        ranked = sorted(candidates, key=lambda c: c.combined, reverse=True)
        if not ranked:
            return None
        best = ranked[0]
        rival = next((c for c in ranked[1:] if not c.overlaps(best)), None)
        if not best.plausible or (rival is not None and best.combined - rival.combined < margin):
            return None
        return best

    def _placed(self, sel: Selector, start: int, end: int, score: float, method: Method) -> Placement:
        exact = self.new[start:end]
        prefix, suffix = context_for(self.new, start, end)
        unchanged = (start, end) == (sel.start, sel.end) and exact == sel.exact and method != "fuzzy"
        status = ANCHORED if unchanged else MOVED
        return Placement(sel.id, status, start, end, round(score, 1), method, exact, prefix, suffix)

    @staticmethod
    def _orphan(sel: Selector, score: float) -> Placement:
        return Placement(
            sel.id, ORPHANED, sel.start, sel.end, round(score, 1), "none", sel.exact, sel.prefix, sel.suffix
        )
