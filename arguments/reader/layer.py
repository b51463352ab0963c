"""The reader's annotation layer: the highlighted text and the annotation lists, built for a map and a source.

The layer is the part of the reader that grows with the number of passages. It is built from one
`values_list` query with plain string joins rather than templates, because a template costs tens of
microseconds per row (bench/reader.py measures it). What every viewer shares is built
once per revision (`build_shared_layer`, kept by cache.py); a viewer's own layer is that with the
controls they may use joined in (`for_viewer`), which costs no query and little time. CSRF tokens
differ per session, so the layer holds no form: an annotation's controls are a link to its edit form.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.urls import reverse

from arguments.access import MapAccess
from arguments.clipping import clip, clip_words
from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, MapSource, Stance
from sources.models import AnchorStatus, Source
from sources.rendering import Span, render_reader

LABEL_CLAIM_CHARS = 90
QUOTE_WORDS = 24
ORPHAN_QUOTE_WORDS = 60
STANCE_LABELS = dict(Stance.choices)
_ID = 987654321  # stands for an object id while reversing URL patterns once per layer


class EvidenceRow(NamedTuple):
    """One piece of evidence on the source, as the layer is built from it (see `evidence_rows`)."""

    id: int
    passage_id: int
    start: int
    end: int
    exact: str
    anchor_status: str
    passage_version: int
    claim_id: int
    claim_text: str
    stance: str
    note: str
    author_id: int | None
    author: str | None


@dataclass(frozen=True)
class ReaderFilters:
    claim: str = ""
    stance: str = ""
    annotator: str = ""

    @property
    def active(self) -> bool:
        return bool(self.claim or self.stance or self.annotator)

    def matches(self, row: EvidenceRow) -> bool:
        if self.claim and row.claim_id != int(self.claim):
            return False
        if self.stance and row.stance != self.stance:
            return False
        return not (self.annotator and (row.author or "") != self.annotator)


def control_scope(access: MapAccess) -> str:
    """Which annotations the viewer gets controls for: 'all', 'own' or 'none'."""
    if access.can_edit:
        return "all"
    if access.can_annotate:
        return "own"
    return "none"


class _Escaped(dict):
    """HTML-escaped strings, each escaped once however often it occurs (a claim cited many times)."""

    def __missing__(self, text: str) -> str:
        value = self[text] = escape(text)
        return value


class _Urls:
    """URL builders reversed once per layer instead of once per row."""

    def __init__(self, map_slug: str, source_slug: str, query: str) -> None:
        def pattern(name: str, *args) -> tuple[str, str]:
            head, tail = reverse(f"arguments:{name}", args=[*args, _ID]).split(str(_ID))
            return head, tail

        self.claim = pattern("claim", map_slug)
        self.edit = pattern("reader_evidence_edit", map_slug, source_slug)
        self.reattach = pattern("reattach", map_slug, source_slug)
        self.suffix = escape(f"?{query}" if query else "")

    @staticmethod
    def of(pattern: tuple[str, str], pk: int) -> str:
        return f"{pattern[0]}{pk}{pattern[1]}"


class Controlled(NamedTuple):
    """HTML holding controls not every viewer may use: for each control in turn, the HTML before it,
    whose control it is (an author's user id, for an annotator's own) and the control's HTML; then the
    HTML after the last one. `for_viewer` joins them for one viewer. Strings while built, UTF-8 bytes as kept."""

    pieces: tuple[tuple[str | bytes, int | None, str | bytes], ...]
    after: str | bytes


# The parts of the shared layer that hold controls, and the names of the parts for_viewer makes of them.
CONTROLLED_PARTS = {"list_parts": "list_html", "orphan_parts": "orphans_html"}
# The parts of a viewer's layer that are HTML (the others are counts and words).
HTML_PARTS = (
    "doc_html",
    "claim_choices",
    "filter_claims",
    "filter_annotators",
    "other_sources",
    "list_html",
    "orphans_html",
)


def build_shared_layer(access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> dict:
    """The layer as every viewer shares it, its HTML as UTF-8 bytes, as pages are sent (see views.py)."""
    with _cyclic_gc_paused():
        layer = build_layer(access, source, filters, query)
        for name, value in layer.items():
            if isinstance(value, Controlled):
                pieces = tuple((before.encode(), author, control.encode()) for before, author, control in value.pieces)
                layer[name] = Controlled(pieces, value.after.encode())
            elif name in HTML_PARTS:
                layer[name] = value.encode()
        return layer


def build_layer(access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> dict:
    """The layer as every viewer shares it: one query for the evidence, one for the claims, one for the
    map's other sources. `for_viewer` then adds the controls a viewer may use.

    The work per passage is plain string building (no template, no reverse(), no per-row helper
    calls), and text repeated across rows (a claim, an author) is escaped once.
    """
    argument_map = access.map
    rows = evidence_rows(argument_map, source)
    urls = _Urls(argument_map.slug, source.slug, query)

    shown = [r for r in rows if filters.matches(r)] if filters.active else rows
    placed = [r for r in shown if r.anchor_status != AnchorStatus.ORPHANED]
    orphaned = [r for r in shown if r.anchor_status == AnchorStatus.ORPHANED] if len(placed) < len(shown) else []

    esc = _Escaped()
    if placed:
        list_parts = _items(placed, urls, esc)
    elif filters.active:
        list_parts = Controlled((), '<p class="muted">No annotations match these filters.</p>')
    else:
        list_parts = Controlled((), '<p class="muted">No passages of this source are linked to claims yet.</p>')

    claims = list(Claim.objects.filter(map=argument_map).order_by("kind", "id").values_list("id", "text", "kind"))
    linked = {r.claim_id: r.claim_text for r in rows}
    others = MapSource.objects.filter(map=argument_map).exclude(source=source).order_by("position", "id")
    other_sources = "".join(
        f'<li><a href="{reverse("arguments:source", args=[argument_map.slug, slug])}">{escape(title)}</a></li>'
        for title, slug in others.values_list("source__title", "source__slug")
    )
    total = len(placed) if shown is rows else sum(1 for r in rows if r.anchor_status != AnchorStatus.ORPHANED)
    return {
        "doc_html": render_reader(source.text, _spans(placed), focusable=True),
        "list_parts": list_parts,
        "orphan_parts": _orphans(orphaned, urls),
        "shown": str(len(placed)),
        "total": str(total),
        "claim_count": f"{len(claims)} claim{'' if len(claims) == 1 else 's'}",
        "claim_choices": claim_choices(claims, "claim", esc=esc),
        "filter_claims": "".join(
            f'<option value="{pk}"{" selected" if filters.claim == str(pk) else ""}>{esc[clip(text, 70)]}</option>'
            for pk, text in sorted(linked.items())
        ),
        "filter_annotators": "".join(
            f'<option value="{escape(name)}"{" selected" if filters.annotator == name else ""}>{escape(name)}</option>'
            for name in sorted({r.author for r in rows if r.author})
        ),
        "other_sources": other_sources or '<li class="muted">None</li>',
    }


def claim_choices(claims, name: str, *, checked: str | None = None, esc: _Escaped | None = None) -> str:
    """The map's claims as radio buttons named `name`, each with its whole text (the annotate dialog's
    pickers, which wrap long claims and filter them as the reader types: reader/dialog.js)."""
    esc = esc if esc is not None else _Escaped()
    return "".join(
        f'<label class="claim-choice"><input type="radio" name="{name}" value="{pk}"'
        f"{' checked' if checked == str(pk) else ''}> "
        f"{'<strong>Thesis:</strong> ' if kind == ClaimKind.THESIS else ''}{esc[text]}</label>"
        for pk, text, kind in claims
    )


@contextmanager
def _cyclic_gc_paused():
    """Building a layer makes tens of thousands of tuples and strings and no reference cycles, so the
    cycle collector has nothing to find, yet the allocations set it off again and again over the whole
    heap, which makes the cost per passage grow with the number of passages (bench/reader.py).
    Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evidence_rows(argument_map: ArgumentMap, source: Source) -> list[EvidenceRow]:
    """The map's evidence on the source in reading order.

    On its own because it is the floor of a cold page: bench/reader.py times it apart.
    """
    author = "created_by__" + get_user_model().USERNAME_FIELD
    rows = (
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
            author,
        )
    )
    return list(map(EvidenceRow._make, rows))


def _spans(placed: list[EvidenceRow]) -> list[Span]:
    """One highlight per passage, labelled with the claims it serves (most passages serve one)."""
    by_passage: dict[int, list[EvidenceRow]] = {}
    for r in placed:
        by_passage.setdefault(r.passage_id, []).append(r)
    spans = []
    for pid, rs in by_passage.items():
        first = rs[0]
        if len(rs) == 1:
            css, label = f"stance-{first.stance}", f"{first.stance}: {clip(first.claim_text, LABEL_CLAIM_CHARS)}"
        else:
            css = " ".join(sorted({f"stance-{r.stance}" for r in rs}))
            label = "; ".join(f"{r.stance}: {clip(r.claim_text, LABEL_CLAIM_CHARS)}" for r in rs)
        spans.append(Span(pid, first.start, first.end, css, label))
    return spans


def _items(rows: list[EvidenceRow], urls: _Urls, esc: _Escaped) -> Controlled:
    """The annotation list, one item per evidence row, each with its author's controls.

    Controls are one link, not the forms themselves: a thousand annotations would otherwise carry a
    thousand forms. reader.js loads the form in place; without JavaScript the link opens it as a page.
    """
    claim_head, claim_tail = urls.claim
    edit_head, edit_tail = urls.edit
    edit_tail += urls.suffix
    claim_links: dict[int, str] = {}  # claim id -> its paragraph, escaped once however many rows cite it
    bylines: dict[str | None, str] = {}
    pieces = []
    before = '<ol class="annotations" id="annotation-list">'
    for r in rows:
        claim_link = claim_links.get(r.claim_id)
        if claim_link is None:
            claim_link = claim_links[r.claim_id] = (
                f'<p class="annotation-claim">→ <a href="{claim_head}{r.claim_id}{claim_tail}">'
                f"{esc[r.claim_text]}</a></p>"
            )
        byline = bylines.get(r.author)
        if byline is None:
            byline = bylines[r.author] = f'<p class="meta">by {escape(r.author or "someone")}</p>'
        item = (
            f'{before}<li class="annotation" id="annotation-{r.id}" data-passage="{r.passage_id}" tabindex="-1">'
            f'<span class="stance {r.stance}">{STANCE_LABELS.get(r.stance, r.stance)}</span>'
            f'<blockquote class="quote {r.stance}">'
            f'<a href="#passage-{r.passage_id}">“{escape(clip_words(r.exact, QUOTE_WORDS))}”</a></blockquote>'
            f"{claim_link}{byline}"
        )
        if r.note:
            item += f'<p class="note">{escape(r.note)}</p>'
        control = (
            f'<div class="annotation-controls"><a href="{edit_head}{r.id}{edit_tail}" data-evidence-edit>'
            "Edit or delete…</a></div>"
        )
        pieces.append((item, r.author_id, control))
        before = "</li>"
    return Controlled(tuple(pieces), "</li></ol>")


def _orphans(rows: list[EvidenceRow], urls: _Urls) -> Controlled:
    """The passages that lost their place: old quote, the claims they serve, and a way to re-attach each.

    Annotators may re-attach a passage only if every annotation on it is theirs
    (arguments.access.can_reattach), so the control belongs to its sole author, if it has one.
    """
    if not rows:
        return Controlled((), "")
    by_passage: dict[int, list[EvidenceRow]] = {}
    for r in rows:
        by_passage.setdefault(r.passage_id, []).append(r)
    pieces = []
    before = (
        '<section class="orphans" id="orphans" aria-labelledby="orphans-heading">'
        f'<h2 id="orphans-heading">Passages to re-attach <span class="muted small">({len(by_passage)})</span></h2>'
        '<p class="small">The text of this source was edited and these passages could not be found in it '
        "with confidence. They keep their claims; select their new words in the text to re-attach them.</p>"
        '<ol class="orphan-list" id="orphan-list">'
    )
    for pid, rs in by_passage.items():
        first = rs[0]
        claims = "".join(
            f'<li><span class="stance {r.stance}">{STANCE_LABELS.get(r.stance, r.stance)}</span> '
            f'<a href="{urls.of(urls.claim, r.claim_id)}">{escape(r.claim_text)}</a> '
            f'<span class="meta">by {escape(r.author or "someone")}</span></li>'
            for r in rs
        )
        authors = {r.author_id for r in rs}
        sole_author = next(iter(authors)) if len(authors) == 1 else None
        url = urls.of(urls.reattach, pid) + urls.suffix
        control = (
            f'<p class="orphan-actions"><a class="button small secondary" href="{url}" data-reattach="{pid}" '
            f'data-version="{first.passage_version}">Re-attach…</a></p>'
        )
        item = (
            f'{before}<li class="orphan" id="orphan-{pid}" data-orphan="{pid}" tabindex="-1">'
            f'<blockquote class="quote orphaned">“{escape(clip_words(first.exact, ORPHAN_QUOTE_WORDS))}”</blockquote>'
            f'<ul class="orphan-claims">{claims}</ul>'
        )
        pieces.append((item, sole_author, control))
        before = "</li>"
    return Controlled(tuple(pieces), "</li></ol></section>")


def for_viewer(shared: dict, scope: str, user_id: int | None) -> dict:
    """The layer one kind of viewer sees (see control_scope): the shared parts with their controls added."""
    layer = {name: value for name, value in shared.items() if name not in CONTROLLED_PARTS}
    for name, html_name in CONTROLLED_PARTS.items():
        layer[html_name] = _with_controls(shared[name], scope, user_id)
    return layer


def _with_controls(parts: Controlled, scope: str, user_id: int | None) -> bytes:
    """The HTML of `Controlled` parts (as build_shared_layer keeps them) with the controls this viewer may use."""
    everyone, own = scope == "all", scope == "own"
    joined = []
    for before, author_id, control in parts.pieces:
        joined.append(before)
        if everyone or (own and author_id is not None and author_id == user_id):
            joined.append(control)
    joined.append(parts.after)
    return b"".join(joined)
