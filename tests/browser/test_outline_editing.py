"""An annotator answers a claim in place in the outline: the new claim appears without a reload."""

import re

import pytest
from playwright.sync_api import expect

from arguments.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_annotator_adds_an_objection_in_place(live_server, page, settings):
    settings.DEBUG = True
    demo = load_demo(password="browser-pass").map
    page.goto(f"{live_server.url}/accounts/login/?next=/maps/{demo.slug}/")
    page.get_by_label("Username").fill("demo-annotator")
    page.get_by_label("Password").fill("browser-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(f"/maps/{demo.slug}/$"))

    page.evaluate("window.notReloaded = true")
    thesis = page.locator(".outline > .node.thesis").first
    thesis.locator("> details.respond > summary").click()
    form = thesis.locator("> details.respond form")
    form.get_by_label("New claim in reply to this one").fill("A brand-new objection typed in the browser.")
    form.get_by_label("Opposes it").check()
    form.get_by_role("button", name="Add claim").click()

    new_node = thesis.locator("> ul.children > li.node", has_text="A brand-new objection typed in the browser.")
    expect(new_node).to_be_visible()
    expect(new_node.locator(".rel.opposes")).to_have_text("Con")
    assert page.evaluate("window.notReloaded") is True  # swapped in by htmx, no page load
    expect(form.get_by_label("New claim in reply to this one")).to_have_value("")
