"""R-I13 in a real browser: an import ends, its starter and the channel owner see the bell."""

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from imports.tests.notification_support import import_finished


def _bell(page):
    return page.get_by_role("banner").locator("a.bell")


def test_R_I13_starter_and_owner_open_the_notification_of_an_ended_import(
    log_in, page, channel, owner, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    imp = import_finished(channel, editor)
    detail = re.compile(rf"/c/{channel.slug}/imports/{imp.pk}/$")

    for number, manager in enumerate((editor, owner)):
        if number:
            page.get_by_role("button", name="Log out").click()
        log_in(manager)
        expect(_bell(page)).to_have_accessible_name("Notifications, 1 unread")
        expect(_bell(page).locator(".bell-count")).to_have_text("1")

        _bell(page).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
        if os.environ.get("SCREENSHOT_DIR") and manager == owner:
            page.screenshot(path=Path(os.environ["SCREENSHOT_DIR"]) / "notifications.png")
        page.get_by_role("link", name='The import of "spring.csv" into Acme').click()

        expect(page).to_have_url(detail)
        expect(page.get_by_role("heading", level=1)).to_contain_text("spring.csv")
        expect(_bell(page)).to_have_accessible_name("Notifications")
        expect(_bell(page).locator(".bell-count")).to_have_count(0)
