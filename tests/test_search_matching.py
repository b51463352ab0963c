"""What search matches: folded spellings, stems, phrases; snippets where the words meet; hits linked to
their place; pages of hits; the index kept in step with every change. On SQLite and PostgreSQL alike."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from arguments import services
from arguments.models import Claim, MapSource
from arguments.search import parse, search_map
from sources.models import Source
from sources.search_fold import fold

from .factories import make_claim, make_map, make_source

pytestmark = pytest.mark.django_db

REPORT = (
    "Peace-keeping was the word of the decade. The report on peace-keeping asks who pays.\n\n"
    "Under Article 2 states refrain from force; selfdefense remains.\n\n"
    "The Council vetoed at least 53 resolutions, and Articles 1, 2 and 23 say little about it."
)
MEMO = (
    "Regional arrangements act under Article 53 of the Charter. Peacekeeping needs consent.\n\n"
    "A right of self-defence is not a licence to intervene; two vetoes blocked the draft."
)
ESSAY = "Self-defense, the essay argues, is the last resort. The veto stays."


@pytest.fixture
def seminar(owner, viewer):
    argument_map = make_map(owner, viewer=viewer, title="Seminar")
    for title, text in (("Report", REPORT), ("Memo", MEMO), ("Essay", ESSAY)):
        services.add_source(argument_map=argument_map, source=make_source(title, text=text), actor=owner)
    return argument_map


def found(argument_map, query: str) -> set[str]:
    """The titles of the sources whose text the query finds."""
    return {hit.title for hit in search_map(argument_map, query, per_page=1000).hits if hit.kind == "source"}


def marked(argument_map, query: str) -> list[str]:
    """Every word marked in the snippets of source texts, as written there."""
    return [
        hit.snippet.text[start:end]
        for hit in search_map(argument_map, query, per_page=1000).hits
        if hit.kind == "source"
        for start, end in hit.snippet.marks
    ]


def test_folding_removes_hyphens_inside_words_and_reads_ence_as_ense():
    assert fold("peace-keeping, self‐defence, adminis-\ntration") == "peacekeeping, selfdefense, administration"
    assert fold("a - b, -x, x-, licence") == "a - b, -x, x-, license"


@pytest.mark.parametrize(
    "text", ["peace-keeping and self-defence", "adminis-\ntration", "EVIDENCE – pre-\n  war", "x‑y ence fence-"]
)
def test_the_database_folds_exactly_as_python_does(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT warrant_fold(%s)", [text])
        assert cursor.fetchone()[0] == fold(text)


def test_hyphenated_and_joined_spellings_find_each_other(seminar):
    assert found(seminar, "peacekeeping") == found(seminar, "peace-keeping") == {"Report", "Memo"}
    assert sorted(marked(seminar, "peacekeeping")) == ["Peace-keeping", "Peacekeeping", "peace-keeping"]


def test_defence_and_defense_hyphenated_or_not_are_one_word(seminar):
    for spelling in ("self-defense", "self-defence", "selfdefense", "Self-Defence"):
        assert found(seminar, spelling) == {"Report", "Memo", "Essay"}, spelling


def test_words_are_stemmed_and_every_form_is_marked(seminar):
    assert found(seminar, "vetoes") == {"Report", "Memo", "Essay"}
    assert sorted(set(marked(seminar, "vetoes"))) == ["veto", "vetoed", "vetoes"]


def test_a_quoted_phrase_matches_those_words_in_that_order_only(seminar):
    assert found(seminar, '"Article 53"') == {"Memo"}
    assert marked(seminar, '"Article 53"') == ["Article 53"]
    assert found(seminar, '"53 article"') == set()


def test_bare_words_must_all_occur_and_the_snippet_shows_them_together(seminar):
    assert found(seminar, "Article 53") == {"Report", "Memo"}  # the report has both words, apart
    hits = [h for h in search_map(seminar, "Article 53").hits if h.kind == "source"]
    assert hits[0].title == "Memo" and hits[0].together == (2, 2)


def test_the_densest_window_comes_first(owner):
    argument_map = make_map(owner)
    filler = " ".join(["words"] * 80)
    text = f"Security matters. {filler}\n\n{filler} The Security Council faces gridlock. {filler} gridlock."
    services.add_source(argument_map=argument_map, source=make_source("Text", text=text), actor=owner)
    hits = search_map(argument_map, "security council gridlock").hits
    first = hits[0]
    assert text[first.start : first.end] == "Security Council faces gridlock"
    assert first.snippet.text.count("gridlock") == 1 and len(hits) == 3


def test_a_source_hit_links_to_its_place_and_the_reader_marks_it(client, owner, seminar):
    hit = next(h for h in search_map(seminar, '"Article 53"').hits if h.kind == "source")
    memo = Source.objects.get(slug=hit.source)
    assert memo.text[hit.start : hit.end] == "Article 53"
    assert hit.url.endswith(f"/sources/{memo.slug}/?match={hit.start}-{hit.end}#match")
    client.force_login(owner)
    page = client.get(hit.url.split("#")[0]).content.decode()
    assert re.search(r'<mark class="search-match" id="match">Article 53</mark>', page)
    assert "search-match" not in client.get(hit.url.split("?")[0]).content.decode()


@pytest.mark.parametrize("value", ["5-2", "x", "1-99999", "-1-3"])
def test_the_reader_ignores_a_match_it_cannot_mark(client, owner, seminar, value):
    client.force_login(owner)
    source = seminar.map_sources.first().source
    page = client.get(reverse("arguments:source", args=[seminar.slug, source.slug]), {"match": value})
    assert page.status_code == 200 and "search-match" not in page.content.decode()


def test_every_place_is_a_hit_ten_to_a_page(client, owner):
    argument_map = make_map(owner)
    text = "\n\n".join(f"Paragraph {n} speaks of burden sharing. " + "Other words here. " * 12 for n in range(25))
    services.add_source(argument_map=argument_map, source=make_source("Long", text=text), actor=owner)
    results = [search_map(argument_map, "burden sharing", page=n) for n in (1, 2, 3, 4)]
    assert [len(r.hits) for r in results] == [10, 10, 5, 0] and results[0].pages == 3 and results[0].count == 25
    starts = [h.start for r in results for h in r.hits]
    assert len(set(starts)) == 25
    client.force_login(owner)
    page = client.get(reverse("arguments:search", args=[argument_map.slug]), {"q": "burden sharing", "page": 2})
    html = page.content.decode()
    assert "page 2 of 3" in html and 'rel="next"' in html and "page=3" in html and 'rel="prev"' in html


def test_the_index_follows_every_change_to_claims_and_sources(owner):
    argument_map = make_map(owner)
    source = make_source("Text", text="Nothing to see.")
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    claim = make_claim(argument_map, "Coalitions act fast.", actor=owner)
    assert search_map(argument_map, "coalition").count == 1
    Source.objects.filter(pk=source.pk).update(text="Coalitions of the willing.")  # no signal is sent
    Claim.objects.filter(pk=claim.pk).update(text="Something else.")
    assert [h.kind for h in search_map(argument_map, "coalition").hits] == ["source"]
    claim.delete()
    MapSource.objects.filter(source=source).delete()
    Source.objects.filter(pk=source.pk).delete()
    if connection.vendor == "sqlite":  # the FTS5 rows go with their rows
        with connection.cursor() as cursor:
            cursor.execute("SELECT (SELECT count(*) FROM search_source) + (SELECT count(*) FROM search_claim)")
            assert cursor.fetchone()[0] == 0


def test_queries_are_read_as_terms():
    assert [t.words for t in parse('coalitions of the "coalition of the willing" self-Defence x')] == [
        ("coalitions",),
        ("coalition", "of", "the", "willing"),
        ("selfdefense",),
    ]
    assert parse('the of "" " ') == []


def test_every_searched_table_keeps_its_triggers_after_the_migrations(db):
    """A migration that rebuilds a table on SQLite drops its triggers; each must restore them."""
    from django.db import connection

    from sources.search_fold import SQLITE_SEARCHED

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL searches with indexes, not triggers")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        triggers = set(cursor.fetchall())
    for table, (_, fts) in SQLITE_SEARCHED.items():
        for event in ("insert", "update", "delete"):
            assert (table, f"{fts}_{event}") in triggers
