"""The canonical text: how any extracted document text becomes the text passages point into.

Rules, in order: Unicode NFC; line endings to \n; form feeds (page breaks) to blank lines;
white space trimmed at both ends of every line; blocks separated by blank lines are paragraphs,
and a paragraph cut in two by a page break (no closing punctuation, next block starts in lower
case) is mended; inside a paragraph, soft-wrapped lines are joined with a space, words hyphenated
across a line end are rejoined, and list items keep their own lines. Paragraphs are separated by
exactly one blank line; runs of spaces fold to one.
"""

import re
import unicodedata

# Characters that can end a paragraph; a block ending in anything else continues on the next one
# when that one starts in lower case (a page break fell mid-sentence).
PARAGRAPH_END = set(".!?:;\"”’)]…*")
LIST_ITEM = re.compile(r"^(?:[-*•‣◦]\s|\d{1,3}[.)]\s|[a-z][.)]\s)")
DASHES_JOINED_TIGHT = ("—", "–", "/")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u00ad\u200b\ufeff]")  # soft hyphens, zero-width spaces, stray BOMs


def normalise(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = INVISIBLE.sub("", text)
    text = SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    blocks = _blocks(lines)
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
    return {m.group(0).lower() for line in lines for m in re.finditer(r"\w+-\w+", line)}


def _join_lines(block: list[str], hyphenated: set[str]) -> str:
    out = block[0]
    for line in block[1:]:
        if LIST_ITEM.match(line):
            out += "\n" + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[0].islower():
            head = re.search(r"(\w+)-$", out)
            tail = re.match(r"\w+", line)
            compound = f"{head.group(1)}-{tail.group(0)}".lower() if head and tail else ""
            if compound in hyphenated or (head and not head.group(1)[-1].islower()):
                out += line  # a real hyphen, as in 'self-interest' or 'UN-mandated'
            else:
                out = out[:-1] + line
        elif out.endswith(DASHES_JOINED_TIGHT):
            out += line
        else:
            out += " " + line
    return out
