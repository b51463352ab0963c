"""Fuzzy matching of quotes: how alike two stretches of text are, and where in a text something like a
quote stands.

Pure functions over strings (rapidfuzz), before and after folding curly quote marks and white space.
`placement` scores the places it weighs with `similarity` and `context_similarity`, and asks
`spans_like` for the places where a passage whose own words were lightly edited may now stand; which
place wins, if any, is decided there, not here.
"""

from __future__ import annotations

from rapidfuzz import fuzz

SEARCH_MIN = 75.0  # a place found by the fuzzy search is refined only if it is at least this similar

_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})


def squash(text: str) -> str:
    """Quote marks folded to straight ones and white space to single spaces, for comparing texts."""
    return " ".join(text.translate(_FOLD).split())


def similarity(a: str, b: str) -> float:
    """How alike two texts are (rapidfuzz ratio, 0–100) once quote marks and white space are folded."""
    return float(fuzz.ratio(squash(a), squash(b)))


def context_similarity(old: str, new: str, *, tail: bool) -> float:
    """How well the text beside a candidate agrees with the stored prefix (tail=True) or suffix."""
    old, new = squash(old), squash(new)
    if not old:
        return 100.0 if not new else 50.0  # nothing stored on this side: evidence only at the text's edge
    new = new[-len(old) :] if tail else new[: len(old)]
    return float(fuzz.ratio(old, new))


class Pieces:
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


def spans_like(quote: str, prefix: str, suffix: str, pieces: Pieces) -> list[tuple[int, int]]:
    """Spans of `pieces.text` that look like the quote: seeded by verbatim pieces, then fitted."""
    text = pieces.text
    size = len(quote)
    pad = max(16, size // 4)
    spans: list[tuple[int, int]] = []
    # A passage that did not cut a word in two should not be found cutting one.
    whole_start = not (quote[:1].isalnum() and prefix[-1:].isalnum())
    whole_end = not (quote[-1:].isalnum() and suffix[:1].isalnum())
    for approx in _seed_starts(quote, pieces):
        lo, hi = max(0, approx - pad), min(len(text), approx + size + pad)
        span = _fit(quote, text, lo, hi, min(pad, 64))
        if span and (whole_start or whole_end):
            span = _snap_to_words(quote, text, *span, whole_start, whole_end)
        if span and all(span[1] <= s or span[0] >= e for s, e in spans):
            spans.append(span)
    trimmed = [trim(quote, text, *span) for span in spans]
    return [(start, end) for start, end in trimmed if start < end]


def trim(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space at the edges of text[start:end] unless the quote has it there too."""
    if not quote[:1].isspace():
        while start < end and text[start].isspace():
            start += 1
    if not quote[-1:].isspace():
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def _seed_starts(quote: str, pieces: Pieces, *, most: int = 6, per_seed: int = 32, seeds: int = 12) -> list[int]:
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
