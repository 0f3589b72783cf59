from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from contacts.models import Membership


@login_required
def home(request):
    """Send the manager to a channel's contacts: the one asked for, else their first."""
    memberships = Membership.objects.filter(user=request.user).select_related("channel")
    wanted = request.GET.get("channel")
    if wanted:
        memberships = memberships.filter(channel__slug=wanted)
    membership = memberships.order_by("channel__name").first()
    if membership is None:
        return render(request, "no_channel.html", status=404 if wanted else 200)
    return redirect("contacts:list", membership.channel.slug)
