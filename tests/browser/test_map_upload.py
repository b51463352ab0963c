"""An editor uploads several documents into a map in a real browser: each file gets its own progress bar and
outcome, a file over the limit is refused before it is sent, and each added one links to its reader page."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from arguments.models import MapSource
from sources.models import Source

from ..factories import make_map, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every value a progress bar takes (setting .value sets the attribute), to see progress move.
RECORD_PROGRESS = """
window.progressSeen = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.tagName === "PROGRESS") window.progressSeen.push(Number(change.target.value));
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["value"]});
"""


@pytest.fixture
def signed_in(browser, live_server):
    def open_as(user, width=1280):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    return open_as


def test_several_files_upload_with_progress_and_one_too_big_fails_alone(live_server, signed_in, settings, tmp_path):
    settings.WARRANT_MAX_UPLOAD_BYTES = 4 * 1024 * 1024
    owner = make_user("uploader")
    argument_map = make_map(owner, title="Upload seminar")
    page = signed_in(owner)
    # A slow uplink, so that the larger file reports progress several times on the way.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 1024 * 1024},
    )
    page.goto(f"{live_server.url}/maps/{argument_map.slug}/add-source/")
    page.evaluate(RECORD_PROGRESS)
    paragraph = "Coalitions of the willing act when the Council cannot. " * 40 + "\n\n"
    page.get_by_label("Files").set_input_files(
        [
            {"name": "first.txt", "mimeType": "text/plain", "buffer": b"A short first document."},
            {"name": "long.txt", "mimeType": "text/plain", "buffer": (paragraph * 1300).encode()},  # ~3 MB
            {"name": "huge.txt", "mimeType": "text/plain", "buffer": b"x" * (5 * 1024 * 1024)},
            {"name": "program.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"},
        ]
    )
    page.get_by_role("button", name="Upload into the map").click()
    summary = page.locator(".upload-summary")
    expect(summary).to_have_text("Added 2 of 4 documents to the map. Back to the map", timeout=60_000)
    rows = page.locator(".upload-list li")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("added as “first”.")
    expect(rows.nth(1)).to_contain_text("added as “long”.")
    expect(rows.nth(2)).to_contain_text("not added. This file is 5.0 MB, over the 4.0 MB limit.")
    expect(rows.nth(3)).to_contain_text("not added.")
    expect(rows.nth(3)).to_contain_text("not supported")
    seen = page.evaluate("window.progressSeen")
    assert any(0 < value < 100 for value in seen), seen  # the long file's bar moved before it was done
    assert sorted(Source.objects.filter(map_sources__map=argument_map).values_list("title", flat=True)) == [
        "first",
        "long",
    ]
    assert not Source.objects.filter(original_name="huge.txt").exists()
    # Each added document opens in the map's reader.
    rows.nth(0).get_by_role("link", name="Read it in the map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("first")
    assert MapSource.objects.filter(map=argument_map).count() == 2


def test_without_script_the_form_posts_every_file(live_server, browser, settings):
    owner = make_user("plain")
    argument_map = make_map(owner, title="Plain seminar")
    client = Client()
    client.force_login(owner)
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/maps/{argument_map.slug}/add-source/")
    page.get_by_label("Files").set_input_files(
        [
            {"name": "one.txt", "mimeType": "text/plain", "buffer": b"One."},
            {"name": "two.txt", "mimeType": "text/plain", "buffer": b"Two."},
        ]
    )
    page.get_by_role("button", name="Upload into the map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Added 2 documents to the map")
    expect(page.get_by_role("link", name="Read it in the map")).to_have_count(2)
    context.close()
