"""The sentences of a canonical text, as code-point spans: the units that suggestions point at.

Each line of the canonical text is split on its own (paragraphs are separated by blank lines and soft
wraps are already joined, so a line break inside a paragraph is a real one: a list item or a heading).
pysbd does the splitting: a rule-based splitter that keeps "e.g.", "U.N.", "Art. 51" and "et al."
inside their sentences and ends a sentence before a footnote number ("intervention.1 Iraq is …").
Headings, captions and reference fragments are too short to be evidence and are left out.
"""

import re

import pysbd

# A sentence needs this many words to be worth suggesting as evidence.
MIN_WORDS = 6
LINE = re.compile(r"[^\n]+")
WORD = re.compile(r"\w+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of `text` with at least MIN_WORDS words, in order, in code points.

    `text[start:end]` is the sentence without surrounding white space; spans never overlap.
    """
    # A segmenter keeps the text it is working on, so each call gets its own (threads may share nothing).
    segmenter = pysbd.Segmenter(language="en", clean=False)
    spans = []
    for line in LINE.finditer(text):
        spans.extend(_spans_in_line(segmenter, line.group(), line.start()))
    return spans


def _spans_in_line(segmenter: pysbd.Segmenter, line: str, offset: int) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for piece in segmenter.segment(line):
        sentence = piece.strip()
        if not sentence:
            continue
        # pysbd returns strings, not offsets (its own offset option searches the whole text again for
        # every sentence); with clean=False each one is a piece of the line, found in order.
        start = line.find(sentence, cursor)
        if start < 0:
            continue
        cursor = start + len(sentence)
        if len(WORD.findall(sentence)) >= MIN_WORDS:
            spans.append((offset + start, offset + cursor))
    return spans
