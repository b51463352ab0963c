"""One extractor per document format: bytes in, raw text and a title hint out.

The raw text still has its line breaks, hyphenation and page breaks; sources.ingest passes it through the
normaliser. Extractors mark structure the way the normaliser reads it: a blank line between paragraphs, a
form feed between PDF pages, list items on lines of their own that start with a marker ("• ", "3. ").

A file may be other than its extension says: a .txt is sniffed for front matter, Markdown and wikitext (sniff.py),
and page furniture of printed text is dropped (pages.py). Raw carries what the file states about itself (front
matter) and what was taken out of its text, counted, for the person who uploaded it (common.describe).

Every extractor reads within bounds (common.Budget and each format's own limits), so that no upload, however
crafted, holds a worker for long or makes it grow by more than a little; crossing a bound raises IngestError.
"""

from .common import IngestError, Raw
from .html import extract_html
from .markdown import extract_markdown
from .pdf import extract_pdf
from .text import decode_text, extract_txt
from .word import extract_docx

__all__ = [
    "IngestError",
    "Raw",
    "decode_text",
    "extract_docx",
    "extract_html",
    "extract_markdown",
    "extract_pdf",
    "extract_txt",
]
