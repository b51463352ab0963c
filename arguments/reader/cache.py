"""When a reader page need not be built or sent again: its ETag, and its layer kept in Django's cache.

layer.py builds the layer (the highlighted text and the annotation lists, the part that grows with the
passages); this module decides when it need not be built or sent again.

- **ETag.** A digest of everything the page shows: the map (its revision, which every change bumps),
  the source (its text revision and last change), the viewer (who, in which session, with which role),
  the path and filters. A browser that already has this exact page gets `304 Not Modified` from
  Django's own conditional-response helper before anything is rendered. A page showing a one-off
  message gets no ETag.
- **The layer** is kept in Django's default cache (one process's memory on the embedded default, a
  shared cache such as Redis in production, so that every app process builds a revision once) under a
  key naming the map (id, revision, creation time, so that an id reused after a restore never meets an
  old entry), the source (id, text revision, text hash) and the filters. Any change to the map bumps its
  revision and any change to the text bumps the source's, so an entry is never stale, only unused.
"""

from __future__ import annotations

import hashlib

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils.http import quote_etag

from arguments.access import MapAccess
from sources.models import Source

from .layer import ReaderFilters, build_shared_layer, control_scope, for_viewer

# Bump when the layer's HTML or the page around it changes shape, so that old entries and ETags lapse.
LAYOUT_VERSION = "8"
# An entry is never stale; the timeout only lets revisions nobody reads any more go (a rebuild is cheap).
LAYER_SECONDS = 60 * 60


def _digest(parts: tuple) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def page_etag(request, access: MapAccess, source: Source, query: str) -> str | None:
    """The reader page's ETag, or None when the page shows a one-off message (it must not be reused).

    The session key stands for the CSRF secret the page's forms carry: Django rotates both at sign-in.
    """
    if len(get_messages(request)):  # counted without marking the messages as shown
        return None
    user, argument_map = request.user, access.map
    parts = (
        LAYOUT_VERSION,
        request.path,
        query,
        request.session.session_key,
        user.pk,
        user.get_username(),
        access.role,
        argument_map.pk,
        argument_map.revision,
        argument_map.created.timestamp(),
        source.pk,
        source.revision,
        source.updated.timestamp(),
    )
    return quote_etag(_digest(parts))


def layer_key(access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> str:
    argument_map = access.map
    parts = (
        LAYOUT_VERSION,
        argument_map.pk,
        argument_map.revision,
        argument_map.created.timestamp(),
        source.pk,
        source.revision,
        source.sha256[:16],
        filters,
        query,
    )
    return "reader-layer:" + _digest(parts)


def layer_for(access: MapAccess, source: Source, filters: ReaderFilters, query: str) -> dict:
    """The layer for this viewer: the shared layer, built once per revision and kept, with their controls.

    Pages read the source without its text, which only a build needs (it is then loaded on first use).
    """
    key = layer_key(access, source, filters, query)
    shared = cache.get(key)
    if shared is None:
        shared = build_shared_layer(access, source, filters, query)
        cache.set(key, shared, LAYER_SECONDS)
    return for_viewer(shared, control_scope(access), access.user.pk)
