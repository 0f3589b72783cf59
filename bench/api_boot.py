"""Boot latency under concurrent clients against a real server, and the MU count, on a channel
of a million customers (R-C4, R-M1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench_api \\
        .venv/bin/python bench/api_boot.py [--customers 1000000] [--clients 10] [--boots 500]

Creates the database if it is missing, migrates it, creates the channel "bench" and fills it with
`demo_data` (skipped when it already holds enough customers), gives every customer a veilId (a
browser that booted before) and the channel its API keys. Then it starts --servers web processes
(Django's threaded server as `runserver` runs it, with Nagle's algorithm off on its connections
as production servers have it; DEBUG off, rate limits out of the way, persistent database
connections) on free loopback ports, as a load balancer would spread a site's visitors, and
runs --clients threads spread over them, each sending --boots boots one after another on its
own keep-alive connection, after a warm-up. The boots are a mix of what a site sends:

- returning: a known veilId, no memberId (a page view of a visitor, lead or member);
- new visitor: an unknown veilId (creates a visitor);
- new lead: an unknown veilId with a typed email (creates an unverified lead, R-C3);
- login: a member's own veilId with its memberId (a logged-in page view, R-C4).

Latency is measured by the client, from sending the request to reading the whole answer.
Target: p95 < 50 ms over all boots. Then the MU count (R-M1) of the channel, timed in this
process through contacts.selectors.mu_count (the counter row the triggers keep), median of 20
runs (target < 5 ms), and checked against a fresh count of the customer table: right after the
boots, and again after the customer table's VACUUM.
Prints a table; exits 1 if a target is missed or a boot fails.

Decisions:
- The web processes turn Nagle's algorithm off on their connections, as gunicorn sets it;
  ``runserver`` (`_start_server`) asks for Django's plain development server instead.
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"

from bench.contacts_list import SLUG, _channel, _count, _create_database, _load  # noqa: E402

BOOT_P95_TARGET_MS = 50.0
MU_TARGET_MS = 5.0
MIX = (("returning", 0.80), ("new visitor", 0.10), ("new lead", 0.05), ("login", 0.05))
VEIL_PREFIX = "bench-veil-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--boots", type=int, default=500, help="Boots per client.")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed boots per client.")
    parser.add_argument(
        "--servers",
        type=int,
        default=2,
        help="Web processes (one a core), clients spread over them.",
    )
    parser.add_argument(
        "--runserver",
        action="store_true",
        help="Plain `manage.py runserver` (Nagle's algorithm on: 40 ms a keep-alive request).",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="The servers' CONN_MAX_AGE (DATABASE_URL's conn_max_age): 0 connects per request.",
    )
    args = parser.parse_args()

    _create_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the targets are meant for PostgreSQL", file=sys.stderr)
    call_command("migrate", verbosity=0)
    channel, _ = _channel()
    _load(channel, args.customers)
    _give_veil_ids(channel)
    from api.services import api_keys_ensure

    plugin_key = api_keys_ensure(channel=channel).plugin_key
    veils, logins = _samples(channel)
    total = _count(channel)
    connection.close()

    with tempfile.TemporaryDirectory() as scratch:
        results = _run_server_and_clients(args, plugin_key, veils, logins, Path(scratch))

    print(
        f"\n{total:,} customers in channel {SLUG!r}; {args.clients} concurrent clients, "
        f"{args.boots} boots each, {args.servers} web processes "
        f"({'runserver' if args.runserver else 'TCP_NODELAY'}), conn_max_age={args.conn_max_age}\n"
    )
    print(f"| {'boot':<12} | {'count':>6} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | "
          f"{'max ms':>7} | errors |")  # fmt: skip
    print(f"|{'-' * 14}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|--------|")
    failed = False
    every = [t for kind, _ in MIX for t in results[kind]["times"]]
    rows = [(kind, results[kind]["times"], results[kind]["errors"]) for kind, _ in MIX]
    rows.append(("all", every, sum(errors for _, _, errors in rows)))
    for kind, times, errors in rows:
        failed |= errors > 0
        print(
            f"| {kind:<12} | {len(times):6} | {_pct(times, 50):7.1f} | {_pct(times, 95):7.1f} | "
            f"{_pct(times, 99):7.1f} | {max(times, default=0):7.1f} | {errors:6} |"
        )
    p95 = _pct(every, 95)
    seconds = results["seconds"]
    print(f"\nthroughput: {len(every) / seconds:.0f} boots/s over {seconds:.1f} s")
    boot_ok = p95 < BOOT_P95_TARGET_MS
    print(f"boot p95 {p95:.1f} ms, target < {BOOT_P95_TARGET_MS:.0f} ms: "
          f"{'PASS' if boot_ok else 'FAIL'}")  # fmt: skip
    mu_ok = _report_mu(channel, "right after the boots")
    from contacts.services import customer_table_upkeep

    customer_table_upkeep()  # VACUUM (ANALYZE): the visibility map the boots' updates cleared
    mu_ok = _report_mu(channel, "after VACUUM") and mu_ok
    return 0 if boot_ok and mu_ok and not failed else 1


def _give_veil_ids(channel) -> None:
    """Every customer gets a booted browser's veilId (once), then the table's VACUUM ANALYZE."""
    from django.db import connection

    from contacts.models import Customer
    from contacts.services import customer_table_upkeep

    if not Customer.objects.filter(channel=channel, veil_id__isnull=True).exists():
        return
    print("giving customers veilIds ...", flush=True)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_customer SET veil_id = %s || id::text "
            "WHERE channel_id = %s AND veil_id IS NULL",
            [VEIL_PREFIX, channel.pk],
        )
    customer_table_upkeep()
    print(f"done in {time.monotonic() - started:.1f} s")


def _samples(channel, size: int = 200_000) -> tuple[list[str], list[tuple[str, str]]]:
    """Known veilIds spread over the channel, and members' (veilId, memberId)."""
    from contacts.models import Customer

    rng = random.Random(1)
    ids = Customer.objects.filter(channel=channel, veil_id__startswith=VEIL_PREFIX)
    low_high = ids.order_by("id").values_list("id", flat=True)
    low, high = low_high.first(), low_high.last()
    veils = [f"{VEIL_PREFIX}{rng.randint(low, high)}" for _ in range(size)]
    members = ids.filter(member_id__isnull=False, id__gte=(low + high) // 2)
    logins = list(members.order_by("id").values_list("veil_id", "member_id")[:20_000])
    return veils, logins


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_server_and_clients(args, plugin_key, veils, logins, scratch: Path) -> dict:
    from tests.queue_support import process_env, wait_for

    database = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'db.sqlite3'}"
    separator = "&" if "?" in database else "?"
    database += f"{separator}conn_max_age={args.conn_max_age}"
    env = process_env(database, scratch / "media", API_PLUGIN_KEY_RATE_LIMIT=10**9)
    ports = [_free_port() for _ in range(args.servers)]
    servers = [_start_server(port, env, scratch, args.runserver) for port in ports]
    try:
        for port in ports:

            def answers(port=port) -> bool:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    return _boot(connection, plugin_key, {"veilId": veils[0]})[0]
                except OSError:
                    return False

            wait_for(answers, timeout=60, what=f"the web server on port {port}")
        results = {kind: {"times": [], "errors": 0} for kind, _ in MIX}
        lock = threading.Lock()
        start = threading.Barrier(args.clients + 1)
        threads = [
            threading.Thread(
                target=_client,
                args=(
                    n,
                    ports[n % len(ports)],
                    plugin_key,
                    veils,
                    logins,
                    args,
                    results,
                    lock,
                    start,
                ),
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        results["seconds"] = time.perf_counter() - started
        return results
    finally:
        for server in servers:
            server.stop()


def _start_server(port: int, env: dict, logs: Path, runserver: bool):
    """A web process on ``port``: Django's threaded server, Nagle off unless ``runserver``."""
    from tests.queue_support import Process

    args = ["shell", "-c", _SERVE.format(port=port)]
    if runserver:
        args = ["runserver", "--noreload", f"127.0.0.1:{port}"]
    return Process(args, env=env, logs=logs, name=f"web-{port}")


# Django's server writes a response's headers and body in two sends: with Nagle's algorithm on,
# the body waits for the client's delayed ACK of the headers (40 ms on Linux) on every
# keep-alive request. Production servers turn it off.
_SERVE = """
import socket
from django.core.servers.basehttp import WSGIServer, run
from django.core.wsgi import get_wsgi_application

class NoDelayServer(WSGIServer):
    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

run("127.0.0.1", {port}, get_wsgi_application(), threading=True, server_cls=NoDelayServer)
"""


def _client(n, port, plugin_key, veils, logins, args, results, lock, start) -> None:
    rng = random.Random(n)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    run = f"{time.time_ns()}-{n}"
    for _ in range(args.warmup):
        _, connection = _boot(connection, plugin_key, {"veilId": rng.choice(veils)})
    start.wait()
    mine = {kind: [] for kind in kinds}
    errors = dict.fromkeys(kinds, 0)
    for i in range(args.boots):
        kind = rng.choices(kinds, weights)[0]
        if kind == "returning":
            body = {"veilId": rng.choice(veils)}
        elif kind == "new visitor":
            body = {"veilId": f"new-{run}-{i}"}
        elif kind == "new lead":
            profile = {"email": f"lead-{run}-{i}@example.com"}
            body = {"veilId": f"lead-{run}-{i}", "profile": profile}
        else:
            veil, member_id = rng.choice(logins)
            body = {"veilId": veil, "memberId": member_id}
        started = time.perf_counter()
        ok, connection = _boot(connection, plugin_key, body)
        elapsed = (time.perf_counter() - started) * 1000
        if ok:
            mine[kind].append(elapsed)
        else:
            errors[kind] += 1
    with lock:
        for kind in kinds:
            results[kind]["times"].extend(mine[kind])
            results[kind]["errors"] += errors[kind]


def _boot(connection, plugin_key, body: dict):
    """(answered 200, the connection to use next); reconnects once if the server closed it."""
    payload = json.dumps(body)
    headers = {"X-Plugin-Key": plugin_key, "Content-Type": "application/json"}
    for attempt in (1, 2):
        try:
            connection.request("POST", "/api/v1/boot", payload, headers)
            response = connection.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
            return response.status == 200, connection
        except (http.client.HTTPException, ConnectionError):
            connection.close()
            connection = http.client.HTTPConnection(connection.host, connection.port, timeout=60)
            if attempt == 2:
                return False, connection
    return False, connection


def _report_mu(channel, when: str) -> bool:
    """Print the MU count's timings and fresh count; whether the median and the count are right."""
    from contacts.selectors import mu_count_fresh

    count, times = _mu_count_times(channel)
    median = statistics.median(times)
    fresh = mu_count_fresh(channel)
    ok = median < MU_TARGET_MS and fresh == count
    print(
        f"MU count {when} ({count:,}, fresh count {fresh:,}): median {median:.2f} ms "
        f"(min {min(times):.2f}, max {max(times):.2f}) over {len(times)} runs, "
        f"target < {MU_TARGET_MS:.0f} ms: {'PASS' if ok else 'FAIL'}"
    )
    return ok


def _mu_count_times(channel, runs: int = 20) -> tuple[int, list[float]]:
    from contacts.selectors import mu_count

    count = mu_count(channel)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        mu_count(channel)
        times.append((time.perf_counter() - started) * 1000)
    return count, times


def _pct(values: list[float], percent: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(main())
