"""Graphviz DOT and SVG export: the map as a drawing, support below what it supports (rankdir=BT).

export_dot builds DOT text from two queries. export_svg lays it out with Graphviz's `dot`, which is
slow on large graphs with cross edges (with default settings a thousand nodes can take a minute), so
it is bounded three ways: maps over MAX_SVG_CLAIMS claims are refused before anything runs, the
layout runs with tuned network-simplex and crossing-minimisation limits, and the process is killed
after SVG_TIMEOUT seconds. At most SVG_WORKERS layouts run at once per process. User text only ever
reaches Graphviz on its standard input, never a command line or a shell.
"""

import re
import shutil
import subprocess
import textwrap
import threading

from django.urls import reverse

from arguments.clipping import clip
from arguments.models import ArgumentMap, Claim, Relation

MAX_SVG_CLAIMS = 1_500
SVG_TIMEOUT = 8.0  # seconds
SVG_WORKERS = 2
LABEL_WIDTH = 32  # characters per line of a node label
LABEL_CHARS = 280  # longer claims are cut in the label; the tooltip keeps the whole text
# Layout limits: network simplex iterations, crossing minimisation passes, and search size.
DOT_LIMITS = ("-Gnslimit=2", "-Gnslimit1=2", "-Gmclimit=1", "-Gsearchsize=30")

EDGE_STYLE = {
    "supports": 'color="#2d6a3e", fontcolor="#2d6a3e", style=solid, arrowhead=normal',
    "opposes": 'color="#b4451f", fontcolor="#b4451f", style=dashed, arrowhead=tee',
}
NODE_STYLE = {
    "thesis": 'shape=box, style="filled,bold", peripheries=2, fillcolor="#e6edf7", color="#1f3b63"',
    "claim": 'shape=box, style="rounded,filled", fillcolor="#ffffff", color="#5b6573"',
}

_CONTROL = re.compile("[\x00-\x1f\x7f]")
_layouts = threading.BoundedSemaphore(SVG_WORKERS)


class SvgUnavailable(Exception):
    """The SVG cannot be made now; `status` is the HTTP status a view should answer with."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def dot_string(value: str) -> str:
    """`value` as a DOT double-quoted string: backslashes (which start Graphviz escapes such as
    \\N or \\l) and quotes are escaped, control characters become spaces, and ampersands are
    written as &amp; because Graphviz decodes HTML entities such as &lt; in labels."""
    value = _CONTROL.sub(" ", value).replace("&", "&amp;")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def label(text: str) -> str:
    """The claim text wrapped into centred lines (joined by DOT's \\n), cut at LABEL_CHARS."""
    text = clip(" ".join(text.split()), LABEL_CHARS)
    lines = textwrap.wrap(text, LABEL_WIDTH, break_long_words=True, break_on_hyphens=False) or [""]
    return '"' + "\\n".join(dot_string(line)[1:-1] for line in lines) + '"'


def export_dot(argument_map: ArgumentMap, *, link_base: str = "") -> str:
    """The map as a DOT digraph. With `link_base` (e.g. "https://warrant.example"), nodes link to
    their claim pages, which SVG viewers follow; without it the DOT names no host."""
    claims = Claim.objects.filter(map_id=argument_map.pk).order_by("id").values_list("id", "kind", "text")
    relations = (
        Relation.objects.filter(map_id=argument_map.pk)
        .order_by("id")
        .values_list("from_claim_id", "to_claim_id", "kind", "scheme")
    )
    claim_url = ""
    if link_base:
        pattern = reverse("arguments:claim", args=[argument_map.slug, 0]).replace("/0/", "/{}/")
        claim_url = link_base.rstrip("/") + pattern
    out = [
        f"digraph {dot_string(argument_map.slug)} {{\n",
        f'  graph [rankdir=BT, charset="UTF-8", label={dot_string(argument_map.title)}, labelloc=t,'
        ' fontname="Helvetica", nodesep=0.3, ranksep=0.5];\n',
        '  node [fontname="Helvetica", fontsize=11, margin="0.15,0.08"];\n',
        '  edge [fontname="Helvetica", fontsize=9];\n',
    ]
    for pk, kind, text in claims:
        extra = f", URL={dot_string(claim_url.format(pk))}, target=_top" if claim_url else ""
        # A cut label gets the whole text as its tooltip. Graphviz reads backslash sequences such as
        # \\N in tooltips differently from labels, so a tooltip shows backslashes as U+29F5.
        tooltip = ""
        if len(text) > LABEL_CHARS:
            tooltip = f", tooltip={dot_string(' '.join(text[:2000].split()).replace(chr(92), chr(0x29F5)))}"
        style = NODE_STYLE.get(kind, NODE_STYLE["claim"])
        out.append(f"  c{pk} [label={label(text)}{tooltip}, {style}{extra}];\n")
    for source, target, kind, scheme in relations:
        scheme_label = f", label={dot_string(scheme)}" if scheme else ""
        out.append(f"  c{source} -> c{target} [{EDGE_STYLE[kind]}{scheme_label}];\n")
    out.append("}\n")
    return "".join(out)


def export_svg(argument_map: ArgumentMap, *, link_base: str = "", timeout: float = SVG_TIMEOUT) -> bytes:
    """The map laid out by Graphviz as SVG, or SvgUnavailable (422 too large, 503 busy or too slow)."""
    claims = Claim.objects.filter(map_id=argument_map.pk).count()
    if claims > MAX_SVG_CLAIMS:
        raise SvgUnavailable(
            f"This map has {claims:,} claims; a drawing is made for maps of up to {MAX_SVG_CLAIMS:,}. "
            "Download the DOT or GraphML file and lay it out on your own computer instead.",
            status=422,
        )
    return render_svg(export_dot(argument_map, link_base=link_base), timeout=timeout)


def render_svg(dot_text: str, *, timeout: float = SVG_TIMEOUT) -> bytes:
    program = shutil.which("dot")
    if program is None:
        raise SvgUnavailable("Graphviz is not installed on this server; download the DOT file instead.", status=503)
    if not _layouts.acquire(blocking=False):
        raise SvgUnavailable("The server is drawing other maps right now; try again in a moment.", status=503)
    try:
        result = subprocess.run(
            [program, "-Tsvg", *DOT_LIMITS],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SvgUnavailable(
            f"Laying out this map took longer than {timeout:g} seconds, so the drawing was stopped. "
            "Download the DOT or GraphML file and lay it out on your own computer instead.",
            status=503,
        ) from None
    finally:
        _layouts.release()
    if result.returncode != 0 or not result.stdout:
        detail = result.stderr.decode("utf-8", "replace").strip()[:200]
        raise SvgUnavailable(f"Graphviz could not draw this map ({detail or 'no output'}).", status=503)
    return result.stdout
