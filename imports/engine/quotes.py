"""Find the quote (") that breaks a CSV file's rows, to refuse it naming that row and column.

Pure code, no Django imports. The reader parses with the csv module in strict mode; this module
does what strict parsing cannot, and names the place when something is wrong. Nothing here runs
per row: a tally of the file's quotes is one C-speed count per block, and the search for the
culprit runs only once the file is known to be refused.

Decisions (R-I14, R-T2: no row is lost or merged into another without a word):
- A quote that opens a cell and is never closed would take every following line into that
  cell; one closed and followed by more text ("Kim" Jr) means the cell did not end at its
  closing quote. Both are csv's strict errors, and refuse the file.
- In a well-formed file every quote pairs with another (a quoted cell opens and closes, a quote
  inside one is doubled), so the file holds an even number of them. An odd number means a quote
  pairs with nothing: once any cell is quoted, that stray quote may have cut a quoted cell short
  or joined lines into it, and no parse can tell which rows are real. Such a file is refused,
  naming the first row whose quotes do not pair (its first quoted cell that runs over a line
  break, else its lone quote). A file whose cells are never quoted keeps a lone quote as text
  (5'11", 12" pizza): there it joins and cuts nothing.
- A quoted cell with line breaks that does close (a multi-line note) is one cell of one row.
"""

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .headers import column_label

QUOTE_NOT_CLOSED = (
    'Row {row}, column {column}: a quote (") opens a cell there and does not close where the '
    "cell ends, so the lines below would be read into that cell. Close or remove that quote "
    '(a quote inside a cell is written twice: "") and upload the file again.'
)
QUOTE_TEXT_AFTER = (
    'Row {row}, column {column}: the cell starts with a quote (") but goes on after its '
    'closing quote. Write a quote inside a cell twice (""), or remove the stray one, and upload '
    "the file again."
)
QUOTE_LONE = (
    'Row {row}, column {column}: a quote (") there pairs with no other, so the rows around it '
    'cannot be told apart safely. Remove it or write it twice (""), check the quoted cells '
    "in the rows just above it, and upload the file again."
)
CELL_TOO_LONG = (
    "Row {row}, column {column}: a cell holds more than {limit:,} characters. Shorten it (a "
    "value has at most 512 characters) and upload the file again."
)

NOT_CLOSED, TEXT_AFTER, LONE, TOO_LONG = "not-closed", "text-after", "lone", "too-long"
_MESSAGES = {
    NOT_CLOSED: QUOTE_NOT_CLOSED,
    TEXT_AFTER: QUOTE_TEXT_AFTER,
    LONE: QUOTE_LONE,
    TOO_LONG: CELL_TOO_LONG,
}
_START, _UNQUOTED, _QUOTED, _CLOSING = range(4)


class Spot(NamedTuple):
    """Where in one record a quote problem is: its line (0 = the record's first) and cell."""

    line: int
    column: int
    kind: str


def quote_count(blocks: Iterable[bytes | str]) -> int:
    """How many quotes the blocks of a file hold."""
    quote: bytes | str | None = None
    total = 0
    for block in blocks:
        if quote is None:
            quote = b'"' if isinstance(block, bytes) else '"'
        total += block.count(quote)  # type: ignore[arg-type]
    return total


def opens_a_cell(blocks: Iterable[bytes | str], delimiter: str) -> bool:
    """Whether a quote starts a cell somewhere: at the start, after a delimiter or line end."""
    previous: bytes | str | None = None
    for block in blocks:
        if previous is None:
            text = isinstance(block, str)
            marks = [m + '"' for m in (delimiter, "\n", "\r")]
            patterns = marks if text else [m.encode() for m in marks]
            if block[:1] == ('"' if text else b'"'):
                return True
        else:
            block = previous[-1:] + block  # a mark cut between two blocks
        if any(pattern in block for pattern in patterns):
            return True
        previous = block
    return False


def record_problem(text: str, delimiter: str, limit: int) -> Spot | None:
    """The first quote problem in one record's text, read as the csv module reads it."""
    special = re.compile(f'["\\r\\n{re.escape(delimiter)}]')
    starts = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text)]
    state, column, cell_start, opened, opened_column = _START, 0, 0, 0, 0
    multiline: Spot | None = None
    lone: Spot | None = None
    previous = -1
    end = len(text)
    for match in special.finditer(text):
        position, char = match.start(), match.group()
        if position > previous + 1:  # ordinary characters since the last special one
            if state == _START:
                state = _UNQUOTED
            elif state == _CLOSING:
                return Spot(_line(starts, opened), opened_column, TEXT_AFTER)
        previous = position
        if state == _QUOTED:
            if char == '"':
                state = _CLOSING
            elif char != delimiter and multiline is None:
                multiline = Spot(_line(starts, opened), opened_column, NOT_CLOSED)
            continue
        if char == '"':
            if state == _START:
                state, opened, opened_column = _QUOTED, position, column
            elif state == _CLOSING:
                state = _QUOTED  # a doubled quote inside the cell
            elif lone is None:
                lone = Spot(_line(starts, position), column, LONE)
            continue
        if position - cell_start > limit:
            return Spot(_line(starts, cell_start), column, TOO_LONG)
        if char != delimiter:  # a line end outside quotes ends the record
            end = position
            break
        state, column, cell_start = _START, column + 1, position + 1
    if state == _QUOTED:
        return Spot(_line(starts, opened), opened_column, NOT_CLOSED)
    if state == _CLOSING and previous + 1 < end:
        return Spot(_line(starts, opened), opened_column, TEXT_AFTER)
    if end - cell_start > limit:
        return Spot(_line(starts, cell_start), column, TOO_LONG)
    if lone is not None:
        return multiline or lone
    return None


def _line(starts: list[int], position: int) -> int:
    return bisect.bisect_right(starts, position) - 1


def refusal_text(spot: Spot, row: int, headers: list[str], limit: int) -> str:
    """The refusal message for a problem found in the record numbered ``row``."""
    column = column_label(spot.column, headers)
    return _MESSAGES[spot.kind].format(row=row, column=column, limit=limit)


class RecordLines:
    """Feeds lines to a csv reader and keeps those of the record being read."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.current: list[str] = []

    def __iter__(self) -> "RecordLines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.current.append(line)
        return line

    def take(self) -> str:
        """The text of the record read last (or being read), and forget it."""
        text = "".join(self.current)
        self.current.clear()
        return text
