"""A seminar lead prints the demo map's debate brief to PDF in Chromium; the citations are in it."""

import io

import pytest
from pypdf import PdfReader

from arguments.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_printed_brief_carries_full_citations(live_server, page, settings):
    settings.DEBUG = True
    demo = load_demo(password="browser-pass").map
    page.goto(f"{live_server.url}/maps/{demo.slug}/brief/?side=against")
    page.emulate_media(media="print")
    assert not page.locator(".brief-toolbar").is_visible()  # the print stylesheet hides the controls
    pdf = page.pdf(format="A4", print_background=False)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Debate brief: Multilateralism and coalitions of the willing" in text
    assert "The case against" in text and "The case for" not in text
    for citation in [
        "Coicaud, Jean-Marc. 2007.",
        "Karlsrud, John, Stephanie C. Hofmann, and Yf Reykers. 2024.",
    ]:
        assert citation in text
