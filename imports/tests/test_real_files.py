"""What real exports hold and used to be refused or mangled, driven through the services."""

import pytest
from django.urls import reverse

from contacts.models import Customer
from contacts.profile_phones import REASON_LANDLINE_COUNTRY_CODE
from imports.engine.table import FORMULA_NOT_COMPUTED
from imports.models import ImportFailure
from imports.tests.fixtures.make_fixtures import sheet_part, workbook_file
from imports.tests.rules_support import counters, csv, failures, run_csv
from tests.factories import CustomerFactory

OPT = "unsubscribeEmail,unsubscribeTexting"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_R_I3_emails_with_an_apostrophe_are_imported_and_matched(channel, owner):
    text = csv(f"email,{OPT}", "joleen.o'carroll@example.ie,false,false", "D'Angelo@x.it,n,n")
    imp = run_csv(channel, owner, text, kind="lead", identifier="email")
    assert counters(imp)["created"] == 2 and counters(imp)["failed"] == 0
    again = run_csv(channel, owner, csv("email", "d'angelo@x.it"), kind="lead", identifier="email")
    assert counters(again)["updated"] == 1
    assert set(Customer.objects.values_list("email", flat=True)) == {
        "joleen.o'carroll@example.ie",
        "d'angelo@x.it",
    }


def test_R_T1_phones_written_with_00_or_full_width_are_imported(channel, owner):
    text = csv(
        f"mobileNumber,landlineNumber,{OPT}",
        "0044 7911 123456,0082 2-555-6666,false,false",
        "＋８２ １０－２０２０－３０３０,,false,false",
    )
    imp = run_csv(channel, owner, text, kind="lead", identifier="mobile")
    assert counters(imp)["created"] == 2 and counters(imp)["failed"] == 0
    assert Customer.objects.get(mobile_number="+447911123456").landline_number == "+8225556666"
    assert Customer.objects.filter(mobile_number="+821020203030").exists()


def test_R_T2_a_landline_without_country_code_is_told_a_landline_example(channel, owner):
    text = csv(f"mobileNumber,landlineNumber,{OPT}", "+821020203030,02-555-6666,false,false")
    imp = run_csv(channel, owner, text, kind="lead", identifier="mobile")
    assert failures(imp) == [(2, ["landlineNumber"], [REASON_LANDLINE_COUNTRY_CODE])]


def test_R_I10_an_import_tag_is_free_text_found_by_the_list_and_the_activity_log(
    client, channel, owner
):
    name = "Contacts export 2024.05.04 (Seoul, v2).csv"
    text = csv(f"memberId,{OPT}", "M1,false,false")
    first = run_csv(channel, owner, text, file_name=name)
    assert first.tag == "Contacts export 2024.05.04 (Seoul, v2)"
    tag = ' Spring 2024 list: "VIP" & 고객/₩, 100% '
    second = run_csv(channel, owner, csv(f"memberId,{OPT}", "M2,false,false"), tag=tag)
    assert second.tag == tag.strip()
    client.force_login(owner)
    for imp, member_id in [(first, "M1"), (second, "M2")]:
        listed = client.get(reverse("contacts:list", args=[channel.slug]), {"tag": imp.tag})
        assert [c.member_id for c in listed.context["page"].customers] == [member_id]
    log = client.get(reverse("activitylog:list", args=[channel.slug]))
    details = [row["details"] for row in log.context["rows"]]
    for imp in (first, second):
        assert any(f"tag: {imp.tag}" in line for line in details)


def test_R_I4_the_same_text_from_csv_and_from_xlsx_matches_the_same_customer(channel, owner):
    text = f'memberId,name,{OPT}\r\n"ACME\r\nSEOUL",Kim,false,false\r\n'
    assert counters(run_csv(channel, owner, text))["created"] == 1
    sheet = sheet_part(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>memberId</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ACME_x000D_\nSEOUL</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>Lee_x0009_Ann</t></is></c></row>'
    )
    imp = run_csv(channel, owner, workbook_file(sheet), file_name="again.xlsx")
    assert (counters(imp)["created"], counters(imp)["updated"]) == (0, 1)
    assert Customer.objects.get(member_id="ACME\r\nSEOUL").name == "Lee\tAnn"


def _formula_workbook() -> bytes:
    """Row 2 holds computed values; row 3's points and total are formulas never computed."""
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip("ABCDE", ["memberId", "points", "total", *OPT.split(",")], strict=True)
    )
    opt_outs = '<c r="D{n}" t="b"><v>0</v></c><c r="E{n}" t="b"><v>0</v></c>'
    return workbook_file(
        sheet_part(
            f'<row r="1">{header}</row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>M1</t></is></c><c r="B2"><v>5</v></c>'
            f'<c r="C2"><f>B2*2</f><v>10</v></c>{opt_outs.format(n=2)}</row>'
            '<row r="3"><c r="A3" t="inlineStr"><is><t>M2</t></is></c><c r="B3"><f>1+1</f></c>'
            f'<c r="C3"><f>B3*2</f></c>{opt_outs.format(n=3)}</row>'
        )
    )


def test_R_T2_a_formula_without_a_computed_value_fails_its_row_and_erases_nothing(channel, owner):
    CustomerFactory(channel=channel, member_id="M2", profile={"points": 7})
    keys = {"new_keys": {"points": "number", "total": "number"}, "empty_cells": "clear"}
    imp = run_csv(channel, owner, _formula_workbook(), file_name="f.xlsx", **keys)
    assert failures(imp) == [(3, ["points", "total"], [FORMULA_NOT_COMPUTED] * 2)]
    assert Customer.objects.get(member_id="M2").profile == {"points": 7}
    assert Customer.objects.get(member_id="M1").profile == {"points": 5, "total": 10}
    assert ImportFailure.objects.get(import_run=imp).values["points"] == ""


def test_R_T2_an_uncomputed_formula_in_a_skipped_column_does_not_fail_the_row(channel, owner):
    imp = run_csv(
        channel,
        owner,
        _formula_workbook(),
        file_name="f.xlsx",
        skip=["points", "total"],
    )
    assert (counters(imp)["created"], counters(imp)["failed"]) == (2, 0)
