"""The import rules, one test per rule ID, driven through the services (R-I*, R-U*, R-M3)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from activitylog.models import Entry
from contacts.models import Channel, Customer, PendingUnification
from contacts.selectors import mu_count
from imports import checking, lifecycle, notifications, orm_writer, refusals, running
from imports.engine.parsing import IDENTIFIER_EMPTY, MEMBER_ID_EMPTY
from imports.engine.planner import OPT_OUT_REQUIRED
from imports.engine.reading import FILE_TOO_LARGE
from imports.models import Import, ImportConflict, ImportFailure, Notification
from imports.refusals import ImportRefused
from tests.factories import ConversationFactory, CustomerFactory, UserFactory

OPT = "unsubscribeEmail,unsubscribeTexting"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(params=[2, 5000], ids=["chunks-of-2", "one-chunk"])
def chunked(request, settings):
    """Run a test with tiny chunks too: the rules must hold across chunk borders."""
    settings.IMPORT_CHUNK_ROWS = request.param
    return request.param


def upload(channel, by, text, file_name="customers.csv", encoding=None):
    data = text.encode() if isinstance(text, str) else text
    return lifecycle.import_upload(
        channel=channel,
        by=by,
        file=ContentFile(data, name=file_name),
        file_name=file_name,
        encoding=encoding,
    )


def run_csv(
    channel,
    by,
    text,
    *,
    kind="member",
    identifier=None,
    file_name="customers.csv",
    encoding=None,
    **options,
):
    """Upload, map, start and run an import in-process; return the finished Import."""
    imp = upload(channel, by, text, file_name, encoding)
    lifecycle.import_configure(imp=imp, by=by, kind=kind, identifier=identifier, **options)
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    return running.import_run(import_id=imp.id)


def csv(*lines):
    return "\n".join(lines) + "\n"


def counters(imp):
    return running.import_summary(imp)


def customer(channel, **lookup):
    return Customer.objects.get(channel=channel, **lookup)


def failures(imp):
    return list(
        ImportFailure.objects.filter(import_run=imp).values_list(
            "row_number", "error_columns", "error_reasons"
        )
    )


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


def services_keys(channel, by, **keys):
    from contacts.services import profile_key_add

    for name, type_name in keys.items():
        profile_key_add(channel=channel, by=by, name=name, type=type_name)


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


# R-I15 activity log


def test_R_I15_one_bulk_import_entry_with_its_choices_and_its_counts(channel, owner):
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    entry = Entry.objects.get(
        channel=channel, category=Entry.Category.BULK_IMPORT, import_id=imp.id
    )
    assert entry.action == "Bulk import of customers.csv finished"
    assert entry.actor == owner
    assert entry.details["file"] == "customers.csv" and entry.details["kind"] == "member"
    assert entry.details["mapping"] == {"memberId": "memberId"} | {
        key: key for key in ("unsubscribeEmail", "unsubscribeTexting")
    }
    assert (entry.details["created"], entry.details["failed"]) == (1, 0)
    assert entry.details["status"] == "succeeded"
    assert not Entry.objects.filter(category=Entry.Category.CUSTOMER_EDIT).exists()


def test_R_I15_enterprise_with_security_logs_each_customer_the_import_created_or_changed(
    channel, owner
):
    Channel.objects.filter(pk=channel.pk).update(plan="enterprise", has_security_package=True)
    CustomerFactory(channel=channel, member_id="M1", name="Same")
    CustomerFactory(channel=channel, member_id="M2", name="Old", import_tags=["t"])
    CustomerFactory(channel=channel, member_id="M3", name="Same", import_tags=["t"])
    text = csv(
        f"memberId,name,{OPT}",
        "M1,Same,,",
        "M2,New,,",
        "M3,Same,,",
        "M4,Four,false,false",
        "M2,Newer,,",
    )
    imp = run_csv(channel, owner, text, tag="t")
    edits = Entry.objects.filter(category=Entry.Category.CUSTOMER_EDIT, import_id=imp.id)
    by_customer = {e.customer_label: e for e in edits}
    assert sorted(by_customer) == ["Four", "Newer", "Same"]  # M1 got the tag; M3 had nothing new
    assert by_customer["Newer"].details == {"keys": ["name"], "created": False}
    assert by_customer["Four"].details["created"] is True
    assert all(e.actor == owner for e in edits)


# R-I16 one import at a time


def test_R_I16_a_second_import_is_refused_naming_who_started_the_running_one(
    channel, owner, editor
):
    first = upload(channel, editor, csv("memberId", "M1"))
    lifecycle.import_configure(imp=first, by=editor, kind="member")
    lifecycle.import_start(imp=first, by=editor, enqueue=False)
    second = upload(channel, owner, csv("memberId", "M2"))
    lifecycle.import_configure(imp=second, by=owner, kind="member")
    with pytest.raises(ImportRefused) as caught:
        lifecycle.import_start(imp=second, by=owner, enqueue=False)
    when = first.created_at.strftime("%Y-%m-%d %H:%M")
    assert caught.value.message == refusals.IMPORT_ALREADY_ACTIVE.format(
        status="queued",
        id=first.pk,
        file="customers.csv",
        who="editor@example.com",
        when=when,
        progress="",
    )
    assert caught.value.active_import_id == first.pk
    second.refresh_from_db()
    assert second.status == Import.Status.DRAFT
    running.import_run(import_id=first.id)
    lifecycle.import_start(imp=second, by=owner, enqueue=False)
    assert running.import_run(import_id=second.id).status == Import.Status.SUCCEEDED


def test_R_I16_the_database_holds_one_active_import_per_channel(channel, owner):
    Import.objects.create(
        channel=channel, kind="member", file="a.csv", file_name="a.csv", tag="a", status="running"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Import.objects.create(
            channel=channel,
            kind="member",
            file="b.csv",
            file_name="b.csv",
            tag="b",
            status="queued",
        )


def test_R_I16_start_enqueues_the_worker_task_after_commit(
    channel, owner, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: calls.append(args))
    imp = upload(channel, owner, csv("memberId", "M1"))
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.import_start(imp=imp, by=owner)
    assert calls == [("imports.tasks.run_import_task", imp.id)]
    from imports.tasks import run_import_task

    run_import_task(imp.id)
    imp.refresh_from_db()
    assert imp.status == Import.Status.SUCCEEDED


# R-I17 size and permission


def test_R_I17_files_larger_than_100_mb_are_refused(channel, owner, settings):
    settings.IMPORT_MAX_FILE_BYTES = 10
    with pytest.raises(ImportRefused) as caught:
        upload(channel, owner, csv("memberId", "M1", "M2"))
    assert caught.value.message == FILE_TOO_LARGE


def test_R_I17_only_managers_with_edit_permission_import(channel, owner, viewer, outsider):
    for user in (viewer,):
        with pytest.raises(ImportRefused) as caught:
            upload(channel, user, csv("memberId", "M1"))
        assert caught.value.message == refusals.NO_EDIT_PERMISSION
    with pytest.raises(ImportRefused) as caught:
        upload(channel, outsider, csv("memberId", "M1"))
    assert caught.value.message == refusals.NOT_A_MANAGER.format(who=outsider, channel="acme")


def test_R_I17_editor_may_import(channel, owner, editor):
    imp = run_csv(channel, editor, csv(f"memberId,{OPT}", "M1,false,false"))
    assert imp.status == Import.Status.SUCCEEDED and imp.started_by == editor


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


# R-U unification


def test_R_U1_a_member_import_unifies_a_never_booted_verified_lead(channel, owner):
    lead = CustomerFactory(channel=channel, email="ann@example.com", has_booted=False)
    imp = run_csv(channel, owner, csv(f"memberId,email,{OPT}", "M1,ann@example.com,false,false"))
    assert (imp.created_count, imp.unified_count) == (1, 1)
    assert not Customer.objects.filter(pk=lead.pk).exists()
    assert Customer.objects.filter(channel=channel).count() == 1
    entry = Entry.objects.get(category=Entry.Category.UNIFICATION)
    assert entry.details["leadId"] == lead.pk
    assert entry.customer_id == customer(channel, member_id="M1").pk


def test_R_U1_a_lead_import_unifies_its_new_lead_with_the_member_sharing_a_contact(channel, owner):
    member = CustomerFactory(
        channel=channel, member_id="M1", email=None, mobile_number="+821020203030", name="Mem"
    )
    text = csv(f"email,mobileNumber,name,{OPT}", "new@example.com,+821020203030,Lead,true,true")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert counters(imp) | {} == {
        "created": 0, "updated": 1, "failed": 0, "createdHidden": 0,
        "unified": 1, "pendingUnification": 0, "conflicts": 0,
    }  # fmt: skip
    member.refresh_from_db()
    assert Customer.objects.filter(channel=channel).count() == 1
    assert member.email == "new@example.com" and member.email_verified
    assert member.name == "Mem"
    assert (member.unsubscribe_email, member.unsubscribe_texting) == (True, True)


def test_R_U1_an_unverified_lead_is_not_unified(channel, owner):
    CustomerFactory(channel=channel, email="ann@example.com", email_verified=False)
    imp = run_csv(channel, owner, csv(f"memberId,email,{OPT}", "M1,ann@example.com,false,false"))
    assert imp.unified_count == 0
    assert Customer.objects.filter(channel=channel).count() == 2


def test_R_U5_each_unified_leads_conversations_go_to_its_own_member(channel, owner):
    pairs = []
    for n in range(3):
        CustomerFactory(channel=channel, member_id=f"M{n}", email=f"p{n}@example.com")
        lead = CustomerFactory(
            channel=channel, email=f"p{n}@example.com", email_verified=True, has_booted=False
        )
        pairs.append((ConversationFactory(customer=lead), f"M{n}"))
    other = ConversationFactory(customer=CustomerFactory(channel=channel, member_id="M9"))
    imp = run_csv(channel, owner, csv("memberId", "M0", "M1", "M2"))
    assert imp.unified_count == 3
    for conversation, member_id in pairs:
        conversation.refresh_from_db()
        assert conversation.customer.member_id == member_id
    other.refresh_from_db()
    assert other.customer.member_id == "M9"


def test_R_U2_R_U5_a_never_booted_lead_is_unified_at_once_without_losing_data(channel, owner):
    services_keys(channel, owner, hobbies="list", tier="string", city="string")
    member = CustomerFactory(
        channel=channel, member_id="M1", name="Member", email="shared@example.com",
        email_verified=False, mobile_number=None, landline_number=None, unsubscribe_email=None,
        import_tags=["m-old"],
        profile={"hobbies": ["golf"], "tier": "gold"},
    )  # fmt: skip
    lead = CustomerFactory(
        channel=channel, name="Lead", email="shared@example.com", email_verified=True,
        mobile_number="+821020203030", mobile_verified=True, landline_number="+8225556666",
        unsubscribe_email=True, import_tags=["l-old"],
        profile={"hobbies": ["chess", "golf"], "tier": "silver", "city": "Seoul"}, has_booted=False,
    )  # fmt: skip
    conversation = ConversationFactory(customer=lead)
    imp = run_csv(channel, owner, csv("memberId", "M1"), tag="now")
    member.refresh_from_db()
    assert imp.unified_count == 1
    assert not Customer.objects.filter(pk=lead.pk).exists()
    assert member.name == "Member"
    assert member.email == "shared@example.com" and member.email_verified
    assert member.mobile_number == "+821020203030" and member.mobile_verified
    assert member.landline_number == "+8225556666"
    assert member.unsubscribe_email is True
    assert member.import_tags == ["m-old", "now", "l-old"]
    assert member.profile == {"hobbies": ["golf", "chess"], "tier": "gold", "city": "Seoul"}
    conversation.refresh_from_db()
    assert conversation.customer_id == member.pk


def test_R_U3_a_booted_lead_waits_and_both_count_toward_mu(channel, owner):
    lead = CustomerFactory(
        channel=channel,
        mobile_number="+821020203030",
        mobile_verified=True,
        email=None,
        has_booted=True,
    )
    imp = run_csv(
        channel, owner, csv(f"memberId,mobileNumber,{OPT}", "M1,+821020203030,false,false", "M1,,,")
    )
    member = customer(channel, member_id="M1")
    assert (imp.unified_count, imp.pending_unification_count) == (0, 1)
    assert list(PendingUnification.objects.values_list("lead_id", "member_id", "import_id")) == [
        (lead.pk, member.pk, imp.id)
    ]
    assert mu_count(channel) == 2
    again = run_csv(channel, owner, csv("memberId", "M1"))
    assert again.pending_unification_count == 0
    assert PendingUnification.objects.count() == 1


def test_R_U4_two_leads_are_never_unified(channel, owner):
    CustomerFactory(channel=channel, email="a@example.com", mobile_number="+821020203030")
    text = csv(f"email,mobileNumber,{OPT}", "b@example.com,+821020203030,false,false")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert (imp.created_count, imp.unified_count) == (1, 0)
    assert Customer.objects.filter(channel=channel).count() == 2


def test_R_U6_a_lead_pointing_at_two_members_is_a_conflict_naming_both(channel, owner):
    long_ago = timezone.now() - timedelta(days=30)
    by_email = CustomerFactory(
        channel=channel, member_id="M1", email="x@example.com", last_seen_at=long_ago
    )
    by_mobile = CustomerFactory(
        channel=channel, member_id="M2", email=None, mobile_number="+821020203030"
    )
    lead = CustomerFactory(channel=channel, email="x@example.com", has_booted=False)
    text = csv("email,mobileNumber", "x@example.com,+821020203030")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert (imp.updated_count, imp.conflict_count, imp.unified_count) == (1, 1, 0)
    conflict = ImportConflict.objects.get(import_run=imp)
    assert (conflict.row_number, conflict.lead_id) == (2, lead.pk)
    assert (conflict.email_member_id, conflict.mobile_member_id) == (by_email.pk, by_mobile.pk)
    lead.refresh_from_db()
    assert lead.mobile_number == "+821020203030"
    assert Customer.objects.filter(channel=channel).count() == 3


def test_R_U6_member_import_reports_a_lead_reaching_another_member(channel, owner):
    other = CustomerFactory(
        channel=channel, member_id="M2", email=None, mobile_number="+821020203030"
    )
    lead = CustomerFactory(
        channel=channel, email="x@example.com", mobile_number="+821020203030", mobile_verified=True
    )
    imp = run_csv(channel, owner, csv(f"memberId,email,{OPT}", "M1,x@example.com,false,false"))
    member = customer(channel, member_id="M1")
    conflict = ImportConflict.objects.get(import_run=imp)
    assert (conflict.lead_id, conflict.email_member_id, conflict.mobile_member_id) == (
        lead.pk,
        member.pk,
        other.pk,
    )
    assert Customer.objects.filter(pk=lead.pk).exists()


# R-M3 the MU limit


def test_R_M3_new_customers_fill_the_room_in_file_order_the_rest_hidden(channel, owner, chunked):
    Channel.objects.filter(pk=channel.pk).update(mu_limit=5)
    for i in range(2):
        CustomerFactory(channel=channel, member_id=f"OLD{i}")
    rows = [f"N{i},false,false" for i in range(6)]
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", *rows, "OLD0,true,true"))
    visible = set(
        Customer.objects.filter(channel=channel, is_hidden=False).values_list(
            "member_id", flat=True
        )
    )
    assert visible == {"OLD0", "OLD1", "N0", "N1", "N2"}
    assert imp.created_hidden_count == 3
    assert mu_count(channel) == 5


def test_R_M3_an_import_never_hides_a_visible_customer(channel, owner):
    Channel.objects.filter(pk=channel.pk).update(mu_limit=1)
    for i in range(3):
        CustomerFactory(channel=channel, member_id=f"OLD{i}")
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "OLD1,true,true", "NEW,false,false"))
    assert Customer.objects.filter(channel=channel, is_hidden=False).count() == 3
    assert customer(channel, member_id="NEW").is_hidden
    assert imp.created_hidden_count == 1


# R-I11 the dry run


def test_R_I11_the_check_counts_every_row_without_writing(channel, owner, chunked):
    CustomerFactory(channel=channel, member_id="M1")
    text = csv(
        f"memberId,name,{OPT}", "M1,a,,", "M2,b,false,false", "M2,c,,", ",x,,", "M3,,,", "M1,,,"
    )
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    report = checking.import_check(imp=imp)
    assert Customer.objects.filter(channel=channel).count() == 1
    assert {k: report[k] for k in ("rows", "created", "updated", "failed")} == {
        "rows": 6, "created": 1, "updated": 1, "failed": 2,
    }  # fmt: skip
    empty = {"count": 1, "cells": [""]}  # each group shows its rows' cells (all empty here)
    assert report["reasons"] == [
        {"column": "memberId", "reason": MEMBER_ID_EMPTY, "rows": [5]} | empty,
        {"column": "unsubscribeEmail", "reason": OPT_OUT_REQUIRED, "rows": [6]} | empty,
        {"column": "unsubscribeTexting", "reason": OPT_OUT_REQUIRED, "rows": [6]} | empty,
    ]
    imp.refresh_from_db()
    assert imp.status == Import.Status.DRAFT and imp.check_result == report
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    done = running.import_run(import_id=imp.id)
    assert (done.created_count, done.updated_count, done.failed_count) == (1, 1, 2)


def test_R_I11_the_check_simulates_leads_created_earlier_in_the_file(channel, owner, chunked):
    text = csv(
        f"email,{OPT}",
        "a@example.com,false,false",
        "b@example.com,,",
        "A@example.com,,",
        "c@example.com,true,true",
    )
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="lead", identifier="email")
    report = checking.import_check(imp=imp)
    assert (report["created"], report["updated"], report["failed"]) == (2, 0, 1)


# R-I12 an import starts only when the manager starts it, and cannot be undone


def test_R_I12_an_import_runs_only_after_the_manager_starts_it(channel, owner):
    """The engine's half of the confirmation (the wizard asks it): uploading, mapping and the
    dry run leave a draft that nothing runs; only import_start queues it."""
    imp = upload(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    checking.import_check(imp=imp)
    assert running.import_run(import_id=imp.id).status == Import.Status.DRAFT
    assert not Customer.objects.filter(channel=channel).exists()
    lifecycle.import_start(imp=Import.objects.get(pk=imp.pk), by=owner, enqueue=False)
    assert running.import_run(import_id=imp.id).status == Import.Status.SUCCEEDED
    assert customer(channel, member_id="M1")


def test_R_I12_a_started_import_cannot_be_changed_started_again_or_discarded(channel, owner):
    imp = upload(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    attempts = (
        lambda: lifecycle.import_start(imp=imp, by=owner, enqueue=False),
        lambda: lifecycle.import_configure(imp=imp, by=owner, kind="lead", identifier="email"),
        lambda: lifecycle.import_discard(imp=imp),
    )
    for refused in attempts:
        with pytest.raises(ImportRefused) as caught:
            refused()
        assert caught.value.message == refusals.IMPORT_NOT_DRAFT
    assert Import.objects.get(pk=imp.pk).status == Import.Status.QUEUED


def test_an_unmapped_import_is_neither_checked_nor_started(channel, owner):
    imp = upload(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    for refused in (
        lambda: checking.import_check(imp=imp),
        lambda: lifecycle.import_start(imp=imp, by=owner, enqueue=False),
    ):
        with pytest.raises(ImportRefused) as caught:
            refused()
        assert caught.value.message == refusals.IMPORT_NOT_CONFIGURED
    assert Import.objects.get(pk=imp.pk).status == Import.Status.DRAFT


# R-I13 notifications


def test_R_I13_the_starter_and_the_owner_get_a_message_when_the_import_ends(channel, owner, editor):
    imp = run_csv(channel, editor, csv(f"memberId,{OPT}", "M1,false,false", ",x,"))
    notes = Notification.objects.filter(import_run=imp)
    assert sorted(n.recipient.email for n in notes) == ["editor@example.com", "owner@example.com"]
    text = notifications.NOTE_SUCCEEDED.format(
        file="customers.csv", channel="Acme", created=1, updated=0, failed=1
    )
    assert {n.text for n in notes} == {text}
    notifications.notification_read(notification=notes[0])
    assert notes[0].read_at is not None


def test_R_I13_the_owner_starting_an_import_gets_one_message(channel, owner):
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    assert Notification.objects.filter(import_run=imp).count() == 1


# running, resuming, failing


class _Killed(BaseException):
    """Stands for the worker being killed: nothing after it runs, not even except Exception."""


def test_a_killed_run_resumes_after_the_last_committed_chunk_with_the_same_result(
    channel, owner, other_channel, settings, monkeypatch
):
    settings.IMPORT_CHUNK_ROWS = 2
    settings.IMPORT_STALE_SECONDS = 0  # the killed runner's heartbeat is stale at once
    services_keys(channel, owner, hobbies="list")
    services_keys(other_channel, None, hobbies="list")
    text = csv(
        f"memberId,name,hobbies,{OPT}",
        *[f'M{i % 3},n{i},"[""h{i}""]",false,false' for i in range(9)],
    )
    real_write = running.outcome_write
    calls = {"n": 0}

    def dying_write(*args, **kwargs):
        calls["n"] += 1
        result = real_write(*args, **kwargs)
        if calls["n"] == 3:
            raise _Killed
        return result

    monkeypatch.setattr(running, "outcome_write", dying_write)
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    with pytest.raises(_Killed):
        running.import_run(import_id=imp.id)
    imp.refresh_from_db()
    assert imp.status == Import.Status.RUNNING and imp.last_row_number == 5
    monkeypatch.setattr(running, "outcome_write", real_write)
    resumed = running.import_run(import_id=imp.id)

    from contacts.models import Membership
    from tests.factories import MembershipFactory

    other_owner = UserFactory(email="o2@example.com")
    MembershipFactory(channel=other_channel, user=other_owner, role=Membership.Role.OWNER)
    whole = run_csv(other_channel, other_owner, text)
    assert counters(resumed) == counters(whole) == counters(resumed) | {"created": 3, "updated": 0}

    def state(ch):
        return list(
            Customer.objects.filter(channel=ch)
            .order_by("member_id")
            .values_list("member_id", "name", "profile", "import_tags")
        )

    assert state(channel) == state(other_channel)
    assert state(channel)[0][2] == {"hobbies": ["h0", "h3", "h6"]}


def test_an_unexpected_error_fails_the_import_and_rolls_the_chunk_back(
    channel, owner, settings, monkeypatch
):
    settings.IMPORT_CHUNK_ROWS = 2
    real_insert = orm_writer.OrmWriter.insert
    calls = {"n": 0}

    def broken(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            real_insert(self, **kwargs)
            raise RuntimeError("disk on fire")
        return real_insert(self, **kwargs)

    monkeypatch.setattr("imports.orm_writer.OrmWriter.insert", broken)
    monkeypatch.setattr("imports.pg_writer.PostgresWriter.insert", broken)
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", *[f"M{i},false,false" for i in range(5)]))
    assert imp.status == Import.Status.FAILED
    assert imp.error_message == running.IMPORT_CRASHED.format(row=4, error="RuntimeError")
    assert sorted(Customer.objects.values_list("member_id", flat=True)) == ["M0", "M1"]
    assert (imp.created_count, imp.last_row_number) == (2, 3)
    note = Notification.objects.get(import_run=imp)
    assert note.text == notifications.NOTE_FAILED.format(
        file="customers.csv", channel="Acme", error=imp.error_message
    )


def test_running_a_finished_import_again_does_nothing(channel, owner):
    imp = run_csv(channel, owner, csv(f"memberId,{OPT}", "M1,false,false"))
    again = running.import_run(import_id=imp.id)
    assert again.status == Import.Status.SUCCEEDED and again.created_count == 1
    assert Customer.objects.count() == 1


def test_new_keys_are_created_when_the_import_starts(channel, owner):
    text = csv(f"memberId,shoe,{OPT}", "M1,42,false,false")
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member", new_keys={"shoe": "number"})
    checking.import_check(imp=imp)
    assert not channel.profile_keys.exists()
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    running.import_run(import_id=imp.id)
    assert list(channel.profile_keys.values_list("name", "type")) == [("shoe", "number")]
    assert customer(channel, member_id="M1").profile == {"shoe": 42}


def test_R_I6_the_preview_shows_the_first_30_rows_with_all_columns(channel, owner):
    from imports.selectors import import_preview

    rows = [f"M{i},n{i},x{i}" for i in range(40)]
    imp = upload(channel, owner, csv("memberId,name,Extra", *rows))
    headers, preview = import_preview(imp)
    assert headers == ["memberId", "name", "Extra"]
    assert len(preview) == 30
    assert preview[0] == (2, ["M0", "n0", "x0"], None)


def test_R_I11_the_check_predicts_unifications_and_conflicts(channel, owner):
    CustomerFactory(channel=channel, email="ann@example.com", has_booted=False)
    CustomerFactory(channel=channel, member_id="M9", email=None, mobile_number="+821020203030")
    CustomerFactory(
        channel=channel, email="bo@example.com", mobile_number="+821020203030", mobile_verified=True
    )
    text = csv(
        f"memberId,email,{OPT}",
        "M1,ann@example.com,false,false",
        "M2,bo@example.com,false,false",
        "M3,,,",
    )
    imp = upload(channel, owner, text)
    lifecycle.import_configure(imp=imp, by=owner, kind="member")
    report = checking.import_check(imp=imp)
    assert (report["created"], report["unified"], report["conflicts"], report["failed"]) == (
        2,
        1,
        1,
        1,
    )
    imp.refresh_from_db()
    lifecycle.import_start(imp=imp, by=owner, enqueue=False)
    done = running.import_run(import_id=imp.id)
    assert (done.created_count, done.unified_count, done.conflict_count, done.failed_count) == (
        2,
        1,
        1,
        1,
    )
