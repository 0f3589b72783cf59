"""Files that used to be misread, crash the reader or get an oversized or wrong message: pure,
no database (R-I14, R-I22)."""

import io
import zipfile

import pytest

from imports.engine.mapping import MEMBER_ID_UNMAPPED, MappingError, resolve
from imports.engine.quotes import CELL_TOO_LONG
from imports.engine.reading import (
    FILE_NO_DATA_ROWS,
    UNDECODABLE_ROW,
    XLSX_TOO_MANY_PARTS,
    FileRefused,
    open_table,
)

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


# Messages that say what is wrong, at a readable length


def test_a_huge_unquoted_cell_is_called_too_long_not_an_unclosed_quote():
    data = b"email,note\na@x.test,ok\nb@x.test," + b"y" * 5_000_000 + b"\nc@x.test,ok\n"
    assert refusal(data) == CELL_TOO_LONG.format(row=3, column='B ("note")', limit=131072)


def test_a_16k_column_file_is_refused_in_a_short_message_listing_ten_columns():
    headers = [f"column number {n}" for n in range(16_384)]
    data = (",".join(headers) + "\n" + "x," * 16_384).encode()
    with open_table(io.BytesIO(data)) as table, pytest.raises(MappingError) as caught:
        resolve(
            headers=table.headers,
            custom_keys=[],
            kind="member",
            identifier=None,
            skip=table.headers,
        )
    listed = '"column number 0", "column number 1", '
    assert caught.value.message == MEMBER_ID_UNMAPPED.format(
        columns=listed
        + ", ".join(f'"column number {n}"' for n in range(2, 10))
        + " and 16,374 more"
    )


def test_a_long_header_is_cut_short_where_a_message_names_it():
    header = "n" * 100_000
    data = f'email,{header}\na@x.test,"open\nb@x.test,x\n'.encode()
    message = refusal(data)
    assert message.startswith(f'Row 2, column B ("{"n" * 59}…"): a quote')
    assert len(message) < 400


def test_a_zip_of_more_than_10000_parts_is_called_so_not_too_large():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(10_001):
            archive.writestr(f"xl/media/{n}.txt", "")
    assert refusal(buffer.getvalue()) == XLSX_TOO_MANY_PARTS
