"""Turn an uploaded CSV or .xlsx file into a header list and a stream of rows.

Pure code, no Django imports. Memory stays constant for CSV whatever the file size; rows are
plain tuples ``(row_number, cells, error)`` so the importer's per-row work stays tiny.

Decisions (R-I14, R-I17, R-I22):
- The format comes from the bytes, never the file name: a zip holding ``xl/workbook.xml`` is
  read as .xlsx (first worksheet in workbook order), anything else as CSV text.
- CSV encoding: a BOM (UTF-8, UTF-16, UTF-32) decides; else the first 1 MB block holding a
  non-ASCII byte is tried as strict UTF-8, then CP949 (kept if >= 80% of its non-ASCII
  characters are common Hangul or Korean symbols); a block that is mostly valid UTF-8 is a
  UTF-8 file with a bad row (refused naming that row); then Windows-1252 (kept unless 5%+ of
  its non-ASCII runs are 4+ characters long, which is CJK misread). A pure-ASCII file is
  "utf-8". Bytes that do not decode are never replaced: the file is refused, the row named.
- CSV delimiter: comma, semicolon or tab, the most frequent outside quotes in the header line
  (ties and none go to comma), or as an Excel "sep=;" first line declares it.
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
  part-way (a row that is not valid text in the detected encoding, a never-closed quote), so run
  ``count_rows()`` at upload time to learn of those before the import starts.
- A table reads from its source on each pass (seeking first, so passes may interleave) and
  closes it only if it opened it from a path.
"""

import codecs
import contextlib
import csv
import datetime
import decimal
import io
import os
import re
import zipfile
from collections.abc import Iterator
from itertools import chain, islice
from typing import IO

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import WorkSheetParser

from .formulas import csv_unescape
from .headers import clean_headers

MAX_FILE_BYTES = 100 * 1024 * 1024
# Zip-bomb limits. A 100 MB workbook unpacks to about 1 GB at most (sheet XML compresses 8-12:1),
# and streaming the sheet costs time, not memory, so the total is capped at 2 GiB. Parts other
# than worksheets (shared strings, styles) are loaded whole, so each is capped at 256 MiB.
# Deflate reaches about 1000:1 on junk, so a member packed tighter than 200:1 is refused once it
# unpacks to more than 64 MiB (small members are harmless whatever their ratio).
XLSX_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
XLSX_MAX_LOADED_PART_BYTES = 256 * 1024 * 1024
XLSX_MAX_RATIO = 200
XLSX_RATIO_CHECKED_ABOVE_BYTES = 64 * 1024 * 1024
XLSX_MAX_MEMBERS = 10_000

SAMPLE_BYTES = 1024 * 1024
READ_BUFFER_BYTES = 1024 * 1024

FILE_TOO_LARGE = "The file is larger than 100 MB. Split it into smaller files and import each."
FILE_EMPTY = (
    "The file is empty. Upload a CSV or Excel (.xlsx) file with the column names in row 1 "
    "and one customer per row below it."
)
FILE_NO_DATA_ROWS = (
    "The file has a header row but no customers. Add one customer per row below the header "
    "and upload it again."
)
NO_HEADER = (
    "Row 1 of the file is empty. Put the column names in row 1 and the customers below it, "
    "then upload it again."
)
NOT_A_TABLE = (
    "This is not a CSV or Excel (.xlsx) file. Save it from your spreadsheet as CSV UTF-8 "
    "or .xlsx and upload it again."
)
OLD_EXCEL = (
    "Old Excel (.xls) files and password-protected workbooks cannot be imported. Save it as "
    ".xlsx without a password, or as CSV UTF-8, and upload it again."
)
UNDECODABLE = (
    "We could not read the file's text encoding. Save it as CSV UTF-8 and upload it again."
)
UNDECODABLE_ROW = (
    "Row {row} has characters that are not valid {encoding} text. Save the file as CSV UTF-8 "
    "and upload it again."
)
CSV_MALFORMED = (
    "Row {row} could not be read: a cell there runs on for more than {limit:,} characters, "
    'usually because a quote (") is opened but never closed. Fix the quotes in that row and '
    "upload the file again."
)
XLSX_TOO_LARGE_EXPANDED = (
    "The Excel file is too large once unpacked (over 2 GB, or packed suspiciously tightly). "
    "Split it into smaller files, or save it as CSV UTF-8, and upload it again."
)
XLSX_UNREADABLE = (
    "We could not read this Excel file. Open it in Excel, save it again as .xlsx or as "
    "CSV UTF-8, and upload it again."
)
RAGGED_ROW_SHORT = (
    "The row has only {cells} of the header's {columns} columns. Add the missing cells (empty "
    "ones are fine), or check for a line break or delimiter that split the row."
)
RAGGED_ROW_LONG = (
    "The row has values in {cells} columns but the header names only {columns}. Give the extra "
    "columns a name in row 1 or remove their values."
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
    "cp949": "Korean (CP949)",
    "euc_kr": "Korean (EUC-KR)",
    "cp1252": "Western (Windows-1252)",
}
DELIMITERS = (",", ";", "\t")

Row = tuple[int, list[str], str | None]
Source = IO[bytes] | str | os.PathLike[str]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab, LF and CR never appear in a spreadsheet's text.
_CONTROL_BYTES = [bytes([b]) for b in (*range(9), 11, 12, *range(14, 32), 127)]
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")


def _euc_kr_chars(leads: range) -> str:
    chars = []
    for lead in leads:
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([lead, trail]).decode("euc_kr"))
    return "".join(chars)


# Korean text saved as CP949 is made of KS X 1001's symbols and jamo (lead bytes A1-AF) and its
# 2,350 common Hangul syllables (B0-C8). Other bytes that happen to decode as CP949 give mostly
# Hanja or the rarer extension syllables.
_KOREAN = re.compile(f"[{re.escape(_euc_kr_chars(range(0xA1, 0xC9)))}]")
_SEP_LINE = re.compile(r"sep=(.)(?:\r\n|\r|\n|$)")
_MARK = "\udcff"
_MARK_ERRORS = "imports.engine.reading.mark"


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    # A lone surrogate cannot come out of a strict decode, so it marks the bad bytes exactly.
    return _MARK, error.end  # type: ignore[attr-defined]


codecs.register_error(_MARK_ERRORS, _mark_undecodable)


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


def open_table(
    source: Source, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    """Open a CSV or .xlsx upload (told apart by its bytes) or raise FileRefused."""
    if delimiter is not None and len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character, not {delimiter!r}")
    if encoding is not None:
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
            table: Table = _XlsxTable(stream, owns_source=owns_source)
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


class _SourceReader(io.RawIOBase):
    """A seekable raw file over any object with read/seek/tell; it never closes that object.

    It keeps its own position and seeks before each read, so several passes (a preview during an
    import, zipfile's member streams) can share one source.
    """

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
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
        self._source.seek(self._position)
        data = self._source.read(len(buffer))
        count = len(data)
        buffer[:count] = data
        self._position += count
        return count


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
            encoding, is_known_bad = _detect_encoding(source, head=head, size=size)
        self.encoding = encoding
        if self.encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8-sig"
        if not self.encoding.startswith(("utf-16", "utf-32")) and _looks_binary(head):
            raise FileRefused(NOT_A_TABLE)
        decoder = codecs.getincrementaldecoder(self.encoding)(_MARK_ERRORS)
        head_text = decoder.decode(head, len(head) == size).removeprefix("\ufeff")
        # Excel reads and hides a first line "sep=;" that names the delimiter.
        declared = _SEP_LINE.match(head_text)
        self._preamble = 1 if declared else 0
        if delimiter is None:
            delimiter = declared.group(1) if declared else _detect_delimiter(head_text)
        self.delimiter = delimiter
        self._dialect = {"delimiter": delimiter, "quotechar": '"', "doublequote": True}
        if is_known_bad:
            raise self._undecodable()
        self._read_header()

    def rows(self, start_after_row_number: int = 0) -> Iterator[Row]:
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
            except UnicodeDecodeError:
                raise self._undecodable() from None
            except csv.Error:
                raise FileRefused(
                    CSV_MALFORMED.format(row=number + 1, limit=csv.field_size_limit())
                ) from None

    def count_rows(self) -> int:
        with self._text() as text:
            reader = csv.reader(text, **self._dialect)
            try:
                for _ in range(self._preamble + 1):
                    next(reader, None)
                return sum(map(any, reader))
            except UnicodeDecodeError:
                raise self._undecodable() from None
            except csv.Error:
                pass
        # The fast count cannot tell which row broke; the full pass raises naming it.
        for _ in self.rows():
            pass
        raise AssertionError("unreachable: rows() raises the csv error")

    @contextlib.contextmanager
    def _text(self, errors: str = "strict") -> Iterator[io.TextIOWrapper]:
        buffered = io.BufferedReader(_SourceReader(self._source), READ_BUFFER_BYTES)
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
            except UnicodeDecodeError:
                raise self._undecodable() from None
            except csv.Error:
                raise FileRefused(
                    CSV_MALFORMED.format(row=1, limit=csv.field_size_limit())
                ) from None
        self._set_headers(header)

    def _undecodable(self) -> FileRefused:
        """Find the first row holding bytes the encoding cannot decode, to name it."""
        assert self.encoding is not None
        name = ENCODING_NAMES.get(self.encoding, self.encoding)
        with self._text(errors=_MARK_ERRORS) as text:
            try:
                numbered = enumerate(csv.reader(text, **self._dialect), 1 - self._preamble)
                for number, cells in numbered:
                    if any(_MARK in cell for cell in cells):
                        return FileRefused(UNDECODABLE_ROW.format(row=number, encoding=name))
            except (csv.Error, UnicodeError):
                pass
        return FileRefused(UNDECODABLE)


def _unguarded(cells: list[str]) -> list[str]:
    """The cells without the apostrophe that guards a formula-like value (``formulas.py``)."""
    if "'" not in "".join(cells):
        return cells
    return [csv_unescape(cell) for cell in cells]


def _detect_encoding(source: IO[bytes], *, head: bytes, size: int) -> tuple[str, bool]:
    """Pick the encoding from a BOM, else from the first block that is not plain ASCII.

    Returns the encoding and whether the file is already known not to decode with it: a file
    that is UTF-8 up to some row is refused naming that row rather than read as another
    encoding.
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, False
    if _looks_binary(head):
        raise FileRefused(NOT_A_TABLE)
    sample, offset = head, 0
    # Only a non-ASCII byte tells encodings apart, and in many files the first one is far down.
    # A block that follows an all-ASCII block starts on a character boundary in every encoding
    # considered here, so it decodes on its own.
    while sample.isascii():
        offset += len(sample)
        if offset >= size:
            return "utf-8", False
        source.seek(offset)
        sample = source.read(SAMPLE_BYTES)
        if not sample:
            return "utf-8", False
    final = offset + len(sample) >= size
    utf8 = codecs.getincrementaldecoder("utf-8")(_MARK_ERRORS).decode(sample, final)
    bad_utf8 = utf8.count(_MARK)
    if not bad_utf8:
        return "utf-8", False
    try:
        korean = codecs.getincrementaldecoder("cp949")().decode(sample, final)
    except UnicodeDecodeError:
        korean = None
    if korean is not None and _is_korean(korean):
        return "cp949", False
    # Mostly valid UTF-8 with some bad bytes is a UTF-8 file with a bad row, not Windows-1252
    # (which would turn every "é" of the good rows into "Ã©").
    if _non_ascii_count(utf8) - bad_utf8 >= bad_utf8:
        return "utf-8", True
    try:
        western = sample.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _is_western(western):
        return "cp1252", False
    raise FileRefused(UNDECODABLE)


def _non_ascii_count(text: str) -> int:
    return sum(len(run) for run in _NON_ASCII_RUN.findall(text))


def _is_korean(text: str) -> bool:
    """At least 80% of the non-ASCII characters are common Hangul or Korean symbols."""
    return 5 * len(_KOREAN.findall(text)) >= 4 * _non_ascii_count(text)


def _is_western(text: str) -> bool:
    """Accented letters come alone or in pairs, not in runs of 4+ (CJK or UTF-8 misread)."""
    runs = _NON_ASCII_RUN.findall(text)
    long_runs = sum(1 for run in runs if len(run) >= 4)
    return 20 * long_runs <= len(runs)


def _looks_binary(head: bytes) -> bool:
    """NUL bytes or many control bytes: an image, archive or other non-text file."""
    if b"\x00" in head:
        return True
    controls = sum(head.count(byte) for byte in _CONTROL_BYTES)
    return controls * 100 > len(head)


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


class _XlsxTable(Table):
    """The first worksheet of a workbook, streamed row by row.

    openpyxl's ``load_workbook(read_only=True)`` is not used as is: at open it scans every
    worksheet that lacks a ``<dimension>`` element (files written by openpyxl itself, such as a
    failed-rows download) from end to end, and while streaming it keeps a dict per row that has a
    height or style, so memory grows with the file. Its own reader and sheet parser are used
    instead, on the first worksheet only.
    """

    format = "xlsx"

    def __init__(self, source: IO[bytes], *, owns_source: bool) -> None:
        super().__init__(source, owns_source=owns_source)
        _check_xlsx_archive(_SourceReader(source))
        try:
            reader = ExcelReader(
                _SourceReader(source), read_only=True, data_only=True, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise FileRefused(XLSX_UNREADABLE) from exc
        self._archive = reader.archive
        try:
            try:
                reader.read_manifest()
                reader.read_strings()
                reader.read_workbook()
                apply_stylesheet(reader.archive, reader.wb)
                sheet_paths = [
                    rel.target
                    for _, rel in reader.parser.find_sheets()
                    if rel.target in reader.valid_files and "chartsheet" not in rel.Type
                ]
            except Exception as exc:
                raise FileRefused(XLSX_UNREADABLE) from exc
            if not sheet_paths:
                raise FileRefused(XLSX_UNREADABLE)
            self._sheet_path = sheet_paths[0]
            self._strings = reader.shared_strings
            self._parser_options = {
                "data_only": True,
                "epoch": reader.wb.epoch,
                "date_formats": reader.wb._date_formats,
                "timedelta_formats": reader.wb._timedelta_formats,
            }
            self._read_header()
        except BaseException:
            self._archive.close()
            raise

    def rows(self, start_after_row_number: int = 0) -> Iterator[Row]:
        width = len(self.headers)
        fit = self._fit
        first = max(start_after_row_number, 1) + 1
        values = self._values()
        try:
            for number, row in values:
                if number < first:
                    continue
                cells = [value if type(value) is str else _cell_text(value) for value in row]
                if not any(cells):
                    continue
                if len(cells) == width:
                    yield number, cells, None
                else:
                    yield fit(number, cells)
        finally:
            values.close()

    def close(self) -> None:
        self._archive.close()
        super().close()

    def _values(self) -> Iterator[tuple[int, list[object]]]:
        """``(row_number, values)`` for each row stored in the sheet; empty rows may be absent."""
        try:
            with self._archive.open(self._sheet_path) as xml:
                parser = WorkSheetParser(xml, self._strings, **self._parser_options)
                heights = parser.row_dimensions
                last = 0
                for number, cells in parser.parse():
                    if heights:
                        heights.clear()
                    if number <= last:  # rows out of order: skipped, as openpyxl does
                        continue
                    last = number
                    row: list[object] = [None] * max((c["column"] for c in cells), default=0)
                    for cell in cells:
                        row[cell["column"] - 1] = cell["value"]
                    yield number, row
        except Exception as exc:  # a damaged sheet part surfaces only while streaming it
            raise FileRefused(XLSX_UNREADABLE) from exc

    def _read_header(self) -> None:
        values = self._values()
        try:
            first = next(values, None)
            header = []
            if first is not None and first[0] == 1:
                header = [_cell_text(value) for value in first[1]]
            if not any(cell.strip() for cell in header):
                rest = values if first is None else chain([first], values)
                has_content = any(
                    any(_cell_text(value).strip() for value in row) for _, row in rest
                )
                raise FileRefused(NO_HEADER if has_content else FILE_EMPTY)
        finally:
            values.close()
        self._set_headers(header)


def _check_xlsx_archive(source: IO[bytes]) -> None:
    """Refuse a zip that is no workbook, or that would unpack to too much (a zip bomb)."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefused(XLSX_UNREADABLE) from exc
    if len(members) > XLSX_MAX_MEMBERS:
        raise FileRefused(XLSX_TOO_LARGE_EXPANDED)
    if not any(member.filename == "xl/workbook.xml" for member in members):
        raise FileRefused(NOT_A_TABLE)
    # zipfile stops a member at its declared size (and then fails its CRC), so declared sizes
    # bound what can be unpacked from it.
    total = 0
    for member in members:
        size = member.file_size
        total += size
        if (
            size > XLSX_MAX_LOADED_PART_BYTES and not member.filename.startswith("xl/worksheets/")
        ) or (
            size > XLSX_RATIO_CHECKED_ABOVE_BYTES
            and size > XLSX_MAX_RATIO * max(member.compress_size, 1)
        ):
            raise FileRefused(XLSX_TOO_LARGE_EXPANDED)
    if total > XLSX_MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(XLSX_TOO_LARGE_EXPANDED)


def _cell_text(value: object) -> str:
    """A cell value as the text a manager would have typed it."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _number_text(value)  # type: ignore[arg-type]
    if kind is datetime.datetime:
        moment = _round_to_second(value)  # type: ignore[arg-type]
        if moment.time() == datetime.time():
            return moment.date().isoformat()
        return moment.isoformat(timespec="seconds")
    if kind is datetime.date:
        return value.isoformat()  # type: ignore[attr-defined]
    if kind is datetime.time:
        moment = datetime.datetime.combine(datetime.date.min, value)  # type: ignore[arg-type]
        return _round_to_second(moment).time().isoformat(timespec="seconds")
    if kind is datetime.timedelta:
        seconds = round(value.total_seconds())  # type: ignore[attr-defined]
        sign = "-" if seconds < 0 else ""
        hours, rest = divmod(abs(seconds), 3600)
        return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return str(value)


def _number_text(value: float) -> str:
    """Excel shows 15 significant digits: 821020203030.0 -> "821020203030", no exponent."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        text = format(decimal.Decimal(text), "f")
    return text


def _round_to_second(moment: datetime.datetime) -> datetime.datetime:
    # openpyxl keeps Excel's float noise: 09:00 may arrive as 08:59:59.999.
    if moment.microsecond >= 500_000:
        moment += datetime.timedelta(seconds=1)
    return moment.replace(microsecond=0)
