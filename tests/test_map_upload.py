"""Uploading documents straight into a map, and adding a library document to a map from its page.

Each file is its own change: two good files make two sources of the map, a bad or too large one is refused
with its own message and does not keep the others out."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arguments.models import Event, MapSource
from sources.models import Source

from .factories import make_map, make_source, reader_url
from .queries import queries_for

pytestmark = pytest.mark.django_db


def files(*pairs):
    return [SimpleUploadedFile(name, content) for name, content in pairs]


def post_files(client, argument_map, uploads, **headers):
    return client.post(reverse("arguments:upload_sources", args=[argument_map.slug]), {"files": uploads}, **headers)


def test_two_files_in_one_plain_post_become_two_sources_of_the_map(client, private_map, editor):
    client.force_login(editor)
    before = MapSource.objects.filter(map=private_map).count()
    response = post_files(
        client,
        private_map,
        files(("first.txt", b"The first document says one thing."), ("second.md", b"# Second\n\nAnother thing.")),
    )
    assert response.status_code == 200
    added = Source.objects.filter(map_sources__map=private_map).exclude(title="A private source")
    assert sorted(added.values_list("title", flat=True)) == ["Second", "first"]
    assert MapSource.objects.filter(map=private_map).count() == before + 2
    assert all(source.added_by == editor for source in added)
    page = response.content.decode()
    assert "Added 2 documents to the map" in page
    for source in added:
        assert f'href="{reader_url(private_map, source)}"' in page
    assert Event.objects.filter(map=private_map, verb="linked").count() == before + 2


def test_a_bad_file_gets_its_own_message_and_does_not_keep_the_good_one_out(client, private_map, editor):
    client.force_login(editor)
    response = post_files(
        client,
        private_map,
        files(
            ("program.exe", b"MZ\x90\x00"),
            ("notes.txt", b"Good words, kept."),
            ("broken.pdf", b"\x13\x37 nope" * 9),
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Added 1 document to the map" in page
    assert "program.exe</strong>: not added." in page and "not supported" in page
    assert "broken.pdf</strong>: not added." in page and "not a PDF" in page
    assert list(Source.objects.filter(map_sources__map=private_map, title="notes").values_list("text", flat=True)) == [
        "Good words, kept."
    ]
    assert not Source.objects.filter(original_name__in=["program.exe", "broken.pdf"]).exists()


def test_a_file_over_the_limit_is_refused_by_size(client, private_map, editor, settings):
    settings.WARRANT_MAX_UPLOAD_BYTES = 1024
    client.force_login(editor)
    response = post_files(client, private_map, files(("big.txt", b"words " * 400), ("small.txt", b"Small.")))
    page = response.content.decode()
    assert "big.txt</strong>: not added. This file is 2.3\xa0KB, over the 1.0\xa0KB limit." in page
    assert Source.objects.filter(original_name="small.txt", map_sources__map=private_map).exists()
    assert not Source.objects.filter(original_name="big.txt").exists()


def test_the_script_gets_json_for_each_file(client, private_map, editor):
    client.force_login(editor)
    ok = post_files(client, private_map, files(("a.txt", b"Alpha.")), HTTP_ACCEPT="application/json")
    assert ok.status_code == 200
    [result] = ok.json()["results"]
    source = Source.objects.get(original_name="a.txt")
    assert result == {
        "name": "a.txt",
        "ok": True,
        "title": "a",
        "characters": 6,
        "url": reader_url(private_map, source),
    }
    bad = post_files(client, private_map, files(("empty.txt", b"")), HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert bad.json()["results"] == [{"name": "empty.txt", "ok": False, "error": "The file is empty."}]


def test_no_file_chosen_says_so(client, private_map, editor):
    client.force_login(editor)
    response = post_files(client, private_map, [])
    assert response.status_code == 400
    assert "Choose one or more files to upload." in response.content.decode()


@pytest.mark.parametrize("who,status", [("annotator", 403), ("viewer", 403), ("outsider", 404)])
def test_only_editors_upload_into_a_map(client, request, private_map, who, status):
    client.force_login(request.getfixturevalue(who))
    response = post_files(client, private_map, files(("a.txt", b"Alpha.")))
    assert response.status_code == status
    assert not Source.objects.filter(original_name="a.txt").exists()


def test_file_names_and_titles_are_escaped(client, private_map, editor):
    client.force_login(editor)
    response = post_files(client, private_map, files(("<b>x</b>.html", b"<title>&lt;i&gt;T</title><p>Body.</p>")))
    page = response.content.decode()
    assert "<b>x</b>" not in page and "<i>T" not in page


def test_the_add_source_page_offers_a_multiple_file_upload(client, private_map, editor):
    client.force_login(editor)
    page = client.get(reverse("arguments:add_source", args=[private_map.slug])).content.decode()
    assert 'name="files" multiple' in page
    assert reverse("arguments:upload_sources", args=[private_map.slug]) in page
    assert 'src="/static/js/map-upload.js"' in page


# ---- from a document's page in the library -------------------------------------------------------


def test_a_source_page_lists_the_maps_the_user_edits_and_adds_it_to_one(client, owner, editor, private_map):
    other = make_map(editor, title="Editor's own map")
    viewed_only = make_map(owner, viewer=editor, title="Only viewed")
    source = make_source("Uploaded alone", added_by=editor)
    client.force_login(editor)
    page = client.get(source.get_absolute_url()).content.decode()
    assert f'<option value="{other.slug}">' in page and f'<option value="{private_map.slug}">' in page
    assert viewed_only.slug not in page
    response = client.post(reverse("add_source_to_map", args=[source.slug]), {"map": other.slug})
    assert response.status_code == 302 and response["Location"] == reader_url(other, source)
    assert MapSource.objects.filter(map=other, source=source).exists()
    page = client.get(source.get_absolute_url()).content.decode()
    assert f'<option value="{other.slug}">' not in page  # it is there already


def test_adding_to_a_map_one_only_views_is_refused(client, owner, editor):
    viewed_only = make_map(owner, viewer=editor, title="Only viewed")
    source = make_source("Uploaded alone", added_by=editor)
    client.force_login(editor)
    response = client.post(reverse("add_source_to_map", args=[source.slug]), {"map": viewed_only.slug})
    assert response.status_code == 403
    assert not MapSource.objects.filter(map=viewed_only).exists()


def test_a_user_with_no_map_to_edit_is_told_how_to_get_one(client, outsider):
    source = make_source("Uploaded alone", added_by=outsider)
    client.force_login(outsider)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "You edit none yet" in page and "create a map</a>" in page and "<select" not in page


def test_a_document_already_in_every_map_one_edits_says_so(client, private_map, owner):
    source = private_map.map_sources.get().source
    client.force_login(owner)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "already in every map you edit" in page and "<select" not in page


def test_the_source_page_costs_the_same_queries_however_many_maps_the_user_edits(client, editor):
    source = make_source("Uploaded alone", added_by=editor)
    client.force_login(editor)
    make_map(editor, title="One map")
    few = queries_for(client, source.get_absolute_url())
    for n in range(8):
        make_map(editor, title=f"Map {n}")
    assert queries_for(client, source.get_absolute_url()) == few == 4


def test_a_document_whose_own_title_is_too_long_is_still_added(client, private_map, editor):
    client.force_login(editor)
    html = b"<title>" + b"A very long title " * 40 + b"</title><p>Body.</p>"
    response = post_files(client, private_map, files(("long-title.html", html)), HTTP_ACCEPT="application/json")
    [result] = response.json()["results"]
    assert result["ok"] and len(Source.objects.get(original_name="long-title.html").title) == 500
