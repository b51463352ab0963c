"""Authors as CSL names, citations in real CSL styles chosen per map, bibliographies in and out."""

import importlib
import json
from pathlib import Path

import bibtexparser
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments.exports.warrant_json import export_map, import_map
from arguments.models import ArgumentMap
from arguments.services import add_source, create_relation
from sources.citations import STYLES, format_source
from sources.models import Source
from sources.names import editable_name, parse_name

from .factories import make_claim, make_map, make_source, make_user, quote
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

BIB = Path(__file__).parent / "data" / "bib"
UN = {"literal": "United Nations"}
BIDEN = {"family": "Biden", "given": "Joseph R.", "suffix": "Jr."}
WIKI = {"literal": "Wikipedia contributors"}


@pytest.mark.parametrize(
    "typed, name",
    [
        ("United Nations", UN),
        ("Wikipedia contributors", WIKI),
        ("Joseph R. Biden Jr.", BIDEN),
        ("Joseph R. Biden, Jr.", BIDEN),
        ("Biden, Jr., Joseph R.", BIDEN),
        ("Biden, Joseph R., Jr.", BIDEN),
        ("Lima, Ana", {"family": "Lima", "given": "Ana"}),
        ("Ursula von der Leyen", {"family": "von der Leyen", "given": "Ursula"}),
        ("{Ana Lima}", {"literal": "Ana Lima"}),
        ("Plato", {"literal": "Plato"}),
    ],
)
def test_names_are_read_the_way_people_type_them_and_shown_so_they_read_back(typed, name):
    assert parse_name(typed) == name
    assert parse_name(editable_name(name)) == name


# What each style must print for an organisation, a suffixed name and an anonymous work.
EXPECTED = {
    "chicago-author-date": {
        "un": ("United Nations 1945", "United Nations. 1945."),
        "biden": ("Biden 2024", "Biden, Joseph R., Jr. 2024."),
        "wiki": ("Wikipedia contributors 2025", "Wikipedia contributors. 2025."),
        "anon": ("A note on vetoes 2020", "A note on vetoes. 2020."),
    },
    "apa": {
        "un": ("United Nations, 1945", "United Nations. (1945)."),
        "biden": ("Biden, 2024", "Biden, J. R., Jr. (2024"),
        "wiki": ("Wikipedia contributors, 2025", "Wikipedia contributors. (2025)."),
        "anon": ("A note on vetoes, 2020", "A note on vetoes. (2020)."),
    },
    "modern-language-association": {
        "un": ("United Nations, Charter of the United Nations", "United Nations. Charter of the United Nations."),
        "biden": ("Biden, “Remarks at the United Nations”", "Biden, Joseph R., Jr. “Remarks at the United Nations”"),
        "wiki": ("Wikipedia contributors, “Coalition of the Willing”", "Wikipedia contributors. “Coalition of the"),
        "anon": ("A note on vetoes", "A note on vetoes. 2020."),
    },
    "harvard-cite-them-right": {
        "un": ("United Nations, 1945", "United Nations (1945) Charter of the United Nations."),
        "biden": ("Biden, 2024", "Biden, J.R., Jr. (2024)"),
        "wiki": ("Wikipedia contributors, 2025", "Wikipedia contributors (2025)"),
        "anon": ("A note on vetoes, 2020", "A note on vetoes (2020)"),
    },
}


@pytest.fixture
def sources():
    return {
        "un": make_source(
            "Charter of the United Nations",
            authors=["United Nations"],
            published="1945-06-26",
            kind="report",
            publisher="United Nations",
            place="San Francisco",
        ),
        "biden": make_source(
            "Remarks at the United Nations", authors=["Joseph R. Biden Jr."], published="2024-09-24", kind="other"
        ),
        "wiki": make_source(
            "Coalition of the willing",
            authors=["Wikipedia contributors"],
            published="2025",
            kind="web_page",
            container_title="Wikipedia",
            url="https://en.wikipedia.org/wiki/Coalition_of_the_willing",
        ),
        "anon": make_source("A note on vetoes", authors=[], published="2020", kind="report"),
    }


def test_every_style_is_vendored_and_listed():
    assert set(EXPECTED) == set(STYLES)
    for _, filename in STYLES.values():
        assert (Path(__file__).parent.parent / "sources" / "csl" / filename).stat().st_size > 1000


@pytest.mark.parametrize("style", list(EXPECTED))
def test_organisations_suffixes_and_anonymous_works_are_cited_right_in_each_style(sources, style):
    for key, (short, entry) in EXPECTED[style].items():
        cited = format_source(sources[key], style)
        assert cited.short == short, key
        assert cited.entry.startswith(entry), (key, cited.entry)
    for wrong in ("Nations 1945", "Jr. 2024", "contributors 2025"):
        assert not format_source(sources["un"], style).short.startswith(wrong)
    anonymous = format_source(sources["anon"], style).entry
    assert anonymous.lower().count("a note on vetoes") == 1, anonymous


def test_citation_html_is_escaped(sources):
    hostile = make_source("<script>alert(1)</script> & more", authors=["<b>Bold</b> Person"], published="2020")
    html = hostile.citation("apa").entry_html
    assert "<script>" not in html and "<b>Bold" not in html
    assert "&lt;script&gt;" in html


@pytest.fixture
def cited_map(owner, viewer, sources):
    """A claim quoting four sources, and per source an argument for the thesis quoting it (for the brief)."""
    argument_map = make_map(owner, viewer=viewer, title="Vetoes")
    thesis = make_claim(argument_map, "The veto blocks action.", kind="thesis", actor=owner)
    claim = make_claim(argument_map, "The record shows it.", actor=owner)
    create_relation(argument_map=argument_map, actor=owner, from_claim=claim, to_claim=thesis, kind="supports")
    for n, source in enumerate(sources.values()):
        add_source(argument_map=argument_map, source=source, actor=owner)
        quote(argument_map, source, source.text[:40], claim, owner, stance="states")
        own = make_claim(argument_map, f"Argument {n}.", actor=owner)
        create_relation(argument_map=argument_map, actor=owner, from_claim=own, to_claim=thesis, kind="supports")
        quote(argument_map, source, source.text[:40], own, owner, stance="states")
    return argument_map, claim


@pytest.mark.parametrize("style", list(EXPECTED))
def test_claim_page_brief_and_exports_cite_in_the_maps_style(client, viewer, cited_map, style):
    argument_map, claim = cited_map
    ArgumentMap.objects.filter(pk=argument_map.pk).update(citation_style=style)
    client.force_login(viewer)
    page = client.get(reverse("arguments:claim", args=[argument_map.slug, claim.pk])).content.decode()
    brief = client.get(reverse("arguments:brief", args=[argument_map.slug])).content.decode()
    markdown = client.get(reverse("arguments:export_format", args=[argument_map.slug, "markdown"])).content.decode()
    aif = client.get(reverse("arguments:export_format", args=[argument_map.slug, "aif"])).content.decode()
    for short, entry in EXPECTED[style].values():
        assert short in page  # each quote attributed …
        assert entry in brief and entry in markdown  # … and listed in full in the brief
        assert json.dumps(short, ensure_ascii=False)[1:-1] in aif


def test_owner_chooses_the_citation_style_in_the_map_settings(client, owner, cited_map):
    argument_map, _ = cited_map
    client.force_login(owner)
    url = reverse("arguments:settings", args=[argument_map.slug])
    assert "Citation style" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": argument_map.title,
            "question": argument_map.question,
            "description": "",
            "visibility": argument_map.visibility,
            "citation_style": "apa",
            "version": ArgumentMap.objects.get(pk=argument_map.pk).version,
        },
    )
    assert response.status_code == 302
    assert ArgumentMap.objects.get(pk=argument_map.pk).citation_style == "apa"


def test_migration_turns_old_name_strings_into_csl_names():
    source = make_source("Old", authors=[])
    Source.objects.filter(pk=source.pk).update(authors=["United Nations", "Joseph R. Biden Jr.", "Ana Lima"])
    migration = importlib.import_module("sources.migrations.0008_authors_as_csl_names")
    migration.names_to_csl(apps, None)
    source.refresh_from_db()
    assert source.authors == [UN, BIDEN, {"family": "Lima", "given": "Ana"}]
    migration.csl_to_names(apps, None)
    source.refresh_from_db()
    assert source.authors == ["United Nations", "Joseph R. Biden Jr.", "Ana Lima"]


def test_warrant_json_round_trips_csl_names_and_reads_old_string_lists(owner, cited_map):
    argument_map, _ = cited_map
    document = export_map(argument_map)
    assert {"literal": "United Nations"} in [a for s in document["sources"] for a in s["authors"]]
    copy = import_map(document, owner=owner)
    assert export_map(copy)["sources"] == document["sources"]
    for source in document["sources"]:
        source["authors"] = [
            " ".join(filter(None, (a.get("given"), a.get("family"), a.get("suffix")))) or a.get("literal")
            for a in source["authors"]
        ]
        source["text"] += " (changed, so that new sources are made)"
        source.pop("sha256", None)
    old = import_map(document, owner=owner)
    authors = [s.authors for s in old.sources.all()]
    assert [BIDEN] in authors and [UN] in authors


# Bibliographies in


@pytest.fixture
def library(owner):
    """Sources whose titles differ from the files' in capitals and spacing; one matched by DOI only."""
    return {
        "un": make_source("CHARTER of the   United Nations", authors=[], published="", added_by=owner),
        "wiki": make_source("coalition of the willing", authors=[], published="", added_by=owner),
        "karlsrud": make_source(
            "Ad hoc coalitions (uploaded PDF)", authors=[], published="", doi="10.1080/13523260.2024.2309770",
            added_by=owner,
        ),
        "biden": make_source(
            "Remarks by President Biden before the 79th session of the United Nations General Assembly",
            authors=[], published="", added_by=owner,
        ),
    }  # fmt: skip


def import_file(client, name: str):
    with open(BIB / name, "rb") as handle:
        return client.post(reverse("sources:import_bibliography"), {"file": handle})


@pytest.mark.parametrize("name", ["library.bib", "library.json", "library.ris"])
def test_a_reference_managers_file_fills_several_sources_at_once(client, owner, library, name):
    client.force_login(owner)
    response = import_file(client, name)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A Book Nobody Uploaded" in page  # reported as matching nothing
    for source in library.values():
        source.refresh_from_db()
    assert library["un"].authors == [UN]
    assert library["un"].published.startswith("1945")
    assert library["un"].publisher == "United Nations"
    assert library["karlsrud"].authors[0] == {"family": "Karlsrud", "given": "John"}
    assert library["karlsrud"].container_title == "Contemporary Security Policy"
    filled = sum(bool(s.authors) for s in library.values())
    assert filled >= 3
    if name != "library.ris":
        assert library["biden"].authors == [BIDEN]
    if name != "library.json":
        assert library["wiki"].authors == [WIKI]
    assert "Filled" in page and library["un"].title in page


def test_only_sources_the_user_may_edit_are_filled(client, owner, viewer, library):
    theirs = make_source("Charter of the United Nations", authors=["Somebody Else"], added_by=owner)
    shared = make_map(owner, viewer=viewer)
    add_source(argument_map=shared, source=theirs, actor=owner)
    client.force_login(viewer)
    import_file(client, "library.json")
    theirs.refresh_from_db()
    assert theirs.authors == [{"family": "Else", "given": "Somebody"}]


def test_an_editor_fills_the_sources_of_maps_they_edit_but_not_those_others_use(client, owner):
    editor = make_user()
    mine = make_map(owner, editor=editor)
    other = make_map(owner)
    only_mine = make_source("Coalition of the Willing", authors=[])
    shared = make_source("Charter of the United Nations", authors=[])
    for argument_map, source in [(mine, only_mine), (mine, shared), (other, shared)]:
        add_source(argument_map=argument_map, source=source, actor=owner)
    client.force_login(editor)
    import_file(client, "library.bib")
    only_mine.refresh_from_db()
    shared.refresh_from_db()
    assert only_mine.authors == [WIKI]
    assert shared.authors == []


def test_a_file_that_is_no_bibliography_gets_a_clear_message(client, owner):
    client.force_login(owner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("notes.txt", b"Just some notes.")
    response = client.post(reverse("sources:import_bibliography"), {"file": bad})
    assert "not a BibTeX" in response.content.decode()


def test_import_page_needs_a_sign_in_and_refuses_other_methods(client, owner):
    url = reverse("sources:import_bibliography")
    assert client.get(url).status_code == 302
    client.force_login(owner)
    assert client.get(url).status_code == 200
    assert client.put(url).status_code == 405


# Bibliographies out


def test_bibtex_and_csljson_exports_parse_back(client, viewer, cited_map):
    argument_map, _ = cited_map
    client.force_login(viewer)
    bib = client.get(reverse("arguments:export_format", args=[argument_map.slug, "bibtex"])).content.decode()
    library = bibtexparser.parse_string(bib)
    assert len(library.entries) == 4 and not library.failed_blocks
    authors = {e.fields_dict["title"].value: e.fields_dict.get("author") for e in library.entries}
    assert authors["Charter of the United Nations"].value == "{United Nations}"
    assert authors["Remarks at the United Nations"].value == "Biden, Jr., Joseph R."
    assert authors["A note on vetoes"] is None
    items = json.loads(client.get(reverse("arguments:export_format", args=[argument_map.slug, "csljson"])).content)
    by_title = {item["title"]: item for item in items}
    assert by_title["Charter of the United Nations"]["author"] == [UN]
    assert by_title["Remarks at the United Nations"]["author"] == [BIDEN]
    assert by_title["Charter of the United Nations"]["issued"] == {"date-parts": [[1945, 6, 26]]}


def test_a_bibtex_export_imports_back_into_the_library(client, owner, cited_map):
    argument_map, _ = cited_map
    client.force_login(owner)
    bib = client.get(reverse("arguments:export_format", args=[argument_map.slug, "bibtex"])).content
    Source.objects.update(authors=[])
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(reverse("sources:import_bibliography"), {"file": SimpleUploadedFile("map.bib", bib)})
    assert Source.objects.get(title="Remarks at the United Nations").authors == [BIDEN]
    assert Source.objects.get(title="Charter of the United Nations").authors == [UN]


def test_an_imported_bibliography_gives_the_maps_citing_a_source_a_new_revision(client, owner, library):
    argument_map = make_map(owner)
    add_source(argument_map=argument_map, source=library["un"], actor=owner)
    before = ArgumentMap.objects.get(pk=argument_map.pk).revision
    client.force_login(owner)
    import_file(client, "library.json")
    assert ArgumentMap.objects.get(pk=argument_map.pk).revision == before + 1
    page = client.get(argument_map.get_absolute_url()).content.decode()
    assert "United Nations 1945" in page


@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_bibliography_exports_take_the_same_queries_for_a_larger_map(client, owner, fmt):
    client.force_login(owner)
    queries_at_two_sizes(client, owner, lambda m: reverse("arguments:export_format", args=[m.slug, fmt]), at_most=12)


def test_importing_a_bibliography_reads_the_library_in_a_fixed_number_of_queries(client, owner, library):
    """Reading and matching cost the same for 5 or 50 other sources; each filled source costs its writes."""
    client.force_login(owner)
    counts = []
    for extra in (5, 50):
        Source.objects.filter(pk__in=[s.pk for s in library.values()]).update(authors=[])
        for n in range(extra - len(counts) * 5):
            make_source(f"Unrelated {extra} {n}", added_by=owner)
        with CaptureQueriesContext(connection) as captured:
            import_file(client, "library.json")
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
