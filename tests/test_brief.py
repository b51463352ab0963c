"""The debate brief: both cases with evidence and full citations; one side on request; Markdown and PDF."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from arguments import services

from .factories import make_claim, make_map, make_source
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

CITATION = (
    "David L. Phillips (2021-08-04). Coalitions remain useful. In The National Interest. "
    "Washington: The National Interest. https://example.org/op-ed"
)


@pytest.fixture
def debate(owner, editor, annotator, viewer):
    argument_map = make_map(owner, editor=editor, annotator=annotator, viewer=viewer, title="Coalitions")
    source = make_source(
        "Coalitions remain useful",
        text="Coalitions act quickly when the Council is blocked.\n\nThey escape accountability.",
        authors=["David L. Phillips"],
        published="2021-08-04",
        container_title="The National Interest",
        publisher="The National Interest",
        place="Washington",
        url="https://example.org/op-ed",
    )
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    thesis = make_claim(argument_map, "States should use coalitions.", kind="thesis", actor=owner)
    pro = make_claim(argument_map, "Coalitions are fast.", actor=owner)
    con = make_claim(argument_map, "Coalitions are unaccountable.", actor=owner)
    rebuttal = make_claim(argument_map, "Speed costs planning.", actor=owner)
    reply = make_claim(argument_map, "Waiting costs lives.", actor=owner)
    for a, b, kind in [
        (pro, thesis, "supports"),
        (con, thesis, "opposes"),
        (rebuttal, pro, "opposes"),
        (reply, rebuttal, "opposes"),
    ]:
        services.create_relation(argument_map=argument_map, actor=owner, from_claim=a, to_claim=b, kind=kind)
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=0, end=51, claim=pro, stance="states"
    )
    services.add_evidence(
        argument_map=argument_map, actor=owner, source=source, start=53, end=80, claim=con, stance="states"
    )
    return argument_map


def brief_url(argument_map, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("arguments:brief", args=[argument_map.slug]) + (f"?{query}" if query else "")


def test_brief_shows_both_cases_with_evidence_citations_and_objections(client, viewer, debate):
    client.force_login(viewer)
    page = client.get(brief_url(debate)).content.decode()
    assert "The case for" in page and "The case against" in page
    assert "Coalitions are fast." in page and "Coalitions are unaccountable." in page
    assert "“Coalitions act quickly when the Council is blocked.”" in page
    assert CITATION in page
    assert "Objections to answer" in page and "Speed costs planning." in page and "Waiting costs lives." in page


def test_one_side_prints_only_its_case(client, viewer, debate):
    client.force_login(viewer)
    page = client.get(brief_url(debate, side="for")).content.decode()
    assert "Coalitions are fast." in page and "Speed costs planning." in page
    assert "The case against" not in page and "Coalitions are unaccountable." not in page


def test_markdown_download(client, viewer, debate):
    client.force_login(viewer)
    response = client.get(brief_url(debate, format="markdown"))
    assert response["Content-Type"].startswith("text/markdown")
    assert f'filename="{debate.slug}-brief.md"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# Debate brief: Coalitions\n")
    assert f"   > — {CITATION}" in text
    assert "   - *Objection to answer:* Speed costs planning." in text


def test_pdf_download_holds_the_citations(client, viewer, debate):
    client.force_login(viewer)
    response = client.get(brief_url(debate, format="pdf", side="for"))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Coalitions are fast." in text
    assert "David L. Phillips (2021-08-04). Coalitions remain useful." in text
    assert "Coalitions are unaccountable." not in text


ROLES = [("owner", 200), ("editor", 200), ("annotator", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 404)]


@pytest.mark.parametrize("who,status", ROLES)
def test_brief_follows_map_access(client, request, debate, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for fmt in ("html", "markdown", "pdf"):
        assert client.get(brief_url(debate, format=fmt)).status_code == status


def test_brief_query_count_does_not_grow_with_the_map(client, owner):
    queries_at_two_sizes(client, owner, brief_url, at_most=5)
