"""The debate brief: both cases with evidence and full citations; one side on request; Markdown and PDF."""

import io
import re
import subprocess
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from markdown_it import MarkdownIt
from pypdf import PdfReader

from arguments import services

from .factories import make_claim, make_map, make_source
from .queries import queries_at_two_sizes

pytestmark = pytest.mark.django_db

# The map's citation style is Chicago author-date unless its owner picks another (tests/test_citations.py).
CITATION = (
    "Phillips, David L. 2021. “Coalitions Remain Useful”. In The National Interest. The National Interest, "
    "August 4. https://example.org/op-ed."
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


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)


def test_html_in_user_text_stays_text_when_the_markdown_brief_is_rendered(client, viewer, debate):
    thesis = debate.claims.get(kind="thesis")
    thesis.text = "States should act <script>alert('thesis')</script> together."
    thesis.save()
    pro = debate.claims.get(text="Coalitions are fast.")
    pro.text = 'Coalitions are fast <img src=x onerror="alert(1)"> & <b>bold</b> &lt;i&gt; *not emphasis*'
    pro.save()
    con = debate.claims.get(text="Coalitions are unaccountable.")
    con.text = 'Nobody\'s "mandate" covers R&D, says the <a href="javascript:alert(1)">UN</a>.\n\n<script>x</script>'
    con.save()
    client.force_login(viewer)
    markdown = client.get(brief_url(debate, format="markdown")).content.decode()

    html = MarkdownIt("commonmark").render(markdown)  # CommonMark lets raw HTML through: the escaping must not
    parser = TagCollector()
    parser.feed(html)
    assert parser.tags <= {"h1", "h2", "h3", "p", "strong", "em", "ol", "ul", "li", "blockquote"}
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert "States should act <script>alert('thesis')</script> together." in text
    assert 'Coalitions are fast <img src=x onerror="alert(1)"> & <b>bold</b> &lt;i&gt; *not emphasis*' in text
    # Ordinary prose reads as it was written, in the Markdown file itself.
    assert 'Nobody\'s "mandate" covers R&D, says the' in markdown


def test_pdf_download_holds_the_citations(client, viewer, debate):
    client.force_login(viewer)
    response = client.get(brief_url(debate, format="pdf", side="for"))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Coalitions are fast." in text
    assert "Phillips, David L. 2021. “Coalitions Remain Useful”." in text
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


WORLD = {
    "cjk": "联合国安理会陷入僵局时，联盟可以迅速行动。",
    "arabic": "مجلس الأمن عاجز عن التحرك",
    "hebrew": "הקואליציה פועלת מהר יותר",
    "emoji": "Coalitions span the globe 🌍 …",  # the fpdf2 brief printed this as "…"
}


def pdftotext(content: bytes, tmp_path) -> str:
    """The PDF's text as poppler's pdftotext reads it: what a reader copying from the file gets."""
    path = tmp_path / "brief.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def test_pdf_brief_prints_cjk_arabic_hebrew_and_emoji(client, owner, viewer, debate, tmp_path):
    thesis = debate.claims.get(kind="thesis")
    for text in WORLD.values():
        claim = make_claim(debate, text, actor=owner)
        services.create_relation(argument_map=debate, actor=owner, from_claim=claim, to_claim=thesis, kind="supports")
    client.force_login(viewer)
    page_url = brief_url(debate)
    pdf_href = re.search(r'href="\?(format=pdf)"', client.get(page_url).content.decode()).group(1)
    response = client.get(f"{page_url}?{pdf_href}")

    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{debate.slug}-brief.pdf"' in response["Content-Disposition"]
    # pdftotext gives right-to-left text in logical order (the order it was typed), each run wrapped in
    # the embedding marks U+202B ... U+202C; the shaped Arabic letters map back to their code points.
    text = " ".join(pdftotext(response.content, tmp_path).replace("\u202b", "").replace("\u202c", "").split())
    assert WORLD["cjk"] in text
    assert WORLD["hebrew"] in text
    assert WORLD["arabic"] in text
    assert "Coalitions span the globe 🌍 …" in text
    assert "Phillips, David L. 2021. “Coalitions Remain Useful”" in text  # the map's style (Chicago author-date)
    assert PdfReader(io.BytesIO(response.content)).pages  # a PDF that another reader opens too


def test_html_in_user_text_prints_as_text_and_nothing_is_fetched(client, owner, viewer, debate, tmp_path):
    pro = debate.claims.get(text="Coalitions are fast.")
    pro.text = 'Coalitions are fast <img src="https://example.org/track.png"> & <b>bold</b>'
    pro.save()
    client.force_login(viewer)
    response = client.get(brief_url(debate, format="pdf"))
    text = " ".join(pdftotext(response.content, tmp_path).split())
    assert 'Coalitions are fast <img src="https://example.org/track.png"> & <b>bold</b>' in text


def test_the_pdf_fetcher_serves_our_stylesheets_and_refuses_everything_else():
    from arguments.exports.brief_pdf import static_fetcher

    fetch = static_fetcher("https://warrant.example/maps/m/brief/?format=pdf")
    css = fetch("https://warrant.example/static/css/brief-print.css")
    assert b"@page" in css.read()
    for url in [
        "https://example.org/static/css/warrant.css",  # another host
        "http://warrant.example/static/css/warrant.css",  # another scheme
        "https://warrant.example/maps/m/",  # a page, not a static file
        "https://warrant.example/static/../config/settings.py",
        "https://warrant.example/static/css/missing.css",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError):
            fetch(url)
