"""Plain text, or what a .txt file really is: front matter, Markdown and wikitext are recognised and read as such.

A .txt file may be Markdown exported from a notes tool, a page copied out of a wiki, or OCR output with page
numbers and running headers; sources.extractors.sniff tells which from the text itself. Front matter becomes
metadata; Markdown goes the .md way; wiki headings become paragraphs; page furniture is dropped. Plain text
otherwise passes as it is (the normaliser does the rest).
"""

from .common import Raw, Removed, decode_text
from .frontmatter import split_front_matter
from .markdown import markdown_text
from .pages import drop_page_furniture
from .sniff import MARKDOWN, WIKITEXT, sniff
from .wikitext import wikitext_text

__all__ = ["decode_text", "extract_txt"]


def extract_txt(data: bytes) -> Raw:
    front = split_front_matter(decode_text(data))
    removed = Removed()
    if front.fields:
        removed.add(f"front matter ({front.fields} fields) read into metadata")
    kind = sniff(front.text)
    if kind == MARKDOWN:
        return markdown_text(front.text, removed, front.metadata)
    text = front.text
    # OCR output: the pages it was read from are form feeds, or only the page numbers left between paragraphs.
    pages = drop_page_furniture([page.split("\n") for page in text.split("\f")], removed)
    text = "\f".join("\n".join(lines) for lines in pages)
    paged, title = True, front.metadata.get("title", "")
    if kind == WIKITEXT:
        text, wiki_title = wikitext_text(text, removed)
        title = title or wiki_title
        paged = False  # headings have no closing punctuation, and must not be mended into what follows
    return Raw(text, title, paged=paged, metadata=front.metadata, removed=removed.items())
