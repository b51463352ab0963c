"""A diff of two revisions of a text, and the map that carries offsets through it.

`diff_texts` aligns paragraphs, then the words of changed paragraphs, then the letters of short replaced
stretches. At each level, units occurring once in both texts are anchored first (as in patience diff)
and the stretches between them go to diff-match-patch with no time limit. Unlimited time is safe because
those stretches are short; a timeout would silently coarsen the diff (see TRAPS).

`OffsetMap` is built from that diff. `placement` uses it to carry a passage's offsets to the new text
and to tell which new text the diff pairs with other old text; it knows nothing of quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_MAX_TOKEN_KINDS = 1_000_000  # code points available to stand for distinct tokens
_REFINE_CHARS = 80  # replaced stretches up to this size (both sides together) are re-diffed per letter
_PATIENCE_DEPTH = 12
_PLAIN_DIFF_CELLS = 1_000_000  # a stretch with no anchors is diffed only up to this size (units × units):
# beyond it diff-match-patch could take seconds, and text that shares no unique word is replaced anyway

EQUAL, DELETE, INSERT = 0, -1, 1


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # never a silently coarse diff: our stretches are small enough to finish
    return dmp


def diff_texts(old: str, new: str) -> list[tuple[int, str]]:
    """A diff of two texts as diff-match-patch tuples (op, text).

    Paragraphs (lines) are aligned first, so that a whole paragraph is matched with its own copy rather
    than with a sentence that happens to repeat it; changed paragraphs are then diffed word by word, and
    short replaced stretches letter by letter.
    """
    dmp = _dmp()
    diffs: list[tuple[int, str]] = []
    old_lines, new_lines = _lines(old), _lines(new)
    line_codes: dict[str, str] = {}
    encoded_old, encoded_new = _encode(old_lines, line_codes), _encode(new_lines, line_codes)
    if encoded_old is None or encoded_new is None:
        line_ops = [(DELETE, len(old_lines)), (INSERT, len(new_lines))]
    else:
        line_ops = []
        _diff_encoded(dmp, encoded_old, encoded_new, line_ops, 0)
    token_codes: dict[str, str] = {}
    i = j = 0
    removed, added = [], []  # the changed paragraphs between two runs of equal ones
    for op, n in [*line_ops, (EQUAL, 0)]:
        if op == EQUAL:
            if removed or added:
                diffs.extend(_diff_words(dmp, "".join(removed), "".join(added), token_codes))
                removed, added = [], []
            if n:
                diffs.append((EQUAL, "".join(old_lines[i : i + n])))
            i, j = i + n, j + n
        elif op == DELETE:
            removed += old_lines[i : i + n]
            i += n
        else:
            added += new_lines[j : j + n]
            j += n
    dmp.diff_cleanupMerge(diffs)
    diffs = _refine(dmp, diffs)
    # An insertion or deletion next to text it repeats can sit at several equivalent places (deleting
    # "B.\n\n" from "A.\n\nB.\n\nC" is also deleting ".\n\nB"); slide each to the one on the clearest
    # boundary, paragraph breaks first, so that it does not take a passage's last full stop with it.
    dmp.diff_cleanupSemanticLossless(diffs)
    return diffs


_LINE = re.compile(r"[^\n]*\n+|[^\n]+$")


def _lines(text: str) -> list[str]:
    """Lines with the line breaks after them: a blank line is not a unit of its own, to be paired by
    chance with another blank line and misalign the paragraphs around it."""
    return _LINE.findall(text)


def _diff_words(dmp: diff_match_patch, old: str, new: str, codes: dict[str, str]) -> list[tuple[int, str]]:
    if not old or not new:
        return [(DELETE, old)] if old else [(INSERT, new)]
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    encoded_old, encoded_new = _encode(old_tokens, codes), _encode(new_tokens, codes)
    if encoded_old is None or encoded_new is None:  # absurdly many distinct words: fall back to characters
        old_tokens, new_tokens, encoded_old, encoded_new = list(old), list(new), old, new
    token_ops: list[tuple[int, int]] = []
    _diff_encoded(dmp, encoded_old, encoded_new, token_ops, 0)
    diffs: list[tuple[int, str]] = []
    i = j = 0
    for op, n in token_ops:
        if op == EQUAL:
            diffs.append((EQUAL, "".join(old_tokens[i : i + n])))
            i, j = i + n, j + n
        elif op == DELETE:
            diffs.append((DELETE, "".join(old_tokens[i : i + n])))
            i += n
        else:
            diffs.append((INSERT, "".join(new_tokens[j : j + n])))
            j += n
    return diffs


def _encode(tokens: list[str], codes: dict[str, str]) -> str | None:
    out = []
    for token in tokens:
        code = codes.get(token)
        if code is None:
            n = len(codes) + 1
            if n > _MAX_TOKEN_KINDS:
                return None
            code = codes[token] = chr(n + 0x800 if n >= 0xD800 else n)  # skip the surrogate block
        out.append(code)
    return "".join(out)


def _diff_encoded(dmp: diff_match_patch, a: str, b: str, ops: list[tuple[int, int]], depth: int) -> None:
    """Append (op, token count) for a → b: patience anchors first, diff-match-patch between them."""
    if a == b:
        _push(ops, EQUAL, len(a))
        return
    head = dmp.diff_commonPrefix(a, b)
    if head:
        _push(ops, EQUAL, head)
        a, b = a[head:], b[head:]
    tail = dmp.diff_commonSuffix(a, b)
    if tail:
        a, b = a[:-tail], b[:-tail]
    anchors = _unique_anchors(a, b) if a and b and depth < _PATIENCE_DEPTH else []
    if anchors:
        i = j = 0
        for ai, bj in anchors:
            _diff_encoded(dmp, a[i:ai], b[j:bj], ops, depth + 1)
            _push(ops, EQUAL, 1)
            i, j = ai + 1, bj + 1
        _diff_encoded(dmp, a[i:], b[j:], ops, depth + 1)
    elif len(a) * len(b) <= _PLAIN_DIFF_CELLS:
        for op, text in dmp.diff_main(a, b, False):
            _push(ops, op, len(text))
    else:  # nothing in common worth aligning on: a plain replacement
        _push(ops, DELETE, len(a))
        _push(ops, INSERT, len(b))
    if tail:
        _push(ops, EQUAL, tail)


def _push(ops: list[tuple[int, int]], op: int, n: int) -> None:
    if n <= 0:
        return
    if ops and ops[-1][0] == op:
        ops[-1] = (op, ops[-1][1] + n)
    else:
        ops.append((op, n))


def _unique_anchors(a: str, b: str) -> list[tuple[int, int]]:
    """Positions of tokens occurring once in each side, the longest run of them in the same order."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {code: j for j, code in enumerate(b) if count_b[code] == 1}
    pairs = [(i, where_b[code]) for i, code in enumerate(a) if count_a[code] == 1 and code in where_b]
    if len(pairs) < 2:
        return pairs
    # Longest increasing subsequence of the b positions (pairs are already in a order).
    tails: list[int] = []  # tails[k]: index in pairs of the smallest tail of an increasing run of length k+1
    tail_values: list[int] = []
    back = [-1] * len(pairs)
    for n, (_, bj) in enumerate(pairs):
        k = bisect_right(tail_values, bj)
        back[n] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(n)
            tail_values.append(bj)
        else:
            tails[k] = n
            tail_values[k] = bj
    run, n = [], tails[-1]
    while n != -1:
        run.append(pairs[n])
        n = back[n]
    run.reverse()
    return run


def _refine(dmp: diff_match_patch, diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Re-diff short replaced stretches character by character (a typo changes a letter, not a word)."""
    out: list[tuple[int, str]] = []
    n = 0
    while n < len(diffs):
        op, text = diffs[n]
        if op == DELETE and n + 1 < len(diffs) and diffs[n + 1][0] == INSERT:
            inserted = diffs[n + 1][1]
            if len(text) + len(inserted) <= _REFINE_CHARS:
                # Keep only letters the two sides really share: "interests" → "allies" stays one
                # replacement instead of lining up their i, e and s.
                refined = dmp.diff_main(text, inserted, False)
                dmp.diff_cleanupSemantic(refined)
                out.extend(refined)
            else:
                out.extend(diffs[n : n + 2])
            n += 2
            continue
        out.append((op, text))
        n += 1
    dmp.diff_cleanupMerge(out)
    return out


@dataclass(frozen=True, slots=True)
class _Piece:
    equal: bool
    old_start: int
    old_end: int
    new_start: int
    new_end: int


class OffsetMap:
    """Carries code-point offsets from the old text to the new one through a diff.

    A passage's first character maps to where it went; if it was deleted or replaced, to the start of
    what replaced it. Its end follows its last character; text inserted right at either edge of a
    passage stays outside it, text replacing its edge characters comes inside.
    """

    def __init__(self, diffs: Sequence[tuple[int, str]], old_len: int, new_len: int):
        pieces: list[_Piece] = []
        o = n = 0
        change_old = change_new = None  # start of the change block being collected
        for op, text in diffs:
            if not text:
                continue
            if op == EQUAL:
                if change_old is not None:
                    pieces.append(_Piece(False, change_old, o, change_new, n))
                    change_old = change_new = None
                pieces.append(_Piece(True, o, o + len(text), n, n + len(text)))
                o += len(text)
                n += len(text)
                continue
            if change_old is None:
                change_old, change_new = o, n
            if op == DELETE:
                o += len(text)
            else:
                n += len(text)
        if change_old is not None:
            pieces.append(_Piece(False, change_old, o, change_new, n))
        if o != old_len or n != new_len:
            raise ValueError("The diff does not cover both texts.")
        self.old_len, self.new_len = old_len, new_len
        self._by_old = [p for p in pieces if p.old_end > p.old_start]
        self._old_keys = [p.old_start for p in self._by_old]
        self._equal = [p for p in pieces if p.equal]
        self._equal_new_keys = [p.new_start for p in self._equal]

    @classmethod
    def between(cls, old: str, new: str) -> OffsetMap:
        return cls(diff_texts(old, new), len(old), len(new))

    @classmethod
    def identity(cls, text: str) -> OffsetMap:
        return cls([(EQUAL, text)], len(text), len(text))

    def _piece_holding(self, old_offset: int) -> _Piece:
        return self._by_old[bisect_right(self._old_keys, old_offset) - 1]

    def start(self, old_start: int) -> int:
        if old_start >= self.old_len:
            return self.new_len
        piece = self._piece_holding(max(0, old_start))
        return piece.new_start + (old_start - piece.old_start) if piece.equal else piece.new_start

    def end(self, old_end: int) -> int:
        old_end = min(old_end, self.old_len)
        if old_end <= 0:
            return 0
        piece = self._piece_holding(old_end - 1)
        if piece.equal:
            return piece.new_start + (old_end - piece.old_start)
        return piece.new_end if old_end == piece.old_end else piece.new_start

    def survives(self, old_offset: int) -> bool:
        """Whether the old text's character at `old_offset` is still in the new text (not deleted or replaced)."""
        return 0 <= old_offset < self.old_len and self._piece_holding(old_offset).equal

    def foreign(self, start: int, end: int, own_start: int, own_end: int) -> int:
        """How many code points of new[start:end] the diff pairs with old text outside [own_start, own_end)."""
        k = max(0, bisect_right(self._equal_new_keys, start) - 1)
        total = 0
        while k < len(self._equal) and self._equal[k].new_start < end:
            piece = self._equal[k]
            lo, hi = max(start, piece.new_start), min(end, piece.new_end)
            if hi > lo:
                old_lo = piece.old_start + (lo - piece.new_start)
                old_hi = old_lo + (hi - lo)
                own = max(0, min(old_hi, own_end) - max(old_lo, own_start))
                total += (hi - lo) - own
            k += 1
        return total
