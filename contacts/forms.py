"""Forms parse what a manager typed; the rules live in contacts/services.py."""

from django import forms

from contacts import profile_phones, profile_types
from contacts.keys import normalize_email
from contacts.models import Customer, ProfileKey

TRI_STATE_CHOICES = [("", "Unknown"), ("true", "Yes"), ("false", "No")]
TYPE_CHOICES = [
    (profile_types.STRING, "string"),
    (profile_types.PHONE, "phone number"),
    (profile_types.NUMBER, "number"),
    (profile_types.DATE, "date"),
    (profile_types.DATETIME, "datetime"),
    (profile_types.BOOLEAN, "boolean"),
    (profile_types.LIST, "list"),
    (profile_types.LIST_OF_NUMBER, "list of number"),
    (profile_types.TAG, "tag"),
]
TYPE_LABELS = dict(TYPE_CHOICES)
CUSTOM_FIELD_PREFIX = "key__"
_TRI_STATE = {"": None, "true": True, "false": False}
PASSWORDS_DIFFER = "The two passwords differ."


def _tri_state_initial(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


class _TypedField(forms.CharField):
    """A text field whose cleaned value is the stored value of a profile type (or None)."""

    def __init__(self, *, type_name: str, parse: profile_types.Parser | None = None, **kwargs):
        self.type_name = type_name
        self.parse = parse or profile_types.parser_for(type_name)
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        try:
            parsed = self.parse(text)
        except profile_types.ProfileValueError as error:
            raise forms.ValidationError(error.reason) from None
        return None if parsed is profile_types.EMPTY else parsed


def custom_key_field(key: ProfileKey) -> forms.Field:
    """The input that fits a custom key's type; each parses with profile_types (R-T1)."""
    label = f"{key.label} ({key.name})"
    if key.type == profile_types.BOOLEAN:
        return _TypedField(
            type_name=key.type, label=label, widget=forms.Select(choices=TRI_STATE_CHOICES)
        )
    if key.type in profile_types.LIST_TYPES:
        example = "[1, 2]" if key.type == profile_types.LIST_OF_NUMBER else '["a", "b"]'
        return _TypedField(
            type_name=key.type,
            label=label,
            widget=forms.Textarea(attrs={"rows": 2, "placeholder": example}),
            help_text=f"A JSON list, e.g. {example}",
        )
    if key.type == profile_types.DATE:
        return _TypedField(
            type_name=key.type, label=label, widget=forms.DateInput(attrs={"type": "date"})
        )
    placeholders = {
        profile_types.PHONE: "+82 10-2020-3030",
        profile_types.NUMBER: "1.01",
        profile_types.DATETIME: "2025-05-04T09:00:00+09:00",
    }
    attrs = {"placeholder": placeholders[key.type]} if key.type in placeholders else {}
    return _TypedField(type_name=key.type, label=label, widget=forms.TextInput(attrs=attrs))


class LeadAddForm(forms.Form):
    email = forms.CharField(max_length=254, required=False, label="Email")
    mobile_number = forms.CharField(
        max_length=40,
        required=False,
        label="Mobile number",
        help_text="With the country code, e.g. +82 10-2020-3030",
    )
    name = forms.CharField(max_length=512, required=False, label="Name")


class CustomerEditForm(forms.Form):
    """Built-in keys a manager may edit, then one typed field per custom key of the channel."""

    name = forms.CharField(max_length=512, required=False, label="Name")
    email = forms.CharField(max_length=254, required=False, label="Email")
    email_verified = forms.BooleanField(required=False, label="Email verified")
    mobile_number = _TypedField(
        type_name=profile_types.PHONE,
        label="Mobile number",
        help_text="With the country code, e.g. +82 10-2020-3030",
    )
    mobile_verified = forms.BooleanField(required=False, label="Mobile number verified")
    landline_number = _TypedField(
        type_name=profile_types.PHONE,
        parse=profile_phones.parse_landline,
        label="Landline number",
        help_text="e.g. +82 2-555-6666",
    )
    unsubscribe_email = forms.ChoiceField(
        choices=TRI_STATE_CHOICES, required=False, label="Email opt-out (unsubscribeEmail)"
    )
    unsubscribe_texting = forms.ChoiceField(
        choices=TRI_STATE_CHOICES, required=False, label="Texting opt-out (unsubscribeTexting)"
    )

    def __init__(self, *args, customer: Customer, keys: list[ProfileKey], **kwargs):
        initial = {
            "name": customer.name,
            "email": customer.email or "",
            "email_verified": customer.email_verified,
            "mobile_number": customer.mobile_number or "",
            "mobile_verified": customer.mobile_verified,
            "landline_number": customer.landline_number or "",
            "unsubscribe_email": _tri_state_initial(customer.unsubscribe_email),
            "unsubscribe_texting": _tri_state_initial(customer.unsubscribe_texting),
        }
        for key in keys:
            value = customer.profile.get(key.name)
            try:
                initial[CUSTOM_FIELD_PREFIX + key.name] = profile_types.format_value(
                    key.type, value
                )
            except (TypeError, ValueError):
                # A value stored under another type before; shown as JSON for the manager to fix.
                initial[CUSTOM_FIELD_PREFIX + key.name] = str(value)
        super().__init__(*args, initial=initial, **kwargs)
        self.keys = keys
        if customer.is_member:
            self.fields["member_id"] = forms.CharField(
                max_length=512, label="Member ID (memberId)", initial=customer.member_id
            )
            self.order_fields(["member_id"])
        for key in keys:
            self.fields[CUSTOM_FIELD_PREFIX + key.name] = custom_key_field(key)

    def clean_email(self):
        text = self.cleaned_data["email"].strip()
        if not text:
            return None
        try:
            return normalize_email(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_unsubscribe_email(self):
        return _TRI_STATE[self.cleaned_data["unsubscribe_email"]]

    def clean_unsubscribe_texting(self):
        return _TRI_STATE[self.cleaned_data["unsubscribe_texting"]]

    def builtin_fields(self):
        return [f for f in self if not f.name.startswith(CUSTOM_FIELD_PREFIX)]

    def custom_fields(self):
        return [f for f in self if f.name.startswith(CUSTOM_FIELD_PREFIX)]

    def changes(self) -> dict:
        """The cleaned values by profile key name, for customer_update."""
        data = self.cleaned_data
        changes = {
            "name": data["name"].strip(),
            "email": data["email"],
            "mobileNumber": data["mobile_number"],
            "landlineNumber": data["landline_number"],
            "unsubscribeEmail": data["unsubscribe_email"],
            "unsubscribeTexting": data["unsubscribe_texting"],
        }
        if "member_id" in data:
            changes["memberId"] = data["member_id"].strip() or None
        for key in self.keys:
            changes[key.name] = data[CUSTOM_FIELD_PREFIX + key.name]
        return changes


class ProfileKeyAddForm(forms.Form):
    name = forms.CharField(
        max_length=64,
        label="Name",
        help_text="Letters, digits and _, starting with a letter; cannot be changed later.",
    )
    label = forms.CharField(max_length=200, required=False, label="Label")
    type = forms.ChoiceField(choices=TYPE_CHOICES, label="Type")


class ProfileKeyEditForm(forms.Form):
    label = forms.CharField(max_length=200, required=False, label="Label")
    type = forms.ChoiceField(choices=TYPE_CHOICES, label="Type")


class ManagerInviteForm(forms.Form):
    email = forms.EmailField(label="Email")
    can_edit_customers = forms.BooleanField(required=False, label="May edit customers")
    can_delete_customers = forms.BooleanField(required=False, label="May delete customers")


class InvitationJoinForm(forms.Form):
    """A new person's password, typed twice; the rules are contacts.invitations'."""

    password = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="The password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", PASSWORDS_DIFFER)
        return data


class ManagerPermissionsForm(forms.Form):
    can_edit_customers = forms.BooleanField(required=False)
    can_delete_customers = forms.BooleanField(required=False)


class MuLimitForm(forms.Form):
    mu_limit = forms.IntegerField(
        min_value=0,
        required=False,
        label="MU limit",
        help_text="Empty means no limit. Customers beyond it are hidden, oldest last seen first.",
    )
