"""The editable export's files (R-E1): the formula guard, the CSV and the streamed .xlsx. Pure."""

import io
import zipfile

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports.engine.export_files import CSV, XLSX, csv_stream, export_stream
from imports.engine.formulas import TRIGGERS, csv_escape, csv_unescape, needs_guard
from imports.engine.reading import open_table
from imports.engine.xlsx_stream import xlsx_stream

HEADERS = ["memberId", "name", "note"]
AWKWARD = [
    '=HYPERLINK("http://x.example","click")',
    "+821020203030",
    "-12.5",
    "@SUM(A1)",
    "'=already quoted",
    "''+two",
    "'plain apostrophe",
    "김민지",
    'say "hi", then\nleave',
    "a\rb",
    "tab\tinside",
    "<b>&amp;</b>",
    "",
]


def _bytes(chunks) -> bytes:
    return b"".join(chunks)


def _read_back(data: bytes) -> list[list[str]]:
    with open_table(io.BytesIO(data)) as table:
        return [table.headers] + [cells for _, cells, _ in table.rows()]


def _rows() -> list[list[str]]:
    return [[f"M{i}", value, value] for i, value in enumerate(AWKWARD)]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_R_E1_a_cell_starting_with_a_formula_character_gets_an_apostrophe_in_csv(trigger):
    assert needs_guard(f"{trigger}x")
    assert csv_escape(f"{trigger}x") == f"'{trigger}x"
    assert csv_unescape(f"'{trigger}x") == f"{trigger}x"


@pytest.mark.parametrize("text", ["x", "1", "[1, 2]", "'x", "", "a=b", "O'Brien"])
def test_R_E1_other_cells_are_written_and_read_unchanged(text):
    assert not needs_guard(text)
    assert csv_escape(text) == text
    assert csv_unescape(text) == text


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", " "])))
def test_R_E1_the_csv_escape_is_undone_exactly(text):
    assert csv_unescape(csv_escape(text)) == text


def test_R_E1_a_spreadsheet_that_drops_the_apostrophe_still_gives_the_value():
    """A spreadsheet that took the apostrophe as its text marker saves the bare value."""
    assert csv_unescape("+821020203030") == "+821020203030"


def test_R_E1_csv_is_utf8_with_a_bom_crlf_and_guarded_cells():
    data = _bytes(csv_stream(HEADERS, [["M1", "=1+1", "김"], ["M2", "", "+82"]]))

    assert data.startswith(b"\xef\xbb\xbfmemberId,name,note\r\n")
    assert data.decode("utf-8-sig").splitlines() == [
        "memberId,name,note",
        "M1,'=1+1,김",
        "M2,,'+82",
    ]


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_R_E1_the_importer_reads_every_awkward_value_back_unchanged(file_format):
    rows = _rows()

    data = _bytes(export_stream(file_format, HEADERS, rows, sheet_title="Members"))

    assert _read_back(data) == [HEADERS, *rows]


def test_R_E1_xlsx_cells_are_text_and_formula_like_ones_carry_the_quote_prefix():
    data = _bytes(
        xlsx_stream(HEADERS, _rows(), sheet_title="Members", guard=needs_guard, widths=[14, 20, 8])
    )

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Members"]
    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True, True, True]
    assert sheet.column_dimensions["B"].width == 20
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:]:
            if cell.value is None:  # the empty value: no cell written
                continue
            assert cell.data_type == "s"
            assert cell.number_format == "@"
            assert cell.quotePrefix == needs_guard(cell.value), cell.value
    assert sheet["B2"].value == AWKWARD[0]


def test_R_E1_characters_no_xlsx_cell_can_hold_become_replacement_characters():
    data = _bytes(xlsx_stream(["a"], [["bell\x07 and \x0b"]], sheet_title="S", guard=needs_guard))

    assert _read_back(data) == [["a"], ["bell\ufffd and \ufffd"]]


def test_R_E1_the_same_rows_give_the_same_xlsx_bytes_in_small_chunks(monkeypatch):
    from imports.engine import xlsx_stream as module

    monkeypatch.setattr(module, "CHUNK_BYTES", 1)
    rows = [[f"M{i}", f"name {i}", "+821020203030"] for i in range(3000)]

    first = list(xlsx_stream(HEADERS, rows, sheet_title="S", guard=needs_guard))
    second = _bytes(xlsx_stream(HEADERS, rows, sheet_title="S", guard=needs_guard))

    assert len(first) > 2
    assert _bytes(first) == second
    assert zipfile.ZipFile(io.BytesIO(second)).testzip() is None
    assert _read_back(second)[-1] == ["M2999", "name 2999", "+821020203030"]


def test_R_E1_csv_streams_in_chunks_that_join_to_the_whole_file(monkeypatch):
    from imports.engine import export_files

    monkeypatch.setattr(export_files, "CHUNK_BYTES", 1)
    rows = [[f"M{i}", "x", "-1"] for i in range(2500)]

    chunks = list(csv_stream(HEADERS, rows))

    assert len(chunks) == 4  # the header, two full thousands, the rest
    assert _read_back(_bytes(chunks))[1:] == rows


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="xlsx or csv"):
        export_stream("ods", HEADERS, [], sheet_title="S")


def test_R_E1_any_csv_import_takes_the_guard_off_while_xlsx_cells_stay_as_they_are():
    """Other systems guard their exports the same way; a workbook cell carries no marker."""
    csv_file = b"memberId,name\r\n'-7,'=1+1\r\nM2,O'Brien\r\nM3,''@x\r\n"
    rows = [["M1", "'=1+1"]]
    workbook = _bytes(xlsx_stream(["memberId", "name"], rows, sheet_title="S", guard=needs_guard))

    assert _read_back(csv_file)[1:] == [["-7", "=1+1"], ["M2", "O'Brien"], ["M3", "'@x"]]
    assert _read_back(workbook)[1:] == [["M1", "'=1+1"]]
