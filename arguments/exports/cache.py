"""Map downloads built once per revision, and answered `304 Not Modified` when the caller has them.

Exporting a large map reads every row and writes megabytes (bench/exports.py times it), while the
map changes far less often than it is downloaded: an analyst's script polls it, a seminar downloads
the same brief. So a file is kept in Django's
cache under a key made of everything it depends on, and its ETag is that key:

- the format and the site's base URL (SVG and Web Annotation files carry absolute links);
- the map (id, revision, creation time): every change to the map bumps its revision, and the
  creation time keeps a reused id, after a restore or a rolled-back test, from meeting an old entry;
- the map's sources (how many, and the newest `updated`): a source's bibliographic fields can be
  edited in the library without a change to the map, and every export cites them.

An entry is never stale, only unused; the timeout merely bounds memory. Files larger than
MAX_CACHED_BYTES are rebuilt each time rather than crowd the cache out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from arguments.models import ArgumentMap, MapSource

CACHE_SECONDS = 60 * 60
MAX_CACHED_BYTES = 50 * 1024 * 1024
# Bump when an exporter's output changes shape, so that old entries and ETags lapse.
EXPORT_LAYOUT_VERSION = "2"  # 2: the PDF brief is the print view (WeasyPrint)


def export_etag(argument_map: ArgumentMap, format_key: str, base_url: str) -> str:
    """The file's ETag: a digest of everything its content depends on (one query, for the sources)."""
    sources = MapSource.objects.filter(map_id=argument_map.pk).aggregate(
        count=Count("id"), newest=Max("source__updated")
    )
    parts = (
        EXPORT_LAYOUT_VERSION,
        format_key,
        base_url,
        argument_map.pk,
        argument_map.revision,
        argument_map.created.timestamp() if argument_map.created else "",
        sources["count"],
        sources["newest"].isoformat() if sources["newest"] else "",
    )
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def export_download(
    request: HttpRequest,
    argument_map: ArgumentMap,
    *,
    format_key: str,
    filename: str,
    content_type: str,
    build: Callable[[], str | bytes],
) -> HttpResponse:
    """The download as an attachment, from the cache when this revision was built before.

    `build` makes the file; whatever it raises (SvgUnavailable, say) reaches the caller, and
    nothing is cached then.
    """
    etag = export_etag(argument_map, format_key, request.build_absolute_uri("/").rstrip("/"))
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = "export:" + etag.strip('"')
        content = cache.get(key)
        if content is None:
            content = build()
            if isinstance(content, str):
                content = content.encode("utf-8")
            if len(content) <= MAX_CACHED_BYTES:
                cache.set(key, content, CACHE_SECONDS)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    # Revalidate on every use (a change must show at once); private maps stay out of shared caches.
    patch_cache_control(response, no_cache=True, **({} if argument_map.is_public else {"private": True}))
    return response
