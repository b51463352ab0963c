"""The graph page in a real browser: the demo map drawn, a node clicked, a claim chosen from the list by keyboard,
parts of the tree opened and closed, a claim found by its words, a wide fan-out wrapped, a big map drawn."""

import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from arguments.demo import load_demo
from arguments.models import Claim, ClaimKind, Relation, Visibility
from tests.factories import make_claim, make_map, make_user

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


def first_level(argument_map) -> set[str]:
    """The theses and the claims hanging under them: what the graph opens with."""
    theses = set(Claim.objects.filter(map=argument_map, kind=ClaimKind.THESIS).values_list("id", flat=True))
    children = tree_children(argument_map)
    return {str(pk) for pk in theses | {c for thesis in theses for c in children.get(thesis, [])}}


def tree_children(argument_map) -> dict[int, list[int]]:
    """Claim id → the claims hanging under it: each claim but a thesis under the claim of its first relation."""
    theses = set(Claim.objects.filter(map=argument_map, kind=ClaimKind.THESIS).values_list("id", flat=True))
    children: dict[int, list[int]] = {}
    seen: set[int] = set()
    relations = Relation.objects.filter(map=argument_map).order_by("id")
    for source, target in relations.values_list("from_claim", "to_claim"):
        if source not in seen and source not in theses:
            children.setdefault(target, []).append(source)
        seen.add(source)
    return children


def tree_under(argument_map, top) -> set[int]:
    """`top` and every claim hanging under it."""
    children = tree_children(argument_map)
    found = [top.pk]
    for pk in found:
        found.extend(children.get(pk, []))
    return set(found)


# Each drawn node's box on screen and its label's font size there, in CSS pixels.
ON_SCREEN = """cy.nodes().map((node) => {
    const box = node.renderedBoundingBox({ includeLabels: false });
    return { id: node.id(), x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2,
             font: parseFloat(node.style("font-size")) * cy.zoom() };
  })"""


def test_opens_with_the_theses_and_their_first_level_legible(graph_page, demo):
    page = graph_page
    shown = {node["id"]: node for node in on_graph(page, ON_SCREEN)}
    assert set(shown) == first_level(demo)
    assert len(shown) < Claim.objects.filter(map=demo).count()  # the deeper levels wait to be opened
    width, height = on_graph(page, "[cy.width(), cy.height()]")
    for thesis in Claim.objects.filter(map=demo, kind=ClaimKind.THESIS):
        box = shown[str(thesis.pk)]
        assert box["x1"] >= 0 and box["x2"] <= width and box["y1"] >= 0 and box["y2"] <= height, thesis.text
    assert min(node["font"] for node in shown.values()) >= 10  # every label at least 10 px on screen
    # Every relation drawn points up the page, from a claim to the one it bears on.
    downward = "cy.edges().filter((e) => !e.data('cross') && e.source().position('y') <= e.target().position('y'))"
    assert on_graph(page, f"{downward}.length") == 0
    expect(page.locator("#graph-controls")).to_be_visible()
    expect(page.locator(".graph-fallback")).to_have_count(0)
    expect(page.locator("#graph")).to_have_attribute("role", "application")
    expect(page.locator("#graph-note")).to_contain_text(f"Showing {len(shown)} of")


def test_zoom_to_fit_keeps_the_first_view_legible(graph_page):
    page = graph_page
    page.get_by_role("button", name="Zoom to fit").click()
    assert min(node["font"] for node in on_graph(page, ON_SCREEN)) >= 8


def test_a_claim_opens_and_closes_with_the_keyboard_and_the_buttons(graph_page, demo):
    page = graph_page
    shown = {node["id"] for node in on_graph(page, ON_SCREEN)}
    children = tree_children(demo)
    plain = Claim.objects.filter(map=demo, kind=ClaimKind.CLAIM).order_by("id")
    closed = next(c for c in plain if str(c.pk) in shown and c.pk in children)
    under = {str(pk) for pk in children[closed.pk]}
    assert not under & shown
    # Select it from the list (the keyboard's way in), then open it from the drawing with Enter.
    page.locator(f'#graph-list a[data-claim="{closed.pk}"]').click()
    expect(page.locator("#claim-summary .summary-text")).to_have_text(closed.text)
    page.locator("#graph").focus()
    page.keyboard.press("Enter")
    wait_for_graph(page, f"cy.$id('{next(iter(under))}').nonempty()")
    expect(page.get_by_role("button", name="Close this claim")).to_have_attribute("aria-expanded", "true")
    # A screen reader hears where the keyboard is, in the site's own verdict words.
    expect(page.locator("#graph-announce")).to_contain_text(f"{len(under)} under it, open")
    expect(page.locator("#graph-announce")).to_contain_text(closed.text[:30])
    assert under <= {n["id"] for n in on_graph(page, ON_SCREEN)}
    page.keyboard.press("ArrowDown")  # into the claims under it
    assert on_graph(page, "cy.$(':selected').id()") in under
    page.keyboard.press("ArrowUp")
    assert on_graph(page, "cy.$(':selected').id()") == str(closed.pk)
    page.get_by_role("button", name="Close this claim").click()
    wait_for_graph(page, f"cy.$id('{next(iter(under))}').empty()")
    expect(page.get_by_role("button", name="Open this claim")).to_have_attribute("aria-expanded", "false")
    page.get_by_role("button", name="Open every level").click()
    wait_for_graph(page, f"cy.nodes().length === {Claim.objects.filter(map=demo).count()}")
    page.get_by_role("button", name="First level only").click()
    wait_for_graph(page, f"cy.nodes().length === {len(shown)}")


def test_only_a_claims_neighbours(graph_page, demo):
    page = graph_page
    claim = Claim.objects.filter(map=demo, kind=ClaimKind.CLAIM, incoming__isnull=False).order_by("id").first()
    rows = Relation.objects.filter(map=demo)
    around = {str(claim.pk)} | {str(pk) for pk in rows.filter(from_claim=claim).values_list("to_claim", flat=True)}
    around |= {str(pk) for pk in rows.filter(to_claim=claim).values_list("from_claim", flat=True)}
    page.locator(f'#graph-list a[data-claim="{claim.pk}"]').click()
    page.get_by_role("button", name="Only its neighbours").click()
    wait_for_graph(page, f"cy.nodes().length === {len(around)}")
    assert {n["id"] for n in on_graph(page, ON_SCREEN)} == around
    expect(page.locator("#graph-note")).to_contain_text("with the claims it bears on")
    page.get_by_role("button", name="Back to the tree").click()
    wait_for_graph(page, f"cy.nodes().length !== {len(around)}")


def test_find_a_claim_by_its_words(graph_page, demo):
    page = graph_page
    shown = {node["id"] for node in on_graph(page, ON_SCREEN)}
    hidden = next(c for c in Claim.objects.filter(map=demo).order_by("-id") if str(c.pk) not in shown)
    words = " ".join(hidden.text.split()[1:4]).upper()  # words from the middle, in another case
    page.get_by_label("Find a claim", exact=True).fill(words)
    page.get_by_label("Find a claim", exact=True).press("Enter")
    wait_for_graph(page, f"cy.$id('{hidden.pk}').selected()")
    node = next(n for n in on_graph(page, ON_SCREEN) if n["id"] == str(hidden.pk))
    width, height = on_graph(page, "[cy.width(), cy.height()]")
    assert node["x1"] >= 0 and node["x2"] <= width and node["y1"] >= 0 and node["y2"] <= height
    assert node["font"] >= 10
    expect(page.locator("#graph-find-status")).to_contain_text("match")
    expect(page.locator("#claim-summary .summary-text")).to_have_text(hidden.text)
    page.get_by_label("Find a claim", exact=True).fill("zzzz nowhere")
    page.get_by_label("Find a claim", exact=True).press("Enter")
    expect(page.locator("#graph-find-status")).to_have_text("No claim has the words “zzzz nowhere”.")


def open_graph(live_server, page, argument_map) -> None:
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/maps/{argument_map.slug}/graph/")
    page.wait_for_function(GRAPH_READY, timeout=30_000)
    assert errors == []


def test_a_wide_fan_out_wraps_into_rows(live_server, page):
    owner = make_user()
    argument_map = make_map(owner, visibility=Visibility.PUBLIC)
    thesis = make_claim(argument_map, "The motion under debate.", kind=ClaimKind.THESIS, actor=owner)
    replies = Claim.objects.bulk_create(
        Claim(map=argument_map, text=f"Reply number {i} to the motion", created_by=owner) for i in range(39)
    )
    Relation.objects.bulk_create(
        Relation(map=argument_map, from_claim=c, to_claim=thesis, kind="supports", created_by=owner) for c in replies
    )
    open_graph(live_server, page, argument_map)
    tops = on_graph(page, "cy.nodes('[kind = \"claim\"]').map((n) => Math.round(n.position('y')))")
    assert len(tops) == 39
    rows = {y: tops.count(y) for y in set(tops)}
    assert max(rows.values()) <= 8 and len(rows) >= 5
    assert min(node["font"] for node in on_graph(page, ON_SCREEN)) >= 10


def test_a_thousand_claims_draw_in_good_time(live_server, page):
    """A sanity bound only; bench/graph_browser.py measures the real figure."""
    owner = get_user_model().objects.create_user("big-owner")
    argument_map = make_map(owner, visibility=Visibility.PUBLIC)
    claims = Claim.objects.bulk_create(
        Claim(map=argument_map, kind="thesis" if i < 3 else "claim", text=f"Claim number {i}", created_by=owner)
        for i in range(1000)
    )
    Relation.objects.bulk_create(
        Relation(
            map=argument_map, from_claim=claims[i], to_claim=claims[(i - 3) // 4], kind="opposes", created_by=owner
        )
        for i in range(3, 1000)
    )
    started = time.monotonic()
    open_graph(live_server, page, argument_map)
    assert time.monotonic() - started < 15
    assert 3 < on_graph(page, "cy.nodes().length") < 100  # the first level, not the whole map
    page.get_by_label("Find a claim", exact=True).fill("Claim number 999")
    page.get_by_label("Find a claim", exact=True).press("Enter")
    wait_for_graph(page, f"cy.$id('{claims[999].pk}').selected()")
    assert on_graph(page, "cy.nodes().length") < 100  # only the path down to it was opened
    page.get_by_role("button", name="Open every level").click()
    wait_for_graph(page, "cy.nodes().length === 1000", timeout=30_000)
    # Opened in full, the map is a block of about the canvas's shape, not a thin line.
    spread = on_graph(
        page,
        """(() => {
        const xs = cy.nodes().map((n) => n.position("x")), ys = cy.nodes().map((n) => n.position("y"));
        return (Math.max(...xs) - Math.min(...xs)) / (Math.max(...ys) - Math.min(...ys));
      })()""",
    )
    assert 0.4 < spread < 4


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
    first = {node["id"] for node in on_graph(page, ON_SCREEN)}
    thesis = Claim.objects.filter(map=demo, kind="thesis").order_by("id").last()
    page.get_by_label("Focus on thesis").select_option(str(thesis.pk))
    wait_for_graph(page, f"cy.nodes().length < {len(first)}")
    shown = {node["id"] for node in on_graph(page, ON_SCREEN)}
    assert str(thesis.pk) in shown and shown < first
    expect(page.locator("#graph-list li:visible")).to_have_count(len(tree_under(demo, thesis)))
    expect(page.locator("#graph-note")).to_contain_text(f"Showing {len(shown)} of {total} claims")
    page.get_by_role("button", name="Zoom to fit").click()
    page.get_by_label("Focus on thesis").select_option("")
    wait_for_graph(page, f"cy.nodes().length === {len(first)}")
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
