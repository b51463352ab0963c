"""Re-anchoring speed: 1,000 and 10,000 passages on a ~100,000-character text after light edits.

Times are the best of a few runs and are printed with their ratio to a trivial function timed in
the same run: building every placement as if nothing had moved (slice, compare, take the context).
A naive verbatim search for every quote is shown for scale, and so are two harder edits (a third of
the paragraphs rewritten; every paragraph touched) to show that none of them runs away.

Run: .venv/bin/python bench/anchoring.py
"""

from __future__ import annotations

import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sources.anchoring.diff import EQUAL, OffsetMap, diff_texts  # noqa: E402
from sources.anchoring.placement import Placement, Selector, reanchor  # noqa: E402
from sources.anchoring.quotes import context_for  # noqa: E402
from sources.normalise import normalise  # noqa: E402

TARGET_CHARS = 100_000
REPEAT = 3


def build_text() -> str:
    """The three corpus texts, repeated to ~100k characters; each copy's paragraphs numbered so that the
    copies are not identical paragraph for paragraph (a real long document does not repeat chapters)."""
    texts = [normalise(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "corpus").glob("*.txt"))]
    paragraphs, copy = [], 0
    while sum(len(p) + 2 for p in paragraphs) < TARGET_CHARS:
        copy += 1
        for text in texts:
            paragraphs += [f"{copy}.{n} {p}" for n, p in enumerate(text.split("\n\n"))]
    text = "\n\n".join(paragraphs)
    return text[: text.rfind("\n\n", 0, TARGET_CHARS)]


def make_selectors(text: str, n: int, rng: random.Random) -> list[Selector]:
    starts = [m.start() for m in re.finditer(r"(?<=[ \n])\w", text)]
    selectors = []
    for k in range(n):
        start = rng.choice(starts)
        end = text.find(" ", start + rng.randint(20, 300))
        end = len(text) if end == -1 else end
        selectors.append(Selector(k, start, end, text[start:end], *context_for(text, start, end)))
    return selectors


def light_edits(text: str, rng: random.Random) -> str:
    """About 150 small edits anywhere: letters swapped or dropped, words added or removed, quote marks."""
    chars = list(text)
    words = list(re.finditer(r"[A-Za-z]{5,}", text))
    for m in rng.sample(words, 100):
        i = rng.randrange(m.start() + 1, m.end() - 2)
        if rng.random() < 0.5:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = ""
    for m in rng.sample(words, 30):
        chars[m.start()] = ("indeed " if rng.random() < 0.5 else "") + chars[m.start()]
        if rng.random() < 0.3:
            for i in range(m.start(), m.end() + 1):
                chars[i] = ""
    for i in rng.sample([i for i, c in enumerate(text) if c in "’“”"], 20):
        chars[i] = "'" if text[i] == "’" else '"'
    return "".join(chars)


def rewrite_paragraphs(text: str, rng: random.Random, share: float) -> str:
    paragraphs = text.split("\n\n")
    for k in rng.sample(range(len(paragraphs)), int(len(paragraphs) * share)):
        words = paragraphs[k].split()
        rng.shuffle(words)
        paragraphs[k] = " ".join(words)
    return "\n\n".join(paragraphs)


def touch_every_paragraph(text: str) -> str:
    return "\n\n".join(p.replace(" the ", " the  ", 1) for p in text.split("\n\n"))


def trivial(old: str, new: str, selectors: list[Selector]) -> list[Placement]:
    """The floor: every passage placed where it was, as if nothing had changed."""
    out = []
    for s in selectors:
        same = new[s.start : s.end] == s.exact
        out.append(
            Placement(
                s.id,
                "anchored" if same else "orphaned",
                s.start,
                s.end,
                100.0,
                "unchanged",
                s.exact,
                *context_for(new, s.start, s.end),
            )
        )
    return out


def naive_search(old: str, new: str, selectors: list[Selector]) -> list[int]:
    """For scale: look every quote up verbatim (no diff, no context, no fuzzy search)."""
    return [new.find(s.exact) for s in selectors]


def best_of(fn, *args, runs: int = REPEAT) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    rng = random.Random(2024)
    old = build_text()
    new = light_edits(old, rng)
    ops = [op for op, _ in diff_texts(old, new)]
    changes = sum(1 for k, op in enumerate(ops) if op != EQUAL and (k == 0 or ops[k - 1] == EQUAL))
    paragraphs = old.count("\n\n") + 1
    print(f"text: {len(old):,} code points, {paragraphs} paragraphs; light edits change {changes} places\n")
    t_diff, _ = best_of(OffsetMap.between, old, new)
    print(f"diff alone (paragraphs → words → letters): {t_diff * 1000:8.1f} ms\n")
    header = f"{'passages':>9} {'case':<34} {'time':>10} {'per passage':>12} {'× trivial':>10}  outcome"
    print(header)
    print("-" * len(header))
    for n in (1_000, 10_000):
        selectors = make_selectors(old, n, rng)
        t_trivial, _ = best_of(trivial, old, new, selectors)
        t_naive, _ = best_of(naive_search, old, new, selectors)
        cases = [
            ("trivial baseline (nothing moved)", t_trivial, None),
            ("naive verbatim search", t_naive, None),
        ]
        for label, text in [
            ("reanchor, unchanged text", old),
            ("reanchor, light edits", new),
            ("reanchor, 1/3 paragraphs rewritten", rewrite_paragraphs(new, random.Random(n), 1 / 3)),
            ("reanchor, every paragraph touched", touch_every_paragraph(new)),
        ]:
            runs = REPEAT if "rewritten" not in label else 1
            elapsed, placements = best_of(reanchor, old, text, selectors, runs=runs)
            counts = {}
            for p in placements:
                counts[p.method] = counts.get(p.method, 0) + 1
            cases.append((label, elapsed, counts))
        for label, elapsed, counts in cases:
            outcome = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) if counts else ""
            print(
                f"{n:>9,} {label:<34} {elapsed * 1000:8.1f} ms {elapsed / n * 1e6:9.1f} µs "
                f"{elapsed / t_trivial:9.1f}×  {outcome}"
            )
        print()


if __name__ == "__main__":
    main()
