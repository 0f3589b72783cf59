"""Every page is scoped to a channel: another channel's manager gets 404, no permission 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from contacts.models import Membership

EDIT = "edit"
DELETE = "delete"
OWNER = "owner"

_CHECKS = {
    EDIT: lambda m: m.may_edit,
    DELETE: lambda m: m.may_delete,
    OWNER: lambda m: m.is_owner,
}


def membership_for(user, channel_slug: str) -> Membership:
    """The user's seat in the channel, or 404 (a channel you do not belong to does not exist)."""
    membership = (
        Membership.objects.select_related("channel")
        .filter(channel__slug=channel_slug, user=user)
        .first()
    )
    if membership is None:
        raise Http404("No such channel.")
    return membership


def channel_view(permission: str | None = None):
    """Decorate a view taking `channel_slug`; sets request.channel and request.membership."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, channel_slug, *args, **kwargs):
            membership = membership_for(request.user, channel_slug)
            if permission is not None and not _CHECKS[permission](membership):
                raise PermissionDenied
            request.membership = membership
            request.channel = membership.channel
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def channel_page(request, template: str, nav: str, status: int = 200, **context):
    """Render a page of the channel a `channel_view` found, its navigation item marked."""
    context.update(channel=request.channel, membership=request.membership, nav=nav)
    return render(request, template, context, status=status)
