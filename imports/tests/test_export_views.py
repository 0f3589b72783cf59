"""Download editable data from the contact list (R-E1): the list's filter, xlsx or CSV, who may."""

import pytest
from django.urls import reverse

from imports.engine.formulas import csv_escape
from imports.tests.export_support import MEMBER_HEADERS, awkward_channel, file_rows
from imports.views import EXPORT_KIND_UNKNOWN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def customers(channel):
    return awkward_channel(channel)


def download(client, **params):
    return client.get(reverse("imports:export", args=["acme"]), params)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_R_E1_an_editor_downloads_the_listed_members_as_xlsx(client, editor):
    client.force_login(editor)

    response = download(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="acme-members-')
    rows = file_rows(body(response))
    assert rows[0] == MEMBER_HEADERS
    # Hidden and blocked customers are not in the list, so not in its download (R-M2, R-B1).
    assert [row[0] for row in rows[1:]] == ["M1", "M2", "@home", "-007"]


def test_R_E1_the_download_follows_the_lists_search_and_import_tag(client, owner):
    client.force_login(owner)

    by_tag = file_rows(body(download(client, tag="spring", format="csv")))
    by_search = file_rows(body(download(client, q="lee@example.com", kind="email-lead")))
    by_name = file_rows(body(download(client, q="O'B", format="csv")))

    assert [row[0] for row in by_tag[1:]] == ["M1"]
    assert [row[0] for row in by_search[1:]] == ["lee@example.com"]
    assert [row[0] for row in by_name[1:]] == ["@home"]


def test_R_E1_leads_download_by_mobile_number_as_csv(client, owner):
    client.force_login(owner)

    response = download(client, kind="mobile-lead", format="csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-mobile-leads-')
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbfmobileNumber,name,")
    assert csv_escape("+821055556666").encode() in content
    assert [row[0] for row in file_rows(content)[1:]] == ["+821055556666", "+821077778888"]


@pytest.mark.parametrize(
    ("params", "message"),
    [({"kind": "visitor"}, EXPORT_KIND_UNKNOWN), ({"format": "ods"}, "xlsx or csv")],
)
def test_an_unknown_kind_or_format_is_a_bad_request(client, owner, params, message):
    client.force_login(owner)

    response = download(client, **params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_R_E1_a_manager_who_may_not_import_may_not_download(client, viewer):
    client.force_login(viewer)

    assert download(client).status_code == 403
    page = client.get(reverse("contacts:list", args=["acme"]))
    assert b"Download editable data" not in page.content


def test_another_channels_manager_gets_404(client, outsider):
    client.force_login(outsider)

    assert download(client).status_code == 404


@pytest.mark.parametrize(
    ("customer_type", "kinds"),
    [
        ("", ["member", "email-lead", "mobile-lead"]),
        ("member", ["member"]),
        ("lead", ["email-lead", "mobile-lead"]),
    ],
)
def test_R_E1_the_list_offers_the_download_of_its_own_kind(client, editor, customer_type, kinds):
    client.force_login(editor)

    page = client.get(reverse("contacts:list", args=["acme"]), {"type": customer_type, "q": "x"})

    html = page.content.decode()
    assert "Download editable data" in html
    assert [k for k in ("member", "email-lead", "mobile-lead") if f'value="{k}"' in html] == kinds
    assert '<input type="hidden" name="q" value="x">' in html
