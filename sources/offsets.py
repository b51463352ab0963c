"""Offsets in UTF-16 code units (what browsers count) and in code points (what Python and Passage count).

The two agree until the first character outside the Basic Multilingual Plane (an emoji, a rare CJK
ideograph): each such "astral" character is one code point but two UTF-16 units (a surrogate pair),
so every offset after it differs by one more. Only the astral characters matter, so an index keeps
their positions and converts any offset with a binary search instead of re-encoding the text.
"""

import re
from bisect import bisect_left

ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Index:
    """Converts offsets of one text between code points and UTF-16 units in O(log k), k astral characters."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # Code-point positions of the astral characters, and where each one starts in UTF-16 units.
        self.astral = [m.start() for m in ASTRAL.finditer(text)]
        self.astral16 = [pos + k for k, pos in enumerate(self.astral)]
        self.length16 = self.length + len(self.astral)

    def to_utf16(self, offset: int) -> int:
        if not 0 <= offset <= self.length:
            raise ValueError(f"Offset {offset} is outside the text (0–{self.length} code points).")
        return offset + bisect_left(self.astral, offset)

    def to_codepoints(self, offset16: int) -> int:
        if not 0 <= offset16 <= self.length16:
            raise ValueError(f"Offset {offset16} is outside the text (0–{self.length16} UTF-16 units).")
        # Astral characters starting before offset16; the last of them may be cut in half by it.
        before = bisect_left(self.astral16, offset16)
        if before and self.astral16[before - 1] + 1 == offset16:
            raise ValueError(f"Offset {offset16} falls inside a surrogate pair (between the halves of one character).")
        return offset16 - before


def codepoints_to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset of code-point offset `offset` in `text`."""
    return Utf16Index(text).to_utf16(offset)


def utf16_to_codepoints(text: str, offset16: int) -> int:
    """The code-point offset of UTF-16 offset `offset16` in `text`.

    Raises ValueError when the offset is out of range or splits a surrogate pair.
    """
    return Utf16Index(text).to_codepoints(offset16)
