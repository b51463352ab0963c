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

    # Quotes come on demand: open the first thesis's quotes, then follow one into the text.
    page.locator(".outline > .node.thesis .quotes-toggle").first.click()
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
    """On a claim's link: ← closes its responses, → opens them again, ↓ goes to the first response,
    ← from there goes back up; a deeper level is fetched the first time → opens it."""
    page.goto(f"{live_server.url}/maps/{demo.slug}/")
    thesis = page.locator(".outline > .node.thesis").first
    responses = thesis.locator("> ul.children")
    expect(responses).to_be_visible()
    link = thesis.locator("> .claim-box .claim-text")
    link.focus()
    page.keyboard.press("ArrowLeft")
    expect(responses).to_be_hidden()
    expect(thesis.locator("> .claim-box .expander")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowRight")
    expect(responses).to_be_visible()
    page.keyboard.press("ArrowDown")
    first = responses.locator("> .node").first
    expect(first.locator("> .claim-box .claim-text")).to_be_focused()
    deeper = page.locator(".outline .children > .node:has(> .claim-box .expander)").first
    deeper.locator("> .claim-box .claim-text").focus()
    page.keyboard.press("ArrowRight")  # fetched with htmx the first time
    expect(deeper.locator("> ul.children > .node").first).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(deeper.locator("> ul.children")).to_be_hidden()
    page.keyboard.press("ArrowLeft")
    expect(thesis.locator("> .claim-box .claim-text")).to_be_focused()
