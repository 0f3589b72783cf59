"""Reading CSV uploads: encodings, delimiters and the files refused (R-I22, R-I17). Pure."""

import codecs
import io

import pytest

from imports.engine.reading import (
    FILE_EMPTY,
    FILE_NO_DATA_ROWS,
    FILE_TOO_LARGE,
    MAX_FILE_BYTES,
    NO_HEADER,
    NOT_A_TABLE,
    OLD_EXCEL,
    SAMPLE_BYTES,
    UNDECODABLE,
    UNDECODABLE_ROW,
    FileRefused,
    open_table,
)
from imports.tests.reading_support import MinimalFile, fixture, read_all, refusal

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
