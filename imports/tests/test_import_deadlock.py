"""A chunk that loses a deadlock is rolled back and run again; any other database error fails."""

import psycopg.errors
from django.db import OperationalError

from contacts.models import Customer
from contacts.selectors import mu_count, mu_count_fresh
from imports import running
from imports.models import Import


def _failing_once(monkeypatch, cause: Exception):
    """Make the second chunk's first attempt fail after writing, as a lost deadlock does."""
    real = running.outcome_write
    calls = []

    def write(imp, outcome, writer, logs_edits):
        calls.append(imp.pk)
        pending = real(imp, outcome, writer, logs_edits)
        if len(calls) == 2:
            raise OperationalError("the chunk lost") from cause
        return pending

    monkeypatch.setattr(running, "outcome_write", write)
    return calls


def test_a_chunk_that_lost_a_deadlock_runs_again(queued, channel, monkeypatch):
    calls = _failing_once(monkeypatch, psycopg.errors.DeadlockDetected("deadlock detected"))
    imp = running.import_run(import_id=queued.pk)
    assert imp.status == Import.Status.SUCCEEDED
    assert len(calls) == 4  # the second chunk written twice, its first attempt rolled back
    assert (imp.created_count, imp.rows_done) == (6, 6)
    assert Customer.objects.filter(channel=channel).count() == 6
    assert mu_count(channel) == mu_count_fresh(channel) == 6


def test_any_other_database_error_fails_the_import_with_the_chunk_rolled_back(
    queued, channel, monkeypatch
):
    _failing_once(monkeypatch, psycopg.errors.QueryCanceled("canceling statement"))
    imp = running.import_run(import_id=queued.pk)
    assert imp.status == Import.Status.FAILED
    assert (imp.created_count, imp.rows_done) == (2, 2)
    assert Customer.objects.filter(channel=channel).count() == 2
    assert mu_count(channel) == mu_count_fresh(channel) == 2
