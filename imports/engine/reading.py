"""Turn an uploaded CSV or .xlsx file into a header list and a stream of rows.

Pure code, no Django imports. Memory stays constant for CSV whatever the file size; rows are
plain tuples ``(row_number, cells, error)`` so the importer's per-row work stays tiny. This
module opens an upload and reads CSV; encodings.py tells a CSV file's encoding, table.py holds
what every format shares, workbook.py reads .xlsx, quotes.py finds the quote that breaks a CSV
file.

Decisions (R-I14, R-I17, R-I22):
- The format comes from the bytes, never the file name: a zip holding ``xl/workbook.xml`` is
  read as .xlsx (first worksheet in workbook order), anything else as CSV text.
- CSV encoding: a BOM (UTF-8, UTF-16, UTF-32) decides; else NUL bytes in every other position
  of the first 4 KB (ASCII text saved as UTF-16 without a BOM) mean UTF-16 LE or BE, and the
  same decides the byte order of a file named "utf-16" or "utf-32" without a BOM; else the
  first 1 MB block holding a non-ASCII byte is tried as strict UTF-8, then CP949 (kept if
  >= 80% of its non-ASCII characters are common Hangul or Korean symbols); a block that is
  mostly valid UTF-8 is a UTF-8 file with a bad row (refused naming that row); then
  Windows-1252 (kept unless 5%+ of its non-ASCII runs are 4+ characters long, which is CJK
  misread). A pure-ASCII file is "utf-8". Bytes that do not decode are never replaced: the
  file is refused, the row named; an encoding that fails in any other way refuses the file.
- CSV delimiter: comma, semicolon or tab, the most frequent outside quotes in the header line
  (ties and none go to comma), or as an Excel "sep=;" first line declares it.
- CSV quotes: parsed strictly; a quote that never closes, text after a closing quote, or (once
  any cell is quoted) a quote that pairs with no other refuses the file naming the row and
  column (quotes.py), before any row is yielded where the file's quote count tells.
- ``row_number`` is the row as a spreadsheet numbers it: the header is row 1, the first data row
  is 2, one CSV record (even one with quoted line breaks) is one row. Blank rows (every cell "")
  keep their number but are not yielded, so they are neither imported nor counted as failed.
- ``cells`` always has exactly ``len(table.headers)`` items. Trailing blank header cells are
  dropped, and empty cells beyond the header are ignored ("a,b,c," under 3 headers is fine). A
  row with a value beyond the header is yielded cut to the header width with
  ``RAGGED_ROW_LONG_CSV`` / ``RAGGED_ROW_LONG``. A CSV row with fewer cells than the header is
  yielded padded with "" and ``RAGGED_ROW_SHORT``; an .xlsx row is never short, as a
  spreadsheet has no missing cells, only empty ones.
- A CSV cell of apostrophes and then ``=``, ``+``, ``-``, ``@``, tab or CR loses its first
  apostrophe: the guard against formulas that the editable export writes (R-E1, ``formulas.py``).
  An .xlsx cell is read as it is.
- A refusal of the whole file raises ``FileRefused``; ``rows()`` and ``count_rows()`` may raise it
  part-way (a row that is not valid text in the detected encoding, a broken quote), so a run
  counts the rows before it writes anything.
- A table reads from its source on each pass (seeking first, so passes may interleave) and
  closes it only if it opened it from a path.
"""

import codecs
import contextlib
import csv
import io
import os
import re
from collections.abc import Iterator
from itertools import islice
from typing import IO

from .encodings import (
    BOMS_OF,
    MARK,
    MARK_ERRORS,
    SAMPLE_BYTES,
    UNDECODABLE,
    detect_encoding,
    looks_binary,
    utf16_byte_order,
)
from .formulas import csv_unescape
from .quotes import (
    NOT_CLOSED,
    RecordLines,
    Spot,
    opens_a_cell,
    quote_count,
    record_problem,
    refusal_text,
)
from .table import (
    FILE_EMPTY,
    NO_HEADER,
    NOT_A_TABLE,
    RAGGED_ROW_LONG,
    RAGGED_ROW_SHORT,
    FileRefused,
    Row,
    SourceReader,
    Table,
    descriptor,
    read_at,
)
from .workbook import (  # noqa: F401  (re-exported)
    XLSX_TOO_LARGE_EXPANDED,
    XLSX_TOO_MANY_PARTS,
    XLSX_UNREADABLE,
    XlsxTable,
)

MAX_FILE_BYTES = 100 * 1024 * 1024
READ_BUFFER_BYTES = 1024 * 1024

FILE_TOO_LARGE = "The file is larger than 100 MB. Split it into smaller files and import each."
FILE_NO_DATA_ROWS = (
    "The file has a header row but no customers. Add one customer per row below the header "
    "and upload it again."
)
OLD_EXCEL = (
    "Old Excel (.xls) files and password-protected workbooks cannot be imported. Save it as "
    ".xlsx without a password, or as CSV UTF-8, and upload it again."
)
UNDECODABLE_ROW = (
    "Row {row} has characters that are not valid {encoding} text. Save the file as CSV UTF-8 "
    "and upload it again."
)
CSV_MALFORMED = (
    'Row {row} could not be read: its quotes (") do not pair up. Fix the quotes in that row '
    "and upload the file again."
)
RAGGED_ROW_LONG_CSV = RAGGED_ROW_LONG + (
    " A value that contains the delimiter (such as a comma) must be in double quotes."
)

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32": "UTF-32",
    "utf-32-le": "UTF-32",
    "utf-32-be": "UTF-32",
    "cp949": "Korean (CP949)",
    "euc_kr": "Korean (EUC-KR)",
    "cp1252": "Western (Windows-1252)",
}
DELIMITERS = (",", ";", "\t")

Source = IO[bytes] | str | os.PathLike[str]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# ASCII-compatible encodings in which a 0x22 byte is always a quote, never part of a character.
_QUOTE_SAFE_ENCODINGS = frozenset(
    {"utf-8", "utf-8-sig", "ascii", "latin-1", "cp949", "euc_kr", "cp1252", "iso8859-15"}
)


_SEP_LINE = re.compile(r"sep=(.)(?:\r\n|\r|\n|$)")


def open_table(
    source: Source, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    """Open a CSV or .xlsx upload (told apart by its bytes) or raise FileRefused."""
    if delimiter is not None and len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character, not {delimiter!r}")
    if encoding is not None:
        "".encode(encoding)  # LookupError for an unknown name or a codec that is not text
        encoding = codecs.lookup(encoding).name
    owns_source = isinstance(source, str | os.PathLike)
    if owns_source:
        stream: IO[bytes] = open(source, "rb")  # noqa: SIM115  (Table.close closes it)
    else:
        stream = source
    try:
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        if size > MAX_FILE_BYTES:
            raise FileRefused(FILE_TOO_LARGE)
        if size == 0:
            raise FileRefused(FILE_EMPTY)
        stream.seek(0)
        head = stream.read(SAMPLE_BYTES)
        if head.startswith(_ZIP_MAGIC):
            table: Table = XlsxTable(stream, owns_source=owns_source)
        elif head.startswith(_OLE2_MAGIC):
            raise FileRefused(OLD_EXCEL)
        else:
            table = _CsvTable(
                stream,
                head=head,
                size=size,
                encoding=encoding,
                delimiter=delimiter,
                owns_source=owns_source,
            )
        rows = table.rows()
        try:
            if next(rows, None) is None:
                raise FileRefused(FILE_NO_DATA_ROWS)
        finally:
            rows.close()
        return table
    except BaseException:
        if owns_source:
            stream.close()
        raise


class _CsvTable(Table):
    format = "csv"
    _short_row = RAGGED_ROW_SHORT
    _long_row = RAGGED_ROW_LONG_CSV

    def __init__(
        self,
        source: IO[bytes],
        *,
        head: bytes,
        size: int,
        encoding: str | None,
        delimiter: str | None,
        owns_source: bool,
    ) -> None:
        super().__init__(source, owns_source=owns_source)
        is_known_bad = False
        if encoding is None:
            encoding, is_known_bad = detect_encoding(source, head=head, size=size)
        elif encoding in ("utf-16", "utf-32") and not head.startswith(BOMS_OF[encoding]):
            # Python's "utf-16" and "utf-32" insist on a BOM; without one, the bytes tell.
            encoding = f"{encoding}-{utf16_byte_order(head) or 'le'}"
        self.encoding = encoding
        if self.encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8-sig"
        if not self.encoding.startswith(("utf-16", "utf-32")) and looks_binary(head):
            raise FileRefused(NOT_A_TABLE)
        decoder = codecs.getincrementaldecoder(self.encoding)(MARK_ERRORS)
        try:
            head_text = decoder.decode(head, len(head) == size).removeprefix("\ufeff")
        except UnicodeError:
            raise FileRefused(UNDECODABLE) from None
        # Excel reads and hides a first line "sep=;" that names the delimiter.
        declared = _SEP_LINE.match(head_text)
        self._preamble = 1 if declared else 0
        if delimiter is None:
            delimiter = declared.group(1) if declared else _detect_delimiter(head_text)
        self.delimiter = delimiter
        # Strict: a quote that never closes, or text after a closing quote, is an error (see
        # quotes.py) rather than cells and rows silently joined.
        self._dialect = {
            "delimiter": delimiter,
            "quotechar": '"',
            "doublequote": True,
            "strict": True,
        }
        self._quotes_pair = False
        if is_known_bad:
            raise self._undecodable()
        self._read_header()

    def rows(self, start_after_row_number: int = 0) -> Iterator[Row]:
        self._check_quotes_pair()
        width = len(self.headers)
        fit = self._fit
        number = 1
        with self._text() as text:
            reader = csv.reader(text, **self._dialect)
            try:
                for _ in range(self._preamble + 1):
                    next(reader, None)
                skipped = islice(reader, max(start_after_row_number - 1, 0))
                for number, _ in enumerate(skipped, 2):  # noqa: B007
                    pass
                numbered = enumerate(reader, number + 1)
                for number, cells in numbered:
                    if len(cells) == width:
                        if any(cells):
                            yield number, _unguarded(cells), None
                    elif any(cells):
                        yield fit(number, _unguarded(cells))
            except UnicodeError:
                raise self._undecodable() from None
            except csv.Error:
                raise self._quote_refusal(parity=False) from None

    def count_rows(self) -> int:
        self._check_quotes_pair()
        with self._text() as text:
            reader = csv.reader(text, **self._dialect)
            try:
                for _ in range(self._preamble + 1):
                    next(reader, None)
                return sum(map(any, reader))
            except UnicodeError:
                raise self._undecodable() from None
            except csv.Error:
                pass
        # The fast count cannot tell which row broke; the full pass raises naming it.
        for _ in self.rows():
            pass
        raise AssertionError("unreachable: rows() raises the csv error")

    @contextlib.contextmanager
    def _text(self, errors: str = "strict") -> Iterator[io.TextIOWrapper]:
        buffered = io.BufferedReader(SourceReader(self._source), READ_BUFFER_BYTES)
        text = io.TextIOWrapper(buffered, encoding=self.encoding, errors=errors, newline="")
        try:
            yield text
        finally:
            text.close()

    def _read_header(self) -> None:
        with self._text() as text:
            reader = csv.reader(text, **self._dialect)
            try:
                for _ in range(self._preamble):
                    next(reader, None)
                header = next(reader, [])
                if header:
                    header[0] = header[0].removeprefix("\ufeff")
                if not any(cell.strip() for cell in header):
                    has_content = any(any(cell.strip() for cell in cells) for cells in reader)
                    raise FileRefused(NO_HEADER if has_content else FILE_EMPTY)
            except UnicodeError:
                raise self._undecodable() from None
            except csv.Error:
                raise self._quote_refusal(parity=False) from None
        self._set_headers(header)

    def _check_quotes_pair(self) -> None:
        """Refuse the file if a quote pairs with no other once cells are quoted (quotes.py)."""
        if self._quotes_pair:
            return
        if quote_count(self._blocks()) % 2 and opens_a_cell(self._blocks(), self.delimiter):
            raise self._quote_refusal(parity=True)
        self._quotes_pair = True

    def _blocks(self) -> Iterator[bytes | str]:
        """The file in blocks: bytes where a 0x22 byte is always a quote, else decoded text."""
        if self.encoding not in _QUOTE_SAFE_ENCODINGS:
            with self._text() as text:
                while block := text.read(READ_BUFFER_BYTES):
                    yield block
            return
        position = 0
        fd = descriptor(self._source)
        while True:
            block = read_at(self._source, fd, position, READ_BUFFER_BYTES)
            if not block:
                return
            yield block.removeprefix(codecs.BOM_UTF8) if position == 0 else block
            position += len(block)

    def _quote_refusal(self, *, parity: bool) -> FileRefused:
        """Find the first row whose quotes break it (or, with ``parity``, do not pair)."""
        limit = csv.field_size_limit()
        headers = getattr(self, "headers", [])
        with self._text() as text:
            lines = RecordLines(text)
            reader = csv.reader(lines, **self._dialect)
            number = -self._preamble
            try:
                while True:
                    number += 1
                    try:
                        next(reader)
                    except StopIteration:
                        break
                    except csv.Error:
                        spot = record_problem(lines.take(), self.delimiter, limit)
                        spot = spot or Spot(0, 0, NOT_CLOSED)
                        return FileRefused(refusal_text(spot, number, headers, limit))
                    record = lines.take()
                    if parity and record.count('"') % 2:
                        spot = record_problem(record, self.delimiter, limit)
                        if spot is not None:
                            return FileRefused(refusal_text(spot, number, headers, limit))
            except UnicodeError:
                return self._undecodable()
        return FileRefused(CSV_MALFORMED.format(row=number))

    def _undecodable(self) -> FileRefused:
        """Find the first row holding bytes the encoding cannot decode, to name it."""
        assert self.encoding is not None
        name = ENCODING_NAMES.get(self.encoding, self.encoding)
        with self._text(errors=MARK_ERRORS) as text:
            try:
                numbered = enumerate(csv.reader(text, **self._dialect), 1 - self._preamble)
                for number, cells in numbered:
                    if any(MARK in cell for cell in cells):
                        return FileRefused(UNDECODABLE_ROW.format(row=number, encoding=name))
            except (csv.Error, UnicodeError):
                pass
        return FileRefused(UNDECODABLE)


def _unguarded(cells: list[str]) -> list[str]:
    """The cells without the apostrophe that guards a formula-like value (``formulas.py``)."""
    if "'" not in "".join(cells):
        return cells
    return [csv_unescape(cell) for cell in cells]


def _detect_delimiter(text: str) -> str:
    """The most frequent of comma, semicolon and tab outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "\r\n":
            break
        elif char in counts:
            counts[char] += 1
    best = max(counts, key=counts.__getitem__)  # the first on ties: comma wins
    return best if counts[best] else ","
