"""The reader's forms: annotating a selected passage, and changing a piece of evidence."""

import unicodedata

from django import forms

from arguments.models import Claim, RelationKind, Stance
from sources.selection import SelectionForm


class AnnotateForm(SelectionForm):
    MODE_NEW, MODE_LINK = "new", "link"

    mode = forms.ChoiceField(
        choices=[(MODE_NEW, "New claim stated by this passage"), (MODE_LINK, "Link to an existing claim")],
        initial=MODE_NEW,
    )
    claim_text = forms.CharField(required=False, label="Claim", max_length=2000)
    claim = forms.IntegerField(required=False, label="Existing claim")
    stance = forms.ChoiceField(
        required=False,
        choices=[(Stance.SUPPORTS, "supports it"), (Stance.OPPOSES, "opposes it"), (Stance.STATES, "states it")],
        initial=Stance.SUPPORTS,
    )
    note = forms.CharField(required=False, label="Note (optional)", max_length=4000, widget=forms.Textarea)
    # What a new claim bears on: nothing yet, or a claim of the map it supports or opposes.
    place = forms.ChoiceField(
        required=False,
        choices=[
            ("", "not placed yet"),
            (RelationKind.SUPPORTS, "supports (pro)"),
            (RelationKind.OPPOSES, "opposes (con)"),
        ],
    )
    target = forms.IntegerField(required=False, label="The claim it bears on")
    # Set when the reader was warned that the passage already states the same claim and still wants it.
    duplicate_ok = forms.BooleanField(required=False, label="Add it anyway")

    def __init__(self, *args, claims: dict[int, Claim] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.claims = claims or {}
        self.duplicate_of: Claim | None = None  # the same claim the passage already states (see views.py)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("mode") == self.MODE_NEW:
            if not data.get("claim_text"):
                self.add_error("claim_text", "Write the claim this passage states.")
            if data.get("place"):
                target = data.get("target")
                if target is None:
                    self.add_error(
                        "target", "Pick the claim the new claim supports or opposes, or choose “not placed yet”."
                    )
                elif target not in self.claims:
                    self.add_error("target", "That claim is not in this map.")
        elif data.get("mode") == self.MODE_LINK:
            claim_id = data.get("claim")
            if claim_id is None:
                self.add_error("claim", "Pick a claim from the list.")
            elif claim_id not in self.claims:
                self.add_error("claim", "That claim is not in this map.")
            if not data.get("stance"):
                self.add_error("stance", "Say whether the passage supports or opposes the claim.")
        return data


class EvidenceEditForm(forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices)
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def same_claim_text(text: str) -> str:
    """A claim's text as compared for duplicates: Unicode-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def data_was_quoted(form: AnnotateForm) -> bool:
    """Whether the passage came as a typed quote (no offsets): then the form keeps it editable."""
    return not form.data.get("start16")
