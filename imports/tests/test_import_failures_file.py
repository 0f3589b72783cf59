"""The failed-rows workbook (R-I14): its columns, its values, its 30 days and its re-upload."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from contacts.models import Customer
from contacts.services import profile_key_add
from imports import lifecycle, running
from imports.engine.failures import write_failures
from imports.models import Import

OPT = "unsubscribeEmail,unsubscribeTexting"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(channel, by, data: bytes, name: str):
    imp = lifecycle.import_upload(
        channel=channel, by=by, file=ContentFile(data, name=name), file_name=name
    )
    lifecycle.import_configure(imp=imp, by=by, kind="member", tag="t")
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


def _rows(field_file):
    with field_file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    return list(book.active.iter_rows(values_only=True))


def test_R_I14_the_failed_rows_file_lists_only_failed_rows_with_their_values(channel, owner):
    profile_key_add(channel=channel, by=owner, name="visits", type="number")
    profile_key_add(channel=channel, by=owner, name="birthday", type="date")
    text = (
        f"memberId,visits,birthday,{OPT}\n"
        "M1,1.50,2025/05/04,false,false\n"
        "M2,7,2025-05-04,false,false\n"
        "M3,=1+1,,false,\n"
    )
    before = timezone.now()
    imp = _import(channel, owner, text.encode(), "members.csv")
    assert (imp.created_count, imp.failed_count) == (1, 2)
    assert imp.failures_file.name.endswith(".xlsx")
    assert (
        before + timedelta(days=30) <= imp.failures_expire_at <= timezone.now() + timedelta(days=30)
    )
    rows = _rows(imp.failures_file)
    assert rows[0] == (
        "rowNumber", "errorColumns", "errorReasons",
        "memberId", "visits", "birthday", "unsubscribeEmail", "unsubscribeTexting",
    )  # fmt: skip
    # Parsed values are written back in their canonical form (1.50 -> 1.5), others as typed.
    assert rows[1][:3] == (2, "birthday", "Use YYYY-MM-DD, e.g. 2025-05-04")
    assert rows[1][3:] == ("M1", "1.5", "2025/05/04", "false", "false")
    assert rows[2][:2] == (4, "visits")
    assert rows[2][3:5] == ("M3", "=1+1")
    assert len(rows) == 3


def test_R_I14_the_failed_rows_file_uploads_again_as_it_is(channel, owner):
    text = f"memberId,name,{OPT}\nM1,Ann,maybe,false\nM2,Bob,true,false\n"
    first = _import(channel, owner, text.encode(), "members.csv")
    rows = _rows(first.failures_file)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(["true" if cell == "maybe" else cell for cell in row])
    fixed = io.BytesIO()
    book.save(fixed)
    again = _import(channel, owner, fixed.getvalue(), "members-failed.xlsx")
    assert again.status == Import.Status.SUCCEEDED
    assert (again.created_count, again.failed_count) == (1, 0)
    assert Customer.objects.get(member_id="M1").unsubscribe_email is True


def test_the_workbook_writes_text_cells_not_formulas():
    target = io.BytesIO()
    write_failures(target, ["name"], [(2, ["name"], ["bad"], {"name": "=HYPERLINK(1)\x01"})])
    target.seek(0)
    sheet = openpyxl.load_workbook(target).active
    assert sheet["D2"].value == "=HYPERLINK(1)\ufffd"
    assert sheet["D2"].data_type == "s"


def test_R_I14_cells_that_start_like_a_formula_carry_the_quote_prefix():
    values = {
        "a": "=HYPERLINK(1)",
        "b": "+1",
        "c": "-1",
        "d": "@SUM(1)",
        "e": "\t=1+1",
        "f": "\r=1",
        "g": "plain",
        "h": "1=1",
    }
    target = io.BytesIO()
    write_failures(target, list(values), [(2, ["a"], ["bad"], values)])
    target.seek(0)
    sheet = openpyxl.load_workbook(target).active
    cells = {sheet.cell(1, column).value: sheet.cell(2, column) for column in range(4, 12)}
    # XML reads a carriage return back as a line feed; every other value is byte-identical.
    assert {key: cell.value for key, cell in cells.items()} == values | {"f": "\n=1"}
    prefixed = {key for key, cell in cells.items() if cell.quotePrefix}
    assert prefixed == {"a", "b", "c", "d", "e", "f"}


def test_R_I14_a_tabbed_formula_comes_back_byte_identical_through_the_failed_rows_file(
    channel, owner
):
    """OWASP's tab-prefixed formula keeps its tab on import, in the file and on re-upload."""
    text = f"memberId,name,{OPT}\nM1,\t=1+1,maybe,false\n"
    first = _import(channel, owner, text.encode(), "members.csv")
    assert first.failed_count == 1
    with first.failures_file.open("rb") as handle:
        data = handle.read()
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["E2"]
    assert (cell.value, cell.quotePrefix) == ("\t=1+1", True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active["F2"].value = "true"
    fixed = io.BytesIO()
    book.save(fixed)
    again = _import(channel, owner, fixed.getvalue(), "members-failed.xlsx")
    assert (again.created_count, again.failed_count) == (1, 0)
    assert Customer.objects.get(member_id="M1").name == "\t=1+1"
