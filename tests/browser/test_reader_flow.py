"""The reader keeps the reader's place and is usable with a keyboard and a screen reader (issue #16).

Measured in real headless Chromium on a demo source long enough to scroll: a save leaves the page
where it was and says "Saved"; caret mode stays in the text; the annotate dialog never covers the
words it annotates and fits a phone; a new claim can be placed under a claim of the map; a passage
that already states the same claim gets a warning; axe finds nothing serious.
"""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from arguments.demo import load_demo
from arguments.models import Claim, Evidence, Relation
from sources.models import Source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pass"
AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    return load_demo(password=PASSWORD).map


def longest_source(demo) -> Source:
    return max(Source.objects.filter(map_sources__map=demo), key=lambda s: len(s.text))


def log_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))
    page.wait_for_load_state("load")


def reader_path(demo, source) -> str:
    return f"/maps/{demo.slug}/sources/{source.slug}/"


def serious_axe_violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: npm ci --prefix tests/js")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "example": v["nodes"][0]["html"][:160]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def csp_free_page(browser):
    """axe is injected as a script, which the pages' CSP refuses; the test's own context allows it."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.parametrize("username", ["demo-annotator", "demo-viewer"])
def test_axe_finds_no_serious_violation_on_the_reader(live_server, csp_free_page, demo, username):
    page = csp_free_page
    log_in(page, live_server, username, reader_path(demo, longest_source(demo)))
    violations = serious_axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


# Selects a sentence of unhighlighted text on screen ("first" or "last" in reading order) and returns
# where it is: {exact, start16, end16, rect}. Focus goes to the text first, without scrolling.
SELECT_SENTENCE = """
([which, minTop]) => {
  const root = document.querySelector('#reader-doc .reader-doc');
  document.getElementById('reader-doc').focus({preventScroll: true});
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let found = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('mark') || !node.parentElement.closest('p')) continue;
    const re = /[A-Z][^.!?\\n]{30,140}[.!?]/g;
    let m;
    while ((m = re.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const r = range.getBoundingClientRect();
      if (r.top < minTop || r.bottom > innerHeight - 20) continue;
      found = {range, exact: m[0], rect: {top: r.top, bottom: r.bottom, left: r.left, right: r.right}};
      if (which === 'first') break;
    }
    if (found && which === 'first') break;
  }
  if (!found) return null;
  const sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(found.range);
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(found.range.startContainer, found.range.startOffset);
  const start16 = before.toString().length;
  return {exact: found.exact, start16, end16: start16 + found.exact.length, rect: found.rect};
}
"""

FOCUS_OFFSET = """
() => {
  const root = document.querySelector('#reader-doc .reader-doc');
  const sel = getSelection();
  if (!root.contains(sel.focusNode)) return -1;
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(sel.focusNode, sel.focusOffset);
  return range.toString().length;
}
"""

BOX = "{top: r.top, bottom: r.bottom, left: r.left, right: r.right}"
RECT = f"(el) => {{ const r = el.getBoundingClientRect(); return {BOX}; }}"
SELECTION_RECT = f"() => {{ const r = getSelection().getRangeAt(0).getBoundingClientRect(); return {BOX}; }}"


def intersects(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def inside_viewport(page, rect: dict, slack: float = 0.5) -> bool:
    width, height = page.evaluate("[document.documentElement.clientWidth, innerHeight]")
    return (
        rect["left"] >= -slack
        and rect["top"] >= -slack
        and rect["right"] <= width + slack
        and rect["bottom"] <= height + slack
    )


def collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def open_dialog_on_sentence(page, which: str = "first", min_top: float = 0):
    selected = page.evaluate(SELECT_SENTENCE, [which, min_top])
    assert selected, "no unhighlighted sentence on screen"
    scrolled = page.evaluate("scrollY")
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    expect(dialog).to_be_visible()
    # Where the words are now: the window may have scrolled them up to make room for the dialog.
    moved = page.evaluate("scrollY") - scrolled
    selected["rect"] = {
        key: value - moved if key in ("top", "bottom") else value for key, value in selected["rect"].items()
    }
    return dialog, selected


def test_a_save_keeps_the_place_says_saved_and_the_next_caret_starts_there(live_server, page, demo):
    page.set_viewport_size({"width": 1366, "height": 900})
    errors = collect_errors(page)
    source = longest_source(demo)
    log_in(page, live_server, "demo-annotator", reader_path(demo, source))
    assert page.evaluate("document.documentElement.scrollHeight") > 3000  # long enough to lose one's place
    page.evaluate("window.scrollTo(0, 417)")
    dialog, selected = open_dialog_on_sentence(page, "first", 120)
    dialog.get_by_label("Claim (stated by the passage)").fill("A claim stated mid-page")
    before = page.evaluate("scrollY")
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()

    evidence = Evidence.objects.select_related("passage").get(claim__text="A claim stated mid-page")
    highlight = page.locator(f'#reader-doc mark.hl[data-passages~="{evidence.passage_id}"]').last
    expect(highlight).to_be_in_viewport()
    badge = page.locator("#saved-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Saved")
    assert abs(page.evaluate("scrollY") - before) <= 4, (before, page.evaluate("scrollY"))
    mark, saved = highlight.evaluate(RECT), badge.evaluate(RECT)
    first = page.locator(f'#reader-doc mark.hl[data-passages~="{evidence.passage_id}"]').first.evaluate(RECT)
    assert abs(first["top"] - selected["rect"]["top"]) <= 4  # the words did not move on screen
    assert 0 <= saved["top"] - mark["bottom"] <= 24 and inside_viewport(page, saved)
    expect(page.locator("#reader-status")).to_contain_text("Saved. Annotation added")

    # The next caret starts right after the new highlight, on screen, not near the end of the text.
    page.keyboard.press("c")
    expect(page.locator("#fake-caret")).to_be_in_viewport()
    assert page.evaluate(FOCUS_OFFSET) == selected["end16"]
    assert abs(page.evaluate("scrollY") - before) <= 4
    assert errors == []


def test_caret_mode_stays_in_the_text_and_never_recurses(live_server, page, demo):
    errors = collect_errors(page)
    source = longest_source(demo)
    log_in(page, live_server, "demo-annotator", reader_path(demo, source))
    page.evaluate("window.scrollTo(0, 600)")
    page.locator("#reader-doc").focus()
    page.keyboard.press("c")
    expect(page.locator("#reader-doc")).to_have_class(re.compile("caret-mode"))
    for _ in range(60):  # well past the first line
        page.keyboard.press("ArrowUp")
    assert errors == []
    assert page.evaluate(FOCUS_OFFSET) == 0
    expect(page.locator("#fake-caret")).to_be_in_viewport()

    text_length = page.evaluate("document.querySelector('#reader-doc .reader-doc').textContent.length")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.keyboard.press("Escape")
    page.keyboard.press("c")
    seen = []
    for _ in range(40):  # well past the last line
        page.keyboard.press("ArrowDown")
        seen.append(page.evaluate(FOCUS_OFFSET))
    assert errors == []
    assert min(seen) >= 0, "the caret left the text"
    assert text_length - seen[-1] < 200  # on the last line
    expect(page.locator("#fake-caret")).to_be_in_viewport()
    caret, doc = page.locator("#fake-caret").evaluate(RECT), page.locator("#reader-doc").evaluate(RECT)
    assert doc["top"] <= caret["top"] and caret["bottom"] <= doc["bottom"] + 2

    # A and Enter still annotate there.
    page.keyboard.press("Shift+ArrowUp")
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    assert errors == []


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
@pytest.mark.parametrize("which", ["first", "last"])
def test_the_dialog_covers_no_selected_word_and_fits_the_screen(live_server, page, demo, width, height, which):
    page.set_viewport_size({"width": width, "height": height})
    source = longest_source(demo)
    log_in(page, live_server, "demo-annotator", reader_path(demo, source))
    page.evaluate("window.scrollTo(0, 900)")
    dialog, selected = open_dialog_on_sentence(page, which, 60)
    opened_at = page.evaluate("scrollY")
    for mode in ("New claim stated by this passage", "Link to an existing claim"):
        dialog.get_by_label(mode).check()
        box = dialog.evaluate(RECT)
        moved = page.evaluate("scrollY") - opened_at  # a dialog that grew may scroll the words up further
        words = {
            **selected["rect"],
            "top": selected["rect"]["top"] - moved,
            "bottom": selected["rect"]["bottom"] - moved,
        }
        assert not intersects(box, words), (mode, box, words)
        assert inside_viewport(page, box), (mode, box)
        save = dialog.get_by_role("button", name="Save annotation")
        assert inside_viewport(page, save.evaluate(RECT)), save.evaluate(RECT)
    if width < 500:
        page.screenshot(path=f"/tmp/rd/dialog-{width}-{which}.png")


def test_the_claim_picker_shows_whole_claims_and_filters_them(live_server, page, demo):
    source = longest_source(demo)
    longest = max(Claim.objects.filter(map=demo), key=lambda c: len(c.text))
    log_in(page, live_server, "demo-annotator", reader_path(demo, source))
    dialog, _ = open_dialog_on_sentence(page)
    dialog.get_by_label("Link to an existing claim").check()
    group = dialog.get_by_role("radiogroup", name="Existing claim")
    choice = group.locator(".claim-choice").filter(has=page.locator(f'input[value="{longest.pk}"]'))
    expect(choice).to_have_text(longest.text)  # whole, not clipped
    assert choice.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")  # wrapped, not cut off
    dialog.get_by_label("Find a claim").fill(" ".join(longest.text.split()[:4]))
    expect(group.locator(".claim-choice:not([hidden])")).to_have_count(1)
    expect(group.get_by_role("radio", name=longest.text)).to_be_visible()


@pytest.mark.parametrize(
    "place,label",
    [("supports", "it supports (pro) a claim of the map"), ("opposes", "it opposes (con) a claim of the map")],
)
def test_a_new_claim_is_placed_under_a_claim_of_the_map(live_server, page, demo, place, label):
    source = longest_source(demo)
    target = Claim.objects.filter(map=demo).order_by("id").first()
    log_in(page, live_server, "demo-annotator", reader_path(demo, source))
    dialog, selected = open_dialog_on_sentence(page)
    expect(dialog.get_by_label("not placed yet")).to_be_checked()
    expect(dialog.get_by_label("Find the claim it bears on")).to_be_hidden()
    dialog.get_by_label("Claim (stated by the passage)").fill("A placed claim from the reader")
    # From the keyboard: the arrows move along "not placed yet", "supports", "opposes"; Tab reaches the search.
    dialog.get_by_label("not placed yet").focus()
    for _ in range(1 if place == "supports" else 2):
        page.keyboard.press("ArrowDown")
    expect(dialog.get_by_label(label)).to_be_checked()
    page.keyboard.press("Tab")
    search = dialog.get_by_label("Find the claim it bears on")
    expect(search).to_be_focused()
    page.keyboard.type(" ".join(target.text.split()[:5]))
    search.press("ArrowDown")
    picked = dialog.get_by_role("radiogroup", name="The claim it bears on").get_by_role("radio", name=target.text)
    expect(picked).to_be_focused()
    expect(picked).to_be_checked()
    page.keyboard.press("Tab")  # out of the list; Enter on the Save button saves
    dialog.get_by_role("button", name="Save annotation").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    claim = Claim.objects.get(text="A placed claim from the reader")
    relation = Relation.objects.get(from_claim=claim)
    assert (relation.to_claim_id, relation.kind, relation.map_id) == (target.pk, place, demo.pk)
    evidence = Evidence.objects.select_related("passage").get(claim=claim)
    assert (evidence.stance, evidence.passage.exact) == ("states", selected["exact"])
    verbs = list(demo.events.order_by("-id").values_list("verb", flat=True)[:3])
    assert sorted(verbs) == ["created", "linked", "linked"]
    expect(page.locator(".reader-message")).to_contain_text(f"The claim {place}")


def test_a_passage_that_already_states_the_same_claim_gets_a_warning(live_server, page, demo):
    source = longest_source(demo)
    log_in(page, live_server, "demo-annotator", reader_path(demo, source))
    dialog, selected = open_dialog_on_sentence(page)
    dialog.get_by_label("Claim (stated by the passage)").fill("Coalitions  act fast.")
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()
    assert Claim.objects.filter(map=demo, text="Coalitions  act fast.").count() == 1

    # The same words again, differently spaced and cased: a warning, nothing written.
    evidence = Evidence.objects.get(claim__text="Coalitions  act fast.")
    page.locator(f'#reader-doc mark.hl[data-passages="{evidence.passage_id}"]').evaluate(
        """(mark) => {
          document.getElementById('reader-doc').focus({preventScroll: true});
          const range = document.createRange();
          range.selectNodeContents(mark);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }"""
    )
    page.keyboard.press("a")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Selected passage")).to_have_value(selected["exact"])
    dialog.get_by_label("Claim (stated by the passage)").fill("coalitions act FAST.")
    dialog.get_by_role("button", name="Save annotation").click()
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("This passage already states “Coalitions act fast.”")
    expect(dialog).to_be_visible()
    assert Claim.objects.filter(map=demo, text__iexact="coalitions act fast.").count() == 0
    assert Claim.objects.filter(map=demo, text__icontains="act fast").count() == 1

    # The reader may still choose to add it.
    dialog.get_by_label("Add it anyway").check()
    dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()
    assert Claim.objects.filter(map=demo, text__icontains="act fast").count() == 2


def test_the_floating_button_covers_neither_the_words_nor_the_filter_button(live_server, page, demo):
    page.set_viewport_size({"width": 1366, "height": 900})
    source = longest_source(demo)
    log_in(page, live_server, "demo-annotator", reader_path(demo, source))
    page.locator("#reader-doc").focus()
    page.keyboard.press("c")
    filter_button = page.get_by_role("button", name="Filter", exact=True)
    for _ in range(6):
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Home")
        page.keyboard.press("Shift+End")
        button = page.locator("#annotate-float")
        expect(button).to_be_visible()
        box = button.evaluate(RECT)
        assert not intersects(box, filter_button.evaluate(RECT)), box
        words = page.evaluate(SELECTION_RECT)
        assert not intersects(box, words)
        page.keyboard.press("End")


def test_axe_finds_no_serious_violation_in_the_annotate_dialog(live_server, csp_free_page, demo):
    page = csp_free_page
    log_in(page, live_server, "demo-annotator", reader_path(demo, longest_source(demo)))
    dialog, _ = open_dialog_on_sentence(page)
    dialog.get_by_label("it supports (pro) a claim of the map").check()
    assert serious_axe_violations(page) == []
    dialog.get_by_label("Link to an existing claim").check()
    dialog.get_by_label("Find a claim").fill("council")
    violations = serious_axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
