"""Hostile and awkward files through the services and commands: refused with one line, or
imported with every row accounted for; never a crash, never a file left behind."""

import io
import json
import os
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from imports import checking, lifecycle, running, selectors
from imports.models import Import
from imports.refusals import ImportRefused

OPT = "unsubscribeEmail,unsubscribeTexting"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def upload(channel, by, data: bytes, encoding=None):
    return lifecycle.import_upload(
        channel=channel,
        by=by,
        file=ContentFile(data, name="customers.csv"),
        file_name="customers.csv",
        encoding=encoding,
    )


# R-I22: BOM-less UTF-16, encodings that fail


def test_R_I22_utf16_without_bom_imports_with_or_without_encoding(channel, owner, media):
    data = f"memberId,name,{OPT}\r\nM1,김민수,false,false\r\n".encode("utf-16-le")
    for encoding in (None, "utf-16"):
        imp = upload(channel, owner, data, encoding)
        assert imp.encoding == "utf-16-le"
        lifecycle.import_configure(imp=imp, by=owner, kind="member")
        assert checking.import_check(imp=imp)["created"] == 1
        lifecycle.import_discard(imp=imp)


def test_R_I22_a_refused_upload_leaves_no_file_and_no_import(channel, owner, media, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(f"memberId,{OPT}\nM1,false,false\n".encode())
    for encoding in ("utf-32", "hex"):
        with pytest.raises(CommandError) as caught:
            call_command(
                "import_customers", channel.slug, str(path), "--kind", "member",
                "--encoding", encoding, stdout=StringIO(), stderr=StringIO(),
            )  # fmt: skip
        assert "\n" not in str(caught.value)
    assert stored_files(media) == [] and not Import.objects.exists()


def test_R_I22_an_unexpected_reading_error_leaves_no_file(channel, owner, media, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(selectors, "open_table", broken)
    with pytest.raises(RuntimeError):
        upload(channel, owner, b"memberId\nM1\n")
    assert stored_files(media) == [] and not Import.objects.exists()
    monkeypatch.undo()
    with pytest.raises(ImportRefused):
        upload(channel, owner, b"memberId\nM1\n", encoding="no-such-codec")
    assert stored_files(media) == []


# R-I14: NUL bytes


@pytest.mark.parametrize("at_row", [3, 40_000], ids=["first-MiB", "after-the-first-MiB"])
def test_R_I14_a_nul_byte_fails_its_row_alike_in_the_dry_run_and_the_run(
    channel, owner, media, at_row
):
    lines = [f"memberId,name,{OPT}"]
    lines += [f"M{n},Customer number {n},false,false" for n in range(2, 50_000)]
    lines[at_row - 1] = f"M{at_row},Kim\x00Minsu,false,false"
    data = ("\n".join(lines) + "\n").encode()
    assert (data.index(b"\x00") > 1024 * 1024) == (at_row > 1000)
    imp = upload(channel, owner, data)
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    report = checking.import_check(imp=imp)
    assert (report["created"], report["failed"]) == (49_997, 1)
    assert report["reasons"][0]["rows"] == [at_row]
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    imp = running.import_run(import_id=imp.id)
    assert imp.status == Import.Status.SUCCEEDED, imp.error_message
    assert (imp.created_count, imp.failed_count) == (49_997, 1)
    failure = imp.failures.get()
    assert (failure.row_number, failure.values["name"]) == (at_row, "Kim\ufffdMinsu")


def test_R_I14_an_import_that_stops_with_an_error_exits_non_zero(
    channel, owner, media, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(running, "_plan_chunk", broken)
    path = tmp_path / "customers.csv"
    path.write_text(f"memberId,{OPT}\nM1,false,false\n")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_customers", channel.slug, str(path), "--kind", "member",
            stdout=out, stderr=StringIO(),
        )  # fmt: skip
    assert str(caught.value).startswith("The import stopped at row 2")
    assert '"status": "failed"' in out.getvalue().splitlines()[-1]


# small things users see


def test_R_I11_a_dry_run_keeps_nothing_but_its_report(channel, owner, media, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(f"memberId,{OPT}\nM1,false,false\nM2,maybe,false\n")
    out, err = StringIO(), StringIO()
    call_command(
        "import_customers", channel.slug, str(path), "--kind", "member", "--dry-run",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert '"import": null, "status": "dry-run", "created": 1' in out.getvalue()
    assert err.getvalue().startswith("1 row: unsubscribeEmail: ")
    assert err.getvalue().rstrip().endswith("(row 3)")
    assert not Import.objects.exists() and stored_files(media) == []


def _xlsx_without_styles() -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Customers")
    sheet.append(["memberId", "unsubscribeEmail", "unsubscribeTexting"])
    sheet.append(["M1", "false", "false"])
    written = io.BytesIO()
    book.save(written)
    stripped = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if info.filename != "xl/styles.xml":
                target.writestr(info, source.read(info))
    return stripped.getvalue()


def test_the_commands_print_no_warning_and_no_broken_pipe_in_a_real_process(tmp_path):
    """openpyxl's warnings stay out of standard error; `export_customers | head` ends quietly."""
    root = Path(__file__).resolve().parents[2]
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    command = [sys.executable, str(root / "manage.py")]

    def manage(*args):
        return subprocess.run(
            [*command, *map(str, args)],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert manage("migrate", "-v0").returncode == 0
    setup = "from contacts.channels import channel_create as c; c(slug='acme', name='Acme', owner_email='o@example.com')"  # noqa: E501
    assert manage("shell", "-c", setup).returncode == 0
    workbook = tmp_path / "no-styles.xlsx"
    workbook.write_bytes(_xlsx_without_styles())
    done = manage("import_customers", "acme", workbook, "--kind", "member")
    assert (done.returncode, done.stderr) == (0, "")
    many = tmp_path / "many.csv"
    many.write_text(f"memberId,{OPT}\n" + "".join(f"M{n},false,false\n" for n in range(3000)))
    assert manage("import_customers", "acme", many, "--kind", "member").returncode == 0
    export = subprocess.Popen(
        [*command, "export_customers", "acme"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert json.loads(export.stdout.readline())["memberId"] == "M1"
    export.stdout.close()  # as `head -1` does
    _, stderr = export.communicate(timeout=120)
    assert export.returncode == 0 and stderr == b""


# R-I17: a workbook is opened once per import stage


def test_R_I17_the_check_and_the_run_each_open_the_file_once(channel, owner, media, monkeypatch):
    opened = []
    real_open = selectors.open_table

    def counting_open(*args, **kwargs):
        opened.append(1)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(selectors, "open_table", counting_open)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Customers")
    sheet.append(["memberId", "unsubscribeEmail", "unsubscribeTexting"])
    sheet.append(["M1", "false", "false"])
    sheet.append(["M2", "maybe", "false"])
    data = io.BytesIO()
    book.save(data)
    imp = upload(channel, owner, data.getvalue())
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    opened.clear()
    keys = []
    checking.import_check(imp=imp, progress=lambda done, total: None, on_keys=keys.extend)
    assert (len(opened), keys) == (1, ["memberId", "unsubscribeEmail", "unsubscribeTexting"])
    Import.objects.filter(pk=imp.pk).update(total_rows=0)
    imp.refresh_from_db()
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    opened.clear()
    imp = running.import_run(import_id=imp.id)
    assert (imp.created_count, imp.failed_count, imp.total_rows) == (1, 1, 2)
    assert imp.failures_file and len(opened) == 1
