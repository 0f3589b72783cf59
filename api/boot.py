"""Boot (R-C4): a page of the company's site syncs its browser with the channel; a boot that
carries a memberId is a login.

Decisions where the rules leave room:
- The browser is named by the site's ``veilId``. An unknown one creates an anonymous visitor
  (no contact: not counted in MU, not listed, R-M1). A boot's profile (name, email,
  mobileNumber) is what the visitor typed: each value is parsed by its type, a non-empty one
  replaces the stored one, and an email or mobile number that changes is unverified (R-C3), so
  a visitor that gives one becomes an unverified lead. A boot never clears a value.
- Every boot sets ``lastSeenAt`` and marks the customer booted (R-C4). A hidden customer that
  boots is now the most recently seen, so the limit's order (R-M2) shows it and hides the
  least recently seen visible customer if there is no room; so does a customer that starts
  counting toward MU with this boot (a new lead or member).
- A login (R-U5, R-U3): the browser's visitor or lead is unified into the member with that
  memberId, completing any pending unification of that lead; the login names the member, so a
  lead waiting for another member is unified into the one it logs in as. With no such member
  yet, the browser's visitor or lead becomes that member. A browser of another member hands
  its veilId over (one browser, one customer). The member keeps the veilId of its latest login.
- Blocked customers boot like the others and are answered ``blocked`` (R-B2: no chat).
- A returning browser with no profile (most boots), or a logged-in member's own browser, is
  one update statement in autocommit. Boots commit without waiting for the write-ahead log to
  reach the disk (PostgreSQL's ``synchronous_commit off``, for boots alone): a database crash
  may lose the last fraction of a second of them, never corrupt one; the browser's next boot
  writes it again. The whole boot runs for an unknown veilId, another customer's browser
  logging in, and a customer hidden by the MU limit.
- Activity (R-D2): a boot that adds a lead or member, changes a profile value or unifies is
  recorded as the API's (no actor, ``via: api``); a boot that only marks a visit is not.
"""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import VIA_API, activity_record_many
from api.errors import value_error
from contacts import profile_types
from contacts.keys import customer_type, normalize_email
from contacts.models import Channel, Customer, PendingUnification
from contacts.mu_counter import mu_writes_lock
from contacts.selectors import customer_profile
from contacts.services import mu_rebalance
from contacts.unification import customer_unify

VALUE_REQUIRED = "Send a non-empty value, or leave the key out"
# Boot profile key -> (Customer field, its verified mark or None).
PROFILE_FIELDS = {
    "name": ("name", None),
    "email": ("email", "email_verified"),
    "mobileNumber": ("mobile_number", "mobile_verified"),
}


def _parsed(key: str, text: str):
    try:
        if key == "email":
            return normalize_email(text) if text.strip() else profile_types.EMPTY
        type_name = profile_types.PHONE if key == "mobileNumber" else profile_types.STRING
        return profile_types.parse(type_name, text)
    except profile_types.ProfileValueError as error:
        raise value_error(key, error.reason) from None
    except ValueError as error:  # normalize_email's reason
        raise value_error(key, str(error)) from None


def boot_values(profile: dict) -> dict:
    """The boot profile's non-empty values by key, each parsed by its type (R-T1, R-T2)."""
    values = {}
    for key, text in profile.items():
        if text is not None:
            value = _parsed(key, text)
            if value is not profile_types.EMPTY:
                values[key] = value
    return values


def _identifier(key: str, text: str) -> str:
    value = _parsed(key, text)
    if value is profile_types.EMPTY:
        raise value_error(key, VALUE_REQUIRED)
    return value


@dataclass(frozen=True, slots=True)
class Booted:
    """What a boot answers the site (R-C4, R-B2, R-M2)."""

    customer_id: int
    type: str  # member, lead or visitor
    is_blocked: bool
    is_hidden: bool

    @classmethod
    def of(cls, customer: Customer) -> "Booted":
        return cls(customer.pk, customer.type, customer.is_blocked, customer.is_hidden)


def customer_boot(
    *, channel_id: int, veil_id: str, member_id: str | None = None, profile: dict | None = None
) -> Booted:
    """Sync the site's browser ``veil_id`` (R-C4); with a ``member_id`` the boot is a login."""
    veil_id = _identifier("veilId", veil_id)
    if member_id is not None:
        member_id = _identifier("memberId", member_id)
    values = boot_values(profile or {})
    if not values:
        booted = _visit(channel_id, veil_id, member_id)
        if booted is not None:
            return booted
    try:
        return Booted.of(_boot(channel_id, veil_id, member_id, values))
    except IntegrityError:  # the same new visitor or member created by a boot meanwhile
        return Booted.of(_boot(channel_id, veil_id, member_id, values))


def _relaxed_commit() -> None:
    """This transaction's commit does not wait for its WAL flush (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")


# One statement, in autocommit: a page view costs one round trip to the database. On
# PostgreSQL, set_config(..., true) is SET LOCAL for the statement's own transaction, so its
# commit does not wait for the WAL flush either, as the other boots' (see _relaxed_commit).
_VISIT = (
    "{relaxed}UPDATE contacts_customer SET last_seen_at = %s, has_booted = %s{join} "
    "WHERE channel_id = %s AND veil_id = %s AND NOT is_hidden{member} "
    "RETURNING id, member_id, email, mobile_number, is_blocked"
)
_RELAXED = "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS done) "


def _visit(channel_id: int, veil_id: str, member_id: str | None) -> Booted | None:
    """A visit marked in one update; None where the whole boot decides."""
    params = [timezone.now(), True, channel_id, veil_id]
    parts = {"relaxed": "", "join": "", "member": ""}
    if connection.vendor == "postgresql":
        parts.update(relaxed=_RELAXED, join=" FROM relaxed")
    if member_id is not None:
        parts["member"] = " AND member_id = %s"
        params.append(member_id)
    with connection.cursor() as cursor:
        cursor.execute(_VISIT.format(**parts), params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, member_id, email, mobile, is_blocked = row
    return Booted(pk, customer_type(member_id, email, mobile), is_blocked, False)


def _counts(customer: Customer) -> bool:
    """Counted toward MU and shown (R-M1)."""
    return not (customer.is_visitor or customer.is_blocked or customer.is_hidden)


@transaction.atomic
def _boot(channel_id: int, veil_id: str, member_id: str | None, values: dict) -> Customer:
    _relaxed_commit()
    now = timezone.now()
    browsers = Customer.objects.select_for_update().filter(channel_id=channel_id, veil_id=veil_id)
    browser = browsers.first()
    target, unified = (browser, False)
    if member_id is not None:
        target, unified = _login(channel_id, browser, member_id)
    customer = target or Customer(channel_id=channel_id)
    is_new = customer.pk is None
    counted_before = not is_new and _counts(customer)
    changed = _profile_apply(customer, values)
    if member_id is not None and customer.member_id != member_id:
        if not is_new:  # a lead becoming a member waits for no other member (R-U4)
            PendingUnification.objects.filter(lead=customer).delete()
        customer.member_id = member_id
        changed.append("memberId")
    customer.veil_id = veil_id
    customer.last_seen_at = now
    customer.has_booted = True
    if is_new:
        customer.created_at = customer.updated_at = now
        customer.save()
    else:
        fields = {"veil_id", "last_seen_at", "has_booted"}
        if changed:
            customer.updated_at = now
            fields.add("updated_at")
            for key in changed:
                fields.update(name for name in PROFILE_FIELDS.get(key, ("member_id",)) if name)
        customer.save(update_fields=sorted(fields))
    if customer.is_hidden or not counted_before or unified:
        _place(customer)
    _record(customer, is_new, changed)
    return customer


def _login(channel_id: int, browser: Customer | None, member_id: str):
    """The customer a login boots as (None: a new member), and whether the browser unified."""
    if browser is not None and browser.member_id == member_id:
        return browser, False
    members = Customer.objects.select_for_update().filter(
        channel_id=channel_id, member_id=member_id
    )
    member = members.first()
    if member is None:
        if browser is not None and browser.member_id is None:
            return browser, False  # it becomes the member
        if browser is not None:
            _veil_release(browser)
        return None, False
    if browser is None:
        return member, False
    if browser.member_id is None:
        return customer_unify(lead=browser, member=member, via=VIA_API), True
    _veil_release(browser)
    return member, False


def _veil_release(customer: Customer) -> None:
    """Another member logs in on this member's browser: the browser's veilId goes with it."""
    Customer.objects.filter(pk=customer.pk).update(veil_id=None)
    customer.veil_id = None


def _profile_apply(customer: Customer, values: dict) -> list[str]:
    """Write the boot's values; a changed contact is unverified (R-C3). Returns changed keys."""
    changed = []
    for key, value in values.items():
        field, verified = PROFILE_FIELDS[key]
        if getattr(customer, field) == value:
            continue
        setattr(customer, field, value)
        if verified is not None:
            setattr(customer, verified, False)
        changed.append(key)
    if changed:
        try:
            profile_types.check_profile_limits(customer_profile(customer))
        except profile_types.ProfileValueError as error:
            raise value_error("", error.reason) from None
    return changed


def _place(customer: Customer) -> None:
    """R-M2 by the limit's order, the customer that just booted being the most recently seen."""
    if customer.is_visitor or customer.is_blocked:
        return
    channels = Channel.objects.filter(pk=customer.channel_id)
    if not channels.filter(mu_limit__isnull=False).exists():
        return
    # The limit's order is applied by one boot of the channel at a time. They wait on the MU
    # counter's row, which a boot that added a customer already holds: waiting on the channel's
    # row instead would deadlock with a boot that holds it and waits on the counter.
    mu_writes_lock(customer.channel_id)
    channel = channels.get()
    if customer.is_hidden:
        Customer.objects.filter(pk=customer.pk).update(is_hidden=False)
    mu_rebalance(channel)
    customer.refresh_from_db(fields=["is_hidden"])


def _record(customer: Customer, is_new: bool, changed: list[str]) -> None:
    if is_new and customer.is_visitor or not (is_new or changed):
        return
    if is_new:
        category = Entry.Category.CUSTOMER_ADD
        action = "Member added by a login" if customer.is_member else "Lead added by a boot"
    else:
        category = Entry.Category.CUSTOMER_EDIT
        action = "Customer info edited by a boot"
    entry = Entry(
        channel_id=customer.channel_id,
        category=category,
        action=action,
        customer_id=customer.pk,
        customer_label=customer.display_name,
        details={"via": VIA_API, "keys": changed},
    )
    activity_record_many([entry])
