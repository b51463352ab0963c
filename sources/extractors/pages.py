"""Page furniture of printed and scanned text: page numbers and running headers and footers, dropped.

Text that was laid out on pages (PDF, OCR output) carries the page's furniture between its paragraphs. A page
number is a line of its own that is only a number ("2", "2.", "- 2 -", "Page 2 of 9"), at a page's edge or
between blank lines; OCR output often has no page breaks left, and the numbers are all that marks them, so a
lone number between paragraphs counts only when the document has several, rising. A running header or footer
is a short line repeated next to page breaks or page numbers on at least three pages; a line that repeats
elsewhere ("(Applause.)") is text.
"""

import re
from collections import defaultdict

from .common import Removed

PAGE_NUMBER = re.compile(
    r"(?:(?:page|p\.|pg\.?)\s*)?[-–—(\[]?\s*(\d{1,4})\s*[-–—)\]]?\.?(?:\s*(?:/|of)\s*\d{1,4})?", re.IGNORECASE
)
ROMAN_PAGE_NUMBER = re.compile(r"[ivxlc]{1,7}\.?")  # front matter pages; lower case only, "I." heads a section
MAX_FURNITURE_CHARS = 100
MIN_REPEATS = 3
DIGITS = re.compile(r"\d+")


def drop_page_furniture(pages: list[list[str]], removed: Removed) -> list[list[str]]:
    """The pages' lines without page numbers and running headers or footers; what went is counted in `removed`."""
    paged = len(pages) > 1
    numbers: list[tuple[int, int, int]] = []  # (page, line, the number)
    for page, lines in enumerate(pages):
        filled = [index for index, line in enumerate(lines) if line.strip()]
        edges = set(filled[:2] + filled[-2:]) if paged else set()
        for index in filled:
            line = lines[index].strip()
            at_edge = index in edges
            if not (at_edge or _stands_alone(lines, index)):
                continue
            if match := PAGE_NUMBER.fullmatch(line):
                numbers.append((page, index, int(match.group(1))))
            elif at_edge and ROMAN_PAGE_NUMBER.fullmatch(line):
                numbers.append((page, index, 0))
    if not paged and not _rising(numbers):
        numbers = []
    dropped = {(page, index) for page, index, _ in numbers}

    # Running headers and footers: short lines next to a page edge or a page number, keyed without their digits.
    near: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for page, lines in enumerate(pages):
        filled = [index for index, line in enumerate(lines) if line.strip() and (page, index) not in dropped]
        for position, index in enumerate(filled):
            line = lines[index].strip()
            if len(line) > MAX_FURNITURE_CHARS:
                continue
            at_edge = paged and position in (0, len(filled) - 1)
            if at_edge or _next_to(lines, index, page, dropped):
                near[DIGITS.sub("#", line.casefold())].append((page, index))
    needed = max(MIN_REPEATS, len(pages) // 3) if paged else MIN_REPEATS
    furniture = {place for places in near.values() if len({page for page, _ in places}) >= needed or
                 (not paged and len(places) >= needed) for place in places}  # fmt: skip
    removed.add("page numbers dropped", len(dropped))
    removed.add("running headers and footers dropped", len(furniture))
    gone = dropped | furniture
    if not gone:
        return pages
    return [[line for index, line in enumerate(lines) if (page, index) not in gone] for page, lines in enumerate(pages)]


def _stands_alone(lines: list[str], index: int) -> bool:
    """A blank line (or the page's edge) on one side at least: a running header may sit on the other."""
    before = index == 0 or not lines[index - 1].strip()
    after = index == len(lines) - 1 or not lines[index + 1].strip()
    return before or after


def _next_to(lines: list[str], index: int, page: int, dropped: set[tuple[int, int]]) -> bool:
    """Whether the nearest non-blank line before or after this one is a page number that was dropped."""
    for step in (-1, 1):
        other = index + step
        while 0 <= other < len(lines) and not lines[other].strip():
            other += step
        if 0 <= other < len(lines) and (page, other) in dropped:
            return True
    return False


def _rising(numbers: list[tuple[int, int, int]]) -> bool:
    """Lone numbers between paragraphs are page numbers when there are several and they mostly go up."""
    if len(numbers) < 2:
        return False
    values = [number for _, _, number in numbers]
    rises = sum(1 for first, second in zip(values, values[1:], strict=False) if second > first)
    return rises >= 0.75 * (len(values) - 1)
