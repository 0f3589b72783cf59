"""The import's counters (R-I14): one value type, its sum and its JSON form. No database."""

from dataclasses import FrozenInstanceError

import pytest

from imports.engine.counts import NAMES, Counts, chunk_counts
from imports.engine.outcome import ChunkOutcome, Failure
from imports.models import COUNT_FIELDS, Import

JSON = {
    "created": 1,
    "updated": 2,
    "failed": 3,
    "createdHidden": 4,
    "unified": 5,
    "pendingUnification": 6,
    "conflicts": 7,
}


def test_counts_add_up_counter_by_counter():
    one = Counts(created=1, updated=2, failed=3, created_hidden=4)
    other = Counts(created=10, unified=5, pending_unification=6, conflicts=7)
    assert one + other == Counts(11, 2, 3, 4, 5, 6, 7)
    assert one + Counts() == one


def test_counts_are_immutable():
    counts = Counts()
    with pytest.raises(FrozenInstanceError):
        counts.created = 1  # type: ignore[misc]


def test_the_json_form_names_each_counter_as_the_command_line_prints_it():
    counts = Counts.from_json(JSON | {"rows": 99, "reasons": []})
    assert counts == Counts(1, 2, 3, 4, 5, 6, 7)
    assert counts.as_json() == JSON
    assert list(counts.as_json()) == list(JSON)  # in the command's order


def test_a_chunk_counts_its_outcome_and_the_pending_unifications_it_adds():
    outcome = ChunkOutcome(created_count=2, updated_count=3, created_hidden_count=1)
    outcome.failures.append(Failure(7, [("memberId", "empty")], {}))
    outcome.conflicts.append((8, None, None, None))
    assert chunk_counts(outcome, pending_unification=4) == Counts(
        created=2, updated=3, failed=1, created_hidden=1, pending_unification=4, conflicts=1
    )


def test_every_counter_has_its_field_on_the_import():
    assert list(COUNT_FIELDS) == list(NAMES)
    imp = Import()
    imp.counts = Counts(1, 2, 3, 4, 5, 6, 7)
    assert [getattr(imp, field) for field in COUNT_FIELDS.values()] == [1, 2, 3, 4, 5, 6, 7]
    assert imp.counts == Counts(1, 2, 3, 4, 5, 6, 7)
