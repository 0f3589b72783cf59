"""Invitations: an owner invites a person to manage the channel; the person joins by the link.

Decisions:
- Adding a manager on the settings page never seats an account by itself: it makes a one-time
  link, valid for 7 days, that the owner sees once and that is emailed when a mail server is
  configured. What the owner is told never depends on whether the email has an account.
- Only the link token's SHA-256 is stored: a copy of the database opens no seat.
- One pending invitation per email and channel: inviting again replaces the old link.
- Whoever opens the link joins as the invited email only: logged in with that account, by
  accepting; or, with no account yet, by choosing a password (validated) that makes it. A link
  never sets the password of an account that exists: that person logs in first. So the link's
  holder, and only by trying, learns that the account exists; the owner's page says nothing.
- Revoking deletes the invitation; the activity log keeps the invite, the revoke and the join.
"""

import hashlib
import logging
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.channels import ALREADY_MANAGER, ChannelError, account_create
from contacts.models import Channel, Invitation, Membership

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7
INVITATION_INVALID = (
    "This invitation link does not work: it was used, revoked or has expired. "
    "Ask the channel owner for a new one."
)
INVITATION_OTHER_ACCOUNT = (
    "This invitation is for {email}. Log out, then open the link again to join with that email."
)
ACCOUNT_EXISTS = (
    "An account with {email} already exists: log in with it, then open the link again to accept."
)
EMAIL_SUBJECT = "You are invited to manage {channel} in Customer Contacts"
EMAIL_BODY = (
    "{inviter} invites you to manage the customer contacts of {channel}.\n\n"
    "Open this link to join. It works once, until {expires} UTC:\n{link}\n"
)
EMAIL_NOT_SENT = "The invitation email to %s was not sent"
# Backends that deliver nothing to the invited person: the link is only shown to the owner.
NON_DELIVERING_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_emails_delivered() -> bool:
    """Whether invitations are emailed (a mail server is configured)."""
    return settings.EMAIL_BACKEND not in NON_DELIVERING_BACKENDS


@transaction.atomic
def invitation_create(
    *,
    channel: Channel,
    email: str,
    can_edit_customers: bool,
    can_delete_customers: bool,
    by,
    base_url: str,
) -> tuple[Invitation, str]:
    """Invite a person to manage the channel; returns the invitation and its one-time link."""
    email = email.strip().lower()
    if Membership.objects.filter(channel=channel, user__username__iexact=email).exists():
        raise ChannelError(ALREADY_MANAGER)
    Invitation.objects.filter(channel=channel, email=email, accepted_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        channel=channel,
        email=email,
        can_edit_customers=can_edit_customers,
        can_delete_customers=can_delete_customers,
        token_hash=_token_hash(token),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    activity_record(
        channel=channel,
        actor=by,
        category=Entry.Category.SETTINGS,
        action=f"Manager {email} invited",
        details={"canEdit": can_edit_customers, "canDelete": can_delete_customers},
    )
    link = base_url.rstrip("/") + reverse("invitation_accept", args=[token])
    if invitation_emails_delivered():
        transaction.on_commit(partial(_email_send, invitation, link))
    return invitation, link


def _email_send(invitation: Invitation, link: str) -> None:
    inviter = invitation.invited_by
    try:
        send_mail(
            EMAIL_SUBJECT.format(channel=invitation.channel.name),
            EMAIL_BODY.format(
                inviter=(inviter.email or inviter.get_username()) if inviter else "The owner",
                channel=invitation.channel.name,
                expires=invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
                link=link,
            ),
            None,
            [invitation.email],
        )
    except Exception:
        # Best effort: the owner has the link on the page whatever the mail server does.
        logger.exception(EMAIL_NOT_SENT, invitation.email)


def invitation_find(token: str) -> Invitation | None:
    """The pending, unexpired invitation a link's token names, or None."""
    return (
        Invitation.objects.select_related("channel")
        .filter(token_hash=_token_hash(token), accepted_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .first()
    )


def _pending_locked(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("channel", "invited_by")
        .filter(pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if locked is None:
        raise ChannelError(INVITATION_INVALID)
    return locked


def _seat(invitation: Invitation, user) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        channel=invitation.channel,
        user=user,
        defaults={
            "role": Membership.Role.MANAGER,
            "can_edit_customers": invitation.can_edit_customers,
            "can_delete_customers": invitation.can_delete_customers,
        },
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    inviter = invitation.invited_by
    activity_record(
        channel=invitation.channel,
        actor=user,
        category=Entry.Category.SETTINGS,
        action=f"Manager {invitation.email} joined",
        details={
            "invitedBy": inviter.email if inviter else None,
            "canEdit": invitation.can_edit_customers,
            "canDelete": invitation.can_delete_customers,
        },
    )
    return membership


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Seat the logged-in person the invitation is for; the link is used up."""
    invitation = _pending_locked(invitation)
    if user.get_username().lower() != invitation.email:
        raise ChannelError(INVITATION_OTHER_ACCOUNT.format(email=invitation.email))
    return _seat(invitation, user)


@transaction.atomic
def invitation_join(*, invitation: Invitation, password: str) -> Membership:
    """Make the invited person's account with the password they chose, and seat it."""
    invitation = _pending_locked(invitation)
    User = get_user_model()
    if User.objects.filter(username__iexact=invitation.email).exists():
        raise ChannelError(ACCOUNT_EXISTS.format(email=invitation.email))
    user = account_create(email=invitation.email, password=password)
    return _seat(invitation, user)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> None:
    """Withdraw a pending invitation: its link stops working."""
    channel, email = invitation.channel, invitation.email
    invitation.delete()
    activity_record(
        channel=channel,
        actor=by,
        category=Entry.Category.SETTINGS,
        action=f"Invitation of {email} revoked",
    )
