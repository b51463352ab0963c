"""Editing a source's text from the reader (preview, then save), and re-attaching orphaned passages.

Editing: editors and owners of a map using the source. The form carries the source's version (a
stale edit is refused, showing what changed) and, once previewed, a digest of the previewed text: a
save is accepted only for exactly the text whose effect the editor has seen.

Re-attaching: annotators (for passages only they cite) and editors (any passage their map cites)
point an orphan at new words; the browser sends UTF-16 offsets and the quote, or, without
JavaScript, only the quote, which must then occur once in the text.
"""

import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_http_methods

from arguments.access import Need
from arguments.models import Evidence
from arguments.services import EditConflict, source_text
from sources.models import AnchorStatus, Passage
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

    def clean_text(self) -> str:
        return source_text.canonical_text(self.cleaned_data["text"])


class ReattachForm(SelectionForm):
    NOUN = "The words begin or end"
    SELECT = "Select or paste the new words first."

    exact = forms.CharField(strip=False, label="New words", max_length=20_000, widget=forms.Textarea)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reader_url(reader: Reader) -> str:
    return reverse("arguments:source", args=[reader.map.slug, reader.source.slug])


# ---------------------------------------------------------------------------------------- edit text


@require_http_methods(["GET", "POST"])
def edit_text(request, slug: str, source_slug: str):
    """Edit the source's text: the first POST previews its effect on every map, a second one saves it."""
    reader = _reader_for(request, slug, source_slug, Need.EDIT)
    source = reader.source
    if request.method == "GET":
        form = SourceTextForm(initial={"text": source.text, "version": source.version})
        return _edit_page(request, reader, form)

    form = SourceTextForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, reader, form)
    text, version = form.cleaned_data["text"], form.cleaned_data["version"]
    if version != source.version:
        return _conflict(request, reader, text, sent_version=version)

    if request.POST.get("action") == ACTION_SAVE and form.cleaned_data["previewed"] == digest(text):
        try:
            result = source_text.edit_source_text(
                source=source, actor=request.user, text=text, expected_version=version
            )
        except EditConflict:
            source.refresh_from_db()
            return _conflict(request, reader, text, sent_version=version)
        messages.success(request, _saved_message(result))
        return redirect(_reader_url(reader))

    notice = ""
    if request.POST.get("action") == ACTION_SAVE:
        notice = (
            "The text was changed after the preview. Here is the preview of the text as it is now; "
            "save again to keep it."
        )
    return _preview(request, reader, text, notice=notice)


def _preview(request, reader: Reader, text: str, *, notice: str = "", conflict: dict | None = None):
    preview = source_text.preview_text_edit(
        source=reader.source, new_text=text, argument_map=reader.map, user=request.user
    )
    form = SourceTextForm(
        initial={"text": text, "version": reader.source.version, "previewed": "" if conflict else digest(text)}
    )
    return _edit_page(request, reader, form, preview=preview, notice=notice, conflict=conflict)


def _conflict(request, reader: Reader, text: str, *, sent_version: int):
    """Someone saved a new text meanwhile: show it, keep the editor's text, and preview against the new one."""
    reader.source.refresh_from_db(fields=["text", "version", "revision", "updated"])
    conflict = {
        "sent_version": sent_version,
        "version": reader.source.version,
        "current_html": render_reader(reader.source.text, [], focusable=False),
    }
    response = _preview(request, reader, text, conflict=conflict)
    response.status_code = 409
    return response


def _edit_page(request, reader: Reader, form: SourceTextForm, **extra):
    context = {
        "map": reader.map,
        "source": reader.source,
        "access": reader.access,
        "form": form,
        "reader_url": _reader_url(reader),
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
    message = (
        f"Text saved (revision {report.new_revision}). Passages: {c[AnchorStatus.ANCHORED]} unchanged, "
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
            placed = source_text.reattach_passage(
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
