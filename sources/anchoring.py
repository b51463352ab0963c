"""Finding quotes in a canonical text.

The first piece of anchoring: locate a quote exactly, or, when only white space differs (a quote
copied from the raw file, a changed rule for joining lines), by matching its words in order.
Re-anchoring after edits builds on this.
"""

import re


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
