"""A seminar lead builds a debate in the browser, from an empty database to a printed brief (issue #16).

No API and no admin: sign up, create a map, state the motion and two positions, upload two documents
from the map page, annotate six passages into pros and cons under the positions (with the mouse and
with the keyboard), attach an existing unplaced claim, answer an objection, collapse and focus the
outline, read each claim's standing in plain words, find a claim in the graph, and download the PDF
brief holding a CJK and an Arabic claim (its text read back with pdftotext).
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from arguments.models import ArgumentMap, Claim, ClaimKind, Evidence, Relation

from .test_reader_flow import SELECT_SENTENCE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
DOCUMENTS = [
    CORPUS / "phillips-2021-coalitions-of-the-willing.txt",
    CORPUS / "karlsrud-hofmann-reykers-2024-ad-hoc-coalitions.txt",
]
STANDINGS = {"Holds", "Challenged", "Contested", "Not yet examined"}
CJK = "联合国安理会需要改革"
ARABIC = "مجلس الأمن يحتاج إلى إصلاح"


def select_with_the_mouse(page) -> str:
    """Drag across a sentence on one line of the reader, as a person does, and return its words."""
    found = page.evaluate(SELECT_SENTENCE, ["first", 80])
    assert found, "no unhighlighted sentence on screen"
    page.evaluate("getSelection().removeAllRanges()")
    rect = found["rect"]
    y = rect["top"] + 6
    page.mouse.move(rect["left"] + 1, y)
    page.mouse.down()
    page.mouse.move(rect["left"] + 120, y, steps=5)
    page.mouse.up()
    words = page.evaluate("getSelection().toString()")
    assert words.strip()
    return words


def annotate(page, text: str, place: str, thesis: str, *, keyboard: bool) -> None:
    """Annotate the words on screen as a new claim placed under `thesis` ('supports' or 'opposes')."""
    if keyboard:
        assert page.evaluate(SELECT_SENTENCE, ["first", 80])
        page.keyboard.press("a")
    else:
        select_with_the_mouse(page)
        page.locator("#annotate-float").click()
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Claim (stated by the passage)").fill(text)
    if place:
        label = "it supports (pro) a claim of the map" if place == "supports" else "it opposes (con) a claim of the map"
        dialog.get_by_label(label).check()
        dialog.get_by_label("Find the claim it bears on").fill(" ".join(thesis.split()[:4]))
        dialog.get_by_role("radiogroup", name="The claim it bears on").get_by_role("radio", name=thesis).check()
    if keyboard:
        dialog.get_by_role("button", name="Save annotation").focus()
        page.keyboard.press("Enter")
    else:
        dialog.get_by_role("button", name="Save annotation").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#saved-badge")).to_be_visible()


def test_a_seminar_lead_builds_a_debate_from_nothing(live_server, browser, tmp_path, settings):
    settings.DEBUG = True
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    url = live_server.url

    # Sign up and start a map.
    page.goto(f"{url}/accounts/signup/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password", exact=True).fill("a long seminar password 42")
    page.get_by_label("Password confirmation").fill("a long seminar password 42")
    page.get_by_role("button", name=re.compile("Sign up|Create")).click()
    page.goto(f"{url}/maps/new/")
    page.get_by_label("Title").fill("Coalitions seminar")
    page.get_by_label("Question").fill("A first wording")
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.get_by_role("heading", name="Start the debate")).to_be_visible()
    argument_map = ArgumentMap.objects.get(title="Coalitions seminar")

    # The motion, edited in place, and two positions.
    page.get_by_role("link", name="Edit the motion").click()
    motion = "When the Security Council is gridlocked, states should act through coalitions."
    page.get_by_label("Motion", exact=True).fill(motion)
    page.get_by_role("button", name="Save the motion").click()
    expect(page.locator("#motion-text")).to_have_text(re.compile("gridlocked, states should act"))
    theses = ["Coalitions of the willing strengthen collective security", "Coalitions of the willing erode the UN"]
    for thesis in theses:
        page.get_by_label("Add a position on the motion (a thesis)").fill(thesis)
        page.get_by_role("button", name="Add thesis").click()
        expect(page.locator(".outline .node.thesis", has_text=thesis)).to_be_visible()

    # Two documents uploaded from the map page, with progress.
    page.get_by_role("link", name="Add sources").first.click()
    page.set_input_files("#id_files", [str(path) for path in DOCUMENTS])
    page.get_by_role("button", name="Upload into the map").click()
    expect(page.get_by_text(re.compile("added as"))).to_have_count(2, timeout=60_000)
    assert argument_map.map_sources.count() == 2

    # Six passages into pros and cons under the positions: three with the mouse, three with the keyboard.
    sources = [ms.source for ms in argument_map.map_sources.select_related("source").order_by("position", "id")]
    plan = [
        ("Coalitions act fast when the Council is deadlocked", "supports", theses[0], False),
        ("Ad hoc coalitions lack accountability", "opposes", theses[0], True),
        ("Coalitions keep diplomacy moving", "supports", theses[0], False),
        ("Coalitions bypass the Charter's rules", "supports", theses[1], True),
        ("The UN stays the channel of legitimacy", "supports", theses[1], False),
        ("Coalitions relieve an overstretched UN", "opposes", theses[1], True),
    ]
    for i, (text, place, thesis, keyboard) in enumerate(plan):
        source = sources[i % 2]
        page.goto(f"{url}/maps/{argument_map.slug}/sources/{source.slug}/")
        page.evaluate(f"window.scrollTo(0, {300 + 500 * i})")
        annotate(page, text, place, thesis, keyboard=keyboard)
    for text, place, thesis, _ in plan:
        claim = Claim.objects.get(map=argument_map, text=text)
        assert Relation.objects.filter(from_claim=claim, to_claim__text=thesis, kind=place).exists(), text
        assert Evidence.objects.filter(claim=claim, stance="states").exists(), text

    # A claim made from a passage without a place yet, then attached from the outline.
    page.goto(f"{url}/maps/{argument_map.slug}/sources/{sources[0].slug}/")
    page.evaluate("window.scrollTo(0, 3600)")
    annotate(page, "Coalitions are a diplomatic fallback", "", "", keyboard=False)
    page.goto(f"{url}/maps/{argument_map.slug}/")
    unplaced = page.locator(".unplaced .node", has_text="Coalitions are a diplomatic fallback")
    expect(unplaced).to_be_visible()
    unplaced.get_by_role("link", name=re.compile("Place")).click()
    page.get_by_label("Find a claim by its words").fill("strengthen collective")
    page.get_by_label("supports (pro)").check()
    page.get_by_role("button", name="Attach").click()
    expect(page.locator(".unplaced")).to_have_count(0)
    fallback = Claim.objects.get(text="Coalitions are a diplomatic fallback")
    assert Relation.objects.filter(from_claim=fallback, to_claim__text=theses[0], kind="supports").exists()

    # An objection answered in place, and two claims in other scripts for the brief.
    objection = page.locator(".node:not(.thesis)", has_text="Ad hoc coalitions lack accountability").first
    objection.locator("> details.respond > summary").click()
    form = objection.locator("> details.respond form")
    form.get_by_label("New claim in reply to this one").fill("Coalition members report to their parliaments")
    form.get_by_label("Opposes it").check()
    form.get_by_role("button", name="Add claim").click()
    expect(page.locator(".claim-text", has_text="Coalition members report to their parliaments")).to_be_visible()
    for words, parent, kind in ((CJK, theses[1], "Supports it"), (ARABIC, theses[0], "Opposes it")):
        node = page.locator(".outline > .node.thesis", has_text=parent)
        node.locator("> details.respond > summary").click()
        form = node.locator("> details.respond form")
        form.get_by_label("New claim in reply to this one").fill(words)
        form.get_by_label(kind).check()
        form.get_by_role("button", name="Add claim").click()
        expect(page.locator(".claim-text", has_text=words)).to_be_visible()

    # Collapse, open again, focus; every claim says where it stands in plain words.
    page.goto(f"{url}/maps/{argument_map.slug}/")
    first_thesis = page.locator(".outline > .node.thesis").first
    page.get_by_role("button", name="Collapse all").click()
    expect(first_thesis.locator("> ul.children")).to_be_hidden()
    first_thesis.locator("> .claim-box .expander").click()
    expect(first_thesis.locator("> ul.children")).to_be_visible()
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator(".claim-text", has_text="Coalition members report to their parliaments")).to_be_visible()
    labels = page.locator(".outline .node .standing-label").all_inner_texts()
    assert len(labels) >= 12 and set(labels) <= STANDINGS, labels
    body = page.locator("body").inner_text()
    assert "Rejected" not in body and "Accepted" not in body
    page.locator(".node:not(.thesis)", has_text="Ad hoc coalitions lack accountability").first.locator(
        "> .claim-box .focus-link"
    ).click()
    expect(page.locator("#focus-text")).to_have_text("Ad hoc coalitions lack accountability")
    expect(page.locator(".focus-up")).to_contain_text(theses[0])
    cons = page.locator("section[aria-labelledby=focus-cons]")
    expect(cons).to_contain_text("Coalition members report to their parliaments")
    expect(page.locator(".focus-claim .standing-label")).to_have_text("Challenged")

    # The graph finds a claim by its words.
    page.goto(f"{url}/maps/{argument_map.slug}/graph/")
    page.get_by_label("Find a claim", exact=True).fill("parliaments")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.locator("#graph-find-status")).to_contain_text(re.compile("1|found", re.I))

    # The PDF brief carries both scripts.
    page.goto(f"{url}/maps/{argument_map.slug}/brief/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "brief.pdf"
    download.value.save_as(pdf)
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is installed by .ci/run"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    flat = re.sub(r"\s+", "", text.stdout)
    assert re.sub(r"\s+", "", CJK) in flat
    assert all(word in text.stdout or word[::-1] in text.stdout for word in ("مجلس", "الأمن")), text.stdout[-800:]
    assert Claim.objects.filter(map=argument_map, kind=ClaimKind.THESIS).count() == 2
    assert errors == []
    context.close()
