"""Realistic demo customers, loaded fast: COPY on PostgreSQL, bulk_create on SQLite.

Decisions:
- Member ids, emails and mobile numbers carry a number above the table's highest id, so a
  second run never repeats those of an earlier one.
"""

import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Max

from contacts import profile_types as pt
from contacts.columns import COLUMNS as COLUMNS_TABLE
from contacts.columns import JSONB, STORED_FIELDS
from contacts.models import Channel, Conversation, Customer, ProfileKey
from contacts.services import customer_table_upkeep, mu_rebalance

# (display, romanised) so the emails stay ASCII while names are Korean or Latin.
KOREAN_FIRST = [
    ("민준", "minjun"),
    ("서연", "seoyeon"),
    ("지호", "jiho"),
    ("하은", "haeun"),
    ("도윤", "doyun"),
    ("지우", "jiwoo"),
    ("예준", "yejun"),
    ("수아", "sua"),
]
KOREAN_LAST = [
    ("김", "kim"),
    ("이", "lee"),
    ("박", "park"),
    ("최", "choi"),
    ("정", "jung"),
    ("강", "kang"),
    ("조", "cho"),
    ("윤", "yoon"),
]
LATIN_FIRST = [
    ("Emma", "emma"),
    ("Liam", "liam"),
    ("Sofia", "sofia"),
    ("Noah", "noah"),
    ("Mia", "mia"),
    ("Lucas", "lucas"),
    ("Yuki", "yuki"),
    ("Amara", "amara"),
    ("José", "jose"),
    ("Zoë", "zoe"),
]
LATIN_LAST = [
    ("Smith", "smith"),
    ("Müller", "mueller"),
    ("Garcia", "garcia"),
    ("Tanaka", "tanaka"),
    ("Martin", "martin"),
    ("Rossi", "rossi"),
    ("Okafor", "okafor"),
    ("Nguyen", "nguyen"),
]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.kr"]
# (tag, share of customers), oldest first as userImportTag keeps them (R-I10).
IMPORT_TAGS = [
    ("fair-2024", 0.06),
    ("newsletter-2024", 0.15),
    ("black-friday-2024", 0.08),
    ("spring-2025", 0.01),
    ("vip", 0.02),
]
SUBJECTS = [
    "Question about an order",
    "Delivery is late",
    "Change my address",
    "Refund request",
    "Membership points",
    "Password reset",
    "Product availability",
]
# The COPY's columns: the channel, then every stored field (contacts.columns); a field a demo
# customer leaves out is null.
COLUMNS = ("channel_id", *STORED_FIELDS)
_JSON_FIELDS = frozenset(c.field for c in COLUMNS_TABLE if c.sql == JSONB)
TWO_YEARS = 730 * 24 * 3600
# Multiplying by a number coprime to the range permutes it: unique, random-looking mobiles.
# +82 10-5970-xxxx .. 10-5999-xxxx are not valid numbers, so the range skips them.
MOBILE_STRIDE = 7919
MOBILE_RANGE = 99_700_000
MOBILE_GAP_START, MOBILE_GAP = 59_700_000, 300_000


@dataclass(frozen=True)
class DemoResult:
    created: int
    conversations: int
    seconds: float


def demo_customers_load(
    *, channel: Channel, count: int, seed: int | None = None, batch_size: int = 5000
) -> DemoResult:
    """Add `count` generated customers (and a few conversations) to a channel."""
    started = time.monotonic()
    rng = random.Random(seed)
    max_before = Customer.objects.aggregate(m=Max("id"))["m"] or 0
    keys = list(ProfileKey.objects.filter(channel=channel).values_list("name", "type"))
    rows = _rows(max_before + 1, count, rng, time.time(), keys)
    if connection.vendor == "postgresql":
        _copy(channel.pk, rows)
    else:
        _bulk_create(channel.pk, rows, batch_size)
    conversations = _conversations(channel, max_before, count, rng)
    if channel.mu_limit is not None:
        mu_rebalance(channel)
    return DemoResult(count, conversations, time.monotonic() - started)


def _copy(channel_id: int, rows) -> None:
    """COPY the customers into the table, JSON as text."""
    sql = f"COPY contacts_customer ({', '.join(COLUMNS)}) FROM STDIN"
    dumps = json.dumps
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for values in rows:
            copy.write_row(
                (
                    channel_id,
                    *(
                        dumps(values[name]) if name in _JSON_FIELDS else values.get(name)
                        for name in STORED_FIELDS
                    ),
                )
            )
    # Pages of the contact list can then be index-only scans right away instead of after
    # autovacuum; the channel's MU counter is checked.
    customer_table_upkeep(channel_ids=[channel_id])


def _bulk_create(channel_id: int, rows, batch_size: int) -> None:
    """Insert the customers through the ORM, a batch at a time."""
    batch = []
    with transaction.atomic():
        for values in rows:
            batch.append(Customer(channel_id=channel_id, **values))
            if len(batch) >= batch_size:
                Customer.objects.bulk_create(batch)
                batch = []
        if batch:
            Customer.objects.bulk_create(batch)


def _rows(first_number: int, count: int, rng: random.Random, now: float, keys):
    """The generated customers, each its stored fields by name."""
    rand = rng.random
    choice = rng.choice
    for number in range(first_number, first_number + count):
        if rand() < 0.5:
            first, first_r = choice(KOREAN_FIRST)
            last, last_r = choice(KOREAN_LAST)
            name = last + first
        else:
            first, first_r = choice(LATIN_FIRST)
            last, last_r = choice(LATIN_LAST)
            name = f"{first} {last}"
        email_address = f"{first_r}.{last_r}{number}@{choice(DOMAINS)}"
        subscriber = number * MOBILE_STRIDE % MOBILE_RANGE
        if subscriber >= MOBILE_GAP_START:
            subscriber += MOBILE_GAP
        mobile_address = f"+8210{subscriber:08d}"
        if rand() < 0.6:  # member (R-C1)
            member_id = f"M{number:08d}"
            email = email_address if rand() < 0.8 else None
            mobile = mobile_address if rand() < 0.6 else None
            email_verified = email is not None and rand() < 0.5
            mobile_verified = mobile is not None and rand() < 0.5
            booted = rand() < 0.9
        else:  # lead, identified by email or by mobile number
            member_id = None
            if rand() < 0.65:
                email, mobile = email_address, (mobile_address if rand() < 0.25 else None)
            else:
                email, mobile = (email_address if rand() < 0.2 else None), mobile_address
            # Leads added by managers are verified; a few typed their contact into a chat (R-C3).
            verified = rand() < 0.9
            email_verified = email is not None and verified
            mobile_verified = mobile is not None and verified
            booted = rand() < 0.4
        landline = (
            f"+822{rng.randrange(2000, 10000)}{rng.randrange(10000):04d}" if rand() < 0.15 else None
        )
        tags = [tag for tag, share in IMPORT_TAGS if rand() < share]
        created = now - rand() * TWO_YEARS
        updated = created + rand() * (now - created)
        # A customer created by hand or import is "seen" then (R-I19); booting moves it on.
        seen = created + rand() * (now - created) if booted else created
        yield {
            "member_id": member_id,
            "name": name,
            "email": email,
            "mobile_number": mobile,
            "landline_number": landline,
            "email_verified": email_verified,
            "mobile_verified": mobile_verified,
            "unsubscribe_email": _opt_out(rand()),
            "unsubscribe_texting": _opt_out(rand()),
            "import_tags": tags,
            "profile": _profile(keys, rng, number) if keys else {},
            "created_at": datetime.fromtimestamp(created, UTC),
            "updated_at": datetime.fromtimestamp(updated, UTC),
            "last_seen_at": datetime.fromtimestamp(seen, UTC),
            "has_booted": booted,
            "is_hidden": False,
            "is_blocked": False,
        }


def _opt_out(r: float) -> bool | None:
    if r < 0.08:
        return True
    if r < 0.12:
        return None  # never said (a chat customer)
    return False


def _profile(keys, rng: random.Random, number: int) -> dict:
    profile = {}
    for name, type_name in keys:
        if rng.random() < 0.3:
            continue
        profile[name] = _value(type_name, rng, number)
    return profile


def _value(type_name: str, rng: random.Random, number: int):
    if type_name == pt.NUMBER:
        return rng.randrange(0, 100_000)
    if type_name == pt.BOOLEAN:
        return rng.random() < 0.5
    if type_name == pt.DATE:
        return f"{rng.randrange(1950, 2010)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    if type_name == pt.DATETIME:
        moment = datetime.fromtimestamp(time.time() - rng.random() * TWO_YEARS, UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if type_name == pt.PHONE:
        return f"+8231{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
    if type_name == pt.LIST:
        return rng.sample(["red", "blue", "green", "black", "white"], k=rng.randrange(1, 3))
    if type_name == pt.LIST_OF_NUMBER:
        return [rng.randrange(1, 100) for _ in range(rng.randrange(1, 4))]
    if type_name == pt.TAG:
        return [rng.choice(["basic/level1", "basic/level2", "premium/level1", "trial"])]
    return rng.choice(["Seoul", "Busan", "Incheon", "Berlin", "Lisbon", "Osaka", "Austin"])


def _conversations(channel: Channel, max_before: int, count: int, rng: random.Random) -> int:
    wanted = min(max(count // 500, 2 if count else 0), 500)
    if not wanted:
        return 0
    ids = list(
        Customer.objects.filter(channel=channel, id__gt=max_before)
        .order_by("id")
        .values_list("id", flat=True)[: wanted * 20]
    )
    chosen = rng.sample(ids, k=min(wanted, len(ids)))
    Conversation.objects.bulk_create(
        Conversation(channel=channel, customer_id=pk, subject=rng.choice(SUBJECTS)) for pk in chosen
    )
    return len(chosen)
