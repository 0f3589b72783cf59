"""The planning rules of an import (R-I7..R-I10, R-I18) on the pure planner: rows in, records out.

What the database keeps of these decisions is tested through the services, against both
writers, in test_import_rules_rows.py.
"""

from datetime import UTC, datetime

from contacts.profile_types import REASON_BOOLEAN, REASON_TOO_MANY_ITEMS
from imports.engine.mapping import KeyInfo, resolve
from imports.engine.parsing import RowParser
from imports.engine.planner import OPT_OUT_REQUIRED, ChunkPlanner
from imports.engine.records import Record

NOW = datetime(2025, 5, 4, 9, 0, tzinfo=UTC)
OPT = ["unsubscribeEmail", "unsubscribeTexting"]
KEYS = [
    KeyInfo("hobbies", "Hobbies", "list"),
    KeyInfo("scores", "Scores", "listOfNumber"),
    KeyInfo("tier", "Tier", "string"),
]


def plan(headers, rows, loaded=(), *, kind="member", identifier=None, clear=False, tag="t"):
    """Parse and plan the rows (cells by column) as one chunk of an import."""
    mapping = resolve(headers=headers, custom_keys=KEYS, kind=kind, identifier=identifier)
    parser = RowParser(mapping)
    items = [parser.parse((number, cells, None)) for number, cells in enumerate(rows, 2)]
    planner = ChunkPlanner(mapping, import_id=1, tag=tag, clear_empty=clear, now=NOW, mu_room=None)
    return planner.plan(items, list(loaded))


def member(record_id, member_id, **values):
    """An existing member as the loader gives it."""
    return Record(id=record_id, member_id=member_id, **values)


def failures(outcome):
    """(row number, error columns, error reasons) of each failed row."""
    return [(f.row_number, f.columns, f.reasons) for f in outcome.failures]


def opt_outs(record):
    """The record's (unsubscribeEmail, unsubscribeTexting)."""
    return (record.unsubscribe_email, record.unsubscribe_texting)


# R-I7 opt-outs


def test_R_I7_existing_customer_keeps_opt_outs_on_absent_column_or_empty_cell():
    absent = plan(
        ["memberId", "name"],
        [["M1", "Ann"]],
        [member(1, "M1", unsubscribe_email=True, unsubscribe_texting=True)],
    )
    empty = plan(
        ["memberId", *OPT],
        [["M2", "", ""]],
        [member(2, "M2", unsubscribe_email=True, unsubscribe_texting=True)],
        clear=True,
    )
    for outcome in (absent, empty):
        (record,) = outcome.updated
        assert opt_outs(record) == (True, True)


def test_R_I7_a_value_overwrites_the_opt_out():
    loaded = [member(1, "M1", unsubscribe_email=True, unsubscribe_texting=None)]
    outcome = plan(["memberId", *OPT], [["M1", "no", "YES"]], loaded)
    (record,) = outcome.updated
    assert opt_outs(record) == (False, True)


def test_R_I7_a_new_customer_needs_both_opt_out_values():
    outcome = plan(["memberId", "unsubscribeEmail"], [["M1", "true"], ["M2", ""]])
    assert failures(outcome) == [
        (2, ["unsubscribeTexting"], [OPT_OUT_REQUIRED]),
        (3, ["unsubscribeEmail", "unsubscribeTexting"], [OPT_OUT_REQUIRED, OPT_OUT_REQUIRED]),
    ]
    assert outcome.created == [] and outcome.created_count == 0


def test_R_I7_a_bad_opt_out_value_fails_the_row():
    outcome = plan(["memberId", *OPT], [["M1", "maybe", "false"]])
    assert failures(outcome) == [(2, ["unsubscribeEmail"], [REASON_BOOLEAN])]


# R-I8 empty cells


def test_R_I8_keep_ignores_empty_cells():
    loaded = [member(1, "M1", name="Ann", email="ann@example.com", landline_number="+8225556666")]
    outcome = plan(["memberId", "name", "email", "landlineNumber"], [["M1", "", "", ""]], loaded)
    (record,) = outcome.updated
    assert (record.name, record.email, record.landline_number) == (
        "Ann",
        "ann@example.com",
        "+8225556666",
    )


def test_R_I8_clear_erases_values_but_never_opt_outs_identifier_or_member_id():
    existing = member(
        1,
        "M1",
        name="Ann",
        email="ann@example.com",
        email_verified=True,
        mobile_number="+821020203030",
        mobile_verified=True,
        landline_number="+8225556666",
        unsubscribe_email=True,
        unsubscribe_texting=False,
        profile={"tier": "gold", "hobbies": ["golf"]},
    )
    headers = ["memberId", "name", "email", "mobileNumber", "landlineNumber", "tier", "hobbies"]
    outcome = plan(
        [*headers, *OPT], [["M1", "", "", "", "", "", "", "", ""]], [existing], clear=True
    )
    (record,) = outcome.updated
    assert record.member_id == "M1"
    assert (record.name, record.email, record.mobile_number, record.landline_number) == (
        "",
        None,
        None,
        None,
    )
    assert not record.email_verified and not record.mobile_verified
    assert record.profile == {}
    assert opt_outs(record) == (True, False)
    assert outcome.updated_count == 1


def test_R_I8_clear_never_clears_a_lead_identifier():
    lead = Record(id=1, mobile_number="+821020203030", name="Lee")
    outcome = plan(
        ["mobileNumber", "name"],
        [["+821020203030", ""]],
        [lead],
        kind="lead",
        identifier="mobile",
        clear=True,
    )
    (record,) = outcome.updated
    assert (record.mobile_number, record.name) == ("+821020203030", "")


# R-I9 lists


def test_R_I9_list_keys_append_without_duplicates_other_types_replace():
    loaded = [
        member(1, "M1", profile={"hobbies": ["golf", "tennis"], "scores": [1, 2], "tier": "gold"})
    ]
    outcome = plan(
        ["memberId", "hobbies", "scores", "tier"],
        [["M1", '["tennis", "chess"]', "[2, 3]", "silver"]],
        loaded,
    )
    (record,) = outcome.updated
    assert record.profile == {
        "hobbies": ["golf", "tennis", "chess"],
        "scores": [1, 2, 3],
        "tier": "silver",
    }


def test_R_I9_a_list_over_200_items_fails_the_row():
    existing = member(1, "M1", profile={"hobbies": [f"h{i}" for i in range(150)]})
    items = ", ".join(f'"n{i}"' for i in range(60))
    outcome = plan(["memberId", "hobbies"], [["M1", f"[{items}]"]], [existing])
    assert failures(outcome) == [(2, ["hobbies"], [REASON_TOO_MANY_ITEMS])]
    assert outcome.updated == []
    assert len(existing.profile["hobbies"]) == 150


# R-I10 import tags


def test_R_I10_the_tag_is_added_to_every_created_or_matched_customer():
    loaded = [member(1, "M1", import_tags=["older"])]
    rows = [["M1", "", ""], ["M2", "false", "false"], ["M3", "", ""]]
    outcome = plan(["memberId", *OPT], rows, loaded, tag="spring")
    tags = {r.member_id: r.import_tags for r in [*outcome.updated, *outcome.created]}
    assert tags == {"M1": ["older", "spring"], "M2": ["spring"]}
    assert len(outcome.failures) == 1  # M3: a new customer without opt-outs is not tagged


def test_R_I10_at_most_30_tags_the_oldest_dropped_and_no_tag_twice():
    tags = [f"t{i}" for i in range(30)]
    loaded = [member(1, "M1", import_tags=tags), member(2, "M2", import_tags=["t5", "again"])]
    outcome = plan(["memberId"], [["M1"], ["M2"], ["M1"]], loaded, tag="again")
    assert {r.member_id: r.import_tags for r in outcome.updated} == {
        "M1": [*tags[1:], "again"],
        "M2": ["t5", "again"],
    }


# R-I18 file order


def test_R_I18_rows_for_the_same_customer_apply_in_file_order():
    rows = [
        ["M1", "First", '["a"]', "false", "false"],
        ["M1", "Second", '["b"]', "true", ""],
        ["M1", "", "", "", "true"],
        ["M1", "Last", '["a", "c"]', "", ""],
    ]
    outcome = plan(["memberId", "name", "hobbies", *OPT], rows)
    (record,) = outcome.created
    assert record.name == "Last"
    assert record.profile == {"hobbies": ["a", "b", "c"]}
    assert opt_outs(record) == (True, True)
    assert (outcome.created_count, outcome.updated_count) == (1, 0)
