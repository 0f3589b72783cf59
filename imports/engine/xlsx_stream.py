"""Write a one-sheet .xlsx workbook of text cells as a stream of bytes. Pure (stdlib only).

Decisions (R-E1):
- openpyxl's write-only mode builds an element per cell, minutes for a million customers
  (bench/README.md). This module writes the sheet's XML directly and the workbook's other
  parts as fixed text. Reading stays with openpyxl (the importer, the tests).
- Every cell is an inline string in a text-formatted column: Excel shows ``0010``,
  ``+821020203030`` and ``2025-05-04`` as written and keeps them text when edited; no shared
  strings table grows in memory. Empty cells are left out.
- A cell for which ``guard`` is true gets a style with Excel's quote prefix, so a value such as
  ``=1+1`` stays text when the cell is edited (see ``formulas.py``).
- Characters XML 1.0 cannot hold (C0 controls other than tab, line feed and carriage return,
  U+FFFE, U+FFFF, lone surrogates) become U+FFFD, as in the failed-rows file: no spreadsheet
  cell holds them; a CSV export keeps them. A carriage return is written ``&#13;``, which XML's
  line-end normalisation keeps.
- The sheet is deflated at level 1: a higher level makes the file only a little smaller and
  takes several times as long (bench/README.md).
- The zip is written forward only (data descriptors), so it streams to a response; entries
  carry a fixed date, so the same rows give the same bytes. No ZIP64: Excel refuses a small
  entry whose streamed header announces ZIP64, and a sheet is capped anyway, at ``MAX_ROWS``
  rows (Excel's limit, the header included) and 2 GiB of XML (zipfile stops there, and the
  importer refuses a workbook that unpacks to more).
"""

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final
from xml.sax.saxutils import quoteattr

from .headers import column_letter

CHUNK_BYTES: Final = 256 * 1024
SHEET_COMPRESSION: Final = 1
MAX_ROWS: Final = 1_048_576
_DATE: Final = (1980, 1, 1, 0, 0, 0)
_MAX_SHEET_TITLE: Final = 31
# cellXfs below: 1 text, 2 text with the quote prefix, 3 bold text (the header)
_TEXT, _GUARDED, _HEADER = 1, 2, 3
_SPECIAL: Final = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_REPLACEMENTS: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}

_CONTENT_TYPES: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_WORKBOOK: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<bookViews><workbookView activeTab="0"/></bookViews>'
    '<sheets><sheet name={title} sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
# Text is built-in number format 49 ("@").
_STYLES: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'quotePrefix="1"/>'
    '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews>"
    '<sheetFormatPr defaultRowHeight="15"/>'
)
_SHEET_TAIL: Final = "</sheetData></worksheet>"


def _replace(match: re.Match[str]) -> str:
    return _REPLACEMENTS.get(match.group(), "\ufffd")


def _xml_text(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(_replace, text)


class _Sink:
    """A forward-only file that hands out what was written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


def _entry(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, _DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode())


def _columns(widths: Sequence[int]) -> str:
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width}" style="{_TEXT}" customWidth="1"/>'
        for n, width in enumerate(widths, start=1)
    )
    return f"<cols>{cols}</cols>" if cols else ""


def _never(text: str) -> bool:
    return False


def _row(
    number: int,
    letters: Sequence[str],
    cells: Sequence[str],
    guard: Callable[[str], bool],
    style: int = _TEXT,
) -> str:
    """One ``<row>``: each non-empty cell an inline string, the guarded ones quote-prefixed."""
    escape = _SPECIAL.search("".join(cells)) is not None
    parts = [f'<row r="{number}">']
    append = parts.append
    for letter, text in zip(letters, cells, strict=False):
        if not text:
            continue
        cell_style = _GUARDED if guard(text) else style
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        if escape:
            text = _xml_text(text)
        append(
            f'<c r="{letter}{number}" s="{cell_style}" t="inlineStr"><is><t{space}>{text}</t>'
            "</is></c>"
        )
    append("</row>")
    return "".join(parts)


def xlsx_stream(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    sheet_title: str,
    guard: Callable[[str], bool],
    widths: Sequence[int] = (),
) -> Iterator[bytes]:
    """Yield the bytes of a workbook: ``headers`` in bold in row 1, frozen, then ``rows``."""
    sink = _Sink()
    letters = [column_letter(i) for i in range(len(headers))]
    title = quoteattr(sheet_title[:_MAX_SHEET_TITLE])
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _entry(archive, "[Content_Types].xml", _CONTENT_TYPES)
        _entry(archive, "_rels/.rels", _ROOT_RELS)
        _entry(archive, "xl/workbook.xml", _WORKBOOK.format(title=title))
        _entry(archive, "xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        _entry(archive, "xl/styles.xml", _STYLES)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", _DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        # zipfile has no public way to set one entry's level before Python 3.13.
        info._compresslevel = SHEET_COMPRESSION  # type: ignore[attr-defined]
        with archive.open(info, "w") as sheet:
            header = _row(1, letters, headers, _never, _HEADER)
            sheet.write(f"{_SHEET_HEAD}{_columns(widths)}<sheetData>{header}".encode())
            batch: list[str] = []
            for number, cells in enumerate(rows, start=2):
                batch.append(_row(number, letters, cells, guard))
                if len(batch) == 1000:
                    sheet.write("".join(batch).encode())
                    batch.clear()
                    if sink.size >= CHUNK_BYTES:
                        yield sink.take()
            sheet.write(("".join(batch) + _SHEET_TAIL).encode())
    yield sink.take()
