"""The dry run (R-I11): its light check and its whole plan give the report the run gives."""

import json
import random

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from contacts.models import Customer
from contacts.profile_types import (
    MAX_LIST_ITEMS,
    MAX_PROFILE_KEYS,
    REASON_PROFILE_TOO_LARGE,
    REASON_TOO_MANY_ITEMS,
    REASON_TOO_MANY_KEYS,
)
from contacts.services import profile_key_add
from imports import checking, lifecycle, running
from imports.engine import light_check
from imports.engine.light_check import NeedsFullRecords
from imports.models import Import, ImportFailure
from tests.factories import CustomerFactory

OPT = "unsubscribeEmail,unsubscribeTexting"
COUNTERS = ("created", "updated", "failed", "createdHidden", "unified", "pendingUnification")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def light_calls(monkeypatch):
    """Count the rows the light check plans, and the chunks it sends to the whole plan."""
    calls = {"rows": 0, "fallbacks": 0}
    check = light_check.check_update

    def counted(*args):
        calls["rows"] += 1
        try:
            return check(*args)
        except NeedsFullRecords:
            calls["fallbacks"] += 1
            raise

    monkeypatch.setattr(light_check, "check_update", counted)
    return calls


def configured(channel, by, text, **options):
    imp = lifecycle.import_upload(
        channel=channel,
        by=by,
        file=ContentFile(text.encode(), name="customers.csv"),
        file_name="customers.csv",
    )
    options.setdefault("kind", "member")
    return lifecycle.import_configure(imp=imp, by=by, **options)


def whole_check(monkeypatch, imp):
    """The dry run with the light check switched off: every chunk planned on whole records."""

    def refuse(*args):
        raise NeedsFullRecords

    with monkeypatch.context() as patched:
        patched.setattr(light_check, "check_update", refuse)
        return checking.import_check(imp=imp)


def run_counters(imp, by):
    imp.refresh_from_db()
    lifecycle.import_start(imp=imp, by=by, enqueue=False)
    done = running.import_run(import_id=imp.id)
    summary = running.import_summary(done)
    rows = ImportFailure.objects.filter(import_run=done).order_by("row_number")
    reasons = {}
    for failure in rows:
        for reason in dict.fromkeys(failure.error_reasons):
            reasons.setdefault(reason, []).append(failure.row_number)
    return summary, reasons


def report_reasons(report):
    """reason -> failing rows (the first five), whatever the column."""
    reasons = {}
    for group in report["reasons"]:
        rows = reasons.setdefault(group["reason"], [])
        rows += [row for row in group["rows"] if row not in rows]
    return {reason: sorted(rows) for reason, rows in reasons.items()}


def test_R_I11_the_light_check_finds_a_list_append_over_the_limit(channel, owner, light_calls):
    profile_key_add(channel=channel, by=owner, name="hobbies", type="list")
    CustomerFactory(
        channel=channel,
        member_id="M1",
        profile={"hobbies": [f"h{i}" for i in range(MAX_LIST_ITEMS - 1)]},
    )
    CustomerFactory(channel=channel, member_id="M2", profile={"hobbies": ["a"]})
    text = "\n".join(
        [
            "memberId,hobbies",
            'M1,"[""new""]"',  # the 200th item: fits
            'M2,"[""b""]"',
            'M1,"[""h3"", ""new""]"',  # items it already has: still 200
            'M1,"[""newer""]"',  # the 201st: fails (R-I9, R-I18: after the rows above)
        ]
    )
    imp = configured(channel, owner, text + "\n")
    report = checking.import_check(imp=imp)
    assert light_calls["rows"] == 4 and light_calls["fallbacks"] == 0
    assert (report["updated"], report["failed"]) == (2, 1)
    assert report_reasons(report) == {REASON_TOO_MANY_ITEMS: [5]}
    summary, reasons = run_counters(imp, owner)
    assert reasons == report_reasons(report)
    assert {k: summary[k] for k in COUNTERS} == {k: report[k] for k in COUNTERS}


def test_R_I11_appends_in_one_chunk_past_the_limit_are_found(channel, owner, light_calls):
    """Two rows of one chunk appending to one list together pass its limit: planned whole."""
    profile_key_add(channel=channel, by=owner, name="hobbies", type="list")
    # Far enough from the limit for each row's append: PostgreSQL does not load the list.
    CustomerFactory(
        channel=channel, member_id="M1", profile={"hobbies": [f"h{i}" for i in range(150)]}
    )
    first = json.dumps([f"a{i}" for i in range(30)]).replace('"', '""')
    second = json.dumps([f"b{i}" for i in range(30)]).replace('"', '""')
    text = f'memberId,hobbies\nM1,"{first}"\nM1,"{second}"\n'
    imp = configured(channel, owner, text)
    report = checking.import_check(imp=imp)
    # The ORM writer always loads the list's text: it decides the second row itself.
    assert light_calls["fallbacks"] == (1 if connection.vendor == "postgresql" else 0)
    assert (report["updated"], report["failed"]) == (1, 1)
    assert report_reasons(report) == {REASON_TOO_MANY_ITEMS: [3]}
    summary, reasons = run_counters(imp, owner)
    assert reasons == report_reasons(report)
    assert {k: summary[k] for k in COUNTERS} == {k: report[k] for k in COUNTERS}


def test_R_I11_a_profile_near_the_key_limit_is_counted(channel, owner, light_calls):
    """The stored size bounds a profile's keys; one that may be near the limit is counted."""
    profile_key_add(channel=channel, by=owner, name="extra", type="string")
    many = {f"k{i}": 1 for i in range(MAX_PROFILE_KEYS - 3)}
    CustomerFactory(channel=channel, member_id="FULL", profile=many)
    CustomerFactory(channel=channel, member_id="FEW", profile={"k1": 1})
    text = "memberId,extra\nFULL,x\nFEW,y\n"
    imp = configured(channel, owner, text)
    report = checking.import_check(imp=imp)
    assert light_calls["fallbacks"] == 1
    assert (report["updated"], report["failed"]) == (1, 1)
    assert report_reasons(report) == {REASON_TOO_MANY_KEYS: [2]}
    summary, reasons = run_counters(imp, owner)
    assert reasons == report_reasons(report)
    assert {k: summary[k] for k in COUNTERS} == {k: report[k] for k in COUNTERS}


def test_R_I11_a_profile_near_its_limit_is_decided_on_the_whole_record(channel, owner, light_calls):
    profile_key_add(channel=channel, by=owner, name="note", type="string")
    profile_key_add(channel=channel, by=owner, name="more", type="string")
    CustomerFactory(channel=channel, member_id="BIG", profile={"note": "x" * 15_000})
    CustomerFactory(channel=channel, member_id="SMALL", profile={"note": "short"})
    text = "\n".join(["memberId,more", f"BIG,{'y' * 500}", "SMALL,fine", f"BIG,{'z' * 5}"])
    imp = configured(channel, owner, text + "\n")
    report = checking.import_check(imp=imp)
    assert light_calls["fallbacks"] == 1
    assert (report["updated"], report["failed"]) == (2, 1)
    assert report_reasons(report) == {REASON_PROFILE_TOO_LARGE: [2]}
    summary, reasons = run_counters(imp, owner)
    assert reasons == report_reasons(report)
    assert {k: summary[k] for k in COUNTERS} == {k: report[k] for k in COUNTERS}


def test_R_I11_a_lead_import_in_a_channel_of_leads_is_checked_light(channel, owner, light_calls):
    old = CustomerFactory(channel=channel, email="ann@example.com", mobile_number=None)
    CustomerFactory(channel=channel, email="bo@example.com", mobile_number=None)
    text = "\n".join(
        [f"email,name,{OPT}", "ANN@example.com,Ann,,", "new@example.com,New,false,false"]
    )
    imp = configured(channel, owner, text + "\n", kind="lead", identifier="email")
    report = checking.import_check(imp=imp)
    assert light_calls["rows"] == 1
    assert (report["created"], report["updated"], report["failed"]) == (1, 1, 0)
    summary, _ = run_counters(imp, owner)
    assert {k: summary[k] for k in COUNTERS} == {k: report[k] for k in COUNTERS}
    old.refresh_from_db()
    assert old.name == "Ann"


def test_R_I11_a_channel_with_partners_is_planned_whole(channel, owner, light_calls):
    CustomerFactory(channel=channel, member_id=None, email="ann@example.com", has_booted=False)
    CustomerFactory(channel=channel, member_id="M1")
    imp = configured(channel, owner, f"memberId,email,{OPT}\nM1,ann@example.com,,\n")
    report = checking.import_check(imp=imp)
    assert light_calls["rows"] == 0
    assert (report["updated"], report["unified"]) == (1, 1)


def _random_channel_and_file(channel, owner, rng: random.Random) -> tuple[str, dict]:
    """Members with lists near their limit, large profiles and duplicates in the file."""
    profile_key_add(channel=channel, by=owner, name="tags", type="list")
    profile_key_add(channel=channel, by=owner, name="score", type="number")
    profile_key_add(channel=channel, by=owner, name="note", type="string")
    for i in range(40):
        profile = {}
        if rng.random() < 0.6:
            profile["tags"] = [f"t{j}" for j in range(rng.choice([1, 190, 197, 199, 200]))]
        if rng.random() < 0.3:
            profile["note"] = "n" * rng.choice([10, 14_000, 15_200])
        if rng.random() < 0.5:
            profile["score"] = i
        CustomerFactory(channel=channel, member_id=f"M{i}", profile=profile)
    lines = [f"memberId,name,tags,score,note,{OPT}"]
    for _ in range(120):
        member = f"M{rng.randrange(55)}"  # about a quarter are new customers
        tags = json.dumps([f"t{rng.randrange(210)}" for _ in range(rng.randrange(4))])
        note = rng.choice(["", "", "x", "y" * 900])
        score = rng.choice(["", "7", "seven"])
        opt = rng.choice([",", "false,true", "true,false"])
        cell = '"' + tags.replace('"', '""') + '"' if tags != "[]" else ""
        lines.append(f"{member},N{rng.randrange(9)},{cell},{score},{note},{opt}")
    return "\n".join(lines) + "\n", {}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("empty_cells", ["keep", "clear"])
def test_R_I11_light_check_whole_plan_and_run_agree(
    channel, owner, monkeypatch, settings, seed, empty_cells
):
    text, _ = _random_channel_and_file(channel, owner, random.Random(seed))
    imp = configured(channel, owner, text, empty_cells=empty_cells)
    settings.IMPORT_CHUNK_ROWS = 17
    light = checking.import_check(imp=imp)
    whole = whole_check(monkeypatch, Import.objects.get(pk=imp.pk))
    assert light == whole
    assert light["failed"] > 0 and light["updated"] > 0 and light["created"] > 0
    # Within a chunk the check follows every row's effect on the next; the run is compared on
    # one chunk (across chunk borders the check reads stored lists and profiles, see
    # checking.import_check).
    settings.IMPORT_CHUNK_ROWS = 5000
    light = checking.import_check(imp=Import.objects.get(pk=imp.pk))
    assert light == whole_check(monkeypatch, Import.objects.get(pk=imp.pk))
    summary, reasons = run_counters(imp, owner)
    assert {k: summary[k] for k in COUNTERS} == {k: light[k] for k in COUNTERS}
    assert {reason: rows[:5] for reason, rows in reasons.items()} == {
        reason: rows[:5] for reason, rows in report_reasons(light).items()
    }
    assert Customer.objects.filter(channel=channel).count() == 40 + light["created"]
