from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .models import SourceKind

ACCEPT = ".txt,.md,.markdown,.html,.htm,.pdf,.docx"


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="Plain text, Markdown, HTML, PDF or Word (.docx).",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    title = forms.CharField(max_length=500, required=False, help_text="Left empty, the document's own title is used.")
    authors = forms.CharField(
        max_length=1000,
        required=False,
        help_text="Separate several names with semicolons: “Ana Lima; Joseph R. Biden Jr.; United Nations”. "
        "Write “Family, Given” or put a name in {braces} where it could be misread.",
    )
    container_title = forms.CharField(
        label="Published in", max_length=500, required=False, help_text="Book, journal, site or series."
    )
    publisher = forms.CharField(max_length=300, required=False)
    published = forms.RegexField(
        regex=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        required=False,
        help_text="YYYY, YYYY-MM or YYYY-MM-DD.",
        error_messages={"invalid": "Write the date as YYYY, YYYY-MM or YYYY-MM-DD."},
    )
    kind = forms.ChoiceField(choices=SourceKind.choices, initial=SourceKind.OTHER)
    url = forms.URLField(label="URL", max_length=1000, required=False, assume_scheme="https")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.WARRANT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}, over the {filesizeformat(limit)} limit."
            )
        return upload

    def clean_authors(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["authors"].split(";") if name.strip()]


class BibliographyForm(forms.Form):
    file = forms.FileField(
        label="Bibliography file",
        help_text="BibTeX (.bib), RIS (.ris) or CSL-JSON (.json), as Zotero, Mendeley or EndNote export it.",
        widget=forms.ClearableFileInput(attrs={"accept": ".bib,.bibtex,.ris,.json,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.WARRANT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}, over the {filesizeformat(limit)} limit."
            )
        return upload
