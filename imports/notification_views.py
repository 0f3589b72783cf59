"""The notifications page (R-I13): a manager's messages from all their channels.

Decisions (R-I13):
- Opening a notification is a GET of its own address, which marks it read and redirects to the
  import's page: the list entries stay plain links (open in a new tab, no form per row, no
  JavaScript), and marking one's own message read is harmless to repeat. "Mark all read" changes
  many rows at once, so it is a POST.
- A notification is looked up among the recipient's own, in the channels they still belong to:
  another manager's, or one from a channel the manager has left, is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from imports import selectors
from imports.notifications import notification_read, notifications_read_all

PER_PAGE = 25
ALL_READ = "All notifications are marked read."


@login_required
@require_GET
def notification_list(request):
    """The manager's notifications, newest first, unread ones marked."""
    notes = selectors.notifications_visible(request.user).select_related("channel")
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/notifications.html",
        {
            "nav": "notifications",
            "page": page,
            "unread_count": selectors.notifications_unread_count(request.user),
        },
    )


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark the notification read and go to its import."""
    note = get_object_or_404(
        selectors.notifications_visible(request.user).select_related("channel"), pk=pk
    )
    notification_read(notification=note)
    if note.import_run_id is None:
        return redirect("notifications:list")
    return redirect("imports:detail", note.channel.slug, note.import_run_id)


@login_required
@require_POST
def notification_read_all(request):
    """Mark every notification the manager can see read."""
    notifications_read_all(user=request.user)
    messages.success(request, ALL_READ)
    return redirect("notifications:list")
