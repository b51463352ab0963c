"""Markdown: rendered by markdown-it one block at a time, and the HTML read like any page, except raw HTML.

CommonMark passes raw HTML through as it stands, and to an HTML reader a literal `<script>`, `<style>`,
`<textarea>`, `<title>`, `<iframe>` or `<!--` in prose opens an element that swallows the rest of the document.
So raw HTML never reaches the HTML reader as markup, and no element can reach beyond the paragraph or HTML
block it stands in. An element whose content browsers hide (script, style, textarea, title, iframe, …) is
dropped with its content only when it closes in that same paragraph or block; otherwise its tags are mentions
in prose, kept as text. Every other tag is dropped, leaving a line or paragraph break where it is <br> or a block
element. Complete comments are dropped; an unclosed `<!--` is text, and so are declarations and processing
instructions (`<!DOCTYPE html>`, `<?php … ?>`), which in Markdown prose are mentions too.

markdown-it keeps a few hundred bytes per token, so inline content is parsed, rendered and let go block by block,
and the number of tokens and the time spent are bounded.
"""

import bisect
import re
from collections.abc import Iterator
from html import escape, unescape
from types import SimpleNamespace

from markdown_it import MarkdownIt
from markdown_it.common import html_re
from markdown_it.rules_block.html_block import HTML_SEQUENCES, html_block
from markdown_it.rules_core.text_join import text_join

from .common import Budget, IngestError, Raw, Removed, decode_text
from .frontmatter import split_front_matter
from .html import BLOCKS, HEADINGS, read_html

# Headings as people type them in plain text, which CommonMark does not take for headings: no space after the
# marks (`####Charter`), or marks escaped by a converter (`\\### Article 24`). A single `#` followed by a letter
# is a hashtag, and stays.
LOOSE_HEADING = re.compile(r"^[ \t]{0,3}(?:\\(#{1,6})[ \t]*|(#{2,6})(?=[^\s#]))", re.MULTILINE)
# A line in capitals ("CHAPTER I", "PURPOSES AND PRINCIPLES") inside a paragraph: in a text file it is a heading,
# which Markdown would run into the lines around it. At least four capital letters and no lower-case letter; not a
# line that starts a Markdown block (a heading, list item, quotation, table row, fence) or underlines a heading.
CAPITALS_LINE = re.compile(
    r"^(?![ \t]*(?:[#>|*+`~-]|\d+[.)]|={2,}))"  # not a line that starts a block
    r"[^\S\n]*(?=(?:[^a-z\n]*[A-Z]){4})[^a-z\n]+$",  # four capitals, no lower case
    re.MULTILINE,
)
SETEXT_UNDERLINE = re.compile(r"[ \t]*(?:=+|-+)[ \t]*")
# What the count of each removal is taken from: markdown-it's token types.
COUNTED = {
    "heading_open": "heading marks removed",
    "link_open": "links reduced to their text",
    "strong_open": "emphasis marks removed",
    "em_open": "emphasis marks removed",
    "s_open": "emphasis marks removed",
    "blockquote_open": "quotation marks (>) removed",
}

# Block tokens are all held until the end; inline tokens only for the block being rendered. Far beyond real
# documents (a long book has a few tens of thousands of paragraphs), and a few tens of megabytes at most.
MAX_BLOCK_TOKENS = 200_000
MAX_INLINE_TOKENS = 100_000
RULE_CALLS_BETWEEN_CLOCK_CHECKS = 10_000
# Rendered HTML goes to the HTML reader in pieces of about this many characters.
FEED_CHARS = 64 * 1024

# A tag, comment, processing instruction, declaration or CDATA section anywhere in a piece of raw HTML.
RAW_HTML = re.compile("|".join([html_re.open_tag, html_re.close_tag, html_re.comment, html_re.processing,
                                html_re.declaration, html_re.cdata]))  # fmt: skip
TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
# Elements whose content a browser never shows as the page's text: in Markdown prose their tags are mentions.
MENTIONED = {
    "script", "style", "textarea", "title", "iframe", "noscript", "noembed", "noframes", "xmp", "plaintext",
    "template",
}  # fmt: skip
# The HTML block kinds that only their closing sequence ends (<script>…</script>, <!--…-->, <?…?>, <!X…>, CDATA).
CLOSED_BY_SEQUENCE = HTML_SEQUENCES[:5]


def extract_markdown(data: bytes) -> Raw:
    """Markdown rendered to HTML, then read like HTML: markup vanishes, list items keep their lines."""
    front = split_front_matter(decode_text(data))
    removed = Removed()
    if front.fields:
        removed.add(f"front matter ({front.fields} fields) read into metadata")
    return markdown_text(front.text, removed, front.metadata)


def markdown_text(source: str, removed: Removed, metadata: dict | None = None) -> Raw:
    """Markdown source (front matter already split off) as text; what its markup was, counted into `removed`."""
    metadata = metadata or {}
    source = LOOSE_HEADING.sub(_heading_marks, source)
    source = _capitals_apart(source)
    budget = Budget("This Markdown file")
    env = {"budget": budget, "rule_calls": 0, "removed": removed}
    raw = read_html(_rendered(source, env), title_from=(HEADINGS,), budget=budget)
    return Raw(raw.text, metadata.get("title") or raw.title, paged=False, metadata=metadata, removed=removed.items())


def _capitals_apart(source: str) -> str:
    """Lines in capitals set apart by blank lines, so that each is a paragraph (a heading) of its own."""
    pieces, position = [], 0
    for match in CAPITALS_LINE.finditer(source):
        after = source[match.end() + 1 :].split("\n", 1)[0]
        if SETEXT_UNDERLINE.fullmatch(after) or not any(character.isalpha() for character in match.group()):
            continue  # "TITLE" over "=====" is already a heading
        pieces += [source[position : match.start()], "\n", match.group(), "\n"]
        position = match.end()
    pieces.append(source[position:])
    return "".join(pieces)


def _heading_marks(match: re.Match) -> str:
    return (match.group(1) or match.group(2)) + " "


def _rendered(source: str, env: dict) -> Iterator[str]:
    """The document's HTML in pieces: block tokens first, then each block's inline content parsed as it is rendered."""
    md = _markdown_it()
    removed = env["removed"]
    tokens = md.parse(source, env)  # block tokens only: the core rules that parse inline content are off
    renderer, options = md.renderer, md.options
    pieces: list[str] = []
    size = 0
    for index, token in enumerate(tokens):
        if token.type == "inline":
            md.inline.parse(token.content, md, env, token.children)
            for child in token.children:
                if child.type in COUNTED:
                    removed.add(COUNTED[child.type])
                elif child.type == "text_special" and child.info == "escape":
                    removed.add("escapes resolved")
            text_join(SimpleNamespace(tokens=[token]))
            children = token.children
            hidden = _closed_elements([_hiding_tag(child.content) if child.type == "html_inline" else None
                                       for child in children])  # fmt: skip
            shown = [child for position, child in enumerate(children) if position not in hidden]
            piece = renderer.renderInline(shown, options, env)
            token.children = None
        elif token.type in COUNTED:
            removed.add(COUNTED[token.type])
            piece = renderer.renderToken(tokens, index, options, env)
        elif token.type in renderer.rules:
            piece = renderer.rules[token.type](tokens, index, options, env)
        else:
            piece = renderer.renderToken(tokens, index, options, env)
        pieces.append(piece)
        size += len(piece)
        if size >= FEED_CHARS:
            yield "".join(pieces)
            pieces, size = [], 0
    yield "".join(pieces)


def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable(["inline", "text_join"])
    md.block.ruler.at("html_block", _closed_html_block, {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.before("table", "budget", _count_block_tokens)
    md.inline.ruler.before("text", "budget", _count_inline_tokens)
    md.add_render_rule("html_block", _raw_html_rule)
    md.add_render_rule("html_inline", _raw_html_rule)
    return md


def _closed_html_block(state, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's HTML block rule, except that a block only its closing sequence ends must have one.

    Unclosed, CommonMark runs such a block (a line starting with `<script>` or `<!--`, say) to the end of the
    document, and every paragraph, heading and list after it would be read as one piece of raw HTML. Refused
    here, the line starts an ordinary paragraph instead, and its tags are inline HTML.
    """
    count = len(state.tokens)
    if not html_block(state, start_line, end_line, silent):
        return False
    if silent:
        return True
    content = state.tokens[-1].content
    first_line = content.split("\n", 1)[0].lstrip()
    for opening, closing, _ in CLOSED_BY_SEQUENCE:
        if opening.search(first_line):
            if not closing.search(content):
                del state.tokens[count:]
                state.line = start_line
                return False
            break
    return True


def _count_block_tokens(state, start_line: int, end_line: int, silent: bool) -> bool:
    """A block rule that never matches: tried before every block, it bounds their number and the time taken."""
    if len(state.tokens) > MAX_BLOCK_TOKENS:
        raise IngestError(
            f"This Markdown file has more than {MAX_BLOCK_TOKENS:,} paragraphs, headings and list items "
            "(counting their opening and closing marks), far beyond any real document; split it into parts."
        )
    _tick(state.env)
    return False


def _count_inline_tokens(state, silent: bool) -> bool:
    """An inline rule that never matches: tried at every step through a paragraph, it bounds the tokens in it."""
    if len(state.tokens) > MAX_INLINE_TOKENS:
        raise IngestError(
            f"A paragraph of this Markdown file has more than {MAX_INLINE_TOKENS:,} pieces of formatting "
            "(emphasis, links, code), far beyond any real document; split it into parts."
        )
    _tick(state.env)
    return False


def _tick(env: dict) -> None:
    env["rule_calls"] += 1
    if env["rule_calls"] % RULE_CALLS_BETWEEN_CLOCK_CHECKS == 0:
        env["budget"].check_time()


def _raw_html_rule(renderer, tokens, index: int, options, env) -> str:
    token = tokens[index]
    return raw_html_as_text(token.content) if token.type == "html_block" else _tag_as_text(token.content)


def raw_html_as_text(markup: str) -> str:
    """An HTML block of a Markdown document as HTML that can hide nothing beyond it: text, and breaks for blocks."""
    pieces: list[tuple[bool, str]] = []  # (is a tag, comment or the like; its markup)
    position = 0
    for match in RAW_HTML.finditer(markup):
        pieces += [(False, markup[position : match.start()]), (True, match.group())]
        position = match.end()
    pieces.append((False, markup[position:]))
    hidden = _closed_elements([_hiding_tag(piece) if is_tag else None for is_tag, piece in pieces])
    return "".join(
        _tag_as_text(piece) if is_tag else escape(unescape(piece), quote=False)
        for position, (is_tag, piece) in enumerate(pieces)
        if position not in hidden
    )


def _hiding_tag(markup: str) -> tuple[str, bool] | None:
    """(name, is a closing tag) if `markup` is a tag of an element whose content browsers hide; else None."""
    match = TAG_NAME.match(markup)
    if match is None or match.group(1).lower() not in MENTIONED:
        return None
    return match.group(1).lower(), markup.startswith("</")


def _closed_elements(tags: list[tuple[str, bool] | None]) -> set[int]:
    """Positions of the pieces that hiding elements closed within the list cover, their tags included.

    `tags` has, for each piece, what _hiding_tag says of it. An opening tag without a closing one after it covers
    nothing (it will be shown as text).
    """
    closings: dict[str, list[int]] = {}
    for position, tag in enumerate(tags):
        if tag is not None and tag[1]:
            closings.setdefault(tag[0], []).append(position)
    hidden: set[int] = set()
    position = 0
    while position < len(tags):
        tag = tags[position]
        if tag is not None and not tag[1] and (after := closings.get(tag[0])):
            index = bisect.bisect_right(after, position)
            if index < len(after):
                hidden.update(range(position, after[index] + 1))
                position = after[index] + 1
                continue
        position += 1
    return hidden


def _tag_as_text(tag: str) -> str:
    name = TAG_NAME.match(tag)
    if name is None:
        # A comment hides a note on purpose; a declaration, processing instruction or CDATA section in Markdown
        # is a mention (<!DOCTYPE html>, <?php … ?>).
        return "" if tag.startswith("<!--") else escape(tag, quote=False)
    name = name.group(1).lower()
    if name in MENTIONED:
        return escape(tag, quote=False)  # a mention: an element that closes in its paragraph was dropped whole
    if name == "br":
        return "<br>"
    if name == "li":
        return "" if tag.startswith("</") else "<br>• "
    return "<br><br>" if name in BLOCKS else ""
