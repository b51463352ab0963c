"""Warrant suggests in the browser: similar claims appear while a reply is typed, and a suggested
passage is linked as evidence in one click on the claim page."""

import os
import re

import pytest
from playwright.sync_api import expect

from arguments.demo import load_demo
from arguments.models import Claim, Evidence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("WARRANT_SCREENSHOTS")  # a folder: the pages at 1366 and 390 px are saved there


def _log_in(page, live_server, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("demo-annotator")
    page.get_by_label("Password").fill("browser-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def _shoot(page, name, *, full_page=True, at=None):
    if not SHOTS:
        return
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if at is not None:
            at.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=full_page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_reply_like_an_existing_claim_brings_it_up_while_typing(live_server, page):
    demo = load_demo(password="browser-pass").map
    _log_in(page, live_server, f"/maps/{demo.slug}/")
    thesis = page.locator(".outline > .node.thesis").first
    thesis.locator("> details.respond > summary").click()
    form = thesis.locator("> details.respond form")
    field = form.get_by_label("New claim in reply to this one")
    field.press_sequentially("Vetoes held by rival great powers keep the Security Council frozen.", delay=5)

    hint = form.locator(".similar-claims")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("the same point, or its opposite?")
    gridlock = Claim.objects.get(map=demo, text__startswith="The Security Council is prone to paralysis")
    expect(hint.locator(f'a[href$="/claims/{gridlock.pk}/"]')).to_be_visible()
    _shoot(page, "similar-respond")


def test_an_annotator_finds_evidence_and_links_it_as_supporting(live_server, page):
    demo = load_demo(password="browser-pass").map
    claim = Claim.objects.filter(map=demo, kind="claim").order_by("pk").first()
    before = Evidence.objects.filter(claim=claim).count()
    _log_in(page, live_server, f"/maps/{demo.slug}/claims/{claim.pk}/")
    _shoot(page, "claim-page", full_page=False, at=page.locator("#find-evidence"))
    page.get_by_role("link", name="Find evidence in the sources").click()

    first = page.locator("li.suggestion").first
    expect(first).to_be_visible(timeout=60_000)  # the first use embeds the demo's sources
    expect(page.locator("#find-evidence")).to_contain_text("Similarity is not agreement")
    _shoot(page, "find-evidence")
    exact = first.locator("mark").inner_text()
    first.get_by_role("button", name="supports it").click()

    expect(first).to_contain_text("Evidence added")
    expect(page.locator("#evidence-heading")).to_contain_text(f"({before + 1})")
    expect(page.locator("#evidence .quote.supports", has_text=exact[:40])).to_be_visible()
    assert Evidence.objects.filter(claim=claim, stance="supports", passage__exact=exact).exists()
    # The page refreshes itself when the map changes (here: by this very link); the suggestions stay.
    shown = page.locator("li.suggestion").count()
    page.evaluate(
        """() => new Promise((done) => {
            document.addEventListener("htmx:afterSettle", done, { once: true });
            htmx.trigger("#claim-body", "warrant:refresh");
        })"""
    )
    expect(page.locator("li.suggestion")).to_have_count(shown)
    expect(first).to_contain_text("Evidence added")
    _shoot(page, "evidence-accepted")


def test_in_the_reader_a_similar_claim_can_be_used_instead(live_server, page):
    demo = load_demo(password="browser-pass").map
    source = demo.sources.order_by("pk").first()
    gridlock = Claim.objects.get(map=demo, text__startswith="The Security Council is prone to paralysis")
    url = f"/maps/{demo.slug}/sources/{source.slug}/annotate/"
    _log_in(page, live_server, url)
    field = page.locator("#annotate-claim-text")
    field.press_sequentially("Vetoes held by rival great powers keep the Security Council frozen.", delay=5)

    hint = page.locator("#similar-annotate .similar-claims")
    expect(hint).to_contain_text("the same point, or its opposite?")
    _shoot(page, "reader-hint", full_page=False, at=hint)
    hint.locator(f'[data-use-claim="{gridlock.pk}"]').click()

    expect(page.locator('input[name="mode"][value="link"]')).to_be_checked()
    choice = page.locator(f'#annotate-claim-list input[name="claim"][value="{gridlock.pk}"]')
    expect(choice).to_be_checked()
    expect(choice).to_be_visible()
    _shoot(page, "reader-use-instead", full_page=False, at=choice)


def test_an_editor_links_two_documents_claims_from_a_suggestion(live_server, page):
    demo = load_demo(password="browser-pass").map
    page.goto(f"{live_server.url}/accounts/login/?next=/maps/{demo.slug}/link-suggestions/")
    page.get_by_label("Username").fill("demo-editor")
    page.get_by_label("Password").fill("browser-pass")
    page.get_by_role("button", name="Log in").click()
    first = page.locator("li.suggestion").first
    expect(first).to_be_visible()
    _shoot(page, "link-suggestions")
    relations = demo.relations.count()
    first.get_by_role("button", name="as con (opposes)").click()
    expect(first).to_contain_text("Linked:")
    assert demo.relations.count() == relations + 1
