"""The MU counter (R-M1) on a channel of a million customers: reading the count, and what its
triggers add to the statements that write customers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench_mu \\
        .venv/bin/python bench/mu_counter.py [--customers 1000000] [--runs 20] [--reps 11]

Creates the database if it is missing, migrates it and fills the channel "bench" as
bench/contacts_list.py does (`demo_data`, skipped when it already holds enough customers). Then:

- the MU count through contacts.selectors.mu_count (the counter's row), median of --runs after
  a warm-up (target < 5 ms), beside a fresh count of the table, which must equal it;
- the triggers' cost: the statements an import chunk runs on 5,000 customers (an insert, an
  update of every value, an update that hides them, a delete) and a boot's one-row update (200
  of them), each timed in a transaction rolled back afterwards, with the customer table's
  triggers enabled and disabled (``ALTER TABLE … DISABLE TRIGGER USER`` inside that
  transaction) in turn, --reps times. Prints the medians and their difference.
Exits 1 if the read misses its target or the counter differs from the fresh count.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.contacts_list import _channel, _load, prepare_database  # noqa: E402

MU_TARGET_MS = 5.0
CHUNK = 5000
BOOTS = 200
TABLE = "contacts_customer"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reps", type=int, default=11)
    args = parser.parse_args()

    prepare_database("the MU counter")
    channel, _ = _channel()
    _load(channel, args.customers)
    ok = _report_read(channel, args.runs)
    _report_triggers(channel, args.reps)
    return 0 if ok else 1


def _report_read(channel, runs: int) -> bool:
    from contacts.selectors import mu_count, mu_count_fresh

    count = mu_count(channel)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        mu_count(channel)
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    fresh = mu_count_fresh(channel)
    fresh_ms = (time.perf_counter() - started) * 1000
    median = statistics.median(times)
    ok = median < MU_TARGET_MS and fresh == count
    print(
        f"MU count {count:,}: median {median:.2f} ms (min {min(times):.2f}, max "
        f"{max(times):.2f}) over {runs} runs, target < {MU_TARGET_MS:.0f} ms; fresh count "
        f"{fresh:,} in {fresh_ms:.0f} ms: {'PASS' if ok else 'FAIL'}"
    )
    return ok


def _statements(channel) -> dict[str, tuple[str, list, int]]:
    """name -> (SQL, parameters, times to run it in one timing)."""
    from contacts.models import Customer

    columns = [f.column for f in Customer._meta.concrete_fields if f.column != "id"]
    copied = [
        "'mu-bench-' || id" if c == "member_id" else "NULL" if c == "veil_id" else c
        for c in columns
    ]
    some = f"SELECT id FROM {TABLE} WHERE channel_id = %s ORDER BY id LIMIT {CHUNK}"
    return {
        "insert 5,000": (
            f"INSERT INTO {TABLE} ({', '.join(columns)}) SELECT {', '.join(copied)} "
            f"FROM {TABLE} WHERE channel_id = %s ORDER BY id LIMIT {CHUNK}",
            [channel.pk],
            1,
        ),
        "update 5,000, every value": (
            f"UPDATE {TABLE} SET name = name || '.', updated_at = now(), "
            f"""profile = profile || '{{"bench": 1}}', import_tags = import_tags || '["b"]' """
            f"WHERE id IN ({some})",
            [channel.pk],
            1,
        ),
        "update 5,000, hiding them": (
            f"UPDATE {TABLE} SET is_hidden = true WHERE id IN ({some})",
            [channel.pk],
            1,
        ),
        "delete 5,000": (f"DELETE FROM {TABLE} WHERE id IN ({some})", [channel.pk], 1),
        f"boot: one-row update (x{BOOTS})": (
            f"UPDATE {TABLE} SET last_seen_at = now(), has_booted = true WHERE id = %s",
            [],
            BOOTS,
        ),
    }


def _timed(sql: str, params: list, times: int, triggers: bool, ids: list[int]) -> float:
    """Seconds to run the statement `times` times (one-row: on each of `ids`), then rolled back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if not triggers:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        started = time.perf_counter()
        for n in range(times):
            cursor.execute(sql, params + ([ids[n]] if times > 1 else []))
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _trigger_ms(sql: str, params: list, times: int, ids: list[int]) -> tuple[float, float]:
    """The statement's execution and MU counter trigger ms, as EXPLAIN ANALYZE reports them."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params + ids[:1] * (times > 1))
        [plan] = cursor.fetchone()[0]
        transaction.set_rollback(True)
    # The capture of the transition tables counts in the execution time, not the trigger's.
    trigger = sum(t["Time"] for t in plan.get("Triggers", []) if "mu_counter" in t["Trigger Name"])
    return plan["Execution Time"], trigger


def _report_triggers(channel, reps: int) -> None:
    from contacts.models import Customer

    ids = list(
        Customer.objects.filter(channel=channel).order_by("?").values_list("id", flat=True)[:BOOTS]
    )
    print(
        "\n| statement | with triggers ms | without ms | difference ms | % "
        "| EXPLAIN: statement ms | of which the trigger ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (sql, params, times) in _statements(channel).items():
        on, off, explained = [], [], []
        for rep in range(reps):
            for triggers in (True, False) if rep % 2 else (False, True):
                seconds = _timed(sql, params, times, triggers, ids)
                (on if triggers else off).append(seconds * 1000 / times)
            explained.append(_trigger_ms(sql, params, times, ids))
        on_ms, off_ms = statistics.median(on), statistics.median(off)
        statement_ms = statistics.median(e[0] for e in explained)
        trigger_ms = statistics.median(e[1] for e in explained)
        print(
            f"| {name} | {on_ms:.2f} | {off_ms:.2f} | {on_ms - off_ms:+.2f} | "
            f"{(on_ms - off_ms) / off_ms * 100:+.1f} | {statement_ms:.2f} | {trigger_ms:.2f} |"
        )


if __name__ == "__main__":
    sys.exit(main())
