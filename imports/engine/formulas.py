"""Cells a spreadsheet would run as a formula, and the CSV escape that keeps them text. Pure.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return as a formula (OWASP, "CSV injection"). Customer data holds such text
on purpose: every phone number begins with ``+``, a negative number with ``-``, and a name or a
note may begin with ``=``. The editable export (R-E1) must show them as text and the import
must read them back unchanged.

Decisions (R-E1, R-T2):
- xlsx: such a cell is written unchanged, as a text cell with Excel's quote prefix (the
  ``quotePrefix`` cell style): shown as text, kept as text when edited, and its value is the
  value, so the import needs nothing.
- CSV has no styles, so the cell gets OWASP's leading apostrophe: ``'+821020203030``. A
  spreadsheet that opens the file either takes the apostrophe as its text marker (it hides it,
  and saves the cell without it) or shows it (and saves it): the importer reads a CSV cell whose
  apostrophes are followed by a trigger character without its first apostrophe, so both come
  back as the original value. Text that itself begins with apostrophes and a trigger
  (``'=x``) gets one more apostrophe, so the escape is exact both ways: ``csv_unescape``
  undoes ``csv_escape`` for every string, and leaves every other cell alone.
- Every CSV import unescapes, not only this product's own files: the apostrophe before a
  trigger character is the escape other systems' exports write too, and a spreadsheet saving
  a CSV never writes the text marker a manager typed. A value meant to begin with ``'=`` is
  written ``''=``. Quoting alone (``"=1+1"``) was not chosen: the quotes are CSV syntax, and a
  spreadsheet still runs the formula.
- xlsx imports do not unescape: a workbook cell carries no marker in its value.
"""

import re
from typing import Final

TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
_GUARDED: Final = re.compile(r"'*[=+\-@\t\r]")
_FIRST: Final = frozenset(["'", *TRIGGERS])  # a guarded cell starts with one of these


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet would read the cell as a formula, or its apostrophe as a marker."""
    return text[:1] in _FIRST and _GUARDED.match(text) is not None


def csv_escape(text: str) -> str:
    """The CSV cell of a value: an apostrophe first when ``needs_guard``."""
    return "'" + text if needs_guard(text) else text


def csv_unescape(text: str) -> str:
    """The value of a CSV cell: without the apostrophe ``csv_escape`` added, else unchanged."""
    if text[:1] == "'" and _GUARDED.match(text, 1) is not None:
        return text[1:]
    return text
