"""Reading uploads (imports/engine/reading.py): pure, no database, no Django.

Fixtures come from fixtures/make_fixtures.py; files too big to commit are made in tmp_path.
"""

import codecs
import datetime
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from imports.engine import workbook
from imports.engine.headers import clean_headers, column_letter
from imports.engine.quotes import QUOTE_NOT_CLOSED
from imports.engine.reading import (
    FILE_EMPTY,
    FILE_NO_DATA_ROWS,
    FILE_TOO_LARGE,
    MAX_FILE_BYTES,
    NO_HEADER,
    NOT_A_TABLE,
    OLD_EXCEL,
    RAGGED_ROW_LONG,
    RAGGED_ROW_LONG_CSV,
    RAGGED_ROW_SHORT,
    SAMPLE_BYTES,
    UNDECODABLE,
    UNDECODABLE_ROW,
    XLSX_TOO_LARGE_EXPANDED,
    XLSX_UNREADABLE,
    FileRefused,
    open_table,
)

FIXTURES = Path(__file__).parent / "fixtures"


class MinimalFile:
    """Only read/seek/tell, like the least a storage backend's File offers."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._buffer.seek(offset, whence)

    def tell(self) -> int:
        return self._buffer.tell()


def read_all(source, **options):
    with open_table(source, **options) as table:
        return table, list(table.rows())


def refusal(source, **options) -> str:
    with pytest.raises(FileRefused) as caught:
        read_all(source, **options)
    return caught.value.message


def fixture(name: str) -> Path:
    return FIXTURES / name


# R-I22 encodings


def test_R_I22_utf8_with_bom_detected_and_bom_not_in_header():
    table, rows = read_all(fixture("utf8_bom.csv"))
    assert (table.format, table.encoding, table.delimiter) == ("csv", "utf-8-sig", ",")
    assert table.headers == ["memberId", "name", "email"]
    assert rows == [
        (2, ["M1", "김민수", "kim@example.com"], None),
        (3, ["M2", "José Müller", "jose@example.com"], None),
    ]


def test_R_I22_utf8_without_bom_detected():
    table, rows = read_all(fixture("utf8_no_bom.csv"))
    assert table.encoding == "utf-8"
    assert [cells[1] for _, cells, _ in rows] == ["김민수", "José Müller"]


def test_R_I22_cp949_korean_names_detected():
    table, rows = read_all(fixture("cp949_korean.csv"))
    assert table.encoding == "cp949"
    assert [cells[1] for _, cells, _ in rows] == ["김민수", "이영희", "박지훈"]


def test_R_I22_windows_1252_western_names_detected():
    table, rows = read_all(fixture("cp1252_western.csv"))
    assert table.encoding == "cp1252"
    assert [cells[1:] for _, cells, _ in rows] == [
        ["José Müller", "Zürich"],
        ["Françoise Dupré", "Genève"],
        ["Søren Ærø", "Århus"],
    ]


def test_R_I22_windows_1252_curly_apostrophes_not_taken_for_korean():
    # Every byte pair of this file is also valid CP949 (rare extension syllables).
    table, rows = read_all(fixture("cp1252_smart_quotes.csv"))
    assert table.encoding == "cp1252"
    assert [cells for _, cells, _ in rows] == [["O\u2019Brien"], ["D\u2019Arcy"]]


def test_R_I22_utf16_le_with_bom_tab_delimited_as_excel_unicode_text():
    table, rows = read_all(fixture("utf16le_bom.csv"))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.headers == ["memberId", "name", "email"]
    assert rows[0] == (2, ["M1", "김민수", "kim@example.com"], None)
    assert rows[1][1][1] == "José"


def test_R_I22_utf16_be_with_bom():
    table, rows = read_all(fixture("utf16be_bom.csv"))
    assert table.encoding == "utf-16"
    assert rows == [(2, ["M1", "이영희"], None)]


@pytest.mark.parametrize("name", ["gbk_chinese.csv", "shift_jis_japanese.csv"])
def test_R_I22_other_legacy_encodings_refused_never_mojibake(name):
    assert refusal(fixture(name)) == UNDECODABLE


@pytest.mark.parametrize(
    ("name", "row"), [("mixed_utf8_cp1252.csv", 3), ("mixed_utf8_accents_cp1252.csv", 4)]
)
def test_R_I22_utf8_file_with_a_windows_1252_row_refused_naming_the_row(name, row):
    assert refusal(fixture(name)) == UNDECODABLE_ROW.format(row=row, encoding="UTF-8")


def _ascii_rows(count: int) -> bytes:
    return b"".join(b"M%07d,Customer %07d\r\n" % (i, i) for i in range(count))


@pytest.mark.parametrize(("encoding", "expected"), [("cp949", "cp949"), ("utf-8", "utf-8")])
def test_R_I22_encoding_detected_from_first_non_ascii_row_far_down(tmp_path, encoding, expected):
    path = tmp_path / "late.csv"
    ascii_part = _ascii_rows(3 * SAMPLE_BYTES // 26)
    path.write_bytes(b"memberId,name\r\n" + ascii_part + "M9,김민수\r\n".encode(encoding))
    table, rows = read_all(path)
    assert table.encoding == expected
    assert rows[-1][1] == ["M9", "김민수"]


def _cuts_a_character(data: bytes, encoding: str) -> bool:
    try:
        data[:SAMPLE_BYTES].decode(encoding)
    except UnicodeDecodeError:
        return True
    return False


@pytest.mark.parametrize("encoding", ["utf-8", "cp949"])
def test_R_I22_multibyte_character_cut_at_the_sample_boundary(tmp_path, encoding):
    body = "".join(f"M{i},김민수이영희박지훈\r\n" for i in range(2, 60000)).encode(encoding)
    padding = ""
    while not _cuts_a_character(f"memberId,name{padding}\r\n".encode() + body, encoding):
        padding += "x"
    path = tmp_path / "cut.csv"
    path.write_bytes(f"memberId,name{padding}\r\n".encode() + body)
    table, rows = read_all(path)
    assert table.encoding == encoding
    assert len(rows) == 59998
    assert rows[-1] == (59999, ["M59999", "김민수이영희박지훈"], None)


def test_R_I22_undecodable_row_after_the_sample_refused_while_streaming(tmp_path):
    path = tmp_path / "late_bad.csv"
    good = "".join(f"M{i},김민수{i}\r\n" for i in range(2, 80000)).encode()
    assert len(good) > SAMPLE_BYTES
    path.write_bytes(b"memberId,name\r\n" + good + "M0,José\r\n".encode("cp1252"))
    expected = UNDECODABLE_ROW.format(row=80000, encoding="UTF-8")
    with open_table(path) as table:
        assert table.encoding == "utf-8"
        with pytest.raises(FileRefused) as caught:
            table.count_rows()
        assert caught.value.message == expected
        with pytest.raises(FileRefused) as caught:
            list(table.rows())
        assert caught.value.message == expected


def test_R_I22_explicit_encoding_is_used():
    table, rows = read_all(fixture("cp949_korean.csv"), encoding="EUC-KR")
    assert table.encoding == "euc_kr"
    assert rows[0][1][1] == "김민수"


def test_R_I22_explicit_encoding_that_does_not_fit_refused_naming_the_row():
    message = refusal(fixture("cp1252_western.csv"), encoding="utf-8")
    assert message == UNDECODABLE_ROW.format(row=2, encoding="UTF-8")


def test_R_I22_explicit_utf8_on_a_file_with_bom_drops_the_bom():
    table, _ = read_all(fixture("utf8_bom.csv"), encoding="utf8")
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "memberId"


def test_R_I22_explicit_encoding_unknown_is_a_programming_error():
    with pytest.raises(LookupError):
        open_table(fixture("utf8_no_bom.csv"), encoding="no-such-codec")


@pytest.mark.parametrize(
    ("name", "delimiter", "second_row"),
    [
        ("semicolon.csv", ";", ["M1", "Schmidt, Anna", "1,5"]),
        ("tab_delimited.csv", "\t", ["M1", "Kim, Minsu", "kim@example.com"]),
        ("utf8_no_bom.csv", ",", ["M1", "김민수", "kim@example.com"]),
    ],
)
def test_R_I22_delimiter_detected_from_the_header(name, delimiter, second_row):
    table, rows = read_all(fixture(name))
    assert table.delimiter == delimiter
    assert rows[0] == (2, second_row, None)


def test_R_I22_delimiters_inside_quotes_do_not_count_and_ties_go_to_comma():
    table, _ = read_all(io.BytesIO(b'"a;b;c",d;e,f\r\n1,2,3\r\n'))
    assert table.delimiter == ","
    assert table.headers == ["a;b;c", "d;e", "f"]


def test_R_I22_excel_sep_line_declares_the_delimiter_and_is_not_a_row():
    table, rows = read_all(io.BytesIO(b"sep=;\r\nmemberId;name, first\r\nM1;Kim, Minsu\r\n"))
    assert (table.delimiter, table.headers) == (";", ["memberId", "name, first"])
    assert rows == [(2, ["M1", "Kim, Minsu"], None)]
    assert table.count_rows() == 1


def test_R_I22_explicit_delimiter_overrides_detection():
    table, rows = read_all(fixture("semicolon.csv"), delimiter=",")
    assert table.headers == ["memberId;name;points"]
    assert rows[0][2] is not None  # "M1;Schmidt, Anna;1,5" now has too many cells


@pytest.mark.parametrize(
    "name", ["png_renamed.csv", "random_bytes.csv", "zip_without_workbook.csv"]
)
def test_binary_file_renamed_csv_refused(name):
    assert refusal(fixture(name)) == NOT_A_TABLE


def test_old_excel_file_refused():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert refusal(io.BytesIO(ole2)) == OLD_EXCEL


# R-I14 row numbers and row outcomes


def test_R_I14_quoted_line_breaks_commas_and_quotes_keep_spreadsheet_row_numbers():
    table, rows = read_all(fixture("quoted.csv"))
    assert rows == [
        (2, ["M1", "Kim, Minsu", "Line 1\r\nLine 2", "plain"], None),
        (3, ["M2", 'Say "hi"', "Seoul", "x"], None),
        (4, ["M3", "Lee", "Busan", "y"], None),
    ]


def test_R_I14_cr_only_line_ends():
    _, rows = read_all(fixture("cr_only.csv"))
    assert rows == [(2, ["M1", "A"], None), (3, ["M2", "B\rC"], None), (4, ["M3", "D"], None)]


def test_R_I14_crlf_blank_row_skipped_but_keeps_its_number():
    _, rows = read_all(fixture("crlf.csv"))
    assert rows == [(2, ["M1", "A"], None), (4, ["M2", "B"], None)]


def test_R_I14_ragged_rows_flagged_and_blank_rows_skipped():
    _, rows = read_all(fixture("ragged.csv"))
    assert rows == [
        (2, ["M1", "A", "a@x.kr"], None),
        (3, ["M2", "B", ""], RAGGED_ROW_SHORT.format(cells=2, columns=3)),
        (4, ["M3", "C", "c@x.kr"], RAGGED_ROW_LONG_CSV.format(cells=4, columns=3)),
        (5, ["M4", "D", "d@x.kr"], None),  # "M4,D,d@x.kr,,": empty cells beyond the header
        (8, ["M5", "E", "e@x.kr"], None),  # rows 6 ",," and 7 "" are blank
    ]


def test_R_I14_resume_after_the_last_committed_row():
    with open_table(fixture("ragged.csv")) as table:
        assert [number for number, _, _ in table.rows(start_after_row_number=3)] == [4, 5, 8]
        assert [number for number, _, _ in table.rows(start_after_row_number=5)] == [8]
        assert list(table.rows(start_after_row_number=8)) == []
        assert [number for number, _, _ in table.rows(start_after_row_number=1)] == [2, 3, 4, 5, 8]


def test_R_I14_resume_counts_records_not_lines():
    with open_table(fixture("quoted.csv")) as table:
        number, cells, _ = next(table.rows(start_after_row_number=2))
    assert (number, cells) == (3, ["M2", 'Say "hi"', "Seoul", "x"])


@pytest.mark.parametrize(
    ("name", "count"),
    [("ragged.csv", 5), ("quoted.csv", 3), ("crlf.csv", 2), ("types.xlsx", 4)],
)
def test_R_I14_count_rows_matches_rows(name, count):
    with open_table(fixture(name)) as table:
        assert table.count_rows() == count == len(list(table.rows()))


def test_unclosed_quote_refused_naming_the_row():
    data = b'memberId,name\r\nM1,A\r\nM2,B\r\nM3,"never closed\r\n' + b"x," * 80000
    assert refusal(io.BytesIO(data)) == QUOTE_NOT_CLOSED.format(row=4, column='B ("name")')


# Headers


def test_headers_trimmed_blank_ones_named_duplicates_suffixed():
    table, rows = read_all(fixture("duplicate_blank_headers.csv"))
    assert table.raw_headers == [" memberId ", "email", "", "Email", "email"]
    assert table.headers == ["memberId", "email", "Column C", "Email (2)", "email (3)"]
    assert rows == [
        (2, ["M1", "a@x.kr", "c", "d", "e"], None),
        (3, ["M2", "a@y.kr", "c", "d", "e"], RAGGED_ROW_LONG_CSV.format(cells=6, columns=5)),
    ]


def test_duplicate_suffix_never_takes_a_name_that_is_in_the_file():
    assert clean_headers(["email", "email", "email (2)"]) == ["email", "email (3)", "email (2)"]
    assert clean_headers(["", "Column A"]) == ["Column A", "Column A (2)"]


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letter(index, letter):
    assert column_letter(index) == letter


# Refused files


def test_R_I17_file_over_100_mb_refused_before_reading_it():
    class Huge(MinimalFile):
        def seek(self, offset: int, whence: int = 0) -> int:
            return MAX_FILE_BYTES + 1 if whence == 2 else 0

        def tell(self) -> int:
            return MAX_FILE_BYTES + 1

        def read(self, size: int = -1) -> bytes:
            raise AssertionError("a refused file must not be read")

    assert refusal(Huge(b"")) == FILE_TOO_LARGE


def test_R_I17_sparse_file_over_100_mb_refused(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)
    assert refusal(path) == FILE_TOO_LARGE


def test_R_I17_file_of_exactly_100_mb_passes_the_size_check(tmp_path):
    path = tmp_path / "limit.csv"
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES)
    assert refusal(path) == NOT_A_TABLE  # all NUL bytes: refused for what it holds, not its size


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", FILE_EMPTY),
        ("only_blank_lines.csv", FILE_EMPTY),
        ("header_only.csv", FILE_NO_DATA_ROWS),
        ("blank_first_row.csv", NO_HEADER),
    ],
)
def test_files_without_customers_refused(name, message):
    assert refusal(fixture(name)) == message


def test_bom_only_file_is_empty():
    assert refusal(io.BytesIO(codecs.BOM_UTF8)) == FILE_EMPTY


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


# R-I6 preview


def _wide_csv(rows: int) -> bytes:
    header = ",".join(f"col{i}" for i in range(12))
    lines = [",".join(f"r{n}c{i}" for i in range(12)) for n in range(2, rows + 2)]
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


def test_R_I6_preview_first_30_rows_with_all_columns():
    with open_table(io.BytesIO(_wide_csv(100))) as table:
        preview = table.preview()
    assert [number for number, _, _ in preview] == list(range(2, 32))
    assert all(len(cells) == 12 for _, cells, _ in preview)
    assert preview[0][1][11] == "r2c11"


def test_R_I6_preview_while_a_pass_runs_on_the_same_file():
    with open_table(MinimalFile(_wide_csv(5000))) as table:
        rows = table.rows()
        first = [next(rows) for _ in range(10)]
        assert table.preview(3)[2][0] == 4
        rest = list(rows)
    assert [number for number, _, _ in first + rest] == list(range(2, 5002))


# Sources


def test_minimal_file_objects_are_read_and_left_open():
    for name in ["utf8_bom.csv", "types.xlsx"]:
        source = MinimalFile(fixture(name).read_bytes())
        with open_table(source) as table:
            assert list(table.rows())
        assert source.read(2) in (b"\xef\xbb", b"PK", b"")  # still usable


def test_path_source_is_closed_with_the_table():
    table = open_table(str(fixture("crlf.csv")))
    file = table._source
    table.close()
    assert file.closed


def test_reading_imports_no_django():
    code = "import sys, imports.engine.reading; sys.exit('django' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
