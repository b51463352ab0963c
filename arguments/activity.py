"""Events told in plain words, for the activity feed and a claim's history."""

from django.utils.text import Truncator

from .models import Event

STANCE_WORDS = {"states": "as stating", "supports": "as supporting", "opposes": "as opposing"}


def _quoted(text: str, limit: int = 70) -> str:
    return "“" + Truncator(text or "").chars(limit) + "”"


def describe(event: Event) -> str:
    """'anna linked a passage from Phillips 2021 as supporting “…”' — the actor's name comes first."""
    who = event.actor.get_username() if event.actor_id else "Someone"
    p, kind = event.payload or {}, event.object_type
    if kind == "claim" and event.verb == "created":
        return f"{who} added the claim {_quoted(p.get('text', ''))}"
    if kind == "claim" and event.verb == "deleted":
        return f"{who} deleted the claim {_quoted(p.get('text', ''))}"
    if kind == "claim" and event.verb == "updated":
        return f"{who} changed the claim from {_quoted(p.get('previous_text', ''))} to {_quoted(p.get('text', ''))}"
    if kind == "relation":
        verb = "as supporting" if p.get("kind") == "supports" else "as opposing"
        return f"{who} linked {_quoted(p.get('from_text', 'a claim'))} {verb} another claim"
    if kind == "evidence":
        stance = STANCE_WORDS.get(p.get("stance"), "as evidence for")
        return (
            f"{who} linked a passage from {p.get('source', 'a source')} {stance} a claim: {_quoted(p.get('quote', ''))}"
        )
    if kind == "comment":
        return f"{who} commented"
    if event.verb == "reanchored":
        return _describe_reanchored(who, p)
    if kind == "mapsource":
        return f"{who} added the source {_quoted(p.get('source', ''))}"
    if kind == "membership":
        return f"{who} gave {p.get('user', 'someone')} the role {p.get('role', '')}"
    if kind == "argumentmap":
        return f"{who} {event.get_verb_display()} the map"
    return f"{who} {event.get_verb_display()} a {kind}"


def _describe_reanchored(who: str, p: dict) -> str:
    """A source's text edited (its passages followed), or an orphaned passage re-attached."""
    if p.get("reattached"):
        return f"{who} re-attached a passage of {p.get('source', 'a source')} to {_quoted(p.get('quote', ''))}"
    counts = p.get("counts", {})
    moved, orphaned = counts.get("moved", 0), counts.get("orphaned", 0)
    told = f"{who} edited the text of {p.get('source', 'a source')}"
    if not p.get("passages"):
        return f"{told}; no passage of this map was affected"
    parts = [f"{counts.get('anchored', 0)} of this map's passages stayed in place", f"{moved} followed the edit"]
    parts.append(f"{orphaned} need{'s' if orphaned == 1 else ''} re-attaching" if orphaned else "none was lost")
    return f"{told}: " + ", ".join(parts)


def link_for(event: Event, map_url: str) -> str:
    """Where an event's object can be seen now (the claim page for most things)."""
    p, kind = event.payload or {}, event.object_type
    if event.verb == "reanchored" and p.get("source_slug"):
        anchor = f"#passage-{event.object_id}" if kind == "passage" else ""
        return f"{map_url}sources/{p['source_slug']}/{anchor}"
    if kind == "claim":
        return f"{map_url}claims/{event.object_id}/"
    if kind in ("evidence", "comment") and p.get("claim"):
        anchor = f"#comment-{event.object_id}" if kind == "comment" else ""
        return f"{map_url}claims/{p['claim']}/{anchor}"
    if kind == "relation" and p.get("from"):
        return f"{map_url}claims/{p['from']}/"
    if kind in ("membership", "invitation"):
        return f"{map_url}members/"
    return map_url


KIND_FILTERS = {
    "claim": "Claims",
    "relation": "Links between claims",
    "evidence": "Evidence",
    "comment": "Comments",
    "mapsource": "Sources",
    "membership": "Members",
}
