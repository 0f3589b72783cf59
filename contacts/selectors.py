"""Reads of customers and profile keys that take more than one filter().

Decisions on the contact list's order and plans (issue 16: every page and search under 50 ms at
a million customers):

- Every list, searched or not, is newest first: by id, descending. Only the id serves every
  filter alike: the partial indexes customer_listed_idx and customer_leads_idx hold it in that
  order, so a page reads its 50 rows and stops, and one keyset cursor (`after` / `before`, an
  id) pages every filter. A name order was rejected: an index can serve it for a prefix but not
  for a substring, and it would need a (name, id) cursor.
- Filters whose statistics the planner can trust are its to plan: a type (most customers pass,
  so it walks the list index), an email or mobile prefix and an exact memberId (btree ranges and
  equality: a common prefix is walked, a rare one looked up and sorted).
- A part of a name and an import tag are not. pg_trgm's LIKE is estimated from a 100-entry
  histogram, a bigram missing from the most common elements from a floor, and statistics are
  table-wide, so a term common in one channel is believed common in another that lacks it.
  Planned on such an estimate, a walk reads the whole channel (a rare bigram) or a lookup
  fetches every match (a term believed rare). So the page is read in bounded steps, and the
  channel's own rows, not the statistics, choose between walking and looking up:
  - walk the first WALK_WINDOWS[0] listed customers past the cursor, testing each with the
    filters' per-row form (the type, a LIKE, the tag); a common term fills the page there and
    stops reading;
  - if the rate of matches seen there would fill the page within the next window, walk it;
  - else look the rest up beyond the walked windows through the indexes, each key's lookup on
    its own (a union), so that a tag intersects with the name inside one GIN scan; ordered by
    `id + 0`, or over a union, PostgreSQL cannot walk again. A rare term costs the first window
    and a few index reads; the costliest terms are those just too rare to walk on (about 0.5%
    at WALK_WINDOWS' sizes: some 5,000 matches fetched at a million customers, each a random
    page) or just common enough (10,000 more rows walked). √(51 × customers) is the balance,
    so a channel ten times larger would want about three times the second window.
  The steps return ids (a walk carries two columns, not the row); one query fetches the page.
  A window ends at its last listed customer whatever the type, an index-only read of
  customer_listed_idx, made only when the walk did not fill the page.
- `CustomerFilters` splits the filters that way: `narrowing` holds the type and the searches the
  planner estimates well; the others (a name search, an import tag) are `lookups`, any of which
  may match, and `scan`, the same test written once per row for a walk.
- An import tag is looked up with ``@>`` on PostgreSQL, served by customer_search_gin; SQLite has
  no JSON containment lookup, so there it goes through json_each.
"""

import operator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from contacts.keys import BUILTIN_KEYS
from contacts.models import (
    IS_LEAD,
    IS_MU,
    Channel,
    Customer,
    MuCounter,
    PendingUnification,
    ProfileKey,
)
from contacts.search import customer_search

PAGE_SIZE = 50
# The listed customers a page walks before looking the rest up: a first window, then one
# more when the first one's rate of matches says it would fill the page.
WALK_WINDOWS = (2_000, 10_000)
MEMBER = "member"
LEAD = "lead"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CustomerPage:
    """One keyset page of customers, newest id first."""

    customers: list[Customer]
    next_after: int | None  # the `after` cursor of the next page, None on the last page
    previous_before: int | None  # the `before` cursor of the previous page, None on the first


@dataclass(frozen=True)
class CustomerFilters:
    """The list's filters: `narrowing` (well estimated); the others as `lookups` or a `scan`."""

    listed: QuerySet[Customer]
    narrowing: Q
    lookups: tuple[Q, ...]
    scan: Q

    def queryset(self) -> QuerySet[Customer]:
        """Every customer the filters match (unordered)."""
        customers = self.listed.filter(self.narrowing)
        if not self.lookups:
            return customers
        return customers.filter(reduce(operator.or_, self.lookups))


def customers_visible(channel: Channel) -> QuerySet[Customer]:
    """The customers the contact list shows: not hidden (R-M2), blocked or anonymous (R-C4)."""
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
    """Members carry a memberId, leads a contact without one (R-C1); any other type: everyone."""
    if customer_type == MEMBER:
        return Q(member_id__isnull=False)
    if customer_type == LEAD:
        return IS_LEAD
    return Q()


def import_tag_filter(channel: Channel, tag: str) -> Q:
    """Customers whose import tags (a JSON list) hold `tag`."""
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


def customer_filters(
    *, channel: Channel, customer_type: str | None = None, query: str = "", tag: str = ""
) -> CustomerFilters:
    """The contact list's filters for the given type, search and import tag."""
    narrowing = customer_type_filter(customer_type)
    lookups: tuple[Q, ...] = ()
    scan = Q()
    search = customer_search(query)
    if search is not None and search.is_estimated:
        narrowing &= search.lookup
    elif search is not None:
        lookups, scan = search.lookups, search.scan
    if tag:
        tagged = import_tag_filter(channel, tag)
        lookups = tuple(lookup & tagged for lookup in lookups) or (tagged,)
        scan &= tagged
    # The list never shows custom values; a profile can weigh 15 KB (R-C6).
    listed = customers_visible(channel).defer("profile")
    return CustomerFilters(listed=listed, narrowing=narrowing, lookups=lookups, scan=scan)


def customer_list(
    *, channel: Channel, customer_type: str | None = None, query: str = "", tag: str = ""
) -> QuerySet[Customer]:
    """The contact list's customers for the given type, search and import tag (unordered)."""
    return customer_filters(
        channel=channel, customer_type=customer_type, query=query, tag=tag
    ).queryset()


def customer_page(
    filters: CustomerFilters,
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> CustomerPage:
    """Keyset pagination on id, descending: no OFFSET and no COUNT, fast at any depth."""
    if before is not None:
        rows = _rows(filters, Q(id__gt=before), newest_first=False, count=size + 1)
        has_previous = len(rows) > size
        rows = rows[:size][::-1]
        return CustomerPage(
            customers=rows,
            next_after=rows[-1].pk if rows else None,
            previous_before=rows[0].pk if rows and has_previous else None,
        )
    cursor = Q(id__lt=after) if after is not None else Q()
    rows = _rows(filters, cursor, newest_first=True, count=size + 1)
    has_next = len(rows) > size
    rows = rows[:size]
    return CustomerPage(
        customers=rows,
        next_after=rows[-1].pk if rows and has_next else None,
        previous_before=rows[0].pk if rows and after is not None else None,
    )


def _rows(filters: CustomerFilters, cursor: Q, *, newest_first: bool, count: int):
    """The first `count` matches past the cursor in list order: walked, then looked up."""
    order = "-id" if newest_first else "id"
    listed = filters.listed.filter(cursor).order_by(order)
    if not filters.lookups:
        return list(listed.filter(filters.narrowing)[:count])
    test = filters.narrowing & filters.scan
    ids: list[int] = []
    for size, next_size in zip(WALK_WINDOWS, (*WALK_WINDOWS[1:], 0), strict=True):
        found = _walked_ids(listed, test, newest_first, count - len(ids), size)
        ids += found
        if len(ids) == count:
            break
        # The window's last customer; none when the list ends inside the window.
        last = next(iter(listed.values_list("id", flat=True)[size - 1 : size]), None)
        if last is None:
            break
        listed = listed.filter(id__lt=last) if newest_first else listed.filter(id__gt=last)
        # Walk on only if, at the rate just seen, the next window would fill the page.
        if not found or (count - len(ids)) * size > len(found) * next_size:
            ids += _looked_up_ids(filters, listed, newest_first, count - len(ids))
            break
    return list(filters.listed.filter(id__in=ids).order_by(order)) if ids else []


def _walked_ids(listed: QuerySet[Customer], test: Q, newest_first: bool, count: int, size: int):
    """The first `count` ids passing `test` among the `size` listed customers past the cursor."""
    window = listed.annotate(is_match=ExpressionWrapper(test, output_field=BooleanField()))
    sql, params = window.values("id", "is_match")[:size].query.sql_with_params()
    # Behind the LIMIT, PostgreSQL cannot push the test into the window: it reads the rows in
    # order, tests each as it comes, and stops at `count` matches or the window's last row.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT walk.id FROM ({sql}) AS walk WHERE walk.is_match "
            f"ORDER BY walk.id {'DESC' if newest_first else 'ASC'} LIMIT %s",
            [*params, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _looked_up_ids(filters: CustomerFilters, beyond: QuerySet[Customer], newest_first, count):
    """The first `count` matching ids past the walked windows (`beyond`), through the indexes."""
    found = [beyond.filter(filters.narrowing, lookup) for lookup in filters.lookups]
    if len(found) == 1:
        # Ordered by `id + 0`, the rest cannot be read by walking the id index again.
        rest = found[0].alias(page_key=F("id") + Value(0))
        rest = rest.order_by("-page_key" if newest_first else "page_key")
    else:
        # Each key's matches read whole through its own index: a union cannot be walked.
        first, *others = (part.order_by().values_list("id", flat=True) for part in found)
        rest = first.union(*others).order_by("-id" if newest_first else "id")
    return list(rest.values_list("id", flat=True)[:count])


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
