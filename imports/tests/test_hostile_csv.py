"""CSV files that used to be misread or crash the reader: pure, no database (R-I14, R-I22)."""

import io

import pytest

from imports.engine.reading import FILE_NO_DATA_ROWS, UNDECODABLE_ROW, FileRefused, open_table

TEXT = "memberId,name,email\r\nM1,김민수,kim@example.com\r\nM2,José,jose@example.com\r\n"


def read_all(data: bytes, **options):
    with open_table(io.BytesIO(data), **options) as table:
        return table, list(table.rows())


def refusal(data: bytes, **options) -> str:
    with pytest.raises(FileRefused) as caught:
        read_all(data, **options)
    return caught.value.message


# R-I22: UTF-16 without a BOM


@pytest.mark.parametrize(
    "codec, expected", [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")]
)
@pytest.mark.parametrize("named", [None, "utf-16", "UTF16"])
def test_R_I22_utf16_without_bom_is_detected_or_taken_as_named(codec, expected, named):
    table, rows = read_all(TEXT.encode(codec), encoding=named)
    assert table.encoding == expected
    assert table.headers == ["memberId", "name", "email"]
    assert [cells for _, cells, _ in rows][0] == ["M1", "김민수", "kim@example.com"]


def test_R_I22_utf16_without_bom_and_mostly_korean_is_detected():
    text = "이름,전화번호,이메일\r\n" + "김민수,+821020203030,kim@example.com\r\n" * 3
    table, rows = read_all(text.encode("utf-16-le"))
    assert table.encoding == "utf-16-le" and len(rows) == 3


@pytest.mark.parametrize(
    "named, expected",
    [
        ("utf-32", UNDECODABLE_ROW.format(row=1, encoding="UTF-32")),
        ("utf-16-be", FILE_NO_DATA_ROWS),  # one long line of CJK-looking text
    ],
)
def test_R_I22_an_encoding_that_does_not_fit_is_refused_with_a_message(named, expected):
    assert refusal(TEXT.encode("utf-8"), encoding=named) == expected


def test_R_I22_a_named_encoding_that_fails_names_the_first_bad_row():
    data = "memberId,name\r\nM1,Kim\r\n".encode("utf-16-le") + b"\x00\xd8M\x002\x00\r\x00\n\x00"
    assert refusal(data, encoding="utf-16") == UNDECODABLE_ROW.format(row=3, encoding="UTF-16")


def test_R_I22_a_codec_that_is_not_a_text_encoding_is_a_programming_error():
    with pytest.raises(LookupError):
        open_table(io.BytesIO(TEXT.encode()), encoding="hex")
