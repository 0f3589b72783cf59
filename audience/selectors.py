"""Marketing targets (R-B2, R-M2, R-I7): the customers a filter reaches by email and by text.

Decisions:
- One builder, `audience_customers`: it starts from the contact list's visible customers, so
  hidden (R-M2) and blocked (R-B2) customers are never targets. The counts and the downloads
  narrow it with `reach_filter`, so a count and its list cannot disagree.
- Reached by email: an email, and `unsubscribeEmail` not true; by text: a mobile number, and
  `unsubscribeTexting` not true (R-I7). An unknown opt-out (a customer from a chat who never
  said) is not an opt-out: only a customer who opted out is left out. A landline takes no text.
- A key filter is `is` (the value parsed by the key's type, so `+82 010-2020-3030` finds the
  stored `+821020203030`) or, for list, list of number and tag keys, `contains` (one item
  equals the value; a tag item is compared whole, `basic` does not contain `basic/level1`).
- The counts are one query: conditional aggregates over the filtered rows. The import tag is
  served by its GIN index on PostgreSQL; custom key values have no index and are read from
  the profiles of the customers the other filters leave.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform

from contacts.models import Channel, Customer
from contacts.selectors import customer_type_filter, customers_visible, import_tag_filter

EMAIL = "email"
TEXT = "text"
REACH_FIELDS = {EMAIL: "email", TEXT: "mobile_number"}
IS = "is"
CONTAINS = "contains"


@dataclass(frozen=True, slots=True)
class KeyFilter:
    """A profile key's value to match: a built-in key's model field, or a custom key's name."""

    operator: str  # IS or CONTAINS
    value: object  # the stored value (or, for CONTAINS, the stored item) to look for
    field: str | None = None  # the Customer field of a built-in key
    custom_key: str | None = None  # the profile entry of a custom key


@dataclass(frozen=True, slots=True)
class Audience:
    """The filters of a marketing target; empty ones do not narrow it."""

    tag: str = ""
    customer_type: str | None = None
    key_filter: KeyFilter | None = None


@dataclass(frozen=True, slots=True)
class AudienceCounts:
    customer_count: int  # visible customers the filters match
    email_count: int  # of them, reached by email
    text_count: int  # of them, reached by text


def reach_filter(reach: str) -> Q:
    """Customers a message by email or by text reaches: a contact and no opt-out (R-I7)."""
    if reach == EMAIL:
        return Q(email__isnull=False) & ~Q(unsubscribe_email=True)
    if reach == TEXT:
        return Q(mobile_number__isnull=False) & ~Q(unsubscribe_texting=True)
    raise ValueError(f"Unknown reach {reach!r}")


def audience_customers(*, channel: Channel, audience: Audience) -> QuerySet[Customer]:
    """The visible customers (neither hidden, R-M2, nor blocked, R-B2) the filters match."""
    customers = customers_visible(channel).filter(customer_type_filter(audience.customer_type))
    if audience.tag:
        customers = customers.filter(import_tag_filter(channel, audience.tag))
    if audience.key_filter is not None:
        customers = _with_key_value(customers, channel, audience.key_filter)
    return customers


def audience_counts(*, channel: Channel, audience: Audience) -> AudienceCounts:
    """How many customers the audience holds and reaches by email and by text, in one query."""
    totals = audience_customers(channel=channel, audience=audience).aggregate(
        customer_count=Count("id"),
        email_count=Count("id", filter=reach_filter(EMAIL)),
        text_count=Count("id", filter=reach_filter(TEXT)),
    )
    return AudienceCounts(**totals)


def audience_recipients(*, channel: Channel, audience: Audience, reach: str) -> QuerySet:
    """(id, memberId, name, email or mobile) of each customer the audience reaches, by id."""
    return (
        audience_customers(channel=channel, audience=audience)
        .filter(reach_filter(reach))
        .order_by("id")
        .values_list("id", "member_id", "name", REACH_FIELDS[reach])
    )


def _with_key_value(customers: QuerySet, channel: Channel, key_filter: KeyFilter) -> QuerySet:
    if key_filter.field == "import_tags" and key_filter.operator == CONTAINS:
        return customers.filter(import_tag_filter(channel, key_filter.value))
    if key_filter.field is not None:
        return customers.filter(**{key_filter.field: key_filter.value})
    if key_filter.operator == CONTAINS and connection.vendor != "postgresql":
        return customers.filter(
            _sqlite_list_contains(channel, key_filter.custom_key, key_filter.value)
        )
    # An alias, not `profile__<name>`: a key named like a lookup (`contains`) stays a key.
    customers = customers.alias(key_value=KeyTransform(key_filter.custom_key, "profile"))
    if key_filter.operator == IS:
        return customers.filter(key_value=key_filter.value)
    return customers.filter(key_value__contains=[key_filter.value])


def _sqlite_list_contains(channel: Channel, key: str, item: object) -> Q:
    # SQLite has no JSON containment: the list's items are read with json_each.
    table = Customer._meta.db_table
    return Q(
        id__in=RawSQL(
            f"SELECT c.id FROM {table} c, json_each(c.profile, %s) t "
            "WHERE c.channel_id = %s AND t.value = %s",
            [f'$."{key}"', channel.pk, item],
        )
    )
