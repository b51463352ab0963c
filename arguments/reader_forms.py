"""The reader's forms: annotating a selected passage, and changing a piece of evidence."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Claim, Stance


class AnnotateForm(forms.Form):
    MODE_NEW, MODE_LINK = "new", "link"

    start16 = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end16 = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, label="Selected passage", max_length=20_000)
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

    def __init__(self, *args, claims: dict[int, Claim] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.claims = claims or {}

    def clean_exact(self) -> str:
        exact = self.cleaned_data["exact"]
        if not exact.strip():
            raise ValidationError("Select some text first.")
        if exact != exact.strip():
            raise ValidationError("The selection begins or ends with white space; select the words themselves.")
        return exact

    def clean(self) -> dict:
        data = super().clean()
        if data.get("mode") == self.MODE_NEW:
            if not data.get("claim_text"):
                self.add_error("claim_text", "Write the claim this passage states.")
        elif data.get("mode") == self.MODE_LINK:
            claim_id = data.get("claim")
            if claim_id is None:
                self.add_error("claim", "Pick a claim from the list.")
            elif claim_id not in self.claims:
                self.add_error("claim", "That claim is not in this map.")
            if not data.get("stance"):
                self.add_error("stance", "Say whether the passage supports or opposes the claim.")
        if (data.get("start16") is None) != (data.get("end16") is None):
            self.add_error("exact", "The selection was sent incompletely; select the text again.")
        return data


class EvidenceEditForm(forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices)
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def data_was_quoted(form: AnnotateForm) -> bool:
    """Whether the passage came as a typed quote (no offsets): then the form keeps it editable."""
    return not form.data.get("start16")
