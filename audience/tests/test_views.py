"""The Audience page and its downloads: counts and lists leave out blocked, hidden and
opted-out customers (R-B2, R-M2, R-I7)."""

import csv
import io

import pytest
from django.urls import reverse

from audience.download import BOM
from audience.forms import VALUE_REQUIRED
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def page_url(channel="acme"):
    return reverse("audience:page", args=[channel])


def download_url(channel="acme"):
    return reverse("audience:download", args=[channel])


def read_csv(response):
    text = b"".join(response.streaming_content).decode()
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


@pytest.fixture
def tagged(channel):
    """Customers with the import tag `spring`: one of each exclusion."""
    common = {"channel": channel, "import_tags": ["spring"]}
    return {
        "target": CustomerFactory(
            name="Target", member_id="M-1", mobile_number="+821020203030", **common
        ),
        "blocked": CustomerFactory(name="Blocked", is_blocked=True, **common),
        "hidden": CustomerFactory(name="Hidden", is_hidden=True, **common),
        "no_email": CustomerFactory(name="No email", unsubscribe_email=True, **common),
        "no_text": CustomerFactory(
            name="No text", mobile_number="+821020203031", unsubscribe_texting=True, **common
        ),
        "untagged": CustomerFactory(channel=channel, name="Untagged"),
    }


def test_anonymous_is_sent_to_login(client, channel):
    for url in (page_url(), download_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    client.force_login(outsider)

    assert client.get(page_url(), {"tag": "spring"}).status_code == 404
    assert client.get(download_url(), {"tag": "spring", "reach": "email"}).status_code == 404


def test_page_is_in_the_side_navigation(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("contacts:list", args=["acme"]))

    assert page_url().encode() in response.content


def test_first_visit_counts_nothing_yet(client, viewer, tagged):
    client.force_login(viewer)

    response = client.get(page_url())

    assert response.status_code == 200
    assert response.context["counts"] is None


def test_counts_leave_out_blocked_hidden_and_opted_out_R_B2_R_M2_R_I7(client, viewer, tagged):
    client.force_login(viewer)

    response = client.get(page_url(), {"tag": "spring"})

    counts = response.context["counts"]
    assert (counts.customer_count, counts.email_count, counts.text_count) == (3, 2, 1)
    html = response.content.decode()
    assert 'id="email-count">2<' in html and 'id="text-count">1<' in html


def test_viewer_sees_counts_but_may_not_download(client, viewer, tagged):
    client.force_login(viewer)

    page = client.get(page_url(), {"tag": "spring"}).content.decode()

    assert download_url() not in page
    assert client.get(download_url(), {"tag": "spring", "reach": "email"}).status_code == 403


def test_email_list_leaves_out_blocked_hidden_and_opted_out_R_B2_R_M2_R_I7(client, editor, tagged):
    client.force_login(editor)

    response = client.get(download_url(), {"tag": "spring", "reach": "email"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme-audience-email.csv"'
    target, no_text = tagged["target"], tagged["no_text"]
    assert read_csv(response) == [
        ["customerId", "memberId", "name", "email"],
        [str(target.pk), "M-1", "Target", target.email],
        [str(no_text.pk), "", "No text", no_text.email],
    ]


def test_text_list_leaves_out_blocked_hidden_and_opted_out_R_B2_R_M2_R_I7(client, editor, tagged):
    client.force_login(editor)

    response = client.get(download_url(), {"tag": "spring", "reach": "text"})

    assert read_csv(response) == [
        ["customerId", "memberId", "name", "mobileNumber"],
        [str(tagged["target"].pk), "M-1", "Target", "+821020203030"],
    ]


def test_page_offers_the_downloads_of_its_filters(client, editor, tagged):
    client.force_login(editor)

    html = client.get(page_url(), {"tag": "spring", "type": "member"}).content.decode()

    assert f"{download_url()}?tag=spring&amp;type=member&amp;reach=email" in html


def test_invalid_filters_show_why_and_count_nothing(client, viewer, channel):
    client.force_login(viewer)

    response = client.get(page_url(), {"key": "name", "value": ""})

    assert response.context["counts"] is None
    assert VALUE_REQUIRED in response.content.decode()


def test_download_with_invalid_filters_goes_back_to_the_page(client, editor, channel):
    client.force_login(editor)

    response = client.get(download_url(), {"key": "name", "value": "", "reach": "email"})
    unknown_reach = client.get(download_url(), {"tag": "spring", "reach": "fax"})

    assert response.status_code == 302
    assert response.url.startswith(page_url() + "?")
    assert "key=name" in response.url
    assert unknown_reach.status_code == 302


def test_live_counts_answer_htmx_with_the_counts_alone(client, viewer, tagged):
    client.force_login(viewer)

    response = client.get(page_url(), {"tag": "spring"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audience-counts"')
    assert "<html" not in html
    assert 'id="email-count">2<' in html
