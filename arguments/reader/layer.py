"""The reader's annotation layer: the highlighted text and the annotation lists, built for a map and a source.

The layer is the part of the reader that grows with the number of passages. It is built from one
`values_list` query with plain string joins (templates cost tens of microseconds per row, see
TRAPS.md). What every viewer shares is built once (`build_shared_layer`); a viewer's own layer is
that with the controls they may use joined in (`for_viewer`), which costs no query and little time.
CSRF tokens differ per session, so the layer holds no form: an annotation's controls are a link to
its edit form.

arguments/reader_cache.py decides when a layer need not be built again.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape

from django.contrib.auth import get_user_model
from django.urls import reverse

from arguments.access import MapAccess
from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, MapSource, Stance
from sources.models import AnchorStatus, Source
from sources.rendering import Span, render_reader

LABEL_CLAIM_CHARS = 90
QUOTE_WORDS = 24
ORPHAN_QUOTE_WORDS = 60
STANCE_LABELS = dict(Stance.choices)
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


# The parts of the shared layer that hold controls, and the names of the parts for_viewer makes of them.
CONTROLLED_PARTS = {"list_parts": "list_html", "orphan_parts": "orphans_html"}


def build_shared_layer(access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> dict:
    """`build_layer`, with its HTML as UTF-8 bytes (as pages are sent) and its lists as tuples (never changed)."""
    with _cyclic_gc_paused():
        layer = build_layer(access, source, filters, query)
        for name, value in layer.items():
            if name in CONTROLLED_PARTS:
                pieces, after = value
                layer[name] = (tuple((b.encode(), who, c.encode()) for b, who, c in pieces), after.encode())
            else:
                layer[name] = value.encode()
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


def clipped(text: str, limit: int = LABEL_CLAIM_CHARS) -> str:
    """The text, cut to `limit` characters with an ellipsis when longer."""
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
KeptControlled = tuple[tuple[tuple[bytes, int | None, bytes], ...], bytes]  # as build_shared_layer keeps them


def build_layer(access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> dict:
    """Render the layer as every viewer shares it: one query for the evidence, one for the claims, one for
    the map's other sources. `for_viewer` then adds the controls a viewer may use.

    The work per passage is plain string building (no template, no reverse(), no per-row helper
    calls), and text repeated across rows (a claim, an author) is escaped once.
    """
    argument_map = access.map
    rows = evidence_rows(argument_map, source)
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
            css, label = f"stance-{first[9]}", f"{first[9]}: {clipped(first[8])}"
        else:
            css = " ".join(sorted({f"stance-{r[9]}" for r in rs}))
            label = "; ".join(f"{r[9]}: {clipped(r[8])}" for r in rs)
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


def evidence_rows(argument_map: ArgumentMap, source: Source) -> list[tuple]:
    """The map's evidence on the source in reading order, as the tuples the layer is built from:
    (id, passage id, start, end, exact, anchor status, passage version, claim id, claim text, stance,
    note, author id, author's username, version).

    On its own because it is the floor of a cold page: bench/reader.py times it apart.
    """
    username_field = "created_by__" + get_user_model().USERNAME_FIELD
    return list(
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
    layer = {name: value for name, value in shared.items() if name not in CONTROLLED_PARTS}
    for name, html_name in CONTROLLED_PARTS.items():
        layer[html_name] = _with_controls(shared[name], scope, own_id)
    return layer


def _with_controls(parts: KeptControlled, scope: str, own_id: int | None) -> bytes:
    """The HTML of `Controlled` parts (as build_shared_layer keeps them), with the controls this viewer may use."""
    pieces, after = parts
    everyone = scope == "all"
    joined = []
    for before, owner, control in pieces:
        joined.append(before)
        if everyone or (own_id is not None and owner == own_id):
            joined.append(control)
    joined.append(after)
    return b"".join(joined)
