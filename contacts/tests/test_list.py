"""Contacts list: visible customers, search, filters, keyset pages and the MU count (R-M1)."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.factories import ChannelFactory, CustomerFactory


def list_url(**params):
    url = reverse("contacts:list", args=["acme"])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def listed_ids(response):
    return [c.pk for c in response.context["page"].customers]


def test_anonymous_is_sent_to_login(client, channel):
    response = client.get(list_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_channels_manager_gets_404(client, channel, outsider):
    client.force_login(outsider)
    assert client.get(list_url()).status_code == 404


def test_manager_without_permissions_sees_the_list(client, channel, viewer):
    customer = CustomerFactory(channel=channel, name="Kim")
    client.force_login(viewer)
    response = client.get(list_url())
    assert response.status_code == 200
    assert listed_ids(response) == [customer.pk]
    assert b"Delete selected" not in response.content


def test_hidden_and_blocked_customers_are_not_listed(client, channel, owner):
    """R-M2, R-B1: hidden and blocked customers leave the contact list."""
    shown = CustomerFactory(channel=channel)
    CustomerFactory(channel=channel, is_hidden=True)
    CustomerFactory(channel=channel, is_blocked=True)
    CustomerFactory(channel=ChannelFactory())
    client.force_login(owner)
    assert listed_ids(client.get(list_url())) == [shown.pk]


def test_mu_count_on_all_skips_hidden_blocked_and_contactless(client, channel, owner):
    """R-M1: MU counts customers with memberId, email or mobile, not hidden and not blocked."""
    CustomerFactory(channel=channel)
    CustomerFactory(channel=channel, email=None, member_id="m-1")
    CustomerFactory(channel=channel, email=None, mobile_number="+821020203030")
    CustomerFactory(channel=channel, email=None)
    CustomerFactory(channel=channel, is_hidden=True)
    CustomerFactory(channel=channel, is_blocked=True)
    client.force_login(owner)
    response = client.get(list_url())
    assert response.context["mu_count"] == 3
    assert b'id="mu-count">3<' in response.content
    assert client.get(list_url(type="lead")).context["mu_count"] is None


def test_type_filter_separates_members_and_leads_R_C1(client, channel, owner):
    """R-C1: members carry a memberId, leads do not."""
    member = CustomerFactory(channel=channel, member_id="m-1")
    lead = CustomerFactory(channel=channel)
    client.force_login(owner)
    assert listed_ids(client.get(list_url(type="member"))) == [member.pk]
    assert listed_ids(client.get(list_url(type="lead"))) == [lead.pk]
    assert listed_ids(client.get(list_url())) == [lead.pk, member.pk]
    assert client.get(list_url(type="member")).context["nav"] == "member"


@pytest.mark.parametrize("query", ["Kim@Example.com", " kim@example.com "])
def test_search_by_email_matches_the_normalized_email(client, channel, owner, query):
    kim = CustomerFactory(channel=channel, email="kim@example.com")
    CustomerFactory(channel=channel, email="kim@example.org")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": query})) == [kim.pk]


def test_search_by_mobile_in_another_format(client, channel, owner):
    """R-T1: "+82 010-2020-3030" finds the customer stored as +821020203030."""
    kim = CustomerFactory(channel=channel, mobile_number="+821020203030")
    CustomerFactory(channel=channel, mobile_number="+821020203031")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "+82 010-2020-3030"})) == [kim.pk]


def test_search_by_member_id_is_exact(client, channel, owner):
    member = CustomerFactory(channel=channel, member_id="A-100", name="Zed")
    CustomerFactory(channel=channel, member_id="A-1000", name="Yan")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "A-100"})) == [member.pk]


def test_search_by_any_part_of_the_name_ignores_case(client, channel, owner):
    kim = CustomerFactory(channel=channel, name="Kim Minsu")
    lee = CustomerFactory(channel=channel, name="Lee Kim")
    CustomerFactory(channel=channel, name="Park Jisoo")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "kim"})) == [lee.pk, kim.pk]
    assert listed_ids(client.get(list_url(), {"q": "INS"})) == [kim.pk]
    assert listed_ids(client.get(list_url(), {"q": "nobody"})) == []
    assert b"No customer matches." in client.get(list_url(), {"q": "nobody"}).content


def test_one_character_matches_the_name_start(client, channel, owner):
    kim = CustomerFactory(channel=channel, name="Kim Minsu")
    CustomerFactory(channel=channel, name="Lee Kim")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "k"})) == [kim.pk]


def test_filter_by_import_tag(client, channel, owner):
    """R-I10: the import tag filters the contact list, on SQLite and PostgreSQL alike."""
    tagged = CustomerFactory(channel=channel, import_tags=["spring.csv", "vip"])
    CustomerFactory(channel=channel, import_tags=["spring.csv2"])
    CustomerFactory(channel=channel, import_tags=[])
    CustomerFactory(channel=channel, import_tags=["vip"], is_hidden=True)
    CustomerFactory(channel=ChannelFactory(), import_tags=["vip"])
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"tag": "vip"})) == [tagged.pk]
    assert listed_ids(client.get(list_url(), {"tag": "spring.csv"})) == [tagged.pk]
    assert listed_ids(client.get(list_url(), {"tag": "spring"})) == []


def test_tag_filter_combines_with_type_and_search(client, channel, owner):
    member = CustomerFactory(channel=channel, member_id="m1", name="Ann", import_tags=["t"])
    CustomerFactory(channel=channel, name="Ann", import_tags=["t"])
    client.force_login(owner)
    response = client.get(list_url(), {"tag": "t", "type": "member", "q": "an"})
    assert listed_ids(response) == [member.pk]


def _follow(client, href):
    parsed = urlparse(href)
    return client.get(parsed.path or list_url(), parse_qs(parsed.query))


def test_keyset_pages_cover_every_customer_once(client, channel, owner):
    """50 a page, newest first; Next, Previous and First move by id, never by offset."""
    ids = sorted((CustomerFactory(channel=channel).pk for _ in range(120)), reverse=True)
    client.force_login(owner)
    first = client.get(list_url())
    page = first.context["page"]
    assert listed_ids(first) == ids[:50]
    assert page.previous_before is None
    second = client.get(list_url(), {"after": page.next_after})
    assert listed_ids(second) == ids[50:100]
    third = client.get(list_url(), {"after": second.context["page"].next_after})
    assert listed_ids(third) == ids[100:]
    assert third.context["page"].next_after is None
    assert b'rel="next"' not in third.content
    back = client.get(list_url(), {"before": third.context["page"].previous_before})
    assert listed_ids(back) == ids[50:100]
    back_again = client.get(list_url(), {"before": back.context["page"].previous_before})
    assert listed_ids(back_again) == ids[:50]
    assert back_again.context["page"].previous_before is None


def test_keyset_pages_keep_the_filters(client, channel, owner):
    leads = sorted((CustomerFactory(channel=channel).pk for _ in range(55)), reverse=True)
    CustomerFactory.create_batch(3, channel=channel, member_id=None, is_hidden=True)
    for n in range(5):
        CustomerFactory(channel=channel, member_id=f"m{n}")
    client.force_login(owner)
    first = client.get(list_url(), {"type": "lead"})
    assert f"type=lead&amp;after={leads[49]}".encode() in first.content
    second = client.get(list_url(), {"type": "lead", "after": first.context["page"].next_after})
    assert listed_ids(second) == leads[50:]


def test_garbage_cursor_is_ignored(client, channel, owner):
    customer = CustomerFactory(channel=channel)
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"after": "x"})) == [customer.pk]


def test_delete_selected_is_offered_to_managers_who_may_delete(client, channel, deleter):
    CustomerFactory(channel=channel)
    client.force_login(deleter)
    response = client.get(list_url())
    assert b"Delete selected" in response.content
    assert b'name="ids"' in response.content
