"""A visitor searches the demo map in a real browser and follows a hit into the text, at its place."""

import re

import pytest
from playwright.sync_api import expect

from arguments.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo(password="browser-pass").map


def test_a_source_hit_opens_the_reader_at_its_marked_place(live_server, page, demo):
    page.goto(f"{live_server.url}/maps/{demo.slug}/search/")
    page.get_by_role("searchbox").fill("Security Council gridlock")
    page.get_by_role("button", name="Search").click()
    first = page.locator("li.hit.source").first
    expect(first.locator("mark")).to_have_count(3)
    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/sources/[\w-]+/\?match=\d+-\d+#match$"))
    mark = page.locator("#match")
    expect(mark).to_be_in_viewport()
    expect(mark).to_have_text(re.compile(r"^Security"))
    expect(page.locator("mark.search-match")).to_have_text(["Security Council facing gridlock"])
