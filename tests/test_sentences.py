"""Sentences of a canonical text: where suggestions may start and end."""

from pathlib import Path

import pytest

from sources.ingest import extract
from sources.sentences import MIN_WORDS, sentence_spans

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_abbreviations_stay_inside_their_sentences():
    text = (
        "The U.N. Security Council met in New York, e.g. in 2003 and again in 2011. "
        "Under Art. 51 of the Charter, states may act in self-defence until the Council acts. "
        "Phillips et al. argue that coalitions of the willing fill the gap."
    )
    assert sentences(text) == [
        "The U.N. Security Council met in New York, e.g. in 2003 and again in 2011.",
        "Under Art. 51 of the Charter, states may act in self-defence until the Council acts.",
        "Phillips et al. argue that coalitions of the willing fill the gap.",
    ]


def test_a_footnote_number_ends_its_sentence():
    text = "States sought a murky mandate for the intervention.1 Iraq is the exemplar of this modality in the end."
    assert sentences(text) == [
        "States sought a murky mandate for the intervention.1",
        "Iraq is the exemplar of this modality in the end.",
    ]


def test_offsets_count_code_points_after_emoji_and_rare_characters():
    text = "🙂 𠀋 A heading.\n\nThe first real sentence of the text is here. And 🙂 the second sentence follows it."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "The first real sentence of the text is here.",
        "And 🙂 the second sentence follows it.",
    ]
    assert spans[0][0] == text.index("The first")


def test_headings_and_fragments_are_left_out():
    text = (
        "INTERNATIONAL SOLIDARITY\n\nReferences\n\n"
        "What has become of multilateralism?\n\nThis sentence is long enough to count."
    )
    assert sentences(text) == ["This sentence is long enough to count."]
    assert all(len(s.split()) >= MIN_WORDS for s in sentences(text))


def test_a_sentence_never_runs_across_lines_or_paragraphs():
    text = "Going forward, policymakers should consider the following steps\n- fund the coalitions that report openly"
    assert sentences(text) == [
        "Going forward, policymakers should consider the following steps",
        "- fund the coalitions that report openly",
    ]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem[:20])
def test_corpus_sentences_are_exact_ordered_spans_of_the_canonical_text(path):
    text = extract(path.name, path.read_bytes()).text
    spans = sentence_spans(text)
    assert len(spans) > 40
    for (start, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        assert start < end <= next_start
    for start, end in spans:
        piece = text[start:end]
        assert piece == piece.strip() and "\n" not in piece
