"""A quote in a canonical text: finding it once, and the context stored beside it.

`locate_quote` finds a quote exactly or, failing that, the way people quote: copied from the original
file or a PDF viewer, typed with straight quote marks, wrapped by a mail client. Both sides are then
folded (`fold`) — line-end hyphenation and dashes with the white space around them dropped, quote
marks made straight, runs of white space made one space, ligatures spelled out, the normaliser's own
character rules — and the match is carried back to exact offsets in the canonical text through the map
the folding keeps. A quote that matches nowhere gets `nearest_quotes`: the places most like it, for the
message that refuses it. `context_for` gives the prefix and suffix of the W3C quote selector that
`placement` compares when it finds passages again after an edit (see the package docstring).
"""

from __future__ import annotations

import re
import time
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

# What the import does to characters (ligatures, soft hyphens, odd spaces) is done to quotes too; the
# normaliser is plain Python with no Django, so the core stays free of it.
from ..normalise import CHARACTERS

# Must equal sources.models.CONTEXT_CHARS (a test checks); kept here so the core needs no Django.
CONTEXT_CHARS = 32

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b"
SINGLE_QUOTES = "'‘’‚‛′`´ʼ‹›"
DOUBLE_QUOTES = '"“”„‟″«»'
# What folding changes, one match at a time: a run of dashes with the white space (line breaks
# included) around it, which is dropped, so that "humani-\ntarian", "humanitarian", "states — and" and
# "states--and" meet; white space other than one plain space; curly quote marks; the ellipsis character.
_FOLDED = re.compile(rf"\s*[{DASHES}]+\s*|\s{{2,}}|[^\S ]|[{SINGLE_QUOTES}{DOUBLE_QUOTES}…]")
_REPLACEMENT = {**dict.fromkeys(SINGLE_QUOTES, "'"), **dict.fromkeys(DOUBLE_QUOTES, '"'), "…": "..."}

# How long the search for the nearest places may take on a long text, and how many it gives.
NEAREST_SECONDS = 0.5
NEAREST_COUNT = 3
NEAREST_MIN_SCORE = 60.0


class QuoteNotFound(ValueError):
    """The quote is missing, empty, or occurs several times (then `spans` holds where, in the canonical text)."""

    def __init__(self, message: str, spans: list[tuple[int, int]] | None = None) -> None:
        super().__init__(message)
        self.spans = spans or []


def locate_quote(text: str, quote: str, *, prefix: str = "", suffix: str = "") -> tuple[int, int]:
    """The (start, end) code-point span of the single occurrence of `quote` in `text`.

    Exact first; then folded (see the module docstring), with case; then folded without case. The first
    way that finds the quote decides, so an exact occurrence is never made ambiguous by a folded one.
    A quote found several times is told apart by the text just before (`prefix`) and after (`suffix`)
    it, as a W3C TextQuoteSelector does, compared folded too.
    """
    quote = quote.strip()
    if not quote:
        raise QuoteNotFound("The quote is empty.")
    spans = find_quote(text, quote)
    if not spans:
        raise QuoteNotFound(f"Quote not found in the text: {quote[:80]!r}")
    if len(spans) > 1 and (prefix.strip() or suffix.strip()):
        spans = [span for span in spans if _has_context(text, span, prefix, suffix)] or spans
    if len(spans) > 1:
        raise QuoteNotFound(
            f"Quote occurs {len(spans)} times; lengthen it to make it unique: {quote[:80]!r}", spans=spans
        )
    return spans[0]


def find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    """Every span of `text` that `quote` stands for, by the first way of matching that finds any."""
    spans = _exact_spans(text, quote)
    if spans:
        return spans
    folded_quote = fold_quote(quote)
    if not folded_quote:
        return []
    folded = folded_text(text)
    spans = [folded.span(start, end) for start, end in _exact_spans(folded.text, folded_quote)]
    if not spans and folded.lower is not None:
        spans = [folded.span(start, end) for start, end in _exact_spans(folded.lower, folded_quote.lower())]
    return spans


def _has_context(text: str, span: tuple[int, int], prefix: str, suffix: str) -> bool:
    """Whether the text around `span` ends with `prefix` and begins with `suffix`, once folded."""
    start, end = span
    before, after = fold_quote(prefix), fold_quote(suffix)
    # Folding shortens text (a dash and its spaces vanish), so look a little further than the context's length.
    reach = 2 * max(len(prefix), len(suffix)) + 8
    near_before = fold(text[max(0, start - reach) : start]).text.rstrip()
    near_after = fold(text[end : end + reach]).text.lstrip()
    return near_before.endswith(before) and near_after.startswith(after)


def same_words(a: str, b: str) -> bool:
    """Whether two quotes differ only in what folding forgives (not in capitals)."""
    return fold_quote(a) == fold_quote(b)


def _exact_spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(quote)
    while at != -1:
        spans.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return spans


def context_for(text: str, start: int, end: int) -> tuple[str, str]:
    """The (prefix, suffix) around text[start:end], as Passage.from_span stores them."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


# ------------------------------------------------------------------------------------------ folding


@dataclass(frozen=True, slots=True)
class Folded:
    """A text folded for matching, with what carries offsets in it back to the text.

    `starts[k]` is where segment k begins in the folded text and `origins[k]` where it comes from in the
    original; a segment is either copied (`lengths[k]` is None: offsets move one for one) or a
    replacement of `lengths[k]` original characters, all of whose folded characters point at its start.
    """

    text: str
    lower: str | None  # text.lower(), if lower-casing kept every offset (it does but for a few letters)
    starts: list[int]
    origins: list[int]
    lengths: list[int | None]

    def _segment(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def start(self, offset: int) -> int:
        k = self._segment(offset)
        return self.origins[k] + (offset - self.starts[k] if self.lengths[k] is None else 0)

    def end(self, offset: int) -> int:
        k = self._segment(offset - 1)
        length = self.lengths[k]
        return self.origins[k] + (offset - self.starts[k] if length is None else length)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), self.end(end)


def fold(text: str) -> Folded:
    """`text` folded for matching quotes (see the module docstring), with its offset map."""
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    lengths: list[int | None] = []
    out = at = 0
    for match in _FOLDED.finditer(text):
        if match.start() > at:
            starts.append(out)
            origins.append(at)
            lengths.append(None)
            pieces.append(text[at : match.start()])
            out += match.start() - at
        found = match.group()
        if found[0] in _REPLACEMENT:
            replacement = _REPLACEMENT[found]
        elif found.strip():
            replacement = ""  # dashes, with their white space
        else:
            replacement = " "
        if replacement:
            starts.append(out)
            origins.append(match.start())
            lengths.append(len(found))
            pieces.append(replacement)
            out += len(replacement)
        at = match.end()
    starts.append(out)
    origins.append(at)
    lengths.append(None)
    pieces.append(text[at:])
    folded = "".join(pieces)
    lower = folded.lower()
    return Folded(folded, lower if len(lower) == len(folded) else None, starts, origins, lengths)


@lru_cache(maxsize=4)
def folded_text(text: str) -> Folded:
    """fold(text), kept for the few texts asked about most recently (a script quoting one source often)."""
    return fold(text)


def fold_quote(quote: str) -> str:
    """A quote as the import would have written it, then folded: what is looked for in a folded text."""
    quote = unicodedata.normalize("NFC", quote).translate(CHARACTERS)
    return fold(quote).text.strip()


# ----------------------------------------------------------------------------------- nearest places


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int  # code points in the canonical text
    end: int
    text: str
    score: float  # 0–100, how much of the quote is there (rapidfuzz partial ratio on folded text)


def nearest_quotes(
    text: str, quote: str, *, count: int = NEAREST_COUNT, seconds: float = NEAREST_SECONDS
) -> list[Candidate]:
    """The places in `text` most like `quote`, best first, for a message that refuses the quote.

    The folded, lower-cased text is cut into overlapping windows twice the quote's length; rapidfuzz
    scores them all in C, a batch at a time until `seconds` have passed (a long text is then searched
    only in part), and the best windows are aligned with the quote to find the words themselves.
    """
    needle = fold_quote(quote).lower()
    if not needle:
        return []
    folded = folded_text(text)
    haystack = folded.lower if folded.lower is not None else folded.text.lower()
    step = max(len(needle), 20)
    window = 2 * step
    starts = list(range(0, max(1, len(haystack) - step), step))
    deadline = time.monotonic() + seconds
    scored: list[tuple[float, int]] = []
    batch = 2000
    for first in range(0, len(starts), batch):
        chunk = [haystack[at : at + window] for at in starts[first : first + batch]]
        for _, score, k in process.extract(
            needle, chunk, scorer=fuzz.partial_ratio, limit=count * 3, score_cutoff=NEAREST_MIN_SCORE
        ):
            scored.append((score, starts[first + k]))
        if time.monotonic() > deadline:
            break
    scored.sort(key=lambda pair: -pair[0])
    found: list[Candidate] = []
    for _, at in scored:
        alignment = fuzz.partial_ratio_alignment(needle, haystack[at : at + window])
        if alignment is None or alignment.score < NEAREST_MIN_SCORE:
            continue
        start, end = folded.span(at + alignment.dest_start, at + max(alignment.dest_end, alignment.dest_start + 1))
        start, end = _whole_words(text, start, end)
        if any(start < other.end and other.start < end for other in found):
            continue
        found.append(Candidate(start, end, text[start:end], round(alignment.score, 1)))
        if len(found) == count:
            break
    return found


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to whole words and trimmed of white space, so a candidate reads as a quote."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
