"""Wikitext (MediaWiki's markup) as text: headings become paragraphs, links keep their text, emphasis goes."""

import re

from .common import Removed

HEADING_LINE = re.compile(r"^[ \t]*(?:(={1,6})[ \t]*[^=\s][^=\n]*?[ \t]*\1[ \t]*)+$", re.MULTILINE)
HEADING = re.compile(r"(={1,6})[ \t]*([^=\s][^=\n]*?)[ \t]*\1")
LINK = re.compile(r"\[\[(?:[^\]|\n]*\|)?([^\]\n]*)\]\]")
EXTERNAL_LINK = re.compile(r"\[https?://[^\s\]]+[ \t]+([^\]\n]+)\]")
EMPHASIS = re.compile(r"'{2,5}")


def wikitext_text(text: str, removed: Removed) -> tuple[str, str]:
    """The text without wiki markup, and its title: the first top-level heading (`= Title =`), if any."""
    headings = 0
    title = ""

    def paragraphs(match: re.Match) -> str:
        nonlocal headings
        # Several headings may share a line when a copy lost its line breaks: each is a paragraph.
        nonlocal title
        found = [heading.group(2) for heading in HEADING.finditer(match.group(0))]
        if not title and match.group(0).strip().startswith("=") and not match.group(0).strip().startswith("=="):
            title = found[0]
        headings += len(found)
        return "\n\n" + "\n\n".join(found) + "\n\n"

    text = HEADING_LINE.sub(paragraphs, text)
    removed.add("wiki headings made paragraphs", headings)
    text, links = LINK.subn(r"\1", text)
    text, external = EXTERNAL_LINK.subn(r"\1", text)
    text, emphasis = EMPHASIS.subn("", text)
    removed.add("wiki links and emphasis removed", links + external + emphasis)
    return text, title
