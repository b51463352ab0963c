"""Finding quotes in a canonical text, and finding them again after the text changes.

Two jobs live here, both pure functions over plain strings (no ORM, so they are quick to test):

* `locate_quote` finds a quote once, exactly or, when only white space differs (a quote copied from the
  raw file, a changed rule for joining lines), by matching its words in order.
* `reanchor` carries passages from an old revision of a text to a new one. Each passage is described by
  a `Selector` (its code-point offsets plus the W3C quote selector: exact text, prefix, suffix) and comes
  back as exactly one `Placement`:

  1. identical texts: every passage whose quote still matches stays where it is;
  2. offsets are carried through a diff of the two texts and accepted only if the new text at the
     carried offsets is exactly the quote;
  3. otherwise the quote is searched for verbatim; several hits are told apart by their context and
     their distance from where the diff put the passage, and only a clear winner is taken;
  4. otherwise a fuzzy search, scored on quote and context, may place a passage whose own words were
     lightly edited; its quote is then replaced by the text now at that place;
  5. otherwise the passage is orphaned: it keeps its old offsets and quote for re-attachment by hand.

  Text that the diff pairs with *another* part of the old text is never taken: if the same sentence
  appears twice and the passage's copy was deleted, the surviving copy belongs to the other one.

The diff aligns paragraphs, then the words of changed paragraphs, then the letters of short replaced
stretches. At each level, units occurring once in both texts are anchored first (as in patience diff)
and the stretches between them go to diff-match-patch with no time limit. Unlimited time is safe because
those stretches are short; a timeout would silently coarsen the diff (see TRAPS).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch
from rapidfuzz import fuzz

# Must equal sources.models.CONTEXT_CHARS (a test checks); kept here so the core needs no Django.
CONTEXT_CHARS = 32


class QuoteNotFound(ValueError):
    pass


def locate_quote(text: str, quote: str) -> tuple[int, int]:
    """The (start, end) code-point span of the single occurrence of `quote` in `text`."""
    quote = quote.strip()
    if not quote:
        raise QuoteNotFound("The quote is empty.")
    spans = _exact_spans(text, quote) or _flexible_spans(text, quote)
    if not spans:
        raise QuoteNotFound(f"Quote not found in the text: {quote[:80]!r}")
    if len(spans) > 1:
        raise QuoteNotFound(f"Quote occurs {len(spans)} times; lengthen it to make it unique: {quote[:80]!r}")
    return spans[0]


def _exact_spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(quote)
    while at != -1:
        spans.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return spans


def _flexible_spans(text: str, quote: str) -> list[tuple[int, int]]:
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


# ---------------------------------------------------------------------------------------------------
# Re-anchoring: data in and out

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
SEARCH_MIN = 75.0  # a place found by the fuzzy search is refined only if it is at least this similar
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


def context_for(text: str, start: int, end: int) -> tuple[str, str]:
    """The (prefix, suffix) around text[start:end], as Passage.from_span stores them."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


def reanchor(old_text: str, new_text: str, selectors: Sequence[Selector]) -> list[Placement]:
    """Place every selector made on `old_text` in `new_text`: one Placement per selector, in order."""
    mapping = OffsetMap.identity(old_text) if old_text == new_text else OffsetMap.between(old_text, new_text)
    finder = _Finder(old_text, new_text, mapping)
    return [finder.place(selector) for selector in selectors]


# ---------------------------------------------------------------------------------------------------
# The diff and the offset map built from it

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_MAX_TOKEN_KINDS = 1_000_000  # code points available to stand for distinct tokens
_REFINE_CHARS = 80  # replaced stretches up to this size (both sides together) are re-diffed per letter
_PATIENCE_DEPTH = 12
_PLAIN_DIFF_CELLS = 1_000_000  # a stretch with no anchors is diffed only up to this size (units × units):
# beyond it diff-match-patch could take seconds, and text that shares no unique word is replaced anyway

EQUAL, DELETE, INSERT = 0, -1, 1


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # never a silently coarse diff: our stretches are small enough to finish
    return dmp


def diff_texts(old: str, new: str) -> list[tuple[int, str]]:
    """A diff of two texts as diff-match-patch tuples (op, text).

    Paragraphs (lines) are aligned first, so that a whole paragraph is matched with its own copy rather
    than with a sentence that happens to repeat it; changed paragraphs are then diffed word by word, and
    short replaced stretches letter by letter.
    """
    dmp = _dmp()
    diffs: list[tuple[int, str]] = []
    old_lines, new_lines = _lines(old), _lines(new)
    line_codes: dict[str, str] = {}
    encoded_old, encoded_new = _encode(old_lines, line_codes), _encode(new_lines, line_codes)
    if encoded_old is None or encoded_new is None:
        line_ops = [(DELETE, len(old_lines)), (INSERT, len(new_lines))]
    else:
        line_ops = []
        _diff_encoded(dmp, encoded_old, encoded_new, line_ops, 0)
    token_codes: dict[str, str] = {}
    i = j = 0
    removed, added = [], []  # the changed paragraphs between two runs of equal ones
    for op, n in [*line_ops, (EQUAL, 0)]:
        if op == EQUAL:
            if removed or added:
                diffs.extend(_diff_words(dmp, "".join(removed), "".join(added), token_codes))
                removed, added = [], []
            if n:
                diffs.append((EQUAL, "".join(old_lines[i : i + n])))
            i, j = i + n, j + n
        elif op == DELETE:
            removed += old_lines[i : i + n]
            i += n
        else:
            added += new_lines[j : j + n]
            j += n
    dmp.diff_cleanupMerge(diffs)
    diffs = _refine(dmp, diffs)
    # An insertion or deletion next to text it repeats can sit at several equivalent places (deleting
    # "B.\n\n" from "A.\n\nB.\n\nC" is also deleting ".\n\nB"); slide each to the one on the clearest
    # boundary, paragraph breaks first, so that it does not take a passage's last full stop with it.
    dmp.diff_cleanupSemanticLossless(diffs)
    return diffs


_LINE = re.compile(r"[^\n]*\n+|[^\n]+$")


def _lines(text: str) -> list[str]:
    """Lines with the line breaks after them: a blank line is not a unit of its own, to be paired by
    chance with another blank line and misalign the paragraphs around it."""
    return _LINE.findall(text)


def _diff_words(dmp: diff_match_patch, old: str, new: str, codes: dict[str, str]) -> list[tuple[int, str]]:
    if not old or not new:
        return [(DELETE, old)] if old else [(INSERT, new)]
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    encoded_old, encoded_new = _encode(old_tokens, codes), _encode(new_tokens, codes)
    if encoded_old is None or encoded_new is None:  # absurdly many distinct words: fall back to characters
        old_tokens, new_tokens, encoded_old, encoded_new = list(old), list(new), old, new
    token_ops: list[tuple[int, int]] = []
    _diff_encoded(dmp, encoded_old, encoded_new, token_ops, 0)
    diffs: list[tuple[int, str]] = []
    i = j = 0
    for op, n in token_ops:
        if op == EQUAL:
            diffs.append((EQUAL, "".join(old_tokens[i : i + n])))
            i, j = i + n, j + n
        elif op == DELETE:
            diffs.append((DELETE, "".join(old_tokens[i : i + n])))
            i += n
        else:
            diffs.append((INSERT, "".join(new_tokens[j : j + n])))
            j += n
    return diffs


def _encode(tokens: list[str], codes: dict[str, str]) -> str | None:
    out = []
    for token in tokens:
        code = codes.get(token)
        if code is None:
            n = len(codes) + 1
            if n > _MAX_TOKEN_KINDS:
                return None
            code = codes[token] = chr(n + 0x800 if n >= 0xD800 else n)  # skip the surrogate block
        out.append(code)
    return "".join(out)


def _diff_encoded(dmp: diff_match_patch, a: str, b: str, ops: list[tuple[int, int]], depth: int) -> None:
    """Append (op, token count) for a → b: patience anchors first, diff-match-patch between them."""
    if a == b:
        _push(ops, EQUAL, len(a))
        return
    head = dmp.diff_commonPrefix(a, b)
    if head:
        _push(ops, EQUAL, head)
        a, b = a[head:], b[head:]
    tail = dmp.diff_commonSuffix(a, b)
    if tail:
        a, b = a[:-tail], b[:-tail]
    anchors = _unique_anchors(a, b) if a and b and depth < _PATIENCE_DEPTH else []
    if anchors:
        i = j = 0
        for ai, bj in anchors:
            _diff_encoded(dmp, a[i:ai], b[j:bj], ops, depth + 1)
            _push(ops, EQUAL, 1)
            i, j = ai + 1, bj + 1
        _diff_encoded(dmp, a[i:], b[j:], ops, depth + 1)
    elif len(a) * len(b) <= _PLAIN_DIFF_CELLS:
        for op, text in dmp.diff_main(a, b, False):
            _push(ops, op, len(text))
    else:  # nothing in common worth aligning on: a plain replacement
        _push(ops, DELETE, len(a))
        _push(ops, INSERT, len(b))
    if tail:
        _push(ops, EQUAL, tail)


def _push(ops: list[tuple[int, int]], op: int, n: int) -> None:
    if n <= 0:
        return
    if ops and ops[-1][0] == op:
        ops[-1] = (op, ops[-1][1] + n)
    else:
        ops.append((op, n))


def _unique_anchors(a: str, b: str) -> list[tuple[int, int]]:
    """Positions of tokens occurring once in each side, the longest run of them in the same order."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {code: j for j, code in enumerate(b) if count_b[code] == 1}
    pairs = [(i, where_b[code]) for i, code in enumerate(a) if count_a[code] == 1 and code in where_b]
    if len(pairs) < 2:
        return pairs
    # Longest increasing subsequence of the b positions (pairs are already in a order).
    tails: list[int] = []  # tails[k]: index in pairs of the smallest tail of an increasing run of length k+1
    tail_values: list[int] = []
    back = [-1] * len(pairs)
    for n, (_, bj) in enumerate(pairs):
        k = bisect_right(tail_values, bj)
        back[n] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(n)
            tail_values.append(bj)
        else:
            tails[k] = n
            tail_values[k] = bj
    run, n = [], tails[-1]
    while n != -1:
        run.append(pairs[n])
        n = back[n]
    run.reverse()
    return run


def _refine(dmp: diff_match_patch, diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Re-diff short replaced stretches character by character (a typo changes a letter, not a word)."""
    out: list[tuple[int, str]] = []
    n = 0
    while n < len(diffs):
        op, text = diffs[n]
        if op == DELETE and n + 1 < len(diffs) and diffs[n + 1][0] == INSERT:
            inserted = diffs[n + 1][1]
            if len(text) + len(inserted) <= _REFINE_CHARS:
                # Keep only letters the two sides really share: "interests" → "allies" stays one
                # replacement instead of lining up their i, e and s.
                refined = dmp.diff_main(text, inserted, False)
                dmp.diff_cleanupSemantic(refined)
                out.extend(refined)
            else:
                out.extend(diffs[n : n + 2])
            n += 2
            continue
        out.append((op, text))
        n += 1
    dmp.diff_cleanupMerge(out)
    return out


@dataclass(frozen=True, slots=True)
class _Piece:
    equal: bool
    old_start: int
    old_end: int
    new_start: int
    new_end: int


class OffsetMap:
    """Carries code-point offsets from the old text to the new one through a diff.

    A passage's first character maps to where it went; if it was deleted or replaced, to the start of
    what replaced it. Its end follows its last character; text inserted right at either edge of a
    passage stays outside it, text replacing its edge characters comes inside.
    """

    def __init__(self, diffs: Sequence[tuple[int, str]], old_len: int, new_len: int):
        pieces: list[_Piece] = []
        o = n = 0
        change_old = change_new = None  # start of the change block being collected
        for op, text in diffs:
            if not text:
                continue
            if op == EQUAL:
                if change_old is not None:
                    pieces.append(_Piece(False, change_old, o, change_new, n))
                    change_old = change_new = None
                pieces.append(_Piece(True, o, o + len(text), n, n + len(text)))
                o += len(text)
                n += len(text)
                continue
            if change_old is None:
                change_old, change_new = o, n
            if op == DELETE:
                o += len(text)
            else:
                n += len(text)
        if change_old is not None:
            pieces.append(_Piece(False, change_old, o, change_new, n))
        if o != old_len or n != new_len:
            raise ValueError("The diff does not cover both texts.")
        self.old_len, self.new_len = old_len, new_len
        self._by_old = [p for p in pieces if p.old_end > p.old_start]
        self._old_keys = [p.old_start for p in self._by_old]
        self._equal = [p for p in pieces if p.equal]
        self._equal_new_keys = [p.new_start for p in self._equal]

    @classmethod
    def between(cls, old: str, new: str) -> OffsetMap:
        return cls(diff_texts(old, new), len(old), len(new))

    @classmethod
    def identity(cls, text: str) -> OffsetMap:
        return cls([(EQUAL, text)], len(text), len(text))

    def _piece_holding(self, old_offset: int) -> _Piece:
        return self._by_old[bisect_right(self._old_keys, old_offset) - 1]

    def start(self, old_start: int) -> int:
        if old_start >= self.old_len:
            return self.new_len
        piece = self._piece_holding(max(0, old_start))
        return piece.new_start + (old_start - piece.old_start) if piece.equal else piece.new_start

    def end(self, old_end: int) -> int:
        old_end = min(old_end, self.old_len)
        if old_end <= 0:
            return 0
        piece = self._piece_holding(old_end - 1)
        if piece.equal:
            return piece.new_start + (old_end - piece.old_start)
        return piece.new_end if old_end == piece.old_end else piece.new_start

    def survives(self, old_offset: int) -> bool:
        """Whether the old text's character at `old_offset` is still in the new text (not deleted or replaced)."""
        return 0 <= old_offset < self.old_len and self._piece_holding(old_offset).equal

    def foreign(self, start: int, end: int, own_start: int, own_end: int) -> int:
        """How many code points of new[start:end] the diff pairs with old text outside [own_start, own_end)."""
        k = max(0, bisect_right(self._equal_new_keys, start) - 1)
        total = 0
        while k < len(self._equal) and self._equal[k].new_start < end:
            piece = self._equal[k]
            lo, hi = max(start, piece.new_start), min(end, piece.new_end)
            if hi > lo:
                old_lo = piece.old_start + (lo - piece.new_start)
                old_hi = old_lo + (hi - lo)
                own = max(0, min(old_hi, own_end) - max(old_lo, own_start))
                total += (hi - lo) - own
            k += 1
        return total


# ---------------------------------------------------------------------------------------------------
# Placing one selector

_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})


def _squash(text: str) -> str:
    """Quote marks folded to straight ones and white space to single spaces, for comparing texts."""
    return " ".join(text.translate(_FOLD).split())


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
        self.pieces = _Pieces(new_text)

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
            start, end = self._trim(sel.exact, *mapped)
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
        for start, end in self._search(sel):
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

    def _search(self, sel: Selector) -> list[tuple[int, int]]:
        """Spans of the new text that look like the quote: seeded by verbatim pieces, then fitted."""
        quote = sel.exact
        size = len(quote)
        pad = max(16, size // 4)
        spans: list[tuple[int, int]] = []
        # A passage that did not cut a word in two should not be found cutting one.
        whole_start = not (quote[:1].isalnum() and sel.prefix[-1:].isalnum())
        whole_end = not (quote[-1:].isalnum() and sel.suffix[:1].isalnum())
        for approx in _seed_starts(quote, self.pieces):
            lo, hi = max(0, approx - pad), min(len(self.new), approx + size + pad)
            span = _fit(quote, self.new, lo, hi, min(pad, 64))
            if span and (whole_start or whole_end):
                span = _snap_to_words(quote, self.new, *span, whole_start, whole_end)
            if span and all(span[1] <= s or span[0] >= e for s, e in spans):
                spans.append(span)
        trimmed = [self._trim(quote, *span) for span in spans]
        return [(start, end) for start, end in trimmed if start < end]

    # -- helpers -------------------------------------------------------------------------------------
    def _claimed(self, start: int, end: int, own: tuple[int, int]) -> bool:
        """Whether the diff pairs most of new[start:end] with old text other than the passage's own."""
        return 2 * self.map.foreign(start, end, *own) > end - start

    def _candidate(self, sel: Selector, start: int, end: int, own, *, near=None, mapped=False) -> _Candidate:
        quote = float(fuzz.ratio(_squash(sel.exact), _squash(self.new[start:end])))
        before = _context_similarity(sel.prefix, self.new[max(0, start - 2 * CONTEXT_CHARS) : start], tail=True)
        after = _context_similarity(sel.suffix, self.new[end : end + 2 * CONTEXT_CHARS], tail=False)
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
                agreement = _context_similarity(old_before, before, tail=True) + _context_similarity(
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

    def _trim(self, quote: str, start: int, end: int) -> tuple[int, int]:
        """Drop white space at the edges of a span unless the quote has it there too."""
        if not quote[:1].isspace():
            while start < end and self.new[start].isspace():
                start += 1
        if not quote[-1:].isspace():
            while end > start and self.new[end - 1].isspace():
                end -= 1
        return start, end

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


def _context_similarity(old: str, new: str, *, tail: bool) -> float:
    """How well the text beside a candidate agrees with the stored prefix (tail=True) or suffix."""
    old, new = _squash(old), _squash(new)
    if not old:
        return 100.0 if not new else 50.0  # nothing stored on this side: evidence only at the text's edge
    new = new[-len(old) :] if tail else new[: len(old)]
    return float(fuzz.ratio(old, new))


class _Pieces:
    """Finds short pieces of a text: by str.find at first, through an index of its 8-grams once asked
    often enough for the index to pay for itself (many passages to search for after a big rewrite)."""

    GRAM = 8
    INDEX_AFTER = 768  # look-ups (about 64 passages searched for)

    def __init__(self, text: str):
        self.text = text
        self.searches = 0
        self.index: dict[str, list[int]] | None = None

    def find_all(self, piece: str, most: int) -> list[int] | None:
        """Where `piece` occurs, or None if it occurs more than `most` times."""
        self.searches += 1
        if self.index is None and self.searches > self.INDEX_AFTER:
            index: dict[str, list[int]] = {}
            text, gram = self.text, self.GRAM
            for at in range(len(text) - gram + 1):
                index.setdefault(text[at : at + gram], []).append(at)
            self.index = index
        if self.index is not None and len(piece) >= self.GRAM:
            found = []
            for at in self.index.get(piece[: self.GRAM], ()):
                if self.text.startswith(piece, at):
                    found.append(at)
                    if len(found) > most:
                        return None
            return found
        found, at = [], self.text.find(piece)
        while at != -1:
            found.append(at)
            if len(found) > most:
                return None
            at = self.text.find(piece, at + 1)
        return found


def _seed_starts(quote: str, pieces: _Pieces, *, most: int = 6, per_seed: int = 32, seeds: int = 12) -> list[int]:
    """Where `quote` may start in the text, voted for by verbatim pieces of it (the likeliest first)."""
    size = len(quote)
    k = min(24, max(8, size // 3))
    if size <= k:
        offsets = [0]
        k = size
    else:  # pieces spread evenly over the quote, overlapping for short quotes, at most `seeds` of them
        count = min(seeds, max(2, 2 * size // k - 1))
        offsets = sorted({round(n * (size - k) / (count - 1)) for n in range(count)})
    votes: list[tuple[int, int]] = []  # (implied start, seed number)
    for number, offset in enumerate(offsets):
        piece = quote[offset : offset + k]
        if piece.isspace():
            continue
        found = pieces.find_all(piece, per_seed)
        if found is not None:  # a piece found everywhere says nothing
            votes.extend((at - offset, number) for at in found)
    if not votes:
        return []
    votes.sort()
    tolerance = max(8, size // 8)
    groups: list[tuple[int, list[int], set[int]]] = []  # (first start, starts, seed numbers)
    for start, number in votes:
        if groups and start - groups[-1][0] <= tolerance:
            groups[-1][1].append(start)
            groups[-1][2].add(number)
        else:
            groups.append((start, [start], {number}))
    groups.sort(key=lambda g: len(g[2]), reverse=True)
    return [sorted(starts)[len(starts) // 2] for _, starts, _ in groups[:most]]


def _fit(quote: str, text: str, lo: int, hi: int, reach: int) -> tuple[int, int] | None:
    """The span of text[lo:hi] most like `quote`, its edges free to move (insertions, deletions)."""
    window = text[lo:hi].translate(_FOLD)
    folded = quote.translate(_FOLD)
    if not window.strip():
        return None
    if len(window) <= len(folded):
        start, end = 0, len(window)
    else:
        alignment = fuzz.partial_ratio_alignment(folded, window, score_cutoff=SEARCH_MIN)
        if alignment is None or alignment.score == 0:
            return None
        start, end = alignment.dest_start, alignment.dest_end
    best = fuzz.ratio(folded, window[start:end])
    if best < SEARCH_MIN:
        return None
    for _ in range(4):
        moved = False
        for s in range(max(0, start - reach), min(end, start + reach + 1)):
            score = fuzz.ratio(folded, window[s:end])
            if score > best:
                best, start, moved = score, s, True
        for e in range(max(start + 1, end - reach), min(len(window), end + reach) + 1):
            score = fuzz.ratio(folded, window[start:e])
            if score > best:
                best, end, moved = score, e, True
        if not moved:
            break
    return (lo + start, lo + end) if end > start else None


def _snap_to_words(quote: str, text: str, start: int, end: int, whole_start: bool, whole_end: bool) -> tuple[int, int]:
    """Move an edge that cuts a word to the nearer word boundary that keeps the span most like the quote."""
    folded = quote.translate(_FOLD)

    def score(s: int, e: int) -> float:
        return fuzz.ratio(folded, text[s:e].translate(_FOLD)) if e > s else -1.0

    if whole_start and 0 < start < end and text[start - 1].isalnum() and text[start].isalnum():
        left = start
        while left > 0 and text[left - 1].isalnum():
            left -= 1
        right = start
        while right < end and text[right].isalnum():
            right += 1
        while right < end and not text[right].isalnum():
            right += 1
        start = left if score(left, end) >= score(right, end) else right
    if whole_end and start < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        right = end
        while right < len(text) and text[right].isalnum():
            right += 1
        left = end
        while left > start and text[left - 1].isalnum():
            left -= 1
        while left > start and not text[left - 1].isalnum():
            left -= 1
        end = right if score(start, right) >= score(start, left) else left
    # Punctuation the quote opens or closes with ("“", ")") comes along when it stands right there.
    opening, closing = folded[0], folded[-1]
    first, before = text[start].translate(_FOLD), text[start - 1 : start].translate(_FOLD)
    if not opening.isalnum() and before == opening != first:
        start -= 1
    last, after = text[end - 1].translate(_FOLD), text[end : end + 1].translate(_FOLD)
    if not closing.isalnum() and after == closing != last:
        end += 1
    return start, end
