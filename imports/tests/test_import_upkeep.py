"""After a large import the customer table gets its statistics and visibility map at once
(contacts.services.customer_table_upkeep, queued), so the contact list stays fast on a server
whose autovacuum has not come by yet, or never runs, and the channel's MU counter is checked."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from contacts.models import Customer, MuCounter
from contacts.selectors import mu_count
from contacts.services import customer_table_upkeep
from imports import lifecycle, running
from imports.models import Import
from imports.tasks import customer_table_upkeep_task
from tests.factories import CustomerFactory

ROWS = "memberId,unsubscribeEmail,unsubscribeTexting\nM1,false,false\nM2,true,false\n"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the upkeep is PostgreSQL's VACUUM and ANALYZE"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(channel, owner, capture, queued):
    imp = lifecycle.import_upload(
        channel=channel, by=owner, file=ContentFile(ROWS.encode(), name="c.csv"), file_name="c.csv"
    )
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    with capture(execute=True):
        done = running.import_run(import_id=imp.id)
    assert done.status == Import.Status.SUCCEEDED and done.rows_done == 2
    return [args for args in queued if args[0] != "imports.tasks.run_import_task"]


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: calls.append(args))
    return calls


def test_a_large_import_queues_the_customer_table_upkeep(
    channel, owner, settings, django_capture_on_commit_callbacks, queued
):
    settings.IMPORT_UPKEEP_MIN_ROWS = 2
    upkeep = _import(channel, owner, django_capture_on_commit_callbacks, queued)
    assert upkeep == [("imports.tasks.customer_table_upkeep_task", channel.pk)]


def test_a_small_import_queues_no_upkeep(
    channel, owner, settings, django_capture_on_commit_callbacks, queued
):
    settings.IMPORT_UPKEEP_MIN_ROWS = 3
    assert _import(channel, owner, django_capture_on_commit_callbacks, queued) == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_upkeep_vacuums_and_analyzes_the_customer_table(channel):
    """Outside a transaction the upkeep is VACUUM (ANALYZE): visibility map, fresh statistics."""
    CustomerFactory.create_batch(30, channel=channel)
    customer_table_upkeep_task()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relallvisible, s.last_vacuum, s.last_analyze FROM pg_class c "
            "JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = %s",
            [Customer._meta.db_table],
        )
        [(all_visible, vacuumed, analyzed)] = cursor.fetchall()
    assert all_visible > 0 and vacuumed is not None and analyzed is not None


@pytest.mark.django_db(transaction=True)
def test_the_upkeep_task_recounts_the_imported_channel(channel):
    CustomerFactory.create_batch(3, channel=channel)
    MuCounter.objects.filter(channel=channel).update(mu_count=0)
    customer_table_upkeep_task(channel.pk)
    assert mu_count(channel) == 3


@on_postgresql
def test_inside_a_transaction_the_upkeep_only_analyzes(channel):
    """VACUUM would refuse to run in a transaction block; ANALYZE runs instead."""
    CustomerFactory.create_batch(3, channel=channel)
    assert connection.in_atomic_block
    customer_table_upkeep()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [Customer._meta.db_table]
        )
        [(tuples,)] = cursor.fetchall()
    assert tuples >= 3


def test_a_broker_that_is_down_does_not_fail_a_finished_import(
    channel, owner, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.IMPORT_UPKEEP_MIN_ROWS = 2

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("django_q.tasks.async_task", down)
    assert _import(channel, owner, django_capture_on_commit_callbacks, []) == []
