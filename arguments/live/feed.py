"""Live updates: the Event table read as a feed, and a PostgreSQL wake-up call for push streams.

The Event table is the source of truth. A client remembers the id of the last event it has seen and
asks for the events after it; whatever it missed (a dropped connection, a restarted server, a laptop
that slept) comes on its next request. Nothing here keeps state that a client depends on.

On PostgreSQL, `announce` adds `NOTIFY warrant_events, '<map id>:<event id>'` to the change's own
transaction, so the notice goes out at commit and never for a change that rolled back. Each app
process keeps one listening connection (hub.py) that wakes the SSE streams of that map; the woken
streams read the new events from the table. A lost notification costs nothing but latency: the
streams re-read after any reconnect of the listener, and clients re-read after any reconnect of theirs.
"""

from django.db import connections, router

from arguments.activity import describe, link_for
from arguments.models import Event

CHANNEL = "warrant_events"
PAGE_SIZE = 50


def announce(event: Event) -> None:
    """Tell listening app processes that `event` exists; PostgreSQL delivers it at commit."""
    connection = connections[router.db_for_write(Event)]
    if connection.vendor != "postgresql":
        return  # SQLite has no NOTIFY: clients poll the feed instead.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"{event.map_id}:{event.pk}"])


def event_row(event: Event, map_url: str) -> dict:
    """What a client learns of an event: who did what in plain words, and where to see it.

    The payload itself stays on the server: the words from `describe` say all a reader needs.
    """
    return {
        "id": event.pk,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "actor": event.actor.get_username() if event.actor_id else None,
        "text": describe(event),
        "url": link_for(event, map_url),
        "created": event.created.isoformat(),
    }


def events_after(map_id: int, map_url: str, after: int, limit: int = PAGE_SIZE) -> tuple[list[dict], bool]:
    """The map's events after id `after`, oldest first, at most `limit`, and whether more follow.

    One query, served by the (map, id) index, however long the log.
    """
    events = list(Event.objects.filter(map_id=map_id, id__gt=after).select_related("actor").order_by("id")[: limit + 1])
    return [event_row(event, map_url) for event in events[:limit]], len(events) > limit


def parse_event_id(value: str | None) -> int | None:
    """A client's 'last seen' id, or None when it sent none or nonsense."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())
