"""API errors answer JSON, always: bodies that are not JSON objects, unknown URLs, wrong methods,
unhandled exceptions and a database that does not answer.

The database outages are real: the test points Django's connection at a database that cannot be
opened (a closed port on PostgreSQL, a missing folder on SQLite) and lets the request fail.
"""

import logging

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import path, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from api import urls as api_urls
from api.parsers import JSONObjectParser
from arguments import services
from arguments.models import Membership
from config import urls as site_urls

from .factories import make_claim, quote
from .live_support import free_port

BAD_BODIES = {"null": "null", "a number": "1", "a list": "[]", "a string": '"x"', "not JSON": "{text: 'x'"}
WRITE_METHODS = ("post", "put", "patch")


# ---- bodies that are not JSON objects, on every write endpoint


@pytest.fixture
def ids(private_map, owner, editor):
    """A real object of every kind in the private map, named as the API's URL patterns name them."""
    source = private_map.sources.get()
    claim, other = make_claim(private_map, "A claim.", actor=owner), make_claim(private_map, "Another.", actor=owner)
    relation = services.create_relation(
        argument_map=private_map, actor=owner, from_claim=other, to_claim=claim, kind="supports"
    )
    evidence = quote(private_map, source, "Critics answer", claim, owner)
    comment = services.add_comment(claim=claim, actor=owner, body="Why?")
    return {
        "slug": private_map.slug,
        "membership_id": Membership.objects.get(map=private_map, user=editor).pk,
        "source_slug": source.slug,
        "passage_id": evidence.passage_id,
        "claim_id": claim.pk,
        "relation_id": relation.pk,
        "evidence_id": evidence.pk,
        "comment_id": comment.pk,
        "export_format": "json",
    }


def methods_of(callback) -> set[str]:
    """The HTTP methods a routed view takes: a ViewSet's from its actions, an APIView's from its handlers."""
    actions = getattr(callback, "actions", None)  # a ViewSet routed by a router: {"post": "create", …}
    if actions:
        return set(actions)
    return {method for method in ("get", "post", "put", "patch", "delete") if hasattr(callback.cls, method)}


def write_endpoints() -> list:
    """(URL pattern, method) for every method other than DELETE that an endpoint in api/urls.py takes."""
    return [
        pytest.param(pattern, method, id=f"{method.upper()} {pattern.pattern}")
        for pattern in api_urls.urlpatterns
        if hasattr(pattern.callback, "cls")
        for method in WRITE_METHODS
        if method in methods_of(pattern.callback)
    ]


def test_the_endpoints_checked_include_every_kind_of_write():
    checked = {(param.values[0].name, param.values[1]) for param in write_endpoints()}
    assert {("source-list", "post"), ("claim-detail", "put"), ("claim-detail", "patch"), ("token", "post")} <= checked


def takes_json(view) -> bool:
    return any(parser.media_type == "application/json" for parser in view.parser_classes)


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "method"), write_endpoints())
@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_body_that_is_not_a_json_object_is_a_400_on_every_write_endpoint(ids, owner, settings, pattern, method, body):
    settings.WARRANT_RATE_LIMITS = {**settings.WARRANT_RATE_LIMITS, "write": "off"}
    api = APIClient()
    api.force_authenticate(owner)
    url = reverse(f"api:{pattern.name}", kwargs={name: ids[name] for name in pattern.pattern.converters})

    answer = getattr(api, method)(url, body, content_type="application/json", HTTP_IF_MATCH='"1"')

    if not takes_json(pattern.callback.cls):
        assert answer.status_code == 415, "an endpoint that takes no JSON says so"
        return
    assert answer.status_code == 400, (url, answer.status_code, answer.content[:200])
    detail = answer.json()["detail"]
    if body == BAD_BODIES["not JSON"]:
        assert detail.startswith("JSON parse error")
    else:
        assert detail.startswith("The request body must be a JSON object"), detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "kind"), [("null", "null"), ("3", "a number"), ('"olga"', "a string"), ("[]", "a list")]
)
def test_the_message_says_what_came_instead_of_an_object(owner, private_map, body, kind):
    api = APIClient()
    api.force_authenticate(owner)
    answer = api.post(f"/api/v1/maps/{private_map.slug}/sources/", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {"detail": f'The request body must be a JSON object, such as {{"text": "…"}}, not {kind}.'}


def test_every_api_view_that_reads_json_refuses_bodies_that_are_not_objects():
    """A view that sets its own parser_classes must name api.parsers.JSONObjectParser, not DRF's JSONParser."""
    for pattern in api_urls.urlpatterns:
        view = getattr(pattern.callback, "cls", None)
        for parser in getattr(view, "parser_classes", []):
            if parser.media_type == "application/json":
                assert issubclass(parser, JSONObjectParser), f"{view.__name__} parses JSON with {parser.__name__}"


# ---- unknown URLs, wrong methods, unhandled exceptions


class Explodes(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("a bug in a DRF view")


def explodes(request):
    raise RuntimeError("a bug in a plain view")


urlpatterns = [
    path("api/test/drf-bug/", Explodes.as_view()),
    path("api/test/plain-bug/", explodes),
    path("test/plain-bug/", explodes),
    *site_urls.urlpatterns,
]
handler400, handler403 = site_urls.handler400, site_urls.handler403
handler404, handler500 = site_urls.handler404, site_urls.handler500


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404_and_an_unknown_page_is_not(client):
    answer = client.get("/api/v1/no-such-thing/")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "Nothing here. The API's endpoints are listed at /api/docs/."}
    assert client.get("/api/v1/maps/no-such-map/").json() == {"detail": "No such map."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_wrong_method_is_a_json_405(owner):
    api = APIClient()
    api.force_authenticate(owner)
    answer = api.delete("/api/v1/maps/")
    assert answer.status_code == 405 and answer.json() == {"detail": 'Method "DELETE" not allowed.'}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/api/test/drf-bug/", "/api/test/plain-bug/"], ids=["DRF view", "plain view"])
def test_an_unhandled_exception_under_the_api_is_a_json_500_and_is_logged(url, caplog):
    browser = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        answer = browser.get(url)
    assert answer.status_code == 500 and answer["Content-Type"] == "application/json"
    assert answer.json() == {
        "detail": "Something went wrong on the server while answering this request. It has been logged."
    }
    logged = [record for record in caplog.records if record.name == "django.request"]
    assert len(logged) == 1 and logged[0].exc_info[1].args[0].startswith("a bug in a"), "once, with its traceback"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_unhandled_exception_on_a_page_keeps_the_html_error_page():
    page = Client(raise_request_exception=False).get("/test/plain-bug/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


# ---- a database that does not answer


@pytest.fixture
def database_down():
    """Point this thread's connection at a database that cannot be opened, and back afterwards."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/warrant.sqlite3"
    else:
        connection.settings_dict["PORT"] = str(free_port())  # nothing listens there
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_inside_an_api_view_is_a_json_503_with_retry_after(private_map, database_down):
    answer = Client(raise_request_exception=False).get("/api/v1/maps/")
    assert answer.status_code == 503 and answer["Content-Type"] == "application/json"
    assert answer["Retry-After"] == "10"
    assert answer.json()["detail"].startswith("The database is not answering just now")


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_before_any_api_view_runs_is_a_json_503_too(owner, request):
    """With a token, the write limiter looks the token up in middleware, before DRF sees the request."""
    token = Token.objects.create(user=owner)
    request.getfixturevalue("database_down")
    answer = Client(raise_request_exception=False).post(
        "/api/v1/maps/", {"title": "Down"}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert answer.status_code == 503 and answer["Retry-After"] == "10"
    assert answer.json()["detail"].startswith("The database is not answering just now")
