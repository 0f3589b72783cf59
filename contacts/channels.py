"""Channels and the people who manage them: accounts, owners, managers and their permissions.

Decisions:
- A person's email is their username; every password set here passes the validators
  (`config.settings.AUTH_PASSWORD_VALIDATORS`): common, numeric, short or like the email are
  refused.
- An operator may seat a person at once (`manager_add`, the `manager_add` command) and may then
  set or replace the account's password; an owner invites instead (`contacts.invitations`). An
  account made without a password has an unusable one until an operator sets one.
- The owner holds every permission and keeps their seat.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.models import Channel, Membership

CHANNEL_SLUG_TAKEN = "A channel with this slug already exists. Choose another slug."
ALREADY_MANAGER = "This person is already a manager of the channel."


class ChannelError(ValueError):
    """A refused channel operation; the message says what to fix."""


def password_check(*, password: str, user) -> None:
    """Refuse a password the validators reject (common, numeric, short, like the email)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ChannelError(" ".join(error.messages)) from None


def password_set(*, user, password: str) -> None:
    """Give an account a new password, once the validators accept it."""
    password_check(password=password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])


def account_create(*, email: str, password: str | None):
    """Make a person's account, the email its username, with a validated password or none."""
    User = get_user_model()
    user = User(username=email.lower(), email=email.lower())
    if password:
        password_check(password=password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def _user_for_email(email: str, password: str | None):
    user = get_user_model().objects.filter(username__iexact=email).first()
    if user is None:
        return account_create(email=email, password=password)
    if password:
        password_set(user=user, password=password)
    return user


@transaction.atomic
def channel_create(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    plan: str = Channel.Plan.FREE,
    has_security_package: bool = False,
    mu_limit: int | None = None,
) -> Channel:
    """Create a channel with its one owner (who holds every permission)."""
    if Channel.objects.filter(slug=slug).exists():
        raise ChannelError(CHANNEL_SLUG_TAKEN)
    channel = Channel.objects.create(
        slug=slug,
        name=name,
        plan=plan,
        has_security_package=has_security_package,
        mu_limit=mu_limit,
    )
    owner = _user_for_email(owner_email, owner_password)
    Membership.objects.create(
        channel=channel,
        user=owner,
        role=Membership.Role.OWNER,
        can_edit_customers=True,
        can_delete_customers=True,
    )
    activity_record(
        channel=channel,
        actor=owner,
        category=Entry.Category.SETTINGS,
        action="Channel created",
        details={"plan": plan, "muLimit": mu_limit},
    )
    return channel


@transaction.atomic
def manager_add(
    *,
    channel: Channel,
    email: str,
    password: str | None = None,
    can_edit_customers: bool = False,
    can_delete_customers: bool = False,
    by=None,
) -> Membership:
    """Seat a person in the channel at once (operators; owners invite, contacts.invitations)."""
    user = _user_for_email(email, password)
    if Membership.objects.filter(channel=channel, user=user).exists():
        raise ChannelError(ALREADY_MANAGER)
    membership = Membership.objects.create(
        channel=channel,
        user=user,
        role=Membership.Role.MANAGER,
        can_edit_customers=can_edit_customers,
        can_delete_customers=can_delete_customers,
    )
    activity_record(
        channel=channel,
        actor=by,
        category=Entry.Category.SETTINGS,
        action=f"Manager {user.email} added",
        details={"canEdit": can_edit_customers, "canDelete": can_delete_customers},
    )
    return membership


OWNER_NOT_REMOVABLE = "The owner cannot be removed from the channel."
OWNER_PERMISSIONS_FIXED = "The owner always holds every permission."


@transaction.atomic
def manager_permissions_set(
    *, membership: Membership, by, can_edit_customers: bool, can_delete_customers: bool
) -> bool:
    """Set a manager's edit and delete permissions; returns whether anything changed."""
    if membership.is_owner:
        raise ChannelError(OWNER_PERMISSIONS_FIXED)
    before = (membership.can_edit_customers, membership.can_delete_customers)
    if before == (can_edit_customers, can_delete_customers):
        return False
    membership.can_edit_customers = can_edit_customers
    membership.can_delete_customers = can_delete_customers
    membership.save(update_fields=["can_edit_customers", "can_delete_customers"])
    activity_record(
        channel=membership.channel,
        actor=by,
        category=Entry.Category.SETTINGS,
        action=f"Permissions of {membership.user.email} changed",
        details={"canEdit": can_edit_customers, "canDelete": can_delete_customers},
    )
    return True


@transaction.atomic
def manager_remove(*, membership: Membership, by) -> None:
    """Take a manager's seat away; the owner keeps theirs."""
    if membership.is_owner:
        raise ChannelError(OWNER_NOT_REMOVABLE)
    channel, email = membership.channel, membership.user.email
    membership.delete()
    activity_record(
        channel=channel,
        actor=by,
        category=Entry.Category.SETTINGS,
        action=f"Manager {email} removed",
    )
