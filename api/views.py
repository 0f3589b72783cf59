"""The owner's API keys on the channel's settings page (R-D2)."""

from django.shortcuts import render
from django.views.decorators.http import require_POST

from api.services import api_secret_regenerate
from contacts.access import OWNER, channel_view


@channel_view(OWNER)
@require_POST
def secret_regenerate(request):
    """A new access secret, shown on this page once; the old one stops working at once."""
    keys, secret = api_secret_regenerate(channel=request.channel, by=request.user)
    context = {
        "channel": request.channel,
        "membership": request.membership,
        "nav": "settings",
        "keys": keys,
        "secret": secret,
    }
    response = render(request, "api/secret.html", context)
    response["Cache-Control"] = "no-store"
    return response
