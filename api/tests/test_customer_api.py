"""The customer API (R-D2): a member written as one import row, read as the export writes it,
deleted as R-D1 deletes."""

import json
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import VIA_API
from api import errors
from contacts import profile_dates, profile_types
from contacts.models import Conversation, Customer, PendingUnification, ProfileKey
from contacts.selectors import mu_count
from imports.engine.planner import OPT_OUT_REQUIRED
from tests.factories import ChannelFactory, ConversationFactory, CustomerFactory

OPT_OUTS = {"unsubscribeEmail": False, "unsubscribeTexting": "true"}


def exported(channel, tmp_path) -> dict:
    """The channel's customers as `export_customers --format jsonl` writes them, by id."""
    out = tmp_path / "export.jsonl"
    call_command("export_customers", channel.slug, "--format", "jsonl", "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    return {line["id"]: line for line in lines}


def test_R_D2_put_creates_a_member_201_with_the_customer(site, channel, tmp_path):
    ProfileKey.objects.create(channel=channel, name="birthday", label="Birthday", type="date")
    before = timezone.now()
    response = site.put_member(
        "M1", {"name": " Kim ", "email": "KIM@example.com", "birthday": "2000-01-31", **OPT_OUTS}
    )
    assert response.status_code == 201
    member = Customer.objects.get(channel=channel, member_id="M1")
    assert response.json() == exported(channel, tmp_path)[member.pk]
    assert (member.name, member.email, member.email_verified) == ("Kim", "kim@example.com", True)
    assert (member.unsubscribe_email, member.unsubscribe_texting) == (False, True)
    assert member.profile == {"birthday": "2000-01-31"}
    assert member.import_tags == []  # no import (R-I10)
    assert member.created_at >= before and member.last_seen_at == member.created_at  # R-I19
    entry = Entry.objects.get(channel=channel, category=Entry.Category.CUSTOMER_ADD)
    assert (entry.actor, entry.customer_id, entry.details["via"]) == (None, member.pk, VIA_API)
    assert entry.action == "Member added through the API"


def test_R_D2_put_updates_a_member_200_keeping_last_seen_R_I19(site, channel):
    seen = timezone.now() - timedelta(days=10)
    member = CustomerFactory(channel=channel, member_id="M1", name="Kim", last_seen_at=seen)
    response = site.put_member("M1", {"name": "Kim Minsu"})
    assert response.status_code == 200
    assert response.json()["name"] == "Kim Minsu"
    member.refresh_from_db()
    assert member.name == "Kim Minsu" and member.last_seen_at == seen
    assert member.updated_at > seen
    entry = Entry.objects.get(channel=channel, category=Entry.Category.CUSTOMER_EDIT)
    assert entry.details == {"via": VIA_API, "keys": ["name"]}


def test_R_I7_a_new_member_needs_both_opt_outs_an_existing_one_does_not(site, channel):
    response = site.put_member("M1", {"name": "Kim", "unsubscribeEmail": True})
    assert response.status_code == 400
    assert response.json() == {
        "code": errors.BAD_VALUE,
        "message": errors.VALUE_INVALID.format(key="unsubscribeTexting", reason=OPT_OUT_REQUIRED),
    }
    assert not Customer.objects.exists()
    CustomerFactory(channel=channel, member_id="M1")
    assert site.put_member("M1", {"name": "Kim"}).status_code == 200


def test_R_I9_a_list_appends_and_null_clears_but_never_an_opt_out_R_I8(site, channel):
    ProfileKey.objects.create(channel=channel, name="hobbies", label="Hobbies", type="list")
    member = CustomerFactory(
        channel=channel,
        member_id="M1",
        landline_number="+8225556666",
        unsubscribe_email=True,
        profile={"hobbies": ["golf"]},
    )
    response = site.put_member(
        "M1", {"hobbies": ["tennis", "golf"], "landlineNumber": None, "unsubscribeEmail": ""}
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.profile["hobbies"] == ["golf", "tennis"]
    assert member.landline_number is None
    assert member.unsubscribe_email is True


def test_R_T2_a_bad_value_answers_400_naming_the_key_and_the_accepted_form(site, channel):
    ProfileKey.objects.create(channel=channel, name="birthday", label="Birthday", type="date")
    ProfileKey.objects.create(channel=channel, name="points", label="Points", type="number")
    CustomerFactory(channel=channel, member_id="M1")
    cases = [
        ({"birthday": "2000.01.31"}, "birthday", profile_dates.REASON_DATE_FORMAT),
        ({"points": "1,000"}, "points", profile_types.REASON_THOUSANDS_SEPARATOR),
        ({"unsubscribeEmail": "maybe"}, "unsubscribeEmail", profile_types.REASON_BOOLEAN),
    ]
    for profile, key, reason in cases:
        response = site.put_member("M1", profile)
        assert response.status_code == 400
        assert response.json() == {
            "code": errors.BAD_VALUE,
            "message": errors.VALUE_INVALID.format(key=key, reason=reason),
        }


def test_keys_that_cannot_be_written_answer_400(site, channel):
    cases = [
        ({"shoeSize": "42"}, errors.KEY_UNKNOWN.format(key="shoeSize")),
        ({"lastSeenAt": "2025-05-04"}, errors.KEY_NOT_WRITABLE.format(key="lastSeenAt")),
        ({"userImportTag": ["a"]}, errors.KEY_NOT_WRITABLE.format(key="userImportTag")),
        ({"name": {"first": "Kim"}}, errors.VALUE_OBJECT.format(key="name")),
        ({"memberId": "M2"}, errors.MEMBER_ID_MISMATCH.format(given="M2")),
    ]
    for profile, message in cases:
        response = site.put_member("M1", {**OPT_OUTS, **profile})
        assert (response.status_code, response.json()["message"]) == (400, message)
    assert not Customer.objects.exists()


def test_R_M3_a_new_member_beyond_the_limit_is_created_hidden(site, channel):
    channel.mu_limit = 1
    channel.save()
    CustomerFactory(channel=channel)
    response = site.put_member("M1", OPT_OUTS)
    assert (response.status_code, response.json()["isHidden"]) == (201, True)
    assert mu_count(channel) == 1


def test_R_U1_a_new_member_unifies_a_verified_lead_that_never_booted_R_U2(site, channel):
    lead = CustomerFactory(channel=channel, email="kim@example.com", has_booted=False)
    ConversationFactory(customer=lead)
    response = site.put_member("M1", {"email": "kim@example.com", **OPT_OUTS})
    assert response.status_code == 201
    member = Customer.objects.get(member_id="M1")
    assert not Customer.objects.filter(pk=lead.pk).exists()
    assert Conversation.objects.get().customer_id == member.pk
    entry = Entry.objects.get(channel=channel, category=Entry.Category.UNIFICATION)
    assert (entry.customer_id, entry.details["via"]) == (member.pk, VIA_API)


def test_R_U3_a_booted_lead_waits_for_its_login(site, channel):
    lead = CustomerFactory(channel=channel, email="kim@example.com", has_booted=True)
    site.put_member("M1", {"email": "kim@example.com", **OPT_OUTS})
    member = Customer.objects.get(member_id="M1")
    assert PendingUnification.objects.filter(lead=lead, member=member).exists()
    assert mu_count(channel) == 2


def test_R_D2_get_a_member_and_a_customer_as_the_export_writes_them(site, channel, tmp_path):
    member = CustomerFactory(channel=channel, member_id="M/1", profile={"b": 1, "a": [1]})
    lead = CustomerFactory(channel=channel)
    lines = exported(channel, tmp_path)
    response = site.call("get", "/members/M/1")
    assert (response.status_code, response.json()) == (200, lines[member.pk])
    response = site.call("get", f"/customers/{lead.pk}")
    assert (response.status_code, response.json()) == (200, lines[lead.pk])


def test_R_D2_delete_a_member_and_a_customer_204_as_R_D1(site, channel):
    member = CustomerFactory(channel=channel, member_id="M1")
    lead = CustomerFactory(channel=channel)
    ConversationFactory(customer=member)
    assert site.call("delete", "/members/M1").status_code == 204
    assert site.call("delete", f"/customers/{lead.pk}").status_code == 204
    assert not Customer.objects.exists()
    assert Conversation.objects.get().customer_id is None
    entries = Entry.objects.filter(channel=channel, category=Entry.Category.CUSTOMER_DELETE)
    assert {(e.customer_id, e.actor, e.details["via"]) for e in entries} == {
        (member.pk, None, VIA_API),
        (lead.pk, None, VIA_API),
    }


def test_R_D2_another_channels_customer_is_404(site, channel):
    other = CustomerFactory(channel=ChannelFactory(), member_id="M1")
    response = site.call("get", "/members/M1")
    assert response.status_code == 404
    assert response.json() == {
        "code": errors.NOT_FOUND,
        "message": errors.MEMBER_NOT_FOUND.format(member_id="M1"),
    }
    for method in ("get", "delete"):
        response = site.call(method, f"/customers/{other.pk}")
        assert response.status_code == 404
        assert response.json()["message"] == errors.CUSTOMER_NOT_FOUND.format(customer_id=other.pk)
    assert site.call("delete", "/members/M1").status_code == 404
    assert Customer.objects.filter(pk=other.pk).exists()
