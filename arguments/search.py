"""Search within one map: its claims, its quoted passages and the full text of its sources.

A query is a list of terms, every one of which must match: a word, or a "phrase in quotes" whose words
must follow each other. Text and query are folded alike (sources/search_fold.py: hyphens inside words
removed, -ence read as -ense) and stemmed, so "vetoes" finds "vetoed" and "peace-keeping" finds
"peacekeeping". The database finds and ranks what matches, one query per kind of hit:
- PostgreSQL: to_tsvector('english', warrant_fold(…)) @@ phraseto_tsquery(…) && …, ranked by ts_rank,
  on the GIN expression indexes of the 0005/0004 search migrations;
- SQLite: the FTS5 tables of those migrations (porter tokenizer), ranked by bm25.
Snippets are cut in Python the same way for both: every place where the query's stems occur, the
densest windows first, each a hit linked to its exact place (the reader marks `?match=start-end`).
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

import snowballstemmer
from django.core.paginator import Paginator
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from sources.models import Source
from sources.search_fold import fold

from .models import ArgumentMap, Claim, Evidence

MAX_TERMS = 12
MAX_ROWS = 100  # claims, and passages, ranked first
MAX_WINDOWS = 200  # hits per source text
PER_PAGE = 10
WINDOW = 160  # characters over which matches count as occurring together
SNIPPET = 240  # characters of text around a window
HYPHENS = "-\u2010\u2011"
WORD_REST = r"[^\W_]*(?:[-\u2010\u2011](?:[ \t]*\n[ \t]*)?[^\W_]+)*"  # a hyphenated word is one word
TOKEN = re.compile(r"[^\W_]" + WORD_REST)
TERM = re.compile(r'"([^"]*)"?|(\S+)')
_stemmer = snowballstemmer.stemmer("english")
# Left out of a query's bare words (not of its phrases), as PostgreSQL's english configuration does.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
    ]
)


@lru_cache(maxsize=65536)  # a long text repeats its words: each is folded and stemmed once
def stem(word: str) -> str:
    return _stemmer.stemWord(fold(word).lower())


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded words, as the database is asked for them
    stems: tuple[str, ...]  # their stems, as snippets look for them


def parse(query: str) -> list[Term]:
    """The terms of a query: each "quoted phrase", and each other word (a hyphenated word is one word)."""
    terms: list[Term] = []
    for quoted, bare in TERM.findall(query):
        words = tuple(w.lower() for w in re.findall(r"[^\W_]+", fold(quoted if quoted else bare)))
        if not quoted:
            words = tuple(w for w in words if len(w) > 1 and w not in STOPWORDS)
        if words and not any(t.words == words for t in terms):
            terms.append(Term(words, tuple(_stemmer.stemWord(w) for w in words)))
    return terms[:MAX_TERMS]


@dataclass
class Snippet:
    text: str  # plain text
    marks: list[tuple[int, int]]  # where the matched words are in `text`

    @property
    def html(self) -> SafeString:
        out, last = [], 0
        for start, end in self.marks:
            out.append(escape(self.text[last:start]))
            out.append(f"<mark>{escape(self.text[start:end])}</mark>")
            last = end
        out.append(escape(self.text[last:]))
        return mark_safe("".join(out))


@dataclass
class Hit:
    kind: str  # claim / passage / source
    title: str
    snippet: Snippet
    url: str
    rank: float
    note: str = ""
    source: str = ""  # the source's slug, for passages and source texts
    start: int | None = None  # where the hit is in the source text
    end: int | None = None
    together: tuple[int, int] = field(default=(0, 0), repr=False)  # (terms, matches) in its window


@dataclass
class Results:
    terms: list[Term]
    hits: list[Hit]  # the page asked for
    count: int
    page: int
    pages: int


# --- where the terms occur in a text -------------------------------------------------------------------


def matches(text: str, terms: list[Term]) -> list[tuple[int, int, int]]:
    """Every occurrence of a term in `text`, as (start, end, term index), in text order.

    A word and its stem begin alike (a stemmer cuts endings), so only the words that begin as a term's
    first stem does are looked at, found by one regular expression: stemming every word of a long text
    took most of a search's time. A phrase's next words are read from there on.
    """
    heads = sorted({term.stems[0][:2] for term in terms}, key=len, reverse=True)
    candidate = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, heads)) + ")" + WORD_REST, re.IGNORECASE)
    by_first: dict[str, list[int]] = {}
    for index, term in enumerate(terms):
        by_first.setdefault(term.stems[0], []).append(index)
    found = []
    for m in candidate.finditer(text):
        start = m.start()
        if start > 1 and text[start - 1] in HYPHENS and text[start - 2].isalnum():
            continue  # the second half of a hyphenated word, which is indexed whole
        indexes = by_first.get(stem(m.group()))
        if not indexes:
            continue
        for index in indexes:
            end, position = m.end(), m.end()
            for following in terms[index].stems[1:]:
                token = TOKEN.search(text, position)
                if token is None or stem(token.group()) != following:
                    break
                end = position = token.end()
            else:
                found.append((start, end, index))
    found.sort()
    return found


def windows(found: list[tuple[int, int, int]], limit: int = MAX_WINDOWS) -> list[tuple[int, int, int, int]]:
    """Non-overlapping windows of matches, best first: (start, end, distinct terms, matches).

    Each match opens a candidate window of the matches that end within WINDOW characters of it; the
    candidates are taken best first (see `closeness`), skipping any that shares a match with one
    already taken.
    """
    candidates = []
    j = 0
    counts: dict[int, int] = {}
    for i, (start, _, _) in enumerate(found):
        while j < len(found) and found[j][1] <= start + WINDOW:
            counts[found[j][2]] = counts.get(found[j][2], 0) + 1
            j += 1
        last = max(j, i + 1)
        span = max(m[1] for m in found[i:last]) - start
        candidates.append((closeness(len(counts) if j > i else 1, last - i, span), start, i, last))
        if j > i:
            term = found[i][2]
            counts[term] -= 1
            if not counts[term]:
                del counts[term]
    candidates.sort()
    used = [False] * len(found)
    taken = []
    for _, _, i, last in candidates:
        if any(used[i:last]):
            continue
        used[i:last] = [True] * (last - i)
        distinct = len({m[2] for m in found[i:last]})
        taken.append((found[i][0], max(m[1] for m in found[i:last]), distinct, last - i))
        if len(taken) == limit:
            break
    return taken


def closeness(distinct: int, count: int, span: int) -> tuple[int, int, int]:
    """How well a window shows the query, smallest best: the most distinct terms; among those, when
    there are several terms, the shortest stretch of text (terms side by side), else the most matches."""
    return (-distinct, span if distinct > 1 else 0, -count)


def snippet(text: str, found: list[tuple[int, int, int]], start: int = 0, end: int | None = None) -> Snippet:
    """The text around [start, end) (all of a short text), whole words, its matches marked."""
    end = len(text) if end is None else end
    if len(text) <= SNIPPET:
        left, right = 0, len(text)
    else:
        pad = max(40, (SNIPPET - (end - start)) // 2)
        left, right = max(0, start - pad), min(len(text), end + pad)
        while left > 0 and text[left - 1].isalnum():
            left -= 1
        while right < len(text) and text[right].isalnum():
            right += 1
    pieces, marks, length = [], [], 0
    if left:
        pieces.append("… ")
        length = 2
    last = left
    for m_start, m_end, _ in found:
        if m_start < left or m_end > right:
            continue
        plain = _flat(text[last:m_start])
        pieces.append(plain)
        length += len(plain)
        word = _flat(text[m_start:m_end])
        pieces.append(word)
        marks.append((length, length + len(word)))
        length += len(word)
        last = m_end
    pieces.append(_flat(text[last:right]))
    if right < len(text):
        pieces.append(" …")
    return Snippet("".join(pieces), marks)


def _flat(text: str) -> str:
    return re.sub(r"\s*\n\s*\n\s*", " ¶ ", text)


# --- what the database finds ---------------------------------------------------------------------------


# kind: (table, text column, the condition that keeps the map's rows)
KINDS = {
    "claim": ("arguments_claim", "text", "t.map_id = %s"),
    "passage": ("sources_passage", "exact", "t.id IN (SELECT passage_id FROM arguments_evidence WHERE map_id = %s)"),
    "source": ("sources_source", "text", "t.id IN (SELECT source_id FROM arguments_mapsource WHERE map_id = %s)"),
}


def _ranked(kind: str, argument_map: ArgumentMap, terms: list[Term], limit: int) -> list[tuple[int, float]]:
    """(id, rank) of the claims, passages or sources of the map whose text matches every term, best first."""
    table, column, in_map = KINDS[kind]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery = " && ".join(["phraseto_tsquery('english'::regconfig, %s)"] * len(terms))
            vector = f"to_tsvector('english'::regconfig, warrant_fold(t.{column}))"
            cursor.execute(
                f"SELECT t.id, ts_rank({vector}, q.q) AS rank FROM {table} t, (SELECT {tsquery} AS q) q "
                f"WHERE {in_map} AND {vector} @@ q.q ORDER BY rank DESC, t.id LIMIT %s",
                [*(" ".join(term.words) for term in terms), argument_map.pk, limit],
            )
        else:
            fts = f"search_{kind}"
            match = " AND ".join(f'"{" ".join(term.words)}"' for term in terms)
            cursor.execute(
                f"SELECT t.id, -bm25({fts}) AS rank FROM {fts} JOIN {table} t ON t.id = {fts}.rowid "
                f"WHERE {fts} MATCH %s AND {in_map} ORDER BY rank DESC, t.id LIMIT %s",
                [match, argument_map.pk, limit],
            )
        return [(pk, float(rank)) for pk, rank in cursor.fetchall()]


def search_map(argument_map: ArgumentMap, query: str, page: int = 1, per_page: int = PER_PAGE) -> Results:
    """The hits of `query` in the map, `per_page` at a time: claims, then quotes, then source texts."""
    terms = parse(query)
    if not terms:
        return Results(terms, [], 0, 1, 1)
    base = argument_map.get_absolute_url()
    hits: list[Hit] = []

    claim_ranks = dict(_ranked("claim", argument_map, terms, MAX_ROWS))
    if claim_ranks:
        for claim in Claim.objects.filter(pk__in=claim_ranks).only("id", "text", "kind"):
            hits.append(
                Hit(
                    "claim",
                    claim.get_kind_display(),
                    snippet(claim.text, matches(claim.text, terms)),
                    f"{base}claims/{claim.pk}/",
                    claim_ranks[claim.pk],
                )
            )

    passage_ranks = dict(_ranked("passage", argument_map, terms, MAX_ROWS))
    if passage_ranks:
        evidence = (
            Evidence.objects.filter(map=argument_map, passage_id__in=passage_ranks)
            .select_related("passage__source", "claim")
            .defer("passage__source__text", "passage__source__original")
            .order_by("passage_id", "id")
        )
        seen = set()
        for ev in evidence:
            if ev.passage_id in seen:
                continue
            seen.add(ev.passage_id)
            passage, source = ev.passage, ev.passage.source
            hits.append(
                Hit(
                    "passage",
                    argument_map.cite(source).short,
                    snippet(passage.exact, matches(passage.exact, terms)),
                    f"{base}sources/{source.slug}/#passage-{passage.pk}",
                    passage_ranks[passage.pk],
                    note=f"{ev.get_stance_display()} “{ev.claim.text[:80]}”",
                    source=source.slug,
                    start=passage.start,
                    end=passage.end,
                )
            )

    source_ranks = dict(_ranked("source", argument_map, terms, MAX_ROWS))
    source_hits = []
    if source_ranks:
        for source in Source.objects.filter(pk__in=source_ranks).only("id", "title", "slug", "text"):
            found = matches(source.text, terms)
            places = windows(found) or [(0, 0, 0, 0)]
            for start, end, distinct, count in places:
                source_hits.append(
                    Hit(
                        "source",
                        source.title,
                        snippet(source.text, found, start, end),
                        f"{base}sources/{source.slug}/?match={start}-{end}#match",
                        source_ranks[source.pk],
                        f"at {start:,}",
                        source=source.slug,
                        start=start,
                        end=end,
                        together=(distinct, count),
                    )
                )
    hits.sort(key=lambda h: (h.kind != "claim", -h.rank))
    # Source text hits: where more of the terms occur together first, whichever source they are in.
    source_hits.sort(key=lambda h: (closeness(*h.together, h.end - h.start), -h.rank, h.source, h.start))
    hits += source_hits

    paginator = Paginator(hits, per_page)
    shown = paginator.page(page).object_list if 1 <= page <= paginator.num_pages else []
    return Results(terms, list(shown), paginator.count, page, paginator.num_pages)
