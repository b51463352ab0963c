"""Annotating without JavaScript by pasting words copied from the original file: the plain form finds
them through line-end hyphens and quote marks, and names the nearest places when they are nowhere."""

import os
import re

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.demo import load_demo
from sources.models import Passage
from sources.services import import_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pass"
ORIGINAL = (
    "The Council’s “responsibility to protect” is a humani-\r\n"
    "tarian duty — not a licence for war.\r\n\r\n"
    "Peace operations remain a necessity and a resource.\r\n"
)
# Set to a directory to keep screenshots of the form at a desktop and a phone width.
SHOTS = os.environ.get("WARRANT_SCREENSHOTS", "")


@pytest.fixture
def statement(settings):
    settings.DEBUG = True
    argument_map = load_demo(password=PASSWORD).map
    owner = argument_map.memberships.get(role="owner").user
    source = import_source(filename="statement.txt", data=ORIGINAL.encode(), added_by=owner, title="Statement")
    services.add_source(argument_map=argument_map, source=source, actor=owner)
    return argument_map, source


@pytest.mark.parametrize("width", [1366, 390])
def test_the_plain_form_finds_copied_words_and_names_the_nearest(live_server, browser, statement, width):
    argument_map, source = statement
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    annotate = f"/maps/{argument_map.slug}/sources/{source.slug}/annotate/"
    page.goto(f"{live_server.url}/accounts/login/?next={annotate}")
    page.get_by_label("Username").fill("demo-annotator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(annotate) + "$"))

    page.get_by_label("Selected passage").fill("peace operation remains a necessary")
    page.get_by_label("Claim (stated by the passage)").fill("Peace operations are needed.")
    page.get_by_role("button", name="Save annotation").click()
    error = page.locator("#annotate-exact-errors")
    expect(error).to_contain_text("Nearest in the text")
    expect(error).to_contain_text("Peace operations remain a necessity")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/quote-refused-{width}.png", full_page=True)
    assert not Passage.objects.filter(source=source).exists()

    page.get_by_label("Selected passage").fill('The Council\'s "responsibility to protect" is a humani-\ntarian duty')
    page.get_by_label("Claim (stated by the passage)").fill("Protection is a duty.")
    page.get_by_role("button", name="Save annotation").click()
    expect(page).to_have_url(re.compile(r"#passage-\d+$"))
    passage = Passage.objects.get(source=source)
    assert passage.exact == "The Council’s “responsibility to protect” is a humanitarian duty"
    context.close()
