"""The sweep: imports and checks a dead worker left behind are queued again and resumed (R-I16).

Driven through the services, with django-q2's async_task captured; the real clusters, killed
with SIGKILL, are in tests/test_import_queue.py.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from contacts.models import Customer
from imports import checking, lifecycle, recovery, refusals, running, tasks, views
from imports.models import Import
from tests.factories import MembershipFactory, UserFactory

OPT = "unsubscribeEmail,unsubscribeTexting"
ROWS = f"memberId,name,{OPT}\n" + "".join(
    f"M{n % 7},Customer {n},false,{'x' if n == 4 else 'false'}\n" for n in range(12)
)
RUN_TASK = "imports.tasks.run_import_task"
CHECK_TASK = "imports.tasks.check_import_task"


class _Killed(BaseException):
    """Stands for the worker being killed: nothing after it runs, not even except Exception."""


@pytest.fixture(autouse=True)
def small_chunks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_CHUNK_ROWS = 3


@pytest.fixture
def queued_tasks(monkeypatch):
    """The tasks handed to django-q2, as (function, import id)."""
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: calls.append(args))
    return calls


def _configured(channel, by, name="customers.csv") -> Import:
    imp = lifecycle.import_upload(
        channel=channel, by=by, file=ContentFile(ROWS.encode(), name=name), file_name=name
    )
    return lifecycle.import_configure(imp=imp, by=by, kind="member")


def _started(channel, by) -> Import:
    return lifecycle.import_start(imp=_configured(channel, by), by=by, enqueue=False)


def _killed_after(imp: Import, chunks: int) -> Import:
    """Run the import in this process until the worker "dies" after ``chunks`` chunks."""

    def die(done, total):
        if done >= chunks * 3:
            raise _Killed

    with pytest.raises(_Killed):
        running.import_run(import_id=imp.pk, progress=die)
    return Import.objects.get(pk=imp.pk)


def _age(imp: Import, seconds: int = 31) -> None:
    """Let time pass for the import's heartbeat (IMPORT_STALE_SECONDS is 30)."""
    Import.objects.filter(pk=imp.pk).update(
        heartbeat_at=imp.heartbeat_at - timedelta(seconds=seconds)
    )


def _customers(channel) -> list[tuple]:
    return list(
        Customer.objects.filter(channel=channel)
        .order_by("member_id")
        .values_list("member_id", "name", "unsubscribe_texting")
    )


def test_R_I16_a_dead_workers_import_is_queued_again_and_ends_as_if_never_killed(
    channel, owner, other_channel, queued_tasks
):
    killed = _killed_after(_started(channel, owner), chunks=2)
    assert (killed.status, killed.rows_done) == (Import.Status.RUNNING, 6)
    assert recovery.import_sweep() == []  # its heartbeat is still fresh
    _age(killed)

    assert recovery.import_sweep() == [killed.pk]
    assert queued_tasks == [(RUN_TASK, killed.pk)]
    tasks.run_import_task(killed.pk)
    tasks.run_import_task(killed.pk)  # a task queued twice runs once

    done = Import.objects.get(pk=killed.pk)
    other_owner = UserFactory(email="o2@example.com")
    MembershipFactory(channel=other_channel, user=other_owner, role="owner")
    whole = running.import_run(import_id=_started(other_channel, other_owner).pk)
    assert done.status == whole.status == Import.Status.SUCCEEDED
    assert (done.rows_done, done.last_row_number) == (whole.rows_done, whole.last_row_number)
    assert running.import_summary(done) == running.import_summary(whole)
    assert (done.created_count, done.updated_count, done.failed_count) == (7, 0, 1)
    assert _customers(channel) == _customers(other_channel)
    assert recovery.import_sweep() == []


def test_a_running_import_with_a_fresh_heartbeat_is_left_to_its_runner(
    channel, owner, queued_tasks
):
    held = _killed_after(_started(channel, owner), chunks=1)
    assert recovery.import_sweep() == []
    again = running.import_run(import_id=held.pk)  # a second task for it: not run twice
    assert (again.status, again.rows_done, again.heartbeat_at) == (
        Import.Status.RUNNING,
        3,
        held.heartbeat_at,
    )
    assert queued_tasks == []


def test_a_stranded_queued_import_is_queued_again_once_a_period(channel, owner, queued_tasks):
    imp = _started(channel, owner)
    _age(imp)
    now = timezone.now()
    assert recovery.import_sweep(now=now) == [imp.pk]
    assert recovery.import_sweep(now=now) == []  # its heartbeat moved on when it was queued
    assert Import.objects.get(pk=imp.pk).heartbeat_at == now
    assert queued_tasks == [(RUN_TASK, imp.pk)]
    tasks.run_import_task(imp.pk)
    assert Import.objects.get(pk=imp.pk).status == Import.Status.SUCCEEDED


def test_a_dead_workers_check_is_queued_again_and_taken_over(
    channel, owner, queued_tasks, django_capture_on_commit_callbacks
):
    draft = _configured(channel, owner)
    with django_capture_on_commit_callbacks(execute=True):
        checking.import_check_request(imp=draft, by=owner)
    assert queued_tasks == [(CHECK_TASK, draft.pk)]
    # A worker took it and died at its second chunk.
    Import.objects.filter(pk=draft.pk).update(check_status="running", check_rows_done=6)
    draft.refresh_from_db()
    assert checking.import_check_perform(import_id=draft.pk).check_rows_done == 6  # still alive
    assert recovery.import_sweep() == []
    _age(draft)

    assert recovery.import_sweep() == [draft.pk]
    assert queued_tasks[-1] == (CHECK_TASK, draft.pk)
    tasks.check_import_task(draft.pk)
    checked = Import.objects.get(pk=draft.pk)
    assert checked.check_status == Import.CheckStatus.DONE
    assert (checked.check_result["rows"], checked.check_result["failed"]) == (12, 1)
    assert checked.status == Import.Status.DRAFT
    assert recovery.import_sweep() == []


def test_each_worker_start_makes_the_sweep_schedule_once_and_sweeps(
    channel, owner, settings, queued_tasks
):
    imp = _started(channel, owner)
    _age(imp)
    recovery.on_worker_start(sender="django_q", proc_name="Process-1")
    recovery.on_worker_start(sender="django_q", proc_name="Process-2")
    schedule = Schedule.objects.get(name=recovery.SWEEP_SCHEDULE)
    assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        "imports.tasks.import_sweep_task",
        Schedule.MINUTES,
        1,
        -1,
    )
    assert queued_tasks == [(RUN_TASK, imp.pk)]
    settings.IMPORT_SWEEP_MINUTES = 5
    recovery.on_worker_start(sender="django_q", proc_name="Process-3")
    assert Schedule.objects.get(name=recovery.SWEEP_SCHEDULE).minutes == 5


def test_stopping_a_stalled_import_ends_it_at_once(client, channel, owner, queued_tasks):
    killed = _killed_after(_started(channel, owner), chunks=2)
    _age(killed)
    client.force_login(owner)
    response = client.post(reverse("imports:stop", args=[channel.slug, killed.pk]), follow=True)
    assert views.STOPPED_STALLED.format(done="6") in response.content.decode()
    stopped = Import.objects.get(pk=killed.pk)
    assert (stopped.status, stopped.rows_done) == (Import.Status.STOPPED, 6)
    assert recovery.import_sweep() == []
    assert Customer.objects.filter(channel=channel).count() == 5


def test_R_I16_the_refusal_names_the_running_import_and_its_last_progress(channel, owner):
    running = _killed_after(_started(channel, owner), chunks=2)
    second = _configured(channel, owner, name="second.csv")
    beat = running.heartbeat_at.strftime("%Y-%m-%d %H:%M:%S")
    for stalled, words in ((False, refusals.ACTIVE_PROGRESS), (True, refusals.ACTIVE_STALLED)):
        if stalled:
            _age(running)
            beat = (running.heartbeat_at - timedelta(seconds=31)).strftime("%Y-%m-%d %H:%M:%S")
        with pytest.raises(refusals.ImportRefused) as caught:
            lifecycle.import_start(imp=second, by=owner, enqueue=False)
        assert caught.value.message == refusals.IMPORT_ALREADY_ACTIVE.format(
            status="running",
            id=running.pk,
            file="customers.csv",
            who=owner.email,
            when=running.started_at.strftime("%Y-%m-%d %H:%M"),
            progress=words.format(done="6", total="12", beat=beat),
        )


def test_the_page_of_a_stalled_import_says_it_is_resuming(client, channel, owner):
    killed = _killed_after(_started(channel, owner), chunks=2)
    url = reverse("imports:detail", args=[channel.slug, killed.pk])
    client.force_login(owner)
    assert "Stalled, resuming" not in client.get(url).content.decode()
    _age(killed)
    page = client.get(url).content.decode()
    assert "Stalled, resuming… 6 of 12 rows are imported" in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Stalled, resuming" in fragment and "rows a second" not in fragment
