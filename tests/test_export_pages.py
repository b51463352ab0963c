"""The export pages and downloads (who may fetch what, content types, query counts) and the import page."""

import json
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments.exports import dot as dot_module
from arguments.exports import registry
from arguments.exports import views as export_views
from arguments.exports.aif_export import export_aif
from arguments.exports.common import dumps
from arguments.exports.registry import FORMATS
from arguments.exports.warrant_json import export_map
from arguments.models import ArgumentMap, Claim, Event, Membership, Role

from .factories import grow_map, make_source

ROLES = ("owner", "editor", "annotator", "viewer")


def export_url(argument_map, fmt=None):
    if fmt is None:
        return reverse("arguments:export", args=[argument_map.slug])
    return reverse("arguments:export_format", args=[argument_map.slug, fmt])


@pytest.fixture
def grown_map(private_map, owner):
    grow_map(private_map, private_map.sources.first(), claims=6, actor=owner)
    return private_map


# Who may export


@pytest.mark.parametrize("role", ROLES)
def test_members_of_every_role_can_export(client, request, grown_map, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(export_url(grown_map))
    assert page.status_code == 200
    for fmt in FORMATS:
        assert export_url(grown_map, fmt.key) in page.content.decode()
    download = client.get(export_url(grown_map, "json"))
    assert download.status_code == 200
    assert "private" in download["Cache-Control"]


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_private_map_exports_are_invisible_to_non_members(client, request, grown_map, who):
    if who == "outsider":
        client.force_login(request.getfixturevalue("outsider"))
    assert client.get(export_url(grown_map)).status_code == 404
    for fmt in FORMATS:
        assert client.get(export_url(grown_map, fmt.key)).status_code == 404


def test_anyone_can_export_a_public_map(client, public_map, owner):
    grow_map(public_map, make_source("Open source"), claims=3, actor=owner)
    assert client.get(export_url(public_map)).status_code == 200
    response = client.get(export_url(public_map, "argdown"))
    assert response.status_code == 200
    assert "[The thesis under debate" in response.content.decode()


def test_unknown_format_and_unknown_map_are_404(client, owner, grown_map):
    client.force_login(owner)
    assert client.get(export_url(grown_map, "docx")).status_code == 404
    assert client.get(reverse("arguments:export_format", args=["no-such-map", "json"])).status_code == 404


def test_export_is_read_only(client, owner, grown_map):
    client.force_login(owner)
    assert client.post(export_url(grown_map, "json")).status_code == 405


# What each download is

EXPECTED_TYPES = {
    "json": "application/json",
    "aif": "application/json",
    "argdown": "text/plain",
    "graphml": "application/graphml+xml",
    "dot": "text/vnd.graphviz",
    "svg": "image/svg+xml",
    "csv": "application/zip",
    "markdown": "text/markdown",
    "pdf": "application/pdf",
    "webannotation": "application/ld+json",
    "bibtex": "application/x-bibtex",
    "csljson": "application/vnd.citationstyles.csl+json",
}


def test_every_format_is_described_and_typed():
    assert {fmt.key for fmt in FORMATS} == set(EXPECTED_TYPES)
    for fmt in FORMATS:
        assert fmt.description.endswith(")") or fmt.description.endswith(".")


@pytest.mark.parametrize("fmt", [fmt.key for fmt in FORMATS])
def test_each_download_has_its_content_type_and_file_name(client, owner, grown_map, fmt):
    client.force_login(owner)
    response = client.get(export_url(grown_map, fmt))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].split(";")[0] == EXPECTED_TYPES[fmt]
    extension = registry.FORMATS_BY_KEY[fmt].extension
    assert response["Content-Disposition"] == f'attachment; filename="{grown_map.slug}.{extension}"'
    assert len(response.content) > 0


def test_json_download_is_the_warrant_json_export(client, owner, grown_map):
    client.force_login(owner)
    document = json.loads(client.get(export_url(grown_map, "json")).content)
    assert document == json.loads(dumps(export_map(grown_map)))
    assert json.loads(client.get(export_url(grown_map, "aif")).content) == json.loads(dumps(export_aif(grown_map)))


def test_web_annotation_ids_use_the_requests_host(client, owner, grown_map, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "warrant.example"]
    client.force_login(owner)
    document = json.loads(client.get(export_url(grown_map, "webannotation"), HTTP_HOST="warrant.example").content)
    assert document["id"] == f"http://warrant.example/maps/{grown_map.slug}/export/webannotation/"
    assert all(item["id"].startswith("http://warrant.example/maps/") for item in document["first"]["items"])


@pytest.mark.parametrize("fmt", ["json", "csv", "webannotation", "graphml", "argdown", "dot"])
def test_export_query_count_does_not_grow_with_the_map(client, owner, private_map, fmt):
    client.force_login(owner)
    source = private_map.sources.first()
    grow_map(private_map, source, claims=3, actor=owner)
    with CaptureQueriesContext(connection) as small:
        assert client.get(export_url(private_map, fmt)).status_code == 200
    grow_map(private_map, source, claims=40, actor=owner)
    with CaptureQueriesContext(connection) as large:
        assert client.get(export_url(private_map, fmt)).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# SVG limits seen through the view


def test_svg_over_the_limit_gets_a_clear_page_pointing_to_dot(client, owner, grown_map, monkeypatch):
    monkeypatch.setattr(dot_module, "MAX_SVG_CLAIMS", 3)
    client.force_login(owner)
    response = client.get(export_url(grown_map, "svg"))
    assert response.status_code == 422
    text = response.content.decode()
    assert "up to 3" in text
    assert export_url(grown_map, "dot") in text


def test_svg_layout_timeout_is_a_503_with_a_hint(client, owner, grown_map, monkeypatch):
    def too_slow(args, **kwargs):
        raise subprocess.TimeoutExpired(args, kwargs["timeout"])

    monkeypatch.setattr(dot_module.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(dot_module.subprocess, "run", too_slow)
    client.force_login(owner)
    response = client.get(export_url(grown_map, "svg"))
    assert response.status_code == 503
    text = response.content.decode()
    assert "longer than" in text
    assert export_url(grown_map, "dot") in text


def test_export_page_says_when_svg_is_not_offered(client, owner, grown_map, monkeypatch):
    monkeypatch.setattr(export_views, "MAX_SVG_CLAIMS", 3)
    client.force_login(owner)
    text = client.get(export_url(grown_map)).content.decode()
    assert "Not available for this map" in text
    assert export_url(grown_map, "svg") not in text


# Import


def _upload(name: str, content: bytes | str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/json")


def _counts():
    return ArgumentMap.objects.count(), Claim.objects.count(), Event.objects.count(), Membership.objects.count()


def test_import_requires_login(client):
    response = client.get(reverse("arguments:import"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    response = client.post(reverse("arguments:import"), {"file": _upload("map.json", "{}")})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_import_page_shows_the_form(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("arguments:import"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_importing_warrant_json_makes_a_new_map_owned_by_the_user(client, owner, outsider, grown_map):
    document = dumps(export_map(grown_map))
    client.force_login(outsider)
    response = client.post(reverse("arguments:import"), {"file": _upload("seminar.json", document)}, follow=True)
    new_map = ArgumentMap.objects.exclude(pk=grown_map.pk).get()
    assert response.redirect_chain[-1][0] == new_map.get_absolute_url()
    assert Membership.objects.get(map=new_map).user == outsider
    assert Membership.objects.get(map=new_map).role == Role.OWNER
    assert new_map.claims.count() == grown_map.claims.count()
    assert "Imported" in response.content.decode()
    assert export_map(new_map)["claims"] == export_map(grown_map)["claims"]


def test_importing_aif_uses_the_given_title(client, outsider, grown_map):
    client.force_login(outsider)
    upload = _upload("analysis.json", dumps(export_aif(grown_map)))
    response = client.post(reverse("arguments:import"), {"file": upload, "title": "From OVA"})
    new_map = ArgumentMap.objects.get(title="From OVA")
    assert response.status_code == 302 and response["Location"] == new_map.get_absolute_url()
    assert new_map.claims.count() == grown_map.claims.count()


@pytest.mark.parametrize(
    "content, message",
    [
        ("this is not json", "not valid JSON"),
        ('{"hello": "world"}', "neither a Warrant JSON document"),
        ('{"schema_version": 1, "claims": "nope"}', "could not be imported"),
        ('{"nodes": [{"nodeID": 1, "type": "I", "text": "x"}], "edges": [{"fromID": 1, "toID": 99}]}', "99"),
    ],
)
def test_a_broken_file_is_explained_beside_the_field_and_writes_nothing(client, outsider, content, message):
    client.force_login(outsider)
    before = _counts()
    response = client.post(reverse("arguments:import"), {"file": _upload("broken.json", content)})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["file"] and message in " ".join(form.errors["file"])
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert _counts() == before


def test_an_oversized_file_is_refused_before_reading(client, outsider, monkeypatch):
    monkeypatch.setattr(export_views, "MAX_IMPORT_BYTES", 100)
    client.force_login(outsider)
    before = _counts()
    response = client.post(reverse("arguments:import"), {"file": _upload("big.json", "{" + " " * 200 + "}")})
    assert response.status_code == 200
    assert "the limit is" in " ".join(response.context["form"].errors["file"])
    assert _counts() == before
