"""Check a channel's MU counter (R-M1) against a fresh count of its customers, and set it right.

Decisions:
- The database keeps the counter (the mu_counter migration says how and why); this module
  only checks it: ``manage.py mu_recount`` and the customer table's upkeep after a large
  import call it. A drift means that some write bypassed the triggers (a SQLite table rebuilt
  without them, a restore or a bulk load with triggers disabled): the counter takes the fresh
  count and a warning is logged, as something to look into rather than routine.
- Exact while customers are written: the counter row is locked first, then the customers are
  counted. A write that moved MU in the channel holds that row until it commits, so the lock
  waits for it and the count, a statement of its own (READ COMMITTED), sees it; a write that
  moves MU later waits for the recount to commit, then adds its change to the fixed count.
  SQLite, one writer at a time, is exact anyway.
- A channel without a counter row (made while the triggers were missing) gets one.
- One lock order: a write that may move customers in or out of MU (an import chunk, an add, an
  edit, a delete, a block, a limit change, a unification) takes the counter row first, with
  `mu_writes_lock`, before any customer row. The triggers lock the counter at the end of each
  statement, after its customers: a chunk updating customer X then waiting for the counter,
  while a block's rebalance holds the counter and waits to show X, was a deadlock. A boot keeps
  its own order (its customer first, the counter only when it moves MU): locking the counter on
  every boot would queue a channel's visitors behind each other, so a chunk that loses a
  deadlock to a boot is rolled back and retried (imports.running).
"""

import logging
from dataclasses import dataclass

from django.db import transaction

from contacts import selectors
from contacts.models import Channel, MuCounter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MuRecount:
    """A channel's MU counter as it was (None: no row) and its fresh count."""

    channel: Channel
    stored: int | None
    counted: int

    @property
    def drift(self) -> int:
        """How far the counter was off: stored minus counted."""
        return (self.stored or 0) - self.counted

    @property
    def has_drifted(self) -> bool:
        return self.stored != self.counted


def mu_writes_lock(channel_id: int) -> None:
    """Lock the channel's MU counter row for the transaction, before any customer row."""
    list(MuCounter.objects.select_for_update().filter(channel_id=channel_id).values_list("pk"))


@transaction.atomic
def mu_recount(*, channel: Channel) -> MuRecount:
    """Count the channel's managed users afresh under its counter's lock; fix the counter."""
    counter = MuCounter.objects.select_for_update().filter(channel_id=channel.pk).first()
    counted = selectors.mu_count_fresh(channel)
    result = MuRecount(
        channel=channel, stored=None if counter is None else counter.mu_count, counted=counted
    )
    if counter is None:
        MuCounter.objects.create(channel_id=channel.pk, mu_count=counted)
    elif result.has_drifted:
        MuCounter.objects.filter(channel_id=channel.pk).update(mu_count=counted)
    if result.has_drifted:
        logger.warning(
            "MU counter of channel %s was %s, counted %s: fixed",
            channel.slug,
            result.stored,
            counted,
        )
    return result
