"""The marketing list's CSV lines (pure, no database)."""

import csv
import io

from audience.download import BOM, csv_lines, text_cell


def read(lines):
    text = "".join(lines)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


def test_header_then_one_line_per_row():
    rows = [(1, "M-1", "Kim, Minji", "kim@example.com"), (2, None, "이서연", "lee@example.com")]

    assert read(csv_lines(["customerId", "memberId", "name", "email"], rows)) == [
        ["customerId", "memberId", "name", "email"],
        ["1", "M-1", "Kim, Minji", "kim@example.com"],
        ["2", "", "이서연", "lee@example.com"],
    ]


def test_formula_like_text_is_shown_as_text():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert text_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert text_cell("Kim=1") == "Kim=1"
    assert text_cell(None) == ""


def test_raw_columns_are_written_as_stored():
    rows = [(7, None, "=cmd", "+821020203030")]

    lines = read(csv_lines(["customerId", "memberId", "name", "mobileNumber"], rows, raw={3}))

    assert lines[1] == ["7", "", "'=cmd", "+821020203030"]
