"""Clipping claim and quote texts where a page clips one per row (the reader's passages, the outline's and
graph's claims): Django's Truncator normalises and walks every character, which costs tens of
microseconds a call, a thousand times over on a large map (bench/reader.py). Elsewhere, use
django.utils.text.Truncator (or the truncatechars filter) as usual."""


def clip(text: str, limit: int) -> str:
    """The text cut to `limit` characters, the last of them an ellipsis, when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip_words(text: str, limit: int) -> str:
    """The first `limit` words of the text, with an ellipsis if there are more."""
    words = text.split(None, limit)
    if len(words) > limit:
        return " ".join(words[:limit]) + "…"
    return " ".join(words)


def clip_at_word(text: str, limit: int) -> str:
    """The text on one line, cut to `limit` characters at a word boundary (in its second half), with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"
