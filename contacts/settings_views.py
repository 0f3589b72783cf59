"""The owner's channel settings page: managers, their invitations and permissions, the MU limit."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts import channels, invitations, selectors, services
from contacts.access import OWNER, channel_page, channel_view
from contacts.forms import ManagerInviteForm, ManagerPermissionsForm, MuLimitForm
from contacts.models import Invitation, Membership

# What the owner reads never tells whether the email already has an account.
INVITATION_CREATED = (
    "Invitation for {email} created. Send them this link; it works once, for {days} days: {link}"
)
INVITATION_SENT = (
    "Invitation emailed to {email}. The link works once, for {days} days; you may also send it "
    "yourself: {link}"
)
INVITATION_REVOKED = "The invitation of {email} is revoked; its link no longer works."
MANAGER_UPDATED = "Permissions of {email} saved."
MANAGER_REMOVED = "{email} is no longer a manager of the channel."
MU_LIMIT_SAVED = "MU limit saved: {hidden} customer(s) hidden, {shown} shown again."
MU_LIMIT_CLEARED = "MU limit removed: {shown} hidden customer(s) shown again."


def _settings_page(request, add_form=None, mu_form=None, status: int = 200):
    memberships = (
        request.channel.memberships.select_related("user")
        .annotate(
            owner_first=Case(
                When(role=Membership.Role.OWNER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("owner_first", "user__email")
    )
    return channel_page(
        request,
        "contacts/settings.html",
        nav="settings",
        status=status,
        memberships=memberships,
        invitations=request.channel.invitations.filter(accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("email"),
        now=timezone.now(),
        invitation_days=invitations.INVITATION_DAYS,
        add_form=add_form or ManagerInviteForm(),
        mu_form=mu_form or MuLimitForm(initial={"mu_limit": request.channel.mu_limit}),
        mu_count=selectors.mu_count(request.channel),
    )


@channel_view(OWNER)
def channel_settings(request):
    """Managers with their permissions, and the MU limit (owner only)."""
    return _settings_page(request)


@channel_view(OWNER)
@require_POST
def manager_invite(request):
    """Invite a person to manage the channel: a one-time link, shown once and emailed."""
    form = ManagerInviteForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, add_form=form)
    email = form.cleaned_data["email"].lower()
    try:
        _, link = invitations.invitation_create(
            channel=request.channel,
            email=email,
            can_edit_customers=form.cleaned_data["can_edit_customers"],
            can_delete_customers=form.cleaned_data["can_delete_customers"],
            by=request.user,
            base_url=settings.SITE_URL or request.build_absolute_uri("/"),
        )
    except channels.ChannelError as error:
        form.add_error("email", str(error))
        return _settings_page(request, add_form=form)
    text = INVITATION_SENT if invitations.invitation_emails_delivered() else INVITATION_CREATED
    messages.success(request, text.format(email=email, days=invitations.INVITATION_DAYS, link=link))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(
        Invitation, pk=pk, channel=request.channel, accepted_at__isnull=True
    )
    invitations.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, INVITATION_REVOKED.format(email=invitation.email))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def manager_update(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, channel=request.channel)
    form = ManagerPermissionsForm(request.POST)
    form.is_valid()
    try:
        channels.manager_permissions_set(
            membership=membership,
            by=request.user,
            can_edit_customers=form.cleaned_data["can_edit_customers"],
            can_delete_customers=form.cleaned_data["can_delete_customers"],
        )
    except channels.ChannelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, MANAGER_UPDATED.format(email=membership.user.email))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def manager_remove(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, channel=request.channel)
    email = membership.user.email
    try:
        channels.manager_remove(membership=membership, by=request.user)
    except channels.ChannelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, MANAGER_REMOVED.format(email=email))
    return redirect("contacts:settings", request.channel.slug)


@channel_view(OWNER)
@require_POST
def mu_limit_update(request):
    """Set or clear the MU limit; hides or shows customers at once (R-M2)."""
    form = MuLimitForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, mu_form=form)
    mu_limit = form.cleaned_data["mu_limit"]
    hidden, shown = services.mu_limit_set(
        channel=request.channel, by=request.user, mu_limit=mu_limit
    )
    if mu_limit is None:
        messages.success(request, MU_LIMIT_CLEARED.format(shown=shown))
    else:
        messages.success(request, MU_LIMIT_SAVED.format(hidden=hidden, shown=shown))
    return redirect("contacts:settings", request.channel.slug)
