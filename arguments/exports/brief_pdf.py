"""The debate brief as PDF: the brief page itself, laid out by WeasyPrint with its print stylesheet.

The PDF is what a reader gets when they print the page: the same template, the same escaping, the
print rules of warrant.css (`@media print`, `@page`). Pango shapes the text and falls back per
character through fontconfig, so Latin, CJK, Arabic and Hebrew (right to left) and colour emoji
all print, given the fonts the README lists (Debian's fonts-noto-*). bench/pdf_brief.py compares
this with fpdf2 and text shaping; docs/performance.md has the figures.

Rendering fetches nothing from the network: the only URLs it follows are our own static files
(the stylesheets), read from disk; any other URL is refused and left out of the PDF.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string

# Without a page URL (a script, the benchmark), relative links resolve against this placeholder,
# which only our own fetcher ever reads.
LOCAL_BASE = "file:///"

# WeasyPrint reports each CSS property it does not lay out (transitions, hover states) as a warning;
# they concern the screen, not the page.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def render_pdf(context: dict, base_url: str | None = None) -> bytes:
    """The brief page rendered from `context` (as the view builds it), printed to PDF bytes.

    `base_url` is the page's absolute URL: the citations' links to their passages then work in the
    PDF. The template is rendered without the request, so that nothing of the reader's session (a
    pending message, say) is consumed by the download.
    """
    from weasyprint import HTML

    html = render_to_string("arguments/map_brief.html", context)
    base = base_url or LOCAL_BASE
    return HTML(string=html, base_url=base, url_fetcher=static_fetcher(base), media_type="print").write_pdf()


def static_fetcher(base_url: str):
    """A WeasyPrint URL fetcher that serves our static files from disk and refuses every other URL."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = urlsplit(base_url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(prefix):
                raise ValueError(f"not fetched while printing: {url}")
            path = _static_path(unquote(parts.path[len(prefix) :]))
            if path is None:
                raise ValueError(f"no such static file: {url}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})

    return StaticOnly(allowed_protocols={"http", "https", "file"})


def _static_path(name: str) -> Path | None:
    """The file of a static URL: from the app folders (development, tests) or the collected, hashed copies."""
    if not name or ".." in Path(name).parts:
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    try:
        path = Path(staticfiles_storage.path(name))
    except Exception:  # a storage without local files, or a name outside it
        return None
    return path if path.is_file() else None


def _content_type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        path.suffix, "application/octet-stream"
    )
