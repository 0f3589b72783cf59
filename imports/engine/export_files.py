"""The editable export's files (R-E1), CSV or .xlsx, streamed as bytes. Pure.

Rows come in as the cell texts the import reads back (``imports.resources``); this module only
lays them out and guards the cells a spreadsheet would run as formulas (``formulas.py``).

Decisions (R-E1, R-I22):
- CSV: UTF-8 with a BOM (Excel reads UTF-8 without one in the computer's code page, which
  turns Korean names into mojibake; the importer takes either), comma-separated, CRLF line
  ends (RFC 4180), quotes only where a cell needs them. A line break inside a value stays
  as it is, inside quotes.
- xlsx: one sheet of text cells, the header bold and frozen, each column as wide as its
  header and the first rows' values (up to 60 characters); see ``xlsx_stream.py``.
- Both are generators of chunks of about 256 KB, so a web download and the command stream a
  million customers in flat memory.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Final

from .formulas import csv_escape, needs_guard
from .xlsx_stream import CHUNK_BYTES, xlsx_stream

CSV: Final = "csv"
XLSX: Final = "xlsx"
FORMATS: Final = (XLSX, CSV)
CONTENT_TYPES: Final = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_UNKNOWN: Final = "Choose the file format: xlsx or csv."
WIDTH_SAMPLE_ROWS: Final = 100
MIN_WIDTH: Final = 12
MAX_WIDTH: Final = 60


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """Yield the bytes of a UTF-8 CSV (with a BOM): the header line, then one line a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    write = writer.writerow
    for count, cells in enumerate(rows, start=1):
        write([csv_escape(text) if text else text for text in cells])
        if count % 1000 == 0 and buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _widths(headers: Sequence[str], sample: list[Sequence[str]]) -> list[int]:
    widths = [max(len(header), MIN_WIDTH) for header in headers]
    for cells in sample:
        for i, text in enumerate(cells):
            widths[i] = max(widths[i], min(len(text), MAX_WIDTH))
    return [width + 2 for width in widths]


def export_stream(
    file_format: str, headers: Sequence[str], rows: Iterable[Sequence[str]], *, sheet_title: str
) -> Iterator[bytes]:
    """Yield the bytes of the export file in ``file_format`` (``csv`` or ``xlsx``)."""
    if file_format == CSV:
        return csv_stream(headers, rows)
    if file_format != XLSX:
        raise ValueError(FORMAT_UNKNOWN)
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    return xlsx_stream(
        headers,
        chain(sample, rows),
        sheet_title=sheet_title,
        guard=needs_guard,
        widths=_widths(headers, sample),
    )
