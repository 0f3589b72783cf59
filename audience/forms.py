"""The Audience page's filters, parsed into an `Audience` (R-B2, R-M2, R-I7)."""

import json

from django import forms

from audience.selectors import CONTAINS, IS, Audience, KeyFilter
from contacts import profile_types
from contacts.keys import BUILTIN_KEYS, normalize_email
from contacts.models import Channel, ProfileKey
from contacts.selectors import LEAD, MEMBER

KEY_REQUIRED = "Choose the profile key this value belongs to."
VALUE_REQUIRED = "Enter the value to look for."
CONTAINS_NEEDS_LIST = "“contains” works on list, list of number and tag keys; use “is” here."

TYPE_CHOICES = [("", "Members and leads"), (MEMBER, "Members"), (LEAD, "Leads")]
OPERATOR_CHOICES = [(IS, "is"), (CONTAINS, "contains")]
# System keys hold moments the system writes; an exact moment is no marketing target.
_FILTER_BUILTINS = [key for key in BUILTIN_KEYS if not key.is_system]


class AudienceForm(forms.Form):
    tag = forms.CharField(label="Import tag", required=False, max_length=200)
    type = forms.ChoiceField(label="Customers", choices=TYPE_CHOICES, required=False)
    key = forms.ChoiceField(label="Profile key", required=False)
    operator = forms.ChoiceField(label="Match", choices=OPERATOR_CHOICES, required=False)
    value = forms.CharField(label="Value", required=False, max_length=10_000, strip=False)

    def __init__(self, *args, channel: Channel, **kwargs):
        super().__init__(*args, **kwargs)
        custom = list(
            ProfileKey.objects.filter(channel=channel).values_list("name", "label", "type")
        )
        # name -> (type, Customer field or None for a custom key)
        self.keys = {key.name: (key.type, key.field) for key in _FILTER_BUILTINS}
        self.keys.update({name: (type_name, None) for name, _, type_name in custom})
        self.fields["key"].choices = [
            ("", "Any"),
            (
                "Built-in keys",
                [(key.name, f"{key.label} ({key.name})") for key in _FILTER_BUILTINS],
            ),
            ("Channel keys", [(name, f"{label} ({name})") for name, label, _ in custom]),
        ]

    def clean(self):
        data = super().clean()
        name, text = data.get("key"), data.get("value", "")
        data["key_filter"] = None
        if not name:
            if text.strip():
                self.add_error("key", KEY_REQUIRED)
            return data
        type_name, field = self.keys[name]
        operator = data.get("operator") or IS
        if operator == CONTAINS and type_name not in profile_types.LIST_TYPES:
            self.add_error("operator", CONTAINS_NEEDS_LIST)
            return data
        try:
            value = _parse(name, type_name, operator, text)
        except profile_types.ProfileValueError as error:
            self.add_error("value", error.reason)
            return data
        except ValueError as error:  # normalize_email's reasons
            self.add_error("value", str(error))
            return data
        if value is profile_types.EMPTY:
            self.add_error("value", VALUE_REQUIRED)
            return data
        data["key_filter"] = KeyFilter(
            operator=operator, value=value, field=field, custom_key=None if field else name
        )
        return data

    def audience(self) -> Audience:
        """The filters as an Audience; call after is_valid()."""
        return Audience(
            tag=self.cleaned_data["tag"].strip(),
            customer_type=self.cleaned_data["type"] or None,
            key_filter=self.cleaned_data["key_filter"],
        )


def _parse(name: str, type_name: str, operator: str, text: str):
    """The stored value (or, for `contains`, the stored item) the text stands for."""
    if not text.strip():
        return profile_types.EMPTY
    if name == "email":
        return normalize_email(text)
    if operator == IS:
        return profile_types.parse(type_name, text)
    if type_name == profile_types.LIST_OF_NUMBER:
        return profile_types.parse(profile_types.NUMBER, text)
    # One item, checked as the key's list checks its items (length, tag characters).
    return profile_types.parse(type_name, json.dumps([text.strip()]))[0]
