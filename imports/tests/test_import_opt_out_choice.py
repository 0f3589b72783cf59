"""R-I7a: an import's choice of both opt-outs for the customers it creates."""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from activitylog.models import Entry
from contacts.models import Customer
from imports import checking, lifecycle, refusals, running
from imports.engine.planner import OPT_OUT_REQUIRED
from imports.management.commands import import_customers as command
from imports.models import Import, ImportFailure
from imports.tests.test_import_check import whole_check
from tests.factories import CustomerFactory

OPT = "unsubscribeEmail,unsubscribeTexting"
CHOICE = {"new_unsubscribe_email": False, "new_unsubscribe_texting": True}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def configured(channel, by, text, *, kind="member", **options):
    imp = lifecycle.import_upload(
        channel=channel,
        by=by,
        file=ContentFile(text.encode(), name="customers.csv"),
        file_name="customers.csv",
    )
    return lifecycle.import_configure(imp=imp, by=by, kind=kind, **options)


def run(imp, by):
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


def opt_outs(channel, **lookup):
    record = Customer.objects.get(channel=channel, **lookup)
    return record.unsubscribe_email, record.unsubscribe_texting


def failures(imp):
    rows = ImportFailure.objects.filter(import_run=imp).order_by("row_number")
    return list(rows.values_list("row_number", "error_columns", "error_reasons"))


@pytest.mark.parametrize("chunk_rows", [2, 5000])
def test_R_I7a_new_customers_are_created_with_the_choice(channel, owner, settings, chunk_rows):
    settings.IMPORT_CHUNK_ROWS = chunk_rows
    text = "memberId,name,unsubscribeEmail\nM1,Ann,\nM2,Bob,\nM3,Cy,\n"
    imp = run(configured(channel, owner, text, **CHOICE), owner)
    assert (imp.created_count, imp.failed_count) == (3, 0)
    assert {opt_outs(channel, member_id=m) for m in ("M1", "M2", "M3")} == {(False, True)}
    assert (imp.new_unsubscribe_email, imp.new_unsubscribe_texting) == (False, True)


def test_R_I7a_R_I21_an_identifier_only_file_creates_with_the_choice(channel, owner):
    imp = run(configured(channel, owner, "memberId\nM1\n", **CHOICE), owner)
    assert imp.created_count == 1
    assert opt_outs(channel, member_id="M1") == (False, True)


@pytest.mark.parametrize("chunk_rows", [2, 5000])
def test_R_I7a_a_value_in_the_row_wins_over_the_choice(channel, owner, settings, chunk_rows):
    settings.IMPORT_CHUNK_ROWS = chunk_rows
    text = f"memberId,{OPT}\nM1,true,\nM2,,no\nM3,yes,false\n"
    imp = run(configured(channel, owner, text, **CHOICE), owner)
    assert imp.created_count == 3
    assert opt_outs(channel, member_id="M1") == (True, True)
    assert opt_outs(channel, member_id="M2") == (False, False)
    assert opt_outs(channel, member_id="M3") == (True, False)


@pytest.mark.parametrize("empty_cells", ["keep", "clear"])
def test_R_I7a_existing_customers_are_untouched_by_the_choice(channel, owner, empty_cells):
    CustomerFactory(channel=channel, member_id="M1", unsubscribe_email=None)
    CustomerFactory(
        channel=channel, member_id="M2", unsubscribe_email=True, unsubscribe_texting=False
    )
    CustomerFactory(channel=channel, member_id="M3", unsubscribe_email=None)
    text = "memberId,name,unsubscribeEmail\nM1,Ann,\nM2,Bob,\nM3,Cy,false\nM4,Dee,\n"
    imp = run(configured(channel, owner, text, empty_cells=empty_cells, **CHOICE), owner)
    assert (imp.created_count, imp.updated_count) == (1, 3)
    assert opt_outs(channel, member_id="M1") == (None, None)
    assert opt_outs(channel, member_id="M2") == (True, False)
    assert opt_outs(channel, member_id="M3") == (False, None)  # the row's value, R-I7
    assert opt_outs(channel, member_id="M4") == (False, True)


def test_R_I7a_without_a_choice_a_new_customer_fails_as_R_I7(channel, owner):
    imp = run(configured(channel, owner, "memberId,unsubscribeEmail\nM1,true\n"), owner)
    assert (imp.new_unsubscribe_email, imp.new_unsubscribe_texting) == (None, None)
    assert failures(imp) == [(2, ["unsubscribeTexting"], [OPT_OUT_REQUIRED])]
    assert not Customer.objects.filter(channel=channel).exists()


@pytest.mark.parametrize(
    "half", [{"new_unsubscribe_email": True}, {"new_unsubscribe_texting": False}]
)
def test_R_I7a_one_choice_alone_is_refused(channel, owner, half):
    with pytest.raises(refusals.ImportRefused) as caught:
        configured(channel, owner, "memberId\nM1\n", **half)
    assert caught.value.message == lifecycle.NEW_OPT_OUTS_HALF
    assert Import.objects.get().kind == ""


def test_R_I7a_the_choice_is_recorded_in_the_activity_log(channel, owner):
    imp = configured(channel, owner, "memberId,Shoe\nM1,1\n", skip=["Shoe"], tag="t", **CHOICE)
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    entry = Entry.objects.get(category=Entry.Category.BULK_IMPORT, import_id=imp.id)
    assert entry.actor == owner
    assert entry.details == {
        "by": "owner@example.com",
        "file": "customers.csv",
        "kind": "member",
        "identifier": "",
        "emptyCells": "keep",
        "tag": "t",
        "newCustomerOptOuts": {"unsubscribeEmail": False, "unsubscribeTexting": True},
        "mapping": {"memberId": "memberId"},
    }


def test_R_I7a_the_activity_log_records_no_choice_as_null(channel, owner):
    imp = configured(channel, owner, f"memberId,{OPT}\nM1,true,true\n")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    entry = Entry.objects.get(category=Entry.Category.BULK_IMPORT, import_id=imp.id)
    assert entry.details["newCustomerOptOuts"] is None


def test_R_I7a_R_U5_a_new_lead_unified_at_once_gives_a_member_no_chosen_value(channel, owner):
    member = CustomerFactory(
        channel=channel, member_id="M1", email="ann@example.com", unsubscribe_email=None
    )
    text = "mobileNumber,email,unsubscribeTexting\n+821020203030,ann@example.com,false\n"
    imp = configured(channel, owner, text, kind="lead", identifier="mobile", **CHOICE)
    imp = run(imp, owner)
    assert (imp.created_count, imp.updated_count, imp.unified_count) == (0, 1, 1)
    member.refresh_from_db()
    assert member.mobile_number == "+821020203030"
    assert (member.unsubscribe_email, member.unsubscribe_texting) == (None, False)


def test_R_I7a_R_U5_a_new_member_takes_an_absorbed_leads_opt_out_over_the_choice(channel, owner):
    CustomerFactory(
        channel=channel, email="ann@example.com", unsubscribe_email=True, has_booted=False
    )
    imp = run(configured(channel, owner, "memberId,email\nM1,ann@example.com\n", **CHOICE), owner)
    assert (imp.created_count, imp.unified_count) == (1, 1)
    assert opt_outs(channel, member_id="M1") == (True, True)


COUNTERS = ("created", "updated", "failed", "createdHidden", "unified")


@pytest.mark.parametrize("existing", [0, 3], ids=["empty-channel", "members"])
@pytest.mark.parametrize("choice", [CHOICE, {}], ids=["choice", "no-choice"])
def test_R_I7a_the_dry_run_counts_what_the_run_does(
    channel, owner, monkeypatch, settings, existing, choice
):
    for i in range(existing):
        CustomerFactory(channel=channel, member_id=f"M{i}", unsubscribe_email=None)
    rows = ["M0,,", "M1,true,", "M5,,", "M6,true,", "M7,false,true", "M5,true,", "M8,x,"]
    text = f"memberId,{OPT}\n" + "\n".join(rows) + "\n"
    imp = configured(channel, owner, text, **choice)
    settings.IMPORT_CHUNK_ROWS = 3
    light = checking.import_check(imp=imp)
    assert light == whole_check(monkeypatch, Import.objects.get(pk=imp.pk))
    done = run(Import.objects.get(pk=imp.pk), owner)
    summary = running.import_summary(done)
    assert {k: summary[k] for k in COUNTERS} == {k: light[k] for k in COUNTERS}
    assert light["failed"] >= 1 and light["created"] >= 1


# the command line


def call(*args):
    out, err = StringIO(), StringIO()
    call_command("import_customers", *[str(a) for a in args], stdout=out, stderr=err)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_R_I7a_the_command_takes_both_flags(channel, owner, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("memberId,name\nM1,Ann\n")
    flags = ["--new-unsubscribe-email", "TRUE", "--new-unsubscribe-texting", "false"]
    summary = call("acme", path, "--kind", "member", *flags)
    assert (summary["created"], summary["failed"]) == (1, 0)
    assert opt_outs(channel, member_id="M1") == (True, False)
    imp = Import.objects.get()
    assert (imp.new_unsubscribe_email, imp.new_unsubscribe_texting) == (True, False)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (
            ["--new-unsubscribe-email", "maybe", "--new-unsubscribe-texting", "false"],
            command.BAD_OPT_OUT.format(flag="new-unsubscribe-email", value="maybe"),
        ),
        (
            ["--new-unsubscribe-email", "true", "--new-unsubscribe-texting", ""],
            command.BAD_OPT_OUT.format(flag="new-unsubscribe-texting", value=""),
        ),
        (["--new-unsubscribe-texting", "true"], lifecycle.NEW_OPT_OUTS_HALF),
    ],
)
def test_R_I7a_the_command_refuses_a_bad_or_lone_flag_in_one_line(
    channel, owner, tmp_path, flags, expected
):
    path = tmp_path / "m.csv"
    path.write_text("memberId\nM1\n")
    with pytest.raises(CommandError) as caught:
        call("acme", path, "--kind", "member", *flags)
    assert str(caught.value) == expected
    assert not Import.objects.exists()
