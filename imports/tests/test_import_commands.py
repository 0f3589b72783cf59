"""The command-line contract: import_customers, run_import, stop_import, export_customers,
purge_import_files."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.models import Channel, Customer
from imports import lifecycle, refusals, running
from imports.engine import mapping as mapping_engine
from imports.engine.parsing import MEMBER_ID_EMPTY
from imports.management.commands import _foreground as foreground
from imports.management.commands import import_customers as command
from imports.models import Import
from tests.factories import CustomerFactory

OPT = "unsubscribeEmail,unsubscribeTexting"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def write(tmp_path, name, *lines, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def run(*args):
    """Run a command; return (last JSON line of stdout, whole stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(*[str(a) for a in args], stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    return json.loads(lines[-1]), out.getvalue(), err.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_import_customers_runs_in_the_foreground_and_prints_the_summary_last(
    channel, owner, tmp_path
):
    path = write(tmp_path, "spring.csv", f"memberId,name,{OPT}", "M1,Ann,false,false", ",x,,")
    summary, _, _ = run("import_customers", "acme", path, "--kind", "member")
    imp = Import.objects.get()
    assert summary == {
        "import": imp.pk, "status": "succeeded", "created": 1, "updated": 0, "failed": 1,
        "createdHidden": 0, "unified": 0, "pendingUnification": 0, "conflicts": 0,
    }  # fmt: skip
    assert imp.started_by == owner
    assert Customer.objects.get(member_id="M1").import_tags == ["spring"]


def test_import_customers_maps_skips_creates_keys_and_tags(channel, owner, editor, tmp_path):
    path = write(
        tmp_path,
        "leads.csv",
        f"E-mail,Phone,Shoe,Notes,{OPT}",
        "ann@example.com,+82 10-2020-3030,42,hi,false,true",
    )
    summary, _, _ = run(
        "import_customers", "acme", path, "--kind", "lead", "--identifier", "email",
        "--map", "E-mail=email", "--map", "Phone=mobileNumber", "--map", "Shoe=shoe",
        "--new-key", "shoe:number", "--skip", "Notes", "--tag", "fair",
        "--by", "editor@example.com", "--empty-cells", "clear",
    )  # fmt: skip
    assert summary["created"] == 1
    lead = Customer.objects.get()
    assert (lead.email, lead.mobile_number, lead.profile, lead.import_tags) == (
        "ann@example.com", "+821020203030", {"shoe": 42}, ["fair"],
    )  # fmt: skip
    imp = Import.objects.get()
    assert (imp.started_by, imp.empty_cells, imp.identifier) == (editor, "clear", "email")


def test_import_customers_refuses_unmatched_columns_listing_them(channel, owner, tmp_path):
    path = write(tmp_path, "m.csv", "memberId,Shoe,Hat,Cell Phone", "M1,1,2,")
    message = refused("import_customers", "acme", path, "--kind", "member")
    assert message == mapping_engine.UNMATCHED_COLUMNS.format(
        columns='"Shoe", "Hat", "Cell Phone"',
        options='--skip "Shoe" --skip "Hat" --map "Cell Phone=mobileNumber"',
    )
    assert not Import.objects.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nope", "FILE", "--kind", "member"], command.UNKNOWN_CHANNEL.format(slug="nope")),
        (
            ["acme", "FILE", "--kind", "member", "--by", "x@y.z"],
            command.UNKNOWN_MANAGER.format(email="x@y.z"),
        ),
        (["acme", "FILE", "--kind", "both"], mapping_engine.KIND_UNKNOWN),
        (["acme", "FILE", "--kind", "lead"], mapping_engine.IDENTIFIER_UNKNOWN),
        (
            ["acme", "FILE", "--kind", "member", "--map", "memberId"],
            command.BAD_MAP.format(value="memberId"),
        ),
        (
            ["acme", "FILE", "--kind", "member", "--empty-cells", "wipe"],
            lifecycle.EMPTY_CELLS_UNKNOWN,
        ),
    ],
)
def test_import_customers_refusals_exit_with_one_line(channel, owner, tmp_path, args, expected):
    path = write(tmp_path, "m.csv", "memberId", "M1")
    args = [str(path) if a == "FILE" else a for a in args]
    assert refused("import_customers", *args) == expected


def test_import_customers_refuses_a_manager_without_edit_permission(
    channel, owner, viewer, tmp_path
):
    path = write(tmp_path, "m.csv", "memberId", "M1")
    message = refused("import_customers", "acme", path, "--kind", "member", "--by", viewer.email)
    assert message == refusals.NO_EDIT_PERMISSION


def test_import_customers_refuses_a_missing_or_unreadable_file(channel, owner, tmp_path):
    missing = tmp_path / "nope.csv"
    assert refused(
        "import_customers", "acme", missing, "--kind", "member"
    ) == command.FILE_NOT_FOUND.format(path=missing)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "The file is empty" in refused("import_customers", "acme", empty, "--kind", "member")


def test_R_I16_import_customers_refuses_while_another_import_runs(channel, owner, tmp_path):
    path = write(tmp_path, "m.csv", "memberId", "M1")
    summary, _, _ = run("import_customers", "acme", path, "--kind", "member", "--queue")
    assert summary["status"] == "queued"
    message = refused("import_customers", "acme", path, "--kind", "member")
    assert message.startswith(
        f'Another import is queued in this channel: #{summary["import"]} "m.csv", started by '
        "owner@example.com"
    )
    assert message.endswith(" " + foreground.ACTIVE_HINT.format(id=summary["import"]))
    assert Import.objects.count() == 1
    summary, _, _ = run("run_import", summary["import"])
    assert summary["status"] == "succeeded"


def test_R_I11_dry_run_prints_the_plan_and_writes_nothing(channel, owner, tmp_path):
    CustomerFactory(channel=channel, member_id="M1")
    path = write(tmp_path, "m.csv", f"memberId,name,{OPT}", "M1,a,,", "M2,b,false,false", ",c,,")
    out_path = tmp_path / "would-fail.xlsx"
    summary, _, err = run(
        "import_customers",
        "acme",
        path,
        "--kind",
        "member",
        "--dry-run",
        "--failures-out",
        out_path,
    )
    assert summary | {"import": 0} == {
        "import": 0, "status": "dry-run", "created": 1, "updated": 1, "failed": 1,
        "createdHidden": 0, "unified": 0, "pendingUnification": 0, "conflicts": 0,
    }  # fmt: skip
    assert Customer.objects.count() == 1
    assert f"1 row: memberId: {MEMBER_ID_EMPTY} (row 4)" in err
    rows = list(openpyxl.load_workbook(out_path).active.iter_rows(values_only=True))
    assert rows == [
        (
            "rowNumber",
            "errorColumns",
            "errorReasons",
            "memberId",
            "name",
            "unsubscribeEmail",
            "unsubscribeTexting",
        ),
        (4, "memberId", MEMBER_ID_EMPTY, None, "c", None, None),
    ]


def test_R_I14_failures_out_writes_the_failed_rows_of_a_run(channel, owner, tmp_path):
    path = write(tmp_path, "m.csv", f"memberId,{OPT}", "M1,maybe,false")
    out_path = tmp_path / "failed.xlsx"
    summary, _, _ = run(
        "import_customers", "acme", path, "--kind", "member", "--failures-out", out_path
    )
    assert summary["failed"] == 1
    rows = list(openpyxl.load_workbook(out_path).active.iter_rows(values_only=True))
    assert rows[1][:4] == (2, "unsubscribeEmail", "Use true/false, yes/no, y/n or 1/0", "M1")


def test_R_M3_import_customers_reports_customers_created_hidden(channel, owner, tmp_path):
    Channel.objects.filter(pk=channel.pk).update(mu_limit=1)
    path = write(tmp_path, "m.csv", f"memberId,{OPT}", "M1,false,false", "M2,false,false")
    summary, _, _ = run("import_customers", "acme", path, "--kind", "member")
    assert (summary["created"], summary["createdHidden"]) == (2, 1)


def test_run_import_resumes_a_running_import(channel, owner, tmp_path):
    path = write(tmp_path, "m.csv", f"memberId,{OPT}", "M1,false,false", "M2,false,false")
    summary, _, _ = run("import_customers", "acme", path, "--kind", "member", "--queue")
    # Its runner is gone: the heartbeat was cleared, as an interrupted command leaves it.
    Import.objects.filter(pk=summary["import"]).update(status="running", heartbeat_at=None)
    summary, _, _ = run("run_import", summary["import"])
    assert (summary["status"], summary["created"]) == ("succeeded", 2)
    with pytest.raises(CommandError) as caught:
        run("run_import", 999)
    assert str(caught.value) == "There is no import #999."


def test_run_import_is_refused_while_another_process_runs_the_import(
    channel, owner, tmp_path, settings
):
    path = write(tmp_path, "m.csv", f"memberId,{OPT}", "M1,false,false")
    summary, _, _ = run("import_customers", "acme", path, "--kind", "member", "--queue")
    beat = timezone.now()
    Import.objects.filter(pk=summary["import"]).update(
        status="running", heartbeat_at=beat, total_rows=1
    )
    assert refused("run_import", summary["import"]) == foreground.RUNNING_ELSEWHERE.format(
        id=summary["import"],
        done="0",
        total="1",
        beat=beat.strftime("%Y-%m-%d %H:%M:%S"),
        stale=settings.IMPORT_STALE_SECONDS,
    )
    assert Import.objects.get(pk=summary["import"]).rows_done == 0


def test_stop_import_ends_a_queued_or_stalled_import_and_asks_a_running_one(
    channel, owner, tmp_path
):
    from imports.management.commands import stop_import

    path = write(tmp_path, "m.csv", f"memberId,{OPT}", "M1,false,false")
    summary, _, _ = run("import_customers", "acme", path, "--kind", "member", "--queue")
    imp = Import.objects.get(pk=summary["import"])
    Import.objects.filter(pk=imp.pk).update(status="running", heartbeat_at=timezone.now())
    summary, _, err = run("stop_import", imp.pk)
    assert summary["status"] == "running"
    assert err.strip() == stop_import.STOPPING.format(id=imp.pk)
    assert Import.objects.get(pk=imp.pk).stop_requested_at is not None
    Import.objects.filter(pk=imp.pk).update(heartbeat_at=None)  # its runner is gone
    summary, _, err = run("stop_import", imp.pk, "--by", owner.email)
    assert summary["status"] == "stopped"
    assert err.strip() == stop_import.STOPPED.format(id=imp.pk, done="0", total="0")
    assert refused("stop_import", imp.pk) == running.IMPORT_NOT_ACTIVE
    assert refused("stop_import", 999) == "There is no import #999."


def test_export_customers_streams_every_customer_as_json_lines(channel, owner, tmp_path):
    seen = timezone.now() - timedelta(days=1)
    CustomerFactory(
        channel=channel, member_id="M1", name="Ann", email="a@example.com", last_seen_at=seen,
        profile={"z": 1, "a": ["x"]}, import_tags=["t1", "t2"], is_hidden=True,
    )  # fmt: skip
    CustomerFactory(
        channel=channel, name="", email=None, mobile_number="+821020203030", is_blocked=True,
        last_seen_at=None,
    )  # fmt: skip
    CustomerFactory(channel=Channel.objects.create(slug="other", name="Other"), member_id="X")
    out = StringIO()
    call_command("export_customers", "acme", "--format", "jsonl", stdout=out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert list(first) == [
        "id", "type", "memberId", "name", "email", "mobileNumber", "landlineNumber",
        "emailVerified", "mobileVerified", "unsubscribeEmail", "unsubscribeTexting",
        "userImportTag", "createdAt", "updatedAt", "lastSeenAt", "isHidden", "isBlocked", "profile",
    ]  # fmt: skip
    assert first["type"] == "member" and first["isHidden"] is True
    assert first["profile"] == {"a": ["x"], "z": 1} and list(first["profile"]) == ["a", "z"]
    assert first["userImportTag"] == ["t1", "t2"]
    assert first["lastSeenAt"].endswith("Z") and first["lastSeenAt"][:19] == seen.strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    assert second["type"] == "lead" and second["name"] is None and second["lastSeenAt"] is None
    assert second["isBlocked"] is True and second["mobileNumber"] == "+821020203030"
    target = tmp_path / "out.jsonl"
    call_command("export_customers", "acme", "--output", str(target))
    assert target.read_text().splitlines() == out.getvalue().splitlines()
    with pytest.raises(CommandError):
        call_command("export_customers", "acme", "--format", "csv")


def test_E1_export_and_import_round_trip_changes_nothing(channel, owner, tmp_path):
    path = write(tmp_path, "m.csv", f"memberId,name,email,{OPT}", "M1,Ann,a@example.com,false,true")
    run("import_customers", "acme", path, "--kind", "member")
    before = Customer.objects.values().get()
    run("import_customers", "acme", path, "--kind", "member", "--tag", "m")
    assert Customer.objects.values().get() | {"last_import_id": None} == before | {
        "last_import_id": None
    }


def test_purge_import_files_deletes_expired_files(channel, owner, tmp_path):
    path = write(tmp_path, "m.csv", f"memberId,{OPT}", "M1,bad,false")
    summary, _, _ = run("import_customers", "acme", path, "--kind", "member")
    imp = Import.objects.get(pk=summary["import"])
    assert imp.failures_file and imp.failures_file.storage.exists(imp.failures_file.name)
    out = StringIO()
    call_command("purge_import_files", stdout=out)
    assert out.getvalue().strip() == "Deleted 0 failed-rows files and 0 uploaded files."
    Import.objects.filter(pk=imp.pk).update(
        failures_expire_at=timezone.now() - timedelta(seconds=1),
        finished_at=timezone.now() - timedelta(days=31),
    )
    call_command("purge_import_files", stdout=out)
    assert out.getvalue().strip().endswith("Deleted 1 failed-rows files and 1 uploaded files.")
    assert not imp.failures_file.storage.exists(imp.failures_file.name)
    assert not imp.file.storage.exists(imp.file.name)
    imp.refresh_from_db()
    assert (imp.failures_file.name, imp.file.name) == ("", "")


def test_the_command_line_contract_in_a_real_process(tmp_path):
    """Exit 0 and a JSON last line when the import runs; exit 1 and one stderr line if refused."""
    root = Path(__file__).resolve().parents[2]
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, str(root / "manage.py"), *map(str, args)],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert manage("migrate", "-v0").returncode == 0
    setup = "from contacts.channels import channel_create as c; c(slug='acme', name='Acme', owner_email='o@example.com')"  # noqa: E501
    assert manage("shell", "-c", setup).returncode == 0
    path = write(tmp_path, "m.csv", f"memberId,name,{OPT}", "M1,Ann,false,false", ",x,,")

    done = manage("import_customers", "acme", path, "--kind", "member")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["status"], summary["created"], summary["failed"]) == ("succeeded", 1, 1)

    refused = manage("import_customers", "acme", path, "--kind", "lead")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"CommandError: {mapping_engine.IDENTIFIER_UNKNOWN}"
    ]

    exported = manage("export_customers", "acme", "--format", "jsonl")
    assert [json.loads(line)["memberId"] for line in exported.stdout.splitlines()] == ["M1"]


def test_an_unexpected_error_in_the_command_leaves_no_draft_behind(
    channel, owner, tmp_path, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("storage went away")

    monkeypatch.setattr(lifecycle, "import_configure", broken)
    path = write(tmp_path, "spring.csv", f"memberId,{OPT}", "M1,false,false")
    with pytest.raises(RuntimeError):
        run("import_customers", "acme", path, "--kind", "member")
    assert not Import.objects.exists()
