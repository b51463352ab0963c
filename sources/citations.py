"""Citations and bibliography entries in real CSL styles, formatted by citeproc-py.

The styles are the Citation Style Language project's own files, vendored in sources/csl/ (nothing is
fetched at run time). A source's citation depends only on its CSL-JSON item and the style, so each
(item, style) pair is formatted once and kept, in the process and in Django's cache (formatting one
entry takes tens of milliseconds, and a map page may cite the same source a hundred times).
"""

import hashlib
import json
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape
from pathlib import Path

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.model import CitationStylesElement, Label, Name, Parent
from citeproc.source.json import CiteProcJSON
from django.core.cache import cache
from django.utils.html import strip_tags

from .names import clean_names

CSL_DIR = Path(__file__).parent / "csl"
# key → (label, file). The key is what a map stores; the files are the CSL repository's.
STYLES: dict[str, tuple[str, str]] = {
    "chicago-author-date": ("Chicago (author-date, 18th edition)", "chicago-author-date.csl"),
    "apa": ("APA (7th edition)", "apa.csl"),
    "modern-language-association": ("MLA (9th edition)", "modern-language-association.csl"),
    "harvard-cite-them-right": ("Harvard (Cite Them Right, 12th edition)", "harvard-cite-them-right.csl"),
}
DEFAULT_STYLE = "chicago-author-date"
CACHE_SECONDS = 30 * 24 * 3600
STYLE_CHOICES = [(key, label) for key, (label, _) in STYLES.items()]

# Warrant's kinds as CSL item types.
CSL_TYPES = {
    "book": "book",
    "book_chapter": "chapter",
    "article": "article-journal",
    "op_ed": "article-newspaper",
    "policy_brief": "report",
    "report": "report",
    "web_page": "webpage",
    "other": "document",
}


@dataclass(frozen=True)
class Formatted:
    short: str  # the in-text citation without its brackets: "Karlsrud et al. 2024"
    entry: str  # the bibliography entry as plain text
    entry_html: str  # the same with the style's italics (escaped HTML)


def date_parts(published: str) -> list[int]:
    return [int(p) for p in (published or "").split("-") if p.isdigit()][:3]


def csl_item(source, item_id: str | None = None) -> dict:
    """A source as a CSL-JSON item (what reference managers exchange)."""
    item = {"id": item_id or source.slug or "item", "type": CSL_TYPES.get(source.kind, "document")}
    item["title"] = source.title
    names = clean_names(source.authors)
    if names:
        item["author"] = names
    fields = {
        "container-title": source.container_title,
        "publisher": source.publisher,
        "publisher-place": source.place,
        "URL": source.url,
        "ISBN": source.isbn,
        "DOI": source.doi,
        "language": source.language,
    }
    item.update({k: v for k, v in fields.items() if v})
    parts = date_parts(source.published)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    return item


def style_key(style: str | None) -> str:
    return style if style in STYLES else DEFAULT_STYLE


_name_option = Name.get_option


def _get_option(self, name, context=None, sort_options=None):
    # CSL 1.0.1's initialize="false" ("keep given names whole", as MLA and Chicago do) is unknown to
    # citeproc-py, which would abbreviate "David L." to "D. L." because the style sets initialize-with.
    if name == "initialize-with" and self.get("initialize") == "false":
        return None
    return _name_option(self, name, context=context, sort_options=sort_options)


Name.get_option = _get_option

_label_process = Label.process


def _label(self, item, variable=None, plural=None, context=None, **kwargs):
    # A label is printed only beside its variable (CSL 1.0.1); citeproc-py prints "Edition." alone.
    named = variable or self.get("variable")
    if named not in (None, "locator") and named.replace("-", "_") not in item.reference:
        return None
    return _label_process(self, item, variable=variable, plural=plural, context=context, **kwargs)


Label.process = _label

# citeproc-py finds a macro by an XPath search over the whole style each time it is used: half the
# time of formatting an entry in Chicago's 3,000-line style. The styles stay loaded (below), so
# each macro is looked up once. The root is kept in the value so that its id is never reused.
_macros: dict[tuple[int, str], tuple] = {}


def _get_macro(self, name):
    root = self.get_root()
    found = _macros.get((id(root), name))
    if found is None or found[0] is not root:
        found = _macros[(id(root), name)] = (root, _find_macro(self, name))
    return found[1]


_find_macro = CitationStylesElement.get_macro
CitationStylesElement.get_macro = _get_macro

# Whether a group or macro calls a variable depends on the style alone, yet citeproc-py walks the
# subtree again for every entry.
_calls: dict[int, tuple] = {}
_parent_calls_variable = Parent.calls_variable


def _calls_variable(self):
    found = _calls.get(id(self))
    if found is None or found[0] is not self:
        found = _calls[id(self)] = (self, _parent_calls_variable(self))
    return found[1]


Parent.calls_variable = _calls_variable


@lru_cache(maxsize=len(STYLES))
def _style(key: str) -> CitationStylesStyle:
    return CitationStylesStyle(str(CSL_DIR / STYLES[key][1]), validate=False)


def format_source(source, style: str | None = None) -> Formatted:
    """The source's short citation and bibliography entry in `style` (the default when unknown)."""
    item = csl_item(source, "item")
    return _format(json.dumps(item, sort_keys=True), style_key(style))


@lru_cache(maxsize=8192)
def _format(item_json: str, key: str) -> Formatted:
    # Kept in the process (above) and in Django's cache, which is Redis shared by every app process
    # in production: a source is formatted once per metadata and style, not once per process.
    cache_key = f"citation:{key}:{hashlib.sha256(item_json.encode()).hexdigest()}"
    formatted = cache.get(cache_key)
    if formatted is None:
        formatted = _compute(json.loads(item_json), key)
        cache.set(cache_key, formatted, CACHE_SECONDS)
    return formatted


def _compute(item: dict, key: str) -> Formatted:
    if "author" not in item:
        # An anonymous work is cited by its title. citeproc-py substitutes the title for the missing
        # author but does not then suppress it where the style prints the title, so the entry would
        # carry it twice ("A note. (2020). A note."): the title is given as the author instead.
        item["author"] = [{"literal": item.pop("title")}]
    short = _run(item, key, formatter.plain, cite=True)
    # citeproc-py's HTML output adds its own tags (<i>) but passes field text through as it is, so
    # the fields go in escaped; the plain entry is the same text without the tags.
    entry_html = _tidy(_run(_escaped(item), key, formatter.html, cite=False))
    entry = _tidy(unescape(strip_tags(entry_html)))
    return Formatted(short=_unbracket(short), entry=entry, entry_html=entry_html)


def _escaped(value):
    if isinstance(value, str):
        return escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("id", "issued") else _escaped(v) for k, v in value.items()}
    return value


def _run(item: dict, key: str, output, *, cite: bool) -> str:
    bibliography = CitationStylesBibliography(_style(key), CiteProcJSON([item]), output)
    citation = Citation([CitationItem(item["id"])])
    bibliography.register(citation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc warns about CSL features it skips
        if cite:
            return str(bibliography.cite(citation, lambda _item: None))
        return "".join(str(entry) for entry in bibliography.bibliography())


def _unbracket(text: str) -> str:
    text = text.strip()
    if text[:1] in "([" and text[-1:] in ")]":
        return text[1:-1].strip()
    return text


def _tidy(text: str) -> str:
    # citeproc-py leaves doubled punctuation where a field already ends in it ("Jr.." / "?.").
    return re.sub(r"([.?!])\.", r"\1", " ".join(text.split()))
