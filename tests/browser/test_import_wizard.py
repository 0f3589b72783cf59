"""The import wizard walked in a real browser, from the contacts list to a fixed re-import.

Each walk: open the wizard from the contacts list, download the template and open it, upload,
change a mapping, skip a column, create a key inline, check the file, see the failing row and
its reason, confirm, watch the import succeed, open the log, download the failed rows, fix them
and import that file again with nothing failing (R-I4..R-I14).
"""

import re

import openpyxl
from playwright.sync_api import expect

from contacts.models import Customer, ProfileKey
from imports import lifecycle
from imports.models import Import

MEMBERS = (
    "Customer ID,Full Name,E-mail,Tel,Nick,Birthday,unsubscribeEmail,unsubscribeTexting\n"
    "M-001,Kim Minji,minji@example.com,+8225556666,Minnie,1990-01-02,false,false\n"
    "M-002,이서준,seojun@example.com,+8225556667,Jun,1991.02.03,false,true\n"
    "M-003,Park Jiwoo,jiwoo@example.com,,Woo,1992-03-04,true,false\n"
)
MOBILE_LEADS = (
    "Phone,이름,Notes\n"
    "+82 010-2020-3030,김민지,met at the fair\n"
    "010-1234,박서연,no country code\n"
    "+821055556666,Choi Yuna,\n"
)
RUN_TIMEOUT = 90_000


def _open_wizard(page, shoot, where: str = ".page-head"):
    """From the contacts list's head, or from the side navigation (where="nav")."""
    page.locator(where).get_by_role("link", name="Import customers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import customers")
    shoot("1-start")


def _downloaded(page, link: str, folder) -> openpyxl.Workbook:
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return openpyxl.load_workbook(path)


def _template(page, name: str, folder) -> list:
    book = _downloaded(page, name, folder)
    sheet = book.worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows(max_row=2)]


def _upload(page, path, *, kind: str, identifier: str | None = None):
    page.get_by_label(kind, exact=True).check()
    if identifier:
        page.get_by_label(identifier, exact=True).check()
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Map the columns")


def _check(page, shoot, step: str):
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_role("heading", name="What the import will do")).to_be_visible(
        timeout=RUN_TIMEOUT
    )
    shoot(step)


def _start(page, shoot, step: str):
    page.get_by_label("I understand that an import cannot be undone").check()
    page.get_by_role("button", name="Start import").click()
    expect(page.locator("#outcome")).to_have_text("Succeeded", timeout=RUN_TIMEOUT)
    shoot(step)


def _failed_rows(page, tmp_path) -> openpyxl.Workbook:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Customer import log"
    ).click()
    page.locator("table.data tbody tr").first.get_by_role("link").click()
    return _downloaded(page, "Download failed rows (.xlsx)", tmp_path)


def _fix(book: openpyxl.Workbook, column: str, value: str, path):
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["rowNumber", "errorColumns", "errorReasons"]
    sheet.cell(row=2, column=headers.index(column) + 1, value=value)
    book.save(path)
    return path


def test_member_import_walked_from_upload_to_a_fixed_reimport(
    log_in, channel, editor, owner, worker, tmp_path, shoot
):
    ProfileKey.objects.create(channel=channel, name="nickname", label="Nickname", type="string")
    source = tmp_path / "spring members.csv"
    source.write_text(MEMBERS, encoding="utf-8")
    page = log_in(editor)
    _open_wizard(page, shoot)
    rows = _template(page, "Member import template (.xlsx)", tmp_path)
    assert rows[0][0] == "memberId" and "nickname" in rows[0]

    _upload(page, source, kind="Members")
    expect(page.get_by_label("Full Name")).to_have_value("name")
    expect(page.get_by_label("Tel", exact=True)).to_have_value("landlineNumber")
    expect(page.locator("#mapping tr.identifier")).to_contain_text("memberId")
    expect(page.locator("#preview tbody tr")).to_have_count(3)
    page.get_by_label("Nick", exact=True).select_option("nickname")  # change a mapping
    page.get_by_label("Tel", exact=True).select_option("")  # Do not import
    page.get_by_label("For column").select_option(label="Birthday")
    page.get_by_label("Key name").fill("birthday")
    page.get_by_label("Type", exact=True).select_option("date")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_label("Birthday", exact=True)).to_have_value("birthday")
    expect(page.get_by_label("Nick", exact=True)).to_have_value("nickname")  # kept
    expect(page.get_by_label("Import tag")).to_have_value(lifecycle.default_tag(source.name))
    shoot("2-mapping")

    _check(page, shoot, "3-check")
    expect(page.locator("#check-counts")).to_contain_text(re.compile(r"To be created\s*2"))
    reasons = page.locator("#check-reasons")
    expect(reasons).to_contain_text("birthday")
    expect(reasons).to_contain_text("row 3: 1991.02.03")
    assert not Customer.objects.exists()

    _start(page, shoot, "4-done")
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()  # R-I13
    counts = page.locator("#counts")
    expect(counts).to_contain_text(re.compile(r"Created\s*2"))
    expect(counts).to_contain_text(re.compile(r"Failed\s*1"))
    assert ProfileKey.objects.filter(channel=channel, name="birthday", type="date").exists()
    kim = Customer.objects.get(member_id="M-001")
    assert kim.profile == {"nickname": "Minnie", "birthday": "1990-01-02"}
    assert kim.landline_number is None

    fixed = _fix(_failed_rows(page, tmp_path), "birthday", "1991-02-03", tmp_path / "fixed.xlsx")
    shoot("5-log")
    _open_wizard(page, shoot, "nav")
    _upload(page, fixed, kind="Members")
    for column in ("rowNumber", "errorColumns", "errorReasons"):
        expect(page.get_by_label(column, exact=True)).to_have_value("")
    _check(page, shoot, "6-recheck")
    expect(page.locator("#check-counts")).to_contain_text(re.compile(r"Rows that will fail\s*0"))
    _start(page, shoot, "7-reimported")
    expect(page.locator("#counts")).to_contain_text(re.compile(r"Failed\s*0"))
    assert Customer.objects.get(member_id="M-002").profile["birthday"] == "1991-02-03"
    assert Import.objects.filter(status=Import.Status.SUCCEEDED).count() == 2
    log_in(owner)  # the owner hears of both imports too (R-I13)
    expect(page.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()


def test_mobile_lead_import_with_the_opt_out_choice_and_a_fixed_reimport(
    log_in, channel, editor, worker, tmp_path, shoot
):
    source = tmp_path / "fair leads.csv"
    source.write_text(MOBILE_LEADS, encoding="utf-8")
    page = log_in(editor)
    _open_wizard(page, shoot)
    rows = _template(page, "Lead import by mobile number template (.xlsx)", tmp_path)
    assert rows[0][0] == "mobileNumber" and "memberId" not in rows[0]

    _upload(page, source, kind="Leads", identifier="Mobile number")
    expect(page.locator("#mapping tr.identifier")).to_contain_text("mobileNumber")
    expect(page.get_by_label("이름")).to_have_value("name")
    page.get_by_label("For column").select_option(label="Notes")
    page.get_by_label("Key name").fill("notes")
    page.get_by_label("Type", exact=True).select_option("string")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_label("Notes", exact=True)).to_have_value("notes")
    opt_outs = page.locator("#opt-outs")
    expect(opt_outs).to_contain_text("The file has no column for one or both opt-outs")
    opt_outs.get_by_role("radiogroup", name="Email opt-out").get_by_label("true").check()
    opt_outs.get_by_role("radiogroup", name="Text opt-out").get_by_label("false").check()
    shoot("2-mapping")

    _check(page, shoot, "3-check")
    expect(page.locator("#check-reasons")).to_contain_text("row 3: 010-1234")
    _start(page, shoot, "4-done")
    expect(page.locator("#counts")).to_contain_text(re.compile(r"Created\s*2"))
    minji = Customer.objects.get(mobile_number="+821020203030")
    assert (minji.unsubscribe_email, minji.unsubscribe_texting) == (True, False)
    assert minji.name == "김민지" and minji.profile == {"notes": "met at the fair"}

    book = _failed_rows(page, tmp_path)
    fixed = _fix(book, "mobileNumber", "+82 010-1234-5678", tmp_path / "fixed leads.xlsx")
    _open_wizard(page, shoot, "nav")
    _upload(page, fixed, kind="Leads", identifier="Mobile number")
    opt_outs = page.locator("#opt-outs")
    opt_outs.get_by_role("radiogroup", name="Email opt-out").get_by_label("true").check()
    opt_outs.get_by_role("radiogroup", name="Text opt-out").get_by_label("false").check()
    _check(page, shoot, "5-recheck")
    expect(page.locator("#check-counts")).to_contain_text(re.compile(r"Rows that will fail\s*0"))
    _start(page, shoot, "6-reimported")
    assert Customer.objects.get(mobile_number="+821012345678").name == "박서연"
