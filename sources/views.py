"""The source library: list, read, upload."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .access import editable_sources, readable_sources
from .bibliography import BibliographyError, fill_sources, read_entries
from .forms import BibliographyForm, UploadForm
from .ingest import IngestError
from .rendering import render_text
from .services import import_source


@require_GET
def library(request):
    sources = readable_sources(request.user).for_library()
    return render(request, "sources/library.html", {"sources": sources})


@require_GET
def detail(request, slug: str):
    source = get_object_or_404(readable_sources(request.user).defer("original"), slug=slug)
    return render(request, "sources/detail.html", {"source": source, "text_html": render_text(source.text, [])})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload_file = data.pop("file")
        try:
            source = import_source(filename=upload_file.name, data=upload_file.read(), added_by=request.user, **data)
        except IngestError as error:
            form.add_error("file", str(error))
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Imported “{source.title}”: {len(source.text):,} characters of text.")
            return redirect(source)
    max_mb = settings.WARRANT_MAX_UPLOAD_BYTES // (1024 * 1024)
    return render(request, "sources/upload.html", {"form": form, "max_mb": max_mb})


@login_required
@require_http_methods(["GET", "POST"])
def import_bibliography(request):
    """Fill the metadata of the sources one may edit from a reference manager's export."""
    form = BibliographyForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            items = read_entries(upload_file.name, upload_file.read())
        except BibliographyError as error:
            form.add_error("file", str(error))
        else:
            sources = editable_sources(request.user).defer("text", "original")
            report = fill_sources(items, sources)
    return render(request, "sources/import_bibliography.html", {"form": form, "report": report})
