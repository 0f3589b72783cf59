"""A marketing list as CSV lines, streamed row by row. Pure: no Django imports.

Decisions:
- UTF-8 with a byte order mark, so a spreadsheet opens Korean names as they are.
- A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`
  so a spreadsheet shows it rather than running it (OWASP CSV injection). Mobile numbers are
  exempt: they are stored in E.164 (`+` and digits only), never a formula, and are written as
  stored so a texting tool reads them.
"""

import csv
from collections.abc import Iterable, Iterator

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like target for csv.writer that hands back each line it is given."""

    def write(self, text: str) -> str:
        return text


def text_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: None is empty, a formula-like start is quoted."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(
    header: list[str], rows: Iterable[tuple], *, raw: frozenset[int] = frozenset()
) -> Iterator[str]:
    """The header and each row as one CSV line; the columns numbered in `raw` are written as is."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(
            ("" if v is None else str(v)) if i in raw else text_cell(v) for i, v in enumerate(row)
        )
