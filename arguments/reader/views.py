"""The annotating reader: a source read inside a map, its passages highlighted, and annotating in place.

Browsers select text in UTF-16 units; sources/selection.py converts and checks the quote the browser
saw against the canonical text before anything is written (forms: forms.py). Every change is one
transaction with its Event. The part that grows with the passages (the highlighted text and the
annotation lists) is built in Python (layer.py) and kept per revision (cache.py), so the page's query
count is fixed, and a browser that has the current page gets 304 before any rendering.
Editing the text and re-attaching orphans live in text_views.py.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arguments import services
from arguments.access import MapAccess, Need, get_map_for
from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, Stance
from sources.models import Passage, Source
from sources.selection import resolve_selection

from . import cache as reader_cache
from .forms import AnnotateForm, EvidenceEditForm, data_was_quoted, same_claim_text
from .layer import HTML_PARTS, ReaderFilters, claim_choices
from .match import mark_match, match_span

FILTER_KEYS = ("claim", "stance", "annotator")
STANCES = frozenset(Stance.values)
# Where each of the layer's HTML parts goes in a rendered page (see `_with_layer`). User text in pages
# is escaped, so no marker can come from it.
MARKERS = {name: mark_safe(f"<!--warrant-layer:{name}-->") for name in HTML_PARTS}
_MARKER = re.compile(rb"<!--warrant-layer:(\w+)-->")


@dataclass
class Reader:
    """A map as the viewer may use it, and one of its sources."""

    access: MapAccess
    source: Source

    @property
    def map(self) -> ArgumentMap:
        return self.access.map


def _reader_for(request, slug: str, source_slug: str, need: Need, *, text: bool = True) -> Reader:
    """The map (access checked) and the source; without `text`, the text is loaded only when used."""
    access = get_map_for(request.user, slug, need)
    fields = ("original",) if text else ("original", "text")
    source = get_object_or_404(Source.objects.defer(*fields), slug=source_slug, map_sources__map=access.map)
    return Reader(access, source)


def _filters(request) -> dict[str, str]:
    """The reader's filters in the query string, each "" when absent or not a possible value."""
    params = request.GET
    values = {key: params.get(key, "").strip() for key in FILTER_KEYS}
    if not values["claim"].isdigit():
        values["claim"] = ""
    if values["stance"] not in STANCES:
        values["stance"] = ""
    return values


def _query(filters: dict[str, str]) -> str:
    return urlencode({k: v for k, v in filters.items() if v})


def _reader_context(request, reader: Reader, *, form: AnnotateForm | None = None, **extra) -> dict:
    access, source = reader.access, reader.source
    if request.method == "POST":
        # The change just made bumped the map's revision after the map was read: without the new
        # revision the layer's cache key would be the old one, and the old layer would come back.
        access.map.refresh_from_db(fields=["revision"])
    filters = _filters(request)
    query = _query(filters)
    layer = reader_cache.layer_for(access, source, ReaderFilters(**filters), query)
    if extra.get("match"):  # a search hit to show (match.py); the kept layer is left as it is
        layer = {**layer, "doc_html": mark_match(layer["doc_html"], *extra["match"])}
    context = {
        "access": access,
        "map": access.map,
        "source": source,
        "layer": {**layer, **MARKERS},
        "layer_html": layer,
        "filters": filters,
        "filtering": any(filters.values()),
        "stances": Stance.choices,
        "query": query,
        "form": form
        if form is not None
        else AnnotateForm(initial={"mode": "new", "stance": Stance.SUPPORTS, "place": ""}),
        "reader_url": reverse("arguments:source", args=[access.map.slug, source.slug]),
        "annotate_url": reverse("arguments:annotate", args=[access.map.slug, source.slug]),
    }
    if (form is not None and form.is_bound) or extra.get("quote_editable"):
        # A form sent back with its errors keeps the claims that were picked, so it lists claims itself;
        # so does the page without JavaScript, whose second picker reader/dialog.js otherwise copies.
        claims = list(Claim.objects.filter(map=access.map).order_by("kind", "id").values_list("id", "text", "kind"))
        context["bound_choices"] = {
            name: mark_safe(claim_choices(claims, name, checked=form.data.get(name) if form else None))  # escaped there
            for name in ("claim", "target")
        }
    context.update(extra)
    return context


def _rendered(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(_with_layer(render_to_string(template, context, request), context["layer_html"]), status=status)


def _with_layer(html: str, layer: dict) -> bytes:
    """The rendered page with the layer's HTML (kept as bytes) in place of its markers, joined once.

    Inserted by the template itself, megabytes of layer would be copied again at every level of the
    page that nests them (blocks, includes), which took most of the time of a page whose layer was
    kept (bench/reader.py).
    """
    pieces = _MARKER.split(html.encode())
    pieces[1::2] = [layer[name.decode()] for name in pieces[1::2]]
    return b"".join(pieces)


def _page(request, reader: Reader, status: int = 200, **extra) -> HttpResponse:
    return _rendered(request, "arguments/map_source.html", _reader_context(request, reader, **extra), status)


def _body(request, reader: Reader, **extra) -> HttpResponse:
    return _rendered(request, "arguments/_reader_body.html", _reader_context(request, reader, **extra))


def _back(reader: Reader, request, passage_id: int | None = None) -> HttpResponse:
    url = reverse("arguments:source", args=[reader.map.slug, reader.source.slug])
    query = _query(_filters(request))
    if query:
        url += f"?{query}"
    if passage_id:
        url += f"#passage-{passage_id}"
    return redirect(url)


@require_GET
def map_source(request, slug: str, source_slug: str):
    """A source read inside a map: its text with the map's passages highlighted, and its annotations.

    Answers `If-None-Match` with 304 before rendering anything when the page would be the same.
    Browsers are told to revalidate every time (no-cache), so a change always shows on reload.
    """
    reader = _reader_for(request, slug, source_slug, Need.READ, text=False)
    match = match_span(request.GET.get("match", ""))
    etag = None if match else reader_cache.page_etag(request, reader.access, reader.source, _query(_filters(request)))
    response = get_conditional_response(request, etag=etag) if etag else None
    if response is None:
        response = _page(request, reader, match=match)
    if etag:
        response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_http_methods(["GET", "POST"])
def annotate(request, slug: str, source_slug: str):
    """Link a selected passage to a new claim (which it states) or to an existing claim.

    htmx posts get the re-rendered reader body, or on error the dialog's form with its messages;
    plain posts are redirected back to the reader. GET shows the form without JavaScript, where the
    passage is given by quoting it.
    """
    reader = _reader_for(request, slug, source_slug, Need.ANNOTATE)
    if request.method == "GET":
        return _page(request, reader, annotate_open=True, quote_editable=True)

    claims = {c.pk: c for c in Claim.objects.filter(map=reader.map).only("id", "text", "map_id", "kind")}
    form = AnnotateForm(request.POST, claims=claims)
    evidence = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            start, end = resolve_selection(reader.source, data)
        except ValidationError as error:
            form.add_error("exact", error)
        else:
            evidence = _write_annotation(reader, request.user, form, start, end)

    if evidence is None:
        if request.htmx:
            context = _reader_context(request, reader, form=form, quote_editable=data_was_quoted(form))
            response = _rendered(request, "arguments/_reader_body.html#annotate-form", context)
            response["HX-Retarget"], response["HX-Reswap"] = "#annotate-form", "outerHTML"
            return response
        return _page(request, reader, form=form, annotate_open=True, quote_editable=data_was_quoted(form))

    quote = Truncator(evidence.passage.exact).chars(60)
    if evidence.already_linked:
        message = f"“{quote}” already {evidence.stance} that claim; nothing new was added."
    else:
        message = f"Annotation added: “{quote}” {evidence.stance} the claim."
        relation = getattr(evidence, "placed_by", None)
        if relation is not None:
            message += f" The claim {relation.kind} “{Truncator(relation.to_claim.text).chars(60)}”."
    if request.htmx:
        response = _body(request, reader, reader_message=message, fresh_passage=evidence.passage_id)
        added = not evidence.already_linked
        response["HX-Trigger"] = json.dumps({"warrant:annotated": {"passage": evidence.passage_id, "added": added}})
        return response
    messages.success(request, message)
    return _back(reader, request, evidence.passage_id)


def _write_annotation(reader: Reader, actor, form: AnnotateForm, start: int, end: int) -> Evidence | None:
    """Claim and evidence together or not at all; form errors for anything refused."""
    data = form.cleaned_data
    new = data["mode"] == AnnotateForm.MODE_NEW
    if new and not data["duplicate_ok"]:
        form.duplicate_of = _stated_already(reader, start, end, data["claim_text"])
        if form.duplicate_of is not None:
            form.add_error(
                "claim_text",
                f"This passage already states “{Truncator(form.duplicate_of.text).chars(120)}”. "
                "Tick “Add it anyway” and save again to add a second claim with the same words, "
                "or cancel and keep the one there is.",
            )
            return None
    relation = None
    try:
        with transaction.atomic():
            if new:
                claim = services.create_claim(
                    argument_map=reader.map, actor=actor, text=data["claim_text"], kind=ClaimKind.CLAIM
                )
                stance = Stance.STATES
                if data["place"]:
                    relation = services.create_relation(
                        argument_map=reader.map,
                        actor=actor,
                        from_claim=claim,
                        to_claim=form.claims[data["target"]],
                        kind=data["place"],
                    )
            else:
                claim, stance = form.claims[data["claim"]], data["stance"]
            evidence = services.add_evidence(
                argument_map=reader.map,
                actor=actor,
                source=reader.source,
                start=start,
                end=end,
                claim=claim,
                stance=stance,
                note=data["note"].strip(),
            )
            evidence.placed_by = relation
            return evidence
    except ValidationError as error:
        field = "claim_text" if data["mode"] == AnnotateForm.MODE_NEW else None
        form.add_error(field, "; ".join(error.messages))
    return None


def _stated_already(reader: Reader, start: int, end: int, text: str) -> Claim | None:
    """A claim with the same words (see same_claim_text) that the passage over [start, end) already states."""
    wanted = same_claim_text(text)
    passages = Passage.objects.placed().filter(source=reader.source, start=start, end=end)
    stated = Evidence.objects.filter(map=reader.map, passage__in=passages, stance=Stance.STATES).select_related("claim")
    return next((ev.claim for ev in stated if same_claim_text(ev.claim.text) == wanted), None)


def _changeable(request, slug: str, source_slug: str, evidence_id: int) -> tuple[Reader, Evidence]:
    reader = _reader_for(request, slug, source_slug, Need.ANNOTATE)
    evidence = get_object_or_404(
        Evidence.objects.select_related("map", "passage"), map=reader.map, passage__source=reader.source, pk=evidence_id
    )
    if not reader.access.can_change(evidence.created_by_id):
        raise PermissionDenied("You can change only your own annotations.")
    return reader, evidence


def _after_change(request, reader: Reader, message: str, passage_id: int | None = None) -> HttpResponse:
    if request.htmx:
        return _body(request, reader, reader_message=message)
    messages.info(request, message)
    return _back(reader, request, passage_id)


@require_http_methods(["GET", "POST"])
def evidence_edit(request, slug: str, source_slug: str, evidence_id: int):
    """Change an annotation's stance or note (its author, or an editor).

    GET gives the edit and delete forms: to htmx, as a fragment reader.js puts in the annotation's
    place; otherwise as a page of their own.
    """
    reader, evidence = _changeable(request, slug, source_slug, evidence_id)
    if request.method == "GET":
        query = _query(_filters(request))
        context = {
            "map": reader.map,
            "source": reader.source,
            "ev": Evidence.objects.select_related("claim", "passage").get(pk=evidence.pk),
            "stances": Stance.choices,
            "query": query,
            "reader_url": reverse("arguments:source", args=[reader.map.slug, reader.source.slug]),
        }
        template = "arguments/source_evidence_edit.html"
        return render(request, f"{template}#evidence-forms" if request.htmx else template, context)
    form = EvidenceEditForm(request.POST)
    if not form.is_valid():
        return _after_change(request, reader, "Nothing saved: choose a stance.", evidence.passage_id)
    data = form.cleaned_data
    try:
        services.update_evidence(
            evidence=evidence,
            actor=request.user,
            stance=data["stance"],
            note=data["note"],
            expected_version=data["version"],
        )
    except services.EditConflict:
        message = "Nothing saved: someone else changed or removed this annotation meanwhile. Here is the current state."
    else:
        message = "Annotation updated."
    return _after_change(request, reader, message, evidence.passage_id)


@require_POST
def evidence_delete(request, slug: str, source_slug: str, evidence_id: int):
    """Remove an annotation (its author, or an editor); the passage goes with its last annotation."""
    reader, evidence = _changeable(request, slug, source_slug, evidence_id)
    removed = services.delete_evidence(evidence=evidence, actor=request.user)
    return _after_change(request, reader, "Annotation removed." if removed else "That annotation was already removed.")
