"""Every page a person can reach, on a phone (390 px) and on a laptop (1366 px): none scrolls sideways,
and axe-core finds no serious or critical accessibility violation.

The pages come from the URL patterns, as in tests/browser/test_csp.py (a new page is checked without
being listed here), on the role matrix's map, each seen by the lowest role that may; then the demo map's
pages, whose real titles, quotes, URLs and tables are what overflows a narrow screen.

One crawl per module (one browser, one page per visitor, the database filled once); each page's test
then reads its findings, so a page fails under its own name. axe-core comes from tests/js (npm ci).
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from playwright.sync_api import expect

from arguments.demo import load_demo

from ..factories import make_user
from ..test_role_matrix import MATRIX, build_world, checked, url_names
from .helpers import GRAPH_READY
from .test_csp import NOT_PAGES, PERSONA

pytestmark = [pytest.mark.browser]

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1366)
# The WCAG A/AA rules and axe's best practices; only what breaks use (serious, critical) fails a page.
AXE_RUN = """async (skip) => {
  const result = await axe.run(document, {
    rules: Object.fromEntries(skip.map((rule) => [rule, {enabled: false}])),
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}"""
# What sticks out past the right edge, deepest elements first, to say where an overflow comes from.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && ![...el.children].some(
        (c) => c.getBoundingClientRect().right > width + 1)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.classList.length ? '.' + [...el.classList].join('.') : '');
      out.push(`${name} to ${Math.round(box.right)}`);
    }
  }
  return `${scroll} px wide: ${out.slice(0, 4).join(', ')}`;
}"""

# On a phone the header is one row (brand and Menu button) and a map's tabs one row that scrolls.
ONE_ROW = """() => {
  const problems = [];
  const header = document.querySelector('.site-header');
  if (header && header.getBoundingClientRect().height > 64) problems.push('the header takes more than one row');
  const tabs = [...document.querySelectorAll('.map-tabs a')].map((a) => Math.round(a.getBoundingClientRect().top));
  if (new Set(tabs).size > 1) problems.push('the map tabs wrap onto more than one row');
  return problems;
}"""

# Rules a page is let off, with why. Swagger UI (a vendored library) puts each operation's permalink
# inside the button that opens it; that markup is its own.
AXE_SKIP = {"API docs": ["nested-interactive"]}

EXTRA = [  # (label, persona, path or a function of the world and the demo map giving it)
    ("search results", "viewer", lambda w, d: f"/maps/{w.map.slug}/search/?q=claim"),
    ("403 page", "viewer", lambda w, d: f"/maps/{w.map.slug}/settings/"),
    ("404 page", "viewer", lambda w, d: "/maps/no-such-map/"),
    ("API docs", "anonymous", lambda w, d: "/api/docs/"),
    ("home signed in", "owner", lambda w, d: "/"),
    ("demo outline", "demo-owner", lambda w, d: f"/maps/{d.slug}/"),
    ("demo brief", "demo-owner", lambda w, d: f"/maps/{d.slug}/brief/"),
    ("demo search", "demo-owner", lambda w, d: f"/maps/{d.slug}/search/?q=coalitions"),
    ("demo export", "demo-owner", lambda w, d: f"/maps/{d.slug}/export/"),
    ("demo activity", "demo-owner", lambda w, d: f"/maps/{d.slug}/activity/"),
    ("demo members", "demo-owner", lambda w, d: f"/maps/{d.slug}/members/"),
    ("demo settings", "demo-owner", lambda w, d: f"/maps/{d.slug}/settings/"),
    ("demo add source", "demo-owner", lambda w, d: f"/maps/{d.slug}/add-source/"),
    ("demo graph", "demo-owner", lambda w, d: f"/maps/{d.slug}/graph/"),
    ("demo reader", "demo-owner", lambda w, d: f"/maps/{d.slug}/sources/{d.sources.order_by('pk')[0].slug}/"),
    (
        "demo edit text",
        "demo-owner",
        lambda w, d: f"/maps/{d.slug}/sources/{d.sources.order_by('pk')[0].slug}/edit-text/",
    ),
    ("demo history", "demo-owner", lambda w, d: f"/maps/{d.slug}/sources/{d.sources.order_by('pk')[0].slug}/history/"),
    ("demo claim", "demo-owner", lambda w, d: f"/maps/{d.slug}/claims/{d.claims.order_by('pk')[0].pk}/"),
    ("demo claim edit", "demo-owner", lambda w, d: f"/maps/{d.slug}/claims/{d.claims.order_by('pk')[0].pk}/edit/"),
    ("demo map list", "demo-owner", lambda w, d: "/maps/"),
    ("demo library", "demo-owner", lambda w, d: "/sources/"),
    ("demo source", "demo-owner", lambda w, d: f"/sources/{d.sources.order_by('pk')[0].slug}/"),
]


def url_pages() -> list[str]:
    """Names of the URL patterns that show a page on GET (as test_csp.html_pages finds them)."""
    return [
        name
        for name, _ in checked(url_names())
        if name not in NOT_PAGES and MATRIX[name].get in PERSONA and name != "csp_report"
    ]


def page_ids() -> list[str]:
    return list(dict.fromkeys(url_pages())) + [label for label, _, _ in EXTRA]


@pytest.fixture(scope="module")
def crawl(browser, live_server, django_db_setup, django_db_blocker):
    """{page: [what is wrong with it, per width]}, every page visited once at each width."""
    host = live_server.url.split("//")[1].split(":")[0]
    findings: dict[str, list[str]] = {}
    with django_db_blocker.unblock(), override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
        people = {role: make_user(f"a11y-{role}") for role in ("owner", "editor", "annotator", "viewer", "outsider")}
        world = build_world("public", *people.values())
        demo = load_demo(password="browser-pass").map
        people.update({member.user.username: member.user for member in demo.memberships.select_related("user")})
        pages = []
        for name in dict.fromkeys(url_pages()):
            route = MATRIX[name]
            pages.append((name, PERSONA[route.get], reverse(name, args=[world.ids[arg] for arg in route.args])))
        pages += [(label, who, path(world, demo)) for label, who, path in EXTRA]

        visitors = {}

        def tab_for(who: str):
            if who not in visitors:
                context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800}, bypass_csp=True)
                if who != "anonymous":
                    client = Client()
                    client.force_login(people[who])
                    cookie = client.cookies["sessionid"].value
                    context.add_cookies([{"name": "sessionid", "value": cookie, "domain": host, "path": "/"}])
                visitors[who] = context.new_page()
                visitors[who].set_default_timeout(10_000)
            return visitors[who]

        try:
            for name, who, path in pages:
                page = tab_for(who)
                problems = []
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    error_page = name in ("403 page", "404 page")
                    with override_settings(DEBUG=not error_page):
                        page.goto(f"{live_server.url}{path}")
                        page.wait_for_load_state("load")
                        if name in ("arguments:graph", "demo graph"):
                            page.wait_for_function(GRAPH_READY)
                        if name == "API docs":
                            page.wait_for_selector(".swagger-ui .info .title")
                        overflow = page.evaluate(OVERFLOW)
                        if overflow:
                            problems.append(f"{width} px: {overflow}")
                        if width < 640:
                            problems += [f"{width} px: {found}" for found in page.evaluate(ONE_ROW)]
                        page.add_script_tag(path=str(AXE))
                        problems += [f"{width} px: {found}" for found in page.evaluate(AXE_RUN, AXE_SKIP.get(name, []))]
                findings[name] = [f"{path} as {who}: {problem}" for problem in problems]
        finally:
            for page in visitors.values():
                page.context.close()
            call_command("flush", interactive=False, verbosity=0)
    return findings


@pytest.mark.parametrize(
    "name",
    page_ids(),
)
def test_page_fits_the_screen_and_has_no_serious_accessibility_violation(crawl, name):
    assert name in crawl, f"{name} was not visited"
    assert not crawl[name], "\n".join(crawl[name])


def test_the_crawl_reached_every_kind_of_page(crawl):
    assert len(crawl) > 45
    assert {"home", "login", "signup", "arguments:claim_edit", "sources:library", "API docs", "404 page"} <= set(crawl)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_header_folds_into_a_menu_that_the_keyboard_opens_and_closes(live_server, browser, settings):
    settings.DEBUG = True
    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)  # for axe's script
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Sources", exact=True)).to_be_hidden()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 64, "one row: the brand and the button"

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Maps", exact=True)).to_be_focused()
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN, []) == []  # the open menu too
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(page.get_by_role("link", name="Maps", exact=True)).to_be_hidden()

    page.set_viewport_size({"width": 1366, "height": 800})
    expect(toggle).to_be_hidden()
    expect(page.get_by_role("link", name="Sources", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()
    context.close()
