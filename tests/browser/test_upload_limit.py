"""static/js/upload-limit.js in Chromium: a file over data-max-bytes is not sent (R-I17)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from imports.engine.reading import FILE_TOO_LARGE

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "upload-limit.js"
FORM = f"""
<form method="post" enctype="multipart/form-data">
  <label for="id_file">File</label>
  <input type="file" id="id_file" name="file" data-max-bytes="10"
         data-too-large-message="{FILE_TOO_LARGE}">
  <button type="submit">Upload</button>
</form>
<script>
  // After the snippet's own listener: record whether the submit went ahead, then stay here.
  window.addEventListener("submit", (event) => {{
    window.sent = !event.defaultPrevented;
    event.preventDefault();
  }});
</script>
"""


@pytest.fixture
def form_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(FORM)
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()


def choose(page, size: int) -> None:
    payload = {"name": "customers.csv", "mimeType": "text/csv", "buffer": b"x" * size}
    page.get_by_label("File").set_input_files(payload)


def test_a_file_over_the_limit_shows_the_message_and_is_not_sent_R_I17(form_page):
    choose(form_page, 11)
    message = form_page.get_by_role("alert")
    expect(message).to_have_text(FILE_TOO_LARGE)
    form_page.get_by_role("button", name="Upload").click()
    assert form_page.evaluate("window.sent") is False
    expect(message).to_be_visible()


def test_a_file_at_the_limit_is_sent_and_clears_the_message_R_I17(form_page):
    choose(form_page, 11)
    choose(form_page, 10)
    expect(form_page.locator(".upload-limit-error")).to_be_hidden()
    form_page.get_by_role("button", name="Upload").click()
    assert form_page.evaluate("window.sent") is True
