"""Writes of a channel's customers and their profile keys, and the MU limit applied to them.

Decisions:
- Hand-added leads (R-C2): every customer counts for "Already exists", hidden, blocked and
  members too. With the MU limit reached the lead is stored hidden rather than refused (R-M2,
  R-M3: nothing typed is lost); the caller reads `is_hidden` to tell the manager.
- Edits (`customer_update`): built-in keys go to their columns, custom keys to the profile. A
  contact a manager types is verified (R-C3); the memberId stays unique in the channel; the
  profile limits hold (R-C6). Only the edited columns are saved.
- Deletions (R-D1): ids of another channel are ignored, never deleted; one activity entry per
  customer; room that appears under the MU limit shows hidden customers again (R-M2). ``via``
  marks a deletion no manager made (``activitylog.services.VIA_API``).
- `customer_table_upkeep`: on PostgreSQL, pages a bulk write leaves behind are not all-visible
  until a VACUUM runs, so until then an index-only scan (a page of the contact list, a fresh
  MU count) visits the table for every customer, and statistics from before the write mislead
  the planner. Autovacuum gets there in time where it runs; this gets there now. VACUUM cannot
  run inside a transaction: there ANALYZE runs alone. Then, on every database, it checks the
  MU counters of the channels the bulk write covered (``contacts.mu_counter``).
- The MU count (R-M1) is a counter the database keeps (the mu_counter migration):
  `mu_rebalance` reads it (``selectors.mu_count``) rather than counting the visible customers.
- `mu_rebalance`: a customer never seen counts as the oldest; ties break on the lower id hiding
  first, so the outcome is the same on every database. Imports do not call it for the customers
  they create (R-M3 decides those in file order).
"""

import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record, activity_record_many
from contacts import profile_types, selectors
from contacts.keys import BUILTIN_BY_NAME, BUILTIN_KEYS, normalize_email
from contacts.models import HAS_CONTACT, Channel, Customer, ProfileKey
from contacts.mu_counter import mu_recount, mu_writes_lock


def mu_rebalance(channel: Channel) -> tuple[int, int]:
    """Apply the MU limit (R-M2): hide oldest lastSeenAt first, show when room; (hidden, shown)."""
    limit = channel.mu_limit
    counted = Customer.objects.filter(HAS_CONTACT, channel=channel, is_blocked=False)
    visible = counted.filter(is_hidden=False)
    hidden = counted.filter(is_hidden=True)
    if limit is None:
        shown = hidden.update(is_hidden=False)
        return 0, shown
    with transaction.atomic():
        excess = selectors.mu_count(channel) - limit
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


@transaction.atomic
def mu_limit_set(*, channel: Channel, by, mu_limit: int | None) -> tuple[int, int]:
    """Set or clear the manual MU limit and apply it at once (R-M2); returns (hidden, shown)."""
    mu_writes_lock(channel.pk)
    previous = channel.mu_limit
    channel.mu_limit = mu_limit
    channel.save(update_fields=["mu_limit"])
    hidden, shown = mu_rebalance(channel)
    activity_record(
        channel=channel,
        actor=by,
        category=Entry.Category.SETTINGS,
        action="MU limit cleared" if mu_limit is None else f"MU limit set to {mu_limit}",
        details={"previous": previous, "muLimit": mu_limit, "hidden": hidden, "shown": shown},
    )
    return hidden, shown


# Customers

CONTACT_REQUIRED = "Enter an email address or a mobile number."
LEAD_ALREADY_EXISTS = "Already exists"
LEAD_KEEPS_A_CONTACT = "A lead needs an email address or a mobile number; keep at least one."
MEMBER_ID_REQUIRED = "A member needs a memberId."
MEMBER_ID_TAKEN = "Another customer of this channel already has this memberId."


class CustomerError(ValueError):
    """A refused customer change; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None, customer=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.customer = customer


def _mobile_e164(text: str) -> str | None:
    try:
        value = profile_types.parse(profile_types.PHONE, text)
    except profile_types.ProfileValueError as error:
        raise CustomerError(error.reason, field="mobile_number") from None
    return value or None


def customer_table_upkeep(*, channel_ids: Iterable[int] = ()) -> None:
    """After a bulk write: the table's statistics and visibility map; these MU counters checked."""
    if connection.vendor == "postgresql":
        table = Customer._meta.db_table
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {table}")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    for channel in Channel.objects.filter(pk__in=list(channel_ids)).order_by("pk"):
        mu_recount(channel=channel)


@transaction.atomic
def lead_add(
    *,
    channel: Channel,
    by,
    email: str | None = None,
    mobile_number: str | None = None,
    name: str = "",
) -> Customer:
    """Add one verified lead by hand (R-C2, R-C3), unless a customer already has its contact."""
    try:
        email = normalize_email(email) if email and email.strip() else None
    except ValueError as error:
        raise CustomerError(str(error), field="email") from None
    mobile_number = _mobile_e164(mobile_number) if mobile_number else None
    if email is None and mobile_number is None:
        raise CustomerError(CONTACT_REQUIRED)
    mu_writes_lock(channel.pk)
    # Serialises hand adds in the channel (on PostgreSQL): two at once can neither both pass
    # "Already exists" nor both take the last free MU seat.
    Channel.objects.select_for_update().filter(pk=channel.pk).first()
    existing = (
        selectors.customers_with_contact(channel=channel, email=email, mobile_number=mobile_number)
        .order_by("id")
        .first()
    )
    if existing is not None:
        raise CustomerError(LEAD_ALREADY_EXISTS, customer=existing)
    room = selectors.mu_room(channel)
    now = timezone.now()
    customer = Customer.objects.create(
        channel=channel,
        name=name.strip(),
        email=email,
        email_verified=email is not None,
        mobile_number=mobile_number,
        mobile_verified=mobile_number is not None,
        created_at=now,
        updated_at=now,
        # Like a lead created by an import (R-I19): "seen" when added, so it is not the first
        # to be hidden by the MU limit.
        last_seen_at=now,
        is_hidden=room == 0,
    )
    activity_record(
        channel=channel,
        actor=by,
        category=Entry.Category.CUSTOMER_ADD,
        action="Lead added" + (" hidden (MU limit reached)" if customer.is_hidden else ""),
        customer=customer,
        details={"keys": [k for k, v in (("email", email), ("mobileNumber", mobile_number)) if v]},
    )
    return customer


def _same_value(a, b) -> bool:
    """Equal as stored JSON: 1, 1.0 and true are different profile values."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


_EDITABLE_BUILTINS = frozenset(k.name for k in BUILTIN_KEYS if k.is_mappable)


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    by,
    changes: dict,
    email_verified: bool | None = None,
    mobile_verified: bool | None = None,
) -> list[str]:
    """Apply parsed values by key name (None clears one); returns the changed keys' names."""
    mu_writes_lock(customer.channel_id)
    changed: list[str] = []
    profile = dict(customer.profile)
    for name, value in changes.items():
        if value is profile_types.EMPTY or value == "" or value == []:
            value = None
        builtin = BUILTIN_BY_NAME.get(name)
        if builtin is not None:
            if name not in _EDITABLE_BUILTINS:
                raise ValueError(f"{name} is not editable")
            if name == "name":
                value = value or ""
            if getattr(customer, builtin.field) != value:
                setattr(customer, builtin.field, value)
                changed.append(name)
        elif value is None:
            if name in profile:
                del profile[name]
                changed.append(name)
        elif name not in profile or not _same_value(profile[name], value):
            profile[name] = value
            changed.append(name)
    if "memberId" in changed:
        if customer.member_id is None:
            raise CustomerError(MEMBER_ID_REQUIRED, field="member_id")
        taken = (
            Customer.objects.filter(channel_id=customer.channel_id, member_id=customer.member_id)
            .exclude(pk=customer.pk)
            .exists()
        )
        if taken:
            raise CustomerError(MEMBER_ID_TAKEN, field="member_id")
    if (
        customer.member_id is None
        and customer.email is None
        and customer.mobile_number is None
        and {"email", "mobileNumber"} & set(changed)
    ):
        raise CustomerError(LEAD_KEEPS_A_CONTACT)
    customer.profile = profile
    try:
        profile_types.check_profile_limits(selectors.customer_profile(customer))
    except profile_types.ProfileValueError as error:
        raise CustomerError(error.reason) from None
    verified = {"email": email_verified, "mobileNumber": mobile_verified}
    for name, field, contact in (
        ("email", "email_verified", customer.email),
        ("mobileNumber", "mobile_verified", customer.mobile_number),
    ):
        wanted = verified[name]
        if name in changed:
            wanted = contact is not None
        elif wanted is None or contact is None:
            continue
        if getattr(customer, field) != wanted:
            setattr(customer, field, wanted)
            changed.append(f"{name}Verified")
    if not changed:
        return []
    customer.updated_at = timezone.now()
    # Only the edited columns: a block or an import chunk may have written the others meanwhile.
    fields = {"profile", "updated_at", "email_verified", "mobile_verified"}
    fields.update(BUILTIN_BY_NAME[n].field for n in changed if n in BUILTIN_BY_NAME)
    customer.save(update_fields=sorted(fields))
    activity_record(
        channel=customer.channel,
        actor=by,
        category=Entry.Category.CUSTOMER_EDIT,
        action="Customer info edited",
        customer=customer,
        details={"keys": changed},
    )
    return changed


_DELETE_BATCH = 2000


def _delete_batch(channel: Channel, by, customers: list[Customer], details=None) -> None:
    # Conversations keep their history with the customer link cleared (SET_NULL, R-D1).
    Customer.objects.filter(channel=channel, id__in=[c.pk for c in customers]).delete()
    activity_record_many(
        [
            Entry(
                channel=channel,
                actor=by,
                category=Entry.Category.CUSTOMER_DELETE,
                action="Customer deleted",
                customer_id=c.pk,
                customer_label=c.display_name,
                details=details or {},
            )
            for c in customers
        ]
    )


@transaction.atomic
def customer_delete(*, customer: Customer, by, via: str | None = None) -> tuple[int, int]:
    """Delete one customer for good (R-D1); returns mu_rebalance's (hidden, shown)."""
    channel = customer.channel
    mu_writes_lock(channel.pk)
    _delete_batch(channel, by, [customer], details={"via": via} if via else None)
    return mu_rebalance(channel)


@transaction.atomic
def customers_delete(
    *, channel: Channel, by, customer_ids=None, customers: QuerySet | None = None
) -> tuple[int, int]:
    """Delete the channel's customers among ids or a queryset (R-D1); returns (deleted, shown)."""
    mu_writes_lock(channel.pk)
    if customers is None:
        customers = Customer.objects.filter(id__in=list(customer_ids or ()))
    customers = customers.filter(channel=channel).only(
        "id", "name", "member_id", "email", "mobile_number"
    )
    deleted = 0
    last_id = None
    while True:
        batch = customers.order_by("id")
        if last_id is not None:
            batch = batch.filter(id__gt=last_id)
        rows = list(batch[:_DELETE_BATCH])
        if not rows:
            break
        _delete_batch(channel, by, rows)
        deleted += len(rows)
        last_id = rows[-1].pk
    _, shown = mu_rebalance(channel) if deleted else (0, 0)
    return deleted, shown


# Profile keys

KEY_NAME_BUILTIN = "This is the name of a built-in profile key. Choose another name."
KEY_NAME_TAKEN = "The channel already has a profile key with this name."
KEY_TYPE_UNKNOWN = "Choose one of the profile key types."
KEY_TYPE_LOCKED = (
    "The type cannot change: customers already hold values for this key. "
    "Create a new key with the new type instead."
)


class ProfileKeyError(ValueError):
    """A refused profile key change; `field` names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@transaction.atomic
def profile_key_add(*, channel: Channel, by, name: str, label: str = "", type: str) -> ProfileKey:
    """Add a custom profile key with one data type (R-C5, R-T1)."""
    name = name.strip()
    try:
        profile_types.validate_key_name(name)
    except profile_types.ProfileValueError as error:
        raise ProfileKeyError(error.reason, field="name") from None
    if name.casefold() in {k.casefold() for k in BUILTIN_BY_NAME}:
        raise ProfileKeyError(KEY_NAME_BUILTIN, field="name")
    if ProfileKey.objects.filter(channel=channel, name__iexact=name).exists():
        raise ProfileKeyError(KEY_NAME_TAKEN, field="name")
    if type not in profile_types.TYPES:
        raise ProfileKeyError(KEY_TYPE_UNKNOWN, field="type")
    key = ProfileKey.objects.create(
        channel=channel, name=name, label=label.strip() or name, type=type, created_by=by
    )
    activity_record(
        channel=channel,
        actor=by,
        category=Entry.Category.PROFILE_KEY,
        action=f"Profile key {name} added",
        details={"name": name, "type": type},
    )
    return key


@transaction.atomic
def profile_key_update(*, key: ProfileKey, by, label: str, type: str) -> bool:
    """Change a key's label, and its type while no customer holds a value for it."""
    if type not in profile_types.TYPES:
        raise ProfileKeyError(KEY_TYPE_UNKNOWN, field="type")
    if type != key.type and selectors.profile_key_has_values(key):
        raise ProfileKeyError(KEY_TYPE_LOCKED, field="type")
    label = label.strip() or key.name
    if (label, type) == (key.label, key.type):
        return False
    details = {"name": key.name, "label": label, "type": type, "previousType": key.type}
    key.label, key.type = label, type
    key.save(update_fields=["label", "type"])
    activity_record(
        channel=key.channel,
        actor=by,
        category=Entry.Category.PROFILE_KEY,
        action=f"Profile key {key.name} changed",
        details=details,
    )
    return True
