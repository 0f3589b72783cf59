"""The pure planner, without a database: rows in, records and counters out."""

import itertools
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from contacts import profile_types
from contacts.merging import merge_tags
from contacts.profile_types import EMPTY, ProfileValueError
from imports.engine.lookups import lookup_values
from imports.engine.mapping import KeyInfo, resolve
from imports.engine.outcome import Failure
from imports.engine.parsing import MEMBER_ID_EMPTY, RowParser, parser_for_column
from imports.engine.planner import OPT_OUT_REQUIRED, ChunkPlanner
from imports.engine.records import INSERT_FIELDS, LOAD_FIELDS, Record

NOW = datetime(2025, 5, 4, 9, 0, tzinfo=UTC)
HEADERS = ["memberId", "name", "hobbies", "unsubscribeEmail", "unsubscribeTexting"]
HOBBIES = KeyInfo("hobbies", "Hobbies", "list")


def _mapping(headers=HEADERS, kind="member", identifier=None):
    return resolve(headers=headers, custom_keys=[HOBBIES], kind=kind, identifier=identifier)


def _plan(rows, loaded=(), mapping=None, import_id=1, mu_room=None, clear=False, choice=None):
    mapping = mapping or _mapping()
    parser = RowParser(mapping)
    items = [parser.parse((n, cells, None)) for n, cells in enumerate(rows, 2)]
    planner = ChunkPlanner(
        mapping,
        import_id=import_id,
        tag="t",
        clear_empty=clear,
        now=NOW,
        mu_room=mu_room,
        new_opt_outs=choice,
    )
    return planner.plan(items, [_copy(r) for r in loaded])


def _copy(record: Record) -> Record:
    values = {name: getattr(record, name) for name in LOAD_FIELDS}
    values["import_tags"], values["profile"] = list(record.import_tags), dict(record.profile)
    return Record(**values, size_bound=record.size_bound)


def _existing(record_id, member_id, **values):
    return Record(id=record_id, member_id=member_id, **values)


def test_parse_fails_a_row_without_its_identifier_and_keeps_its_text():
    parser = RowParser(_mapping())
    failure = parser.parse((7, ["  ", "Ann", "[broken", "true", "x"], None))
    assert isinstance(failure, Failure)
    assert failure.row_number == 7
    assert failure.columns == ["memberId", "hobbies", "unsubscribeTexting"]
    assert failure.errors[0] == ("memberId", MEMBER_ID_EMPTY)
    assert failure.values["hobbies"] == "[broken"
    assert failure.values["name"] == "Ann"


def test_R_I7_new_customer_without_opt_outs_fails_existing_one_does_not():
    outcome = _plan(
        [["M1", "Ann", "", "", ""], ["M2", "Bob", "", "", ""]],
        loaded=[_existing(5, "M2")],
    )
    assert [(f.row_number, f.errors) for f in outcome.failures] == [
        (2, [("unsubscribeEmail", OPT_OUT_REQUIRED), ("unsubscribeTexting", OPT_OUT_REQUIRED)])
    ]
    assert [r.name for r in outcome.updated] == ["Bob"]


def test_R_I7a_new_customers_take_the_choice_where_their_row_has_no_value():
    rows = [["M1", "Ann", "", "", ""], ["M2", "Bob", "", "true", ""], ["M3", "Cy", "", "", "no"]]
    loaded = [_existing(5, "M3", unsubscribe_email=None, unsubscribe_texting=None)]
    outcome = _plan(rows, loaded=loaded, choice=(False, True), clear=True)
    assert outcome.failures == []
    created = {r.member_id: (r.unsubscribe_email, r.unsubscribe_texting) for r in outcome.created}
    assert created == {"M1": (False, True), "M2": (True, True)}
    assert [(r.unsubscribe_email, r.unsubscribe_texting) for r in outcome.updated] == [
        (None, False)
    ]


def test_R_I3_most_recent_then_higher_id_wins():
    mapping = _mapping(["email", "name"], kind="lead", identifier="email")
    loaded = [
        _existing(1, None, email="a@example.com", seen=100.0),
        _existing(2, None, email="a@example.com", seen=300.0),
        _existing(3, None, email="a@example.com", seen=300.0),
        _existing(4, None, email="a@example.com", seen=None),
    ]
    outcome = _plan([["a@example.com", "Picked"]], loaded=loaded, mapping=mapping)
    assert [(r.id, r.name) for r in outcome.updated] == [(3, "Picked")]


def test_R_M3_room_is_filled_in_file_order():
    rows = [[f"M{i}", "", "", "false", "false"] for i in range(5)]
    outcome = _plan(rows, mu_room=2)
    assert [r.is_hidden for r in outcome.created] == [False, False, True, True, True]
    assert (outcome.created_hidden_count, outcome.mu_room) == (3, 0)


def test_R_I10_merge_tags_keeps_the_30_newest_without_duplicates():
    tags = [f"t{i}" for i in range(30)]
    assert merge_tags(tags, ["t3"]) == tags
    assert merge_tags(tags, ["new"]) == [*tags[1:], "new"]


def test_R_I8_clear_empties_values_but_not_opt_outs():
    loaded = [_existing(1, "M1", name="Ann", unsubscribe_email=True, profile={"hobbies": ["a"]})]
    outcome = _plan([["M1", "", "", "", ""]], loaded=loaded, clear=True)
    (record,) = outcome.updated
    assert (record.name, record.profile, record.unsubscribe_email) == ("", {}, True)
    assert record.changed == {"name", "hobbies", "userImportTag"}


# Chunking never changes the result: plan a file in chunks, carrying the written state from
# one chunk to the next as the database would, and compare with one chunk.

_cells = st.tuples(
    st.sampled_from(["M1", "M2", "M3", "M4", ""]),
    st.sampled_from(["", "Ann", "Bob"]),
    st.sampled_from(["", '["a"]', '["b", "a"]', '["c"]']),
    st.sampled_from(["", "true", "false"]),
    st.sampled_from(["", "true", "false"]),
)


def _run_in_chunks(rows, size, existing):
    mapping = _mapping()
    parser = RowParser(mapping)
    store = {r.id: r for r in (_copy(e) for e in existing)}
    next_id = itertools.count(100)
    totals = [0, 0, 0]
    numbered = list(enumerate(rows, 2))
    for start in range(0, len(numbered), size):
        items = [
            parser.parse((n, list(cells), None)) for n, cells in numbered[start : start + size]
        ]
        member_ids, _, _ = lookup_values(mapping, [i for i in items if type(i) is tuple])
        loaded = [_copy(r) for r in store.values() if r.member_id in member_ids]
        planner = ChunkPlanner(
            mapping, import_id=9, tag="t", clear_empty=False, now=NOW, mu_room=None
        )
        outcome = planner.plan(items, loaded)
        for record in outcome.created:
            record.id = next(next_id)
        for record in [*outcome.created, *outcome.updated]:
            store[record.id] = record
        totals[0] += outcome.created_count
        totals[1] += outcome.updated_count
        totals[2] += len(outcome.failures)
    state = sorted(
        (r.member_id, r.name, r.profile, r.import_tags, r.unsubscribe_email, r.unsubscribe_texting)
        for r in store.values()
    )
    return totals, state


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(_cells, max_size=12), size=st.integers(1, 5))
def test_R_I18_any_chunking_gives_the_result_of_one_chunk(rows, size):
    existing = [_existing(1, "M1", name="Old", profile={"hobbies": ["z"]}, last_import_id=3)]
    assert _run_in_chunks(rows, size, existing) == _run_in_chunks(rows, 10_000, existing)


def test_new_records_carry_every_inserted_field():
    outcome = _plan([["M1", "Ann", '["a"]', "true", "false"]])
    (record,) = outcome.created
    values = record.as_dict(INSERT_FIELDS)
    assert values["created_at"] == values["last_seen_at"] == NOW
    assert values["profile"] == {"hobbies": ["a"]} and values["import_tags"] == ["t"]
    assert values["created_by_import_id"] == values["last_import_id"] == 1
    assert EMPTY not in values.values()


@given(
    type_name=st.sampled_from(["number", "date", "datetime", "list", "listOfNumber", "tag"]),
    texts=st.lists(
        st.sampled_from(
            ["", " 7 ", "1,000", "2024-02-30", "2024-02-29", '["a", "b"]', "[1, 1]", "a/b", "x y"]
        )
        | st.text(max_size=12),
        max_size=30,
    ),
)
@settings(max_examples=60, deadline=None)
def test_a_remembering_column_parser_answers_as_the_type_parser(type_name, texts):
    """A remembering parser answers and fails as the type's own; no two cells share a list."""
    remembering = parser_for_column("k", type_name)  # repeating types remember their parses
    plain = profile_types.parser_for(type_name)
    handed_out = []
    for text in texts + texts:
        try:
            expected = ("ok", plain(text))
        except ProfileValueError as error:
            expected = ("error", str(error))
        try:
            got = ("ok", remembering(text))
        except ProfileValueError as error:
            got = ("error", str(error))
        assert got == expected
        if type(got[1]) is list:
            assert all(got[1] is not other for other in handed_out)
            handed_out.append(got[1])
