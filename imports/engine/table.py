"""What every opened upload is: cleaned headers and passes over rows, whatever its format.

Pure code, no Django imports. See reading.py for the decisions every format follows.

Decisions:
- `SourceReader` keeps its own position, so several passes (a preview during an import,
  zipfile's member streams, a count in this process while a forked child parses) can share one
  source: a file with a descriptor is read with ``pread`` (the descriptor's offset is shared
  with the forked child), any other object by seeking before each read.
"""

import io
import os
from collections.abc import Iterator
from itertools import islice
from typing import IO

from .headers import clean_headers

FILE_EMPTY = (
    "The file is empty. Upload a CSV or Excel (.xlsx) file with the column names in row 1 "
    "and one customer per row below it."
)
NO_HEADER = (
    "Row 1 of the file is empty. Put the column names in row 1 and the customers below it, "
    "then upload it again."
)
NOT_A_TABLE = (
    "This is not a CSV or Excel (.xlsx) file. Save it from your spreadsheet as CSV UTF-8 "
    "or .xlsx and upload it again."
)
RAGGED_ROW_SHORT = (
    "The row has only {cells} of the header's {columns} columns. Add the missing cells (empty "
    "ones are fine), or check for a line break or delimiter that split the row."
)
RAGGED_ROW_LONG = (
    "The row has values in {cells} columns but the header names only {columns}. Give the extra "
    "columns a name in row 1 or remove their values."
)

# The text of a cell holding a formula whose value was never computed (a workbook written by a
# program that does not calculate). No cell parser accepts it (it holds NUL), so a row fails
# where it is mapped, with FORMULA_NOT_COMPUTED, and an unmapped one is ignored as any cell is.
FORMULA_WITHOUT_VALUE = "\x00(a formula without a computed value)\x00"
FORMULA_NOT_COMPUTED = (
    "A formula without a computed value: open and save the file in Excel, then upload it again"
)

Row = tuple[int, list[str], str | None]


class FileRefused(Exception):
    """The whole file cannot be imported; ``message`` tells the manager what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Table:
    """An opened upload: cleaned headers and passes over its rows."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    headers: list[str]
    raw_headers: list[str]
    _short_row: str | None = None
    _long_row = RAGGED_ROW_LONG

    def __init__(self, source: IO[bytes], *, owns_source: bool) -> None:
        self._source = source
        self._owns_source = owns_source

    def rows(self, start_after_row_number: int = 0) -> Iterator[Row]:
        """Yield ``(row_number, cells, error)`` for each non-blank row after the given one."""
        raise NotImplementedError

    def preview(self, n: int = 30) -> list[Row]:
        """Return the first n data rows with all columns (R-I6)."""
        rows = self.rows()
        try:
            return list(islice(rows, n))
        finally:
            rows.close()

    def count_rows(self) -> int:
        """Return how many rows ``rows()`` yields, reading the whole file once."""
        return sum(1 for _ in self.rows())

    def close(self) -> None:
        """Release the file if this table opened it from a path."""
        if self._owns_source:
            self._source.close()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _set_headers(self, raw: list[str]) -> None:
        width = len(raw)
        while width and not raw[width - 1].strip():
            width -= 1
        self.raw_headers = raw[:width]
        self.headers = clean_headers(self.raw_headers)

    def _fit(self, number: int, cells: list[str]) -> Row:
        """Make cells exactly as wide as the header, flagging a row that does not fit."""
        width = len(self.headers)
        count = len(cells)
        if count < width:
            short = self._short_row
            error = short.format(cells=count, columns=width) if short else None
            return number, cells + [""] * (width - count), error
        used = count
        while used > width and not cells[used - 1]:
            used -= 1
        error = self._long_row.format(cells=used, columns=width) if used > width else None
        return number, cells[:width], error


class SourceReader(io.RawIOBase):
    """A seekable raw file, its own position, over any read/seek/tell object; never closes it."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self._fd = descriptor(source)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._position
        elif whence == os.SEEK_END:
            self._source.seek(0, os.SEEK_END)
            offset += self._source.tell()
        self._position = offset
        return offset

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = read_at(self._source, self._fd, self._position, len(buffer))
        count = len(data)
        buffer[:count] = data
        self._position += count
        return count


def descriptor(source: IO[bytes]) -> int | None:
    """The source's file descriptor, if it is an operating-system file."""
    try:
        return source.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None


def read_at(source: IO[bytes], fd: int | None, position: int, size: int) -> bytes:
    """Up to ``size`` bytes of the source from ``position``, whatever its current offset."""
    if fd is not None:
        return os.pread(fd, size, position)
    source.seek(position)
    return source.read(size)
