"""Documents going into a map: uploading one or several files straight into it, and adding a library document
to one of the user's maps from the document's page.

Each file is its own change: read, then saved as a source and added to the map in one transaction, so one bad
file refuses only itself. The page's script (static/js/map-upload.js) sends one request per file and shows
each one's progress; without script the form posts every file at once and the answer lists each one's outcome.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_POST

from arguments import services
from arguments.access import Need, editable_maps, get_map_for
from arguments.models import MapSource
from sources.access import readable_sources
from sources.extractors import IngestError
from sources.services import build_source, save_source

MAX_FILES = 20  # per request; the page's script sends one a request, so this bounds only a plain form post


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _upload_one(access, upload, user) -> dict:
    """Read one uploaded file into a source of the map; what happened to it, for the page or the script."""
    outcome = {"name": upload.name, "ok": False}
    limit = settings.WARRANT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        outcome["error"] = f"This file is {filesizeformat(upload.size)}, over the {filesizeformat(limit)} limit."
        return outcome
    try:
        if upload.size == 0:
            raise IngestError("The file is empty.")
        source = build_source(filename=upload.name, data=upload.read(), added_by=user)
        with transaction.atomic():
            save_source(source)
            services.add_source(argument_map=access.map, source=source, actor=user)
    except IngestError as error:
        outcome["error"] = str(error)
    except ValidationError as error:
        outcome["error"] = " ".join(message for problems in error.message_dict.values() for message in problems)
    else:
        outcome.update(
            ok=True,
            title=source.title,
            characters=len(source.text),
            url=reverse("arguments:source", args=[access.map.slug, source.slug]),
        )
    return outcome


@require_POST
def map_upload(request, slug: str):
    """POST files (the field `files`, one or several) into the map: each becomes a source of the library and
    of this map. Answers JSON to the page's script (Accept: application/json), else a page listing each file."""
    access = get_map_for(request.user, slug, Need.EDIT)
    uploads = request.FILES.getlist("files")
    if not uploads:
        results = [{"name": "", "ok": False, "error": "Choose one or more files to upload."}]
    elif len(uploads) > MAX_FILES:
        results = [{"name": "", "ok": False, "error": f"Upload at most {MAX_FILES} files at once."}]
    else:
        results = [_upload_one(access, upload, request.user) for upload in uploads]
    added = sum(result["ok"] for result in results)
    status = 200 if added else 400
    if _wants_json(request):
        return JsonResponse({"results": results, "map": access.map.get_absolute_url()}, status=status)
    context = {"access": access, "map": access.map, "results": results, "added": added}
    return render(request, "arguments/map_upload_done.html", context, status=status)


@require_POST
@login_required
def add_to_map(request, source_slug: str):
    """From a document's page in the library: add it to one of the maps the user may edit."""
    source = get_object_or_404(readable_sources(request.user).defer("original", "text"), slug=source_slug)
    if not request.POST.get("map"):
        messages.error(request, "Choose the map to add this document to.")
        return redirect(source)
    access = get_map_for(request.user, request.POST.get("map", ""), Need.EDIT)
    reader = reverse("arguments:source", args=[access.map.slug, source.slug])
    if MapSource.objects.filter(map=access.map, source=source).exists():
        messages.info(request, f"“{source.title}” is already in “{access.map.title}”.")
        return redirect(reader)
    try:
        with transaction.atomic():
            services.add_source(argument_map=access.map, source=source, actor=request.user)
    except IntegrityError:  # added by someone else a moment ago: it is there all the same
        pass
    messages.success(request, f"Added “{source.title}” to “{access.map.title}”.")
    return redirect(reader)


def maps_to_add_to(user, source) -> tuple[list, bool]:
    """The maps `user` may edit that do not have `source` yet, for the form on the document's page, and whether
    they edit any map at all (to say why the list is empty). One query, however many maps."""
    if not user.is_authenticated:
        return [], False
    has_it = MapSource.objects.filter(map=OuterRef("pk"), source=source)
    editable = list(editable_maps(user).annotate(has_it=Exists(has_it)).order_by("title").only("slug", "title"))
    return [argument_map for argument_map in editable if not argument_map.has_it], bool(editable)
