"""The canonical-text rules: every passage offset depends on them staying put."""

from pathlib import Path

import pytest

from sources.normalise import normalise

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_text_is_composed_to_nfc():
    decomposed = "Cafe\u0301 cre\u0300me"
    assert normalise(decomposed) == "Caf\u00e9 cr\u00e8me"


def test_windows_and_old_mac_line_endings_become_line_feeds():
    assert normalise("First paragraph.\r\n\r\nSecond\r\nparagraph.\r\rThird.") == (
        "First paragraph.\n\nSecond paragraph.\n\nThird."
    )


def test_word_hyphenated_across_a_line_end_is_rejoined():
    assert normalise("its focus on fight-\ning terrorism.") == "its focus on fighting terrorism."


def test_compound_written_elsewhere_keeps_its_hyphen():
    text = "Enlightened self-interest is one thing.\n\nNarrow self-\ninterest is another."
    assert normalise(text) == "Enlightened self-interest is one thing.\n\nNarrow self-interest is another."


def test_compound_not_written_elsewhere_is_taken_for_hyphenation():
    assert normalise("Narrow self-\ninterest is another.") == "Narrow selfinterest is another."


def test_hyphen_after_capitals_is_kept():
    assert normalise("a return to UN-\nmandated peacekeeping") == "a return to UN-mandated peacekeeping"


def test_hyphen_before_a_capital_or_a_digit_is_kept():
    assert normalise("a wave of anti-\nAmerican feeling") == "a wave of anti-American feeling"
    assert normalise("during the COVID-\n19 pandemic") == "during the COVID-19 pandemic"


def test_hyphen_after_a_word_with_digits_is_kept():
    assert normalise("a return to 1990s-\nera peacekeeping") == "a return to 1990s-era peacekeeping"
    assert normalise("the G7-\nled initiative") == "the G7-led initiative"


def test_soft_wrapped_lines_are_joined_and_paragraph_breaks_kept():
    text = "The first paragraph is\nwrapped over\nthree lines.\n\n\n\nThe second one is not."
    assert normalise(text) == "The first paragraph is wrapped over three lines.\n\nThe second one is not."


def test_surrounding_white_space_and_runs_of_spaces_fold():
    assert normalise("  \n  Two\u00a0  spaces\tand a tab.  \n\n  ") == "Two spaces and a tab."


def test_paragraph_cut_by_a_page_break_is_mended():
    assert normalise("a murky mandate for\n\nintervention here.") == "a murky mandate for intervention here."
    assert normalise("a murky mandate for\n\fintervention.") == "a murky mandate for intervention."


def test_page_break_is_not_mended_after_a_full_stop_or_before_a_capital():
    assert normalise("The end.\n\nthen lower case.") == "The end.\n\nthen lower case."
    assert normalise("No full stop\n\nBut a capital.") == "No full stop\n\nBut a capital."


def test_page_break_mending_can_be_switched_off():
    text = "Why coalitions matter\n\nby a staff writer"
    assert normalise(text) == "Why coalitions matter by a staff writer"
    assert normalise(text, mend_page_breaks=False) == "Why coalitions matter\n\nby a staff writer"


def test_hyphenation_across_a_page_break_is_mended():
    assert normalise("the fight-\n\ning goes on") == "the fighting goes on"


def test_list_items_keep_their_own_lines():
    text = "Three options:\n- act alone\n- act in a coalition\n1. first\n2) second\na. lettered\n• bulleted"
    assert normalise(text) == text


def test_list_item_continued_on_the_next_line_is_joined():
    assert normalise("- an item that\nwraps\n- another") == "- an item that wraps\n- another"


def test_heading_in_capitals_is_a_paragraph_of_its_own():
    text = "INTRODUCTION\nThe text begins here\nand goes on."
    assert normalise(text) == "INTRODUCTION\n\nThe text begins here and goes on."
    assert normalise("Some text\nTHE NEXT PART\nmore text.") == "Some text\n\nTHE NEXT PART\n\nmore text."


def test_page_break_is_not_mended_after_a_capitals_heading():
    assert normalise("THE PARADOX\n\nwhat has become of it?") == "THE PARADOX\n\nwhat has become of it?"


def test_dashes_at_a_line_end_join_tight():
    assert normalise("pre-emption—\nto intervene") == "pre-emption—to intervene"
    assert normalise("the years 1991–\n2000 and/\nor later") == "the years 1991–2000 and/or later"


def test_invisible_characters_are_removed():
    assert normalise("\ufeffsoft\u00adhyphen and zero\u200bwidth") == "softhyphen and zerowidth"


def test_control_characters_are_dropped_and_other_separators_break_lines():
    assert normalise("a\x00b\x07c\x1bd\x7fe\x9ff") == "abcdef"
    assert normalise("one\u2029Two\vthree\u2028four\x85five.") == "one\n\nTwo three four five."


def test_ligatures_are_spelled_out():
    assert normalise("\ufb01nancial e\ufb00ect, \ufb02ow, o\ufb03ce") == "financial effect, flow, office"


def test_long_runs_and_long_paragraphs_take_linear_time():
    # Both once took quadratic time: a regex backtracking through a long word, and a paragraph rebuilt per line.
    assert normalise("a" * 100_000) == "a" * 100_000
    lines = "".join(f"word{i} inter-\nnational " for i in range(20_000))
    assert normalise(lines).count("international") == 20_000


def test_empty_and_blank_text_normalise_to_nothing():
    assert normalise("") == ""
    assert normalise(" \n\n\t\f ") == ""


@pytest.mark.parametrize(
    "text",
    [
        "INTRODUCTION\nThe text\nbegins.\n\n- a\n- b\n\nself-\ninterest and self-interest",
        "a murky\n\nmandate\f\fand more—\nstill\n\nUN-\nmandated",
        "US\nUK\n\nand more\n\n1.\nitem",
    ],
)
def test_normalising_twice_changes_nothing(text):
    once = normalise(text)
    assert normalise(once) == once


CORPUS_SENTENCES = {
    "coicaud-2007-paradox-of-international-solidarity.txt": [
        "its focus on fighting terrorism.",
        "What has become of the ethics of international solidarity that they came to represent in the 1990s?",
        "enter the realm of UN-mandated multilateral peacekeeping?",
        "the Bush administration’s preferred course has been pre-emption—to intervene before",
    ],
    "phillips-2021-coalitions-of-the-willing.txt": [
        "“Coalitions of the willing” are an effective alternative.",
        "promote sustainable peace in post-conflict societies.",
        "purchased S-400 missiles from Russia.",
    ],
    "karlsrud-hofmann-reykers-2024-ad-hoc-coalitions.txt": [
        "Slow responses and blocked decision-making of international organizations provide opportunities",
        "they are fast to set up, can be task and time specific, flexible and easily dissolved.",
    ],
}


@pytest.mark.parametrize("name", sorted(CORPUS_SENTENCES))
def test_corpus_normalises_idempotently_and_keeps_known_sentences(name):
    once = normalise((CORPUS / name).read_text(encoding="utf-8"))
    assert normalise(once) == once
    for sentence in CORPUS_SENTENCES[name]:
        assert sentence in once
    assert "\r" not in once and "\n\n\n" not in once and "  " not in once


def test_corpus_heading_and_page_break_in_coicaud():
    text = normalise((CORPUS / "coicaud-2007-paradox-of-international-solidarity.txt").read_text(encoding="utf-8"))
    # The chapter title is set in capitals over two lines; the opening sentence continues across a blank line.
    assert text.startswith("introduction\n\nTHE PARADOX OF\n\nINTERNATIONAL SOLIDARITY\n\nwhat has become of")
