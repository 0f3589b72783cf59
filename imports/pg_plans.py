"""PostgreSQL's plans for an import's lookups, kept right: statistics current, custom plans.

Decisions:
- A lookup is fast only if the planner probes the key's index ((channel, memberId), (channel,
  email), (channel, mobile)). It does so whenever its statistics put the channel at more than
  a handful of customers; when they put it at about none (a channel created or grown since the
  last ANALYZE, autovacuum behind) it reads the whole channel through another of its indexes
  for every key, and a chunk costs the channel's size times its rows. No form of the query
  escapes this (an ``= ANY`` array on the key's index is planned the same way), so the writer
  keeps the statistics right instead: before a channel's lookups it compares the planner's
  estimate of the channel with what it holds, counted up to ten times the estimate, and
  ANALYZEs the customer table when the channel holds more. Once the estimate is in the
  thousands it is not checked again in the run; a channel that grows from nothing during one
  import is analyzed a few times on the way (each time it has grown tenfold).
- ANALYZE waits for a running VACUUM or ANALYZE of the table no longer than
  STATISTICS_LOCK_TIMEOUT, in a savepoint; then the lookups go ahead on the statistics as they
  are (that VACUUM (ANALYZE) refreshes them).
- Lookups are planned with their actual values (custom plans), never from a cached generic
  plan: a generic plan estimates the channel from the table's average channel, which the
  check above does not look at. They are prepared statements (parsed once a connection), with
  JIT off: per-key probes look expensive to the planner, and compiling them costs more than
  running them.
"""

import json
import logging

import psycopg
from django.db import OperationalError, connection, transaction

from contacts.models import Customer

logger = logging.getLogger(__name__)

# The planner's estimate of a channel's customers, and what the channel holds, up to a bound.
CHANNEL_ESTIMATE = "EXPLAIN (FORMAT JSON) SELECT 1 FROM contacts_customer WHERE channel_id = %s"
CHANNEL_HOLDS = (
    "SELECT count(*) FROM (SELECT FROM contacts_customer WHERE channel_id = %s LIMIT %s) AS c"
)
# From this estimate on, the key's index wins whatever the channel holds.
STATISTICS_SIZABLE = 1000
# ANALYZE when the channel holds more than this many times the estimate (and over a hundred).
STATISTICS_LAG = 10
# ANALYZE waits for a running VACUUM or ANALYZE of the table no longer than this, then the
# lookups go ahead on the statistics as they are (that VACUUM (ANALYZE) refreshes them).
STATISTICS_LOCK_TIMEOUT = "2s"


def fetch_lookup(sql: str, params: list) -> list[tuple]:
    """The rows of a lookup every chunk repeats: prepared, custom-planned, without JIT."""
    with transaction.atomic():
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()


def _channel_estimate(cursor, channel_id: int) -> float:
    """The planner's estimate of the channel's customers."""
    cursor.execute(CHANNEL_ESTIMATE, [channel_id])
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"]


def _channel_holds_more(cursor, channel_id: int, estimate: float) -> bool:
    """Whether the channel holds more than STATISTICS_LAG times the estimate (and over 100)."""
    bound = STATISTICS_LAG * max(int(estimate), 10)
    cursor.execute(CHANNEL_HOLDS, [channel_id, bound + 1])
    return cursor.fetchone()[0] > bound


def _analyze_customers() -> bool:
    """ANALYZE the customer table; False if a running VACUUM or ANALYZE held it too long."""
    table = Customer._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # A savepoint: a lock not had in time leaves the caller's transaction usable.
            cursor.execute("SELECT current_setting('lock_timeout')")
            previous = cursor.fetchone()[0]
            cursor.execute(f"SET LOCAL lock_timeout = '{STATISTICS_LOCK_TIMEOUT}'")
            cursor.execute(f"ANALYZE {table}")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    except OperationalError:
        logger.info("ANALYZE %s skipped: the table is being vacuumed or analyzed", table)
        return False


class ChannelStatistics:
    """The statistics of the channels one run looks up, ANALYZEd where they lag (see Decisions)."""

    def __init__(self) -> None:
        # Channels whose estimate was found sizable in this run: not checked again.
        self._sizable: set[int] = set()

    def keep_current(self, channel_id: int) -> None:
        """Before a lookup: ANALYZE where the statistics put the channel far below its size."""
        if channel_id in self._sizable:
            return
        with connection.cursor() as cursor:
            estimate = _channel_estimate(cursor, channel_id)
            if estimate < STATISTICS_SIZABLE and _channel_holds_more(cursor, channel_id, estimate):
                if not _analyze_customers():
                    return
                estimate = _channel_estimate(cursor, channel_id)
        if estimate >= STATISTICS_SIZABLE:
            self._sizable.add(channel_id)
