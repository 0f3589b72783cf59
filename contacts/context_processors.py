from contacts.models import Membership


def channels(request):
    """The channels the signed-in manager can switch between, for the navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "my_memberships": Membership.objects.filter(user=request.user)
        .select_related("channel")
        .order_by("channel__name")
    }
