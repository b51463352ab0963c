"""Search within one map: its claims, its quoted passages and the full text of its sources.

On PostgreSQL, claims and passages are matched with full-text search (English stemming, ranked by
ts_rank, served by the GIN expression indexes created in migration 0002) and source texts are
ranked the same way. Elsewhere (SQLite) every query word must appear, case-insensitively, and
results are ranked by how often the words occur. Snippets and highlighting are computed in Python
for both, so the two backends show results the same way.
"""

import re
from dataclasses import dataclass
from html import escape

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from .models import ArgumentMap, Claim, Evidence, MapSource

MAX_RESULTS = 30
SNIPPET_CHARS = 90
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Hit:
    kind: str  # claim / passage / source
    title: str
    snippet: SafeString
    url: str
    rank: float
    note: str = ""


def query_words(query: str) -> list[str]:
    return [w for w in WORD.findall(query.lower()) if len(w) > 1][:12]


def highlight(text: str, words: list[str]) -> SafeString:
    """Escape `text` and wrap every occurrence of a query word (or a word starting with one) in <mark>."""
    if not words:
        return mark_safe(escape(text))
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippets(text: str, words: list[str], limit: int = 3) -> list[tuple[int, str]]:
    """Up to `limit` windows of text around the first matches, as (position, snippet text)."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
    found, last_end = [], -1
    for m in pattern.finditer(text):
        if m.start() < last_end:
            continue
        start = max(0, m.start() - SNIPPET_CHARS)
        end = min(len(text), m.end() + SNIPPET_CHARS)
        # Widen to whole words so a snippet never starts or ends mid-word.
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        found.append(
            (
                m.start(),
                ("… " if start else "") + text[start:end].replace("\n\n", " ¶ ") + (" …" if end < len(text) else ""),
            )
        )
        last_end = end
        if len(found) == limit:
            break
    return found


def _count(text: str, words: list[str]) -> float:
    lower = text.lower()
    return float(sum(lower.count(w) for w in words))


def search_map(argument_map: ArgumentMap, query: str) -> list[Hit]:
    words = query_words(query)
    if not words:
        return []
    base = argument_map.get_absolute_url()
    hits: list[Hit] = []
    on_postgres = connection.vendor == "postgresql"

    claims = Claim.objects.filter(map=argument_map)
    passages = Evidence.objects.filter(map=argument_map).select_related("passage__source", "claim")
    passages = passages.defer("passage__source__text", "passage__source__original")
    sources = MapSource.objects.filter(map=argument_map).select_related("source")
    if on_postgres:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        # Matching with `@@` on the same expression as the GIN indexes lets PostgreSQL use them.
        terms = SearchQuery(query, config="english", search_type="websearch")
        claim_vector = SearchVector("text", config="english")
        claims = claims.annotate(match=claim_vector).filter(match=terms).annotate(rank=SearchRank(claim_vector, terms))
        passage_vector = SearchVector("passage__exact", config="english")
        passages = passages.annotate(match=passage_vector).filter(match=terms)
        passages = passages.annotate(rank=SearchRank(passage_vector, terms))
        source_vector = SearchVector("source__text", config="english")
        sources = sources.annotate(match=source_vector).filter(match=terms)
        sources = sources.annotate(rank=SearchRank(source_vector, terms))
    else:
        for w in words:
            claims = claims.filter(text__icontains=w)
            passages = passages.filter(passage__exact__icontains=w)
            sources = sources.filter(source__text__icontains=w)

    for claim in claims[:MAX_RESULTS]:
        rank = getattr(claim, "rank", None) or _count(claim.text, words)
        hits.append(
            Hit("claim", claim.get_kind_display(), highlight(claim.text, words), f"{base}claims/{claim.pk}/", rank)
        )
    seen_passages = set()
    for ev in passages[:MAX_RESULTS]:
        if ev.passage_id in seen_passages:
            continue
        seen_passages.add(ev.passage_id)
        source = ev.passage.source
        rank = getattr(ev, "rank", None) or _count(ev.passage.exact, words)
        hits.append(
            Hit(
                "passage",
                source.short_citation,
                highlight(ev.passage.exact, words),
                f"{base}sources/{source.slug}/#passage-{ev.passage_id}",
                rank,
                note=f"{ev.get_stance_display()} “{ev.claim.text[:80]}”",
            )
        )
    for map_source in sources:
        source = map_source.source
        rank = getattr(map_source, "rank", None) or _count(source.text, words) / 10
        for position, text in snippets(source.text, words):
            hits.append(
                Hit(
                    "source",
                    source.title,
                    highlight(text, words),
                    f"{base}sources/{source.slug}/",
                    rank,
                    f"at {position:,}",
                )
            )
    order = {"claim": 0, "passage": 1, "source": 2}
    hits.sort(key=lambda h: (order[h.kind], -h.rank))
    return hits
