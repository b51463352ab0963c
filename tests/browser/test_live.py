"""Two people, two browsers, one map: each sees the other's new claim and passage within 2 s, unreloaded.

The live server here is WSGI, so the pages follow the map by polling the event feed (the stream
answers 204); tests/test_live_multiprocess.py covers the SSE stream under uvicorn.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import expect

from arguments import services
from arguments.models import Claim, ClaimKind, Event, Evidence

from ..factories import make_claim, quote
from ..live_support import AppServer, Browser, database_url
from .helpers import GRAPH_READY, LIVE_MODE, on_graph, wait_for_graph, wait_for_live_mode
from .test_annotate import CHAR_BOXES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"  # tests/factories.make_user
WITHIN = 2_000  # milliseconds: the promise
FIRST_SENTENCE = "Coalitions of the willing act quickly when the Security Council is blocked."
SECOND_SENTENCE = "Critics answer that such coalitions lack accountability and legitimacy."


@pytest.fixture
def thesis(private_map, owner):
    return make_claim(private_map, "States should act through coalitions.", kind=ClaimKind.THESIS, actor=owner)


@pytest.fixture
def open_page(browser, live_server):
    contexts, errors = [], []

    def open_as(username: str, path: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/?next={path}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}{path}")
        wait_for_live_mode(page)
        page.evaluate("window.notReloaded = true")
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert errors == []  # no script failed along the way


def respond_in_outline(page, parent, text: str) -> None:
    node = page.locator(f"#claim-{parent.pk}")
    node.locator("details.respond > summary").first.click()
    page.locator(f"#respond-text-{parent.pk}").fill(text)
    page.locator(f"#respond-{parent.pk}").get_by_role("button", name="Add claim").click()
    expect(page.locator(f"#children-{parent.pk}")).to_contain_text(text)  # saved: the clock starts


def annotate_with_the_mouse(page, sentence: str, claim_text: str) -> Evidence:
    box = page.evaluate(CHAR_BOXES, sentence)
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=8)
    page.mouse.up()
    page.get_by_role("button", name="Annotate", exact=True).click()
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    dialog.get_by_label("Claim (stated by the passage)").fill(claim_text)
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()
    return Evidence.objects.select_related("passage").get(claim__text=claim_text)


def highlight_of(page, evidence: Evidence):
    return page.locator(f'#reader-doc mark.hl[data-passages~="{evidence.passage_id}"]')


def test_two_people_see_each_others_claims_and_passages_appear(open_page, private_map, thesis):
    outline = f"/maps/{private_map.slug}/"
    anna = open_page("anna", outline)
    eddie = open_page("eddie", outline)

    # Anna answers the thesis in the outline; Eddie's outline grows without a reload, with a notice.
    respond_in_outline(anna, thesis, "Coalitions answer to no one.")
    expect(eddie.locator(f"#children-{thesis.pk}")).to_contain_text("Coalitions answer to no one.", timeout=WITHIN)
    notice = eddie.locator("#live-notices .live-notice").filter(has_text="anna added the claim")
    expect(notice).to_contain_text("anna added the claim “Coalitions answer to no one.”", timeout=WITHIN)
    expect(eddie.locator("#map-stats")).to_contain_text("2 claims")

    # And the other way round.
    respond_in_outline(eddie, thesis, "Speed saves lives when the Council is blocked.")
    expect(anna.locator(f"#children-{thesis.pk}")).to_contain_text("Speed saves lives", timeout=WITHIN)
    expect(anna.locator("#live-notices")).to_contain_text("eddie added the claim", timeout=WITHIN)
    # Nobody is told about their own change.
    expect(anna.locator("#live-notices")).not_to_contain_text("anna added")

    # The notice can be dismissed from the keyboard.
    dismiss = notice.get_by_role("button", name="Dismiss this notice")
    dismiss.focus()
    eddie.keyboard.press("Enter")
    expect(notice).to_have_count(0)

    assert anna.evaluate("window.notReloaded") and eddie.evaluate("window.notReloaded")

    # In the reader: a passage annotated by one appears highlighted for the other.
    source = private_map.sources.get()
    reader = f"/maps/{private_map.slug}/sources/{source.slug}/"
    for page in (anna, eddie):
        page.goto(f"{page.url.split('/maps/')[0]}{reader}")
        wait_for_live_mode(page)
        page.evaluate("window.notReloaded = true")

    by_anna = annotate_with_the_mouse(anna, FIRST_SENTENCE, "Coalitions are quick.")
    expect(highlight_of(eddie, by_anna)).to_have_count(1, timeout=WITHIN)
    expect(eddie.locator("#annotation-list")).to_contain_text("Coalitions are quick.")
    expect(eddie.locator("#live-notices")).to_contain_text("anna added the claim “Coalitions are quick.”")

    by_eddie = annotate_with_the_mouse(eddie, SECOND_SENTENCE, "Critics doubt their accountability.")
    expect(highlight_of(anna, by_eddie)).to_have_count(1, timeout=WITHIN)
    expect(anna.locator("#live-notices")).to_contain_text("eddie linked a passage", timeout=WITHIN)
    assert anna.evaluate("window.notReloaded") and eddie.evaluate("window.notReloaded")
    assert Claim.objects.filter(map=private_map).count() == 5


def test_an_idle_page_polls_with_its_validators_and_is_answered_304_every_time(open_page, private_map, thesis):
    eddie = open_page("eddie", f"/maps/{private_map.slug}/")
    polls = []
    eddie.on(
        "response",
        lambda response: (
            "/events/?" in response.url
            and polls.append((response.url, response.status, response.request.headers.get("if-none-match")))
        ),
    )
    eddie.wait_for_timeout(3_500)  # about three polls, once a second

    newest = Event.objects.filter(map=private_map).latest("id").pk
    assert len(polls) >= 2
    assert {(url.split("?", 1)[1], status) for url, status, _ in polls} == {(f"after={newest}", 304)}
    # The first 304 carried the ETag; every later poll sends it back.
    assert {validator for _, _, validator in polls[1:]} == {f'"{private_map.pk}.{newest}"'}


def test_someone_typing_keeps_their_words_while_the_page_catches_up(open_page, private_map, thesis, annotator):
    eddie = open_page("eddie", f"/maps/{private_map.slug}/")
    eddie.locator(f"#claim-{thesis.pk} details.respond > summary").first.click()
    field = eddie.locator(f"#respond-text-{thesis.pk}")
    field.fill("Half a thought")  # focused, unsaved

    make_claim(private_map, "Meanwhile, a new claim.", actor=annotator)
    expect(eddie.locator("#live-notices")).to_contain_text("anna added the claim", timeout=WITHIN)
    eddie.wait_for_timeout(500)
    # The swap waits while he types: his words and his focus stay where they are.
    expect(field).to_have_value("Half a thought")
    expect(field).to_be_focused()
    expect(eddie.locator("#map-body")).not_to_contain_text("Meanwhile, a new claim.")

    # Once he moves on, the page catches up and his unsent words survive the refresh.
    eddie.locator("h1").click()
    expect(eddie.locator("#map-body")).to_contain_text("Meanwhile, a new claim.", timeout=WITHIN)
    expect(eddie.locator(f"#respond-text-{thesis.pk}")).to_have_value("Half a thought")
    expect(eddie.locator(f"#claim-{thesis.pk} details.respond").first).to_have_attribute("open", "")


def test_someone_selecting_in_the_reader_keeps_their_selection_while_the_page_catches_up(
    open_page, private_map, thesis, owner
):
    source = private_map.sources.get()
    eddie = open_page("eddie", f"/maps/{private_map.slug}/sources/{source.slug}/")
    eddie.locator("#reader-doc").focus()
    eddie.keyboard.press("c")
    expect(eddie.locator("#reader-doc")).to_have_class(re.compile("caret-mode"))
    eddie.keyboard.press("Shift+ArrowRight")  # he has begun to select words
    quote(private_map, source, SECOND_SENTENCE, thesis, owner, stance="opposes")
    expect(eddie.locator("#live-notices")).to_contain_text("olga", timeout=WITHIN)
    eddie.wait_for_timeout(500)
    # The text is not swapped under his caret: his selection and caret mode stay.
    assert eddie.evaluate("getSelection().toString().length") == 1
    expect(eddie.locator("#reader-doc")).to_have_class(re.compile("caret-mode"))
    expect(eddie.locator("#reader-doc mark.hl")).to_have_count(0)

    # Once he leaves caret mode and lets go of the selection, the new highlight appears.
    eddie.keyboard.press("Escape")
    eddie.locator("h1").click()
    expect(eddie.locator("#reader-doc mark.hl")).not_to_have_count(0, timeout=WITHIN)
    assert eddie.evaluate("window.notReloaded") is True


def test_a_mouse_selection_and_the_annotate_dialog_hold_the_reader_until_they_are_done(
    open_page, private_map, thesis, owner
):
    source = private_map.sources.get()
    eddie = open_page("eddie", f"/maps/{private_map.slug}/sources/{source.slug}/")
    box = eddie.evaluate(CHAR_BOXES, FIRST_SENTENCE)
    eddie.mouse.move(box["x0"], box["y0"])
    eddie.mouse.down()
    eddie.mouse.move(box["x1"], box["y1"], steps=8)
    eddie.mouse.up()
    quote(private_map, source, SECOND_SENTENCE, thesis, owner, stance="opposes")
    expect(eddie.locator("#live-notices")).to_contain_text("olga", timeout=WITHIN)
    eddie.wait_for_timeout(500)
    assert eddie.evaluate("getSelection().toString()") == FIRST_SENTENCE
    expect(eddie.locator("#reader-body")).to_have_attribute("data-live-waiting", "")
    expect(eddie.locator("#reader-doc mark.hl")).to_have_count(0)

    # The dialog holds it too; Escape gives the selection back, which still holds it.
    eddie.get_by_role("button", name="Annotate", exact=True).click()
    dialog = eddie.get_by_role("dialog", name="Annotate this passage")
    expect(dialog.get_by_label("Selected passage")).to_have_value(FIRST_SENTENCE)
    eddie.wait_for_timeout(1_200)
    expect(eddie.locator("#reader-doc mark.hl")).to_have_count(0)
    eddie.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert eddie.evaluate("getSelection().toString()") == FIRST_SENTENCE
    eddie.wait_for_timeout(1_200)
    expect(eddie.locator("#reader-doc mark.hl")).to_have_count(0)

    # Let go of the selection: the page catches up, in place.
    eddie.locator("h1").click()
    expect(eddie.locator("#reader-doc mark.hl")).not_to_have_count(0, timeout=WITHIN)
    expect(eddie.locator("#reader-body")).not_to_have_attribute("data-live-waiting", "")
    assert eddie.evaluate("window.notReloaded") is True


def test_graph_claim_page_and_activity_follow_changes(open_page, private_map, thesis, annotator):
    eddie_graph = open_page("eddie", f"/maps/{private_map.slug}/graph/")
    eddie_graph.wait_for_function(GRAPH_READY)
    context = eddie_graph.context
    pages = {"graph": eddie_graph}
    for name, path in [
        ("claim", f"/maps/{private_map.slug}/claims/{thesis.pk}/"),
        ("activity", f"/maps/{private_map.slug}/activity/"),
    ]:
        page = context.new_page()
        page.goto(f"{eddie_graph.url.split('/maps/')[0]}{path}")
        wait_for_live_mode(page)
        pages[name] = page
    assert on_graph(eddie_graph, "cy.nodes().length") == 1

    services.add_response(
        argument_map=private_map, actor=annotator, parent=thesis, text="Coalitions lack a mandate.", kind="opposes"
    )
    services.add_comment(claim=thesis, actor=annotator, body="Which coalitions do we mean?")

    graph = pages["graph"]
    wait_for_graph(graph, "cy.nodes().length === 2 && cy.edges().length === 1", timeout=WITHIN)
    expect(graph.locator("#graph-list")).to_contain_text("Coalitions lack a mandate.")
    expect(graph.locator("#graph-note")).to_contain_text("2 claims")
    claim_page = pages["claim"]
    expect(claim_page.locator("#con-heading")).to_contain_text("(1)", timeout=WITHIN)
    expect(claim_page.locator("#claim-body")).to_contain_text("Coalitions lack a mandate.")
    expect(claim_page.locator("#discussion")).to_contain_text("Which coalitions do we mean?", timeout=WITHIN)
    expect(pages["activity"].locator("#activity-log")).to_contain_text(
        "anna added the claim “Coalitions lack a mandate.”", timeout=WITHIN
    )
    expect(pages["activity"].locator("#live-notices")).to_contain_text("anna commented")


def test_an_empty_map_s_graph_is_drawn_when_its_first_claim_arrives(open_page, private_map, annotator):
    graph = open_page("eddie", f"/maps/{private_map.slug}/graph/")
    graph.wait_for_function(GRAPH_READY)
    expect(graph.locator(".graph-fallback")).to_be_visible()
    make_claim(private_map, "The first claim.", kind=ClaimKind.THESIS, actor=annotator)
    wait_for_graph(graph, "cy.nodes().length === 1", timeout=WITHIN)
    expect(graph.locator("#graph-list")).to_contain_text("The first claim.")
    expect(graph.locator("#graph-controls")).to_be_visible()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stream needs PostgreSQL's NOTIFY")
def test_under_uvicorn_on_postgresql_the_page_follows_the_stream(browser, private_map, thesis, annotator):
    """Two uvicorn processes: the page is served by one, the change is written through the other."""
    url = database_url(connection.settings_dict)
    fast_hashes = {"WARRANT_FAST_PASSWORDS": "1"}  # the test users' passwords were hashed that way
    writer_server, reader_server = AppServer(url, extra_env=fast_hashes), AppServer(url, extra_env=fast_hashes)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        path = f"/maps/{private_map.slug}/"
        page.goto(f"{reader_server.base}/accounts/login/?next={path}")
        page.get_by_label("Username").fill("eddie")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        wait_for_live_mode(page, "stream")

        client = Client()
        client.force_login(annotator)
        writer = Browser(writer_server.port, {"sessionid": client.cookies["sessionid"].value})
        status = writer.post_form(
            path, f"{path}claims/{thesis.pk}/respond/", {"text": "Pushed, not polled.", "kind": "opposes"}
        )
        assert status == 302

        expect(page.locator(f"#children-{thesis.pk}")).to_contain_text("Pushed, not polled.", timeout=WITHIN)
        expect(page.locator("#live-notices")).to_contain_text("anna added the claim “Pushed, not polled.”")
        assert page.evaluate(LIVE_MODE) == "stream"
    finally:
        context.close()
        writer_server.stop()
        reader_server.stop()
