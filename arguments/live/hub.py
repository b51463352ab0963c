"""Push for SSE streams on PostgreSQL: one LISTEN connection per process wakes the streams of the map
that changed (feed.announce sends the NOTIFY at commit). Elsewhere pages poll the feed."""

import asyncio
import logging
import weakref
from collections import defaultdict

from django.db import connections, router

from arguments.models import Event

from .feed import CHANNEL

logger = logging.getLogger(__name__)


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
