"""What planning a chunk gives the writers: failed rows and the chunk's outcome. Pure.

Decisions:
- R-I14: a failed row keeps its mapped values as text, formatted where they parsed, so the
  failures file shows what the row held.
- A lead the chunk creates and unifies at once is in ``unified`` without a record of its own:
  it never reaches the database.
"""

from dataclasses import dataclass, field

from .records import Record


@dataclass(slots=True)
class Failure:
    """A failed row (R-I14): its number, (key, reason) pairs and its mapped values as text."""

    row_number: int
    errors: list[tuple[str, str]]
    values: dict[str, str]

    @property
    def columns(self) -> list[str]:
        """The keys named in the errors, each once (errorColumns)."""
        return list(dict.fromkeys(key for key, _ in self.errors if key))

    @property
    def reasons(self) -> list[str]:
        """The errors' reasons, in order (errorReasons)."""
        return [reason for _, reason in self.errors]


@dataclass
class ChunkOutcome:
    """What one chunk does to the database, and its counters."""

    created: list[Record] = field(default_factory=list)
    updated: list[Record] = field(default_factory=list)
    deleted: list[Record] = field(default_factory=list)
    # (lead record or None for a lead never inserted, lead label, member record)
    unified: list[tuple[Record | None, str, Record]] = field(default_factory=list)
    pending: list[tuple[Record, Record]] = field(default_factory=list)
    # (row number, lead, email-side member, mobile-side member)
    conflicts: list[tuple[int, Record, Record, Record]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    created_count: int = 0
    updated_count: int = 0
    created_hidden_count: int = 0
    mu_room: int | None = None

    @property
    def unified_count(self) -> int:
        return len(self.unified)

    @property
    def conflict_count(self) -> int:
        return len(self.conflicts)

    @property
    def edited(self) -> list[Record]:
        """Customers the chunk created or changed (R-I15)."""
        return self.created + [r for r in self.updated if r.changed]
