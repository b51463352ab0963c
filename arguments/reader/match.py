"""The reader's mark of one search hit: `?match=<start>-<end>` wraps that span of the text in <mark>s.

Search links every hit in a source text to the reader at its place (…/?match=120-164#match). The
reader's text HTML is kept ready-made per revision (cache.py), so the span is marked in that HTML as
it is sent: its DOM text is exactly the source text (rendering.render_reader), so text offsets are
counted by skipping tags and reading each entity as one character. The span may cross paragraphs and
highlights, so each run of text inside it gets its own <mark class="search-match">; the first has
id="match", the fragment the link ends with.
"""

import re

MAX_SPAN = 2000  # characters: a search hit's window is far shorter
_PARAM = re.compile(r"(\d{1,9})-(\d{1,9})")
_PIECE = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]+|&")


def match_span(raw: str) -> tuple[int, int] | None:
    """The span a `?match=` value names, or None when it names none worth marking."""
    found = _PARAM.fullmatch(raw.strip())
    if not found:
        return None
    start, end = int(found[1]), int(found[2])
    return (start, end) if start < end <= start + MAX_SPAN else None


def mark_match(doc_html: bytes, start: int, end: int) -> bytes:
    html = doc_html.decode()
    out: list[str] = []
    offset, first = 0, True
    for piece in _PIECE.finditer(html):
        chunk = piece.group()
        if chunk.startswith("<"):
            out.append(chunk)
            continue
        entity = chunk.startswith("&") and len(chunk) > 1
        length = 1 if entity else len(chunk)
        left, right = max(start - offset, 0), min(end - offset, length)
        if left >= right or chunk[left:right].isspace():
            out.append(chunk)
        elif entity:
            out.append(_open(first) + chunk + "</mark>")
            first = False
        else:
            out.append(chunk[:left] + _open(first) + chunk[left:right] + "</mark>" + chunk[right:])
            first = False
        offset += length
    return "".join(out).encode()


def _open(first: bool) -> str:
    return '<mark class="search-match" id="match">' if first else '<mark class="search-match">'
