"""Which text encoding a CSV upload is in, told from its bytes (the rule is reading.py's).

Pure code, no Django imports. The rule is reading.py's "CSV encoding" item; this module holds its
tests of the bytes, and the error handler that marks bytes that do not decode.

Decisions:
- `detect_encoding` also says whether the file is already known not to decode with the encoding
  it picks: a file that is UTF-8 up to some row is refused naming that row rather than read as
  another encoding.
- UTF-16 without a BOM (`utf16_byte_order`): Latin letters, digits and delimiters saved as
  UTF-16 have a NUL after (LE) or before (BE) each byte of their ASCII form; UTF-32 has NULs on
  both sides, binary files anywhere.
"""

import codecs
import contextlib
import re
from typing import IO

from .table import NOT_A_TABLE, FileRefused

SAMPLE_BYTES = 1024 * 1024
UNDECODABLE = (
    "We could not read the file's text encoding. Save it as CSV UTF-8 and upload it again."
)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
BOMS_OF = {"utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)}
BOMS_OF["utf-32"] = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_SAMPLE_BYTES = 4096

# C0 controls other than tab, LF and CR never appear in a spreadsheet's text: more than 1% of
# them (NUL included) is a binary file; a few are a text file whose cells holding them fail.
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
MARK = "\udcff"
MARK_ERRORS = "imports.engine.encodings.mark"


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    # A lone surrogate cannot come out of a strict decode, so it marks the bad bytes exactly.
    return MARK, error.end  # type: ignore[attr-defined]


codecs.register_error(MARK_ERRORS, _mark_undecodable)


def detect_encoding(source: IO[bytes], *, head: bytes, size: int) -> tuple[str, bool]:
    """(encoding, known not to decode): from a BOM, else the first block that is not all ASCII."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, False
    byte_order = utf16_byte_order(head)
    if byte_order is not None:
        return f"utf-16-{byte_order}", False
    if looks_binary(head):
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
    utf8 = codecs.getincrementaldecoder("utf-8")(MARK_ERRORS).decode(sample, final)
    bad_utf8 = utf8.count(MARK)
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


def utf16_byte_order(head: bytes) -> str | None:
    """ "le" or "be" when the first 4 KB look like UTF-16 without a BOM, else None."""
    pairs = min(len(head), _UTF16_SAMPLE_BYTES) // 2
    sample = head[: 2 * pairs]
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if 5 * odd >= pairs and 10 * even <= odd:
        return "le"
    if 5 * even >= pairs and 10 * odd <= even:
        return "be"
    return None


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


def looks_binary(head: bytes) -> bool:
    """Many NUL or other control bytes: an image, archive or other non-text file."""
    controls = sum(head.count(byte) for byte in _CONTROL_BYTES)
    return controls * 100 > len(head)
