"""Write the failed-rows workbook (R-I14). Pure: openpyxl only, streamed (write-only mode).

Columns: rowNumber, errorColumns, errorReasons, then the mapped profile keys in file order.
Uploaded again as it is, the first three columns are skipped by the mapping and the rest map
to their keys by name. Cells are written as text, so "0010" or "=1+1" come back unchanged.

Decisions (R-I14):
- A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return carries
  Excel's quote prefix (the cell style a typed leading apostrophe gives): the cell stays text
  when a manager edits it, so ``=HYPERLINK(...)`` does not turn into a live formula. The prefix
  is a style, not a character: the value is byte-identical and the file uploads again as it
  is. Leading tabs survive that upload too (``contacts.profile_types`` keeps them).
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
# What a spreadsheet may read as the start of a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    # Assigning through .value would read "=..." as a formula; failed rows hold data only.
    cell._value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


class FailuresWorkbook:
    """A failed-rows workbook filled one row at a time, then saved."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = list(keys)
        self.count = 0
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(SHEET_TITLE)
        self._sheet.append([*FAILURE_COLUMNS, *self.keys])

    def add(
        self, row_number: int, columns: Sequence[str], reasons: Sequence[str], values: dict
    ) -> None:
        """Append one failed row: its number, error columns and reasons, then its values."""
        sheet = self._sheet
        cells = [
            row_number,
            _text_cell(sheet, COLUMN_SEPARATOR.join(columns)),
            _text_cell(sheet, REASON_SEPARATOR.join(reasons)),
        ]
        cells.extend(_text_cell(sheet, values.get(key, "")) for key in self.keys)
        sheet.append(cells)
        self.count += 1

    def save(self, target: str | IO[bytes]) -> int:
        """Write the workbook to a path or binary file; return how many rows it holds."""
        self._book.save(target)
        return self.count


def write_failures(
    target: str | IO[bytes],
    keys: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str], Sequence[str], dict[str, str]]],
) -> int:
    """Write (row_number, error_columns, error_reasons, values) rows; return how many."""
    book = FailuresWorkbook(keys)
    for row in rows:
        book.add(*row)
    return book.save(target)
