"""How a reader page is answered without rebuilding it: its ETag, and the layer and page frame kept in memory.

arguments/reader_layer.py builds the layer (the highlighted text and the annotation lists, the part that
grows with the passages); this module decides when it need not be built or sent again.

- **ETag.** A hash of everything the page shows: the map's, source's and viewer's rows as the page's
  statement read them (arguments/reader_query.py), the viewer's role, the map's newest event, the path
  and filters, and the CSRF secret its forms' tokens come from. A browser that already has this exact
  page gets `304 Not Modified` before anything is rendered.
- **The layer** is kept under a key naming the source (id, text revision, text hash), the map (id,
  revision, creation time, so that an id reused after a restore or a rolled-back test never meets an
  old entry), the filters and whose controls it shows. Any change to the map bumps its revision and any
  change to the text bumps the source's, so an entry is never stale, only unused.
- **The page around the layer** (the "frame") is kept per viewer, under a key naming everything it
  shows except what changes with every edit (the counts and the newest event id), which are spliced in
  with the layer. After someone annotates, the other readers get the kept frame with the new layer.

Both are kept in this process's memory (`PageMemory`), not in Django's cache: the local-memory cache
pickles every value, so each cached page copied its megabytes of layer once more, and it bounds the
number of entries, not their size (300 entries of a 10,000-passage layer would be 4 GB).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.utils.http import parse_etags
from django.utils.safestring import mark_safe

from arguments.access import MapAccess
from sources.models import Source

from .layer import CONTROLLED_PARTS, ReaderFilters, build_shared_layer, control_scope, for_viewer

# Bump when the layer's HTML or the page around it changes shape, so that old entries and ETags lapse.
LAYOUT_VERSION = "6"
ETAG_SALT = "warrant.reader.page"


class PageMemory:
    """Values kept by this process, least recently used dropped first once they hold more than `budget` bytes.

    Values are kept as they are (never copied), so they must not be changed: the layer's parts are
    bytes and tuples. Safe to use from several threads (runserver and WSGI servers use them).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def set(self, key: str, value: object, size: int) -> None:
        """Keep the value (unless it alone is larger than the budget), making room by dropping the oldest."""
        if size > self.budget:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._held -= old[1]
            self._entries[key] = (value, size)
            self._held += size
            while self._held > self.budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._held -= dropped

    @property
    def held(self) -> int:
        return self._held

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._held = 0


memory = PageMemory(settings.WARRANT_READER_MEMORY_BYTES)


def forget_all() -> None:
    """Start from nothing kept (tests; bench/reader.py's cold case)."""
    memory.clear()


def layer_size(layer: dict) -> int:
    """The bytes a layer holds, as PageMemory counts them (its HTML; the rest is small)."""
    size = 0
    for value in layer.values():
        if isinstance(value, bytes):
            size += len(value)
        elif isinstance(value, tuple):  # a Controlled part: ((before, owner, control), ...), after
            pieces, after = value
            size += len(after) + sum(len(before) + len(control) for before, _, control in pieces)
    return size


# ----------------------------------------------------------------------------------------------- ETag


def has_messages(request) -> bool:
    """Whether a one-off message waits to be shown (counted without marking it as shown)."""
    return bool(len(get_messages(request)))


@lru_cache(maxsize=1)
def _digest_key() -> bytes:
    # Derived once (django.utils.crypto.salted_hmac derives its key on every call); the ETag is worked
    # out on every request. A key, so that the hash of a page naming a CSRF secret cannot be tried offline.
    return hashlib.sha256((ETAG_SALT + settings.SECRET_KEY).encode()).digest()


def _digest(parts: tuple) -> str:
    """A keyed hash (BLAKE2b's own MAC mode: one call, unlike the hmac module) of the parts' repr."""
    return hashlib.blake2b(repr(parts).encode(), key=_digest_key(), digest_size=32).hexdigest()


def etag_for(request, row_values: tuple, query: str) -> str | None:
    """The page's ETag, or None until the request has a CSRF secret (a first visit gets one on rendering).

    `row_values` is the page's row as its statement read it (arguments/reader_query.py): every column
    of the map, the source (but its text, which the source's revision and hash stand for), the viewer's
    user row, the viewer's role and the map's newest event. So a new title, a new name, a new password,
    a lost role or anyone's edit never meets an old page.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None
    return '"' + _digest((LAYOUT_VERSION, request.path, query, secret, row_values))[:32] + '"'


def not_modified(request, etag: str | None) -> bool:
    if etag is None:
        return False
    header = request.META.get("HTTP_IF_NONE_MATCH")  # (request.headers would copy every header first)
    if not header:
        return False
    if header == etag:  # what a browser sends back: the one tag it was given
        return True
    wanted = [tag.removeprefix("W/") for tag in parse_etags(header)]
    return etag in wanted or "*" in wanted


# ---------------------------------------------------------------------------------------------- layer


def layer_identity(argument_map, source: Source) -> tuple:
    """What names a revision of the layer: the map (id, revision, creation time, so that an id reused after a
    restore or a rolled-back test never meets an old entry) and the source (id, text revision, text hash).

    arguments/reader_query.PageRow.layer_identity gives the same from the page's row.
    """
    created = argument_map.created.timestamp() if argument_map.created else ""
    return (argument_map.pk, argument_map.revision, created, source.pk, source.revision, source.sha256[:16])


def layer_key(identity: tuple, filters: ReaderFilters, query: str, scope: str) -> str:
    """The key of the layer with `scope`'s controls (control_scope); with scope "*", of the parts all layers share."""
    parts = (LAYOUT_VERSION, identity, scope, filters.claim, filters.stance, filters.annotator, query)
    return "reader-layer:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def layer_for(
    access: MapAccess, identity: tuple, filters: ReaderFilters, query: str, load_source: Callable[[], Source]
) -> dict:
    """The layer for this viewer, kept when it can be; its HTML parts as UTF-8 bytes.

    `identity` is the map's and source's `layer_identity`; `load_source` gives the source, which only a
    build needs. The expensive part is built once per revision for everyone (`build_shared_layer`,
    kept under scope "*"); each kind of viewer's layer only adds the controls they may use
    (`for_viewer`), so after a change in a seminar one build serves the owner, the editors, every
    annotator and the viewers. The layers of editors and of viewers are kept too; an annotator's
    (their own controls) is joined afresh each time, in about a millisecond per thousand passages, so
    that memory grows with the sources read and not with the number of annotators reading them.
    """
    scope = control_scope(access)
    key = layer_key(identity, filters, query, scope) if scope in ("all", "none") else None
    layer = memory.get(key) if key else None
    if layer is None:
        shared_key = layer_key(identity, filters, query, "*")
        shared = memory.get(shared_key)
        if shared is None:
            shared = build_shared_layer(access, load_source(), filters, query)
            memory.set(shared_key, shared, layer_size(shared))
        layer = for_viewer(shared, scope, access.user.pk)
        if key:
            memory.set(key, layer, layer_size(layer))
    return layer


# ---------------------------------------------------------------------------------------------- frame


def frame_key(request, frame_values: tuple, query: str) -> str | None:
    """The key of the page around the layer as rendered for this viewer; None without a CSRF secret yet.

    `frame_values` are the page's row but what changes with every edit of the map (PageRow.frame_values):
    the map's and source's columns, the viewer's user row and role. With the path, the filters and
    the CSRF secret, they are everything the frame shows.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None
    return "reader-frame:" + _digest((LAYOUT_VERSION, request.path, query, secret, frame_values))


def cached_frame(key: str) -> bytes | None:
    return memory.get(key)


def keep_frame(key: str, frame: bytes) -> None:
    memory.set(key, frame, len(frame))


# --------------------------------------------------------------------------------------------- splice

# The layer's HTML is large (megabytes at 10,000 passages). Passed through a template it would be copied
# and re-joined at every level of the page, then encoded: most of the time of a cached page. Instead
# the template is rendered with a short marker in place of each part, and the kept UTF-8 bytes are
# spliced in once. User text is escaped, so no marker can come from it.
HTML_PARTS = (
    "doc_html",
    "claim_options",
    "filter_claims",
    "filter_annotators",
    "other_sources",
    "shown",
    "total",
    "claim_count",
    *CONTROLLED_PARTS.values(),
)
_MARKER = re.compile(rb"<!--warrant-layer:(\w+)-->")


def for_template(layer: dict) -> dict:
    """The layer as the templates see it: markers for the HTML parts, everything else as it is."""
    return {**layer, **{name: mark_safe(f"<!--warrant-layer:{name}-->") for name in HTML_PARTS}}


# The newest event of the map, which static/js/live.js follows from, is spliced in like the layer's
# parts: with it and the counts in the layer, the page around the layer does not change when the
# map does, and is rendered once per viewer rather than once per viewer and change (frame_key).
LAST_EVENT_MARKER = mark_safe("<!--warrant-layer:last_event-->")


def page_parts(layer: dict, last_event_id: int | None) -> dict:
    """What the markers of a reader page stand for: the layer's parts and the map's newest event id."""
    return {**layer, "last_event": b"" if last_event_id is None else str(last_event_id).encode()}


def splice(frame: bytes, layer: dict) -> list[bytes]:
    """The rendered page (UTF-8, with markers) as pieces, with the layer's parts in place of their markers."""
    pieces = _MARKER.split(frame)
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        out.append(layer[pieces[i].decode()])
        out.append(pieces[i + 1])
    return out


def page_response(pieces: list[bytes], status: int = 200, headers: dict | None = None) -> HttpResponse:
    """A response made of the page's pieces, never joined into one string here.

    Joining them meant asking for a new block of megabytes per page, which the C allocator handed
    back to the system after each request and took again, page by page, at the next: about 300
    page faults per cached 1,000-passage page, which took 1.9 ms on average instead of 0.8 ms. A WSGI
    server writes the pieces one after another; under ASGI Django joins them itself. The length is
    given here, because CommonMiddleware would otherwise join the pieces to measure them.
    """
    response = HttpResponse(status=status, headers=headers)
    for piece in pieces:
        response.write(piece)
    response["Content-Length"] = str(sum(map(len, pieces)))
    return response
