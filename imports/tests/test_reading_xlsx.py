"""Reading .xlsx uploads: typed cells, the first sheet, resuming, the files refused (R-I4). Pure."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from imports.engine import workbook
from imports.engine.reading import (
    FILE_NO_DATA_ROWS,
    RAGGED_ROW_LONG,
    XLSX_TOO_LARGE_EXPANDED,
    XLSX_UNREADABLE,
    open_table,
)
from imports.tests.reading_support import fixture, read_all, refusal

# .xlsx (R-I4 Ours: .xlsx uploads are accepted as well as CSV)


TYPES_ROWS = [
    (
        2,
        [
            "M1",
            "김민수",
            "821020203030",
            "1500",
            "2025-05-04",
            "2025-05-04T09:00:00",
            "true",
            "0.3",
        ],
        None,
    ),
    (
        3,
        ["M2", "Lee", "821099998880", "2.5", "2025-01-01", "2025-05-04T09:00:00", "false"]
        + ["0.0000001"],
        None,
    ),
    (5, ["M3", "", "", "3000", "", "", "", ""], None),
    (6, ["M4", "", "", "", "", "", "", ""], RAGGED_ROW_LONG.format(cells=10, columns=8)),
]


def test_R_I4_xlsx_cells_arrive_as_typed_text():
    table, rows = read_all(fixture("types.xlsx"))
    assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
    headers = ["memberId", "name", "mobileNumber", "points", "birthday", "visitedAt", "isVip"]
    assert table.headers == [*headers, "ratio"]
    # Row 4 is missing and row 7 holds only styled empty cells; row 5 has a styled empty cell in
    # column M (beyond the header), row 6 a value in column J; the stored dimension says A1:C3.
    assert rows == TYPES_ROWS


def test_R_I4_xlsx_first_sheet_in_workbook_order_is_read():
    table, _ = read_all(fixture("types.xlsx"))
    assert "note" not in table.headers  # "Notes" is stored as sheet1.xml but listed second


def test_R_I4_xlsx_written_by_openpyxl_without_dimension():
    table, rows = read_all(fixture("openpyxl_written.xlsx"))
    assert table.headers[:3] == ["memberId", "name", "mobileNumber"]
    assert rows == [
        (2, ["M1", "김민수", "821020203030", "1990-05-04", "true", "false"], None),
        (3, ["M2", "José Müller", "821099998888", "2025-05-04T09:30:00", "false", ""], None),
    ]


def test_R_I4_xlsx_renamed_csv_is_read_as_xlsx():
    table, rows = read_all(fixture("xlsx_renamed.csv"))
    assert table.format == "xlsx"
    assert rows == TYPES_ROWS


def test_R_I4_xlsx_resume_and_preview():
    with open_table(fixture("types.xlsx")) as table:
        assert [number for number, _, _ in table.rows(start_after_row_number=3)] == [5, 6]
        assert [number for number, _, _ in table.preview(2)] == [2, 3]


def test_R_I4_xlsx_header_only_refused():
    book = Workbook()
    book.active.append(["memberId", "name"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert refusal(buffer) == FILE_NO_DATA_ROWS


def _bomb(unpacked_bytes: int) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = bytes(1024 * 1024)
            for _ in range(unpacked_bytes // len(block)):
                member.write(block)
    return buffer


def test_R_I4_xlsx_zip_bomb_refused_before_unpacking():
    bomb = _bomb(96 * 1024 * 1024)
    assert len(bomb.getvalue()) < 200_000
    assert refusal(bomb) == XLSX_TOO_LARGE_EXPANDED


def test_R_I4_xlsx_over_the_unpacked_total_refused(monkeypatch):
    monkeypatch.setattr(workbook, "XLSX_MAX_UNCOMPRESSED_BYTES", 5000)
    assert refusal(fixture("types.xlsx")) == XLSX_TOO_LARGE_EXPANDED


def test_R_I4_xlsx_part_loaded_whole_over_its_limit_refused(monkeypatch):
    # sharedStrings.xml (loaded whole) is over 300 bytes; sheets, which stream, may be larger.
    monkeypatch.setattr(workbook, "XLSX_MAX_LOADED_PART_BYTES", 300)
    assert refusal(fixture("types.xlsx")) == XLSX_TOO_LARGE_EXPANDED
    monkeypatch.setattr(workbook, "XLSX_MAX_LOADED_PART_BYTES", 1200)
    assert read_all(fixture("types.xlsx"))[1] == TYPES_ROWS


def test_R_I4_damaged_xlsx_refused():
    data = fixture("types.xlsx").read_bytes()
    assert refusal(io.BytesIO(data[: len(data) // 2])) == XLSX_UNREADABLE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not xml")
    assert refusal(buffer) == XLSX_UNREADABLE


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  as typed ", "  as typed "),
        (821020203030, "821020203030"),
        (821020203030.0, "821020203030"),
        (8.2102020303e11, "821020203030"),
        (1234567890123450.0, "1234567890123450"),
        (1e20, "100000000000000000000"),
        (2.5, "2.5"),
        (0.1 + 0.2, "0.3"),
        (1e-7, "0.0000001"),
        (-0.0, "0"),
        (True, "true"),
        (False, "false"),
        (datetime.datetime(2025, 5, 4), "2025-05-04"),
        (datetime.datetime(2025, 5, 4, 8, 59, 59, 999000), "2025-05-04T09:00:00"),
        (datetime.datetime(2025, 5, 4, 23, 59, 59, 600000), "2025-05-05"),
        (datetime.date(2025, 5, 4), "2025-05-04"),
        (datetime.time(9, 30, 0, 400000), "09:30:00"),
        (datetime.timedelta(hours=26, minutes=5), "26:05:00"),
    ],
)
def test_R_I4_xlsx_cell_values_as_a_manager_typed_them(value, text):
    assert workbook._cell_text(value) == text
