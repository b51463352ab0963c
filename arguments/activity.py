"""Events told in plain words, for the activity feed and a claim's history."""

from .models import Event

STANCE_WORDS = {"states": "as stating", "supports": "as supporting", "opposes": "as opposing"}


def _quoted(text: str, limit: int = 70) -> str:
    text = text or ""
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def describe(event: Event) -> str:
    """'anna linked a passage from Phillips 2021 as supporting “…”' — the actor's name comes first."""
    who = event.actor.get_username() if event.actor_id else "Someone"
    p, kind = event.payload or {}, event.object_type
    if kind == "claim" and event.verb == "created":
        return f"{who} added the claim {_quoted(p.get('text', ''))}"
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
    if kind == "mapsource":
        return f"{who} added the source {_quoted(p.get('source', ''))}"
    if kind == "membership":
        return f"{who} gave {p.get('user', 'someone')} the role {p.get('role', '')}"
    if kind == "argumentmap":
        return f"{who} {event.get_verb_display()} the map"
    return f"{who} {event.get_verb_display()} a {kind}"


def link_for(event: Event, map_url: str) -> str:
    """Where an event's object can be seen now (the claim page for most things)."""
    p, kind = event.payload or {}, event.object_type
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
