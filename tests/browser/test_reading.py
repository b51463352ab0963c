"""A visitor reads the demo map in a real browser: landing page → map outline → quote in the reader."""

import re

import pytest
from playwright.sync_api import expect

from arguments.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo(password="browser-pass").map


def test_visitor_follows_a_quote_from_the_outline_into_the_text(live_server, page, demo):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=re.compile("Open the demo map")).click()
    expect(page).to_have_url(re.compile(f"/maps/{demo.slug}/$"))
    expect(page.locator(".motion")).to_contain_text("coalitions of the willing")
    expect(page.locator(".rel.thesis").first).to_be_visible()
    assert page.locator(".rel.supports").count() > 0 and page.locator(".rel.opposes").count() > 0

    first_quote_link = page.locator(".quote cite a").first
    href = first_quote_link.get_attribute("href")
    passage_id = href.rsplit("#passage-", 1)[1]
    first_quote_link.click()
    expect(page).to_have_url(re.compile(rf"/sources/[\w-]+/#passage-{passage_id}$"))
    anchor = page.locator(f"#passage-{passage_id}")
    expect(anchor).to_be_attached()
    # The highlight right after the anchor is the passage, scrolled into view.
    highlight = page.locator(f"#passage-{passage_id} + mark")
    expect(highlight).to_be_in_viewport()
    assert passage_id in highlight.get_attribute("data-passages").split()


def test_outline_branches_fold_with_the_keyboard(live_server, page, demo):
    page.goto(f"{live_server.url}/maps/{demo.slug}/")
    first_branch = page.locator(".outline > .node > details").first
    expect(first_branch).to_have_attribute("open", "")
    summary = first_branch.locator("> summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(first_branch).not_to_have_attribute("open", "")
    page.keyboard.press("Enter")
    expect(first_branch).to_have_attribute("open", "")
