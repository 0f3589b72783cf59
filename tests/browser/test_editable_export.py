"""Download editable data from the contact list in a real browser, then open it (R-E1)."""

import io
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from imports.tests.export_support import FORMULA_NAME, MEMBER_HEADERS, awkward_channel


def test_R_E1_download_the_searched_members_as_editable_xlsx(log_in, channel, editor, shoot):
    awkward_channel(channel)
    page = log_in(editor)
    page.get_by_label("Import tag").fill("spring")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#customers tbody tr")).to_have_count(1)
    form = page.get_by_role("form", name="Download editable data")
    form.get_by_label("Editable data of").select_option(label="Members")
    form.get_by_label("Format").select_option(label="Excel (.xlsx)")
    shoot("list")

    with page.expect_download() as caught:
        form.get_by_role("button", name="Download editable data").click()

    download = caught.value
    assert download.suggested_filename.startswith("acme-members-")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == MEMBER_HEADERS
    assert [row[:4] for row in rows[1:]] == [
        ["M1", FORMULA_NAME, "kim@example.com", "+821020203030"]
    ]
    assert sheet["B2"].quotePrefix and sheet["B2"].data_type == "s"


def test_R_E1_a_manager_who_may_not_import_sees_no_download(log_in, channel, viewer):
    awkward_channel(channel)
    page = log_in(viewer)

    expect(page.locator("#customers tbody tr")).to_have_count(6)
    expect(page.get_by_role("button", name="Download editable data")).to_have_count(0)
