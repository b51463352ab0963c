"""The status page (words for people, JSON for scripts) and the user documentation served as pages."""

import os

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

from config import docs

pytestmark = pytest.mark.django_db


def test_the_footer_links_to_the_status_page_and_the_docs(client):
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("status")}">Status</a>' in page
    assert f'href="{reverse("docs")}">Help</a>' in page


def test_the_status_page_says_in_words_what_works(client):
    response = client.get(reverse("status"), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Everything is working." in page
    assert "OK — SQLite is answering." in page or "OK — PostgreSQL is answering." in page
    assert "Warrant 0.1.0" in page


def test_scripts_get_json_from_the_same_url(client):
    for headers, query in (({"HTTP_ACCEPT": "application/json"}, ""), ({}, "?format=json")):
        response = client.get(reverse("status") + query, **headers)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        body = response.json()
        assert body["status"] == "ok" and body["version"] == "0.1.0"
        assert body["database"]["ok"] is True and body["cache"]["ok"] is True
    assert "Accept" in response["Vary"]


def test_healthz_stays_plain_json_for_load_balancers(client):
    response = client.get("/healthz")
    assert response.json()["status"] == "ok"


def test_a_database_that_does_not_answer_is_reported_as_503(client, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr("config.status.connection.cursor", broken)
    page = client.get(reverse("status"))
    assert page.status_code == 503 and "Something is not working." in page.content.decode()
    assert "connection refused" in page.content.decode()
    data = client.get(reverse("status"), HTTP_ACCEPT="application/json")
    assert data.status_code == 503 and data.json()["status"] == "error"


def test_a_cache_that_does_not_answer_is_degraded_not_down(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},  # keeps nothing: reads come back empty
    }
    response = client.get(reverse("status"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert "Working, but slower than usual." in client.get(reverse("status")).content.decode()


# ---- documentation ----------------------------------------------------------------------------------


def test_the_docs_index_lists_every_user_doc(client):
    page = client.get(reverse("docs")).content.decode()
    for name in docs.USER_DOCS:
        assert f'href="{reverse("doc", args=[name])}"' in page
    assert "/docs/performance/" not in page


@pytest.mark.parametrize("name", list(docs.USER_DOCS))
def test_each_user_doc_renders_as_a_page(client, name):
    response = client.get(reverse("doc", args=[name]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>" in page and "<script" not in page.split('<main id="main"', 1)[1].split("</main>")[0]


def test_the_exports_doc_has_tables_anchors_and_links_between_docs(client):
    page = client.get(reverse("doc", args=["exports"])).content.decode()
    assert '<h2 id="csv-tables">CSV tables</h2>' in page
    api = client.get(reverse("doc", args=["api"])).content.decode()
    assert '<a href="/docs/search/"' in api and "<table>" in api


def test_docs_not_meant_for_users_and_unknown_names_are_404(client):
    for name in ("performance", "live-updates", "nothing-here", "..%2Fsettings"):
        assert client.get(f"/docs/{name}/").status_code == 404


def test_raw_html_and_script_links_in_a_doc_are_neutralised(settings, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "reader.md").write_text(
        "# Title <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) and [fine](https://example.org)\n",
        encoding="utf-8",
    )
    settings.BASE_DIR = tmp_path
    title, html = docs.render_doc("reader")
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">fine</a>' in html


def test_pages_that_mention_docs_link_to_them(client, public_map):
    page = client.get(reverse("arguments:export", args=[public_map.slug])).content.decode()
    assert f'href="{reverse("doc", args=["exports"])}"' in page and "docs/exports.md" not in page


def test_a_redis_cache_is_named_and_checked(client, settings):
    """With REDIS_URL set (as in production), the page checks the real Redis by a write and a read back."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (e.g. redis://127.0.0.1:6379/5)")
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "status-test"}
    settings.CACHES = {**settings.CACHES, "default": redis}
    body = client.get(reverse("status"), HTTP_ACCEPT="application/json").json()
    assert body["cache"] == {"ok": True, "name": "Redis", "detail": ""}
    settings.CACHES = {**settings.CACHES, "default": {**redis, "LOCATION": "redis://127.0.0.1:1/0"}}
    broken = client.get(reverse("status"))
    assert broken.status_code == 200 and "Not working (Redis)" in broken.content.decode()
