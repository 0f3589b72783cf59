"""An import's counters (R-I14): one immutable value for a chunk, a check or a whole run. Pure.

Decisions:
- One type for every set of counters: the chunk's outcome, the check's report, the progress
  kept on the import, the finished import's summary and the command's last line all read it,
  so a new counter is added here once and reaches every one of them.
- Counts add up (``+``): a run's counts are the sum of its chunks', a check's the same.
- One JSON form, camelCase names in field order (``createdHidden``, ``pendingUnification``):
  the command's last line, the check's report and the activity log's outcome all use it.
- A chunk's new pending unifications are not in its outcome: whether a pair is new depends on
  what is already stored (or, in a check, on what earlier chunks found), so the caller gives
  that number.
"""

from dataclasses import astuple, dataclass, fields
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Counts:
    """What an import did, or would do, to the customers: each a number of rows or customers."""

    created: int = 0
    updated: int = 0
    failed: int = 0
    created_hidden: int = 0
    unified: int = 0
    pending_unification: int = 0
    conflicts: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def as_json(self) -> dict[str, int]:
        """The counters under their JSON names, in field order."""
        return {JSON_NAMES[name]: getattr(self, name) for name in NAMES}

    @classmethod
    def from_json(cls, data: dict) -> "Counts":
        """Counts from their JSON form; other keys of ``data`` are ignored."""
        return cls(**{name: data[JSON_NAMES[name]] for name in NAMES})


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


NAMES: tuple[str, ...] = tuple(f.name for f in fields(Counts))
JSON_NAMES: dict[str, str] = {name: _camel(name) for name in NAMES}


class PlannedChunk(Protocol):
    """The counters of a planned chunk's outcome, as the planner keeps them."""

    created_count: int
    updated_count: int
    created_hidden_count: int
    failures: list

    @property
    def unified_count(self) -> int: ...

    @property
    def conflict_count(self) -> int: ...


def chunk_counts(outcome: PlannedChunk, *, pending_unification: int) -> Counts:
    """The counts of one planned chunk, with the pending unifications it adds."""
    return Counts(
        created=outcome.created_count,
        updated=outcome.updated_count,
        failed=len(outcome.failures),
        created_hidden=outcome.created_hidden_count,
        unified=outcome.unified_count,
        pending_unification=pending_unification,
        conflicts=outcome.conflict_count,
    )
