"""The page an invitation link opens: join the channel as the invited email."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render

from contacts import channels, invitations
from contacts.forms import InvitationJoinForm

JOINED = "Welcome: you now manage the customer contacts of {channel}."
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_accept(request, token: str):
    """Accept when logged in as the invited email; else log in, or choose a password and join."""
    invitation = invitations.invitation_find(token)
    if invitation is None:
        return _page(request, None, status=404, error=invitations.INVITATION_INVALID)
    user = request.user
    if user.is_authenticated and user.get_username().lower() != invitation.email:
        error = invitations.INVITATION_OTHER_ACCOUNT.format(email=invitation.email)
        return _page(request, invitation, status=403, error=error)
    form = None if user.is_authenticated else InvitationJoinForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if form is None:
                invitations.invitation_accept(invitation=invitation, user=user)
            else:
                membership = invitations.invitation_join(
                    invitation=invitation, password=form.cleaned_data["password"]
                )
                login(request, membership.user, backend=MODEL_BACKEND)
        except channels.ChannelError as error:
            if form is None:
                return _page(request, invitation, status=409, error=str(error))
            form.add_error("password", str(error))
        else:
            messages.success(request, JOINED.format(channel=invitation.channel.name))
            return redirect("contacts:list", invitation.channel.slug)
    return _page(request, invitation, form=form)


def _page(request, invitation, *, status: int = 200, error: str = "", form=None):
    context = {"invitation": invitation, "error": error, "form": form}
    return render(request, "contacts/invitation_accept.html", context, status=status)
