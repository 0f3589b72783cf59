"""The parts of an .xlsx file read whole before its sheet: number formats and shared strings.

Pure code, no Django imports. openpyxl's own readers build an object for each style and keep a
Python string for each shared string, so a small hostile file takes minutes and gigabytes to
open (bench/README.md). These read only what a reader of cell values needs, stream the XML in
flat memory, and stop at what no real workbook holds.

Decisions (R-I4, R-I17: any file up to 100 MB is refused or read in under 300 MB):
- Styles: only which cell formats show dates or durations matter, decided as openpyxl decides
  it. At most 64,000 cell formats (Excel's own limit) and 1,000,000 elements in the part.
- Shared strings: packed as UTF-8 in one buffer with a 4-byte offset each (instead of some 60
  bytes a Python string), at most 4,000,000 of them and 128 MiB of text.
- Excel writes characters XML cannot hold as ``_xHHHH_`` (``ABC_x000D_`` for a carriage
  return); ``unescape`` decodes them, so a text reads the same from .xlsx as from CSV.
  ``_x005F_`` is an underscore (so ``_x005F_x000D_`` is the text "_x000D_"), and an escaped
  surrogate pair is one character. `SharedStrings` keep them; the sheet's reader decodes them.
"""

import re
from array import array
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import iterparse
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.xml.constants import SHEET_MAIN_NS

from .table import FileRefused

XLSX_MAX_CELL_FORMATS = 64_000
XLSX_MAX_STYLE_ELEMENTS = 1_000_000
XLSX_MAX_SHARED_STRINGS = 4_000_000
XLSX_MAX_SHARED_STRING_BYTES = 128 * 1024 * 1024

XLSX_TOO_MANY_STYLES = (
    "The Excel file has more cell formats than Excel itself allows (64,000). Open it in Excel, "
    "save it as CSV UTF-8, and upload that file."
)
XLSX_TOO_MUCH_TEXT = (
    "The Excel file holds too much different text to be read here (over 4,000,000 different "
    "texts, or 128 MB of them). Save it as CSV UTF-8, or split it into smaller files, and "
    "upload it again."
)

_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NS = f"{{{SHEET_MAIN_NS}}}"
_NUM_FMT, _CELL_XFS, _XF = f"{_NS}numFmt", f"{_NS}cellXfs", f"{_NS}xf"
# expat's names, with namespace_separator=" "
_SI, _T, _PHONETIC = f"{SHEET_MAIN_NS} si", f"{SHEET_MAIN_NS} t", f"{SHEET_MAIN_NS} rPh"


class SharedStrings:
    """The workbook's shared strings, indexed as the sheet refers to them, escapes included."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("I")
        self._view = memoryview(b"")
        self.has_escapes = False

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        end = self._ends[index]
        start = self._ends[index - 1] if index else 0
        return str(self._view[start:end], "utf-8", "surrogatepass")

    def _append(self, text: str) -> None:
        self._data += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def _freeze(self) -> None:
        self._view = memoryview(self._data)


def read_shared_strings(xml: IO[bytes]) -> SharedStrings:
    """Each ``<si>``'s text: its plain text and its runs' (not its phonetic guide's)."""
    reader = _StringsReader()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.ParseFile(xml)
    reader.strings._freeze()
    return reader.strings


class _StringsReader:
    """expat's handlers for sharedStrings.xml (faster than building a tree)."""

    def __init__(self) -> None:
        self.strings = SharedStrings()
        self.parts: list[str] = []
        self.in_text = False
        self.phonetic = 0

    def start(self, name: str, attributes: dict) -> None:
        if name == _T:
            self.in_text = not self.phonetic
        elif name == _PHONETIC:
            self.phonetic += 1

    def end(self, name: str) -> None:
        if name == _T:
            self.in_text = False
        elif name == _SI:
            strings = self.strings
            text = "".join(self.parts)
            strings._append(text)
            self.parts.clear()
            if "_x" in text:
                strings.has_escapes = True
            if len(strings) > XLSX_MAX_SHARED_STRINGS or (
                len(strings._data) > XLSX_MAX_SHARED_STRING_BYTES
            ):
                raise FileRefused(XLSX_TOO_MUCH_TEXT)
        elif name == _PHONETIC:
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if self.in_text:
            self.parts.append(data)


def unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes decoded (``_x000D_`` is a carriage return)."""
    text = _ESCAPE.sub(_escaped, text)
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return text


def _escaped(match: "re.Match[str]") -> str:
    return chr(int(match.group(1), 16))


def read_number_formats(xml: IO[bytes]) -> tuple[set[int], set[int]]:
    """The cell formats (indexes into ``cellXfs``) that show a date, and those a duration."""
    codes: dict[int, str] = {}
    format_ids: list[int] = []
    for element, in_cell_formats in _style_elements(xml):
        if element.tag == _NUM_FMT:
            codes[int(element.get("numFmtId", -1))] = element.get("formatCode", "")
        elif element.tag == _XF and in_cell_formats:
            format_ids.append(int(element.get("numFmtId", 0)))
            if len(format_ids) > XLSX_MAX_CELL_FORMATS:
                raise FileRefused(XLSX_TOO_MANY_STYLES)
    dates, durations = set(), set()
    for index, format_id in enumerate(format_ids):
        code = codes.get(format_id) or BUILTIN_FORMATS.get(format_id)
        if code is not None and is_date_format(code):
            dates.add(index)
        if code is not None and is_timedelta_format(code):
            durations.add(index)
    return dates, durations


def _style_elements(xml: IO[bytes]) -> Iterator[tuple]:
    """Each closed element of styles.xml, and whether it lies in ``cellXfs``, in flat memory."""
    path: list = []
    in_cell_formats = False
    count = 0
    for event, element in iterparse(xml, events=("start", "end")):
        if event == "start":
            path.append(element)
            in_cell_formats = in_cell_formats or element.tag == _CELL_XFS
            continue
        count += 1
        if count > XLSX_MAX_STYLE_ELEMENTS:
            raise FileRefused(XLSX_TOO_MANY_STYLES)
        path.pop()
        yield element, in_cell_formats
        if element.tag == _CELL_XFS:
            in_cell_formats = False
        if path:
            del path[-1][-1]  # dropped from its parent once read: memory stays flat
