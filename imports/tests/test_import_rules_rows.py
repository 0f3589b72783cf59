"""What an import's rows write (R-I2, R-I3, R-I7..R-I10, R-I14, R-I18..R-I22, R-T2, R-C6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Customer
from imports import lifecycle
from imports.engine.parsing import IDENTIFIER_EMPTY, MEMBER_ID_EMPTY
from imports.engine.planner import OPT_OUT_REQUIRED
from imports.models import Import, ImportFailure
from imports.refusals import ImportRefused
from imports.tests.rules_support import (
    OPT,
    counters,
    csv,
    customer,
    failures,
    run_csv,
    services_keys,
    upload,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("media")


# R-I2 member imports


def test_R_I2_empty_member_id_fails_the_row(channel, owner):
    imp = run_csv(
        channel, owner, csv(f"memberId,name,{OPT}", " ,Nobody,false,false", "M1,Ann,false,false")
    )
    assert imp.status == Import.Status.SUCCEEDED
    assert failures(imp) == [(2, ["memberId"], [MEMBER_ID_EMPTY])]
    assert counters(imp)["created"] == 1
    assert not Customer.objects.filter(name="Nobody").exists()


def test_R_I2_member_row_updates_the_same_member_id_or_creates_a_member(channel, owner):
    CustomerFactory(channel=channel, member_id="M1", name="Old", email="m1@example.com")
    imp = run_csv(channel, owner, csv(f"memberId,name,{OPT}", "M1,New,,", "M2,Bob,true,false"))
    assert counters(imp) | {} == {
        "created": 1, "updated": 1, "failed": 0, "createdHidden": 0,
        "unified": 0, "pendingUnification": 0, "conflicts": 0,
    }  # fmt: skip
    assert customer(channel, member_id="M1").name == "New"
    created = customer(channel, member_id="M2")
    assert (created.name, created.unsubscribe_email, created.unsubscribe_texting) == (
        "Bob",
        True,
        False,
    )


# R-I3 lead matching


def test_R_I3_lead_row_matches_members_hidden_and_blocked_customers(channel, owner):
    member = CustomerFactory(channel=channel, member_id="M1", email="a@example.com")
    hidden = CustomerFactory(channel=channel, email="b@example.com", is_hidden=True)
    blocked = CustomerFactory(channel=channel, email="c@example.com", is_blocked=True)
    text = csv("email,name", "A@Example.com,Ann", "b@example.com,Bea", "c@example.com,Cy")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert counters(imp)["updated"] == 3 and counters(imp)["created"] == 0
    for record, name in ((member, "Ann"), (hidden, "Bea"), (blocked, "Cy")):
        record.refresh_from_db()
        assert record.name == name
    hidden.refresh_from_db()
    blocked.refresh_from_db()
    assert hidden.is_hidden and blocked.is_blocked


def test_R_I3_several_matches_update_most_recently_seen(channel, owner):
    now = timezone.now()
    older = CustomerFactory(
        channel=channel, email="same@example.com", last_seen_at=now - timedelta(days=2)
    )
    recent = CustomerFactory(
        channel=channel, email="same@example.com", last_seen_at=now - timedelta(days=1)
    )
    never = CustomerFactory(channel=channel, email="same@example.com", last_seen_at=None)
    run_csv(
        channel,
        owner,
        csv("email,name", "same@example.com,Picked"),
        kind="lead",
        identifier="email",
    )
    names = {c.pk: c.name for c in Customer.objects.filter(channel=channel)}
    assert names[recent.pk] == "Picked"
    assert names[older.pk] != "Picked" and names[never.pk] != "Picked"


def test_R_I3_never_seen_counts_as_oldest_and_ties_go_to_the_higher_id(channel, owner):
    seen = timezone.now() - timedelta(days=3)
    CustomerFactory(channel=channel, mobile_number="+821020203030", last_seen_at=None)
    first = CustomerFactory(channel=channel, mobile_number="+821020203030", last_seen_at=seen)
    second = CustomerFactory(channel=channel, mobile_number="+821020203030", last_seen_at=seen)
    assert second.pk > first.pk
    run_csv(
        channel,
        owner,
        csv("mobileNumber,name", "+82 010-2020-3030,Tie"),
        kind="lead",
        identifier="mobile",
    )
    assert customer(channel, pk=second.pk).name == "Tie"
    assert Customer.objects.filter(channel=channel, name="Tie").count() == 1


def test_R_I3_no_match_creates_a_verified_lead(channel, owner):
    text = csv(f"mobileNumber,email,{OPT}", "+82 010-2020-3030,New@Example.com,false,true")
    imp = run_csv(channel, owner, text, kind="lead", identifier="mobile")
    assert counters(imp)["created"] == 1
    lead = customer(channel, mobile_number="+821020203030")
    assert lead.member_id is None
    assert lead.email == "new@example.com"
    assert lead.mobile_verified and lead.email_verified


def test_R_I3_the_identifier_is_never_changed_the_other_contact_can_be(channel, owner):
    lead = CustomerFactory(channel=channel, email="lead@example.com", mobile_number="+821011112222")
    text = csv("email,mobileNumber", "LEAD@example.com,+821033334444")
    run_csv(channel, owner, text, kind="lead", identifier="email", empty_cells="clear")
    lead.refresh_from_db()
    assert (lead.email, lead.mobile_number) == ("lead@example.com", "+821033334444")


def test_R_I3_empty_identifier_fails_the_row(channel, owner):
    imp = run_csv(channel, owner, csv("email,name", ",Ann"), kind="lead", identifier="email")
    assert failures(imp) == [(2, ["email"], [IDENTIFIER_EMPTY.format(key="email")])]


def test_R_I3_unverified_lead_is_matched_and_its_contact_verified(channel, owner):
    lead = CustomerFactory(channel=channel, email="chat@example.com", email_verified=False)
    imp = run_csv(channel, owner, csv("email", "chat@example.com"), kind="lead", identifier="email")
    lead.refresh_from_db()
    assert counters(imp)["updated"] == 1
    assert lead.email_verified


# R-I7..R-I10: the planning rules are tested on the pure planner (test_planner_rules.py); here,
# that the writers store what it decided.


def test_R_I7_to_R_I10_the_writers_store_what_the_planner_decided(channel, owner):
    services_keys(channel, owner, hobbies="list", tier="string")
    CustomerFactory(
        channel=channel,
        member_id="M1",
        name="Ann",
        email="ann@example.com",
        landline_number="+8225556666",
        unsubscribe_email=True,
        unsubscribe_texting=True,
        import_tags=["older"],
        profile={"hobbies": ["golf"], "tier": "gold"},
    )
    text = csv(
        f"memberId,name,email,landlineNumber,hobbies,tier,{OPT}",
        'M1,,,+82 2-555-7777,"[""chess""]",,no,',
        'M2,Bob,bob@example.com,,"[""golf""]",silver,false,true',
    )
    imp = run_csv(channel, owner, text, empty_cells="clear", tag="spring")
    assert (imp.created_count, imp.updated_count, imp.failed_count) == (1, 1, 0)
    updated = customer(channel, member_id="M1")
    assert (updated.name, updated.email, updated.email_verified) == ("", None, False)
    assert updated.landline_number == "+8225557777"
    assert (updated.unsubscribe_email, updated.unsubscribe_texting) == (False, True)
    assert updated.profile == {"hobbies": ["golf", "chess"]}
    assert updated.import_tags == ["older", "spring"]
    created = customer(channel, member_id="M2")
    assert (created.name, created.email, created.email_verified) == ("Bob", "bob@example.com", True)
    assert (created.unsubscribe_email, created.unsubscribe_texting) == (False, True)
    assert created.profile == {"hobbies": ["golf"], "tier": "silver"}
    assert created.import_tags == ["spring"]


# R-I10 import tags


def test_R_I10_the_default_tag_is_the_file_name_without_extension(channel, owner):
    run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"), file_name="VIP list.2025.csv")
    assert customer(channel, member_id="M1").import_tags == ["VIP list.2025"]


def test_R_I10_an_invalid_tag_is_refused(channel, owner):
    imp = upload(channel, owner, csv("memberId", "M1"))
    for tag, message in [("a\tb", lifecycle.TAG_CONTROL_CHARACTER), ("  ", lifecycle.TAG_EMPTY)]:
        with pytest.raises(ImportRefused) as caught:
            lifecycle.import_configure(imp=imp, by=owner, kind="member", tag=tag)
        assert caught.value.message == message
    with pytest.raises(ImportRefused) as caught:
        lifecycle.import_configure(imp=imp, by=owner, kind="member", tag="t" * 201)
    assert caught.value.message == lifecycle.TAG_TOO_LONG
    assert Import.objects.get(pk=imp.pk).kind == ""


# R-I14 counters and failed rows


def test_R_I14_created_and_updated_count_distinct_customers(channel, owner, chunked):
    CustomerFactory(channel=channel, member_id="M1")
    text = csv(
        f"memberId,name,{OPT}",
        "M1,a,,",
        "M2,b,false,false",
        "M1,c,,",
        "M2,d,,",
        "M1,e,,",
        "M3,,bad,",
    )
    imp = run_csv(channel, owner, text)
    assert (imp.created_count, imp.updated_count, imp.failed_count) == (1, 1, 1)
    assert customer(channel, member_id="M1").name == "e"
    assert customer(channel, member_id="M2").name == "d"


def test_R_I14_failed_rows_keep_row_number_error_columns_reasons_and_values(channel, owner):
    services_keys(channel, owner, birthday="date")
    text = csv(f"memberId,birthday,email,{OPT}", "", "M1,2025/05/04,nope,false,false")
    imp = run_csv(channel, owner, text)
    failure = ImportFailure.objects.get(import_run=imp)
    assert failure.row_number == 3  # the header is row 1, the blank line row 2
    assert failure.error_columns == ["birthday", "email"]
    assert failure.error_reasons[0].startswith("Use YYYY-MM-DD")
    assert failure.values == {
        "memberId": "M1",
        "birthday": "2025/05/04",
        "email": "nope",
        "unsubscribeEmail": "false",
        "unsubscribeTexting": "false",
    }


def test_R_T2_a_value_that_breaks_its_type_fails_the_row_and_names_the_column(channel, owner):
    services_keys(channel, owner, visits="number")
    imp = run_csv(channel, owner, csv(f"memberId,visits,{OPT}", 'M1,"1,000",false,false'))
    assert failures(imp) == [(2, ["visits"], ["Remove the thousands separator"])]


def test_R_C6_a_profile_over_15_kb_fails_the_row(channel, owner):
    services_keys(channel, owner, **{f"k{i}": "string" for i in range(40)})
    header = ",".join(f"k{i}" for i in range(40))
    row = ",".join("x" * 500 for _ in range(40))
    imp = run_csv(channel, owner, csv(f"memberId,{OPT},{header}", f"M1,false,false,{row}"))
    assert failures(imp) == [(2, [], ["At most 15 KB per profile"])]


# R-I18 file order


def test_R_I18_rows_for_the_same_customer_apply_in_file_order_across_chunks(
    channel, owner, chunked
):
    services_keys(channel, owner, hobbies="list")
    text = csv(
        f"memberId,name,hobbies,{OPT}",
        'M1,First,"[""a""]",false,false',
        'M1,Second,"[""b""]",true,',
        "M1,,,,true",
        'M1,Last,"[""a"", ""c""]",,',
    )
    imp = run_csv(channel, owner, text)
    record = customer(channel, member_id="M1")
    assert record.name == "Last"
    assert record.profile == {"hobbies": ["a", "b", "c"]}
    assert (record.unsubscribe_email, record.unsubscribe_texting) == (True, True)
    assert (imp.created_count, imp.updated_count) == (1, 0)


# R-I19, R-I20 timestamps


def test_R_I19_created_customers_get_created_last_seen_and_updated_at_import_time(channel, owner):
    before = timezone.now()
    run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    record = customer(channel, member_id="M1")
    assert record.created_at == record.last_seen_at == record.updated_at
    assert before <= record.created_at <= timezone.now()


def test_R_I19_updated_customers_only_get_updated_at(channel, owner):
    long_ago = timezone.now() - timedelta(days=100)
    CustomerFactory(
        channel=channel,
        member_id="M1",
        created_at=long_ago,
        updated_at=long_ago,
        last_seen_at=long_ago,
    )
    CustomerFactory(
        channel=channel,
        member_id="M2",
        created_at=long_ago,
        updated_at=long_ago,
        last_seen_at=long_ago,
        name="Same",
        import_tags=["t"],
    )
    run_csv(channel, owner, csv("memberId,name", "M1,Changed", "M2,Same"), tag="t")
    changed, unchanged = customer(channel, member_id="M1"), customer(channel, member_id="M2")
    assert changed.updated_at > long_ago
    assert (changed.created_at, changed.last_seen_at) == (long_ago, long_ago)
    assert (unchanged.updated_at, unchanged.created_at, unchanged.last_seen_at) == (long_ago,) * 3


def test_R_I20_never_changes_last_seen_and_never_unhides(channel, owner):
    seen = timezone.now() - timedelta(days=7)
    CustomerFactory(channel=channel, member_id="M1", last_seen_at=seen, is_hidden=True)
    CustomerFactory(channel=channel, member_id="M2", last_seen_at=None)
    run_csv(channel, owner, csv("memberId,name", "M1,A", "M2,B"))
    first, second = customer(channel, member_id="M1"), customer(channel, member_id="M2")
    assert first.last_seen_at == seen and first.is_hidden
    assert second.last_seen_at is None


# R-I21 identifier-only files


def test_R_I21_an_identifier_only_file_only_tags_and_new_customers_fail(channel, owner):
    CustomerFactory(channel=channel, email="known@example.com", name="Known")
    text = csv("email", "known@example.com", "new@example.com")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email", tag="vip")
    assert counters(imp) | {} == {
        "created": 0, "updated": 1, "failed": 1, "createdHidden": 0,
        "unified": 0, "pendingUnification": 0, "conflicts": 0,
    }  # fmt: skip
    known = customer(channel, email="known@example.com")
    assert (known.name, known.import_tags) == ("Known", ["vip"])
    assert failures(imp) == [
        (3, ["unsubscribeEmail", "unsubscribeTexting"], [OPT_OUT_REQUIRED, OPT_OUT_REQUIRED])
    ]


# R-I22 encodings


def test_R_I22_the_reader_detects_the_encoding_and_a_chosen_one_passes_through(channel, owner):
    text = csv(f"memberId,name,{OPT}", "M1,김민수,false,false", "M2,이영희,false,false")
    detected = run_csv(channel, owner, text.encode("cp949"))
    assert detected.encoding == "cp949"
    assert customer(channel, member_id="M1").name == "김민수"
    chosen = run_csv(
        channel, owner, csv("memberId,name", "M2,José").encode("cp1252"), encoding="latin-1"
    )
    assert chosen.encoding == "iso8859-1"
    assert customer(channel, member_id="M2").name == "José"


def test_R_I22_an_undecodable_file_is_refused_with_the_readers_message(channel, owner):
    with pytest.raises(ImportRefused) as caught:
        upload(channel, owner, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv")
    assert "not a CSV" in caught.value.message


def test_R_I22_an_unknown_encoding_name_is_refused(channel, owner):
    with pytest.raises(ImportRefused) as caught:
        upload(channel, owner, csv("memberId", "M1"), encoding="klingon")
    assert caught.value.message == lifecycle.ENCODING_UNKNOWN.format(encoding="klingon")
