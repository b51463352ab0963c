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

# Characters that can end a paragraph; a block ending in anything else continues on the next one
# when that one starts in lower case (a page break fell mid-sentence).
PARAGRAPH_END = set('.!?:;"”’)]…*')
LIST_ITEM = re.compile(r"^(?:[-*•‣◦]\s|\d{1,3}[.)]\s|[a-z][.)]\s)")
DASHES_JOINED_TIGHT = ("—", "–", "/")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Starts only at the beginning of a word: tried from inside one, the pattern backtracks over the rest of
# the word at every position, which is quadratic on a long run of letters (a base64 blob, say).
COMPOUND = re.compile(r"(?<!\w)\w+-\w+")
# How much of a paragraph's end the line-joining rules look at; no word of prose is longer.
LONGEST_WORD = 100
INVISIBLE = re.compile(r"[\u00ad\u200b\ufeff]")  # soft hyphens, zero-width spaces, stray BOMs
# Vertical tabs (Word's manual line break in exported text), NEL and the Unicode separators.
OTHER_BREAKS = str.maketrans({"\v": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"})
# Any control character left after that carries no text, and PostgreSQL refuses NUL outright.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# PDFs often extract 'ﬁnancial' with a ligature character; nobody types that when quoting.
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


def normalise(raw: str, *, mend_page_breaks: bool = True) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = CONTROL.sub("", text.translate(OTHER_BREAKS)).translate(LIGATURES)
    text = INVISIBLE.sub("", text)
    text = SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    blocks = _blocks(lines)
    if mend_page_breaks:
        blocks = _mend_page_breaks(blocks)
    hyphenated = _inline_hyphenated_words(lines)
    paragraphs = [_join_lines(block, hyphenated) for block in blocks]
    return "\n\n".join(p for p in paragraphs if p)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Split at blank lines; a line in capitals (a heading) is a block of its own."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line:
            blocks.append([])
        elif _is_heading(line) or (blocks[-1] and _is_heading(blocks[-1][-1])):
            blocks.extend([[line]])
        else:
            blocks[-1].append(line)
    return [b for b in blocks if b]


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _mend_page_breaks(blocks: list[list[str]]) -> list[list[str]]:
    mended: list[list[str]] = []
    for block in blocks:
        if mended and _continues(mended[-1][-1], block[0]):
            mended[-1].extend(block)
        else:
            mended.append(list(block))
    return mended


def _continues(last_line: str, next_line: str) -> bool:
    if LIST_ITEM.match(next_line) or not next_line[0].islower() or _is_heading(last_line):
        return False
    return last_line[-1] not in PARAGRAPH_END


def _inline_hyphenated_words(lines: list[str]) -> set[str]:
    """Hyphenated compounds the document writes within a line (e.g. 'self-interest'), lower-cased.

    A line-end hyphen that joins the same two halves is kept: the word really has a hyphen.
    """
    return {m.group(0).lower() for line in lines for m in COMPOUND.finditer(line)}


def _join_lines(block: list[str], hyphenated: set[str]) -> str:
    # Pieces joined once at the end, and rules that look only at the tail of the text so far: slicing or
    # rebuilding the whole paragraph at every line would be quadratic on a long one.
    pieces = [block[0]]
    tail = block[0][-LONGEST_WORD:]
    for line in block[1:]:
        if LIST_ITEM.match(line):
            joint = "\n"
        elif tail.endswith("-") and len(tail) > 1 and tail[-2].isalnum() and line[0].isalnum():
            if not _keeps_hyphen(tail, line, hyphenated):
                pieces[-1], tail = pieces[-1][:-1], tail[:-1]
            joint = ""
        elif tail.endswith(DASHES_JOINED_TIGHT):
            joint = ""
        else:
            joint = " "
        pieces += [joint, line]
        tail = (tail + joint + line)[-LONGEST_WORD:]
    return "".join(pieces)


def _keeps_hyphen(text_end: str, line: str, hyphenated: set[str]) -> bool:
    """Whether a hyphen at a line end belongs to the text ('self-interest') or only to the layout ('fight-ing')."""
    before = re.search(r"\w+(?=-$)", text_end).group(0)
    after = re.match(r"\w+", line).group(0)
    if not line[0].islower() or not before[-1].islower():
        return True  # 'anti-American', 'COVID-19', 'UN-mandated': line breaking never splits a word there
    if any(c.isdigit() for c in before):
        return True  # '1990s-era', 'G7-led'
    return f"{before}-{after}".lower() in hyphenated
