"""W3C Web Annotation export: each piece of evidence as an Annotation (https://www.w3.org/TR/annotation-model/).

The document is one AnnotationCollection whose single AnnotationPage holds every annotation, built
from one query. Each annotation:

- motivation "linking": it links a span of a document to a claim elsewhere (the Web Annotation
  vocabulary's word for exactly that; "highlighting" would drop the claim);
- body: the claim as a TextualBody whose id is the claim's page and whose value is its text
  (purpose "linking"), a second TextualBody naming the stance ("states", "supports", "opposes",
  purpose "classifying"), and the evidence note, if any (purpose "commenting");
- target: the document (its own URL when it has one, else Warrant's reader page) with a
  TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (start, end) counted in
  Unicode code points of the source's canonical text. A passage that lost its place when its source
  was edited (anchor status "orphaned") keeps only the quote selector.
"""

from datetime import UTC

from django.urls import reverse

from arguments.models import ArgumentMap, Evidence

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def export_webannotation(argument_map: ArgumentMap, *, base_url: str = "http://localhost") -> dict:
    """The map's evidence as an AnnotationCollection (a dict; write it with dumps()).

    `base_url` ("https://warrant.example") makes every id absolute; a view passes the request's own."""
    base = base_url.rstrip("/")
    slug = argument_map.slug
    collection_id = base + reverse("arguments:export_format", args=[slug, "webannotation"])
    claim_url = base + reverse("arguments:claim", args=[slug, 0]).replace("/0/", "/{}/")
    reader_url = base + reverse("arguments:source", args=[slug, "-"]).replace("/-/", "/{}/")
    rows = (
        Evidence.objects.filter(map_id=argument_map.pk)
        .order_by("id")
        .values_list(
            "id",
            "stance",
            "note",
            "created",
            "claim_id",
            "claim__text",
            "passage__start",
            "passage__end",
            "passage__exact",
            "passage__prefix",
            "passage__suffix",
            "passage__anchor_status",
            "passage__source__slug",
            "passage__source__url",
        )
    )
    items = []
    for row in rows:
        pk, stance, note, created, claim_id, claim_text, start, end, exact, prefix, suffix, status, *source = row
        source_slug, source_url = source
        selectors = [{"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}]
        if status != "orphaned":
            selectors.append({"type": "TextPositionSelector", "start": start, "end": end})
        body = [
            {
                "id": claim_url.format(claim_id),
                "type": "TextualBody",
                "value": claim_text,
                "format": "text/plain",
                "purpose": "linking",
            },
            {"type": "TextualBody", "value": stance, "purpose": "classifying"},
        ]
        if note:
            body.append({"type": "TextualBody", "value": note, "format": "text/plain", "purpose": "commenting"})
        items.append(
            {
                "id": f"{collection_id}#evidence-{pk}",
                "type": "Annotation",
                "motivation": "linking",
                "created": created.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                "body": body,
                "target": {
                    "source": source_url or reader_url.format(source_slug),
                    "selector": selectors,
                },
            }
        )
    return {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Evidence in “{argument_map.title}”",
        "total": len(items),
        "first": {"id": f"{collection_id}#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
