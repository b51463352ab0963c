"""Uploads that would cost a worker gigabytes or minutes are refused with a clear message, and leave nothing behind.

Each hostile file is built here (tests/bombs.py), fed to sources.ingest.extract, and through the upload page
and the API. What reading each costs, in memory and time, is measured by bench/uploads.py; tests measure only
what the Python allocator saw (tracemalloc), which is exact, never wall-clock time.
"""

import io
import tempfile
import tracemalloc
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import load_handler
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from rest_framework.test import APIClient

from sources import extractors
from sources.extractors import common, html, markdown, pdf, word
from sources.ingest import IngestError, extract
from sources.models import Source

from . import bombs
from .bombs import MB

pytestmark = pytest.mark.django_db


def refused(filename: str, data: bytes) -> str:
    with pytest.raises(IngestError) as caught:
        extract(filename, data)
    return str(caught.value)


def refused_within(filename: str, data: bytes, megabytes: int) -> str:
    """The refusal's message, after checking that reading the file allocated less than `megabytes` at its peak."""
    tracemalloc.start()
    try:
        message = refused(filename, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < megabytes * MB, f"reading {filename} allocated {peak / MB:.0f} MB"
    return message


@pytest.fixture(autouse=True)
def time_enough(monkeypatch):
    """Each test here crosses one limit on purpose; a busy machine (or tracemalloc) must not make it cross
    the time limit first. The time limit itself is tested with MAX_SECONDS = 0."""
    monkeypatch.setattr(common, "MAX_SECONDS", 120)


@pytest.fixture
def temp_dir(settings, tmp_path):
    """The folder where uploads would be spilled to disk, watched by the test."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


# --- Word documents ---------------------------------------------------------------------------------------


def test_docx_whose_directory_understates_a_member_is_refused_without_inflating_it():
    data = bombs.docx_with_lying_directory(padding=word.DOCX_MAX_READ + 16 * MB)
    assert len(data) < 200_000
    message = refused_within("lying.docx", data, megabytes=8)
    assert message == (
        "This Word document unpacks to more than 50 MB of text and markup, far more than any real document; "
        "it was refused."
    )


def test_docx_whose_directory_misstates_a_size_a_little_is_refused():
    message = refused("lying.docx", bombs.docx_with_lying_directory(padding=100_000))
    assert "zip directory misstates the size of word/document.xml" in message


def test_docx_member_that_truly_inflates_huge_is_refused_before_anything_is_inflated():
    data = bombs.docx_with_huge_member(word.DOCX_MAX_UNCOMPRESSED + 14 * MB)
    assert "far more data than any real document" in refused_within("zeros.docx", data, megabytes=2)


def test_docx_parts_are_counted_as_they_are_inflated(monkeypatch):
    monkeypatch.setattr(word, "DOCX_MAX_READ", 3_000)
    assert "unpacks to more than" in refused("essay.docx", bombs.small_docx())


def test_docx_with_a_document_type_declaration_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    source = zipfile_members(bombs.small_docx())
    source["word/document.xml"] = laughs
    assert "document type declaration" in refused("laughs.docx", zip_of(source))


def test_docx_text_beyond_the_upload_limit_is_refused(settings):
    settings.WARRANT_MAX_UPLOAD_BYTES = 1_000
    data = bombs.small_docx("Word " * 400)
    with pytest.raises(IngestError, match="more than 1,000 characters of text"):
        extractors.extract_docx(data)


# --- HTML -------------------------------------------------------------------------------------------------


def test_deeply_nested_html_of_ten_megabytes_is_refused_at_once():
    data = bombs.nested_html(10 * MB - 1000)
    message = refused_within("deep.html", data, megabytes=60)
    assert message == (
        "This web page nests its elements more than 10,000 deep, far beyond any real document; it was refused."
    )


def test_html_with_a_million_elements_is_refused():
    message = refused_within("dense.html", bombs.dense_html(10 * MB - 1000), megabytes=60)
    assert message == (
        "This web page has more than 1,000,000 elements (tags), far beyond any real document; it was refused."
    )


def test_html_nested_within_the_limit_is_read():
    depth = html.MAX_DEPTH - 10
    assert extract("deep.html", b"<div>" * depth + b"Deep text." + b"</div>" * depth).text == "Deep text."


def test_reading_that_takes_too_long_is_refused(monkeypatch):
    monkeypatch.setattr(common, "MAX_SECONDS", 0)
    message = refused("page.html", b"<p>Words.</p>" * 30_000)
    assert message == "This web page takes more than 0 seconds to read, so it was refused; split it into smaller parts."


# --- Markdown ---------------------------------------------------------------------------------------------


def test_markdown_paragraph_with_endless_formatting_is_refused():
    message = refused_within("emphasis.md", bombs.markdown_emphasis(10 * MB), megabytes=100)
    assert message.startswith("A paragraph of this Markdown file has more than 100,000 pieces of formatting")


def test_markdown_with_endless_blocks_is_refused(monkeypatch):
    monkeypatch.setattr(markdown, "MAX_BLOCK_TOKENS", 3_000)
    message = refused("list.md", b"- item\n" * 1_000)
    assert message.startswith("This Markdown file has more than 3,000 paragraphs, headings and list items")


# --- PDF --------------------------------------------------------------------------------------------------


def test_pdf_page_that_inflates_far_beyond_a_page_of_text_is_refused():
    data = bombs.pdf_with_inflating_page(pdf.PDF_MAX_STREAM_BYTES + MB, pages=20)
    assert len(data) < 100_000
    message = refused_within("bomb.pdf", data, megabytes=30)
    assert message == (
        "Page 1 of this PDF unpacks to more than 2 MB of drawing instructions, far more than any page of text; "
        "it was refused."
    )


def test_pdf_page_with_drawing_instructions_within_the_limit_is_read():
    data = bombs.pdf_with_inflating_page(MB // 2)
    assert extract("drawing.pdf", data).text == "A page of a PDF."


# --- through the upload page and the API ------------------------------------------------------------------

HOSTILE = [
    ("lying.docx", lambda: bombs.docx_with_lying_directory(padding=word.DOCX_MAX_READ + 16 * MB), "unpacks to more"),
    ("deep.html", lambda: bombs.nested_html(10 * MB - 1000), "nests its elements more than 10,000 deep"),
    ("emphasis.md", lambda: bombs.markdown_emphasis(6 * MB), "more than 100,000 pieces of formatting"),
]


@pytest.mark.parametrize("name,build,message", HOSTILE, ids=[name for name, _, _ in HOSTILE])
def test_hostile_upload_on_the_page_gets_its_message_and_leaves_nothing(
    client, annotator, temp_dir, name, build, message
):
    client.force_login(annotator)
    response = client.post(reverse("sources:upload"), {"file": SimpleUploadedFile(name, build()), "kind": "other"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.exists()
    assert list(temp_dir.iterdir()) == []


@pytest.mark.parametrize("name,build,message", HOSTILE, ids=[name for name, _, _ in HOSTILE])
def test_hostile_upload_through_the_api_gets_400_and_leaves_nothing(
    private_map, editor, temp_dir, name, build, message
):
    api = APIClient()
    api.force_authenticate(editor)
    before = Source.objects.count()
    answer = api.post(
        f"/api/v1/maps/{private_map.slug}/sources/", {"file": SimpleUploadedFile(name, build())}, format="multipart"
    )
    assert answer.status_code == 400
    assert message in answer.json()["file"][0]
    assert Source.objects.count() == before
    assert list(temp_dir.iterdir()) == []


# --- the upload handler -----------------------------------------------------------------------------------


def test_an_upload_spilled_to_disk_has_no_name_in_the_temp_dir(settings, temp_dir):
    """A named file would stay behind if the worker died while reading it; an unnamed one goes with the process."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    content = b"Words on disk. " * 10_000
    upload = parse_upload(("notes.txt", content))["file0"]
    assert upload.size == len(content)
    assert list(temp_dir.iterdir()) == []  # while the upload is open and on disk
    assert upload.read() == content
    upload.close()
    assert list(temp_dir.iterdir()) == []


def test_files_stay_in_memory_only_when_the_whole_request_fits(settings, temp_dir):
    """Otherwise a request of many files, each under the limit, could hold all of them in memory."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 4_000
    many = parse_upload(*[(f"note{n}.txt", b"x" * 900) for n in range(6)])
    in_memory = (io.BytesIO, tempfile.SpooledTemporaryFile)
    assert [isinstance(upload.file, in_memory) for upload in many.values()] == [False] * 6
    one = parse_upload(("note.txt", b"x" * 900))
    assert isinstance(one["file0"].file, io.BytesIO)
    assert list(temp_dir.iterdir()) == []


def test_a_file_over_the_largest_upload_is_counted_but_not_kept(settings, temp_dir):
    settings.WARRANT_MAX_FILE_BYTES = 50_000
    upload = parse_upload(("long.txt", b"x" * 80_000))["file0"]
    assert upload.size == 80_000
    with pytest.raises(IngestError, match=r"This file is 78.1\xa0KB, over the 48.8\xa0KB that any upload may be."):
        upload.read()


def test_a_file_over_the_largest_upload_gets_its_size_on_the_page(client, annotator, settings, temp_dir):
    settings.WARRANT_MAX_UPLOAD_BYTES = 10_000
    settings.WARRANT_MAX_FILE_BYTES = 20_000
    client.force_login(annotator)
    big = SimpleUploadedFile("long.txt", b"word " * 10_000)
    response = client.post(reverse("sources:upload"), {"file": big, "kind": "other"})
    assert "This file is 48.8\xa0KB, over the 9.8\xa0KB limit." in response.content.decode()
    assert not Source.objects.exists()


def test_a_file_over_the_largest_upload_gets_400_from_the_api_without_being_read(private_map, editor, settings):
    settings.WARRANT_MAX_FILE_BYTES = 20_000
    api = APIClient()
    api.force_authenticate(editor)
    big = SimpleUploadedFile("long.txt", b"word " * 10_000)
    answer = api.post(f"/api/v1/maps/{private_map.slug}/sources/", {"file": big}, format="multipart")
    assert answer.status_code == 400
    assert answer.json()["file"] == ["This file is 48.8\xa0KB, over the 19.5\xa0KB that any upload may be."]
    assert Source.objects.count() == 1  # the map's own source only


# --- helpers ----------------------------------------------------------------------------------------------


def parse_upload(*files: tuple[str, bytes]) -> dict:
    """What Django's multipart parser, with the configured upload handlers, makes of uploaded files
    (named file0, file1, …)."""
    fields = {f"file{n}": SimpleUploadedFile(name, content) for n, (name, content) in enumerate(files)}
    body = encode_multipart(BOUNDARY, fields)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    handlers = [load_handler(path) for path in django_settings.FILE_UPLOAD_HANDLERS]
    _, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    return files


def zipfile_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()
