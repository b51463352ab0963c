"""The reader's annotation layer: the highlighted text and the annotation lists, rendered once per revision.

The layer is the part of the reader that grows with the number of passages. It is built from one
`values_list` query with plain string joins (templates cost tens of microseconds per row, see
TRAPS.md) and kept in Django's cache under a key made of everything the HTML depends on:

- the source (id, text revision, text hash) and the map (id, revision, creation time, so a reused id
  after a database restore or a rolled-back test never hits an old entry);
- the filters in the query string;
- the viewer's controls: none (readers), every annotation (editors and owners), or their own
  (annotators, so the user id is part of the key only for them).

What every viewer shares is built once and cached under the scope "*"; a viewer's own layer is that
with their controls joined in (`for_viewer`), which costs no query and little time.

Any change to the map bumps its revision and any change to the text bumps the source's revision, so
an entry is never stale, only unused; the timeout merely bounds memory. CSRF tokens differ per
session, so the cached HTML holds no form: an annotation's controls are a link to its edit form.

The same key, plus the user and their CSRF secret, gives the page's ETag: a browser that already
has this exact page gets `304 Not Modified` before anything is rendered, and one asking again
without it gets the page around the layer from the cache too (`cached_frame`), templates unrun.
"""

from __future__ import annotations

import gc
import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags
from django.utils.safestring import mark_safe

from sources.models import AnchorStatus, Source
from sources.rendering import Span, render_reader

from .access import MapAccess
from .models import Claim, ClaimKind, Evidence, MapSource, Stance

# Bump when the layer's HTML or the page around it changes shape, so that old entries and ETags lapse.
LAYOUT_VERSION = "5"
CACHE_SECONDS = 60 * 60
LABEL_CLAIM_CHARS = 90
QUOTE_WORDS = 24
ORPHAN_QUOTE_WORDS = 60
STANCE_LABELS = dict(Stance.choices)
ETAG_SALT = "warrant.reader.page"
_ID = 987654321  # stands for an object id while reversing URL patterns once per layer


@dataclass(frozen=True)
class ReaderFilters:
    claim: str = ""
    stance: str = ""
    annotator: str = ""

    @property
    def active(self) -> bool:
        return bool(self.claim or self.stance or self.annotator)

    def matches(self, claim_id: int, stance: str, username: str) -> bool:
        if self.claim and claim_id != int(self.claim):
            return False
        if self.stance and stance != self.stance:
            return False
        return not (self.annotator and username != self.annotator)


def control_scope(access: MapAccess) -> str:
    """Which annotations the viewer gets controls for: 'all', 'own:<user id>' or 'none'."""
    if access.can_edit:
        return "all"
    if access.can_annotate:
        return f"own:{access.user.pk}"
    return "none"


def layer_key(access: MapAccess, source: Source, filters: ReaderFilters, query: str, scope: str | None = None) -> str:
    """The cache key of the viewer's layer; with scope="*", of the parts every viewer's layer is made from."""
    m = access.map
    parts = (
        LAYOUT_VERSION,
        source.pk,
        source.revision,
        source.sha256[:16],
        m.pk,
        m.revision,
        m.created.timestamp() if m.created else "",
        control_scope(access) if scope is None else scope,
        filters.claim,
        filters.stance,
        filters.annotator,
        query,
    )
    return "reader-layer:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def has_messages(request) -> bool:
    """Whether a one-off message waits to be shown (counted without marking it as shown)."""
    return bool(len(get_messages(request)))


def etag_for(request, access: MapAccess, source: Source, filters: ReaderFilters, query: str, user_row) -> str | None:
    """The page's ETag, or None until the request has a CSRF secret (a first visit gets one on rendering).

    `user_row` is the viewer's user row as the page's statement read it (None for visitors): every
    column counts, so a new name, a new password or a lost account never meets an old page.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None
    parts = (
        layer_key(access, source, filters, query),
        request.path,
        access.role,
        access.map.last_event_id,  # live.js follows events from the newest one the page names
        secret,  # the page's forms carry tokens made from it; after a login it changes
        source.version,
        source.updated.isoformat() if source.updated else "",  # bibliographic fields shown in the header
        None if user_row is None else [getattr(user_row, name) for name in _user_attnames()],
    )
    return '"' + salted_hmac(ETAG_SALT, repr(parts)).hexdigest()[:32] + '"'


@lru_cache(maxsize=1)
def _user_attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in get_user_model()._meta.concrete_fields)


def not_modified(request, etag: str | None) -> bool:
    if etag is None:
        return False
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    wanted = [tag.removeprefix("W/") for tag in parse_etags(header)]
    return etag in wanted or "*" in wanted


# ------------------------------------------------------------------------------------------ the layer


def layer_for(request, access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> dict:
    """The layer for this viewer, from the cache when it can be; its HTML parts as UTF-8 bytes.

    The expensive part is built once per revision for everyone (`build_layer`, cached under scope
    "*"); each kind of viewer's layer only adds the controls they may use (`for_viewer`), so after a
    change in a seminar one page build serves the owner, the editors, every annotator and the viewers.
    The layers of editors and of viewers are kept too; an annotator's (their own controls) is joined
    afresh each time, in about a millisecond per thousand passages, so that memory grows with the
    sources read and not with the number of annotators reading them.
    """
    scope = control_scope(access)
    key = layer_key(access, source, filters, query) if scope in ("all", "none") else None
    layer = cache.get(key) if key else None
    if layer is None:
        with _cyclic_gc_paused():
            shared_key = layer_key(access, source, filters, query, scope="*")
            shared = cache.get(shared_key)
            if shared is None:
                shared = build_layer(access, source, filters, query)
                for name in SHARED_HTML_PARTS:
                    shared[name] = shared[name].encode()
                for name in ("list_parts", "orphan_parts"):
                    pieces, after = shared[name]
                    shared[name] = ([(b.encode(), who, c.encode()) for b, who, c in pieces], after.encode())
                cache.set(shared_key, shared, CACHE_SECONDS)
            layer = for_viewer(shared, scope, access.user.pk)
            if key:
                cache.set(key, layer, CACHE_SECONDS)
    return layer


@contextmanager
def _cyclic_gc_paused():
    """Building a layer makes tens of thousands of tuples and strings and no reference cycles, so the
    cycle collector has nothing to find, yet the allocations set it off again and again over the
    whole heap: with it running, 10,000 passages cost 1.4x per passage what 1,000 do; paused, 1.05x
    (bench/reader.py). Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The page around the layer, as rendered for one viewer. Its key names everything that page shows
# except what is spliced in (the layer's parts, the counts, the newest event), so a change to the map's
# claims or evidence leaves it valid, while a new title, role, name or CSRF secret gives a new key.
FRAME_PREFIX = "reader-frame:"
_FRAME_MAP_COLUMNS_NOT_SHOWN = {"revision", "updated"}  # change with every edit; the frame shows neither
_FRAME_SOURCE_COLUMNS_NOT_SHOWN = {"text", "original"}  # the text is in the layer; the page row defers both


def frame_key(request, access: MapAccess, source: Source, query: str, user_row) -> str | None:
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None
    m, shown = access.map, [f for f in source._meta.concrete_fields if f.name not in _FRAME_SOURCE_COLUMNS_NOT_SHOWN]
    parts = (
        LAYOUT_VERSION,
        request.path,
        query,
        access.role,
        secret,
        [getattr(m, f.attname) for f in m._meta.concrete_fields if f.name not in _FRAME_MAP_COLUMNS_NOT_SHOWN],
        [getattr(source, f.attname) for f in shown],
        None if user_row is None else [getattr(user_row, name) for name in _user_attnames()],
    )
    return FRAME_PREFIX + salted_hmac(ETAG_SALT, repr(parts)).hexdigest()


def cached_frame(key: str) -> bytes | None:
    return cache.get(key)


def keep_frame(key: str, frame: bytes) -> None:
    cache.set(key, frame, CACHE_SECONDS)


# The layer's HTML is large (megabytes at 10,000 passages). Passed through a template it would be copied
# and re-joined at every level of the page, then encoded: most of the time of a cached page. Instead
# the template is rendered with a short marker in place of each part, and the stored UTF-8 bytes are
# spliced in once. User text is escaped, so no marker can come from it.
HTML_PARTS = (
    "doc_html",
    "orphans_html",
    "list_html",
    "claim_options",
    "filter_claims",
    "filter_annotators",
    "other_sources",
    "shown",
    "total",
    "claim_count",
)
SHARED_HTML_PARTS = tuple(name for name in HTML_PARTS if name not in ("list_html", "orphans_html"))
_MARKER = re.compile(rb"<!--warrant-layer:(\w+)-->")


def for_template(layer: dict) -> dict:
    """The layer as the templates see it: markers for the HTML parts, everything else as it is."""
    return {**layer, **{name: mark_safe(f"<!--warrant-layer:{name}-->") for name in HTML_PARTS}}


# The newest event of the map, which static/js/live.js follows from, is spliced in like the layer's
# parts: with it and the counts in the layer, the page around the layer does not change when the
# map does, and is rendered once per viewer rather than once per viewer and change (frame_key).
LAST_EVENT_MARKER = mark_safe("<!--warrant-layer:last_event-->")


def page_parts(layer: dict, argument_map) -> dict:
    """What the markers of a reader page stand for: the layer's parts and the map's newest event id."""
    last_event = argument_map.last_event_id
    return {**layer, "last_event": b"" if last_event is None else str(last_event).encode()}


def splice(frame: bytes, layer: dict) -> bytes:
    """The rendered page (UTF-8, with markers) with the layer's parts in place of their markers."""
    pieces = _MARKER.split(frame)
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        out.append(layer[pieces[i].decode()])
        out.append(pieces[i + 1])
    return b"".join(out)


def _short(text: str, limit: int = LABEL_CLAIM_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _words(text: str, limit: int) -> str:
    """The first `limit` words of the text, with an ellipsis if there are more (splitting no further)."""
    words = text.split(None, limit)
    if len(words) > limit:
        return " ".join(words[:limit]) + "…"
    return " ".join(words)


class _Escaped(dict):
    """HTML-escaped strings, each escaped once however often it occurs (a claim cited many times)."""

    def __missing__(self, text: str) -> str:
        value = self[text] = escape(text)
        return value


class _Urls:
    """URL builders reversed once per layer instead of once per row."""

    def __init__(self, map_slug: str, source_slug: str, query: str) -> None:
        suffix = f"?{query}" if query else ""

        def pattern(name: str, *args) -> tuple[str, str]:
            head, tail = reverse(f"arguments:{name}", args=[*args, _ID]).split(str(_ID))
            return head, tail

        self.claim = pattern("claim", map_slug)
        self.edit = pattern("reader_evidence_edit", map_slug, source_slug)
        self.delete = pattern("reader_evidence_delete", map_slug, source_slug)
        self.reattach = pattern("reattach", map_slug, source_slug)
        self.suffix = escape(suffix)

    @staticmethod
    def of(pattern: tuple[str, str], pk: int) -> str:
        return f"{pattern[0]}{pk}{pattern[1]}"


# Parts of the layer that hold controls not every viewer may use, kept as (HTML before a control, whose
# control it is (a user id, or None for editors only), the control's HTML) for each control in turn,
# then the HTML after the last one. `_with_controls` joins them for one viewer.
Controlled = tuple[list[tuple[str, int | None, str]], str]


def build_layer(access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> dict:
    """Render the layer as every viewer shares it: one query for the evidence, one for the claims, one for
    the map's other sources. `for_viewer` then adds the controls a viewer may use.

    The work per passage is plain string building (no template, no reverse(), no per-row helper
    calls), and text repeated across rows (a claim, an author) is escaped once.
    """
    argument_map = access.map
    username_field = "created_by__" + get_user_model().USERNAME_FIELD
    rows = list(
        Evidence.objects.filter(map=argument_map, passage__source=source)
        .order_by("passage__start", "passage__end", "id")
        .values_list(
            "id",
            "passage_id",
            "passage__start",
            "passage__end",
            "passage__exact",
            "passage__anchor_status",
            "passage__version",
            "claim_id",
            "claim__text",
            "stance",
            "note",
            "created_by_id",
            username_field,
            "version",
        )
    )
    text = source.text
    urls = _Urls(argument_map.slug, source.slug, query)

    shown = [r for r in rows if filters.matches(r[7], r[9], r[12] or "")] if filters.active else rows
    orphaned_status = AnchorStatus.ORPHANED
    placed = [r for r in shown if r[5] != orphaned_status]
    orphaned = [r for r in shown if r[5] == orphaned_status] if len(placed) < len(shown) else []

    by_passage: dict[int, list[tuple]] = {}
    for r in placed:
        if r[1] in by_passage:
            by_passage[r[1]].append(r)
        else:
            by_passage[r[1]] = [r]
    spans = []
    for pid, rs in by_passage.items():
        first = rs[0]
        if len(rs) == 1:  # most passages serve one claim
            css, label = f"stance-{first[9]}", f"{first[9]}: {_short(first[8])}"
        else:
            css = " ".join(sorted({f"stance-{r[9]}" for r in rs}))
            label = "; ".join(f"{r[9]}: {_short(r[8])}" for r in rs)
        spans.append(Span(pid, first[2], first[3], css, label))

    esc = _Escaped()
    if placed:
        list_parts = _items(placed, urls, esc)
    elif filters.active:
        list_parts = ([], '<p class="muted">No annotations match these filters.</p>')
    else:
        list_parts = ([], '<p class="muted">No passages of this source are linked to claims yet.</p>')

    claims = list(Claim.objects.filter(map=argument_map).order_by("kind", "id").values_list("id", "text", "kind"))
    linked = {r[7]: r[8] for r in rows}
    others = MapSource.objects.filter(map=argument_map).exclude(source=source).order_by("position", "id")
    other_sources = "".join(
        f'<li><a href="{reverse("arguments:source", args=[argument_map.slug, slug])}">{escape(title)}</a></li>'
        for title, slug in others.values_list("source__title", "source__slug")
    )
    thesis = ClaimKind.THESIS
    return {
        "doc_html": render_reader(text, spans, focusable=True),
        "list_parts": list_parts,
        "orphan_parts": _orphans(orphaned, urls),
        "shown": str(len(placed)),
        "total": str(len(placed) if shown is rows else sum(1 for r in rows if r[5] != orphaned_status)),
        "claim_count": f"{len(claims)} claim{'' if len(claims) == 1 else 's'}",
        "claim_options": "".join(
            [
                f'<option value="{pk}">{"Thesis: " if kind == thesis else ""}'
                f"{esc[text] if len(text) <= 160 else escape(text[:159] + '…')}</option>"
                for pk, text, kind in claims
            ]
        ),
        "filter_claims": "".join(
            [
                f'<option value="{pk}"{" selected" if filters.claim == str(pk) else ""}>'
                f"{esc[text] if len(text) <= 70 else escape(text[:69] + '…')}</option>"
                for pk, text in sorted(linked.items())
            ]
        ),
        "filter_annotators": "".join(
            f'<option value="{escape(name)}"{" selected" if filters.annotator == name else ""}>{escape(name)}</option>'
            for name in sorted({r[12] for r in rows if r[12]})
        ),
        "other_sources": other_sources or '<li class="muted">None</li>',
    }


def _items(rows: list[tuple], urls: _Urls, esc: _Escaped) -> Controlled:
    """The annotation list, one item per evidence row, each with its author's controls (see `Controlled`).

    Controls are one link, not the forms themselves: a thousand annotations would otherwise carry a
    thousand forms. reader.js loads the form in place; without JavaScript the link opens it as a page.
    """
    claim_head, claim_tail = urls.claim
    edit_head, edit_tail = urls.edit
    edit_tail += urls.suffix
    claim_links: dict[int, str] = {}  # claim id -> its paragraph, escaped once however many rows cite it
    bylines: dict[str | None, str] = {}
    parts = []
    append = parts.append
    before = '<ol class="annotations" id="annotation-list">'
    for ev_id, pid, _, _, exact, _, _, claim_id, claim_text, stance, note, author_id, username, _ in rows:
        claim_link = claim_links.get(claim_id)
        if claim_link is None:
            claim_link = claim_links[claim_id] = (
                f'<p class="annotation-claim">→ <a href="{claim_head}{claim_id}{claim_tail}">{esc[claim_text]}</a></p>'
            )
        byline = bylines.get(username)
        if byline is None:
            byline = bylines[username] = f'<p class="meta">by {escape(username or "someone")}</p>'
        item = (
            f'{before}<li class="annotation" id="annotation-{ev_id}" data-passage="{pid}" tabindex="-1">'
            f'<span class="stance {stance}">{STANCE_LABELS.get(stance, stance)}</span>'
            f'<blockquote class="quote {stance}">'
            f'<a href="#passage-{pid}">“{escape(_words(exact, QUOTE_WORDS))}”</a></blockquote>'
            f"{claim_link}{byline}"
        )
        if note:
            item += f'<p class="note">{escape(note)}</p>'
        control = (
            f'<div class="annotation-controls"><a href="{edit_head}{ev_id}{edit_tail}" data-evidence-edit>'
            "Edit or delete…</a></div>"
        )
        append((item, author_id, control))
        before = "</li>"
    return parts, "</li></ol>"


def _orphans(rows: list[tuple], urls: _Urls) -> Controlled:
    """The passages that lost their place: old quote, the claims they serve, and a way to re-attach each.

    Annotators may re-attach a passage only if every annotation on it is theirs.
    """
    if not rows:
        return [], ""
    by_passage: dict[int, list[tuple]] = {}
    for r in rows:
        by_passage.setdefault(r[1], []).append(r)
    parts = []
    before = (
        '<section class="orphans" id="orphans" aria-labelledby="orphans-heading">'
        f'<h2 id="orphans-heading">Passages to re-attach <span class="muted small">({len(by_passage)})</span></h2>'
        '<p class="small">The text of this source was edited and these passages could not be found in it '
        "with confidence. They keep their claims; select their new words in the text to re-attach them.</p>"
        '<ol class="orphan-list" id="orphan-list">'
    )
    for pid, rs in by_passage.items():
        exact, passage_version = rs[0][4], rs[0][6]
        claims = "".join(
            f'<li><span class="stance {r[9]}">{STANCE_LABELS.get(r[9], r[9])}</span> '
            f'<a href="{urls.of(urls.claim, r[7])}">{escape(r[8])}</a> '
            f'<span class="meta">by {escape(r[12] or "someone")}</span></li>'
            for r in rs
        )
        authors = {r[11] for r in rs}
        sole_author = next(iter(authors)) if len(authors) == 1 else None
        url = urls.of(urls.reattach, pid) + urls.suffix
        control = (
            f'<p class="orphan-actions"><a class="button small secondary" href="{url}" data-reattach="{pid}" '
            f'data-version="{passage_version}">Re-attach…</a></p>'
        )
        item = (
            f'{before}<li class="orphan" id="orphan-{pid}" data-orphan="{pid}" tabindex="-1">'
            f'<blockquote class="quote orphaned">“{escape(_words(exact, ORPHAN_QUOTE_WORDS))}”</blockquote>'
            f'<ul class="orphan-claims">{claims}</ul>'
        )
        parts.append((item, sole_author, control))
        before = "</li>"
    return parts, "</li></ol></section>"


def for_viewer(shared: dict, scope: str, user_id: int | None) -> dict:
    """The layer one kind of viewer sees (see control_scope): the shared parts with their controls added."""
    own_id = user_id if scope.startswith("own:") else None
    layer = {name: value for name, value in shared.items() if name not in ("list_parts", "orphan_parts")}
    layer["list_html"] = _with_controls(shared["list_parts"], scope, own_id)
    layer["orphans_html"] = _with_controls(shared["orphan_parts"], scope, own_id)
    return layer


def _with_controls(parts: tuple[list[tuple[bytes, int | None, bytes]], bytes], scope: str, own_id: int | None) -> bytes:
    """The HTML of `Controlled` parts (kept as UTF-8 in the cache), with the controls this viewer may use."""
    pieces, after = parts
    everyone = scope == "all"
    joined = []
    for before, owner, control in pieces:
        joined.append(before)
        if everyone or (own_id is not None and owner == own_id):
            joined.append(control)
    joined.append(after)
    return b"".join(joined)
