"""A text file with front matter and page furniture uploaded in a real browser: choosing it previews the text and
what the import will take out; the source page it leads to says so again and shows the clean text, on a wide
screen and a phone."""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from ..factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPEECH = Path(__file__).parent.parent / "data" / "messy" / "speech-front-matter.txt"


@pytest.mark.parametrize("width", [1366, 390])
def test_upload_says_what_was_removed(live_server, browser, width, tmp_path):
    client = Client()
    client.force_login(make_user("reader"))
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/sources/upload/")
    page.set_input_files("input[type=file]", str(SPEECH))
    # Before anything is saved, the page shows how the text will begin and what the import takes out.
    preview = page.locator("#upload-preview")
    expect(preview).to_contain_text("The import will take out: front matter (7 fields) read into metadata")
    expect(preview.locator("blockquote p").first).to_have_text("MINISTRY FOR FOREIGN AFFAIRS")
    expect(preview).to_contain_text("Anna Lindqvist; Ministry for Foreign Affairs")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=tmp_path / f"upload-preview-{width}.png", full_page=True)
    page.get_by_role("button", name="Import").click()
    notice = page.locator(".messages")
    expect(notice).to_contain_text("Cleaned on import: front matter (7 fields) read into metadata")
    expect(notice).to_contain_text("3 page numbers dropped")
    expect(page.locator("h1")).to_contain_text("Statement by the Minister on the Reform of the Security Council")
    expect(page.locator("main")).not_to_contain_text("title:")
    # Nothing on the page is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=tmp_path / f"source-after-import-{width}.png", full_page=True)
    context.close()
