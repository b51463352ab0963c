"""A source's text history, read from the reader: the list of its revisions, and one revision's text.

For the editors and owners of a map using the source, the same people who may edit its text. Each
earlier revision can be restored, which opens the edit page with that text previewed (text_views.py):
a restore is an edit like any other, with the same preview, the same choice between changing the
shared source and giving this map its own copy, and the same re-anchoring and Event.

Who made a revision is named when they are a member of this map (or the viewer themself); a person
who worked on the source from another map is not named here, as the edit preview names no map the
viewer cannot read.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from arguments.access import Need, get_map_for
from arguments.models import Membership
from arguments.services import source_text
from sources.models import Source
from sources.rendering import render_reader
from sources.revisions import HistoryEntry, history


def _map_and_source(request, slug: str, source_slug: str):
    access = get_map_for(request.user, slug, Need.EDIT)
    sources = Source.objects.defer("original").select_related("added_by")
    return access, get_object_or_404(sources, slug=source_slug, map_sources__map=access.map)


def _authors(access, entries: list[HistoryEntry]) -> dict[int, str]:
    """The names the page may show: of this map's members, and of the viewer."""
    ids = {e.made_by_id for e in entries if e.made_by_id is not None}
    members = set(Membership.objects.filter(map=access.map, user_id__in=ids).values_list("user_id", flat=True))
    members.add(access.user.pk)
    return {e.made_by_id: e.made_by_name for e in entries if e.made_by_id in members}


@require_GET
def text_history(request, slug: str, source_slug: str):
    """Every revision of the source's text, newest first: when, by whom, its size and what changed."""
    access, source = _map_and_source(request, slug, source_slug)
    entries = history(source)
    names = _authors(access, entries)
    rows = [{"entry": e, "who": names.get(e.made_by_id, "")} for e in entries]
    context = {
        "map": access.map,
        "source": source,
        "access": access,
        "rows": rows,
        "complete": bool(entries) and entries[-1].revision == 1,
        "copy": not access.changes_shared_text(source),
        "reader_url": reverse("arguments:source", args=[access.map.slug, source.slug]),
        "edit_url": reverse("arguments:source_edit_text", args=[access.map.slug, source.slug]),
    }
    return render(request, "arguments/source_history.html", context)


@require_GET
def text_revision(request, slug: str, source_slug: str, revision: int):
    """One revision's text, as it read then, with a way to restore it."""
    access, source = _map_and_source(request, slug, source_slug)
    text = source_text.revision_text(source=source, revision=revision)
    if text is None:
        raise Http404("No such revision of this text is kept.")
    entry = next(e for e in history(source) if e.revision == revision)
    context = {
        "map": access.map,
        "source": source,
        "access": access,
        "entry": entry,
        "who": _authors(access, [entry]).get(entry.made_by_id, ""),
        "doc_html": render_reader(text, [], focusable=False),
        "reader_url": reverse("arguments:source", args=[access.map.slug, source.slug]),
        "history_url": reverse("arguments:source_history", args=[access.map.slug, source.slug]),
        "restore_url": reverse("arguments:source_edit_text", args=[access.map.slug, source.slug])
        + f"?restore={revision}",
    }
    return render(request, "arguments/source_revision.html", context)
