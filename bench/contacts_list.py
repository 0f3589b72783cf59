"""Server time of the contact list's pages, searches and filters on a big channel, against the
50 ms budget, and of the MU count alone, against 5 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench \\
        .venv/bin/python bench/contacts_list.py [--customers 1000000] [--runs 5] [--explain]
        [--slug SLUG]

Creates the database if it is missing, migrates it, creates the channel "bench" and fills it
with `demo_data` (skipped when it already holds enough customers), then times each page through
Django's test client with DEBUG off: the median of --runs requests after one warm-up. The time
covers the whole request (middleware, session, queries, template), not the network; "SQL ms" is
the median of the part spent in the database (queries sent to rows read).
--slug times an existing channel as it is, logged in as its owner: nothing is loaded. The search
terms suit the demo data (its shares are in the labels); on another channel they time what they
find there. --explain prints EXPLAIN ANALYZE of every query of the pages over budget.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # with DEBUG on, Django keeps every query in memory

BUDGET_MS = 50.0
MU_BUDGET_MS = 5.0
SLUG = "bench"
OWNER = "bench@example.com"
TAG = "spring-2025"  # on about 1% of demo customers
COMBINED_TAG = "vip"  # on about 2%
# Demo names are "<given> <family>" (half of them) or Korean family + given name (the other half).
NAME_PREFIX = "Jos"  # José, ~5%
HANGUL_SUBSTRING = "민준"  # a given name, ~6%: two syllables, not a name's start
HANGUL_RARE = "민서"  # two syllables in no demo name
FULL_NAME = "김민준"  # one family and given name, ~0.8%
RARE_TERM = "Xavier"  # in no demo name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow pages")
    parser.add_argument("--slug", help="time this existing channel, loading nothing")
    args = parser.parse_args()

    prepare_database("the budget")
    if args.slug:
        channel, owner = _existing_channel(args.slug)
    else:
        channel, owner = _channel()
        _load(channel, args.customers)
    slug = channel.slug

    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(owner)
    list_url = reverse("contacts:list", args=[slug])
    deep = _deep_cursor(channel)
    email = _some_email(channel)
    mobile = _some_mobile(channel)
    cases = [
        ("contacts list, first page", list_url, {}),
        ("contacts list, deep page (after=)", list_url, {"after": deep}),
        ("members only (type=member)", list_url, {"type": "member"}),
        ("leads only (type=lead)", list_url, {"type": "lead"}),
        (f"import tag filter (tag={TAG})", list_url, {"tag": TAG}),
        ("search, exact email", list_url, {"q": email}),
        ("search, email prefix", list_url, {"q": email.partition("@")[0][:-2]}),
        ("search, mobile prefix", list_url, {"q": mobile[:9]}),
        ("search, exact memberId", list_url, {"q": _some_member_id(channel)}),
        (f"search, name prefix (q={NAME_PREFIX}, ~5%)", list_url, {"q": NAME_PREFIX}),
        (f"search, q={NAME_PREFIX}, deep page", list_url, {"q": NAME_PREFIX, "after": deep}),
        (f"search, Hangul (q={HANGUL_SUBSTRING}, ~6%)", list_url, {"q": HANGUL_SUBSTRING}),
        (f"search, rare Hangul (q={HANGUL_RARE}, none)", list_url, {"q": HANGUL_RARE}),
        (f"search, full name (q={FULL_NAME}, ~0.8%)", list_url, {"q": FULL_NAME}),
        (f"search, rare term (q={RARE_TERM}, none)", list_url, {"q": RARE_TERM}),
        (
            f"tag={COMBINED_TAG} + member + q={HANGUL_SUBSTRING}",
            list_url,
            {"tag": COMBINED_TAG, "type": "member", "q": HANGUL_SUBSTRING},
        ),
        (
            f"tag={TAG} + lead + q={NAME_PREFIX}",
            list_url,
            {"tag": TAG, "type": "lead", "q": NAME_PREFIX},
        ),
        ("blocked customers", reverse("blocking:list", args=[slug]), {}),
        ("activity log", reverse("activitylog:list", args=[slug]), {}),
    ]
    results = []
    for label, url, params in cases:
        full = f"{url}?{urlencode(params)}" if params else url
        results.append((label, full, *_measure(client, full, args.runs)))

    print(f"\n{_count(channel):,} customers in channel {slug!r}; median of {args.runs} runs\n")
    head = ("page", "median ms", "min", "max", "SQL ms", "queries")
    print("| {:<40} | {:>9} | {:>6} | {:>6} | {:>6} | {:>7} | result |".format(*head))
    print(f"|{'-' * 42}|{'-' * 11}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 9}|--------|")
    failed = []
    for label, full, median, low, high, sql_ms, queries, status, rows in results:
        ok = status == 200 and median <= BUDGET_MS
        if not ok:
            failed.append((label, full))
        verdict = "PASS" if ok else ("FAIL" if status == 200 else f"HTTP {status}")
        print(
            f"| {label:<40} | {median:9.1f} | {low:6.1f} | {high:6.1f} | {sql_ms:6.1f} "
            f"| {queries:7} | {verdict:<6} |" + (f" {rows}" if rows else "")
        )
    median, low, high, count = _measure_mu_count(channel, args.runs)
    verdict = "PASS" if median <= MU_BUDGET_MS else "FAIL"
    if verdict == "FAIL":
        failed.append(("MU count", ""))
    label = f"MU count alone (budget {MU_BUDGET_MS:.0f} ms)"
    print(
        f"| {label:<40} | {median:9.2f} | {low:6.2f} | {high:6.2f} | {median:6.2f} | {1:7} "
        f"| {verdict:<6} |"
        f" {count:,} MU"
    )
    if args.explain:
        for label, full in failed:
            if full:
                _explain(client, label, full)
    return 1 if failed else 0


def prepare_database(target: str) -> None:
    """Create DATABASE_URL's database if missing, set Django up and migrate."""
    _create_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"warning: not PostgreSQL; {target} is meant for PostgreSQL", file=sys.stderr)
    call_command("migrate", verbosity=0)


def _create_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def _channel():
    from django.contrib.auth import get_user_model

    from contacts.channels import channel_create
    from contacts.models import Channel

    channel = Channel.objects.filter(slug=SLUG).first()
    if channel is None:
        channel = channel_create(
            slug=SLUG, name="Bench", owner_email=OWNER, plan=Channel.Plan.ENTERPRISE
        )
    return channel, get_user_model().objects.get(username=OWNER)


def _existing_channel(slug: str):
    from contacts.models import Channel, Membership

    channel = Channel.objects.get(slug=slug)
    owner = Membership.objects.get(channel=channel, role=Membership.Role.OWNER).user
    return channel, owner


def _count(channel) -> int:
    from contacts.models import Customer

    return Customer.objects.filter(channel=channel).count()


def _load(channel, wanted: int) -> None:
    from contacts.management.demo import demo_customers_load

    have = _count(channel)
    if have >= wanted:
        print(f"{have:,} customers already loaded")
        return
    print(f"loading {wanted - have:,} customers ...", flush=True)
    result = demo_customers_load(channel=channel, count=wanted - have, seed=1)
    print(f"loaded {result.created:,} customers in {result.seconds:.1f} s")


def _deep_cursor(channel) -> int:
    """An id near the oldest end of the newest-first list."""
    from contacts.models import Customer

    ids = Customer.objects.filter(channel=channel).order_by("id").values_list("id", flat=True)
    return ids[100]


def _some_email(channel) -> str:
    from contacts.models import Customer

    visible = Customer.objects.filter(
        channel=channel, is_hidden=False, is_blocked=False, email__isnull=False
    )
    middle = visible.order_by("id").values_list("id", flat=True)[_count(channel) // 3]
    return visible.filter(id__gte=middle).order_by("id").values_list("email", flat=True)[0]


def _some_mobile(channel) -> str:
    from contacts.models import Customer

    visible = Customer.objects.filter(
        channel=channel, is_hidden=False, is_blocked=False, mobile_number__isnull=False
    )
    return visible.order_by("-id").values_list("mobile_number", flat=True)[2000]


def _some_member_id(channel) -> str:
    from contacts.models import Customer

    members = Customer.objects.filter(channel=channel, member_id__isnull=False)
    return members.order_by("-id").values_list("member_id", flat=True)[1000]


def _measure(client, url: str, runs: int):
    from django.db import connection
    from django.template import Template
    from django.test.utils import CaptureQueriesContext, instrumented_test_render

    # The warm-up also counts the queries and, rendering instrumented, the rows on the page.
    plain_render = Template._render
    Template._render = instrumented_test_render
    try:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
    finally:
        Template._render = plain_render
    # Read now: the next request's request_started signal empties the query log.
    queries = len(captured.captured_queries)
    page = response.context.get("page") if response.context else None
    timings, sql_timings = [], []
    for _ in range(runs):
        sql = _SqlTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(sql):
            response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        sql_timings.append(sql.ms)
    rows = ""
    if page is not None:
        items = getattr(page, "customers", None)
        if items is None:
            items = getattr(page, "object_list", [])
        rows = f"{len(items)} rows"
    return (
        statistics.median(timings),
        min(timings),
        max(timings),
        statistics.median(sql_timings),
        queries,
        response.status_code,
        rows,
    )


class _SqlTimer:
    """An execute wrapper adding up the time the database takes (query sent to rows read)."""

    def __init__(self):
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def _measure_mu_count(channel, runs: int):
    """The MU count alone, called directly: median, min and max ms, and the count."""
    try:
        from contacts.selectors import mu_count
    except ImportError:
        from contacts.services import mu_count

    count = mu_count(channel)  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        mu_count(channel)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), min(timings), max(timings), count


def _explain(client, label: str, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"\n=== {label}: {url}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"\n-- {query['time']} s: {sql[:300]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            for (line,) in cursor.fetchall():
                print(line)


if __name__ == "__main__":
    sys.exit(main())
