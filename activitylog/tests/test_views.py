import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activitylog.models import Entry
from activitylog.services import activity_record
from activitylog.views import PAGE_SIZE, details_summary
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _url(channel, **params):
    url = reverse("activitylog:list", args=[channel.slug])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def _record(channel, actor, category=Entry.Category.CUSTOMER_EDIT, action="Edited", **kwargs):
    return activity_record(channel=channel, actor=actor, category=category, action=action, **kwargs)


def _at(entry, moment):
    Entry.objects.filter(pk=entry.pk).update(created_at=moment)


def test_any_manager_sees_the_log_newest_first(client, viewer, owner, channel):
    first = _record(channel, owner, action="First")
    second = _record(channel, owner, action="Second")
    client.force_login(viewer)

    response = client.get(_url(channel))

    assert response.status_code == 200
    assert [row["entry"] for row in response.context["rows"]] == [second, first]


def test_log_is_404_for_another_channels_manager(client, outsider, channel):
    client.force_login(outsider)

    assert client.get(_url(channel)).status_code == 404


def test_log_needs_login(client, channel):
    response = client.get(_url(channel))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_log_shows_only_this_channels_entries(client, owner, channel, outsider, other_channel):
    _record(channel, owner, action="Ours")
    _record(other_channel, outsider, action="Theirs")
    client.force_login(owner)

    rows = client.get(_url(channel)).context["rows"]

    assert [row["entry"].action for row in rows] == ["Ours"]


def test_filter_by_category(client, owner, channel):
    _record(channel, owner, category=Entry.Category.CUSTOMER_BLOCK, action="Blocked")
    _record(channel, owner, category=Entry.Category.BULK_IMPORT, action="Import finished")
    client.force_login(owner)

    rows = client.get(_url(channel, category="customer_block")).context["rows"]

    assert [row["entry"].action for row in rows] == ["Blocked"]


def test_filter_by_manager(client, owner, editor, channel):
    _record(channel, owner, action="By owner")
    _record(channel, editor, action="By editor")
    client.force_login(owner)

    response = client.get(_url(channel, manager=editor.pk))

    assert [row["entry"].action for row in response.context["rows"]] == ["By editor"]
    assert "editor@example.com" in response.content.decode()  # offered in the manager select


def test_filter_by_date_range_includes_both_days(client, owner, channel):
    for day, action in [(1, "Too early"), (2, "First day"), (3, "Last day"), (4, "Too late")]:
        moment = timezone.make_aware(dt.datetime(2025, 3, day, 23, 30))
        _at(_record(channel, owner, action=action), moment)
    client.force_login(owner)

    rows = client.get(_url(channel, date_from="2025-03-02", date_to="2025-03-03")).context["rows"]

    assert [row["entry"].action for row in rows] == ["Last day", "First day"]


def test_reversed_date_range_is_explained(client, owner, channel):
    _record(channel, owner)
    client.force_login(owner)

    response = client.get(_url(channel, date_from="2025-03-05", date_to="2025-03-01"))

    assert "The start date is after the end date." in response.content.decode()
    assert len(response.context["rows"]) == 1  # an invalid filter filters nothing


def test_pages_of_fifty_follow_the_cursor(client, owner, channel):
    entries = [_record(channel, owner, action=f"Entry {n}") for n in range(PAGE_SIZE + 5)]
    same_moment = timezone.now()
    Entry.objects.filter(channel=channel).update(created_at=same_moment)  # ties break on id
    client.force_login(owner)

    first = client.get(_url(channel, category="customer_edit"))
    first_rows = [row["entry"] for row in first.context["rows"]]
    assert first_rows == entries[::-1][:PAGE_SIZE]
    next_query = first.context["next_query"]
    assert "category=customer_edit" in next_query

    second = client.get(_url(channel) + "?" + next_query)
    assert [row["entry"] for row in second.context["rows"]] == entries[::-1][PAGE_SIZE:]
    assert second.context["next_query"] is None
    assert "Newest" in second.content.decode()


def test_customer_links_to_the_profile_while_it_exists(client, owner, channel):
    kept = CustomerFactory(channel=channel, name="Lee Jiho")
    gone = CustomerFactory(channel=channel, name="Choi Sua")
    _record(channel, owner, customer=kept)
    _record(channel, owner, customer=gone, category=Entry.Category.CUSTOMER_DELETE)
    gone.delete()
    client.force_login(owner)

    response = client.get(_url(channel))
    html = response.content.decode()

    assert reverse("contacts:detail", args=[channel.slug, kept.pk]) in html
    assert "Choi Sua" in html
    urls = {row["entry"].customer_label: row["customer_url"] for row in response.context["rows"]}
    assert urls["Choi Sua"] is None


def test_import_and_details_are_shown(client, owner, channel):
    _record(
        channel,
        owner,
        category=Entry.Category.BULK_IMPORT,
        action="Import finished",
        import_id=42,
        details={"created": 3, "updated": 1, "tag": "spring-2025"},
    )
    client.force_login(owner)

    html = client.get(_url(channel)).content.decode()

    assert "Import #42" in html
    # jsonb keeps its own key order, so only the pairs are checked.
    assert all(pair in html for pair in ("created: 3", "updated: 1", "tag: spring-2025"))


def test_details_summary_flattens_nested_values():
    details = {"changed": {"name": ["Kim", "Lee"], "vip": True}, "muLimit": None}

    assert details_summary(details) == "changed: name = Kim, Lee, vip = yes; muLimit: —"
    assert details_summary({}) == ""
    assert len(details_summary({"note": "x" * 1000})) == 240
