"""Live updates: the Event table read as a feed, and a PostgreSQL wake-up call for push streams.

The Event table is the source of truth. A client remembers the id of the last event it has seen and
asks for the events after it; whatever it missed (a dropped connection, a restarted server, a laptop
that slept) comes on its next request. Nothing here keeps state that a client depends on.

On PostgreSQL, `announce` adds `NOTIFY warrant_events, '<map id>:<event id>'` to the change's own
transaction, so the notice goes out at commit and never for a change that rolled back. Each app
process keeps one listening connection (`Hub`) that wakes the SSE streams of that map; the woken
streams read the new events from the table. A lost notification costs nothing but latency: the
streams re-read after any reconnect of the listener, and clients re-read after any reconnect of theirs.
"""

import asyncio
import logging
import weakref
from collections import defaultdict

from django.db import connections, router

from .activity import describe, link_for
from .models import Event

logger = logging.getLogger(__name__)

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


def stream_available() -> bool:
    """Push needs NOTIFY, which only PostgreSQL has; elsewhere the client polls."""
    return connections[router.db_for_read(Event)].vendor == "postgresql"


def _listen_params() -> dict:
    """Connection parameters for the listening connection: the default database's, plain values only."""
    params = connections[router.db_for_read(Event)].get_connection_params()
    # Django adds Python objects for its own cursors and adapters; LISTEN needs neither.
    return {key: value for key, value in params.items() if isinstance(value, str | int) and key != "cursor_factory"}


class Hub:
    """One LISTEN connection per process and event loop, waking the streams of the map that changed.

    A stream holds an asyncio.Event per subscription; the hub sets it and the stream reads the table.
    Setting a flag that is already set is free, so a burst of changes costs each stream one read.
    """

    def __init__(self) -> None:
        self.flags: dict[int, set[asyncio.Event]] = defaultdict(set)
        self.task: asyncio.Task | None = None
        self.listening = False

    def subscribe(self, map_id: int) -> asyncio.Event:
        flag = asyncio.Event()
        self.flags[map_id].add(flag)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._listen(), name="warrant-live-listener")
        return flag

    def unsubscribe(self, map_id: int, flag: asyncio.Event) -> None:
        subscribers = self.flags.get(map_id)
        if subscribers is not None:
            subscribers.discard(flag)
            if not subscribers:
                del self.flags[map_id]

    def wake(self, map_id: int | None = None) -> None:
        """Wake the streams of one map, or of every map when notifications may have been missed."""
        groups = [self.flags.get(map_id, ())] if map_id is not None else list(self.flags.values())
        for group in groups:
            for flag in group:
                flag.set()

    def dispatch(self, payload: str) -> None:
        map_part, _, _ = payload.partition(":")
        if map_part.isdigit():
            self.wake(int(map_part))
        else:
            self.wake()

    async def _listen(self) -> None:
        import psycopg  # only PostgreSQL deployments get here

        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(autocommit=True, **_listen_params()) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening, delay = True, 0.5
                    # Anything committed before LISTEN took effect has no notification coming:
                    # every stream re-reads once, which finds it.
                    self.wake()
                    async for notification in conn.notifies():
                        self.dispatch(notification.payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Live updates: lost the LISTEN connection; retrying in %.1f s", delay, exc_info=True)
            self.listening = False
            self.wake()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This process's hub for the running event loop (uvicorn runs one loop per worker process)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
