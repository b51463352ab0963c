"""The log every change writes: one Event per change, in the change's own transaction.

The Event table is the activity feed, the audit trail and what live updates read, so every service
records its change here, and bumps the map's revision, before its transaction commits.
"""

from django.db.models import F

from arguments.live.feed import announce
from arguments.models import ArgumentMap, Event


class EditConflict(Exception):
    """Someone else changed the object since the editor loaded it."""

    def __init__(self, current) -> None:
        self.current = current
        super().__init__("This was changed by someone else while you were editing it.")


def record_event(*, argument_map: ArgumentMap, actor, verb: str, obj, payload: dict | None = None) -> Event:
    """Append to the map's log and bump its revision; call inside the change's transaction."""
    ArgumentMap.objects.filter(pk=argument_map.pk).update(revision=F("revision") + 1)
    event = Event.objects.create(
        map=argument_map,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        object_type=type(obj).__name__.lower(),
        object_id=obj.pk,
        payload=payload or {},
    )
    announce(event)
    return event
