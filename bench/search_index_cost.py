"""What the contact list's search index costs every write: customers copied into a scratch table
under each set of name and tag indexes, then updated, timed against no such index.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench_list \\
        .venv/bin/python bench/search_index_cost.py [--rows 300000] [--runs 3]

Reads --rows customers of the database's customer table (load some first, e.g. with
contacts_list.py) into a scratch table with the customer table's primary key, once per index
set, after a CHECKPOINT: one INSERT … SELECT, then one UPDATE that changes every name and
appends an import tag (a changed indexed column: every index gets a new entry, as in an
import's every-value-changed step). Prints the median seconds of --runs and the time over the
table without name or tag index; drops the scratch table at the end.

Decisions:
- The index sets are those of the customer table before issue 16 (an import-tag GIN and a name
  prefix btree) and of migration 0010's customer_search_gin, whole and without each of its
  name parts, so the cost of each part reads off the table; and the MU count's own btree, which
  migration 0011 dropped once the MU counter made it redundant. The whole index is read from the
  database's own definition, so the script follows the migration.
- One statement each, not chunks: the indexes' cost per row, without the import's planning.
"""

import argparse
import os
import statistics
import sys
import time

import psycopg

SCRATCH = "bench_search_index_cost"
CUSTOMERS = "contacts_customer"
SEARCH_INDEX = "customer_search_gin"
CHANNEL_TAGS = "channel_id, import_tags jsonb_path_ops"
BIGRAMS = "customer_name_bigrams((name)::text)"
TRIGRAMS = "upper((name)::text) gin_trgm_ops"
MU_ROWS = (
    "(member_id IS NOT NULL OR email IS NOT NULL OR mobile_number IS NOT NULL) "
    "AND NOT is_hidden AND NOT is_blocked"
)


def index_sets(search_definition: str) -> dict[str, list[str]]:
    """Each index set's CREATE INDEX statements on the scratch table."""
    whole = search_definition.replace(f"public.{CUSTOMERS}", SCRATCH).replace(
        f"INDEX {SEARCH_INDEX}", "INDEX"
    )
    gin = f"CREATE INDEX ON {SCRATCH} USING gin ({CHANNEL_TAGS}"
    return {
        "no name or tag index": [],
        "before issue 16: tag GIN + name prefix btree": [
            f"CREATE INDEX ON {SCRATCH} USING gin (import_tags jsonb_path_ops)",
            f"CREATE INDEX ON {SCRATCH} (channel_id, upper((name)::text) text_pattern_ops) "
            "WHERE NOT is_hidden AND NOT is_blocked",
        ],
        "search GIN: channel + tags only": [f"{gin})"],
        "search GIN without bigrams": [f"{gin}, {TRIGRAMS})"],
        "search GIN without trigrams": [f"{gin}, {BIGRAMS})"],
        "search GIN (migration 0010)": [whole],
        "MU count btree (customer_mu_idx, dropped by migration 0011)": [
            f"CREATE INDEX ON {SCRATCH} (channel_id) WHERE {MU_ROWS}"
        ],
    }


def timed(cursor, sql: str) -> float:
    """Seconds one statement takes, committed."""
    started = time.perf_counter()
    cursor.execute(sql)
    cursor.connection.commit()
    return time.perf_counter() - started


def measure(cursor, statements: list[str], rows: int) -> tuple[float, float]:
    """Insert and update seconds of `rows` customers under these indexes."""
    cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    cursor.execute(f"CREATE TABLE {SCRATCH} (LIKE {CUSTOMERS} INCLUDING DEFAULTS)")
    cursor.execute(f"ALTER TABLE {SCRATCH} ADD PRIMARY KEY (id)")
    for sql in statements:
        cursor.execute(sql)
    cursor.connection.commit()
    cursor.execute("CHECKPOINT")
    inserted = timed(
        cursor, f"INSERT INTO {SCRATCH} SELECT * FROM {CUSTOMERS} ORDER BY id LIMIT {rows}"
    )
    updated = timed(
        cursor,
        f"UPDATE {SCRATCH} SET name = name || ' x', import_tags = import_tags || '[\"x\"]'",
    )
    return inserted, updated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("set DATABASE_URL to a PostgreSQL database holding customers", file=sys.stderr)
        return 2
    with psycopg.connect(url, autocommit=False) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {CUSTOMERS} LIMIT %s) s", [args.rows])
        (available,) = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [SEARCH_INDEX])
        found = cursor.fetchone()
        if available < args.rows or found is None:
            print(
                f"need {args.rows:,} customers and {SEARCH_INDEX}: load some first (see the "
                "docstring)",
                file=sys.stderr,
            )
            return 2
        results = {}
        for name, statements in index_sets(found[0]).items():
            runs = [measure(cursor, statements, args.rows) for _ in range(args.runs)]
            results[name] = tuple(statistics.median(run[i] for run in runs) for i in (0, 1))
        cursor.execute(f"DROP TABLE {SCRATCH}")
        connection.commit()
    base_insert, base_update = results["no name or tag index"]
    print(f"\n{args.rows:,} customers, median of {args.runs} runs\n")
    print("| indexes | insert s | over none | update s | over none |")
    print("|---|---:|---:|---:|---:|")
    for name, (inserted, updated) in results.items():
        print(
            f"| {name} | {inserted:.2f} | {inserted - base_insert:+.2f} "
            f"| {updated:.2f} | {updated - base_update:+.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
