"""The OpenAPI schema validates, the docs page loads only local assets, and fuzzing finds no server error."""

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from arguments import services
from config.wsgi import application

from .factories import grow_map


def test_the_schema_validates_without_warnings(tmp_path):
    # --fail-on-warn also catches endpoints whose answers drf-spectacular could not describe.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/maps/{slug}/claims/{claim_id}/", "/api/v1/maps/{slug}/events/", "/api/v1/auth/token/"):
        assert f"{path}:" in text


def test_the_schema_is_served(client):
    answer = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert answer.status_code == 200
    assert answer.json()["openapi"].startswith("3.")
    assert "tokenAuth" in answer.json()["components"]["securitySchemes"]


def test_the_docs_page_loads_only_local_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in asset for asset in assets)
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by us"
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), f"{asset} is missing"
    assert "cdn" not in html.lower()


# ---- fuzzing with schemathesis, as the map's owner with a token, on a seeded map


@pytest.fixture
def seeded(db, private_map, owner):
    grow_map(private_map, private_map.sources.get(), claims=5, actor=owner)
    services.add_comment(claim=private_map.claims.first(), actor=owner, body="A comment.")
    return {"slug": private_map.slug, "token": Token.objects.create(user=owner).key, "map": private_map}


@pytest.fixture
def keep_test_connection():
    """Django closes the database connection when a WSGI request ends, which would close the test's
    transaction; its own test client suspends that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(seeded, keep_test_connection):
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    # The coverage phase sends every boundary case of every field (minutes here); random fuzzing
    # with a few examples per operation keeps the run well under a minute.
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_endpoint_answers_with_a_server_error(case, seeded, settings):
    settings.WARRANT_RATE_LIMITS = {**settings.WARRANT_RATE_LIMITS, "write": "off"}
    # Point most requests at the seeded map and its objects, so they go past the 404s.
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = seeded["slug"]
        owned = {
            "claim_id": seeded["map"].claims.values_list("pk", flat=True),
            "relation_id": seeded["map"].relations.values_list("pk", flat=True),
            "evidence_id": seeded["map"].evidence.values_list("pk", flat=True),
        }
        for name, ids in owned.items():
            if name in case.path_parameters and (first := ids.first()) is not None:
                case.path_parameters[name] = first
    response = case.call(headers={"Authorization": f"Token {seeded['token']}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
