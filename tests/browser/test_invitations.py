"""Inviting a manager and joining by the link, in a real browser; the login lockout."""

import re

from playwright.sync_api import expect

from config.login_lockout import LOGIN_LOCKED
from contacts import invitation_views
from contacts.models import Membership

LINK_RE = re.compile(r"https?://\S+/invitations/[^/\s]+/")


def test_the_owner_invites_and_the_new_manager_joins_by_the_link(log_in, channel, owner, shoot):
    page = log_in(owner)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_label("Email").fill("New.Manager@Example.com")
    page.get_by_label("May edit customers").check()
    page.get_by_role("button", name="Invite manager").click()
    message = page.get_by_role("status").inner_text()
    expect(page.locator("#invitations")).to_contain_text("new.manager@example.com")
    shoot("invited")
    link = LINK_RE.search(message).group(0)
    page.get_by_role("button", name="Log out").click()

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Acme")
    shoot("link")
    page.get_by_label("Choose a password").fill("password")
    page.get_by_label("The password again").fill("password")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("alert").first).to_contain_text("too common")
    page.get_by_label("Choose a password").fill("violet-harbour-92")
    page.get_by_label("The password again").fill("violet-harbour-92")
    page.get_by_role("button", name="Join").click()

    expect(page.get_by_role("status")).to_have_text(invitation_views.JOINED.format(channel="Acme"))
    page.wait_for_url("**/c/acme/contacts/")
    shoot("joined")
    seat = Membership.objects.get(channel=channel, user__username="new.manager@example.com")
    assert seat.may_edit and not seat.may_delete
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("does not work")


def test_the_login_page_locks_after_too_many_failures(page, channel, viewer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    page.goto("/login/")
    for _ in range(3):
        page.get_by_label("Email").fill(viewer.email)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
    page.get_by_label("Email").fill(viewer.email)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_have_text(LOGIN_LOCKED.format(minutes=15))
    expect(page.get_by_label("Email")).to_have_value(viewer.email)
