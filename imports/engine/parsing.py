"""Parse an import's rows: each reader row's cells into typed values, or a Failure. Pure.

Decisions:
- R-I14: a row fails with every cell's error, not only the first; a row without its identifier
  fails first with that (R-I1), and a row the reader could not read (R-T2) before all.
- A formula cell without a computed value fails as ``FORMULA_NOT_COMPUTED`` and is written to
  the failures file empty (its text is no value of the customer's). A failed cell's raw text
  keeps NUL and lone surrogates as U+FFFD: no JSON column holds them.
- The email cell is checked and lowercased (emails compare case-insensitively); a landline's
  errors give a landline as their example.
- Cells of the types that repeat in real files (dates, lists, tags) are parsed once per text
  and column: a column remembers what each text parsed to, up to ``_MEMO_SIZE`` distinct texts
  (a few MB), and hands out lists as copies.
"""

import operator
import re
from collections.abc import Callable, Sequence

from contacts import profile_types
from contacts.keys import normalize_email
from contacts.profile_types import EMPTY, ProfileValueError

from .mapping import MEMBER_ID, ImportMapping
from .outcome import Failure
from .table import FORMULA_NOT_COMPUTED, FORMULA_WITHOUT_VALUE

MEMBER_ID_EMPTY = "memberId is empty; every row of a member import needs one"
IDENTIFIER_EMPTY = "{key} is empty; every row of a lead import by {key} needs one"

# row_number, parsed values by column, the raw cells' length in characters (the whole row's)
ParsedRow = tuple[int, list, int]


def _parse_email(text: str):
    """An email cell: trimmed, checked and lowercased."""
    s = text.strip()
    if not s:
        return EMPTY
    try:
        return normalize_email(s)
    except ValueError as error:
        raise ProfileValueError(str(error)) from None


# Cells of these types repeat in real files and cost more to parse than to look up.
_MEMO_TYPES = frozenset(
    {
        profile_types.DATE,
        profile_types.DATETIME,
        profile_types.LIST,
        profile_types.LIST_OF_NUMBER,
        profile_types.TAG,
    }
)
_MEMO_SIZE = 32_768


def _remembering(parse: Callable) -> Callable:
    """``parse``, remembering each text's value or failure; lists are handed out as copies."""
    known: dict[str, tuple] = {}

    def parse_remembered(text: str):
        """The text's value, parsed once."""
        found = known.get(text)
        if found is None:
            try:
                found = (True, parse(text))
            except ProfileValueError as error:
                found = (False, (error.reason, error.detail))
            if len(known) < _MEMO_SIZE:
                known[text] = found
        parsed, value = found
        if not parsed:
            raise ProfileValueError(*value)
        return list(value) if type(value) is list else value

    return parse_remembered


def parser_for_column(key: str, type_name: str) -> Callable:
    """The cell parser of a mapped column."""
    if key == "email":
        return _parse_email
    if key == "landlineNumber":
        return profile_types.parse_landline
    parse = profile_types.parser_for(type_name)
    return _remembering(parse) if type_name in _MEMO_TYPES else parse


class RowParser:
    """Turn reader rows into ParsedRow tuples or Failures, without the database."""

    def __init__(self, mapping: ImportMapping) -> None:
        """A parser of the mapping's columns."""
        self.mapping = mapping
        self.columns = mapping.columns
        self._specs = [(c.index, parser_for_column(c.key, c.type)) for c in mapping.columns]
        self._parsers = [parser for _, parser in self._specs]
        # Each row's cells in column order: the cells themselves when the columns are the
        # header's first ones in order (map stops at the last parser), else picked out.
        indexes = [index for index, _ in self._specs]
        self._pick: Callable[[list[str]], Sequence[str]] | None = None
        if indexes != list(range(len(indexes))):
            pick = operator.itemgetter(*indexes)
            self._pick = pick if len(indexes) > 1 else lambda cells: (pick(cells),)
        self._id_position = next(
            i for i, c in enumerate(mapping.columns) if c.key == mapping.identifier_key
        )
        key = mapping.identifier_key
        self._id_empty = MEMBER_ID_EMPTY if key == MEMBER_ID else IDENTIFIER_EMPTY.format(key=key)

    def parse(self, row: tuple[int, list[str], str | None]) -> ParsedRow | Failure:
        """Parse one ``(row_number, cells, error)`` row of the reader."""
        number, cells, row_error = row
        pick = self._pick
        try:
            # map() calls the parsers from C: no Python loop around each cell. The reader
            # pads a short row to the header's width, so no parser goes without its cell.
            values = list(map(operator.call, self._parsers, cells if pick is None else pick(cells)))
        except ProfileValueError:
            return self._failed(row)
        if row_error is not None or values[self._id_position] is EMPTY:
            return self._failed(row)
        return number, values, sum(map(len, cells))

    def _failed(self, row: tuple[int, list[str], str | None]) -> Failure:
        """A row that fails, with every cell's error."""
        number, cells, row_error = row
        values: list = []
        errors: list[tuple[str, str]] | None = None
        for position, (index, parser) in enumerate(self._specs):
            try:
                values.append(parser(cells[index]))
            except ProfileValueError as error:
                values.append(_BAD)
                if errors is None:
                    errors = []
                reason = error.reason
                if cells[index] == FORMULA_WITHOUT_VALUE:
                    reason = FORMULA_NOT_COMPUTED
                errors.append((self.columns[position].key, reason))
        if values[self._id_position] is EMPTY:
            errors = errors or []
            errors.insert(0, (self.mapping.identifier_key, self._id_empty))
        if row_error is not None:
            errors = errors or []
            errors.insert(0, ("", row_error))
        return Failure(number, errors or [], self.failure_values(cells, values))

    def failure_values(self, cells: list[str], values: list) -> dict[str, str]:
        """The row's mapped values under their keys: formatted where parsed, else the raw text."""
        result = {}
        for column, value in zip(self.columns, values, strict=True):
            if value is _BAD:
                raw = cells[column.index]
                result[column.key] = (
                    "" if raw == FORMULA_WITHOUT_VALUE else _UNSTORABLE.sub("\ufffd", raw)
                )
            else:
                result[column.key] = profile_types.format_value(column.type, value)
        return result


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class _Bad:
    """A cell that failed to parse."""

    def __repr__(self) -> str:
        """Shown as BAD."""
        return "BAD"


_BAD = _Bad()
