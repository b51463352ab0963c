"""The import pipeline: each format to canonical text, every refusal with a clear message, nothing half-written."""

import io
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from fpdf import FPDF
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter

from sources import extractors
from sources.ingest import SUPPORTED_EXTENSIONS, Extracted, IngestError, extract
from sources.models import Source, SourceFormat, SourceKind
from sources.services import import_source

from .factories import make_user

# --- fixture builders -------------------------------------------------------------------------------------

LONG_SENTENCE = (
    "Coalitions of the willing act quickly when the Security Council is blocked, and critics answer that "
    "such coalitions lack accountability and legitimacy in the eyes of many."
)


def make_pdf(*pages: list[str], title: str | None = None) -> bytes:
    """A PDF with real text: each page is a list of paragraphs, set in Helvetica and wrapped by fpdf2."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(6)
    return bytes(pdf.output())


def make_image_only_pdf(*, with_picture: bool) -> bytes:
    """What a scanner produces: pages with marks on them but no text."""
    pdf = FPDF()
    pdf.add_page()
    if with_picture:
        picture = io.BytesIO()
        Image.new("RGB", (8, 8), "gray").save(picture, format="PNG")
        pdf.image(picture, x=10, y=10, w=100)
    else:
        pdf.rect(10, 10, 100, 50, style="F")
    return bytes(pdf.output())


def encrypt_pdf(data: bytes, *, user_password: str, owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    # RC4 needs no cryptography package, which is not installed.
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(*, title: str = "") -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    document.add_heading("Coalitions and their critics", level=1)
    document.add_paragraph("Coalitions act quickly.")
    document.add_paragraph("Critics answer that they lack legitimacy.")
    document.add_paragraph("speed", style="List Bullet")
    document.add_paragraph("flexibility", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Actor", (0, 1): "Mandate", (1, 0): "NATO", (1, 1): "Chapter VII"}.items():
        table.cell(row, column).text = text
    document.add_paragraph("A closing paragraph.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX_TEXT = (
    "Coalitions and their critics\n\nCoalitions act quickly.\n\nCritics answer that they lack legitimacy.\n\n"
    "• speed\n• flexibility\n\nActor\n\nMandate\n\nNATO\n\nChapter VII\n\nA closing paragraph."
)


def add_zip_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def refused(filename: str, data: bytes) -> str:
    with pytest.raises(IngestError) as caught:
        extract(filename, data)
    return str(caught.value)


# --- plain text -------------------------------------------------------------------------------------------


def test_plain_text_becomes_canonical_text():
    data = b"Coalitions act\r\nquickly.\r\n\r\nCritics dis-\r\nagree.\r\n"
    assert extract("notes.txt", data) == Extracted(
        text="Coalitions act quickly.\n\nCritics disagree.", format=SourceFormat.TXT, title=""
    )


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffCafé crème.".encode(),
        "Café crème.".encode("utf-16"),  # with its byte-order mark
        "Café crème.".encode("cp1252"),
        "Cafe\u0301 cre\u0300me.".encode(),
    ],
    ids=["utf-8 with BOM", "utf-16", "windows-1252", "decomposed"],
)
def test_text_encodings_are_decoded(data):
    assert extract("menu.text", data).text == "Café crème."


@pytest.mark.parametrize(
    "data",
    [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", bytes(range(1, 32)) * 20, b"text with a NUL\x00 in it"],
    ids=["executable", "control characters", "NUL"],
)
def test_binary_data_named_txt_is_refused(data):
    assert "not a text file" in refused("notes.txt", data)


def test_other_known_file_types_named_txt_are_named_in_the_message():
    assert "is a PDF" in refused("notes.txt", make_pdf(["Text."]))
    assert "PNG image" in refused("page.html", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    assert "RTF document" in refused("letter.txt", b"{\\rtf1\\ansi Dear Ana,}")


def test_empty_file_is_refused():
    assert "contains no text" in refused("empty.txt", b"")


@pytest.mark.parametrize("filename", ["blank.txt", "blank.md", "blank.html"])
def test_document_without_text_is_refused(filename):
    assert refused(filename, b"  \n\n\t  <p> </p>" if filename.endswith("html") else b"  \n\n\t ") == (
        "This document contains no text."
    )


def test_file_over_the_size_limit_is_refused(settings):
    settings.WARRANT_MAX_UPLOAD_BYTES = 1024 * 1024
    message = refused("big.txt", b"a" * (1024 * 1024 + 1))
    assert "over the 1 MB limit" in message
    assert extract("fits.txt", b"a" * (1024 * 1024)).text.startswith("aaa")


@pytest.mark.parametrize("filename", ["setup.exe", "letter.rtf", "scan.jpeg", "README"])
def test_unsupported_extension_is_refused_with_the_supported_list(filename):
    message = refused(filename, b"{\\rtf1 hello}")
    assert "not supported" in message
    for extension in SUPPORTED_EXTENSIONS:
        assert extension in message


def test_extension_is_matched_without_regard_to_case_or_path():
    assert extract(r"C:\Users\ana\Notes.TXT", b"Hello.").format == SourceFormat.TXT


# --- HTML and Markdown ------------------------------------------------------------------------------------

HTML = b"""<!DOCTYPE html>
<html><head><title>Coalitions | The Site</title>
<style>p { color: red } .secret { display: none }</style>
<script>var secret = "script text";</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<h1>Coalitions  of the
  willing</h1>
<p onclick="alert('handler text')">Coalitions act <em>quickly</em> &amp; decisively &mdash; often
without a UN mandate.</p>
<noscript>Enable JavaScript</noscript>
<template><p>template text</p></template>
<ul><li>speed</li><li>flexibility</li></ul>
<ol start="3"><li>third</li><li>fourth</li></ol>
<p>Line one<br>line two</p>
<div hidden>hidden text</div>
<!-- a comment -->
<table><tr><th>Actor</th><td>NATO</td></tr></table>
<script type="module">import("evil.js")</script>
<p>by a staff writer</p>
</body></html>"""


def test_html_becomes_its_visible_text():
    extracted = extract("page.html", HTML)
    assert extracted.format == SourceFormat.HTML
    assert extracted.title == "Coalitions of the willing"
    assert extracted.text == (
        "Coalitions of the willing\n\n"
        "Coalitions act quickly & decisively — often without a UN mandate.\n\n"
        "• speed\n• flexibility\n\n"
        "3. third\n4. fourth\n\n"
        "Line one line two\n\n"
        "Actor\n\nNATO\n\n"
        "by a staff writer"
    )


def test_no_script_style_or_handler_text_survives():
    text = extract("page.htm", HTML).text
    for leftover in ("secret", "script text", "color", "handler", "alert", "evil", "template", "JavaScript", "Home"):
        assert leftover not in text


def test_deeply_nested_html_is_read():
    assert extract("deep.html", b"<div>" * 5000 + b"Deep text." + b"</div>" * 5000).text == "Deep text."


def test_html_title_falls_back_to_the_title_element():
    assert extract("page.html", b"<title> A  title </title><p>Body.</p>").title == "A title"


def test_html_in_a_declared_legacy_encoding_is_decoded():
    data = '<meta charset="windows-1252"><p>Café crème.</p>'.encode("cp1252")
    assert extract("page.html", data).text == "Café crème."


def test_html_entities_do_not_reach_outside_the_document():
    data = b'<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><p>before &xxe; after</p>'
    text = extract("page.html", data).text
    assert "root:" not in text and "before" in text


MARKDOWN = b"""---
title: "Front matter title"
tags: [coalitions]
---
# Coalitions of the *willing*

Coalitions act **quickly** and
[without a mandate](https://example.org/mandate).

- speed
- flexibility

1. first
2. second

Critics use `legitimacy` as their yardstick.
"""


def test_markdown_becomes_text_without_its_markup():
    extracted = extract("notes.md", MARKDOWN)
    assert extracted.format == SourceFormat.MD
    assert extracted.title == "Front matter title"
    assert extracted.text == (
        "Coalitions of the willing\n\n"
        "Coalitions act quickly and without a mandate.\n\n"
        "• speed\n• flexibility\n\n"
        "1. first\n2. second\n\n"
        "Critics use legitimacy as their yardstick."
    )


def test_markdown_title_is_its_first_heading():
    assert extract("notes.markdown", b"Intro line.\n\n## A second-level heading\n\nText.").title == (
        "A second-level heading"
    )


def test_script_in_markdown_does_not_survive():
    text = extract("notes.md", b"Text.\n\n<script>alert('x')</script>\n\nMore <span onclick='y()'>text</span>.").text
    assert text == "Text.\n\nMore text."


# Prose that names HTML elements the way people type it. CommonMark passes each name through as raw HTML, and
# an HTML reader takes it for an element that swallows the rest of the document.
MENTIONS = [
    "Never put a <script> tag in a comment field.",
    "A <style> element holds CSS; a <textarea> holds what people type.",
    "Every page needs a <title>, and an <iframe> shows another page inside it.",
    "<script> tags at the start of a line are still prose.",
    "<textarea> at the start of a line too.",
    "<title> opens this paragraph and nothing closes it.",
    "<!-- starts a comment that this sentence never closes.",
    "Text after <!-- an opened comment stays.",
    "Closing tags like </script> and </textarea> alone are prose too.",
]


@pytest.mark.parametrize("mention", MENTIONS)
def test_markdown_prose_that_mentions_html_elements_keeps_every_word(mention):
    source = f"# Notes\n\n{mention}\n\nThe paragraph after it, with *emphasis*.\n\n- and a list item\n"
    assert extract("notes.md", source.encode()).text == (
        f"Notes\n\n{mention}\n\nThe paragraph after it, with emphasis.\n\n• and a list item"
    )


def test_markdown_inline_and_block_html_is_dropped_as_markup_and_its_prose_kept():
    source = (
        b"Line one<br>line two, <b>bold</b> and <span hidden class='x'>a hidden span</span>.\n\n"
        b"<div>\n<p>First</p><p>Second &amp; last</p>\n</div>\n\n"
        b"<ul><li>apple</li><li>pear</li></ul>\n\n"
        b"Text <!-- a note to self --> goes on, <style>p { color: red }</style>without styles.\n\n"
        b"<script>\nvar secret = 1;\n</script>\n\nEnd."
    )
    assert extract("notes.md", source).text == (
        "Line one line two, bold and a hidden span.\n\nFirst\n\nSecond & last\n\n• apple\n• pear\n\n"
        "Text goes on, without styles.\n\nEnd."
    )


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8)
# Raw HTML that opens something and never closes it, as a paragraph or a line may hold it.
OPENINGS = st.sampled_from(
    [f"<{name}>" for name in ("script", "style", "textarea", "title", "iframe", "noscript", "xmp", "plaintext",
                              "template", "div", "p", "pre", "table", "nav", "select", "span", "b", "svg")]
    + ["<!--", "<?", "<![CDATA[", "<!DOCTYPE", '<div hidden class="x">', "<script src='a.js'>", "</p>", "</div>"]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", "\n", "\n\n", "\n\n- ", "\n\n# ", "\n\n> ", " *", "* "])


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(SEPARATORS, st.one_of(WORDS, OPENINGS)), min_size=1, max_size=30))
def test_no_unclosed_raw_html_in_markdown_hides_a_word(pieces):
    source = "".join(separator + piece for separator, piece in pieces)
    words = [piece for _, piece in pieces if piece.isalpha()]
    text = extract("notes.md", (source + "\n\nlast").encode()).text
    for word in [*words, "last"]:
        assert word in text, (source, text)


# --- PDF --------------------------------------------------------------------------------------------------


def test_pdf_becomes_canonical_text():
    data = make_pdf(
        [LONG_SENTENCE, "A second paragraph that runs on to the next"],
        ["page without a break in the sentence."],
        title="Coalitions of the Willing",
    )
    extracted = extract("paper.pdf", data)
    assert extracted == Extracted(
        text=f"{LONG_SENTENCE}\n\nA second paragraph that runs on to the next page without a break in the sentence.",
        format=SourceFormat.PDF,
        title="Coalitions of the Willing",
    )


def test_pdf_page_numbers_are_dropped():
    data = make_pdf(["1", "The first page ends in the middle of a"], ["2", "sentence that goes on.", "3"])
    assert extract("paper.pdf", data).text == "The first page ends in the middle of a sentence that goes on."


def test_pdf_with_too_many_pages_is_refused(monkeypatch):
    monkeypatch.setattr(extractors.pdf, "PDF_MAX_PAGES", 1)
    assert "split it into parts of at most 1" in refused("book.pdf", make_pdf(["One."], ["Two."]))


def test_pdf_title_placeholder_is_ignored():
    assert extract("paper.pdf", make_pdf(["Text."], title="Microsoft Word - draft7.docx")).title == ""


@pytest.mark.parametrize(
    "data",
    [b"This is not a PDF at all.", b"\x00\x01\x02 random bytes" * 40],
    ids=["text", "garbage"],
)
def test_file_named_pdf_without_a_pdf_header_is_refused(data):
    assert refused("paper.pdf", data) == "This file is named .pdf but is not a PDF."


def test_damaged_pdf_is_refused():
    assert "damaged" in refused("paper.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8)
    truncated = make_pdf([LONG_SENTENCE])[:300]
    assert "damaged" in refused("paper.pdf", truncated)


def test_encrypted_pdf_is_refused():
    data = encrypt_pdf(make_pdf([LONG_SENTENCE]), user_password="secret")
    assert refused("locked.pdf", data) == "This PDF is encrypted; remove the password and upload it again."


def test_pdf_encrypted_with_an_empty_password_is_opened():
    data = encrypt_pdf(make_pdf([LONG_SENTENCE]), user_password="")
    assert PdfReader(io.BytesIO(data)).is_encrypted
    assert extract("restricted.pdf", data).text == LONG_SENTENCE


@pytest.mark.parametrize("with_picture", [False, True], ids=["drawing", "picture"])
def test_image_only_pdf_is_refused_as_a_scan(with_picture):
    message = refused("scan.pdf", make_image_only_pdf(with_picture=with_picture))
    assert "looks like a scan" in message and "OCR" in message


# --- DOCX -------------------------------------------------------------------------------------------------


def test_docx_becomes_canonical_text():
    assert extract("essay.docx", make_docx(title="  Coalitions:  an essay ")) == Extracted(
        text=DOCX_TEXT, format=SourceFormat.DOCX, title="Coalitions: an essay"
    )


def test_docx_that_is_not_a_zip_is_refused():
    message = refused("essay.docx", b"Just some text pretending to be a Word document.")
    assert message.startswith("This file is named .docx but is not a Word document.")


def test_old_word_file_named_docx_is_refused():
    message = refused("essay.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert "old-style Office file" in message


def test_zip_that_is_not_a_word_document_is_refused():
    assert "not a Word document" in refused("archive.docx", zip_of({"hello.txt": b"Hello."}))


def test_damaged_docx_is_refused():
    data = zip_of({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"})
    assert refused("essay.docx", data) == "This Word document is damaged and cannot be read."
    assert "not a readable zip" in refused("essay.docx", make_docx()[:2000])


def test_docx_zip_bomb_is_refused_before_parsing():
    data = add_zip_member(make_docx(), "word/media/padding.bin", b"\x00" * (20 * 1024 * 1024))
    assert len(data) < 200_000
    assert "zip bomb" in refused("bomb.docx", data)


def test_docx_unpacking_beyond_the_absolute_limit_is_refused(monkeypatch):
    monkeypatch.setattr(extractors.word, "DOCX_MAX_UNCOMPRESSED", 10_000)
    assert "far more data" in refused("essay.docx", make_docx())


def test_docx_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(extractors.word, "DOCX_MAX_MEMBERS", 5)
    assert "far more data" in refused("essay.docx", make_docx())


# --- import_source ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_source_stores_text_metadata_and_original():
    user = make_user()
    data = make_docx(title="The document's own title")
    source = import_source(
        filename="essay.docx",
        data=data,
        added_by=user,
        title="  Coalitions and critics ",
        authors=[" Ana Lima", "", "Bo Chen "],
        published="2021-08",
        kind=SourceKind.ARTICLE,
        url="https://example.org/essay",
        doi="10.1000/xyz",
    )
    source = Source.objects.get(pk=source.pk)
    assert source.title == "Coalitions and critics"
    assert source.slug == "coalitions-and-critics"
    assert source.authors == [{"family": "Lima", "given": "Ana"}, {"family": "Chen", "given": "Bo"}]
    assert source.text == DOCX_TEXT
    assert bytes(source.original) == data
    assert (source.original_name, source.original_format) == ("essay.docx", SourceFormat.DOCX)
    assert (source.kind, source.published, source.added_by) == (SourceKind.ARTICLE, "2021-08", user)
    assert source.revision == 1 and len(source.sha256) == 64


@pytest.mark.django_db
def test_import_source_title_falls_back_to_the_documents_then_the_file_name():
    assert import_source(filename="a.html", data=b"<h1>Own title</h1><p>Text.</p>").title == "Own title"
    assert import_source(filename="dir/field-notes.txt", data=b"Text.").title == "field-notes"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filename, data",
    [
        ("paper.pdf", b"garbage"),
        ("empty.txt", b""),
        ("setup.exe", b"MZ"),
        ("essay.docx", b"not a zip"),
    ],
)
def test_import_source_writes_nothing_for_a_bad_file(filename, data):
    before = Source.objects.count()
    with pytest.raises(IngestError):
        import_source(filename=filename, data=data)
    assert Source.objects.count() == before


@pytest.mark.django_db
def test_import_source_writes_nothing_for_a_file_over_the_limit(settings):
    settings.WARRANT_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(IngestError):
        import_source(filename="big.txt", data=b"word " * 300_000)
    assert not Source.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"url": "not a url"}, "url"),
        ({"title": "T" * 501}, "title"),
        ({"kind": "pamphlet"}, "kind"),
        ({"published": "2021-13-01"}, "published"),
        ({"published": "August 2021"}, "published"),
        ({"isbn": "9" * 21}, "isbn"),
    ],
)
def test_import_source_writes_nothing_for_invalid_metadata(fields, field):
    with pytest.raises(ValidationError) as caught:
        import_source(filename="notes.txt", data=b"Some text.", **fields)
    assert field in caught.value.message_dict
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_import_source_accepts_partial_dates():
    for published in ("2007", "2007-11", "2024-02-29"):
        assert import_source(filename="notes.txt", data=b"Text.", published=published).published == published


@pytest.mark.django_db
def test_same_title_twice_gets_distinct_slugs():
    first = import_source(filename="a.txt", data=b"One.", title="Coalitions")
    second = import_source(filename="b.txt", data=b"Two.", title="Coalitions")
    assert (first.slug, second.slug) == ("coalitions", "coalitions-2")
