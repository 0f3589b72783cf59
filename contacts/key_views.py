"""The channel's profile keys: the built-in ones, and the channel's own keys added and edited."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect

from contacts import selectors, services
from contacts.access import EDIT, channel_page, channel_view
from contacts.forms import TYPE_LABELS, ProfileKeyAddForm, ProfileKeyEditForm
from contacts.keys import BUILTIN_KEYS
from contacts.models import ProfileKey

KEY_ADDED = "Profile key {name} added."
KEY_SAVED = "Profile key {name} saved."


@channel_view()
def profile_keys(request):
    """Built-in keys (R-C5), then the channel's own keys with their types (R-T1)."""
    return channel_page(
        request,
        "contacts/keys.html",
        nav="keys",
        builtin_keys=BUILTIN_KEYS,
        custom_keys=ProfileKey.objects.filter(channel=request.channel),
        type_labels=TYPE_LABELS,
    )


@channel_view(EDIT)
def profile_key_add(request):
    form = ProfileKeyAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key = services.profile_key_add(
                channel=request.channel,
                by=request.user,
                name=form.cleaned_data["name"],
                label=form.cleaned_data["label"],
                type=form.cleaned_data["type"],
            )
        except services.ProfileKeyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, KEY_ADDED.format(name=key.name))
            return redirect("contacts:keys", request.channel.slug)
    return channel_page(request, "contacts/key_add.html", nav="keys", form=form)


@channel_view(EDIT)
def profile_key_edit(request, pk: int):
    """Label and type of a custom key; the type is locked once customers hold values."""
    key = get_object_or_404(ProfileKey, pk=pk, channel=request.channel)
    form = ProfileKeyEditForm(request.POST or None, initial={"label": key.label, "type": key.type})
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_key_update(
                key=key,
                by=request.user,
                label=form.cleaned_data["label"],
                type=form.cleaned_data["type"],
            )
        except services.ProfileKeyError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, KEY_SAVED.format(name=key.name))
            return redirect("contacts:keys", request.channel.slug)
    return channel_page(
        request,
        "contacts/key_edit.html",
        nav="keys",
        form=form,
        key=key,
        has_values=selectors.profile_key_has_values(key),
    )
