"""Contact list search: name parts (Hangul too), email and mobile prefixes, memberId, combined
filters and keyset pages, whether a page is found by walking the list or through the indexes."""

import pytest
from django.urls import reverse

from contacts import selectors
from contacts.search import mobile_prefix
from tests.factories import CustomerFactory


def list_url():
    return reverse("contacts:list", args=["acme"])


def listed_ids(response):
    return [c.pk for c in response.context["page"].customers]


@pytest.fixture(params=["walked", "looked_up"])
def walk_limit(request, monkeypatch):
    """Pages found by walking the list, and pages found (after one walked row) by the indexes."""
    if request.param == "looked_up":
        monkeypatch.setattr(selectors, "WALK_WINDOWS", (1, 1))
    return request.param


def test_search_finds_two_syllable_hangul_substring(client, channel, owner, walk_limit):
    """A Korean given name is found inside family name + given name, on both databases."""
    minjun = CustomerFactory(channel=channel, name="김민준")
    seoyeon = CustomerFactory(channel=channel, name="이서연")
    CustomerFactory(channel=channel, name="박민서")
    minjun_lee = CustomerFactory(channel=channel, name="이민준")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "민준"})) == [minjun_lee.pk, minjun.pk]
    assert listed_ids(client.get(list_url(), {"q": "서연"})) == [seoyeon.pk]
    assert listed_ids(client.get(list_url(), {"q": "준이"})) == []
    assert listed_ids(client.get(list_url(), {"q": "김민준"})) == [minjun.pk]


def test_two_latin_characters_match_any_part_ignoring_case(client, channel, owner, walk_limit):
    jose = CustomerFactory(channel=channel, name="José Smith")
    CustomerFactory(channel=channel, name="Emma Rossi")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "mi"})) == [jose.pk]
    assert listed_ids(client.get(list_url(), {"q": "sé"})) == [jose.pk]


def test_search_by_email_prefix(client, channel, owner, walk_limit):
    com = CustomerFactory(channel=channel, email="kim.lee@example.com")
    org = CustomerFactory(channel=channel, email="kim.lee@example.org")
    CustomerFactory(channel=channel, email="lee.kim@example.com")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "Kim.Lee@Example"})) == [org.pk, com.pk]
    assert listed_ids(client.get(list_url(), {"q": "kim.lee@example.org"})) == [org.pk]
    assert listed_ids(client.get(list_url(), {"q": "kim.l"})) == [org.pk, com.pk]
    assert listed_ids(client.get(list_url(), {"q": "ee@example"})) == []


def test_plain_word_is_no_email_start(client, channel, owner, walk_limit):
    CustomerFactory(channel=channel, name="Lee", email="kimchi@example.com")
    underscored = CustomerFactory(channel=channel, name="Park", email="kim_2@example.com")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "kim"})) == []
    assert listed_ids(client.get(list_url(), {"q": "kim_"})) == [underscored.pk]
    assert listed_ids(client.get(list_url(), {"q": "kim2"})) == []


def test_search_by_mobile_prefix(client, channel, owner):
    kim = CustomerFactory(channel=channel, mobile_number="+821020203030")
    lee = CustomerFactory(channel=channel, mobile_number="+821020209999")
    CustomerFactory(channel=channel, mobile_number="+821030302020")
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "+82 10-2020"})) == [lee.pk, kim.pk]
    assert listed_ids(client.get(list_url(), {"q": "+82 010-2020"})) == [lee.pk, kim.pk]
    assert listed_ids(client.get(list_url(), {"q": "+82 010-2020-3030"})) == [kim.pk]


def test_member_id_matches_exactly(client, channel, owner, walk_limit):
    member = CustomerFactory(channel=channel, member_id="M100", name="Zed", email=None)
    CustomerFactory(channel=channel, member_id="M1000", name="Yan", email=None)
    CustomerFactory(channel=channel, member_id="XM100", name="Xu", email=None)
    client.force_login(owner)
    assert listed_ids(client.get(list_url(), {"q": "M100"})) == [member.pk]


def test_tag_type_and_hangul_search_combine(client, channel, owner, walk_limit):
    wanted = CustomerFactory(channel=channel, member_id="m1", name="김민준", import_tags=["vip"])
    CustomerFactory(channel=channel, member_id="m2", name="김민준", import_tags=["spring"])
    CustomerFactory(channel=channel, name="이민준", import_tags=["vip"])
    CustomerFactory(channel=channel, member_id="m3", name="김서연", import_tags=["vip"])
    CustomerFactory(
        channel=channel, member_id="m4", name="김민준", import_tags=["vip"], is_hidden=True
    )
    client.force_login(owner)
    response = client.get(list_url(), {"tag": "vip", "type": "member", "q": "민준"})
    assert listed_ids(response) == [wanted.pk]


@pytest.mark.parametrize("windows", [(1, 1), (7, 20), (7, 1000), (2_000, 10_000)])
def test_keyset_pages_of_a_search_cover_every_match_once(
    client, channel, owner, monkeypatch, windows
):
    """Next and Previous through a search, wherever the walk hands over to the indexes."""
    monkeypatch.setattr(selectors, "WALK_WINDOWS", windows)
    matches = []
    for n in range(130):
        customer = CustomerFactory(channel=channel, name="이민준" if n % 3 else f"Other {n}")
        if n % 3:
            matches.append(customer.pk)
    matches.sort(reverse=True)
    client.force_login(owner)
    first = client.get(list_url(), {"q": "민준"})
    assert listed_ids(first) == matches[:50]
    assert first.context["page"].previous_before is None
    second = client.get(list_url(), {"q": "민준", "after": first.context["page"].next_after})
    assert listed_ids(second) == matches[50:]
    assert second.context["page"].next_after is None
    back = client.get(list_url(), {"q": "민준", "before": second.context["page"].previous_before})
    assert listed_ids(back) == matches[:50]
    assert back.context["page"].previous_before is None
    assert "q=%EB%AF%BC%EC%A4%80&amp;after=" in back.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("+82 10-2020", "+82102020"),
        ("+82 010-2020", "+82102020"),
        ("+82 (0)10 2020", "+82102020"),
        ("+82 010-2020-3030", "+821020203030"),
        ("＋８２ １０", "+8210"),
        ("+39 06 1234", "+39061234"),
        ("+1 (415) 555", "+1415555"),
        ("+999", "+999"),
        ("+", None),
        ("Kim", None),
        ("82 10", None),
        ("+82 10 abc", None),
    ],
)
def test_mobile_prefix_is_e164_without_the_trunk_zero(query, expected):
    assert mobile_prefix(query) == expected
