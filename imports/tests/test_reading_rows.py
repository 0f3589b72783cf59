"""Reading rows: spreadsheet row numbers, headers, the preview, the sources (R-I14, R-I6). Pure."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

from imports.engine.headers import clean_headers, column_letter
from imports.engine.quotes import QUOTE_NOT_CLOSED
from imports.engine.reading import RAGGED_ROW_LONG_CSV, RAGGED_ROW_SHORT, open_table
from imports.tests.reading_support import MinimalFile, fixture, read_all, refusal

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
