"""A quote in a canonical text: finding it once, and the context stored beside it.

`locate_quote` finds a quote exactly or, when only white space differs (a quote copied from the raw
file, a changed rule for joining lines), by matching its words in order; it is how a reader's selection
or an imported quote becomes offsets. `context_for` gives the prefix and suffix of the W3C quote selector
that `placement` compares when it finds passages again after an edit (see the package docstring).
"""

from __future__ import annotations

import re

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


def context_for(text: str, start: int, end: int) -> tuple[str, str]:
    """The (prefix, suffix) around text[start:end], as Passage.from_span stores them."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]
