"""Downloads of a map in every interchange format, and importing a map from a file.

/maps/<slug>/export/              the list of formats (readers of the map)
/maps/<slug>/export/<format>/     one download, as an attachment named <slug>.<extension>
/maps/import/                     upload a Warrant JSON or AIF / OVA file into a new map (signed-in users)
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_GET, require_http_methods

from .access import Need, get_map_for
from .brief import build_brief, to_markdown, to_pdf
from .export_cache import export_download
from .interchange import (
    ImportProblem,
    detect_format,
    dumps,
    export_aif,
    export_map,
    import_aif,
    import_map,
    parse_document,
)
from .interchange.argdown import export_argdown
from .interchange.dot import MAX_SVG_CLAIMS, SvgUnavailable, export_dot, export_svg
from .interchange.graphml import export_graphml
from .interchange.tables import export_tables
from .interchange.webannotation import export_webannotation
from .models import ArgumentMap, Claim

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def compact_json(document: dict) -> str:
    """JSON without indentation: a quarter of the time and two thirds of the size of dumps() for
    documents such as the Web Annotation collection, which repeat the same small objects."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


@dataclass(frozen=True)
class ExportFormat:
    key: str
    name: str
    extension: str
    content_type: str
    description: str
    build: Callable[[ArgumentMap, str], str | bytes]  # (map, absolute base URL of the site) -> file


FORMATS = (
    ExportFormat(
        "json",
        "Warrant JSON",
        "json",
        "application/json; charset=utf-8",
        "Everything in the map, sources and their texts included; imports back into Warrant without loss.",
        lambda m, base: dumps(export_map(m)),
    ),
    ExportFormat(
        "aif",
        "AIF JSON",
        "aif.json",
        "application/json; charset=utf-8",
        "The Argument Interchange Format as AIFdb and OVA read it: claims, inferences, conflicts and quotes.",
        lambda m, base: dumps(export_aif(m)),
    ),
    ExportFormat(
        "argdown",
        "Argdown",
        "argdown",
        "text/plain; charset=utf-8",
        "Claims and their relations as Argdown text, one section per thesis, for the Argdown tools.",
        lambda m, base: export_argdown(m),
    ),
    ExportFormat(
        "graphml",
        "GraphML",
        "graphml",
        "application/graphml+xml; charset=utf-8",
        "Claims as nodes and relations as edges, for Gephi, yEd, Cytoscape or networkx.",
        lambda m, base: export_graphml(m),
    ),
    ExportFormat(
        "dot",
        "Graphviz DOT",
        "dot",
        "text/vnd.graphviz; charset=utf-8",
        "The graph in Graphviz's language, styled like Warrant's map, to lay out and draw yourself.",
        lambda m, base: export_dot(m),
    ),
    ExportFormat(
        "svg",
        "SVG drawing",
        "svg",
        "image/svg+xml",
        f"The map drawn by Graphviz, ready for a paper or slides (maps of up to {MAX_SVG_CLAIMS:,} claims).",
        lambda m, base: export_svg(m, link_base=base),
    ),
    ExportFormat(
        "csv",
        "CSV tables (zip)",
        "zip",
        "application/zip",
        "One spreadsheet table each for sources, passages, claims, relations, evidence and comments.",
        lambda m, base: export_tables(m),
    ),
    ExportFormat(
        "markdown",
        "Debate brief (Markdown)",
        "md",
        "text/markdown; charset=utf-8",
        "The debate brief: each side's arguments with their best quotes and full citations.",
        lambda m, base: to_markdown(m, build_brief(m)),
    ),
    ExportFormat(
        "pdf",
        "Debate brief (PDF)",
        "pdf",
        "application/pdf",
        "The same brief as a printable PDF handout.",
        lambda m, base: to_pdf(m, build_brief(m)),
    ),
    ExportFormat(
        "webannotation",
        "W3C Web Annotation",
        "jsonld",
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
        "Every piece of evidence as a standard annotation: the quoted span of the document linked to its claim.",
        lambda m, base: compact_json(export_webannotation(m, base_url=base)),
    ),
)
FORMATS_BY_KEY = {fmt.key: fmt for fmt in FORMATS}


@require_GET
def map_export(request, slug: str):
    access = get_map_for(request.user, slug, Need.READ)
    return _export_page(request, access)


def _export_page(request, access, *, error: str = "", failed: str = "", status: int = 200):
    claims = Claim.objects.filter(map_id=access.map.pk).count()
    context = {
        "access": access,
        "map": access.map,
        "formats": FORMATS,
        "claim_count": claims,
        "svg_too_large": claims > MAX_SVG_CLAIMS,
        "max_svg_claims": MAX_SVG_CLAIMS,
        "error": error,
        "failed": failed,
    }
    return render(request, "arguments/map_export.html", context, status=status)


@require_GET
def map_export_format(request, slug: str, format: str):
    access = get_map_for(request.user, slug, Need.READ)
    fmt = FORMATS_BY_KEY.get(format)
    if fmt is None:
        raise Http404("No such export format.")
    try:
        response = download(request, access.map, fmt)
    except SvgUnavailable as problem:
        return _export_page(request, access, error=problem.message, failed=fmt.key, status=problem.status)
    return response


def download(request, argument_map: ArgumentMap, fmt: ExportFormat) -> HttpResponse:
    """One format's file for the pages and the API alike (built once per revision, see export_cache)."""
    base = request.build_absolute_uri("/").rstrip("/")
    response = export_download(
        request,
        argument_map,
        format_key=fmt.key,
        filename=f"{argument_map.slug}.{fmt.extension}",
        content_type=fmt.content_type,
        build=lambda: fmt.build(argument_map, base),
    )
    if fmt.key == "svg":  # opened directly, a drawing needs no scripts, styles or requests of its own
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Map file",
        help_text=(
            "A Warrant JSON export, or an AIF file from AIFdb or OVA (.json), "
            f"at most {filesizeformat(MAX_IMPORT_BYTES)}."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        required=False,
        help_text="For AIF files, which carry no title of their own. A Warrant JSON file keeps its title.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the limit is {filesizeformat(MAX_IMPORT_BYTES)}."
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def map_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            argument_map = import_document(form.cleaned_data["file"].read(), request.user, form.cleaned_data["title"])
        except ImportProblem as problem:
            form.add_error("file", f"This file could not be imported: {problem}")
        else:
            counts = getattr(argument_map, "import_counts", {}) or {}
            messages.success(
                request,
                f"Imported “{argument_map.title}”: {counts.get('claims', 0)} claims and "
                f"{counts.get('relations', 0)} relations. The map is private until you share it.",
            )
            return redirect(argument_map.get_absolute_url())
    return render(request, "arguments/map_import.html", {"form": form, "max_bytes": MAX_IMPORT_BYTES})


def import_document(data: bytes, owner, title: str) -> ArgumentMap:
    """A new map owned by `owner` from a Warrant JSON or AIF file; ImportProblem, and nothing written, if broken."""
    document = parse_document(data)
    kind = detect_format(document)
    if kind == "json":
        return import_map(document, owner=owner)
    if kind == "aif":
        return import_aif(document, owner=owner, title=title or None)
    raise ImportProblem("it is neither a Warrant JSON document (no schema_version) nor AIF (no nodes)")
