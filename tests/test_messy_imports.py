"""Files as people really have them import clean: front matter, Markdown or wikitext in .txt, OCR and PDF pages.

The fixtures in tests/data/messy are small documents of each messy kind (the PDF is made by make_numbered_pdf.py
there). What is asserted is what a reader sees: no markup left in the canonical text, headings as paragraphs of
their own, front matter read into the source's fields, page furniture gone, numbered paragraphs apart and no
sentence cut in two.
"""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sources.extractors.common import describe
from sources.extractors.sniff import MARKDOWN, PLAIN, WIKITEXT, sniff
from sources.ingest import extract
from sources.models import Source
from sources.services import build_source, import_source

MESSY = Path(__file__).parent / "data" / "messy"
# Marks of Markdown and wikitext that no canonical text should show.
MARKUP = re.compile(r"(?m)^\s*(?:#|>|=)|\*\*|__|\]\(|\[\[|\]\]|'''|\\[#_*()\[\]]|^---$|^\+\+\+$")


def read(name: str):
    return extract(name, (MESSY / name).read_bytes())


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def test_yaml_front_matter_in_a_txt_file_becomes_metadata_and_leaves_the_text():
    extracted = read("speech-front-matter.txt")
    assert extracted.title == "Statement by the Minister on the Reform of the Security Council"
    assert extracted.metadata == {
        "title": "Statement by the Minister on the Reform of the Security Council",
        "authors": ["Anna Lindqvist", "Ministry for Foreign Affairs"],
        "published": "2024-03-05",
        "url": "https://example.org/speeches/2024/security-council-reform",
        "publisher": "Ministry for Foreign Affairs",
        "language": "en",
    }
    assert paragraphs(extracted.text)[0] == "MINISTRY FOR FOREIGN AFFAIRS"
    assert "title:" not in extracted.text and "https://" not in extracted.text and not MARKUP.search(extracted.text)
    assert describe(extracted.removed).startswith("front matter (7 fields) read into metadata")


def test_toml_front_matter_becomes_metadata():
    extracted = read("hugo-post.txt")
    assert extracted.metadata["published"] == "2023-11-20"  # from a TOML datetime
    assert extracted.metadata["authors"] == ["Maria Costa"]
    assert extracted.text.startswith("The veto endures because")
    assert "+++" not in extracted.text and "draft" not in extracted.text


def test_ocr_page_numbers_and_running_headers_are_dropped_and_the_cut_sentence_mended():
    for name in ("speech-front-matter.txt", "ocr-report.txt"):
        text = read(name).text
        assert not any(re.fullmatch(r"[-–\s]*\d{1,3}\.?[-–\s]*", paragraph) for paragraph in paragraphs(text)), name
        assert "Statement on Council reform" not in text and "Annual Report 2023" not in text
    speech = read("speech-front-matter.txt").text
    assert "of accountability and of ceasefires that the General Assembly" in speech
    assert speech.count("(Applause.)") == 3, "a line that repeats away from page breaks is text"
    report = read("ocr-report.txt")
    assert "within ten working days of any veto cast in the Council." in report.text
    assert describe(report.removed) == "3 page numbers dropped; 3 running headers and footers dropped"


def test_markdown_in_a_txt_file_is_read_as_markdown():
    extracted = read("charter-markdown.txt")
    text = extracted.text
    assert not MARKUP.search(text), MARKUP.search(text)
    found = paragraphs(text)
    # Headings however typed (no space after the marks, escaped marks, emphasis inside) are paragraphs of their own.
    for heading in ("Charter of the United Nations", "CHAPTER I", "Article 24", "Article 27", "Commentary"):
        assert heading in found
    assert extracted.title == "Charter of the United Nations"
    # Link text stays, the address goes; escapes resolve; underscores in a slug stay.
    assert "in accordance with the Purposes and Principles of the United Nations." in text
    assert "un.org" not in text and "Joe_Biden" in text and "un_charter_1945" in text and "(see below)" in text
    assert "primary responsibility for the maintenance" in text
    assert any(paragraph.startswith("Decisions of the Security Council") for paragraph in found)
    assert describe(extracted.removed) == (
        "4 heading marks removed; 3 emphasis marks removed; 2 links reduced to their text; "
        "1 quotation mark (>) removed; 3 escapes resolved"
    )


def test_an_md_file_with_headings_typed_loosely_gets_them_as_headings():
    text = extract("notes.md", b"####Charter\n\nText.\n\n\\### Article 24\n\nMore text.\n\n#hashtag stays.").text
    assert paragraphs(text) == ["Charter", "Text.", "Article 24", "More text.", "#hashtag stays."]


@pytest.mark.parametrize("name", ["charter.md", "charter.txt"])
def test_lines_in_capitals_stay_headings_in_markdown(name):
    data = (
        b"## Charter\n\nCHAPTER I\nPURPOSES AND PRINCIPLES\nArticle 1 reads as follows.\n\nTITLE\n=====\n\nNATO and UN."
    )
    assert paragraphs(extract(name, data).text) == [
        "Charter", "CHAPTER I", "PURPOSES AND PRINCIPLES", "Article 1 reads as follows.", "TITLE", "NATO and UN."
    ]  # fmt: skip


def test_wikitext_headings_are_paragraphs_and_its_markup_goes():
    extracted = read("veto-wiki.txt")
    assert not MARKUP.search(extracted.text)
    assert paragraphs(extracted.text)[:4] == [
        "United Nations Security Council veto power",
        "The veto power is the power of the five permanent members of the United Nations Security Council to veto "
        "any substantive resolution.",
        "Usage",
        "Military and political",
    ]
    assert "block resolutions on the war in Syria and on Ukraine." in extracted.text
    assert extracted.title == "United Nations Security Council veto power"


def test_headings_on_one_line_are_each_a_paragraph():
    text = extract("veto.txt", b"==Usage== ===Military and political===\nThe veto has been used often.").text
    assert paragraphs(text) == ["Usage", "Military and political", "The veto has been used often."]


@pytest.mark.parametrize(
    "text",
    [
        "CHAPTER I\n\nIt was a dark night. The file is named joe_biden_2024_remarks.txt.",
        "Prices rose 5 * 3 percent; see **note** below.\n# of members: 15",
        "> On 3 May, the ambassador wrote:\n> We will not vote for it.\n\nThe reply came the next day.",
        "Saved in C:\\Users\\anna\\reports, as report_final_v2.docx.\n\n---\n\nA rule above, like a page break.",
        "Title\n=====\n\nA line of equals signs under a title.",
    ],
)
def test_plain_text_with_a_stray_mark_stays_plain(text):
    assert sniff(text) == PLAIN
    assert extract("plain.txt", text.encode()).removed == ()


def test_the_kinds_are_told_apart():
    assert sniff((MESSY / "charter-markdown.txt").read_text()) == MARKDOWN
    assert sniff((MESSY / "veto-wiki.txt").read_text()) == WIKITEXT
    assert sniff((MESSY / "ocr-report.txt").read_text()) == PLAIN


def test_a_rule_on_top_of_prose_is_not_front_matter():
    text = extract("essay.txt", b"---\nThe war began in spring.\n---\n\nIt ended in autumn.").text
    assert "The war began in spring." in text


def test_broken_front_matter_is_left_as_text_not_refused():
    extracted = extract("essay.txt", b"---\ntitle: [unclosed\n---\n\nBody.")
    assert extracted.metadata == {} and "Body." in extracted.text


def test_front_matter_values_that_do_not_fit_are_left_out():
    data = b"---\ntitle: T\ndate: 2024-13-45\nurl: not a url\nauthor: {given: Ana, family: Lima}\n---\nBody."
    assert extract("essay.txt", data).metadata == {"title": "T", "authors": ["Ana Lima"]}


def test_pdf_paragraphs_are_rebuilt_numbered_apart_and_no_sentence_split():
    extracted = read("numbered-paragraphs.pdf")
    found = paragraphs(extracted.text)
    numbered = [paragraph for paragraph in found if re.match(r"\d+\. ", paragraph)]
    assert [int(paragraph.split(".")[0]) for paragraph in numbered] == list(range(1, 22))
    for paragraph in found:
        # Every paragraph is a heading, a numbered paragraph or a list that starts at a numbered one; and none
        # ends mid-sentence.
        assert paragraph == "Introduction" or re.match(r"\d+\. ", paragraph), paragraph
        assert paragraph == "Introduction" or paragraph.endswith((".", ";")), paragraph
    assert "A/78/2" not in extracted.text
    assert "Ms. Frazer of Malta" in extracted.text and "(E10). Abbreviations such as U.N. and No. 5" in extracted.text
    # Page 1 ends "In each case the", page 2 goes on "General Assembly": one sentence.
    assert "In each case the General Assembly met" in extracted.text
    assert "3 page numbers dropped; 3 running headers and footers dropped" in describe(extracted.removed)
    assert extracted.title == "Report of the Security Council"


def test_front_matter_fills_only_the_fields_left_empty():
    data = (MESSY / "speech-front-matter.txt").read_bytes()
    source = build_source(filename="speech.txt", data=data, publisher="Typed by hand")
    assert source.title.startswith("Statement by the Minister")
    assert source.authors == ["Anna Lindqvist", "Ministry for Foreign Affairs"]
    assert (source.published, source.publisher) == ("2024-03-05", "Typed by hand")
    assert source.url == "https://example.org/speeches/2024/security-council-reform"
    assert build_source(filename="speech.txt", data=data, authors=["A. Reader"]).authors == ["A. Reader"]


@pytest.mark.django_db
def test_the_original_upload_is_kept_as_it_was():
    data = (MESSY / "charter-markdown.txt").read_bytes()
    source = import_source(filename="charter.txt", data=data)
    source.refresh_from_db()
    assert bytes(source.original) == data and "####" not in source.text


@pytest.mark.django_db
def test_the_upload_page_says_what_the_import_removed(client, annotator):
    client.force_login(annotator)
    upload = SimpleUploadedFile("speech.txt", (MESSY / "speech-front-matter.txt").read_bytes())
    response = client.post(reverse("sources:upload"), {"file": upload, "kind": "other"}, follow=True)
    source = Source.objects.get()
    assert source.title.startswith("Statement by the Minister") and source.published == "2024-03-05"
    page = response.content.decode()
    assert (
        "Cleaned on import: front matter (7 fields) read into metadata; 3 page numbers dropped; "
        "3 running headers and footers dropped. The original file is kept as uploaded."
    ) in page
    # Said once: the next visit to the page does not repeat it.
    assert "Cleaned on import" not in client.get(source.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_preview_shows_the_start_of_the_text_and_what_goes_and_saves_nothing(client, annotator):
    client.force_login(annotator)
    url = reverse("sources:upload_preview")
    upload = SimpleUploadedFile("charter.txt", (MESSY / "charter-markdown.txt").read_bytes())
    with CaptureQueriesContext(connection) as queries:
        page = client.post(url, {"file": upload}).content.decode()
    assert len(queries) <= 2  # the session and its user: reading the file needs no database
    assert "The import will take out: 4 heading marks removed;" in page
    assert "<p>Charter of the United Nations</p>" in page and "####" not in page
    assert not Source.objects.exists()
    bad = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"not a pdf")}).content.decode()
    assert "not a PDF" in bad
    assert "Choose a file" in client.post(url).content.decode()


@pytest.mark.django_db
def test_the_preview_escapes_the_text(client, annotator):
    client.force_login(annotator)
    upload = SimpleUploadedFile("x.txt", b"---\ntitle: <b>T</b>\n---\n<script>alert(1)</script> & text")
    page = client.post(reverse("sources:upload_preview"), {"file": upload}).content.decode()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;T&lt;/b&gt;" in page


def test_the_preview_needs_a_login(client):
    response = client.post(reverse("sources:upload_preview"))
    assert response.status_code == 302 and "login" in response["Location"]
