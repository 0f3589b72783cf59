"""An import's life: check, start, one at a time, log, messages, run (R-I6, R-I11..R-I17)."""

import pytest
from django.db import IntegrityError, transaction

from activitylog.models import Entry
from contacts.models import Channel, Customer
from imports import checking, lifecycle, notifications, orm_writer, refusals, running
from imports.engine.parsing import MEMBER_ID_EMPTY
from imports.engine.planner import OPT_OUT_REQUIRED
from imports.engine.reading import FILE_TOO_LARGE
from imports.models import Import, Notification
from imports.refusals import ImportRefused
from imports.tests.rules_support import OPT, counters, csv, customer, run_csv, services_keys, upload
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.usefixtures("media")


# R-I15 activity log


def test_R_I15_one_bulk_import_entry_with_its_choices_and_its_counts(channel, owner):
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    entry = Entry.objects.get(
        channel=channel, category=Entry.Category.BULK_IMPORT, import_id=imp.id
    )
    assert entry.action == "Bulk import of customers.csv finished"
    assert entry.actor == owner
    assert entry.details["file"] == "customers.csv" and entry.details["kind"] == "member"
    assert entry.details["mapping"] == {"memberId": "memberId"} | {
        key: key for key in ("unsubscribeEmail", "unsubscribeTexting")
    }
    assert (entry.details["created"], entry.details["failed"]) == (1, 0)
    assert entry.details["status"] == "succeeded"
    assert not Entry.objects.filter(category=Entry.Category.CUSTOMER_EDIT).exists()


def test_R_I15_enterprise_with_security_logs_each_customer_the_import_created_or_changed(
    channel, owner
):
    Channel.objects.filter(pk=channel.pk).update(plan="enterprise", has_security_package=True)
    CustomerFactory(channel=channel, member_id="M1", name="Same")
    CustomerFactory(channel=channel, member_id="M2", name="Old", import_tags=["t"])
    CustomerFactory(channel=channel, member_id="M3", name="Same", import_tags=["t"])
    text = csv(
        f"memberId,name,{OPT}",
        "M1,Same,,",
        "M2,New,,",
        "M3,Same,,",
        "M4,Four,false,false",
        "M2,Newer,,",
    )
    imp = run_csv(channel, owner, text, tag="t")
    edits = Entry.objects.filter(category=Entry.Category.CUSTOMER_EDIT, import_id=imp.id)
    by_customer = {e.customer_label: e for e in edits}
    assert sorted(by_customer) == ["Four", "Newer", "Same"]  # M1 got the tag; M3 had nothing new
    assert by_customer["Newer"].details == {"keys": ["name"], "created": False}
    assert by_customer["Four"].details["created"] is True
    assert all(e.actor == owner for e in edits)


# R-I16 one import at a time


def test_R_I16_a_second_import_is_refused_naming_who_started_the_running_one(
    channel, owner, editor
):
    first = upload(channel, editor, csv("memberId", "M1"))
    lifecycle.import_configure(imp=first, by=editor, kind="member")
    lifecycle.import_start(imp=first, by=editor, enqueue=False)
    second = upload(channel, owner, csv("memberId", "M2"))
    lifecycle.import_configure(imp=second, by=owner, kind="member")
    with pytest.raises(ImportRefused) as caught:
        lifecycle.import_start(imp=second, by=owner, enqueue=False)
    when = first.created_at.strftime("%Y-%m-%d %H:%M")
    assert caught.value.message == refusals.IMPORT_ALREADY_ACTIVE.format(
        status="queued",
        id=first.pk,
        file="customers.csv",
        who="editor@example.com",
        when=when,
        progress="",
    )
    assert caught.value.active_import_id == first.pk
    second.refresh_from_db()
    assert second.status == Import.Status.DRAFT
    running.import_run(import_id=first.id)
    lifecycle.import_start(imp=second, by=owner, enqueue=False)
    assert running.import_run(import_id=second.id).status == Import.Status.SUCCEEDED


def test_R_I16_the_database_holds_one_active_import_per_channel(channel, owner):
    Import.objects.create(
        channel=channel, kind="member", file="a.csv", file_name="a.csv", tag="a", status="running"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Import.objects.create(
            channel=channel,
            kind="member",
            file="b.csv",
            file_name="b.csv",
            tag="b",
            status="queued",
        )


def test_R_I16_start_enqueues_the_worker_task_after_commit(
    channel, owner, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: calls.append(args))
    imp = upload(channel, owner, csv("memberId", "M1"))
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.import_start(imp=imp, by=owner)
    assert calls == [("imports.tasks.run_import_task", imp.id)]
    from imports.tasks import run_import_task

    run_import_task(imp.id)
    imp.refresh_from_db()
    assert imp.status == Import.Status.SUCCEEDED


# R-I17 size and permission


def test_R_I17_files_larger_than_100_mb_are_refused(channel, owner, settings):
    settings.IMPORT_MAX_FILE_BYTES = 10
    with pytest.raises(ImportRefused) as caught:
        upload(channel, owner, csv("memberId", "M1", "M2"))
    assert caught.value.message == FILE_TOO_LARGE


def test_R_I17_only_managers_with_edit_permission_import(channel, owner, viewer, outsider):
    for user in (viewer,):
        with pytest.raises(ImportRefused) as caught:
            upload(channel, user, csv("memberId", "M1"))
        assert caught.value.message == refusals.NO_EDIT_PERMISSION
    with pytest.raises(ImportRefused) as caught:
        upload(channel, outsider, csv("memberId", "M1"))
    assert caught.value.message == refusals.NOT_A_MANAGER.format(who=outsider, channel="acme")


def test_R_I17_editor_may_import(channel, owner, editor):
    imp = run_csv(channel, editor, csv(f"memberId,{OPT}", "M1,false,false"))
    assert imp.status == Import.Status.SUCCEEDED and imp.started_by == editor


# R-I11 the dry run


def test_R_I11_the_check_counts_every_row_without_writing(channel, owner, chunked):
    CustomerFactory(channel=channel, member_id="M1")
    text = csv(
        f"memberId,name,{OPT}", "M1,a,,", "M2,b,false,false", "M2,c,,", ",x,,", "M3,,,", "M1,,,"
    )
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    report = checking.import_check(imp=imp)
    assert Customer.objects.filter(channel=channel).count() == 1
    assert {k: report[k] for k in ("rows", "created", "updated", "failed")} == {
        "rows": 6, "created": 1, "updated": 1, "failed": 2,
    }  # fmt: skip
    empty = {"count": 1, "cells": [""]}  # each group shows its rows' cells (all empty here)
    assert report["reasons"] == [
        {"column": "memberId", "reason": MEMBER_ID_EMPTY, "rows": [5]} | empty,
        {"column": "unsubscribeEmail", "reason": OPT_OUT_REQUIRED, "rows": [6]} | empty,
        {"column": "unsubscribeTexting", "reason": OPT_OUT_REQUIRED, "rows": [6]} | empty,
    ]
    imp.refresh_from_db()
    assert imp.status == Import.Status.DRAFT and imp.check_result == report
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    done = running.import_run(import_id=imp.id)
    assert (done.created_count, done.updated_count, done.failed_count) == (1, 1, 2)


def test_R_I11_the_check_simulates_leads_created_earlier_in_the_file(channel, owner, chunked):
    text = csv(
        f"email,{OPT}",
        "a@example.com,false,false",
        "b@example.com,,",
        "A@example.com,,",
        "c@example.com,true,true",
    )
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="lead", identifier="email")
    report = checking.import_check(imp=imp)
    assert (report["created"], report["updated"], report["failed"]) == (2, 0, 1)


# R-I12 an import starts only when the manager starts it, and cannot be undone


def test_R_I12_an_import_runs_only_after_the_manager_starts_it(channel, owner):
    """Upload, mapping and dry run leave a draft nothing runs; only import_start queues it."""
    # The engine's half of the confirmation the wizard asks for.
    imp = upload(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    checking.import_check(imp=imp)
    assert running.import_run(import_id=imp.id).status == Import.Status.DRAFT
    assert not Customer.objects.filter(channel=channel).exists()
    lifecycle.import_start(imp=Import.objects.get(pk=imp.pk), by=owner, enqueue=False)
    assert running.import_run(import_id=imp.id).status == Import.Status.SUCCEEDED
    assert customer(channel, member_id="M1")


def test_R_I12_a_started_import_cannot_be_changed_started_again_or_discarded(channel, owner):
    imp = upload(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    attempts = (
        lambda: lifecycle.import_start(imp=imp, by=owner, enqueue=False),
        lambda: lifecycle.import_configure(imp=imp, by=owner, kind="lead", identifier="email"),
        lambda: lifecycle.import_discard(imp=imp),
    )
    for refused in attempts:
        with pytest.raises(ImportRefused) as caught:
            refused()
        assert caught.value.message == refusals.IMPORT_NOT_DRAFT
    assert Import.objects.get(pk=imp.pk).status == Import.Status.QUEUED


def test_an_unmapped_import_is_neither_checked_nor_started(channel, owner):
    imp = upload(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    for refused in (
        lambda: checking.import_check(imp=imp),
        lambda: lifecycle.import_start(imp=imp, by=owner, enqueue=False),
    ):
        with pytest.raises(ImportRefused) as caught:
            refused()
        assert caught.value.message == refusals.IMPORT_NOT_CONFIGURED
    assert Import.objects.get(pk=imp.pk).status == Import.Status.DRAFT


# R-I13 notifications


def test_R_I13_the_starter_and_the_owner_get_a_message_when_the_import_ends(channel, owner, editor):
    imp = run_csv(channel, editor, csv(f"memberId,{OPT}", "M1,false,false", ",x,"))
    notes = Notification.objects.filter(import_run=imp)
    assert sorted(n.recipient.email for n in notes) == ["editor@example.com", "owner@example.com"]
    text = notifications.NOTE_SUCCEEDED.format(
        file="customers.csv", channel="Acme", created=1, updated=0, failed=1
    )
    assert {n.text for n in notes} == {text}
    notifications.notification_read(notification=notes[0])
    assert notes[0].read_at is not None


def test_R_I13_the_owner_starting_an_import_gets_one_message(channel, owner):
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    assert Notification.objects.filter(import_run=imp).count() == 1


# running, resuming, failing


class _Killed(BaseException):
    """Stands for the worker being killed: nothing after it runs, not even except Exception."""


def test_a_killed_run_resumes_after_the_last_committed_chunk_with_the_same_result(
    channel, owner, other_channel, settings, monkeypatch
):
    settings.IMPORT_CHUNK_ROWS = 2
    settings.IMPORT_STALE_SECONDS = 0  # the killed runner's heartbeat is stale at once
    services_keys(channel, owner, hobbies="list")
    services_keys(other_channel, None, hobbies="list")
    text = csv(
        f"memberId,name,hobbies,{OPT}",
        *[f'M{i % 3},n{i},"[""h{i}""]",false,false' for i in range(9)],
    )
    real_write = running.outcome_write
    calls = {"n": 0}

    def dying_write(*args, **kwargs):
        calls["n"] += 1
        result = real_write(*args, **kwargs)
        if calls["n"] == 3:
            raise _Killed
        return result

    monkeypatch.setattr(running, "outcome_write", dying_write)
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    with pytest.raises(_Killed):
        running.import_run(import_id=imp.id)
    imp.refresh_from_db()
    assert imp.status == Import.Status.RUNNING and imp.last_row_number == 5
    monkeypatch.setattr(running, "outcome_write", real_write)
    resumed = running.import_run(import_id=imp.id)

    from contacts.models import Membership
    from tests.factories import MembershipFactory

    other_owner = UserFactory(email="o2@example.com")
    MembershipFactory(channel=other_channel, user=other_owner, role=Membership.Role.OWNER)
    whole = run_csv(other_channel, other_owner, text)
    assert counters(resumed) == counters(whole) == counters(resumed) | {"created": 3, "updated": 0}

    def state(ch):
        return list(
            Customer.objects.filter(channel=ch)
            .order_by("member_id")
            .values_list("member_id", "name", "profile", "import_tags")
        )

    assert state(channel) == state(other_channel)
    assert state(channel)[0][2] == {"hobbies": ["h0", "h3", "h6"]}


def test_an_unexpected_error_fails_the_import_and_rolls_the_chunk_back(
    channel, owner, settings, monkeypatch
):
    settings.IMPORT_CHUNK_ROWS = 2
    real_insert = orm_writer.OrmWriter.insert
    calls = {"n": 0}

    def broken(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            real_insert(self, **kwargs)
            raise RuntimeError("disk on fire")
        return real_insert(self, **kwargs)

    monkeypatch.setattr("imports.orm_writer.OrmWriter.insert", broken)
    monkeypatch.setattr("imports.pg_writer.PostgresWriter.insert", broken)
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", *[f"M{i},false,false" for i in range(5)]))
    assert imp.status == Import.Status.FAILED
    assert imp.error_message == running.IMPORT_CRASHED.format(row=4, error="RuntimeError")
    assert sorted(Customer.objects.values_list("member_id", flat=True)) == ["M0", "M1"]
    assert (imp.created_count, imp.last_row_number) == (2, 3)
    note = Notification.objects.get(import_run=imp)
    assert note.text == notifications.NOTE_FAILED.format(
        file="customers.csv", channel="Acme", error=imp.error_message
    )


def test_running_a_finished_import_again_does_nothing(channel, owner):
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    again = running.import_run(import_id=imp.id)
    assert again.status == Import.Status.SUCCEEDED and again.created_count == 1
    assert Customer.objects.count() == 1


def test_new_keys_are_created_when_the_import_starts(channel, owner):
    text = csv(f"memberId,shoe,{OPT}", "M1,42,false,false")
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member", new_keys={"shoe": "number"})
    checking.import_check(imp=imp)
    assert not channel.profile_keys.exists()
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    running.import_run(import_id=imp.id)
    assert list(channel.profile_keys.values_list("name", "type")) == [("shoe", "number")]
    assert customer(channel, member_id="M1").profile == {"shoe": 42}


def test_R_I6_the_preview_shows_the_first_30_rows_with_all_columns(channel, owner):
    from imports.selectors import import_preview

    rows = [f"M{i},n{i},x{i}" for i in range(40)]
    imp = upload(channel, owner, csv("memberId,name,Extra", *rows))
    headers, preview = import_preview(imp)
    assert headers == ["memberId", "name", "Extra"]
    assert len(preview) == 30
    assert preview[0] == (2, ["M0", "n0", "x0"], None)
