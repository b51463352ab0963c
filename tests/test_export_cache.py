"""Downloads are built once per revision of the map and answered 304 when the caller already has them."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments.exports import registry
from arguments.exports import views as export_views

from .factories import grow_map, make_claim

FORMATS = [fmt.key for fmt in registry.FORMATS]


def export_url(argument_map, fmt: str) -> str:
    return reverse("arguments:export_format", args=[argument_map.slug, fmt])


def api_export_url(argument_map, fmt: str) -> str:
    return reverse("api:export", args=[argument_map.slug, fmt])


@pytest.fixture
def grown_map(private_map, owner):
    grow_map(private_map, private_map.sources.first(), claims=6, actor=owner)
    return private_map


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def count_builds(monkeypatch) -> list[str]:
    """Record each time an exporter really runs (the cache is bypassed)."""
    built: list[str] = []
    formats = []
    for fmt in registry.FORMATS:

        def build(m, base, _fmt=fmt):
            built.append(_fmt.key)
            return _fmt.build(m, base)

        formats.append(registry.ExportFormat(**{**fmt.__dict__, "build": build}))
    monkeypatch.setattr(export_views, "FORMATS_BY_KEY", {fmt.key: fmt for fmt in formats})
    return built


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_second_download_of_the_same_revision_is_not_built_again(owner_client, grown_map, monkeypatch, fmt):
    built = count_builds(monkeypatch)
    first = owner_client.get(export_url(grown_map, fmt))
    second = owner_client.get(export_url(grown_map, fmt))
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert built == [fmt]


@pytest.mark.parametrize("fmt", ["json", "svg", "csv"])
def test_a_caller_with_the_current_file_gets_304_without_a_body(owner_client, grown_map, monkeypatch, fmt):
    etag = owner_client.get(export_url(grown_map, fmt))["ETag"]
    built = count_builds(monkeypatch)
    answer = owner_client.get(export_url(grown_map, fmt), HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 304
    assert answer.content == b""
    assert answer["ETag"] == etag
    assert built == []


def test_any_change_to_the_map_gives_a_new_file(owner_client, grown_map, owner):
    first = owner_client.get(export_url(grown_map, "json"))
    make_claim(grown_map, "Coalitions need an exit strategy.", actor=owner)
    second = owner_client.get(export_url(grown_map, "json"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    texts = [claim["text"] for claim in json.loads(second.content)["claims"]]
    assert "Coalitions need an exit strategy." in texts


def test_editing_a_sources_citation_in_the_library_gives_a_new_file(owner_client, grown_map):
    first = owner_client.get(export_url(grown_map, "json"))
    source = grown_map.sources.first()
    source.title = "A corrected title"
    source.save()
    second = owner_client.get(export_url(grown_map, "json"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "A corrected title" in second.content.decode()


def test_each_format_and_each_site_address_has_its_own_etag(owner_client, grown_map):
    etags = {owner_client.get(export_url(grown_map, fmt))["ETag"] for fmt in ("json", "aif", "graphml")}
    assert len(etags) == 3
    here = owner_client.get(export_url(grown_map, "webannotation"))
    elsewhere = owner_client.get(export_url(grown_map, "webannotation"), HTTP_HOST="127.0.0.1")
    assert here["ETag"] != elsewhere["ETag"]
    assert b"http://127.0.0.1/" in elsewhere.content
    assert b"http://127.0.0.1/" not in here.content


def test_an_outsider_with_a_stolen_etag_still_gets_404(client, grown_map, owner, outsider):
    client.force_login(owner)
    etag = client.get(export_url(grown_map, "json"))["ETag"]
    client.force_login(outsider)
    assert client.get(export_url(grown_map, "json"), HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_private_downloads_stay_out_of_shared_caches_and_are_revalidated(owner_client, grown_map, public_map):
    private = owner_client.get(export_url(grown_map, "json"))
    assert "private" in private["Cache-Control"] and "no-cache" in private["Cache-Control"]
    public = owner_client.get(export_url(public_map, "json"))
    assert "private" not in public["Cache-Control"] and "no-cache" in public["Cache-Control"]


def test_the_api_download_shares_the_cache_and_answers_304(owner_client, grown_map, monkeypatch):
    page = owner_client.get(export_url(grown_map, "aif"))
    built = count_builds(monkeypatch)
    api = owner_client.get(api_export_url(grown_map, "aif"))
    assert api.status_code == 200
    assert api.content == page.content
    assert owner_client.get(api_export_url(grown_map, "aif"), HTTP_IF_NONE_MATCH=api["ETag"]).status_code == 304
    assert built == []


@pytest.mark.parametrize("claims", [3, 30])
def test_a_cached_download_costs_the_same_few_queries_at_any_size(owner_client, private_map, owner, claims):
    grow_map(private_map, private_map.sources.first(), claims=claims, actor=owner)
    owner_client.get(export_url(private_map, "json"))
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(export_url(private_map, "json")).status_code == 200
    # session, user, the map with the caller's role, and the sources' count and newest edit: none reads the claims
    assert len(queries) == 4


def test_a_failed_svg_is_not_cached(owner_client, grown_map, monkeypatch):
    from arguments.exports import dot

    monkeypatch.setattr(dot, "MAX_SVG_CLAIMS", 1)
    refused = owner_client.get(export_url(grown_map, "svg"))
    assert refused.status_code == 422
    monkeypatch.undo()
    assert owner_client.get(export_url(grown_map, "svg")).status_code == 200
