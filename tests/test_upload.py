"""The upload page: any signed-in user imports a document into the library; bad files leave nothing behind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sources.models import Source

pytestmark = pytest.mark.django_db


def upload(client, name: str, content: bytes, **fields):
    data = {"file": SimpleUploadedFile(name, content), "kind": "op_ed", **fields}
    return client.post(reverse("sources:upload"), data)


def test_uploading_a_text_file_creates_a_source_and_opens_it(client, annotator):
    client.force_login(annotator)
    response = upload(
        client,
        "op-ed.txt",
        b"Coalitions of the willing re-\nmain useful.\n\nThey act fast.",
        title="An op-ed",
        authors="David L. Phillips; Ana Lima",
        published="2021-08-04",
        url="https://example.org/op-ed",
    )
    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == source.get_absolute_url()
    assert source.text == "Coalitions of the willing remain useful.\n\nThey act fast."
    assert source.authors == [{"family": "Phillips", "given": "David L."}, {"family": "Lima", "given": "Ana"}]
    assert (source.added_by, source.original_format, source.original_name) == (annotator, "txt", "op-ed.txt")
    page = client.get(response["Location"]).content.decode()
    assert "Imported “An op-ed”" in page
    assert "Coalitions of the willing remain useful." in page


def test_html_upload_keeps_the_words_and_drops_the_script(client, annotator):
    client.force_login(annotator)
    html = b"<html><head><title>T</title><script>steal()</script></head><body><h1>Brief</h1><p>Words.</p></body></html>"
    assert upload(client, "brief.html", html).status_code == 302
    source = Source.objects.get()
    assert "steal" not in source.text and "Words." in source.text
    assert source.title == "Brief"


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", b"", "The submitted file is empty"),
        ("garbage.pdf", b"\x13\x37 not a pdf at all" * 10, "not a PDF"),
        ("program.exe", b"MZ\x90\x00", "not supported"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(client, annotator, name, content, message):
    client.force_login(annotator)
    response = upload(client, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.exists()


def test_an_oversized_file_is_refused(client, annotator, settings):
    settings.WARRANT_MAX_UPLOAD_BYTES = 1024
    client.force_login(annotator)
    response = upload(client, "long.txt", b"word " * 1000)
    assert "This file is 4.9\xa0KB, over the 1.0\xa0KB limit." in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"url": "not a url"}, "Enter a valid URL"),
        ({"published": "August 2021"}, "Write the date as YYYY, YYYY-MM or YYYY-MM-DD."),
        ({"published": "2021-13-40"}, "make it a real date"),
    ],
)
def test_bad_metadata_is_reported_and_nothing_is_written(client, annotator, fields, message):
    client.force_login(annotator)
    response = upload(client, "note.txt", b"Some text.", **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Source.objects.exists()


def test_upload_page_needs_a_login(client):
    response = upload(client, "note.txt", b"Some text.")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Source.objects.exists()
