"""The live-update endpoints of a map: a JSON feed to poll and, under ASGI on PostgreSQL, an SSE stream.

Both answer with the map's events after the id the client names, so a client that was away gets
everything it missed. Polling works everywhere (WSGI, runserver, SQLite); the stream is an upgrade that
answers 204 No Content where it cannot push, which tells the browser's EventSource to stop and
static/js/live.js to poll instead.
"""

import asyncio
import json
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET

from arguments.access import Need, get_map_for

from . import feed, hub

# How long the browser waits before reconnecting a dropped stream, in milliseconds.
RETRY_MS = 1000
# A comment line this often keeps proxies and load balancers from closing an idle stream.
HEARTBEAT_SECONDS = 15
# Streams end after this long; the browser reconnects at once, which re-checks the reader's access
# and spreads long-lived connections over restarted or added app processes.
STREAM_SECONDS = 300


def _revalidate(response: HttpResponse) -> HttpResponse:
    # Private (it depends on who asks) and revalidated every time (it changes with every edit).
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
def events_feed(request, slug: str):
    """`?after=<id>`: the map's events after that id, oldest first, a page at a time.

    304 Not Modified when nothing happened since (or the ETag still matches): with the map read by
    the access check, which also fetches the newest event id, that answer costs no further query.
    Without `after` the answer is only the newest id, the point from which to follow the map.
    """
    access = get_map_for(request.user, slug, Need.READ)
    argument_map = access.map
    newest = argument_map.last_event_id or 0
    etag = f'"{argument_map.pk}.{newest}"'
    raw_after = request.GET.get("after")
    after = feed.parse_event_id(raw_after)
    if raw_after is not None and after is None:
        return JsonResponse({"error": "`after` must be the id of an event: a whole number, 0 or more."}, status=400)
    if after is None:
        return _revalidate(JsonResponse({"events": [], "last_id": newest, "more": False}))
    # Nothing after `after` is "not modified" whatever the client sent; otherwise Django compares the
    # validators (If-None-Match, with weak comparison and lists, as for every conditional request).
    not_modified = HttpResponseNotModified() if newest <= after else get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return _revalidate(not_modified)
    events, more = feed.events_after(argument_map.pk, argument_map.get_absolute_url(), after)
    response = JsonResponse({"events": events, "last_id": events[-1]["id"] if events else after, "more": more})
    if not more:
        response["ETag"] = etag  # a partial page is not the whole answer for this state
    return _revalidate(response)


def _streaming_possible(request) -> bool:
    """Only an ASGI server can hold a stream without holding a thread; only PostgreSQL can wake it."""
    return isinstance(request, ASGIRequest) and hub.stream_available()


def _readable(user, slug: str) -> tuple[int, str]:
    """The map's id and address if the user may read it, with the database connection given back."""
    try:
        access = get_map_for(user, slug, Need.READ)
        return access.map.pk, access.map.get_absolute_url()
    finally:
        connections.close_all()


def _page_closing(map_id: int, map_url: str, after: int) -> tuple[list[dict], bool]:
    """One page of events, then close the connection: a stream must not hold one while it waits."""
    try:
        return feed.events_after(map_id, map_url, after)
    finally:
        connections.close_all()


def _sse(event: dict) -> str:
    # json.dumps never writes a newline, so the message fits on one `data:` line.
    return f"id: {event['id']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


async def _stream(map_id: int, map_url: str, after: int) -> AsyncIterator[str]:
    streams = hub.hub()
    # Subscribe before the first read: anything committed after that read wakes the flag.
    flag = streams.subscribe(map_id)
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + STREAM_SECONDS
    fetch = sync_to_async(_page_closing, thread_sensitive=False)
    try:
        yield f"retry: {RETRY_MS}\n: following map {map_id} from event {after}\n\n"
        stale = True  # catch up first
        while True:
            if stale:
                flag.clear()
                events, more = await fetch(map_id, map_url, after)
                for event in events:
                    yield _sse(event)
                    after = event["id"]
                stale = more
                if more:
                    continue
            remaining = ends_at - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(flag.wait(), timeout=min(HEARTBEAT_SECONDS, remaining))
                stale = True
            except TimeoutError:
                yield ": keep-alive\n\n"
    finally:
        streams.unsubscribe(map_id, flag)


@require_GET
async def events_stream(request, slug: str):
    """Server-sent events: everything after `Last-Event-ID` (or `?after=`), then each new event as it commits."""
    if not _streaming_possible(request):
        return _revalidate(HttpResponse(status=204))  # EventSource gives up on 204; the page polls
    user = await request.auser()
    map_id, map_url = await sync_to_async(_readable)(user, slug)
    after = feed.parse_event_id(request.headers.get("Last-Event-ID"))
    if after is None:
        after = feed.parse_event_id(request.GET.get("after"))
    if after is None:
        return _revalidate(JsonResponse({"error": "Say where to start: `?after=<event id>`."}, status=400))
    response = StreamingHttpResponse(_stream(map_id, map_url, after), content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"  # nginx would otherwise hold the events back in its buffer
    return _revalidate(response)
