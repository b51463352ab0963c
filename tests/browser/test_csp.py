"""Every HTML page of the site in Chromium under the Content-Security-Policy, as the person it is for.

The pages are found by walking the URL patterns, as tests/test_role_matrix.py does (a URL without an
entry in its MATRIX fails there), on a map with something of every kind: claims, relations, evidence,
comments, an orphaned passage and an invitation. A page fails on any `securitypolicyviolation` event,
any console error, or any report that reaches the report endpoint (config/csp.py). htmx swaps and the
live refresh are exercised under the policy too. Runs with DEBUG off, as in production, where the
error pages carry the policy as well.
"""

import logging
import time

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from arguments import services
from arguments.access import Need
from arguments.models import Claim

from ..factories import edit_text, make_claim, quote
from ..test_role_matrix import ANONYMOUS, LOGIN, MATRIX, MEMBERS, PUBLIC, build_world, checked, url_names
from .helpers import GRAPH_READY, wait_for_live_mode
from .test_annotate import CHAR_BOXES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not HTML, or not a page: JSON, downloads, a stream, the report endpoint, POST-only actions.
NOT_PAGES = {"healthz", "csp_report", "arguments:events", "arguments:events_stream", "arguments:export_format"}
# Who looks at a page: the lowest role that may, so that each page is seen with what that role sees.
PERSONA = {Need.READ: "viewer", Need.ANNOTATE: "annotator", Need.EDIT: "editor", Need.MANAGE: "owner"}
PERSONA.update({PUBLIC: "anonymous", ANONYMOUS: "anonymous", LOGIN: "viewer", MEMBERS: "viewer"})

# Installed before any script of the page runs: every violation the page meets is kept.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => window.cspViolations.push(
  `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile || event.documentURI}` +
  `:${event.lineNumber} (${(event.sample || '').slice(0, 60)})`));
"""


@pytest.fixture
def world(settings, owner, editor, annotator, viewer, outsider):
    """The role matrix's map, public so that anonymous pages see it too, plus an orphaned passage."""
    settings.DEBUG = False
    world = build_world("public", owner, editor, annotator, viewer, outsider)
    source = world.map.sources.get()
    lost = "Critics answer that such coalitions lack accountability and legitimacy."
    quote(world.map, source, lost, Claim.objects.get(pk=world.ids["claim"]), owner, stance="opposes")
    source.refresh_from_db()
    edit_text(world.map, source, source.text.replace(lost, "Others disagree entirely."), owner)
    assert source.passages.filter(anchor_status="orphaned").exists()
    return world


@pytest.fixture
def csp_reports(caplog):
    caplog.set_level(logging.WARNING, logger="warrant.csp")
    return lambda: [record.getMessage() for record in caplog.records if record.name == "warrant.csp"]


@pytest.fixture
def visit(browser, live_server, world):
    """visit(persona, path): the page in a browser context signed in as that persona; what went wrong is kept."""
    contexts, problems = {}, []

    def context_for(who: str):
        if who not in contexts:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            if who != "anonymous":
                client = Client()
                client.force_login(world.people[who])
                cookie = client.cookies["sessionid"]
                context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
            context.add_init_script(RECORD_VIOLATIONS)
            contexts[who] = context
        return contexts[who]

    def visit(who: str, path: str):
        page = context_for(who).new_page()
        page.set_default_timeout(10_000)
        # Failed loads are checked by address below; the console repeats them without one.
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.text.startswith("Failed to load resource")
                and problems.append(f"{path}: {message.text}")
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"{path}: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and response.request.resource_type != "document"  # the page itself: its status is checked
                and not response.url.endswith("/favicon.ico")  # asked for by pages without an icon (admin)
                and problems.append(f"{path}: {response.status} for {response.url}")
            ),
        )
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        return page, response

    def violations(page) -> list[str]:
        return page.evaluate("window.cspViolations")

    visit.violations = violations
    visit.problems = problems
    yield visit
    for context in contexts.values():
        context.close()


def html_pages(world) -> list[tuple[str, str, str]]:
    """(name, persona, path) of every page a GET shows, from the URL patterns."""
    pages = []
    for name, _ in checked(url_names()):
        route = MATRIX[name]
        if name in NOT_PAGES or route.get not in PERSONA:
            continue
        pages.append((name, PERSONA[route.get], reverse(name, args=[world.ids[arg] for arg in route.args])))
    return pages


def test_every_html_page_runs_under_the_policy(visit, world, csp_reports):
    slug = world.map.slug
    pages = html_pages(world)
    assert len(pages) > 30 and {"arguments:source", "arguments:graph", "arguments:claim"} <= {n for n, _, _ in pages}
    pages += [
        ("arguments:source", "annotator", reverse("arguments:source", args=[slug, world.ids["source"]])),
        ("arguments:members", "owner", reverse("arguments:members", args=[slug])),
        ("arguments:map", "owner", reverse("arguments:map", args=[slug])),
        ("search results", "viewer", f"/maps/{slug}/search/?q=coalitions"),
        ("one side of the brief", "viewer", f"/maps/{slug}/brief/?side=against"),
        ("403 page", "viewer", f"/maps/{slug}/settings/"),
        ("404 page", "viewer", "/maps/no-such-map/"),
        ("API docs", "anonymous", "/api/docs/"),
        ("admin sign-in", "anonymous", "/admin/login/"),
    ]
    seen = {}
    for name, who, path in pages:
        page, response = visit(who, path)
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
        if page.locator("[data-live-map]").count():
            wait_for_live_mode(page)  # the page's modules have run
        if name == "arguments:graph":
            page.wait_for_function(GRAPH_READY)
        if name == "API docs":
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Warrant API")
        seen[f"{name} as {who} ({response.status})"] = visit.violations(page)
        page.close()

    assert {page: found for page, found in seen.items() if found} == {}
    assert visit.problems == []
    assert any("(404)" in page for page in seen) and any("(403)" in page for page in seen)
    time.sleep(1)  # reports are sent after the page's own requests
    assert csp_reports() == []


def test_a_violation_is_seen_by_the_page_and_reported_to_the_endpoint(visit, world, csp_reports):
    page, _ = visit("viewer", f"/maps/{world.map.slug}/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">Injected</p>')")
    page.wait_for_function("() => window.cspViolations.length > 0")
    assert visit.violations(page)[0].startswith("style-src-attr blocked inline")
    deadline = time.monotonic() + 10
    while not csp_reports() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert csp_reports() and "style-src-attr" in csp_reports()[0] and f"/maps/{world.map.slug}/" in csp_reports()[0]
    visit.problems.clear()  # the console says so too, as it should


def test_htmx_swaps_and_the_live_refresh_run_under_the_policy(visit, world, csp_reports, owner):
    slug, claim_id = world.map.slug, world.ids["claim"]
    outline, _ = visit("annotator", f"/maps/{slug}/")
    wait_for_live_mode(outline)
    # An htmx post with an out-of-band swap: a claim answered in place.
    outline.locator(f"#claim-{claim_id} details.respond > summary").first.click()
    outline.locator(f"#respond-text-{claim_id}").fill("Answered in place.")
    outline.locator(f"#respond-{claim_id}").get_by_role("button", name="Add claim").click()
    expect(outline.locator(f"#children-{claim_id}")).to_contain_text("Answered in place.")
    outline.locator("h1").click()
    # The live refresh: someone else's change is morphed into the outline.
    make_claim(world.map, "Someone else's claim.", actor=owner)
    expect(outline.locator("#map-body")).to_contain_text("Someone else's claim.", timeout=5_000)
    expect(outline.locator("#map-stats")).to_contain_text("4 claims")  # two, one answered in place, one live

    graph, _ = visit("viewer", f"/maps/{slug}/graph/")
    graph.wait_for_function(GRAPH_READY)
    graph.locator(f'#graph-list a[data-claim="{claim_id}"]').click()  # the summary comes through htmx
    expect(graph.locator("#claim-summary .summary-text")).to_have_text("A claim the owner wrote.")
    services.add_comment(claim=Claim.objects.get(pk=claim_id), actor=owner, body="Refresh the graph page.")
    services.create_claim(argument_map=world.map, actor=owner, text="One more for the graph.")
    expect(graph.locator("#graph-list")).to_contain_text("One more for the graph.", timeout=5_000)

    claim_page, _ = visit("annotator", f"/maps/{slug}/claims/{claim_id}/")
    claim_page.get_by_label("Comment").fill("A comment posted through htmx.")
    claim_page.get_by_role("button", name="Comment", exact=True).click()
    expect(claim_page.locator("#discussion")).to_contain_text("A comment posted through htmx.")

    # The reader: words selected with the mouse, annotated in the dialog (placed by script), swapped in by htmx.
    reader, _ = visit("annotator", reverse("arguments:source", args=[slug, world.ids["source"]]))
    box = reader.evaluate(CHAR_BOXES, "Coalitions of the willing act quickly")
    reader.mouse.move(box["x0"], box["y0"])
    reader.mouse.down()
    reader.mouse.move(box["x1"], box["y1"], steps=8)
    reader.mouse.up()
    reader.get_by_role("button", name="Annotate", exact=True).click()
    dialog = reader.get_by_role("dialog", name="Annotate this passage")
    dialog.get_by_label("Claim (stated by the passage)").fill("Coalitions are quick.")
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()
    expect(reader.locator("#annotation-list")).to_contain_text("Coalitions are quick.")

    for page in (outline, graph, claim_page, reader):
        assert visit.violations(page) == [], page.url
    assert visit.problems == []
    time.sleep(1)
    assert csp_reports() == []
