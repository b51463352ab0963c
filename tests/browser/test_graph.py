"""The graph page in a real browser: the demo map drawn, a node clicked, a claim chosen from the list by keyboard."""

import pytest
from playwright.sync_api import expect

from arguments.demo import load_demo
from arguments.models import Claim, Relation

from .helpers import GRAPH_READY, on_graph, wait_for_graph

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo(password="browser-pass").map


@pytest.fixture
def graph_page(live_server, page, demo):
    """The demo map's graph, drawn and laid out, with any script error collected."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/maps/{demo.slug}/graph/")
    page.wait_for_function(GRAPH_READY)
    yield page
    assert errors == []


# The first plain claim drawn well inside the visible part of the graph (the first view may not show all).
IN_VIEW_CLAIM = """cy.nodes('[kind = "claim"]').filter((node) => {
    const p = node.renderedPosition();
    return p.x > 60 && p.y > 40 && p.x < cy.width() - 60 && p.y < cy.height() - 40;
  })[0].id()"""


def click_node(page, claim_id: int) -> None:
    """Click a node where Cytoscape drew it: its rendered position inside the graph's container."""
    position = on_graph(page, "cy.$id(arg).renderedPosition()", str(claim_id))
    box = page.locator("#graph").bounding_box()
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])


def test_the_whole_map_is_drawn_top_down(graph_page, demo):
    page = graph_page
    assert on_graph(page, "cy.nodes().length") == Claim.objects.filter(map=demo).count()
    assert on_graph(page, "cy.edges().length") == Relation.objects.filter(map=demo).count()
    # Every relation points up the page, from a claim to the one it bears on (the layout is layered).
    upward = on_graph(page, "cy.edges().filter((e) => e.source().position('y') > e.target().position('y')).length")
    assert upward >= 0.9 * Relation.objects.filter(map=demo).count()
    expect(page.locator("#graph-controls")).to_be_visible()
    expect(page.locator(".graph-fallback")).to_have_count(0)
    expect(page.locator("#graph")).to_have_attribute("role", "img")  # a labelled picture once drawn


def test_clicking_a_node_opens_its_summary(graph_page, demo):
    page = graph_page
    claim = Claim.objects.get(pk=on_graph(page, IN_VIEW_CLAIM))
    click_node(page, claim.pk)
    expect(page.locator("#claim-summary .summary-text")).to_have_text(claim.text)
    expect(page.locator("#claim-summary .eval-badge")).to_be_visible()
    expect(page.locator("#claim-summary meter")).to_be_attached()
    assert on_graph(page, "cy.$id(arg).selected()", str(claim.pk))
    expect(page.locator(f'#graph-list a[data-claim="{claim.pk}"]')).to_have_attribute("aria-current", "true")
    full_page = page.locator("#claim-summary").get_by_role("link", name="Open the full claim page")
    expect(full_page).to_have_attribute("href", f"/maps/{demo.slug}/claims/{claim.pk}/")


def test_choosing_a_claim_from_the_list_with_the_keyboard(graph_page, demo):
    page = graph_page
    first, second = page.locator("#graph-list a[data-claim]").all()[:2]
    first.focus()
    page.keyboard.press("Tab")
    expect(second).to_be_focused()
    claim = Claim.objects.get(pk=second.get_attribute("data-claim"))
    url_before = page.url
    page.keyboard.press("Enter")
    heading = page.locator("#claim-summary .summary-text")
    expect(heading).to_have_text(claim.text)
    expect(heading).to_be_focused()  # the summary is announced where the reader now is
    assert page.url == url_before  # the summary came in place; no navigation
    assert on_graph(page, "cy.$id(arg).selected()", str(claim.pk))

    page.locator("#claim-summary [data-graph-back]").focus()
    page.keyboard.press("Enter")
    expect(second).to_be_focused()


def test_focus_on_a_thesis_then_back_to_all(graph_page, demo):
    page = graph_page
    total = Claim.objects.filter(map=demo).count()
    # The demo's second thesis opposes the first, so everything leads to the first; focus on the second.
    thesis = Claim.objects.filter(map=demo, kind="thesis").order_by("id").last()
    page.get_by_label("Focus on thesis").select_option(str(thesis.pk))
    # Cytoscape applies the hiding class to its styles lazily, so wait for the drawing to catch up.
    wait_for_graph(page, f"cy.nodes(':visible').length < {total}")
    shown = on_graph(page, "cy.nodes(':visible').length")
    assert shown > 1
    expect(page.locator("#graph-list li:visible")).to_have_count(shown)
    expect(page.locator("#graph-note")).to_contain_text(f"Showing {shown} of {total} claims")
    page.get_by_role("button", name="Zoom to fit").click()
    page.get_by_label("Focus on thesis").select_option("")
    wait_for_graph(page, f"cy.nodes(':visible').length === {total}")
    expect(page.locator("#graph-list li:visible")).to_have_count(total)


def test_without_javascript_the_list_still_leads_to_every_claim(live_server, browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/maps/{demo.slug}/graph/")
    expect(page.locator(".graph-fallback")).to_be_visible()
    expect(page.locator("#graph-controls")).to_be_hidden()  # controls that need the drawing stay out of the way
    links = page.locator("#graph-list a[data-claim]")
    expect(links).to_have_count(Claim.objects.filter(map=demo).count())
    first = links.first
    claim = Claim.objects.get(pk=first.get_attribute("data-claim"))
    first.click()
    expect(page.locator("#claim-text")).to_have_text(claim.text)  # the claim's own page
    context.close()
