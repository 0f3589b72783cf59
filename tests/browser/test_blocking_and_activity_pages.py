"""Blocked Customer Management (R-B1) and the activity log in a real browser."""

from playwright.sync_api import expect

from activitylog.services import activity_record
from blocking.services import customer_block
from blocking.views import CUSTOMER_UNBLOCKED
from tests.factories import CustomerFactory


def test_unblock_from_blocked_customers_R_B1(log_in, channel, editor, owner):
    blocked = CustomerFactory(channel=channel, name="Blocked Bae")
    CustomerFactory(channel=channel, name="Visible Yoon")
    customer_block(customer=blocked, by=owner)
    page = log_in(editor)
    expect(page.locator("#customers")).not_to_contain_text("Blocked Bae")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Blocked customers").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Blocked Bae")

    rows.first.get_by_role("button", name="Unblock").click()
    expect(page.get_by_role("status")).to_have_text(CUSTOMER_UNBLOCKED.format(name="Blocked Bae"))
    expect(page.get_by_text("No blocked customers.")).to_be_visible()

    nav.get_by_role("link", name="All").click()
    expect(page.locator("#customers")).to_contain_text("Blocked Bae")


def test_read_and_filter_the_activity_log(log_in, channel, owner, editor, viewer):
    customer_block(customer=CustomerFactory(channel=channel, name="Kang Doyun"), by=editor)
    activity_record(channel=channel, actor=owner, category="settings", action="MU limit set")
    page = log_in(viewer)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity log").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("MU limit set")

    page.get_by_label("Category").select_option(label="Block customer")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("editor@example.com")
    rows.first.get_by_role("link", name="Kang Doyun").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kang Doyun")
