"""Editable export (R-E1): its columns and values, the round trip through an import, the command."""

import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from contacts.models import Customer
from imports import exports, lifecycle, running, selectors
from imports.engine import mapping
from imports.engine.export_files import CSV, XLSX
from imports.exports import editable_export
from imports.management.commands import export_customers as command
from imports.models import Import
from imports.resources import EditableCustomerResource
from imports.tests.export_support import (
    FORMULA_NAME,
    MEMBER_HEADERS,
    awkward_channel,
    customers_json,
    file_rows,
    sheet_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def customers(channel):
    return awkward_channel(channel)


def export_bytes(channel, kind="member", identifier=None, file_format=XLSX, **options) -> bytes:
    export = editable_export(
        channel=channel, kind=kind, identifier=identifier, file_format=file_format, **options
    )
    return b"".join(export.chunks)


def import_file(channel, by, data: bytes, name: str, kind: str, identifier: str = "") -> Import:
    """Import a file as it is, through the services the wizard calls."""
    imp = lifecycle.import_upload(
        channel=channel, by=by, file=ContentFile(data, name=name), file_name=name
    )
    lifecycle.import_configure(imp=imp, by=by, kind=kind, identifier=identifier or None)
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


def test_R_E1_a_member_file_has_memberId_first_then_every_editable_key(channel, customers):
    rows = file_rows(export_bytes(channel))

    assert rows[0] == MEMBER_HEADERS
    full = dict(zip(rows[0], rows[1], strict=True))
    assert full == {
        "memberId": "M1",
        "name": FORMULA_NAME,
        "email": "kim@example.com",
        "mobileNumber": "+821020203030",
        "landlineNumber": "+8225556666",
        "unsubscribeEmail": "true",
        "unsubscribeTexting": "false",
        "birthday": "2025-05-04",
        "fax": "+14155550123",
        "interests": '["=cmd", "b, c", "김치"]',
        "note": '-- 김민지 님, "VIP"\nsecond line',
        "points": "-12.5",
        "scores": "[1, -2.5, 0.1]",
        "segments": '["vip", "basic/level1"]',
        "visitedAt": "2025-05-04T00:00:00.000Z",
        "vip": "false",
    }
    assert dict(zip(rows[0], rows[2], strict=True)) == dict.fromkeys(MEMBER_HEADERS, "") | {
        "memberId": "M2"
    }


def test_R_E1_the_streamed_rows_are_what_django_import_export_exports(channel, customers):
    resource = EditableCustomerResource(
        kind="member", identifier=None, custom_keys=selectors.custom_keys(channel)
    )
    rows = list(
        Customer.objects.filter(channel=channel, member_id__isnull=False)
        .order_by("id")
        .values_list(*resource.value_fields)
    )

    assert resource.get_export_headers() == MEMBER_HEADERS
    assert list(resource.export_rows(rows)) == [resource.export_resource(row) for row in rows]


def test_R_E1_the_file_holds_hidden_and_blocked_members_but_no_lead(channel, customers):
    member_ids = [row[0] for row in file_rows(export_bytes(channel, file_format=CSV))[1:]]

    assert member_ids == ["M1", "M2", "@home", "-007", "M-hidden", "M-blocked"]


@pytest.mark.parametrize(
    ("identifier", "first_column", "names"),
    [("email", "email", ["Lee"]), ("mobile", "mobileNumber", ["Lee", "Park"])],
)
def test_R_E1_a_lead_file_starts_with_its_identifier_and_leaves_out_leads_without_it(
    channel, customers, identifier, first_column, names
):
    rows = file_rows(export_bytes(channel, kind="lead", identifier=identifier))

    assert rows[0][0] == first_column
    assert "memberId" not in rows[0]
    assert [row[rows[0].index("name")] for row in rows[1:]] == names


def test_R_E1_a_file_of_one_import_tag(channel, customers):
    rows = file_rows(export_bytes(channel, tag="spring"))

    assert [row[0] for row in rows[1:]] == ["M1"]


def test_R_E1_xlsx_cells_are_text_and_the_formula_like_ones_are_quote_prefixed(channel, customers):
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(channel))).worksheets[0]

    assert (sheet["B2"].value, sheet["A4"].value) == (FORMULA_NAME, "@home")
    assert sheet["B2"].quotePrefix and sheet["D2"].quotePrefix and sheet["A4"].quotePrefix
    assert not sheet["A2"].quotePrefix and sheet["A2"].number_format == "@"


def test_R_E1_csv_guards_formula_like_cells_with_an_apostrophe(channel, customers):
    text = export_bytes(channel, file_format=CSV).decode("utf-8-sig")

    lines = text.split("\r\n")
    assert lines[0] == ",".join(MEMBER_HEADERS)
    assert lines[1].startswith('M1,"\'=HYPERLINK(""http')
    assert ",'+821020203030,'+8225556666," in lines[1]
    assert lines[3].startswith("'@home,O'Brien,")
    assert lines[4].startswith("'-007,'+1 not a phone,")


@pytest.mark.parametrize("file_format", [XLSX, CSV])
@pytest.mark.parametrize(
    ("kind", "identifier", "rows"), [("member", "", 6), ("lead", "email", 1), ("lead", "mobile", 2)]
)
def test_R_E1_an_exported_file_imported_as_it_is_changes_nothing(
    channel, owner, customers, file_format, kind, identifier, rows
):
    before = customers_json("acme")
    exported = editable_export(
        channel=channel, kind=kind, identifier=identifier or None, file_format=file_format
    )
    first = b"".join(exported.chunks)

    imp = import_file(channel, owner, first, exported.file_name, kind, identifier)

    assert imp.status == Import.Status.SUCCEEDED, imp.error
    assert (imp.created_count, imp.updated_count, imp.failed_count) == (0, rows, 0)
    assert export_bytes(channel, kind, identifier or None, file_format) == first
    after = customers_json("acme")
    tagged = {c["id"] for c in after if imp.tag in c["userImportTag"]}
    assert len(tagged) == rows
    for old, new in zip(before, after, strict=True):
        added = [imp.tag] if new["id"] in tagged else []
        assert new["userImportTag"] == old["userImportTag"] + added
        for volatile in ("updatedAt", "userImportTag"):
            old.pop(volatile), new.pop(volatile)
        assert new == old


def test_R_E1_a_channel_too_big_for_one_sheet_is_refused_for_xlsx_only(
    channel, customers, monkeypatch
):
    monkeypatch.setattr(exports, "MAX_ROWS", 6)

    with pytest.raises(ValueError) as caught:
        editable_export(channel=channel, kind="member", file_format=XLSX)

    assert str(caught.value) == exports.TOO_MANY_FOR_XLSX.format(count=6, limit=5)
    assert export_bytes(channel, file_format=CSV)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "visitor"}, mapping.KIND_UNKNOWN),
        ({"kind": "lead", "identifier": "phone"}, mapping.IDENTIFIER_UNKNOWN),
        ({"kind": "member", "identifier": "email"}, mapping.IDENTIFIER_FOR_MEMBERS),
        ({"kind": "member", "file_format": "ods"}, "Choose the file format: xlsx or csv."),
    ],
)
def test_an_export_of_an_unknown_kind_or_format_is_refused(channel, options, message):
    with pytest.raises(ValueError) as caught:
        editable_export(channel=channel, **({"file_format": XLSX} | options))

    assert str(caught.value) == message


# manage.py export_customers


def test_R_E1_the_command_writes_an_editable_file_and_reports_it(channel, customers, tmp_path):
    target = tmp_path / "leads.csv"
    out = StringIO()

    call_command(
        "export_customers", "acme", "--format", "csv", "--editable", "--kind", "lead",
        "--identifier", "mobile", "--output", str(target), stdout=out,
    )  # fmt: skip

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary == {
        "format": "csv", "kind": "lead", "identifier": "mobile", "rows": 2, "output": str(target),
    }  # fmt: skip
    assert target.read_bytes() == export_bytes(channel, "lead", "mobile", CSV)


def test_R_E1_the_command_writes_xlsx_of_one_tag(channel, customers, tmp_path):
    target = tmp_path / "spring.xlsx"

    call_command(
        "export_customers", "acme", "--format", "xlsx", "--editable", "--tag", "spring",
        "--output", str(target), stdout=StringIO(),
    )  # fmt: skip

    assert [row[0] for row in sheet_rows(target.read_bytes())] == ["memberId", "M1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv"], command.EDITABLE_NEEDED),
        (["--format", "ods", "--editable"], command.FORMAT_UNKNOWN),
        (["--tag", "spring"], command.EDITABLE_OPTIONS),
        (["--editable"], command.EDITABLE_OPTIONS),
        (["--format", "csv", "--editable", "--kind", "visitor"], mapping.KIND_UNKNOWN),
    ],
)
def test_the_command_refuses_what_it_cannot_export(channel, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("export_customers", "acme", *args, stdout=StringIO())

    assert str(caught.value) == message
    assert Customer.objects.count() == 0
