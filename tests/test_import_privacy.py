"""Imports (page, API, command) always make a private map owned by the importer, and never adopt a
source the importer could not already read."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from arguments import services
from arguments.exports.aif import import_aif
from arguments.exports.common import dumps
from arguments.exports.warrant_json import export_map, import_map
from arguments.models import ArgumentMap, Membership, Role, Visibility
from sources.models import Source

from .factories import cite, edit_text, grow_map, make_claim, make_map, make_source

pytestmark = pytest.mark.django_db

AIF_DATA = Path(__file__).parent / "data" / "aif"


@pytest.fixture
def public_export(owner, public_map) -> bytes:
    grow_map(public_map, make_source("Open reading", added_by=owner), claims=3, actor=owner)
    return dumps(export_map(public_map)).encode()


def imported_map(exclude) -> ArgumentMap:
    return ArgumentMap.objects.exclude(pk=exclude.pk).get()


# ------------------------------------------------------------------------------------- always private


def test_a_public_maps_export_imported_from_the_page_is_private(client, outsider, public_map, public_export):
    client.force_login(outsider)
    upload = SimpleUploadedFile("open.json", public_export)
    response = client.post(reverse("arguments:import"), {"file": upload}, follow=True)
    new_map = imported_map(public_map)
    assert new_map.visibility == Visibility.PRIVATE and new_map.created_by == outsider
    assert Membership.objects.get(map=new_map).role == Role.OWNER
    assert "The map is private until you share it." in response.content.decode()
    client.logout()
    assert client.get(new_map.get_absolute_url()).status_code == 404


def test_a_public_maps_export_imported_through_the_api_is_private(outsider, public_map, public_export):
    api = APIClient()
    api.force_authenticate(outsider)
    answer = api.post("/api/v1/imports/", {"file": SimpleUploadedFile("open.json", public_export)}, format="multipart")
    assert answer.status_code == 201
    assert answer.json()["map"]["visibility"] == "private"
    assert imported_map(public_map).visibility == Visibility.PRIVATE


def test_a_public_maps_export_imported_by_the_command_is_private(outsider, public_map, public_export, tmp_path):
    path = tmp_path / "open.json"
    path.write_bytes(public_export)
    out = StringIO()
    call_command("import_map", str(path), "--owner", outsider.username, stdout=out)
    assert imported_map(public_map).visibility == Visibility.PRIVATE
    assert "a private map owned by otto" in out.getvalue()


def test_an_aif_import_is_private_too(outsider):
    imported = import_aif(json.loads((AIF_DATA / "ova_wrapper.json").read_text(encoding="utf-8")), owner=outsider)
    assert imported.visibility == Visibility.PRIVATE


# ------------------------------------------------------------------------------ adopting no source


def test_an_import_matching_a_private_maps_source_makes_a_new_source(client, owner, outsider, private_map):
    source = private_map.sources.get()
    make_claim(private_map, "Thesis.", kind="thesis")
    cite(private_map, source, "Critics answer", owner)
    document = export_map(private_map)  # what an outsider could write, knowing the text and its details
    imported = import_map(document, owner=outsider)

    theirs = imported.sources.get()
    assert theirs.pk != source.pk and theirs.sha256 == source.sha256 and theirs.added_by == outsider
    assert imported.import_counts["sources_reused"] == 0
    passage = imported.evidence.get().passage
    assert passage.source_id == theirs.pk
    # Their edit changes their own source, and the private map's stays as it was.
    edit_text(imported, theirs, "Something else entirely.", outsider)
    assert Source.objects.get(pk=source.pk).text == document["sources"][0]["text"]
    client.force_login(outsider)
    assert client.get(reverse("sources:detail", args=[source.slug])).status_code == 404


def test_an_import_through_the_api_adopts_no_private_source(owner, outsider, private_map):
    make_claim(private_map, "Thesis.", kind="thesis")
    document = dumps(export_map(private_map)).encode()
    api = APIClient()
    api.force_authenticate(outsider)
    answer = api.post("/api/v1/imports/", {"file": SimpleUploadedFile("map.json", document)}, format="multipart")
    assert answer.status_code == 201 and answer.json()["counts"]["sources_reused"] == 0
    assert Source.objects.count() == 2


def test_an_import_reuses_a_source_the_importer_could_already_read(owner, outsider, public_map, public_export):
    imported = import_map(public_export, owner=outsider)
    assert imported.import_counts["sources_reused"] == 1
    assert imported.sources.get() == public_map.sources.get()


def test_an_import_reuses_the_importers_own_upload(owner):
    mine = make_map(owner, title="My seminar")
    source = make_source("My reading", added_by=owner)
    services.add_source(argument_map=mine, source=source, actor=owner)
    make_claim(mine, "Thesis.", kind="thesis")
    document = export_map(mine)
    mine.delete()  # the source stays in the library, with no map: readable only by who added it
    assert import_map(document, owner=owner).sources.get() == source


def test_a_reused_public_source_edited_by_the_importer_is_copied_for_them(owner, outsider, public_map, public_export):
    imported = import_map(public_export, owner=outsider)
    shared = imported.sources.get()
    before = Source.objects.get(pk=shared.pk).text
    result = edit_text(imported, shared, "The importer's own words.", outsider)
    assert result.copied_from == shared
    assert Source.objects.get(pk=shared.pk).text == before
    assert public_map.sources.get() == shared
