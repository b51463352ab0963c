"""The user documentation (docs/*.md meant for people using Warrant) as pages of the site, at /docs/<name>/.

The files are the project's own, but they are rendered as untrusted text would be all the same: markdown-it
with raw HTML off, then nh3 keeping a fixed set of tags, so a stray tag in a doc cannot run script or break the
page. Pages for operators and developers (performance, live updates' internals) stay in the repository.
"""

import re
from functools import lru_cache
from pathlib import Path

import nh3
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt

# Name in the URL → what the index says it is for. Order is the index's order.
USER_DOCS: dict[str, str] = {
    "debate": "Building a debate on a map",
    "evaluation": "How Warrant describes where a claim stands",
    "reader": "Reading a source and linking passages to claims",
    "sources": "Bringing sources in: what the import recognises",
    "search": "Searching a map: what a query means",
    "assist": "Suggested passages, claims and links",
    "exports": "Downloading a map, and importing a map file",
    "warrant-json": "The Warrant JSON format",
    "aif": "The AIF format (AIFdb, OVA)",
    "api": "The REST API, for scripts",
    "administration": "Running Warrant for a group: members, roles, limits",
}

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote"),
    *("ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}}
# A link from one user doc to another ("search.md", "exports.md#csv-tables") becomes a link to its page.
DOC_LINK = re.compile(r'href="(?:\./)?([a-z-]+)\.md(#[^"]*)?"')
HEADING = re.compile(r"<(h[23])>(.*?)</\1>", re.S)


def _link(match: re.Match) -> str:
    name, fragment = match.group(1), match.group(2) or ""
    if name in USER_DOCS:
        return f'href="/docs/{name}/{fragment}"'
    return match.group(0)


def _anchor(match: re.Match) -> str:
    """Headings get ids, so a section can be linked to (#csv-tables)."""
    tag, inner = match.group(1), match.group(2)
    slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", inner).lower()).strip("-")
    return f'<{tag} id="{slug}">{inner}</{tag}>'


@lru_cache(maxsize=32)
def _render(name: str, mtime: float) -> tuple[str, str]:
    source = (Path(settings.BASE_DIR) / "docs" / f"{name}.md").read_text(encoding="utf-8")
    html = nh3.clean(
        _renderer.render(source),
        tags=ALLOWED_TAGS - {"img"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    html = HEADING.sub(_anchor, DOC_LINK.sub(_link, html))
    title_match = re.match(r"#\s+(.+)", source)
    title = title_match.group(1).strip() if title_match else name
    return title, html


def render_doc(name: str) -> tuple[str, str]:
    """(title, sanitised HTML) of a user doc; re-read when the file changes."""
    path = Path(settings.BASE_DIR) / "docs" / f"{name}.md"
    return _render(name, path.stat().st_mtime)


@require_GET
def index(request):
    return render(request, "docs/index.html", {"docs": USER_DOCS.items()})


@require_GET
def page(request, name: str):
    if name not in USER_DOCS:
        raise Http404("No such page of the documentation.")
    try:
        title, html = render_doc(name)
    except FileNotFoundError as missing:
        raise Http404("No such page of the documentation.") from missing
    return render(request, "docs/page.html", {"name": name, "title": title, "body": mark_safe(html)})  # noqa: S308 - sanitised by nh3 above
