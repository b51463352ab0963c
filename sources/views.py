"""The source library: list, read, upload."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import editable_sources, readable_sources
from .bibliography import BibliographyError, fill_sources, read_entries
from .extractors.common import describe
from .forms import BibliographyForm, UploadForm
from .ingest import IngestError, extract
from .rendering import render_text
from .services import describe_import, import_source


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
            if cleaned := describe_import(source):
                # Said once, on the page the upload leads to: what the text no longer has, and that nothing is lost.
                messages.info(request, f"Cleaned on import: {cleaned}. The original file is kept as uploaded.")
            return redirect(source)
    max_mb = settings.WARRANT_MAX_UPLOAD_BYTES // (1024 * 1024)
    return render(request, "sources/upload.html", {"form": form, "max_mb": max_mb})


# How much of the text the preview shows: enough to see that it reads right, not the whole document.
PREVIEW_PARAGRAPHS = 4
PREVIEW_PARAGRAPH_CHARS = 600
METADATA_LABELS = {
    "title": "Title", "authors": "Authors", "published": "Published", "url": "URL", "publisher": "Publisher",
    "container_title": "Published in", "language": "Language", "notes": "Notes",
}  # fmt: skip


@require_POST  # first, so that a GET is refused alike for everyone rather than sent to log in
@login_required
def upload_preview(request):
    """The upload page's preview of a chosen file (fetched by the page as soon as a file is chosen): the start of
    the canonical text, what the import will take out, and the metadata the file states. Nothing is saved."""
    upload_file = request.FILES.get("file")
    context: dict = {"error": "", "paragraphs": [], "removed": "", "metadata": []}
    if upload_file is None:
        context["error"] = "Choose a file to see how it will read."
    else:
        try:
            extracted = extract(upload_file.name, upload_file.read())
        except IngestError as error:
            context["error"] = str(error)
        else:
            paragraphs = extracted.text.split("\n\n")
            context.update(
                paragraphs=[_shortened(paragraph) for paragraph in paragraphs[:PREVIEW_PARAGRAPHS]],
                more=max(0, len(paragraphs) - PREVIEW_PARAGRAPHS),
                characters=f"{len(extracted.text):,}",
                removed=describe(extracted.removed),
                metadata=[
                    (label, "; ".join(value) if isinstance(value, list) else value)
                    for field, label in METADATA_LABELS.items()
                    if (value := extracted.metadata.get(field))
                ],
            )
    return render(request, "sources/_upload_preview.html", context)


def _shortened(paragraph: str) -> str:
    if len(paragraph) <= PREVIEW_PARAGRAPH_CHARS:
        return paragraph
    return paragraph[:PREVIEW_PARAGRAPH_CHARS].rsplit(" ", 1)[0] + " …"


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
