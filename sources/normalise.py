"""The canonical text: how any extracted document text becomes the text passages point into.

Rules, in order: Unicode NFC; line endings to \n; form feeds (page breaks) to blank lines;
white space trimmed at both ends of every line; blocks separated by blank lines are paragraphs,
and a paragraph cut in two by a page break (no closing punctuation, next block starts in lower
case) is mended; inside a paragraph, soft-wrapped lines are joined with a space, words hyphenated
across a line end are rejoined, and list items keep their own lines. Paragraphs are separated by
exactly one blank line; runs of spaces fold to one. Control characters are dropped (other line
and paragraph separators count as line breaks) and typographic ligatures (ﬁ, ﬂ) are spelled out.

Mending page breaks suits text that was laid out on pages (PDF, text extracted from print). Formats
that mark their paragraphs explicitly (HTML, Markdown, DOCX) pass mend_page_breaks=False, so that a
heading or list item without closing punctuation is not run into a paragraph starting in lower case.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator

# Characters that can end a paragraph; a block ending in anything else continues on the next one
# when that one starts in lower case (a page break fell mid-sentence).
PARAGRAPH_END = set('.!?:;"”’)]…*')
LIST_ITEM = re.compile(r"^(?:[-*•‣◦]\s|\d{1,3}[.)]\s|[a-z][.)]\s)")
DASHES_JOINED_TIGHT = ("—", "–", "/")
# Starts only at the beginning of a word: tried from inside one, the pattern backtracks over the rest of
# the word at every position, which is quadratic on a long run of letters (a base64 blob, say).
COMPOUND = re.compile(r"(?<!\w)\w+-\w+")
# How much of a paragraph's end the line-joining rules look at; no word of prose is longer.
LONGEST_WORD = 100
# Every rule that maps one character to something else, as one translation table. Regular expressions
# would do the same but keep a piece per match, and a document can have millions of them (a space
# between every two words).
CHARACTERS = str.maketrans(
    {
        # Any control character carries no text, and PostgreSQL refuses NUL outright.
        **dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)]),
        # Vertical tabs (Word's manual line break in exported text), NEL and the Unicode separators.
        "\v": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n",
        # PDFs often extract 'ﬁnancial' with a ligature character; nobody types that when quoting.
        "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
        # Soft hyphens, zero-width spaces, stray BOMs.
        "\u00ad": None, "\u200b": None, "\ufeff": None,
        # Spaces of every width become plain ones (and runs of them one).
        **dict.fromkeys(["\t", "\u00a0", *map(chr, range(0x2000, 0x200B)), "\u202f", "\u205f", "\u3000"], " "),
    }
)  # fmt: skip
# Output is gathered in pieces and joined this many at a time, so that millions of short lines or
# paragraphs never sit in one list.
PIECES_PER_CHUNK = 10_000


def normalise(raw: str, *, mend_page_breaks: bool = True) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = text.translate(CHARACTERS)
    while "  " in text:
        text = text.replace("  ", " ")
    # Hyphenated compounds the document writes within a line (e.g. 'self-interest'), lower-cased: a line-end
    # hyphen that joins the same two halves is kept, since the word really has a hyphen.
    hyphenated = {match.group(0).lower() for match in COMPOUND.finditer(text)}
    lines = _lines(text)
    del text  # the lines are read once; the text goes as soon as they are
    return _paragraphs(lines, hyphenated, mend_page_breaks)


def _lines(text: str) -> Iterator[str]:
    start = 0
    while (end := text.find("\n", start)) != -1:
        yield text[start:end].strip()
        start = end + 1
    yield text[start:].strip()


def _paragraphs(lines: Iterable[str], hyphenated: set[str], mend_page_breaks: bool) -> str:
    """Lines into paragraphs, read in one pass.

    Blank lines end a block, and a line in capitals (a heading) is a block of its own. A block cut from the
    one before by a page break (see _continues) is mended onto it. Within a paragraph, lines are joined by
    _joint; paragraphs are separated by exactly one blank line.
    """
    out = _Pieces()
    last = ""  # the last line written ("" before the first)
    last_is_heading = after_blank = False
    for line in lines:
        if not line:
            after_blank = True
            continue
        is_heading = _is_heading(line)
        new_block = after_blank or is_heading or last_is_heading
        if not last:
            out.add(line)
        elif new_block and not (mend_page_breaks and _continues(last, line)):
            out.add("\n\n")
            out.add(line)
        else:
            joint = _joint(out, line, hyphenated)
            out.add(joint)
            out.add(line)
        last, last_is_heading, after_blank = line, is_heading, False
    return out.text()


class _Pieces:
    """Text gathered piece by piece; the last piece can still be changed."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.pieces: list[str] = []
        self.tail = ""  # the last LONGEST_WORD characters written

    def add(self, piece: str) -> None:
        self.pieces.append(piece)
        self.tail = (self.tail + piece)[-LONGEST_WORD:]
        if len(self.pieces) > PIECES_PER_CHUNK:
            self.chunks.append("".join(self.pieces[:-1]))
            del self.pieces[:-1]

    def drop_last_character(self) -> None:
        self.pieces[-1] = self.pieces[-1][:-1]
        self.tail = self.tail[:-1]

    def text(self) -> str:
        self.chunks.append("".join(self.pieces))
        self.pieces = []
        return "".join(self.chunks)


def _is_heading(line: str) -> bool:
    """At least four letters, all capitals."""
    letters = 0
    for character in line:
        if character.isalpha():
            if not character.isupper():
                return False
            letters += 1
    return letters >= 4


def _continues(last_line: str, next_line: str) -> bool:
    if LIST_ITEM.match(next_line) or not next_line[0].islower() or _is_heading(last_line):
        return False
    return last_line[-1] not in PARAGRAPH_END


def _joint(out: _Pieces, line: str, hyphenated: set[str]) -> str:
    """What joins `line` to the paragraph so far: a line break before a list item, nothing after a dash or a
    hyphen that only the layout put there (which is then dropped), a space otherwise.

    The rules look only at the tail of the text so far: looking at the whole paragraph at every line would be
    quadratic on a long one.
    """
    tail = out.tail
    if LIST_ITEM.match(line):
        return "\n"
    if tail.endswith("-") and len(tail) > 1 and tail[-2].isalnum() and line[0].isalnum():
        if not _keeps_hyphen(tail, line, hyphenated):
            out.drop_last_character()
        return ""
    if tail.endswith(DASHES_JOINED_TIGHT):
        return ""
    return " "


def _keeps_hyphen(text_end: str, line: str, hyphenated: set[str]) -> bool:
    """Whether a hyphen at a line end belongs to the text ('self-interest') or only to the layout ('fight-ing')."""
    before = re.search(r"\w+(?=-$)", text_end).group(0)
    after = re.match(r"\w+", line).group(0)
    if not line[0].islower() or not before[-1].islower():
        return True  # 'anti-American', 'COVID-19', 'UN-mandated': line breaking never splits a word there
    if any(c.isdigit() for c in before):
        return True  # '1990s-era', 'G7-led'
    return f"{before}-{after}".lower() in hyphenated
