from django import forms

from .models import ArgumentMap, ClaimKind, Role


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
        fields = [*MapForm.Meta.fields, "citation_style", "version"]
        labels = {"citation_style": "Citation style"}
        help_texts = {
            **MapForm.Meta.help_texts,
            "citation_style": "How quotes are attributed and sources listed on the map's pages, "
            "in its brief and in its exports.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A form that does not send the style (an older page, a script) leaves it as it is.
        self.fields["citation_style"].required = False


class AddSourceForm(forms.Form):
    source = forms.ModelChoiceField(queryset=None, empty_label="Choose a document…", label="Document from the library")

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = choices


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown works: *emphasis*, **strong**, lists, > quotes and links.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ClaimEditForm(forms.Form):
    text = forms.CharField(
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "A claim needs some words."},
    )
    kind = forms.ChoiceField(choices=ClaimKind.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("A claim needs some words.")
        return text


class ResponseForm(forms.Form):
    text = forms.CharField(
        label="New claim",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "A claim needs some words."},
    )
    kind = forms.ChoiceField(
        label="It", choices=[("supports", "supports this claim"), ("opposes", "opposes this claim")], initial="supports"
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("A claim needs some words.")
        return text


WEIGHT_CHOICES = [("", "fully (no weight)"), ("0.75", "three quarters"), ("0.5", "half"), ("0.25", "a quarter")]


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label="It", choices=[("supports", "supports"), ("opposes", "opposes")])
    to_claim = forms.ModelChoiceField(queryset=None, label="the claim")
    weight = forms.TypedChoiceField(
        label="and counts in the balance of reasons",
        choices=WEIGHT_CHOICES,
        coerce=float,
        empty_value=None,
        required=False,
        help_text="A weaker link moves the balance less; standing (holds, challenged) does not change.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, claims, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_claim"].queryset = claims
        current = str(self.initial.get("weight") or "")
        if current and current not in dict(WEIGHT_CHOICES):  # a weight set elsewhere (an import, the API)
            self.fields["weight"].choices = [*WEIGHT_CHOICES, (current, f"as now ({float(current):.2f})")]


INVITABLE_ROLES = [(r.value, r.label) for r in Role if r != Role.OWNER]


class InviteForm(forms.Form):
    who = forms.CharField(label="Username or email", max_length=254)
    role = forms.ChoiceField(choices=INVITABLE_ROLES, initial=Role.ANNOTATOR)


class InvitationLinkForm(forms.Form):
    role = forms.ChoiceField(choices=INVITABLE_ROLES, initial=Role.VIEWER)
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=365,
        required=False,
        initial=14,
        help_text="Leave empty for a link that works until you revoke it.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class MotionForm(forms.Form):
    question = forms.CharField(
        label="Motion",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "A debate needs a motion: the question or statement people argue about."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ThesisForm(forms.Form):
    text = forms.CharField(
        label="A position on the motion",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "A position needs some words."},
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("A position needs some words.")
        return text


class PlaceForm(forms.Form):
    """Attach a claim under another one, as a pro or a con."""

    kind = forms.ChoiceField(
        label="It",
        choices=[("supports", "supports (pro)"), ("opposes", "opposes (con)")],
        initial="supports",
        widget=forms.RadioSelect,
    )
    to_claim = forms.ModelChoiceField(
        queryset=None, label="the claim", error_messages={"required": "Choose the claim it bears on."}
    )

    def __init__(self, *args, claims, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_claim"].queryset = claims
        self.fields["to_claim"].label_from_instance = lambda claim: claim.text[:160]
