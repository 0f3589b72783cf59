from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q

from activitylog.models import Entry
from activitylog.services import activity_record
from contacts.models import Channel, Customer, Membership

CHANNEL_SLUG_TAKEN = "A channel with this slug already exists. Choose another slug."
ALREADY_MANAGER = "This person is already a manager of the channel."


class ChannelError(ValueError):
    """A refused channel operation; the message says what to fix."""


def _user_for_email(email: str, password: str | None):
    User = get_user_model()
    user = User.objects.filter(username__iexact=email).first()
    if user is None:
        user = User(username=email.lower(), email=email.lower())
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
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
    """Give a person a manager seat in the channel with the given permissions."""
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


def mu_filter() -> Q:
    """R-M1: customers with stored contact information, not blocked and not hidden."""
    return (
        Q(member_id__isnull=False) | Q(email__isnull=False) | Q(mobile_number__isnull=False)
    ) & Q(is_blocked=False, is_hidden=False)


def mu_count(channel: Channel) -> int:
    """The channel's managed users (R-M1)."""
    return Customer.objects.filter(mu_filter(), channel=channel).count()


def mu_rebalance(channel: Channel) -> tuple[int, int]:
    """Apply the MU limit (R-M2): hide beyond it, oldest lastSeenAt first; show again when room.

    Returns (hidden, shown). A customer never seen counts as the oldest; ties break on the lower
    id hiding first, so the outcome is deterministic on every database.
    Imports do not call this for the customers they create (R-M3 decides those in file order).
    """
    limit = channel.mu_limit
    counted = Customer.objects.filter(channel=channel, is_blocked=False).filter(
        Q(member_id__isnull=False) | Q(email__isnull=False) | Q(mobile_number__isnull=False)
    )
    visible = counted.filter(is_hidden=False)
    hidden = counted.filter(is_hidden=True)
    if limit is None:
        shown = hidden.update(is_hidden=False)
        return 0, shown
    with transaction.atomic():
        excess = visible.count() - limit
        if excess > 0:
            oldest_first = visible.order_by(F("last_seen_at").asc(nulls_first=True), "id")
            ids = list(oldest_first.values_list("id", flat=True)[:excess])
            return Customer.objects.filter(id__in=ids).update(is_hidden=True), 0
        room = -excess
        if room > 0:
            newest_first = hidden.order_by(F("last_seen_at").desc(nulls_last=True), "-id")
            ids = list(newest_first.values_list("id", flat=True)[:room])
            return 0, Customer.objects.filter(id__in=ids).update(is_hidden=False)
    return 0, 0
