"""Audience (R-B2, R-M2, R-I7) and Hidden customers (R-M2) in a real browser."""

import csv
import io

from playwright.sync_api import expect

from audience.download import BOM
from tests.browser.conftest import PASSWORD
from tests.factories import CustomerFactory

TAG = "spring.csv"


def _spring_customers(channel):
    """One reachable customer per channel and one of each exclusion, all with the tag."""
    tagged = {"channel": channel, "import_tags": [TAG]}
    CustomerFactory(
        name="Kim Target", email="kim@example.com", mobile_number="+821020203030", **tagged
    )
    CustomerFactory(name="Blocked Bae", mobile_number="+821020203031", is_blocked=True, **tagged)
    CustomerFactory(name="Hidden Han", mobile_number="+821020203032", is_hidden=True, **tagged)
    CustomerFactory(
        name="No Email Noh", mobile_number="+821020203033", unsubscribe_email=True, **tagged
    )
    CustomerFactory(
        name="No Text Tak",
        email="tak@example.com",
        mobile_number="+821020203034",
        unsubscribe_texting=True,
        **tagged,
    )
    CustomerFactory(channel=channel, name="Untagged Yoon", mobile_number="+821020203035")


def _downloaded_rows(page, link_name):
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[len(BOM) :])))


def test_audience_from_an_import_tag_leaves_out_blocked_and_opted_out_R_B2_R_I7(
    log_in, channel, editor, shoot
):
    _spring_customers(channel)
    page = log_in(editor)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audience").click()
    page.get_by_label("Import tag").fill(TAG)
    page.get_by_role("button", name="Count").click()
    expect(page.locator("#customer-count")).to_have_text("3")
    expect(page.locator("#email-count")).to_have_text("2")
    expect(page.locator("#text-count")).to_have_text("2")
    shoot("counts")

    by_email = _downloaded_rows(page, "Download the email list (CSV)")
    by_text = _downloaded_rows(page, "Download the text list (CSV)")

    assert [(r["name"], r["email"]) for r in by_email] == [
        ("Kim Target", "kim@example.com"),
        ("No Text Tak", "tak@example.com"),
    ]
    assert [(r["name"], r["mobileNumber"]) for r in by_text] == [
        ("Kim Target", "+821020203030"),
        ("No Email Noh", "+821020203033"),
    ]

    # Live counts: narrowing to members needs no button press.
    page.get_by_label("Customers").select_option(label="Members")
    expect(page.locator("#customer-count")).to_have_text("0")


def test_audience_counts_without_javascript_R_B2(browser, live_server, channel, viewer):
    _spring_customers(channel)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(viewer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/c/{channel.slug}/audience/")
    page.get_by_label("Import tag").fill(TAG)
    page.get_by_role("button", name="Count").click()

    expect(page.locator("#email-count")).to_have_text("2")
    expect(page.locator("#text-count")).to_have_text("2")
    expect(page.get_by_role("link", name="Download the email list (CSV)")).to_have_count(0)
    context.close()


def test_owner_sees_hidden_customers_R_M2(log_in, channel, owner):
    CustomerFactory(channel=channel, name="Hidden Han", is_hidden=True)
    CustomerFactory(channel=channel, name="Visible Yoon")
    page = log_in(owner)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Hidden customers").click()

    expect(page.locator("#hidden-count")).to_have_text("1")
    rows = page.locator("#hidden-customers tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="Hidden Han").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hidden Han")
