"""Forms of the import wizard: they parse what the manager chose; the rules live in services."""

from django import forms

from contacts.forms import TYPE_CHOICES
from imports.models import Import

OPT_OUT_CHOICES = [("true", "true"), ("false", "false")]
ENCODING_CHOICES = [
    ("", "Detect"),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16"),
    ("cp949", "Korean (CP949 / EUC-KR)"),
    ("cp1252", "Western (Windows-1252)"),
    ("shift_jis", "Japanese (Shift-JIS)"),
    ("gbk", "Chinese (GBK)"),
]
DELIMITER_CHOICES = [("", "Detect"), (",", "Comma"), (";", "Semicolon"), ("\t", "Tab")]
CONFIRM_REQUIRED = "Tick the box to confirm that an import cannot be undone."
IDENTIFIER_REQUIRED = "Choose how leads are identified: by email or by mobile number."


class UploadForm(forms.Form):
    """The start page: what the file holds and the file itself (R-I1, R-I17)."""

    kind = forms.ChoiceField(
        label="The file holds", choices=Import.Kind.choices, widget=forms.RadioSelect
    )
    identifier = forms.ChoiceField(
        label="Leads are identified by",
        choices=Import.Identifier.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    file = forms.FileField(label="File")

    def clean(self):
        data = super().clean()
        if data.get("kind") == Import.Kind.LEAD and not data.get("identifier"):
            self.add_error("identifier", IDENTIFIER_REQUIRED)
        return data


class ReadingForm(forms.Form):
    """How the file is read: its encoding and delimiter, detected and changeable (R-I22)."""

    encoding = forms.ChoiceField(label="Encoding", choices=ENCODING_CHOICES, required=False)
    delimiter = forms.ChoiceField(label="Delimiter", choices=DELIMITER_CHOICES, required=False)


class NewKeyForm(forms.Form):
    """A custom key created from the mapping page for one column (R-I5)."""

    use_required_attribute = False  # its inputs sit in the mapping form, which "Check file" sends

    new_key_name = forms.CharField(label="Key name", max_length=100)
    new_key_type = forms.ChoiceField(label="Type", choices=TYPE_CHOICES)
    new_key_column = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class SettingsForm(forms.Form):
    """The import's empty-cell policy, tag and opt-outs for new customers (R-I7a, R-I8, R-I10)."""

    empty_cells = forms.ChoiceField(
        label="Empty cells", choices=Import.EmptyCells.choices, widget=forms.RadioSelect
    )
    tag = forms.CharField(label="Import tag", max_length=200, required=False)
    new_unsubscribe_email = forms.ChoiceField(
        label="Email opt-out", choices=OPT_OUT_CHOICES, widget=forms.RadioSelect, required=False
    )
    new_unsubscribe_texting = forms.ChoiceField(
        label="Text opt-out", choices=OPT_OUT_CHOICES, widget=forms.RadioSelect, required=False
    )

    def opt_outs(self) -> tuple[bool | None, bool | None]:
        """The opt-out choice for new customers, None where the manager chose nothing."""
        return tuple(  # type: ignore[return-value]
            None if not value else value == "true"
            for value in (
                self.cleaned_data.get("new_unsubscribe_email"),
                self.cleaned_data.get("new_unsubscribe_texting"),
            )
        )


class StartForm(forms.Form):
    """The confirmation before an import runs (R-I12)."""

    confirm = forms.BooleanField(
        label="I understand that an import cannot be undone",
        error_messages={"required": CONFIRM_REQUIRED},
    )
