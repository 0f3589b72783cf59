"""Plan an import chunk: apply its parsed rows to in-memory records, in file order. Pure.

The planner never touches the database. It takes the chunk's parsed rows (``parsing``) and the
existing customers they can reach (loaded by the caller, see ``lookups``) as ``Record``
objects, applies the rows in file order (R-I18) and returns a ``ChunkOutcome``: the records to
insert and update, the leads unified away (``unifying``), pending unifications, conflicts,
failed rows and the counters. The writers turn an outcome into SQL; the dry run only counts it.

Decisions where the rules leave room:
- R-I3: a lead row matches every customer whose identifier contact equals its value, verified
  or not; the import verifies the contacts it writes (R-C3), the matched identifier included.
- R-I7/R-I21: a row that would create a customer fails unless both opt-out cells hold a value,
  each missing one named in errorColumns.
- R-I7a: with the import's choice, a new customer takes it for each opt-out its row leaves
  without a value. The choice is only for customers the import creates (see ``unifying`` for
  the customers a unification merges).
- R-I8 clear: empty cells clear name (to ""), landline, the non-identifier contact and custom
  keys (a list key is removed); never memberId, the identifier or the opt-outs.
- R-I9: a list merge that would pass 200 items fails the row (R-T2: nothing is cut silently);
  so does a profile over 256 keys or 15 KB after the row (R-C6).
- R-I19: updated_at changes only when a value, a verified mark or the tags changed; a customer
  matched without change keeps it (it still counts as updated, R-I14).
- ``tag`` None tags no one: a single customer written through the API is no import.
  ``new_opt_outs`` is the import's choice (email, texting) for new customers (R-I7a).
- The planner knows one kind of record. A dry run where nothing can unify plans on light
  records with ``light_check.CheckPlanner``, which replaces the two steps that read more of a
  customer than a light record holds (``_update``, ``_unify``); the speed code stays there.
- R-M3: a new customer takes a place under the MU limit, in file order, unless it absorbed a
  visible lead (it takes that lead's place); the rest are created hidden.
- A row's changes to an existing customer are gathered first (``operations.RowChange``) and
  applied only once the row is known to pass (R-I9, R-C6): a failed row changes nothing.
- R-C6 is proven cheaply where it can be: what a row can add to a profile is bounded by 6 bytes
  a character of its cells (a \\uXXXX escape) plus ``_CELL_OVERHEAD`` a cell, and only a record
  whose bound passes a limit is measured exactly.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from contacts import profile_types
from contacts.keys import OPT_OUT_KEYS
from contacts.merging import merge_tags
from contacts.profile_types import EMPTY, ProfileValueError

from .mapping import MEMBER, ImportMapping
from .operations import ColumnOp, ColumnPlan, RowChange
from .outcome import ChunkOutcome, Failure
from .parsing import ParsedRow
from .records import PROFILE_FIELDS, Record, RecordIndex, recency, whole_profile
from .unifying import Unifier

OPT_OUT_REQUIRED = "A new customer needs a value here (true or false)"

# Per mapped cell, what its stored JSON can add beyond 6 bytes a character (key, quotes, a
# datetime written out in full).
_CELL_OVERHEAD = 100


class ChunkPlanner:
    """Apply one chunk's rows to in-memory records, in file order."""

    def __init__(
        self,
        mapping: ImportMapping,
        *,
        import_id: int | None,
        tag: str | None,
        clear_empty: bool,
        now: datetime,
        mu_room: int | None,
        new_opt_outs: tuple[bool, bool] | None = None,
    ) -> None:
        """A planner of the mapping's rows; see the module's Decisions for the options."""
        self.mapping = mapping
        self.import_id = import_id
        self.tag = tag
        self.clear_empty = clear_empty
        self.now = now
        self.mu_room = mu_room
        self.is_member_import = mapping.kind == MEMBER
        self._now_seen = now.timestamp()
        self._row_overhead = _CELL_OVERHEAD * (len(mapping.columns) + 1) + 6 * len(tag or "")
        self._has_choice = new_opt_outs is not None
        self._new_email, self._new_texting = new_opt_outs or (None, None)
        if self._has_choice:  # the chosen values are no cell of the row
            self._row_overhead += _CELL_OVERHEAD * len(OPT_OUT_KEYS)
        self.max_keys = profile_types.MAX_PROFILE_KEYS - len(PROFILE_FIELDS) - len(mapping.columns)
        columns = [
            ColumnPlan.of(column, position, mapping.identifier_key)
            for position, column in enumerate(mapping.columns)
        ]
        self._identifier = next(c for c in columns if c.op is ColumnOp.IDENTIFIER)
        cells = [c for c in columns if c.op is not ColumnOp.IDENTIFIER]
        # A row's cells by the step of RowChange that applies them, in the mapping's order.
        self._builtin_cells = [c for c in cells if not c.is_profile]
        self._profile_cells = [c for c in cells if c.is_profile and not c.appends]
        self._list_cells = [c for c in cells if c.appends]
        self._clearable_cells = [c for c in cells if c.clears]
        self._fields = [c for c in columns if not c.op.is_profile]  # built-in keys, identifier too
        self._custom = [c for c in columns if c.op.is_profile]
        self._opt_out_positions = {c.key: c.position for c in columns if c.op is ColumnOp.OPT_OUT}
        self._missing_opt_outs = [k for k in OPT_OUT_KEYS if k not in self._opt_out_positions]

    def plan(self, items: Sequence[ParsedRow | Failure], loaded: Iterable[Record]) -> ChunkOutcome:
        """Apply the chunk's rows in file order and return what to write."""
        self.index = RecordIndex(loaded)
        self.outcome = outcome = ChunkOutcome()
        self._unifier = Unifier(
            self.index, outcome, import_id=self.import_id, members=self.is_member_import
        )
        self._seq = 0
        for item in items:
            if isinstance(item, Failure):
                outcome.failures.append(item)
            else:
                self._apply(item)
        for record in self.index.records:
            if record.is_deleted:
                if not record.is_new:
                    outcome.deleted.append(record)
            elif record.is_new:
                outcome.created.append(record)
            elif record.changed or record.stamped:
                if record.changed:
                    record.updated_at = self.now
                outcome.updated.append(record)
        outcome.mu_room = self.mu_room
        return outcome

    def _target(self, values: list) -> Record | None:
        """The existing or earlier-created customer the row matches (R-I3), if any."""
        identifier = self._identifier
        key = values[identifier.position]
        if self.is_member_import:
            return self.index.by_member.get(key)
        by_contact = self.index.by_email if identifier.field == "email" else self.index.by_mobile
        candidates = by_contact.get(key)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        return max(candidates, key=recency)

    def _fail(self, number: int, errors: list[tuple[str, str]], values: list) -> None:
        """Record the row as failed, its values formatted back to text."""
        result = {}
        for column, value in zip(self.mapping.columns, values, strict=True):
            result[column.key] = profile_types.format_value(column.type, value)
        self.outcome.failures.append(Failure(number, errors, result))

    def _apply(self, row: ParsedRow) -> None:
        """Create or update the row's customer, then unify and place it."""
        number, values, chars = row
        target = self._target(values)
        grows = 6 * chars + self._row_overhead  # what the row can add to a profile, at most
        if target is None:
            record = self._create(number, values, grows)
            if record is None:
                return
        else:
            record = target
            if not self._update(number, record, values, grows):
                return
            if record.last_import_id != self.import_id:
                record.last_import_id = self.import_id
                record.stamped = True
                self.outcome.updated_count += 1
        self._unify(number, record)
        if record.is_new and not record.is_deleted and record.row_number == number:
            self._place(record)

    def _unify(self, number: int, record: Record) -> None:
        """R-U1..U6 on the customer the row created or matched."""
        self._unifier.unify(number, record)

    def _create(self, number: int, values: list, grows: int) -> Record | None:
        """A new customer from the row; None (and a failure) if it cannot be created."""
        missing = list(self._missing_opt_outs)
        for key, position in self._opt_out_positions.items():
            if values[position] is EMPTY:
                missing.append(key)
        if missing and not self._has_choice:
            missing.sort(key=OPT_OUT_KEYS.index)
            self._fail(number, [(k, OPT_OUT_REQUIRED) for k in missing], values)
            return None
        self._seq += 1
        record = Record(
            unsubscribe_email=self._new_email,  # None without a choice; a cell overrides it
            unsubscribe_texting=self._new_texting,
            import_tags=[self.tag] if self.tag is not None else [],
            created_at=self.now,
            updated_at=self.now,
            last_seen_at=self.now,
            seen=self._now_seen,
            is_hidden=True,  # decided by _place once unification has run
            created_by_import_id=self.import_id,
            last_import_id=self.import_id,
            is_new=True,
            seq=self._seq,
            row_number=number,
            chosen=missing,
            size_bound=grows,
            changed={"created"},
        )
        for column in self._fields:
            value = values[column.position]
            if value is not EMPTY:
                setattr(record, column.field, value)
                if column.verified is not None:
                    setattr(record, column.verified, True)
        profile = record.profile
        for column in self._custom:
            value = values[column.position]
            if value is not EMPTY:
                profile[column.key] = value
        if not self._fits(record):
            error = _limits_error(whole_profile(record))
            if error is not None:
                self._fail(number, [("", error)], values)
                return None
        self.index.add(record)
        self.outcome.created_count += 1
        return record

    def _update(self, number: int, record: Record, values: list, grows: int) -> bool:
        """Apply a row to an existing record; False (and a failure) if the row breaks a limit."""
        change = RowChange(record)
        change.verify(self._identifier)
        change.set_builtins(self._builtin_cells, values)
        change.set_profile_values(self._profile_cells, values)
        change.append_lists(self._list_cells, values)
        if self.clear_empty:
            change.clear_cells(self._clearable_cells, values)
        if change.errors:
            self._fail(number, change.errors, values)
            return False
        tags = record.import_tags
        if self.tag is not None and self.tag not in tags:
            tags = merge_tags(tags, [self.tag])
        if change.profile is not None or change.assignments or tags is not record.import_tags:
            error = self._grow_within_limits(record, change, tags, grows)
            if error is not None:
                self._fail(number, [("", error)], values)
                return False
        self._write(record, change, tags)
        return True

    def _grow_within_limits(
        self, record: Record, change: RowChange, tags: list, grows: int
    ) -> str | None:
        """R-C6: grow the record's size bound by the row, or the reason the row breaks a limit."""
        bound = record.size_bound
        record.size_bound += grows
        if self._fits(record, change.profile):
            return None
        whole = change.prospect(tags)
        error = _limits_error(whole)
        if error is not None:
            record.size_bound = bound
            return error
        record.size_bound = profile_types.profile_size(whole)
        return None

    def _write(self, record: Record, change: RowChange, tags: list) -> None:
        """Apply a row's gathered changes to the record and note the changed keys."""
        changed = record.changed
        for field_name, value, key in change.assignments:
            if field_name in ("email", "mobile_number"):
                self.index.set_contact(record, field_name, value)
            else:
                setattr(record, field_name, value)
            changed.add(key)
        profile = change.profile
        if profile is not None:
            for key in set(profile) ^ set(record.profile):
                changed.add(key)
            for key, value in profile.items():
                old = record.profile.get(key)
                if old is None or type(old) is not type(value) or old != value:
                    changed.add(key)
            record.profile = profile
        if tags is not record.import_tags:
            record.import_tags = tags
            changed.add("userImportTag")

    def _fits(self, record: Record, profile: dict | None = None) -> bool:
        """True when the record's bounds prove it within the profile limits (R-C6)."""
        keys = len(profile if profile is not None else record.profile)
        return record.size_bound <= profile_types.MAX_PROFILE_BYTES and keys <= self.max_keys

    def _place(self, record: Record) -> None:
        """R-M3: a new customer is visible while there is room under the MU limit."""
        if not record.is_hidden:
            return
        if self.mu_room is None:
            record.is_hidden = False
        elif self.mu_room > 0:
            record.is_hidden = False
            self.mu_room -= 1
        else:
            self.outcome.created_hidden_count += 1


def _limits_error(whole: dict) -> str | None:
    """The reason a whole profile breaks R-C6's limits, or None."""
    try:
        profile_types.check_profile_limits(whole)
    except ProfileValueError as error:
        return error.reason
    return None
