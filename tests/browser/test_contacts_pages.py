"""The contacts pages' main paths in a real browser, without JavaScript of our own."""

import re

from playwright.sync_api import expect

from contacts import services, views
from contacts.models import Conversation, Customer, ProfileKey
from tests.factories import ConversationFactory, CustomerFactory


def test_log_in_and_search_the_contact_list(log_in, channel, viewer, shoot):
    CustomerFactory(channel=channel, name="Kim Minsu", email="kim@example.com")
    CustomerFactory(channel=channel, name="김민준", email="minjun@example.com")
    CustomerFactory(channel=channel, name="Lee Jiwoo", mobile_number="+821020203030")
    CustomerFactory(channel=channel, name="Hidden Han", is_hidden=True)
    page = log_in(viewer)
    rows = page.locator("#customers tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#mu-count")).to_have_text("3")
    shoot("list")

    page.get_by_label("Search").fill("KIM@example.com")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kim Minsu")

    page.get_by_label("Search").fill("+82 010-2020-3030")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Lee Jiwoo")

    page.get_by_label("Search").fill("hidden")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No customer matches.")).to_be_visible()

    page.get_by_label("Search").fill("민준")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    shoot("hangul-search")
    rows.first.get_by_role("link", name="김민준").click()
    expect(page.get_by_role("heading", name="김민준")).to_be_visible()


def test_add_a_lead_then_already_exists(log_in, channel, editor):
    """R-C2, R-C3."""
    page = log_in(editor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Add a lead").click()
    page.get_by_label("Email").fill("New.Lead@Example.com")
    page.get_by_label("Name").fill("New Lead")
    page.get_by_role("button", name="Add lead").click()
    expect(page.get_by_role("status")).to_have_text(views.LEAD_ADDED)
    expect(page.get_by_role("heading", level=1)).to_have_text("New Lead")
    expect(page.locator("#builtin-keys")).to_contain_text("new.lead@example.com")
    expect(page.locator("#builtin-keys")).to_contain_text("verified")

    page.goto(f"/c/{channel.slug}/contacts/add-lead/")
    page.get_by_label("Email").fill("new.lead@example.com")
    page.get_by_role("button", name="Add lead").click()
    expect(page.get_by_role("alert").first).to_contain_text(services.LEAD_ALREADY_EXISTS)
    assert Customer.objects.filter(channel=channel).count() == 1


def test_delete_a_customer_from_the_profile(log_in, channel, owner):
    """R-D1: the conversation stays."""
    customer = CustomerFactory(channel=channel, name="Gone Soon")
    ConversationFactory(customer=customer)
    page = log_in(owner)
    page.get_by_role("link", name="Gone Soon").click()
    page.locator(".actions").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text(views.CUSTOMER_DELETED)
    assert not Customer.objects.exists()
    assert Conversation.objects.get().customer is None


def test_delete_selected_customers_from_the_list(log_in, channel, owner):
    kept = CustomerFactory(channel=channel, name="Keep Me")
    first = CustomerFactory(channel=channel, name="Drop One")
    second = CustomerFactory(channel=channel, name="Drop Two")
    page = log_in(owner)
    page.get_by_label("Select Drop One").check()
    page.get_by_label("Select Drop Two").check()
    page.get_by_role("button", name="Delete selected").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete 2 customers?")
    page.get_by_role("button", name="Delete 2 customers").click()
    expect(page.get_by_role("status")).to_have_text(views.CUSTOMERS_DELETED.format(count=2))
    assert list(Customer.objects.all()) == [kept]
    assert not Customer.objects.filter(pk__in=[first.pk, second.pk]).exists()


def test_edit_custom_keys_with_each_kind_of_input(log_in, channel, editor):
    """R-T1: text, boolean and list inputs, each parsed by the key's type."""
    for name, type_name in (("nickname", "string"), ("vip", "boolean"), ("hobbies", "list")):
        ProfileKey.objects.create(channel=channel, name=name, label=name.title(), type=type_name)
    ProfileKey.objects.create(channel=channel, name="points", label="Points", type="number")
    customer = CustomerFactory(channel=channel, name="Kim")
    page = log_in(editor)
    page.goto(f"/c/{channel.slug}/contacts/{customer.pk}/")
    page.locator(".actions").get_by_role("link", name="Edit").click()

    page.get_by_label("Points (points)").fill("1,000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("Remove the thousands separator")

    page.get_by_label("Points (points)").fill("1000")
    page.get_by_label("Nickname (nickname)").fill("Minnie")
    page.get_by_label("Vip (vip)").select_option("true")
    page.get_by_label("Hobbies (hobbies)").fill('["climbing", "chess"]')
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text(views.CUSTOMER_SAVED)
    custom = page.locator("#custom-keys")
    expect(custom).to_contain_text("Minnie")
    expect(custom).to_contain_text(re.compile(r'\["climbing", "chess"\]'))
    customer.refresh_from_db()
    assert customer.profile == {
        "nickname": "Minnie",
        "vip": True,
        "hobbies": ["climbing", "chess"],
        "points": 1000,
    }
