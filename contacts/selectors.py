"""Reads of customers and profile keys that take more than one filter()."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from contacts import profile_types
from contacts.keys import BUILTIN_KEYS, normalize_email
from contacts.models import (
    IS_LEAD,
    IS_MU,
    Channel,
    Customer,
    MuCounter,
    PendingUnification,
    ProfileKey,
)

PAGE_SIZE = 50
MEMBER = "member"
LEAD = "lead"

# "+", then digits and phone punctuation, with at least 7 digits: read as a phone number.
_PHONE_LIKE_RE = re.compile(r"\+[\d\s().-]+")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CustomerPage:
    """One keyset page of customers, newest id first."""

    customers: list[Customer]
    next_after: int | None  # the `after` cursor of the next page, None on the last page
    previous_before: int | None  # the `before` cursor of the previous page, None on the first


def customers_visible(channel: Channel) -> QuerySet[Customer]:
    """The customers the contact list shows: neither hidden by the MU limit (R-M2) nor blocked,
    nor anonymous visitors (no contact, R-C4)."""
    return Customer.objects.filter(IS_MU, channel=channel)


def mu_count(channel: Channel) -> int:
    """The channel's managed users (R-M1): its MU counter, one row read by primary key."""
    return MuCounter.objects.values_list("mu_count", flat=True).get(channel_id=channel.pk)


def mu_count_fresh(channel: Channel) -> int:
    """The channel's managed users (R-M1) counted from the customer table, to check the counter."""
    return Customer.objects.filter(IS_MU, channel=channel).count()


def mu_room(channel: Channel) -> int | None:
    """How many more customers can be visible under the MU limit (R-M2); None without a limit."""
    if channel.mu_limit is None:
        return None
    return max(channel.mu_limit - mu_count(channel), 0)


def customer_type_filter(customer_type: str | None) -> Q:
    """Members carry a memberId, leads an email or mobile number without one (R-C1); anything
    else means all customers."""
    if customer_type == MEMBER:
        return Q(member_id__isnull=False)
    if customer_type == LEAD:
        return IS_LEAD
    return Q()


def mobile_from_query(query: str) -> str | None:
    """The query as an E.164 mobile number when it looks like one and parses, else None."""
    text = query.strip()
    if not _PHONE_LIKE_RE.fullmatch(text) or sum(ch.isdigit() for ch in text) < 7:
        return None
    try:
        value = profile_types.parse(profile_types.PHONE, text)
    except profile_types.ProfileValueError:
        return None
    return value or None


def customer_search_filter(query: str) -> Q:
    """Search box: an email matches exactly, a phone number its E.164 mobile, else memberId or
    the start of the name."""
    text = query.strip()
    if not text:
        return Q()
    if "@" in text:
        try:
            email = normalize_email(text)
        except ValueError:
            email = text.lower()
        return Q(email=email)
    mobile = mobile_from_query(text)
    if mobile is not None:
        return Q(mobile_number=mobile) | Q(member_id=text)
    return Q(member_id=text) | Q(name__istartswith=text)


def import_tag_filter(channel: Channel, tag: str) -> Q:
    """Customers whose import tags (a JSON list) hold `tag`.

    PostgreSQL uses `@>`, served by the GIN index of migration 0002. SQLite has no JSON
    containment lookup, so it looks the tag up with json_each.
    """
    if connection.vendor == "postgresql":
        return Q(import_tags__contains=[tag])
    table = Customer._meta.db_table
    return Q(
        id__in=RawSQL(
            f"SELECT c.id FROM {table} c, json_each(c.import_tags) t "
            "WHERE c.channel_id = %s AND t.value = %s",
            [channel.pk, tag],
        )
    )


def customer_list(
    *, channel: Channel, customer_type: str | None = None, query: str = "", tag: str = ""
) -> QuerySet[Customer]:
    """The contact list's customers for the given type, search and import tag (unordered)."""
    # The list never shows custom values; a profile can weigh 15 KB (R-C6).
    customers = (
        customers_visible(channel).filter(customer_type_filter(customer_type)).defer("profile")
    )
    if query.strip():
        # A search matches few rows through its own indexes; ordering by the bare id would let
        # PostgreSQL walk the primary key backwards past a million non-matching rows instead.
        customers = customers.filter(customer_search_filter(query)).alias(
            page_key=F("id") + Value(0)
        )
    if tag:
        customers = customers.filter(import_tag_filter(channel, tag))
    return customers


def customer_page(
    customers: QuerySet[Customer],
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> CustomerPage:
    """Keyset pagination on id, descending: no OFFSET and no COUNT, fast at any depth."""
    key = "page_key" if "page_key" in customers.query.annotations else "id"
    if before is not None:
        rows = list(customers.filter(id__gt=before).order_by(key)[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        return CustomerPage(
            customers=rows,
            next_after=rows[-1].pk if rows else None,
            previous_before=rows[0].pk if rows and has_previous else None,
        )
    page = customers.order_by(f"-{key}")
    if after is not None:
        page = page.filter(id__lt=after)
    rows = list(page[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return CustomerPage(
        customers=rows,
        next_after=rows[-1].pk if rows and has_next else None,
        previous_before=rows[0].pk if rows and after is not None else None,
    )


@dataclass(frozen=True)
class HiddenPage:
    """One keyset page of hidden customers, most recently seen first."""

    customers: list[Customer]
    next_after: str | None  # the `after` cursor of the next page, None on the last page
    previous_before: str | None  # the `before` cursor of the previous page, None on the first


def hidden_filter() -> Q:
    """Hidden by the MU limit (R-M2); a blocked customer is listed as blocked instead (R-B1)."""
    return Q(is_hidden=True, is_blocked=False)


def customers_hidden(channel: Channel) -> QuerySet[Customer]:
    """The channel's customers the MU limit hides (R-M2)."""
    return Customer.objects.filter(hidden_filter(), channel=channel)


def seen_cursor(customer: Customer) -> str:
    """A customer's place in the most-recently-seen order: `<epoch microseconds>.<id>`."""
    seen = customer.last_seen_at
    micros = "never" if seen is None else str((seen - _EPOCH) // timedelta(microseconds=1))
    return f"{micros}.{customer.pk}"


def _seen_position(cursor: str | None) -> tuple[datetime | None, int] | None:
    micros, _, pk = (cursor or "").partition(".")
    if not pk.isdigit() or len(pk) > 18:
        return None
    if micros == "never":
        return None, int(pk)
    if not micros.lstrip("-").isdigit() or len(micros) > 18:
        return None
    return _EPOCH + timedelta(microseconds=int(micros)), int(pk)


def _seen_after(seen: datetime | None, pk: int) -> Q:
    """Later in the order: seen earlier, or at the same moment with a lower id; never seen last."""
    if seen is None:
        return Q(last_seen_at__isnull=True, id__lt=pk)
    return Q(last_seen_at__lt=seen) | Q(last_seen_at=seen, id__lt=pk) | Q(last_seen_at__isnull=True)


def _seen_before(seen: datetime | None, pk: int) -> Q:
    if seen is None:
        return Q(last_seen_at__isnull=False) | Q(last_seen_at__isnull=True, id__gt=pk)
    return Q(last_seen_at__gt=seen) | Q(last_seen_at=seen, id__gt=pk)


def hidden_page(
    customers: QuerySet[Customer],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> HiddenPage:
    """Keyset pages by lastSeenAt, most recent first (never seen last), then id: R-M2's order."""
    before_at, after_at = _seen_position(before), _seen_position(after)
    if before_at is not None:
        oldest_first = customers.filter(_seen_before(*before_at)).order_by(
            F("last_seen_at").asc(nulls_first=True), "id"
        )
        rows = list(oldest_first[: size + 1])
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        return HiddenPage(
            customers=rows,
            next_after=seen_cursor(rows[-1]) if rows else None,
            previous_before=seen_cursor(rows[0]) if rows and has_previous else None,
        )
    if after_at is not None:
        customers = customers.filter(_seen_after(*after_at))
    rows = list(customers.order_by(F("last_seen_at").desc(nulls_last=True), "-id")[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return HiddenPage(
        customers=rows,
        next_after=seen_cursor(rows[-1]) if rows and has_next else None,
        previous_before=seen_cursor(rows[0]) if rows and after_at is not None else None,
    )


def customers_with_contact(
    *, channel: Channel, email: str | None, mobile_number: str | None
) -> QuerySet[Customer]:
    """The channel's customers holding either contact, hidden, blocked and members too (R-C2)."""
    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if mobile_number:
        match |= Q(mobile_number=mobile_number)
    return Customer.objects.filter(match, channel=channel)


def customer_profile(customer: Customer) -> dict:
    """The profile the limits measure (R-C6): built-in keys holding a value, then custom keys."""
    profile = {}
    for key in BUILTIN_KEYS:
        if key.is_system:  # timestamps the system keeps are no part of what a manager stores
            continue
        value = getattr(customer, key.field)
        if value not in (None, "", []):
            profile[key.name] = value
    profile.update(customer.profile)
    return profile


def profile_key_has_values(key: ProfileKey) -> bool:
    """Whether any customer of the key's channel holds a value for it."""
    return Customer.objects.filter(channel_id=key.channel_id, profile__has_key=key.name).exists()


def pending_unifications(customer: Customer) -> list[PendingUnification]:
    """The unifications waiting for the customer to log in (R-U3), as the lead or the member."""
    return list(
        PendingUnification.objects.select_related("lead", "member")
        .filter(Q(lead=customer) | Q(member=customer))
        .order_by("id")
    )
