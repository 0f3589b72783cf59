"""What every profile value type shares: the EMPTY marker, the value types and the refusal error.

Decisions:
- An empty cell parses to EMPTY, a falsy singleton of its own rather than None or "": what it
  means (keep or clear the value) is the caller's to decide, as the import's empty-cell policy
  (R-I8) does.
"""

from collections.abc import Callable
from enum import Enum
from typing import Final, Literal, TypeAlias


class _Empty(Enum):
    EMPTY = "EMPTY"

    def __repr__(self) -> str:
        return "EMPTY"

    def __bool__(self) -> bool:
        return False


EMPTY: Final = _Empty.EMPTY

EmptyValue: TypeAlias = Literal[_Empty.EMPTY]
Number: TypeAlias = int | float
StoredValue: TypeAlias = str | int | float | bool | list[str] | list[Number]
Parsed: TypeAlias = StoredValue | EmptyValue
Parser: TypeAlias = Callable[[str], Parsed]


class ProfileValueError(ValueError):
    """A cell or profile breaks its type or a limit; ``reason`` is one of the REASON_* constants."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
