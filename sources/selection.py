"""Where a reader's selection lies in a source's text, checked against the words the reader saw.

Browsers select text in UTF-16 units; the server converts at this edge (sources.offsets) and checks
the quote against the canonical text before anything is written. The reader, re-attaching an
orphaned passage and the API all come through here.
"""

from django import forms
from django.core.exceptions import ValidationError

from .anchoring.quotes import Candidate, QuoteNotFound, find_quote, locate_quote, nearest_quotes
from .models import Source
from .offsets import Utf16Index


class SelectionForm(forms.Form):
    """The fields a selection arrives in: UTF-16 offsets (absent without JavaScript) and the quoted words.

    Subclasses name what is selected in their messages (`NOUN`, `SELECT`) and may relabel `exact`.
    """

    NOUN = "The selection begins or ends"  # what the white-space message starts with
    SELECT = "Select some text first."  # the message for an empty selection

    start16 = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end16 = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, label="Selected passage", max_length=20_000)

    def clean_exact(self) -> str:
        exact = self.cleaned_data["exact"]
        if not exact.strip():
            raise ValidationError(self.SELECT)
        if exact != exact.strip():
            raise ValidationError(f"{self.NOUN} with white space; select the words themselves.")
        return exact

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("start16") is None) != (data.get("end16") is None):
            self.add_error("exact", "The selection was sent incompletely; select the words again.")
        return data


def resolve_selection(source: Source, data: dict) -> tuple[int, int]:
    """Code-point (start, end) of the annotated text; ValidationError naming the problem otherwise.

    With UTF-16 offsets from the browser the quote must be exactly the text there. Without them
    (the no-JavaScript form) the quote is looked up and must occur once.
    """
    text, exact = source.text, data["exact"]
    if data.get("start16") is None:
        try:
            return locate_quote(text, exact, prefix=data.get("prefix") or "", suffix=data.get("suffix") or "")
        except QuoteNotFound as error:
            raise QuoteRefused.for_quote(text, exact, str(error), spans=error.spans) from error
    index = Utf16Index(text)
    try:
        start, end = index.to_codepoints(data["start16"]), index.to_codepoints(data["end16"])
    except ValueError as error:
        raise ValidationError(f"The selection does not fit this text: {error}") from error
    if start >= end:
        raise ValidationError("The selection is empty.")
    if text[start:end] != exact:
        raise ValidationError(
            "The selected text does not match the source at that position (the page may be out of date). "
            "Reload the page and select the passage again."
        )
    return start, end


class QuoteRefused(ValidationError):
    """A quote that is not where it was said to be, or nowhere, or in several places; `candidates` says
    where its words (or the words most like it) stand, best first, so that the message can point there."""

    MOST = 10  # places listed for an ambiguous quote

    def __init__(self, message: str, candidates: list[Candidate]) -> None:
        super().__init__(message)
        self.candidates = candidates

    @classmethod
    def for_quote(
        cls, text: str, quote: str, message: str, *, spans: list[tuple[int, int]] | None = None
    ) -> "QuoteRefused":
        """The refusal for `quote`: with the places it stands if `spans` (or a search) finds it, else the nearest."""
        spans = spans if spans is not None else find_quote(text, quote.strip())
        if spans:
            candidates = [Candidate(start, end, text[start:end], 100.0) for start, end in spans[: cls.MOST]]
        else:
            candidates = nearest_quotes(text, quote)
        joint = " " if message.endswith(".") else ". "
        return cls(f"{message}{joint}{describe(candidates, found=bool(spans))}", candidates)


def describe(candidates: list[Candidate], *, found: bool) -> str:
    """A sentence naming the candidates, for messages read by people (the API lists them as fields too)."""
    if not candidates:
        return "Nothing in the text is much like it."
    if found:
        return (
            "Its words stand at characters "
            + "; ".join(f"{c.start}–{c.end} (“{_short(c.text)}”)" for c in candidates)
            + "."
        )
    places = "; ".join(f"characters {c.start}–{c.end} (“{_short(c.text)}”, {c.score:.0f}% alike)" for c in candidates)
    return f"Nearest in the text: {places}."


def _short(text: str, most: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else f"{text[: most // 2 - 1]}…{text[-(most // 2 - 1) :]}"
