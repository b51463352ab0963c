"""Offsets in UTF-16 units (browsers) and code points (Python, Passage) convert both ways."""

import random

import pytest

from sources.offsets import Utf16Index, codepoints_to_utf16, utf16_to_codepoints

SAMPLES = [
    "",
    "plain ascii",
    "Café — “curly” ‘quotes’ naïve",
    "emoji 😀 in the middle, and 🇫🇷 a flag at the end",
    "𠀀𠀁 rare CJK (astral) next to 中文 common CJK (BMP)",
    "😀😀😀",
    "\n\nline\nbreaks\n\n",
]


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@pytest.mark.parametrize("text", SAMPLES)
def test_every_code_point_offset_round_trips(text):
    for cp in range(len(text) + 1):
        o16 = codepoints_to_utf16(text, cp)
        assert o16 == utf16_len(text[:cp])
        assert utf16_to_codepoints(text, o16) == cp


def test_known_values():
    text = "a😀b"
    assert [codepoints_to_utf16(text, i) for i in range(4)] == [0, 1, 3, 4]
    assert utf16_to_codepoints(text, 3) == 2
    assert utf16_to_codepoints(text, 4) == 3
    assert utf16_to_codepoints("中文é", 3) == 3  # BMP characters are one unit each


def test_an_offset_between_the_halves_of_a_surrogate_pair_is_refused():
    with pytest.raises(ValueError, match="surrogate pair"):
        utf16_to_codepoints("a😀b", 2)
    with pytest.raises(ValueError, match="surrogate pair"):
        utf16_to_codepoints("😀😀", 3)


@pytest.mark.parametrize("offset", [-1, 5])
def test_out_of_range_utf16_offsets_are_refused(offset):
    with pytest.raises(ValueError, match="outside"):
        utf16_to_codepoints("a😀b", offset)


@pytest.mark.parametrize("offset", [-1, 4])
def test_out_of_range_code_point_offsets_are_refused(offset):
    with pytest.raises(ValueError, match="outside"):
        codepoints_to_utf16("a😀b", offset)


def test_index_agrees_with_encoding_on_random_text():
    rng = random.Random(7)
    alphabet = "ab é—“”中\n😀𠀀🎉"
    text = "".join(rng.choice(alphabet) for _ in range(2000))
    index = Utf16Index(text)
    assert index.length16 == utf16_len(text)
    for cp in range(0, len(text) + 1, 7):
        o16 = utf16_len(text[:cp])
        assert index.to_utf16(cp) == o16
        assert index.to_codepoints(o16) == cp
