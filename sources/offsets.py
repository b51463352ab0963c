"""Offsets in UTF-16 code units (what browsers count) and in code points (what Python and Passage count).

The two agree until the first character outside the Basic Multilingual Plane (an emoji, a rare CJK
ideograph): each such "astral" character is one code point but two UTF-16 units (a surrogate pair),
so every offset after it differs by one more. Only the astral characters matter, so an index keeps
their positions and converts any offset with a binary search instead of re-encoding the text.
"""

import re
import zlib
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


# ------------------------------------------------------------------------------ original → canonical


# Files up to this many characters are mapped through a diff (about a second for a million characters of
# hard-wrapped text); longer ones by a linear walk (about 4 s for ten million, where the diff takes 27 s),
# which can be led astray by markup that repeats the text (an HTML attribute quoting a heading).
DIFF_UP_TO = 1_000_000
# The walk's ways of finding its place again after the texts part: (characters of the canonical text to
# look for, how far ahead in the original), in groups; the nearest place any way of a group finds wins,
# and the far search (front matter, an HTML head) only runs when the near ones find nothing. And how many
# canonical characters the import may have put where the original had something else (a space for a
# line break, "fi" for "ﬁ").
RESYNC = (((12, 2_000), (4, 200)), ((32, 1_000_000),))
MOST_INSERTED = 8
STRIDE = 16


class OriginalOffsets:
    """Carries code-point offsets in an uploaded file's text to the canonical text made from it.

    The import changes more than white space (line ends, hyphens at line ends, markup, front matter),
    so offsets into the original drift from the canonical ones as a document goes on. The map is a diff
    of the two texts (sources.anchoring.diff) kept as its runs: (original start, canonical start,
    length) for each stretch the two share, one for one; what lies between runs was dropped, added or
    rewritten by the import. A stretch replaced by as many characters (a line break by a space) counts
    as shared, which keeps the list short: a few numbers per line of the original.
    """

    HEADER = 3  # revision, original length, canonical length

    def __init__(self, runs: list[tuple[int, int, int]], original_length: int, canonical_length: int, revision: int):
        self.runs = runs
        self.original_length = original_length
        self.canonical_length = canonical_length
        self.revision = revision
        self._keys = [run[0] for run in runs]
        self._canonical_keys = [run[1] for run in runs]

    @classmethod
    def between(cls, original: str, canonical: str, *, revision: int = 1) -> "OriginalOffsets":
        """The map from `original` to `canonical`: from their diff, or for a file too long to diff in a
        moment, from a linear walk along both (see _walk)."""
        runs = _diff_runs(original, canonical) if len(original) <= DIFF_UP_TO else _walk(original, canonical)
        return cls(runs, len(original), len(canonical), revision)

    def to_bytes(self) -> bytes:
        import numpy as np

        numbers = [self.revision, self.original_length, self.canonical_length, *(n for run in self.runs for n in run)]
        # Runs follow the lines of the file, so the numbers repeat their steps and compress well.
        return zlib.compress(np.asarray(numbers, dtype="<u4").tobytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> "OriginalOffsets":
        import numpy as np

        numbers = np.frombuffer(zlib.decompress(bytes(data)), dtype="<u4").tolist()
        revision, original_length, canonical_length = numbers[: cls.HEADER]
        flat = numbers[cls.HEADER :]
        runs = [tuple(flat[k : k + 3]) for k in range(0, len(flat), 3)]
        return cls(runs, original_length, canonical_length, revision)

    def _run_before(self, offset: int) -> tuple[int, int, int] | None:
        k = bisect_left(self._keys, offset + 1) - 1
        return self.runs[k] if k >= 0 else None

    def start(self, offset: int) -> int:
        """Where the original's character at `offset` went; if the import dropped it, where the next kept one went."""
        self._check(offset)
        run = self._run_before(offset)
        if run is None:
            return 0
        o, c, n = run
        return c + min(offset - o, n)

    def end(self, offset: int) -> int:
        """Where the canonical text ends a span that ends at `offset` in the original."""
        self._check(offset)
        if offset == 0:
            return 0
        if offset == self.original_length:
            return self.canonical_length
        k = bisect_left(self._keys, offset) - 1  # the last run starting before the span's last character
        if k < 0:
            return 0
        o, c, n = self.runs[k]
        if offset - o > n and k + 1 < len(self.runs) and self.runs[k + 1][0] == offset:
            # The span takes in all the import rewrote here ("&amp;" became "&"): so does its end.
            return self.runs[k + 1][1]
        return c + min(offset - o, n)

    def to_original(self, offset: int) -> int:
        """The inverse, for telling a client where canonical words stand in its file."""
        k = bisect_left(self._canonical_keys, offset + 1) - 1
        if k < 0:
            return 0
        o, c, n = self.runs[k]
        return o + min(offset - c, n)

    def _check(self, offset: int) -> None:
        if not 0 <= offset <= self.original_length:
            raise ValueError(f"Offset {offset} is outside the original file's text (0–{self.original_length}).")


def original_text(original_format: str, data: bytes | memoryview | None) -> str | None:
    """The uploaded file as text, decoded as the import decoded it; None for PDF and Word files (their
    bytes have no character offsets a client could count) and when nothing was kept."""
    from .extractors import IngestError, decode_text
    from .extractors.html import decode_html

    decoders = {"txt": decode_text, "md": decode_text, "html": decode_html}
    if original_format not in decoders or not data:
        return None
    try:
        return decoders[original_format](bytes(data))
    except IngestError:
        return None


def offsets_for_import(original_format: str, data: bytes, canonical: str) -> bytes:
    """What Source.original_offsets stores for a new source (revision 1): b"" when there is no text file."""
    original = original_text(original_format, data)
    return b"" if original is None else OriginalOffsets.between(original, canonical).to_bytes()


def original_offsets(source) -> tuple[str, OriginalOffsets] | None:
    """A source's original text and the map from it to the source's current text, or None if it has none.

    The stored map serves while the text is the one it was made for; after an edit (or for a source
    imported before maps were kept) it is made again from the original and stored for next time.
    """
    original = original_text(source.original_format, source.original)
    if original is None:
        return None
    stored = bytes(source.original_offsets or b"")
    if stored:
        offsets = OriginalOffsets.from_bytes(stored)
        if offsets.revision == source.revision and offsets.canonical_length == len(source.text):
            return original, offsets
    offsets = OriginalOffsets.between(original, source.text, revision=source.revision)
    # Only if the text is still the one just mapped: a concurrent edit will map its own.
    type(source).objects.filter(pk=source.pk, revision=source.revision).update(original_offsets=offsets.to_bytes())
    return original, offsets


def _add_run(runs: list[tuple[int, int, int]], o: int, c: int, n: int) -> None:
    """Append a run; one that follows a gap as long on both sides (a line break made a space) joins the last."""
    if n <= 0:
        return
    if runs:
        last_o, last_c, last_n = runs[-1]
        if o - (last_o + last_n) == c - (last_c + last_n):
            runs[-1] = (last_o, last_c, o + n - last_o)
            return
    runs.append((o, c, n))


def _diff_runs(original: str, canonical: str) -> list[tuple[int, int, int]]:
    from .anchoring.diff import EQUAL, diff_texts  # the diff code is heavy; only imports and old sources need it

    runs: list[tuple[int, int, int]] = []
    o = c = 0
    for op, piece in diff_texts(original, canonical):
        if op == EQUAL:
            _add_run(runs, o, c, len(piece))
            o += len(piece)
            c += len(piece)
        elif op > 0:
            c += len(piece)
        else:
            o += len(piece)
    return runs


def _walk(original: str, canonical: str) -> list[tuple[int, int, int]]:
    """Runs found by walking both texts at once: while they agree, a run grows; where they part, the
    canonical text's next characters are looked for a little ahead in the original (RESYNC), and what
    was skipped on either side is a gap. Linear in the texts' length, since the import only drops and
    rewrites pieces of the original, keeping its order."""
    runs: list[tuple[int, int, int]] = []
    i = j = 0
    original_length, canonical_length = len(original), len(canonical)
    while i < original_length and j < canonical_length:
        run_i, run_j = i, j
        while i < original_length and j < canonical_length and original[i : i + STRIDE] == canonical[j : j + STRIDE]:
            i, j = i + STRIDE, j + STRIDE
        i, j = min(i, original_length), min(j, canonical_length)
        while i < original_length and j < canonical_length and original[i] == canonical[j]:
            i, j = i + 1, j + 1
        _add_run(runs, run_i, run_j, i - run_i)
        if i >= original_length or j >= canonical_length:
            break
        best = None  # (cost, where in the original, canonical characters skipped)
        for group in RESYNC:
            for key_length, ahead in group:
                for skipped in range(MOST_INSERTED + 1):
                    key = canonical[j + skipped : j + skipped + key_length]
                    if not key:
                        break
                    at = original.find(key, i, i + ahead + len(key))
                    if at != -1 and (best is None or at - i + skipped < best[0]):
                        best = (at - i + skipped, at, skipped)
            if best is not None:
                break
        if best is None:
            j += 1  # a character the import added, with nothing like it near in the original
            continue
        _, i, skipped = best
        j += skipped
    return runs
