"""The annotating reader: a source read inside a map, its passages highlighted, and annotating in place.

Browsers select text in UTF-16 units; sources/selection.py converts and checks the quote the browser
saw against the canonical text before anything is written (forms: reader_forms.py). Every change is
one transaction with its Event. The part that grows with the passages (the highlighted text and the
annotation lists) is built in Python (arguments/reader_layer.py) and kept per revision
(arguments/reader_cache.py), so the page's query count is fixed, and a browser that has the current
page gets 304 before any rendering.
Editing the text and re-attaching orphans live in source_text_views.py.
"""

import json
from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arguments import services
from arguments.access import MapAccess, Need, get_map_for, level_of
from arguments.models import Claim, ClaimKind, Evidence, Stance
from arguments.reader_query import PageQuery, PageRow
from config import session_identity
from sources.models import Source
from sources.selection import resolve_selection

from . import cache as reader_cache
from . import layer as reader_layer
from .forms import AnnotateForm, EvidenceEditForm, data_was_quoted

FILTER_KEYS = ("claim", "stance", "annotator")
STANCES = frozenset(Stance.values)


# ------------------------------------------------------------------------------------------ the page


class Reader:
    """A map as the viewer may use it, and one of its sources; on the page itself, also the page's row.

    On the page (`_reader_for_page`) the viewer's access and the source are made from the row only
    when used: a `304 Not Modified` needs neither.
    """

    def __init__(
        self, access: MapAccess | None = None, source: Source | None = None, *, row: PageRow | None = None, user=None
    ) -> None:
        self.row = row
        self._user = user
        if access is not None:
            self.access = access
        if source is not None:
            self.source = source

    @cached_property
    def access(self) -> MapAccess:
        return MapAccess(self._user, self.row.map, self.row.role)

    @cached_property
    def source(self) -> Source:
        return self.row.source

    @property
    def map(self):
        return self.access.map


def _reader_for(request, slug: str, source_slug: str, need: Need, *, text: bool = True) -> Reader:
    """The map (access checked) and the source; without `text`, the text is loaded only when used."""
    access = get_map_for(request.user, slug, need)
    fields = ("original",) if text else ("original", "text")
    source = get_object_or_404(Source.objects.defer(*fields), slug=source_slug, map_sources__map=access.map)
    return Reader(access, source)


def _reader_for_page(request, slug: str, source_slug: str) -> Reader:
    """`_reader_for(..., Need.READ, text=False)` for the page asked for most, in one statement when it can be.

    The map, the source, the viewer's role and user row, and the map's newest event id (for
    static/js/live.js, as get_map_for provides it) come in one row (arguments/reader_query.py). When
    this process has seen the session before, the session row comes along too and the viewer is
    checked from it (config/session_identity.py) instead of by Django's two queries. When there is
    no row, get_map_for decides between 404 and 403 exactly as everywhere else, and a readable map
    without that source is a 404 too.
    """
    row, user = None, None
    guess = session_identity.guess(request)
    if guess is not None:
        key, guessed_id = guess
        row = PageQuery.fetch(guessed_id, slug, source_slug, session_key=key)
        if row is not None and session_identity.verify_row(
            row.session_data, row.user_values, guessed_id, lambda: row.user
        ):
            # What django.contrib.auth.get_user would have found, made into an object when first used.
            user = request.user = SimpleLazyObject(lambda: row.user)
    if user is None:
        user = request.user
        session_identity.remember(request)
        if row is None or (row.user.pk if row.user else None) != user.pk:
            row = PageQuery.fetch(user.pk, slug, source_slug)
    if row is None:
        get_map_for(user, slug, Need.READ)
        raise Http404("This source is not part of the map.")
    if level_of(row.role, row.map_is_public) is None:
        raise Http404("No such map.")
    return Reader(row=row, user=user)


def _filters(request) -> dict[str, str]:
    """The reader's filters in the query string, each "" when absent or not a possible value."""
    if not request.META.get("QUERY_STRING"):  # most pages: no need to parse anything
        return dict.fromkeys(FILTER_KEYS, "")
    params = request.GET
    values = {key: params.get(key, "").strip() for key in FILTER_KEYS}
    if not values["claim"].isdigit():
        values["claim"] = ""
    if values["stance"] not in STANCES:
        values["stance"] = ""
    return values


def _reader_context(request, reader: Reader, *, form: AnnotateForm | None = None, **extra) -> dict:
    access, source = reader.access, reader.source
    if request.method == "POST":
        # The change just made bumped the map's revision after the map was read: without the new
        # revision the layer's cache key would be the old one, and the old layer would come back.
        access.map.refresh_from_db(fields=["revision"])
    filters = _filters(request)
    query = urlencode({k: v for k, v in filters.items() if v})
    identity = reader_cache.layer_identity(access.map, source)
    layer = reader_cache.layer_for(access, identity, reader_layer.ReaderFilters(**filters), query, lambda: source)
    context = {
        "access": access,
        "map": access.map,
        "source": source,
        "layer": reader_cache.for_template(layer),
        "layer_parts": layer,
        "last_event_marker": reader_cache.LAST_EVENT_MARKER,
        "filters": filters,
        "filtering": any(filters.values()),
        "stances": Stance.choices,
        "query": query,
        "form": form if form is not None else AnnotateForm(initial={"mode": "new", "stance": Stance.SUPPORTS}),
        "reader_url": reverse("arguments:source", args=[access.map.slug, source.slug]),
        "annotate_url": reverse("arguments:annotate", args=[access.map.slug, source.slug]),
    }
    if form is not None and form.is_bound:
        # A form sent back with its errors keeps the claim that was picked, so it lists claims itself.
        context["claims"] = list(Claim.objects.filter(map=access.map).only("id", "text", "kind").order_by("kind", "id"))
    context.update(extra)
    return context


def _frame(request, template: str, context: dict) -> bytes:
    """A reader template rendered with markers where the layer's parts go (see reader_cache.splice)."""
    return render_to_string(template, context, request=request).encode()


def _rendered(request, template: str, context: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """Render a reader template, splicing in the (cached) layer's HTML once."""
    frame = _frame(request, template, context)
    parts = reader_cache.page_parts(context["layer_parts"], context["map"].last_event_id)
    return reader_cache.page_response(reader_cache.splice(frame, parts), status, headers)


def _page(request, reader: Reader, status: int = 200, **extra) -> HttpResponse:
    return _rendered(request, "arguments/map_source.html", _reader_context(request, reader, **extra), status)


def _body(request, reader: Reader, **extra) -> HttpResponse:
    return _rendered(request, "arguments/_reader_body.html", _reader_context(request, reader, **extra))


def _back(reader: Reader, request, passage_id: int | None = None) -> HttpResponse:
    url = reverse("arguments:source", args=[reader.map.slug, reader.source.slug])
    query = urlencode({k: v for k, v in _filters(request).items() if v})
    if query:
        url += f"?{query}"
    if passage_id:
        url += f"#passage-{passage_id}"
    return redirect(url)


@require_GET
def map_source(request, slug: str, source_slug: str):
    """A source read inside a map: its text with the map's passages highlighted, and its annotations.

    Answers `If-None-Match` with 304 before rendering anything when the page would be the same, and
    a repeated request without it from the cached page frame and layer. Browsers are told to
    revalidate every time (no-cache), so a change always shows on reload.
    """
    reader = _reader_for_page(request, slug, source_slug)
    filters = _filters(request)
    query = urlencode({k: v for k, v in filters.items() if v})
    # A page showing a one-off message is neither answered with 304 nor given an ETag.
    cacheable = not reader_cache.has_messages(request)
    etag = reader_cache.etag_for(request, reader.row.page_values, query) if cacheable else None
    if reader_cache.not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        frame_key = reader_cache.frame_key(request, reader.row.frame_values, query) if cacheable else None
        frame = reader_cache.cached_frame(frame_key) if frame_key else None
        if frame is not None:
            identity, filtered = reader.row.layer_identity, reader_layer.ReaderFilters(**filters)
            layer = reader_cache.layer_for(reader.access, identity, filtered, query, lambda: reader.source)
        else:
            context = _reader_context(request, reader)
            frame, layer = _frame(request, "arguments/map_source.html", context), context["layer_parts"]
            if cacheable:
                # On a first visit rendering gave the browser its CSRF secret, which both keys name.
                etag = etag or reader_cache.etag_for(request, reader.row.page_values, query)
                frame_key = frame_key or reader_cache.frame_key(request, reader.row.frame_values, query)
                if frame_key is not None:
                    reader_cache.keep_frame(frame_key, frame)
        parts = reader_cache.page_parts(layer, reader.row.last_event_id)
        response = reader_cache.page_response(reader_cache.splice(frame, parts))
    if etag:
        response["ETag"] = etag
    # Pages depend on who is signed in; said here because a reader page that checked the session
    # itself (config/session_identity.py) never touched request.session, which would have said it.
    # Set outright (not patched in) because the response was made just above and holds neither.
    response["Vary"] = "Cookie"
    response["Cache-Control"] = "private, no-cache"
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

    claims = {c.pk: c for c in Claim.objects.filter(map=reader.map).only("id", "text", "map_id")}
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
            headers = {"HX-Retarget": "#annotate-form", "HX-Reswap": "outerHTML"}
            return _rendered(request, "arguments/_reader_body.html#annotate-form", context, headers=headers)
        return _page(request, reader, form=form, annotate_open=True, quote_editable=data_was_quoted(form))

    message = f"Annotation added: “{reader_layer.clipped(evidence.passage.exact, 60)}” {evidence.stance} the claim."
    if request.htmx:
        response = _body(request, reader, reader_message=message, fresh_passage=evidence.passage_id)
        response["HX-Trigger"] = json.dumps({"warrant:annotated": {"passage": evidence.passage_id}})
        return response
    messages.success(request, message)
    return _back(reader, request, evidence.passage_id)


def _write_annotation(reader: Reader, actor, form: AnnotateForm, start: int, end: int) -> Evidence | None:
    """Claim and evidence together or not at all; form errors for anything refused."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            if data["mode"] == AnnotateForm.MODE_NEW:
                claim = services.create_claim(
                    argument_map=reader.map, actor=actor, text=data["claim_text"], kind=ClaimKind.CLAIM
                )
                stance = Stance.STATES
            else:
                claim, stance = form.claims[data["claim"]], data["stance"]
            return services.add_evidence(
                argument_map=reader.map,
                actor=actor,
                source=reader.source,
                start=start,
                end=end,
                claim=claim,
                stance=stance,
                note=data["note"].strip(),
            )
    except ValidationError as error:
        field = "claim_text" if data["mode"] == AnnotateForm.MODE_NEW else None
        form.add_error(field, "; ".join(error.messages))
    except ValueError as error:
        form.add_error("claim" if data["mode"] == AnnotateForm.MODE_LINK else None, str(error))
    return None


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
        query = urlencode({k: v for k, v in _filters(request).items() if v})
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
