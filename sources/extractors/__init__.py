"""One extractor per document format: bytes in, raw text and a title hint out.

The raw text still has its line breaks, hyphenation and page breaks; sources.ingest passes it through the
normaliser. Extractors mark structure the way the normaliser reads it: a blank line between paragraphs, a
form feed between PDF pages, list items on lines of their own that start with a marker ("• ", "3. ").

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
