from django import forms
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from activitylog.models import Entry
from activitylog.selectors import channel_managers, entries_for_channel
from activitylog.services import VIA_API
from contacts.access import channel_view
from contacts.models import Customer

PAGE_SIZE = 50
DATES_REVERSED = "The start date is after the end date."


class EntryFilterForm(forms.Form):
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *Entry.Category.choices]
    )
    manager = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [("", "All managers")] + [
            (user.pk, user.email or user.username) for user in managers
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(DATES_REVERSED)
        return data


@channel_view()
def entry_list(request):
    """The channel's activity log, newest first, 50 a page (any manager of the channel)."""
    channel = request.channel
    form = EntryFilterForm(request.GET or None, managers=channel_managers(channel=channel))
    filters = form.cleaned_data if form.is_valid() else {}
    cursor = None
    if filters.get("before"):
        cursor = Entry.objects.filter(channel=channel, pk=filters["before"]).first()
    entries = list(
        entries_for_channel(
            channel=channel,
            category=filters.get("category"),
            actor_id=filters.get("manager"),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
            before=cursor,
        )[: PAGE_SIZE + 1]
    )
    has_next = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("before", None)
    next_query = None
    if has_next:
        query["before"] = entries[-1].pk
        next_query = query.urlencode()
        query.pop("before")
    return render(
        request,
        "activitylog/list.html",
        {
            "channel": channel,
            "membership": request.membership,
            "nav": "activity",
            "form": form,
            "rows": _rows(channel, entries),
            "is_first_page": cursor is None,
            "first_query": query.urlencode(),
            "next_query": next_query,
        },
    )


def _rows(channel, entries: list[Entry]) -> list[dict]:
    customer_ids = {e.customer_id for e in entries if e.customer_id}
    existing = set(
        Customer.objects.filter(channel=channel, pk__in=customer_ids).values_list("pk", flat=True)
    )
    return [
        {
            "entry": e,
            "who": _who(e),
            "customer_url": _customer_url(channel, e.customer_id, existing),
            "import_url": _import_url(channel, e.import_id),
            "details": details_summary(e.details),
        }
        for e in entries
    ]


def _who(entry: Entry) -> str:
    if entry.actor is not None:
        return entry.actor.email or entry.actor.username
    via = entry.details.get("via") if isinstance(entry.details, dict) else None
    return "API" if via == VIA_API else "System"


def _customer_url(channel, customer_id, existing) -> str | None:
    if customer_id not in existing:
        return None
    return reverse("contacts:detail", args=[channel.slug, customer_id])


def _import_url(channel, import_id) -> str | None:
    if not import_id:
        return None
    try:
        return reverse("imports:detail", args=[channel.slug, import_id])
    except NoReverseMatch:
        return None


def details_summary(details, limit: int = 240) -> str:
    """One line out of an entry's details: `key: value` pairs, nested ones flattened."""
    if not details:
        return ""
    if not isinstance(details, dict):
        return Truncator(_value_text(details)).chars(limit)
    parts = [f"{key}: {_value_text(value)}" for key, value in details.items()]
    return Truncator("; ".join(parts)).chars(limit)


def _value_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_value_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value) or "—"
    return str(value)
