"""The column mapping (R-I1, R-I5), pure: no database."""

import pytest

from imports.engine import mapping as m
from imports.engine.mapping import KeyInfo, MappingError, resolve

TIER = KeyInfo("tier", "Membership tier", "string")
HOBBIES = KeyInfo("hobbies", "Hobbies", "list")


def _resolve(headers, kind="member", identifier=None, custom=(TIER, HOBBIES), **kwargs):
    return resolve(headers=headers, custom_keys=custom, kind=kind, identifier=identifier, **kwargs)


def _refusal(headers, **kwargs) -> str:
    with pytest.raises(MappingError) as caught:
        _resolve(headers, **kwargs)
    return caught.value.message


def test_headers_equal_to_key_names_or_labels_map_by_themselves():
    mapping = _resolve(["Member ID", "NAME", "e_mail", "mobile number", "Membership tier"])
    assert mapping.as_dict() == {
        "Member ID": "memberId",
        "NAME": "name",
        "e_mail": "email",
        "mobile number": "mobileNumber",
        "Membership tier": "tier",
    }
    assert mapping.identifier_key == "memberId"
    assert [c.index for c in mapping.columns] == [0, 1, 2, 3, 4]


def test_unmatched_columns_are_refused_and_listed_by_name():
    message = _refusal(["memberId", "Shoe size", "Column C"])
    assert message == m.UNMATCHED_COLUMNS.format(
        columns='"Shoe size", "Column C"', options='--skip "Shoe size" --skip "Column C"'
    )


def test_unmatched_columns_can_be_skipped_or_mapped():
    mapping = _resolve(
        ["memberId", "Shoe size", "Level"], skip=["Shoe size"], explicit={"Level": "tier"}
    )
    assert mapping.as_dict() == {"memberId": "memberId", "Level": "tier"}
    assert mapping.skipped == ("Shoe size",)


def test_explicit_skip_wins_over_a_matching_header():
    mapping = _resolve(["memberId", "name"], skip=["name"])
    assert mapping.as_dict() == {"memberId": "memberId"}


def test_explicit_header_and_key_names_ignore_case():
    mapping = _resolve(["memberId", "Level"], explicit={"level": "TIER"})
    assert mapping.as_dict()["Level"] == "tier"


def test_R_I5_a_key_mapped_twice_is_refused_naming_both_columns():
    message = _refusal(["memberId", "name", "Full name"], explicit={"Full name": "name"})
    assert message == m.KEY_MAPPED_TWICE.format(first="name", second="Full name", key="name")


def test_R_I5_system_keys_are_never_mapped():
    message = _refusal(["memberId", "created"], explicit={"created": "createdAt"})
    assert message == m.SYSTEM_KEY_MAPPED.format(column="created", key="createdAt")


def test_R_I5_a_system_key_header_does_not_map_by_itself():
    message = _refusal(["memberId", "lastSeenAt"])
    assert message == m.UNMATCHED_COLUMNS.format(
        columns='"lastSeenAt"', options='--skip "lastSeenAt"'
    )


def test_R_I10_user_import_tag_cannot_be_mapped():
    message = _refusal(["memberId", "tags"], explicit={"tags": "userImportTag"})
    assert message == m.IMPORT_TAG_MAPPED.format(column="tags")


def test_unknown_key_is_refused_naming_the_column():
    message = _refusal(["memberId", "Level"], explicit={"Level": "level"})
    assert message == m.UNKNOWN_KEY.format(column="Level", key="level")


def test_mapping_a_column_the_file_lacks_is_refused():
    message = _refusal(["memberId"], explicit={"Level": "tier"})
    assert message == m.UNKNOWN_COLUMN.format(column="Level", columns='"memberId"')


def test_R_I1_member_import_needs_a_member_id_column():
    message = _refusal(["email", "name"])
    assert message == m.MEMBER_ID_UNMAPPED.format(columns='"email", "name"')


def test_R_I1_lead_import_needs_its_identifier_column():
    message = _refusal(["email", "name"], kind="lead", identifier="mobile")
    assert message == m.LEAD_IDENTIFIER_UNMAPPED.format(
        identifier="mobile", key="mobileNumber", columns='"email", "name"'
    )


def test_R_I1_lead_import_refuses_a_member_id_column():
    message = _refusal(["email", "memberId"], kind="lead", identifier="email")
    assert message == m.MEMBER_ID_IN_LEAD_IMPORT.format(column="memberId")


def test_R_I1_member_import_may_carry_contacts():
    mapping = _resolve(["memberId", "email", "mobileNumber"])
    assert [c.key for c in mapping.columns] == ["memberId", "email", "mobileNumber"]


def test_R_I1_lead_import_picks_email_or_mobile():
    assert _refusal(["email"], kind="lead", identifier=None) == m.IDENTIFIER_UNKNOWN
    assert _refusal(["memberId"], kind="member", identifier="email") == m.IDENTIFIER_FOR_MEMBERS
    assert _refusal(["memberId"], kind="both") == m.KIND_UNKNOWN
    mapping = _resolve(
        ["mobile", "email"], kind="lead", identifier="mobile", explicit={"mobile": "mobileNumber"}
    )
    assert mapping.identifier_key == "mobileNumber"


def test_R_I14_failed_rows_columns_are_skipped_by_themselves():
    headers = ["rowNumber", "errorColumns", "errorReasons", "memberId", "name"]
    mapping = _resolve(headers)
    assert mapping.as_dict() == {"memberId": "memberId", "name": "name"}
    assert mapping.skipped == ("rowNumber", "errorColumns", "errorReasons")


def test_R_I5_new_keys_are_created_by_the_mapping():
    mapping = _resolve(
        ["memberId", "shoe_size", "Colour"],
        new_keys={"shoe_size": "number", "colour": "string"},
        explicit={"Colour": "colour"},
    )
    assert mapping.as_dict() == {
        "memberId": "memberId",
        "shoe_size": "shoe_size",
        "Colour": "colour",
    }
    assert mapping.new_keys == {"shoe_size": "number", "colour": "string"}
    assert mapping.columns[1].type == "number"


def test_new_keys_not_mapped_to_a_column_are_not_created():
    mapping = _resolve(["memberId"], new_keys={"unused": "string"})
    assert mapping.new_keys == {}


def test_new_key_with_the_name_of_an_existing_key_of_the_same_type_is_reused():
    mapping = _resolve(["memberId", "tier"], new_keys={"tier": "string"})
    assert mapping.as_dict()["tier"] == "tier"


@pytest.mark.parametrize(
    ("new_keys", "expected"),
    [
        ({"tier": "number"}, m.NEW_KEY_TYPE_CLASH.format(key="tier", existing="string")),
        ({"email": "string"}, m.NEW_KEY_BUILTIN.format(key="email")),
        (
            {"x": "colour"},
            m.NEW_KEY_TYPE_UNKNOWN.format(
                key="x", type="colour", types=", ".join(m.profile_types.TYPES)
            ),
        ),
        (
            {"1st": "string"},
            m.NEW_KEY_INVALID.format(key="1st", reason=m.profile_types.REASON_KEY_NAME),
        ),
    ],
)
def test_invalid_new_keys_are_refused(new_keys, expected):
    assert _refusal(["memberId"], new_keys=new_keys) == expected


def test_suggest_lists_each_header_with_its_key_or_none():
    keys = m.available_keys([TIER], {})
    assert m.suggest(["memberId", "Shoe", "rowNumber"], keys) == {
        "memberId": "memberId",
        "Shoe": None,
    }


def test_rebuild_finds_the_stored_headers_again():
    keys = m.available_keys([TIER], {})
    mapping = m.rebuild(
        headers=["name", "memberId", "x"],
        keys=keys,
        kind="member",
        identifier=None,
        stored={"memberId": "memberId", "name": "name"},
    )
    assert [(c.index, c.key) for c in mapping.columns] == [(0, "name"), (1, "memberId")]
    assert mapping.skipped == ("x",)
