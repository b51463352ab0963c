"""Annotating in the reader with a real browser: mouse and keyboard selections, links, overlaps, roles.

The selections are made on a fresh source with accented letters, curly quotes, emoji and CJK text in
front of the annotated sentences, so UTF-16 offsets from the browser must be converted to be right.
"""

import re

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.demo import load_demo
from arguments.models import Claim, Evidence
from sources.models import Passage
from sources.services import import_source

from ..factories import quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pass"
TEXT = (
    "Le café “déjà vu” — naïve façade 😀 and 🎉 before anything else:\n"
    "- a list item 😀 on its own line;\n"
    "- another item.\n\n"
    "中文 text and 𠀀 rare ideograph come first. "
    "Coalitions of the willing bypass the Council when it is blocked. "
    "Critics call them a threat to the multilateral order.\n\n"
    "Final paragraph 😀 with a few more words to read."
)
MOUSE_SENTENCE = "Coalitions of the willing bypass the Council when it is blocked."
KEYBOARD_SENTENCE = "Critics call them a threat to the multilateral order."

# Finds `exact` in the document's DOM text (which is the canonical text) and returns a Range over it.
FIND_RANGE = """
(exact) => {
  const root = document.querySelector('#reader-doc .reader-doc');
  const at = root.textContent.indexOf(exact);
  if (at < 0) return null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node;
  let startSet = false;
  while ((node = walker.nextNode())) {
    const len = node.data.length;
    if (!startSet && at < seen + len) { range.setStart(node, at - seen); startSet = true; }
    if (at + exact.length <= seen + len) { range.setEnd(node, at + exact.length - seen); break; }
    seen += len;
  }
  return range;
}
"""

CHAR_BOXES = f"""
(exact) => {{
  const find = {FIND_RANGE};
  const range = find(exact);
  const first = range.cloneRange(); first.setEnd(range.startContainer, range.startOffset + 1);
  const last = range.cloneRange(); last.setStart(range.endContainer, range.endOffset - 1);
  const a = first.getClientRects()[0], b = last.getClientRects()[0];
  return {{x0: a.left + 1, y0: a.top + a.height / 2, x1: b.right - 1, y1: b.top + b.height / 2}};
}}
"""

# Where the caret (the selection's focus) is, in UTF-16 units of the canonical text.
FOCUS_OFFSET = """
() => {
  const root = document.querySelector('#reader-doc .reader-doc');
  const sel = getSelection();
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(sel.focusNode, sel.focusOffset);
  return range.toString().length;
}
"""


def press_while(page, key: str, moving_on, limit: int = 300) -> None:
    """Press `key` while moving_on(caret offset) holds; fail, rather than hang, if the caret stops moving."""
    for _ in range(limit):
        at = page.evaluate(FOCUS_OFFSET)
        if not moving_on(at):
            return
        page.keyboard.press(key)
    raise AssertionError(f"the caret was still at {at} after {limit} presses of {key}")


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo(password=PASSWORD).map


@pytest.fixture
def fresh_source(demo):
    owner = demo.memberships.get(role="owner").user
    source = import_source(
        filename="unicode-notes.txt",
        data=TEXT.encode("utf-8"),
        added_by=owner,
        title="Notes with café, emoji and 中文",
        authors=["Zoë Ñúñez"],
        published="2024",
    )
    services.add_source(argument_map=demo, source=source, actor=owner)
    assert source.text == TEXT  # already canonical
    return source


def log_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))
    page.wait_for_load_state("load")  # style sheets applied before anything is measured


def reader_path(demo, source) -> str:
    return f"/maps/{demo.slug}/sources/{source.slug}/"


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def highlight_of(page, passage: Passage):
    return page.locator(f'#reader-doc mark.hl[data-passages~="{passage.pk}"]')


def test_annotator_annotates_with_the_mouse_and_with_the_keyboard(live_server, page, demo, fresh_source):
    path = reader_path(demo, fresh_source)
    log_in(page, live_server, "demo-annotator", path)
    assert page.evaluate("document.querySelector('#reader-doc .reader-doc').textContent") == TEXT
    page.evaluate("window.notReloaded = true")

    # 1. Mouse: drag across a sentence, press the floating button, state a new claim.
    box = page.evaluate(CHAR_BOXES, MOUSE_SENTENCE)
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=8)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()") == MOUSE_SENTENCE
    page.get_by_role("button", name="Annotate", exact=True).click()
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Selected passage")).to_have_value(MOUSE_SENTENCE)
    claim_field = dialog.get_by_label("Claim (stated by the passage)")
    expect(claim_field).to_be_focused()
    expect(claim_field).to_have_value(MOUSE_SENTENCE)
    claim_field.fill("Coalitions route around a blocked Council.")
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()

    claim = Claim.objects.get(text="Coalitions route around a blocked Council.")
    first = Evidence.objects.select_related("passage").get(claim=claim)
    assert (first.stance, first.passage.exact) == ("states", MOUSE_SENTENCE)
    assert first.passage.start == TEXT.index(MOUSE_SENTENCE)  # code points, despite the emoji before it
    expect(highlight_of(page, first.passage)).to_have_count(1)
    expect(page.locator("#annotation-list")).to_contain_text("Coalitions route around a blocked Council.")
    expect(page.locator("#reader-doc")).to_be_focused()  # focus comes back to the text

    # 2. Keyboard: caret mode from the first visible paragraph, move, extend, link as opposing.
    page.locator("#reader-doc").focus()
    page.keyboard.press("c")
    expect(page.locator("#reader-doc")).to_have_class(re.compile("caret-mode"))
    expect(page.locator("#fake-caret")).to_be_visible()
    start16 = u16(TEXT[: TEXT.index(KEYBOARD_SENTENCE)])
    end16 = start16 + u16(KEYBOARD_SENTENCE)
    # The caret starts where the save left it: right after the new highlight.
    assert page.evaluate(FOCUS_OFFSET) == u16(TEXT[: TEXT.index(MOUSE_SENTENCE) + len(MOUSE_SENTENCE)])
    press_while(page, "Control+ArrowRight", lambda at: start16 - at > 12)
    press_while(page, "ArrowRight", lambda at: at < start16)
    press_while(page, "ArrowLeft", lambda at: at > start16)
    press_while(page, "Control+Shift+ArrowRight", lambda at: end16 - at > 10)
    press_while(page, "Shift+ArrowRight", lambda at: at < end16)
    assert page.evaluate("getSelection().toString()") == KEYBOARD_SENTENCE
    page.keyboard.press("a")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Link to an existing claim").check()
    expect(dialog.get_by_label("Claim (stated by the passage)")).to_be_hidden()
    search = dialog.get_by_label("Find a claim")
    search.fill("route around")
    expect(dialog.locator("#annotate-claim-list .claim-choice:not([hidden])")).to_have_count(1)
    search.press("ArrowDown")
    picked = dialog.get_by_role("radiogroup", name="Existing claim").get_by_role("radio", name=claim.text)
    expect(picked).to_be_focused()
    expect(picked).to_be_checked()
    dialog.get_by_label("opposes it").check()
    dialog.get_by_label("Note (optional)").fill("Calls it a threat, not a remedy.")
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()

    second = Evidence.objects.select_related("passage").get(claim=claim, stance="opposes")
    assert second.passage.exact == KEYBOARD_SENTENCE
    assert second.note == "Calls it a threat, not a remedy."
    expect(highlight_of(page, first.passage)).to_have_count(1)
    expect(highlight_of(page, second.passage)).to_have_count(1)
    expect(highlight_of(page, second.passage)).to_have_class(re.compile("stance-opposes"))
    assert page.evaluate("window.notReloaded") is True

    page.reload()
    expect(highlight_of(page, first.passage)).to_be_visible()
    expect(highlight_of(page, second.passage)).to_be_visible()
    expect(page.locator("#annotation-list > li")).to_have_count(2)


def test_escape_cancels_and_a_stale_quote_is_refused_in_the_dialog(live_server, page, demo, fresh_source):
    log_in(page, live_server, "demo-annotator", reader_path(demo, fresh_source))
    page.locator("#reader-doc").focus()
    page.keyboard.press("c")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#reader-doc")).to_be_focused()

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    # Pretend the page was out of date: the quote no longer matches the offsets.
    page.evaluate("document.getElementById('annotate-exact').value = 'Something else'")
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog.get_by_role("alert")).to_contain_text("does not match the source")
    expect(dialog).to_be_visible()
    assert Passage.objects.filter(source=fresh_source).count() == 0


def test_viewer_sees_no_controls_and_a_forged_post_is_refused(live_server, page, demo, fresh_source):
    path = reader_path(demo, fresh_source)
    log_in(page, live_server, "demo-viewer", path)
    expect(page.locator("#reader-doc .reader-doc")).to_be_visible()
    assert page.locator("#annotate-float, #annotate-dialog, #reader-hint").count() == 0
    assert page.locator("#reader-doc").get_attribute("tabindex") is None
    page.locator("#reader-doc .reader-doc p").first.click()
    page.keyboard.press("c")
    expect(page.locator(".caret-mode")).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    start = TEXT.index(MOUSE_SENTENCE)
    response = page.request.post(
        f"{live_server.url}{path}annotate/",
        form={
            "start16": str(u16(TEXT[:start])),
            "end16": str(u16(TEXT[:start]) + len(MOUSE_SENTENCE)),
            "exact": MOUSE_SENTENCE,
            "mode": "new",
            "claim_text": "Forged",
        },
        headers={"X-CSRFToken": token, "Referer": f"{live_server.url}{path}"},
    )
    assert response.status == 403
    assert "CSRF verification failed" not in response.text()  # refused for the role, not for the token
    assert not Claim.objects.filter(text="Forged").exists()


def test_overlapping_highlights_each_lead_to_their_claims(live_server, page, demo, fresh_source):
    annotator = demo.memberships.get(role="annotator").user
    claim_a = services.create_claim(argument_map=demo, actor=annotator, text="Claim A about bypassing")
    claim_b = services.create_claim(argument_map=demo, actor=annotator, text="Claim B about the Council")
    a_start = TEXT.index("Coalitions of the willing")
    b_start = TEXT.index("bypass the Council")
    ev_a = services.add_evidence(
        argument_map=demo,
        actor=annotator,
        source=fresh_source,
        start=a_start,
        end=b_start + 6,
        claim=claim_a,
        stance="supports",
    )
    b_end = b_start + len("bypass the Council when it is blocked.")
    ev_b = services.add_evidence(
        argument_map=demo,
        actor=annotator,
        source=fresh_source,
        start=b_start,
        end=b_end,
        claim=claim_b,
        stance="opposes",
    )
    pa, pb = ev_a.passage_id, ev_b.passage_id

    log_in(page, live_server, "demo-viewer", reader_path(demo, fresh_source))
    only_a = page.locator(f'mark.hl[data-passages="{pa}"]')
    both = page.locator(f'mark.hl[data-passages="{pa} {pb}"]')
    only_b = page.locator(f'mark.hl[data-passages="{pb}"]')
    expect(both).to_have_text("bypass")
    item_a = page.locator(f"#annotation-{ev_a.pk}")
    item_b = page.locator(f"#annotation-{ev_b.pk}")

    only_a.click()
    expect(item_a).to_have_class(re.compile("is-active"))
    expect(item_b).not_to_have_class(re.compile("is-active"))
    only_b.click()
    expect(item_b).to_have_class(re.compile("is-active"))
    expect(item_a).not_to_have_class(re.compile("is-active"))
    both.click()
    expect(item_a).to_have_class(re.compile("is-active"))
    expect(item_b).to_have_class(re.compile("is-active"))
    expect(item_a.get_by_role("link", name="Claim A about bypassing")).to_be_visible()
    expect(item_b.get_by_role("link", name="Claim B about the Council")).to_be_visible()

    # From the keyboard: a highlight is a button named after its claims; Enter moves to its annotations.
    expect(both).to_have_attribute("role", "button")
    expect(both).to_have_attribute("aria-description", re.compile("Claim A about bypassing.*Claim B about the Council"))
    only_b.focus()
    page.keyboard.press("Enter")
    expect(item_b).to_be_focused()
    item_b.get_by_role("link", name="Claim B about the Council").click()
    expect(page).to_have_url(re.compile(f"/maps/{demo.slug}/claims/{claim_b.pk}/$"))


def test_annotator_edits_their_annotation_in_place(live_server, page, demo, fresh_source):
    """The list holds only an "Edit or delete…" link (it is cached for everyone); the forms load in place."""
    annotator = demo.memberships.get(role="annotator").user
    claim = services.create_claim(argument_map=demo, actor=annotator, text="Coalitions route around the Council")
    evidence = quote(demo, fresh_source, MOUSE_SENTENCE, claim, annotator)
    log_in(page, live_server, "demo-annotator", reader_path(demo, fresh_source))
    page.evaluate("window.notReloaded = true")
    item = page.locator(f"#annotation-{evidence.pk}")
    item.get_by_role("link", name="Edit or delete…").click()
    stance = item.get_by_label("Stance")
    expect(stance).to_be_focused()
    stance.select_option("opposes")
    item.get_by_label("Note").fill("On reflection, it cuts the other way.")
    item.get_by_role("button", name="Save changes").click()
    expect(page.locator(".reader-message")).to_have_text("Annotation updated.")
    item = page.locator(f"#annotation-{evidence.pk}")
    expect(item.locator(".stance")).to_have_text("opposes")
    expect(item).to_contain_text("On reflection, it cuts the other way.")
    assert page.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.version) == ("opposes", 2)

    # Cancel puts the link back without a request.
    item.get_by_role("link", name="Edit or delete…").click()
    item.get_by_role("link", name="Cancel").click()
    expect(item.get_by_role("link", name="Edit or delete…")).to_be_focused()
