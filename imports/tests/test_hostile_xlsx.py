""".xlsx files that used to take gigabytes, lose text or values: the reader alone (R-I4, R-I17)."""

import io

import pytest

from imports.engine import workbook_parts
from imports.engine.reading import XLSX_TOO_LARGE_EXPANDED, FileRefused, open_table
from imports.engine.table import FORMULA_WITHOUT_VALUE
from imports.engine.workbook_parts import XLSX_TOO_MANY_STYLES, XLSX_TOO_MUCH_TEXT
from imports.tests.fixtures.make_fixtures import (
    STYLES,
    shared_strings_part,
    sheet_part,
    workbook_file,
)

HEADER_AND_ONE_ROW = sheet_part(
    '<row r="1"><c r="A1" t="inlineStr"><is><t>memberId</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>M1</t></is></c></row>'
)


def read_all(data: bytes):
    with open_table(io.BytesIO(data)) as table:
        return table, list(table.rows())


def refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        read_all(data)
    return caught.value.message


def styles_with(cell_formats: int, xf: str = '<xf numFmtId="0"/>') -> str:
    xfs = xf * cell_formats
    return STYLES.replace('<cellXfs count="3">', f'<cellXfs count="{cell_formats + 3}">{xfs}', 1)


# R-I17: a tiny file must not take gigabytes


def test_R_I17_styles_packed_a_thousand_to_one_are_refused_before_they_are_read():
    data = workbook_file(HEADER_AND_ONE_ROW, styles=styles_with(2_000_000, "<xf/>").encode())
    assert len(data) < 30_000
    assert refusal(data) == XLSX_TOO_LARGE_EXPANDED


def test_R_I17_shared_strings_packed_tightly_are_refused_before_they_are_read():
    data = workbook_file(HEADER_AND_ONE_ROW, shared=shared_strings_part(["<t/>"] * 200_000))
    assert refusal(data) == XLSX_TOO_LARGE_EXPANDED


def test_R_I17_more_cell_formats_than_excel_allows_are_refused(monkeypatch):
    monkeypatch.setattr(workbook_parts, "XLSX_MAX_CELL_FORMATS", 50)
    assert read_all(workbook_file(HEADER_AND_ONE_ROW, styles=styles_with(47).encode()))
    data = workbook_file(HEADER_AND_ONE_ROW, styles=styles_with(48).encode())
    assert refusal(data) == XLSX_TOO_MANY_STYLES


def test_R_I17_any_style_element_past_the_limit_refuses_the_file(monkeypatch):
    monkeypatch.setattr(workbook_parts, "XLSX_MAX_STYLE_ELEMENTS", 40)
    fonts = STYLES.replace('<fonts count="1">', '<fonts count="1">' + "<font/>" * 40, 1)
    data = workbook_file(HEADER_AND_ONE_ROW, styles=fonts.encode())
    assert refusal(data) == XLSX_TOO_MANY_STYLES


@pytest.mark.parametrize(
    "limit, value", [("XLSX_MAX_SHARED_STRINGS", 3), ("XLSX_MAX_SHARED_STRING_BYTES", 10)]
)
def test_R_I17_shared_strings_past_their_count_or_size_are_refused(monkeypatch, limit, value):
    monkeypatch.setattr(workbook_parts, limit, value)
    shared = shared_strings_part(["<t>memberId</t>", "<t>M1</t>", "<t>M2</t>", "<t>M3</t>"])
    sheet = sheet_part(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    )
    assert refusal(workbook_file(sheet, shared=shared)) == XLSX_TOO_MUCH_TEXT


def test_R_I4_shared_strings_keep_rich_text_runs_and_drop_phonetic_guides():
    shared = shared_strings_part(
        [
            "<t>memberId</t>",
            "<t>name</t>",
            '<r><rPr><b/></rPr><t xml:space="preserve">Kim </t></r><r><t>Minsu</t></r>',
            '<t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh>',
            "<t></t>",
        ]
    )
    sheet = sheet_part(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>2</v></c></row>'
    )
    table, rows = read_all(workbook_file(sheet, shared=shared))
    assert table.headers == ["memberId", "name"]
    assert [cells for _, cells, _ in rows] == [["Kim Minsu", "東京"], ["", "Kim Minsu"]]


def test_R_I4_date_styles_are_told_apart_without_reading_every_style():
    custom = STYLES.replace(
        "<fonts",
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/mm/dd"/></numFmts><fonts',
    ).replace('<xf numFmtId="22"', '<xf numFmtId="164"')
    with io.BytesIO(custom.encode()) as xml:
        assert workbook_parts.read_number_formats(xml) == ({1, 2}, set())


# R-I4: Excel's _xHHHH_ escapes


@pytest.mark.parametrize(
    "stored, text",
    [
        ("ABC_x000D_\nDEF", "ABC\r\nDEF"),
        ("tab_x0009_here", "tab\there"),
        ("_x005F_x000D_ stays text", "_x000D_ stays text"),
        ("lower_x000d_case", "lower\rcase"),
        ("smile _xD83D__xDE00_", "smile \U0001f600"),
        ("not_x12_an escape", "not_x12_an escape"),
    ],
)
def test_R_I4_excel_escapes_are_decoded_in_shared_and_inline_strings(stored, text):
    shared = shared_strings_part(["<t>memberId</t>", "<t>note</t>", f"<t>{stored}</t>"])
    sheet = sheet_part(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{stored}</t></is></c>'
        '<c r="B2" t="s"><v>2</v></c></row>'
        f'<row r="3"><c r="A3" t="str"><f>B2</f><v>{stored}</v></c></row>'
    )
    _, rows = read_all(workbook_file(sheet, shared=shared))
    assert [cells for _, cells, _ in rows] == [[text, text], [text, ""]]


def test_R_I4_an_escape_in_the_sheet_far_from_its_start_is_decoded():
    filler = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>M{n}</t></is></c></row>'
        for n in range(2, 3000)
    )
    sheet = sheet_part(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>memberId</t></is></c></row>'
        + filler
        + '<row r="3000"><c r="A3000" t="inlineStr"><is><t>A_x000D_B</t></is></c></row>'
    )
    _, rows = read_all(workbook_file(sheet))
    assert rows[-1] == (3000, ["A\rB"], None)


# R-T2: a formula nobody computed is not an empty cell


def test_R_T2_a_formula_without_a_stored_value_is_not_read_as_empty():
    rows_xml = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>M{n}</t></is></c>'
        f'<c r="B{n}"><v>{n}</v></c></row>'
        for n in range(2, 2000)
    )
    sheet = sheet_part(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>memberId</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>points</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>total</t></is></c></row>'
        + rows_xml
        + '<row r="2000"><c r="A2000"><f>"M"&amp;B2000</f></c><c r="B2000"><v>1</v></c>'
        '<c r="C2000" t="str"><f>IF(B2000&gt;5,"big","")</f><v></v></c></row>'
    )
    _, rows = read_all(workbook_file(sheet))
    assert rows[-1] == (2000, [FORMULA_WITHOUT_VALUE, "1", ""], None)
    assert all(FORMULA_WITHOUT_VALUE not in cells for _, cells, _ in rows[:-1])
