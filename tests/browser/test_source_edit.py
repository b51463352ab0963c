"""Editing a source's text in a real browser: preview, save, highlights that stay on their words, an
orphan listed and re-attached by selecting its new words; and the reader after a live refresh.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from arguments import services
from arguments.demo import load_demo
from arguments.models import Claim
from sources.models import AnchorStatus, Passage
from sources.services import import_source

from ..factories import edit_text, quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pass"
COVER = "Downloaded from the Open Repository on 3 March 2024 😀. Terms of use apply."
KEPT = "Coalitions of the willing bypass the Council when it is blocked."
LOST = "Critics call them a threat to the multilateral order."
NEW_WORDS = "Critics see in them a danger for the rules-based order."
TEXT = f"{COVER}\n\n中文 text first. {KEPT} {LOST}\n\nFinal paragraph with a few more words."
EDITED = f"中文 text first. {KEPT} {NEW_WORDS}\n\nFinal paragraph with a few more words."

# The screen box of `exact` in the reader's text, from its first to its last character.
CHAR_BOXES = """
(exact) => {
  const root = document.querySelector('#reader-doc .reader-doc');
  const at = root.textContent.indexOf(exact);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node, startSet = false;
  while ((node = walker.nextNode())) {
    const len = node.data.length;
    if (!startSet && at < seen + len) { range.setStart(node, at - seen); startSet = true; }
    if (at + exact.length <= seen + len) { range.setEnd(node, at + exact.length - seen); break; }
    seen += len;
  }
  const first = range.cloneRange(); first.setEnd(range.startContainer, range.startOffset + 1);
  const last = range.cloneRange(); last.setStart(range.endContainer, range.endOffset - 1);
  const a = first.getClientRects()[0], b = last.getClientRects()[0];
  return {x0: a.left + 1, y0: a.top + a.height / 2, x1: b.right - 1, y1: b.top + b.height / 2};
}
"""

# What live.js does when events arrive: say on <body> that the map changed; then wait until the
# reader's body has been fetched again and morphed in place.
LIVE_REFRESH = """
() => new Promise((resolve) => {
  document.addEventListener('htmx:afterSettle', (event) => {
    if (event.detail.elt.id === 'reader-body') resolve(true);
  });
  document.body.dispatchEvent(new CustomEvent('warrant:map-changed', {detail: {events: [], lastId: null}}));
})
"""


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo(password=PASSWORD).map


@pytest.fixture
def cited(demo):
    """A source with a cover page, two sentences cited by the annotator, and the passages' ids."""
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    owner, annotator = users["demo-owner"], users["demo-annotator"]
    source = import_source(
        filename="cover.txt", data=TEXT.encode("utf-8"), added_by=owner, title="A text with a cover page"
    )
    services.add_source(argument_map=demo, source=source, actor=owner)
    assert source.text == TEXT
    passages = {}
    for exact, stance in ((KEPT, "supports"), (LOST, "opposes")):
        claim = services.create_claim(argument_map=demo, actor=annotator, text=f"Claim about: {exact}")
        evidence = quote(demo, source, exact, claim, annotator, stance)
        passages[exact] = evidence.passage
    return source, passages


def log_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))
    page.wait_for_load_state("load")


def highlight_text(page, passage: Passage) -> str:
    """The words under a passage's highlight pieces, joined as the reader shows them."""
    return page.evaluate(
        "(id) => [...document.querySelectorAll(`#reader-doc mark.hl`)]"
        ".filter((m) => m.dataset.passages.split(' ').includes(String(id)))"
        ".map((m) => m.textContent).join('')",
        passage.pk,
    )


def select_with_mouse(page, exact: str) -> None:
    box = page.evaluate(CHAR_BOXES, exact)
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=8)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()") == exact


def test_editor_edits_the_text_and_reattaches_the_orphan(live_server, page, demo, cited):
    source, passages = cited
    reader = f"/maps/{demo.slug}/sources/{source.slug}/"
    log_in(page, live_server, "demo-editor", reader)
    assert highlight_text(page, passages[KEPT]) == KEPT

    # Edit: remove the cover page and rewrite one cited sentence, then preview.
    page.get_by_role("link", name="Edit text…").click()
    expect(page.get_by_role("heading", name=re.compile("Edit the text of"))).to_be_visible()
    page.get_by_label("Text", exact=True).fill(EDITED)
    page.get_by_role("button", name="Preview the changes").click()
    preview = page.locator("#text-preview")
    expect(preview).to_contain_text("What saving this text will do")
    row = preview.locator("tr.this-map")
    expect(row.locator("td")).to_have_text(["0", "1", "1"])  # stay, follow the edit, orphaned
    expect(preview).to_contain_text("Passages that will need re-attaching (1)")
    expect(preview).to_contain_text(LOST)
    source.refresh_from_db()
    assert source.text == TEXT  # a preview writes nothing

    page.get_by_role("button", name="Save the new text").click()
    expect(page).to_have_url(re.compile(re.escape(reader) + "$"))
    expect(page.locator(".messages")).to_contain_text("Text saved (revision 2)")
    source.refresh_from_db()
    assert source.text == EDITED
    # The highlight is still on the same words, although every offset moved.
    assert highlight_text(page, passages[KEPT]) == KEPT
    orphans = page.locator("#orphans")
    expect(orphans).to_contain_text("Passages to re-attach (1)")
    orphan = orphans.locator(f"#orphan-{passages[LOST].pk}")
    expect(orphan).to_contain_text(LOST)
    expect(orphan).to_contain_text("opposes")
    expect(orphan).to_contain_text(f"Claim about: {LOST}")
    assert highlight_text(page, passages[LOST]) == ""

    # Re-attach: pick the orphan, select its new words, confirm.
    orphan.get_by_role("link", name="Re-attach…").click()
    banner = page.locator("#reattach-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(LOST)
    select_with_mouse(page, NEW_WORDS)
    page.get_by_role("button", name="Re-attach here").click()
    dialog = page.get_by_role("dialog", name="Re-attach this passage")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("New words")).to_have_value(NEW_WORDS)
    expect(dialog).to_contain_text(LOST)
    dialog.get_by_role("button", name="Re-attach", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Passage re-attached")
    expect(page.locator("#orphans")).to_have_count(0)
    passage = Passage.objects.get(pk=passages[LOST].pk)
    assert (passage.exact, passage.anchor_status) == (NEW_WORDS, AnchorStatus.ANCHORED)
    assert EDITED[passage.start : passage.end] == NEW_WORDS  # code points, despite the CJK text before it
    assert highlight_text(page, passage) == NEW_WORDS
    assert Claim.objects.get(text=f"Claim about: {LOST}").evidence.get().passage_id == passage.pk


def test_reattaching_from_the_keyboard(live_server, page, demo, cited):
    source, passages = cited
    edit_text(demo, source, EDITED, get_user_model().objects.get(username="demo-owner"))
    reader = f"/maps/{demo.slug}/sources/{source.slug}/"
    log_in(page, live_server, "demo-annotator", reader)
    page.locator(f"#orphan-{passages[LOST].pk}").get_by_role("link", name="Re-attach…").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reattach-banner")).to_be_visible()
    expect(page.locator("#reader-doc")).to_be_focused()
    page.keyboard.press("c")  # caret mode at the start of the first visible paragraph
    expect(page.locator("#reader-doc")).to_have_class(re.compile("caret-mode"))
    # Put the caret before the new words, then select them word by word.
    page.evaluate(
        """(exact) => {
          const root = document.querySelector('#reader-doc .reader-doc');
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const at = node.data.indexOf(exact);
            if (at >= 0) { getSelection().collapse(node, at); return; }
          }
        }""",
        NEW_WORDS,
    )
    for _ in range(len(NEW_WORDS.split())):
        page.keyboard.press("Control+Shift+ArrowRight")
    selected = page.evaluate("getSelection().toString()").strip()
    assert selected.startswith("Critics see in them a danger")
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog", name="Re-attach this passage")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Re-attach", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Passage re-attached")
    passage = Passage.objects.get(pk=passages[LOST].pk)
    assert passage.anchor_status == AnchorStatus.ANCHORED and passage.exact == selected


def test_the_reader_keeps_working_after_a_live_refresh(live_server, page, demo, cited):
    source, passages = cited
    log_in(page, live_server, "demo-annotator", f"/maps/{demo.slug}/sources/{source.slug}/")
    page.evaluate("window.notReloaded = true")
    page.evaluate(LIVE_REFRESH)
    assert page.evaluate("window.notReloaded") is True
    page.locator(f'#reader-doc mark.hl[data-passages="{passages[KEPT].pk}"]').click()
    expect(page.locator("#annotation-list > li.is-active")).to_have_count(1)
    expect(page.locator("#annotation-list > li.is-active")).to_contain_text(f"Claim about: {KEPT}")
    select_with_mouse(page, "Final paragraph")
    page.get_by_role("button", name="Annotate", exact=True).click()
    expect(page.get_by_role("dialog", name="Annotate this passage")).to_be_visible()


def test_a_viewer_sees_no_edit_text_or_reattach_control(live_server, page, demo, cited):
    source, _ = cited
    edit_text(demo, source, EDITED, get_user_model().objects.get(username="demo-owner"))
    log_in(page, live_server, "demo-viewer", f"/maps/{demo.slug}/sources/{source.slug}/")
    expect(page.locator("#orphans")).to_contain_text("Passages to re-attach (1)")
    expect(page.get_by_role("link", name="Edit text…")).to_have_count(0)
    expect(page.get_by_role("link", name="Re-attach…")).to_have_count(0)
    assert page.locator("#reattach-dialog, #reattach-banner").count() == 0
