"""Downloads of a map in every interchange format, and importing a map from a file.

/maps/<slug>/export/              the list of formats (readers of the map)
/maps/<slug>/export/<format>/     one download, as an attachment named <slug>.<extension>
/maps/import/                     upload a Warrant JSON or AIF / OVA file into a new map (signed-in users)
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_GET, require_http_methods

from arguments.access import Need, get_map_for
from arguments.models import Claim

from .common import ImportProblem
from .dot import MAX_SVG_CLAIMS, SvgUnavailable
from .imports import MAX_IMPORT_BYTES, import_document
from .registry import FORMATS, FORMATS_BY_KEY, download


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
