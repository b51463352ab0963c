"""The API docs page works in a real browser with nothing fetched from another host."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from arguments.models import Visibility
from tests.factories import make_map, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_lists_the_endpoints_and_tries_one(live_server, page):
    make_map(make_user("olga"), visibility=Visibility.PUBLIC, title="Open seminar")
    requests, failures = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failures.append(response.url))

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Warrant API")
    maps_list = page.locator("#operations-maps-v1_maps_list")
    expect(maps_list).to_be_visible()

    # Try the map list from the page itself, as an anonymous visitor: it shows the public map.
    maps_list.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".responses-wrapper .live-responses-table")).to_contain_text("open-seminar")

    hosts = {urlsplit(url).netloc for url in requests if not url.startswith("data:")}
    assert hosts == {urlsplit(live_server.url).netloc}
    assert failures == []
    assert any(re.search(r"/static/drf_spectacular_sidecar/swagger-ui-dist/", url) for url in requests)
