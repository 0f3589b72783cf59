"""Read the first worksheet of an .xlsx upload as rows of text, as a manager typed them.

Pure code, no Django imports. See reading.py for the decisions every format follows.

Decisions:
- openpyxl's ``load_workbook(read_only=True)`` is not used as is: at open it scans every
  worksheet that lacks a ``<dimension>`` element (files written by openpyxl itself, such as a
  failed-rows download) from end to end, and while streaming it keeps a dict per row that has a
  height or style, so memory grows with the file. `XlsxTable` uses its reader and sheet parser
  instead, on the first worksheet only.
- `_SheetStream` searches each block once for Excel's ``_xHHHH_`` escapes and for formulas, so a
  sheet without them costs no work per cell; its ``on_formula`` is called when the first block
  holding a formula is read, before the parser reads its cells.
- A formula cell without a stored value reads as FORMULA_WITHOUT_VALUE (`_check_formulas`): with
  ``data_only`` openpyxl gives None, an empty cell, which "clear" would take to erase data.
"""

import datetime
import decimal
import warnings
import zipfile
from collections.abc import Callable, Iterator
from itertools import chain
from typing import IO

from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import ARC_STYLE, SHARED_STRINGS

from .table import (
    FILE_EMPTY,
    FORMULA_WITHOUT_VALUE,
    NO_HEADER,
    NOT_A_TABLE,
    FileRefused,
    Row,
    SourceReader,
    Table,
)
from .workbook_parts import SharedStrings, read_number_formats, read_shared_strings, unescape

# openpyxl warns about what it does not keep of a workbook (extensions, a missing default
# style, a date out of range); an upload is only read, so those warnings tell no one anything and
# must not reach the command's standard error.
warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")

# Zip-bomb limits. A 100 MB workbook unpacks to about 1 GB at most (sheet XML compresses 8-12:1),
# and streaming the sheet costs time, not memory, so the total is capped at 2 GiB. Parts other
# than worksheets (shared strings, styles, the workbook) are read whole, so each is capped at
# 256 MiB. Deflate reaches about 1000:1 on junk, so a part packed tighter than 200:1 is refused
# once it unpacks to more than 1 MiB if it is read whole, 64 MiB if it is a streamed worksheet.
XLSX_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
XLSX_MAX_LOADED_PART_BYTES = 256 * 1024 * 1024
XLSX_MAX_RATIO = 200
XLSX_RATIO_CHECKED_ABOVE_BYTES = 64 * 1024 * 1024
XLSX_LOADED_RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024
XLSX_MAX_MEMBERS = 10_000

XLSX_TOO_LARGE_EXPANDED = (
    "The Excel file is too large once unpacked (over 2 GB, or packed suspiciously tightly). "
    "Split it into smaller files, or save it as CSV UTF-8, and upload it again."
)
XLSX_TOO_MANY_PARTS = (
    "The Excel file is made of more than 10,000 parts, far more than a workbook of customers "
    "needs. Save it as CSV UTF-8, or copy the customers into a new workbook, and upload it again."
)
XLSX_UNREADABLE = (
    "We could not read this Excel file. Open it in Excel, save it again as .xlsx or as "
    "CSV UTF-8, and upload it again."
)


class XlsxTable(Table):
    """The first worksheet of a workbook, streamed row by row."""

    format = "xlsx"

    def __init__(self, source: IO[bytes], *, owns_source: bool) -> None:
        super().__init__(source, owns_source=owns_source)
        _check_xlsx_archive(SourceReader(source))
        try:
            reader = ExcelReader(
                SourceReader(source), read_only=True, data_only=True, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise FileRefused(XLSX_UNREADABLE) from exc
        self._archive = reader.archive
        try:
            try:
                reader.read_manifest()
                reader.read_workbook()
                sheet_paths = [
                    rel.target
                    for _, rel in reader.parser.find_sheets()
                    if rel.target in reader.valid_files and "chartsheet" not in rel.Type
                ]
                if not sheet_paths:
                    raise FileRefused(XLSX_UNREADABLE)
                dates, durations = self._number_formats()
                self._strings = self._shared_strings(reader.package)
            except FileRefused:
                raise
            except Exception as exc:
                raise FileRefused(XLSX_UNREADABLE) from exc
            self._sheet_path = sheet_paths[0]
            self._parser_options = {
                "data_only": True,
                "epoch": reader.wb.epoch,
                "date_formats": dates,
                "timedelta_formats": durations,
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

    def _number_formats(self) -> tuple[set[int], set[int]]:
        if ARC_STYLE not in self._archive.namelist():
            return set(), set()
        with self._archive.open(ARC_STYLE) as xml:
            return read_number_formats(xml)

    def _shared_strings(self, package) -> SharedStrings:
        part = package.find(SHARED_STRINGS)
        if part is None:
            return SharedStrings()
        with self._archive.open(part.PartName[1:]) as xml:
            return read_shared_strings(xml)

    def _values(self) -> Iterator[tuple[int, list[object]]]:
        """``(row_number, values)`` for each row stored in the sheet; empty rows may be absent."""
        try:
            with self._archive.open(self._sheet_path) as member:
                xml = _SheetStream(member, escapes=self._strings.has_escapes)
                parser = WorkSheetParser(xml, self._strings, **self._parser_options)
                xml.on_formula = lambda: _check_formulas(parser)
                heights = parser.row_dimensions
                last = 0
                for number, cells in parser.parse():
                    if heights:
                        heights.clear()
                    if number <= last:  # rows out of order: skipped, as openpyxl does
                        continue
                    last = number
                    row: list[object] = [None] * max((c["column"] for c in cells), default=0)
                    if xml.escapes:
                        for cell in cells:
                            value = cell["value"]
                            if type(value) is str and "_x" in value:
                                value = unescape(value)
                            row[cell["column"] - 1] = value
                    else:
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


class _SheetStream:
    """The sheet part as the XML parser reads it, noting whether escapes and formulas appeared."""

    def __init__(self, member: IO[bytes], *, escapes: bool) -> None:
        self._member = member
        self._tail = b""
        self.escapes = escapes
        self.on_formula: Callable[[], None] | None = None

    def read(self, size: int = -1) -> bytes:
        data = self._member.read(size)
        seen = self._tail + data
        if not self.escapes and b"_x" in seen:
            self.escapes = True
        if self.on_formula is not None and any(mark in seen for mark in _FORMULA_MARKS):
            self.on_formula()
            self.on_formula = None
        self._tail = data[-2:]
        return data


# <f>, <f t="shared" ...>, or a prefixed <x:f>: the formula element (or, rarely, another name
# starting with f, which only costs the check below).
_FORMULA_MARKS = (b"<f", b":f>", b":f ")


def _check_formulas(parser: WorkSheetParser) -> None:
    """From now on, a formula cell without a stored value reads as FORMULA_WITHOUT_VALUE."""
    parse_cell = parser.parse_cell

    def parse_cell_checking_formulas(element):
        cell = parse_cell(element)
        if (
            cell["value"] is None
            and element.find(FORMULA_TAG) is not None
            and element.find(VALUE_TAG) is None
        ):
            cell["value"] = FORMULA_WITHOUT_VALUE
        return cell

    parser.parse_cell = parse_cell_checking_formulas


def _check_xlsx_archive(source: IO[bytes]) -> None:
    """Refuse a zip that is no workbook, or that would unpack to too much (a zip bomb)."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefused(XLSX_UNREADABLE) from exc
    if len(members) > XLSX_MAX_MEMBERS:
        raise FileRefused(XLSX_TOO_MANY_PARTS)
    if not any(member.filename == "xl/workbook.xml" for member in members):
        raise FileRefused(NOT_A_TABLE)
    # zipfile stops a member at its declared size (and then fails its CRC), so declared sizes
    # bound what can be unpacked from it.
    total = 0
    for member in members:
        size = member.file_size
        total += size
        streamed = member.filename.startswith("xl/worksheets/")
        ratio_floor = (
            XLSX_RATIO_CHECKED_ABOVE_BYTES if streamed else XLSX_LOADED_RATIO_CHECKED_ABOVE_BYTES
        )
        if (size > XLSX_MAX_LOADED_PART_BYTES and not streamed) or (
            size > ratio_floor and size > XLSX_MAX_RATIO * max(member.compress_size, 1)
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
