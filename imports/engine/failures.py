"""Write the failed-rows workbook (R-I14). Pure: openpyxl only, streamed (write-only mode).

Columns: rowNumber, errorColumns, errorReasons, then the mapped profile keys in file order.
Uploaded again as it is, the first three columns are skipped by the mapping and the rest map
to their keys by name. Cells are written as text, so "0010" or "=1+1" come back unchanged.
"""

from collections.abc import Iterable, Sequence
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .mapping import FAILURE_COLUMNS

SHEET_TITLE = "Failed rows"
REASON_SEPARATOR = "\n"
COLUMN_SEPARATOR = ", "


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    # Assigning through .value would read "=..." as a formula; failed rows hold data only.
    cell._value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.data_type = "s"
    return cell


def write_failures(
    target: str | IO[bytes],
    keys: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str], Sequence[str], dict[str, str]]],
) -> int:
    """Write (row_number, error_columns, error_reasons, values) rows; return how many."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append([*FAILURE_COLUMNS, *keys])
    count = 0
    for row_number, columns, reasons, values in rows:
        cells = [
            row_number,
            _text_cell(sheet, COLUMN_SEPARATOR.join(columns)),
            _text_cell(sheet, REASON_SEPARATOR.join(reasons)),
        ]
        cells.extend(_text_cell(sheet, values.get(key, "")) for key in keys)
        sheet.append(cells)
        count += 1
    book.save(target)
    return count
