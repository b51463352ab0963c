from django import forms

from .models import ArgumentMap


class MapForm(forms.ModelForm):
    class Meta:
        model = ArgumentMap
        fields = ["title", "question", "description", "visibility"]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "question": "The motion or question the map argues about, e.g. “States should act through coalitions…”.",
        }


class MapSettingsForm(MapForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(MapForm.Meta):
        fields = [*MapForm.Meta.fields, "version"]


class AddSourceForm(forms.Form):
    source = forms.ModelChoiceField(queryset=None, empty_label="Choose a document…", label="Document from the library")

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = choices
