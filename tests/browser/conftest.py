"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium, one per session.

Without Chromium the browser tests are skipped, except on CI (env CI set), where they fail.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run
# beside it. The live server and the tests never share a connection across threads.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-for-tests"  # tests.factories.UserFactory's password


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (make browser)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Log in through the login form as `user`; lands on the user's contact list."""

    def log_in(user):
        page.goto("/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/contacts/")
        return page

    return log_in


@pytest.fixture
def shoot(page, request):
    """Save a full-page screenshot into $SCREENSHOT_DIR, when it is set, named after the test."""
    folder = os.environ.get("SCREENSHOT_DIR")

    def shoot(step: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(Path(folder) / f"{request.node.name}-{step}.png"), full_page=True
            )

    return shoot


@pytest.fixture
def worker(live_server, settings, tmp_path, monkeypatch):
    """Runs the live server's queued tasks: a django-q2 cluster on PostgreSQL, inline on SQLite."""
    from django.db import connection
    from django_q.conf import Conf

    from tests.queue_support import Process, database_url, process_env

    settings.MEDIA_ROOT = tmp_path / "media"
    if connection.vendor != "postgresql":  # SQLite's test database lives in this process
        monkeypatch.setattr(Conf, "SYNC", True)
        yield None
        return
    env = process_env(database_url(connection.settings_dict), settings.MEDIA_ROOT)
    cluster = Process(["qcluster"], env=env, logs=tmp_path / "logs", name="qcluster")
    yield cluster
    cluster.stop(timeout=15)
