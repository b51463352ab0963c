"""Editing a source's text from the reader (preview, then save), and re-attaching orphaned passages.

Editing: editors and owners of a map using the source. The edit changes the shared source when they
may edit every map using it, and otherwise gives their map its own copy (services.source_text); the
page says which before anything is saved. The form carries the source's version (a stale edit is
refused, showing what changed) and, once previewed, a digest of the previewed text and of that choice:
a save is accepted only for exactly the text and the outcome the editor has seen. Restoring an earlier
revision (from the text history, history_views.py) opens this page with that revision's text
previewed: it is an edit like any other.

Re-attaching: annotators (for passages only they cite) and editors (any passage their map cites)
point an orphan at new words; the browser sends UTF-16 offsets and the quote, or, without
JavaScript, only the quote, which must then occur once in the text.
"""

import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_http_methods

from arguments.access import Need, get_map_for
from arguments.models import Evidence, MapSource
from arguments.services import EditConflict, source_text
from arguments.services.reattach import reattach_passage
from sources.models import AnchorStatus, Passage, Source
from sources.rendering import render_reader
from sources.selection import SelectionForm, resolve_selection

from .views import Reader, _reader_for

ACTION_PREVIEW, ACTION_SAVE = "preview", "save"


class SourceTextForm(forms.Form):
    text = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "true"}),
        error_messages={"required": "The text is empty. A source needs some text; nothing was changed."},
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)
    restored = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_text(self) -> str:
        return source_text.canonical_text(self.cleaned_data["text"])


class ReattachForm(SelectionForm):
    NOUN = "The words begin or end"
    SELECT = "Select or paste the new words first."

    exact = forms.CharField(strip=False, label="New words", max_length=20_000, widget=forms.Textarea)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def digest(text: str, copy: bool) -> str:
    """What a save must match: the previewed text, and whether it was to go into a copy of the source."""
    return hashlib.sha256(f"{'copy' if copy else 'in place'}\n{text}".encode()).hexdigest()


def _reader_url(reader: Reader, source: Source | None = None) -> str:
    return reverse("arguments:source", args=[reader.map.slug, (source or reader.source).slug])


# ---------------------------------------------------------------------------------------- edit text


@require_http_methods(["GET", "POST"])
def edit_text(request, slug: str, source_slug: str):
    """Edit the source's text: the first POST previews its effect on every map, a second one saves it.

    GET with `?restore=N` previews bringing back revision N of the text (see history_views.py).
    """
    try:
        reader = _reader_for(request, slug, source_slug, Need.EDIT)
    except Http404:
        return _after_a_copy(request, slug, source_slug)
    source = reader.source
    if request.method == "GET":
        if "restore" in request.GET:
            return _restore_preview(request, reader, request.GET["restore"])
        form = SourceTextForm(initial={"text": source.text, "version": source.version})
        return _edit_page(request, reader, form, copy=not reader.access.changes_shared_text(source))

    form = SourceTextForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, reader, form, copy=not reader.access.changes_shared_text(source))
    text, version, restored = form.cleaned_data["text"], form.cleaned_data["version"], form.cleaned_data["restored"]
    if version != source.version:
        return _conflict(request, reader, text, sent_version=version, restored=restored)

    copy = not reader.access.changes_shared_text(source)
    if request.POST.get("action") == ACTION_SAVE and form.cleaned_data["previewed"] == digest(text, copy):
        slot = MapSource.objects.filter(map=reader.map, source=source).values_list("pk", flat=True).first()
        try:
            result = source_text.edit_source_text(
                access=reader.access, source=source, text=text, expected_version=version, restored=restored
            )
        except EditConflict:
            if slot is None:  # someone gave the map its own copy between reading the source and this save
                return _after_a_copy(request, slug, source_slug)
            now = _reader_now(reader, slot)
            if now.source.pk != source.pk:
                return _conflict(request, now, text, sent_version=version, copied=True)
            return _conflict(request, now, text, sent_version=version, restored=restored)
        messages.success(request, _saved_message(result))
        return redirect(_reader_url(reader, result.source))

    notice = ""
    if request.POST.get("action") == ACTION_SAVE:
        notice = (
            "The text was changed after the preview, or the maps using this source changed. Here is the "
            "preview as it is now; save again to keep it."
        )
    return _preview(request, reader, text, notice=notice, restored=restored)


def _after_a_copy(request, slug: str, source_slug: str):
    """A page or form for a source this map no longer uses because someone gave the map its own copy: a
    GET goes to the copy's page; a POST is a conflict, its text previewed against the copy's. Else 404."""
    access = get_map_for(request.user, slug, Need.EDIT)
    copy = source_text.copy_in_map(argument_map=access.map, slug=source_slug)
    if copy is None:
        raise Http404("This map has no such source.")
    reader = Reader(access, copy)
    if request.method == "GET":
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("arguments:source_edit_text", args=[slug, copy.slug]) + query)
    form = SourceTextForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, reader, form, copy=not access.changes_shared_text(copy))
    # A revision number named the original's history, not the copy's: no longer a restore.
    return _conflict(request, reader, form.cleaned_data["text"], sent_version=form.cleaned_data["version"], copied=True)


def _reader_now(reader: Reader, slot: int) -> Reader:
    """The reader of the same place in the map's list of sources, as it is now: the same source, or the copy
    of it that someone in this map made meanwhile."""
    map_source = get_object_or_404(MapSource.objects.select_related("source").defer("source__original"), pk=slot)
    return Reader(reader.access, map_source.source)


def _restore_preview(request, reader: Reader, wanted: str):
    """The edit page with revision `wanted` of the text in the box, already previewed."""
    revision = int(wanted) if wanted.isdigit() else 0
    text = source_text.revision_text(source=reader.source, revision=revision) if revision else None
    if text is None:
        raise Http404("No such revision of this text is kept.")
    return _preview(request, reader, text, restored=revision if revision != reader.source.revision else None)


def _preview(
    request, reader: Reader, text: str, *, notice: str = "", conflict: dict | None = None, restored: int | None = None
):
    preview = source_text.preview_text_edit(access=reader.access, source=reader.source, new_text=text)
    form = SourceTextForm(
        initial={
            "text": text,
            "version": reader.source.version,
            "previewed": "" if conflict else digest(text, preview.copy),
            "restored": restored,
        }
    )
    return _edit_page(
        request, reader, form, preview=preview, copy=preview.copy, notice=notice, conflict=conflict, restored=restored
    )


def _conflict(
    request, reader: Reader, text: str, *, sent_version: int, restored: int | None = None, copied: bool = False
):
    """Someone saved a new text meanwhile: show it, keep the editor's text, and preview against the new one
    (against this map's own copy, if that is where the new text went)."""
    reader.source.refresh_from_db(fields=["text", "version", "revision", "updated"])
    conflict = {
        "copied": copied,
        "sent_version": sent_version,
        "version": reader.source.version,
        "current_html": render_reader(reader.source.text, [], focusable=False),
    }
    response = _preview(request, reader, text, conflict=conflict, restored=restored)
    response.status_code = 409
    return response


def _edit_page(request, reader: Reader, form: SourceTextForm, *, copy: bool, **extra):
    out_of_reach = extra["preview"].out_of_reach if "preview" in extra else None
    if out_of_reach is None and copy:
        out_of_reach = len(reader.access.maps_out_of_reach(reader.source))
    context = {
        "map": reader.map,
        "source": reader.source,
        "access": reader.access,
        "form": form,
        "copy": copy,
        "out_of_reach": out_of_reach or 0,
        "reader_url": _reader_url(reader),
        "edit_url": reverse("arguments:source_edit_text", args=[reader.map.slug, reader.source.slug]),
        "history_url": reverse("arguments:source_history", args=[reader.map.slug, reader.source.slug]),
        "max_chars": f"{source_text.MAX_TEXT_CHARS:,}",
        "ACTION_PREVIEW": ACTION_PREVIEW,
        "ACTION_SAVE": ACTION_SAVE,
        **extra,
    }
    return render(request, "arguments/source_edit_text.html", context)


def _saved_message(result: source_text.TextEdit) -> str:
    report = result.report
    if not report.text_changed:
        return "The text is the same as before; nothing was changed."
    c = report.counts
    orphaned = c[AnchorStatus.ORPHANED]
    if result.copied_from is not None:
        n = result.out_of_reach
        message = (
            f"This map now has its own copy of the source with your text (revision {report.new_revision} of the "
            f"copy); every other map using the source, including the {n} you cannot edit, keeps the previous "
            "text. "
        )
    else:
        message = f"Text saved (revision {report.new_revision}). "
    message += (
        f"Passages: {c[AnchorStatus.ANCHORED]} unchanged, "
        f"{c[AnchorStatus.MOVED]} followed the edit, {orphaned} could not be placed"
    )
    if orphaned:
        message += f" and {'is' if orphaned == 1 else 'are'} listed under “Passages to re-attach”"
    others = result.events - 1
    if others == 1:
        message += ". 1 other map using this source was told"
    elif others > 1:
        message += f". {others} other maps using this source were told"
    return message + "."


# ---------------------------------------------------------------------------------------- re-attach


@require_http_methods(["GET", "POST"])
def reattach(request, slug: str, source_slug: str, passage_id: int):
    """Point an orphaned passage at new words of the text (its claims and stances stay)."""
    reader = _reader_for(request, slug, source_slug, Need.ANNOTATE)
    cited = Evidence.objects.filter(map=reader.map).values("passage_id")
    passage = get_object_or_404(Passage, pk=passage_id, source=reader.source, pk__in=cited)
    if not reader.access.can_reattach(passage):
        raise PermissionDenied(
            "Only an editor can re-attach this passage: it is cited by other people's annotations too."
        )
    if request.method == "GET":
        return _reattach_page(request, reader, passage, ReattachForm(initial={"version": passage.version}))

    form = ReattachForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            start, end = resolve_selection(reader.source, data)
            placed = reattach_passage(
                passage=passage,
                actor=request.user,
                start=start,
                end=end,
                exact=data["exact"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            form.add_error("exact", error)
        except EditConflict as conflict:
            passage = conflict.current
            notice = (
                "Nothing saved: this passage was changed meanwhile (re-attached by someone else, or its "
                "source's text was edited). Here is its current state."
            )
            form = ReattachForm(initial={"version": passage.version, "exact": data["exact"]})
            return _reattach_page(request, reader, passage, form, status=409, notice=notice)
        else:
            messages.success(request, f"Passage re-attached to “{Truncator(placed.exact).chars(60)}”.")
            return redirect(f"{_reader_url(reader)}#passage-{placed.pk}")
    return _reattach_page(request, reader, passage, form)


def _reattach_page(request, reader: Reader, passage: Passage, form: ReattachForm, status: int = 200, notice: str = ""):
    evidence = (
        Evidence.objects.filter(map=reader.map, passage=passage).select_related("claim", "created_by").order_by("id")
    )
    context = {
        "map": reader.map,
        "source": reader.source,
        "passage": passage,
        "orphaned": passage.anchor_status == AnchorStatus.ORPHANED,
        "evidence": list(evidence),
        "form": form,
        "notice": notice,
        "reader_url": _reader_url(reader),
        "doc_html": render_reader(reader.source.text, [], focusable=False),
    }
    return render(request, "arguments/source_reattach.html", context, status=status)
