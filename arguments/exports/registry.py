"""Every format a map can be downloaded in, and the download itself, for the pages and the API alike."""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from arguments.models import ArgumentMap
from sources.bibliography import to_bibtex, to_csljson

from .aif_export import export_aif
from .argdown import export_argdown
from .brief import build_brief, to_markdown, to_pdf
from .cache import export_download
from .common import dumps
from .dot import MAX_SVG_CLAIMS, export_dot, export_svg
from .graphml import export_graphml
from .tables import export_tables
from .warrant_json import export_map
from .webannotation import export_webannotation


def _map_sources(argument_map: ArgumentMap):
    """The map's sources in their order, without their texts (a bibliography needs none)."""
    return [
        ms.source
        for ms in argument_map.map_sources.select_related("source")
        .defer("source__text", "source__original")
        .order_by("position", "id")
    ]


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
        lambda m, base: to_pdf(m, build_brief(m), base_url=f"{base}{m.get_absolute_url()}brief/"),
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
FORMATS += (
    ExportFormat(
        "bibtex",
        "Bibliography (BibTeX)",
        "bib",
        "application/x-bibtex; charset=utf-8",
        "The map's sources as BibTeX entries, for Zotero, JabRef or LaTeX (organisations kept whole in braces).",
        lambda m, base: to_bibtex(_map_sources(m)),
    ),
    ExportFormat(
        "csljson",
        "Bibliography (CSL-JSON)",
        "csl.json",
        "application/vnd.citationstyles.csl+json; charset=utf-8",
        "The map's sources as CSL-JSON, the form Zotero and citation processors read.",
        lambda m, base: dumps(to_csljson(_map_sources(m))),
    ),
)
FORMATS_BY_KEY = {fmt.key: fmt for fmt in FORMATS}


def download(request: HttpRequest, argument_map: ArgumentMap, fmt: ExportFormat) -> HttpResponse:
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
