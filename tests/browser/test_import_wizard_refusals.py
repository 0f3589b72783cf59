"""The import wizard's refusals in a real browser: permission, channel, size, one at a time."""

from playwright.sync_api import expect

from imports import refusals
from imports.engine.reading import FILE_TOO_LARGE
from imports.models import Import
from tests.factories import ChannelFactory

WIZARD_PATHS = ("new/", "templates/member.xlsx", "{pk}/mapping/", "{pk}/check/")


def _draft(channel, user, **fields) -> Import:
    values = {"kind": Import.Kind.MEMBER, "file_name": "a.csv", "tag": "a"} | fields
    return Import.objects.create(channel=channel, started_by=user, **values)


def test_a_manager_without_the_edit_permission_sees_no_import_and_gets_403(
    log_in, channel, viewer, owner
):
    """R-I17."""
    draft = _draft(channel, owner)
    page = log_in(viewer)
    expect(page.get_by_role("link", name="Import customers")).to_have_count(0)
    for path in WIZARD_PATHS:
        response = page.goto(f"/c/{channel.slug}/imports/{path.format(pk=draft.pk)}")
        assert response.status == 403, path


def test_another_channels_import_is_404(log_in, channel, owner):
    theirs = _draft(ChannelFactory(slug="globex"), None, status=Import.Status.SUCCEEDED)
    page = log_in(owner)
    for path in ("{pk}/", "{pk}/mapping/", "{pk}/check/"):
        response = page.goto(f"/c/{channel.slug}/imports/{path.format(pk=theirs.pk)}")
        assert response.status == 404, path


def test_a_file_over_100_mb_is_refused_in_the_browser_and_on_the_server(
    log_in, channel, editor, tmp_path, shoot
):
    """R-I17: the page stops it before sending; without the script the server refuses it."""
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.write(b"memberId,name\n")
        handle.truncate(100 * 1024 * 1024 + 1)
    page = log_in(editor)
    page.goto(f"/c/{channel.slug}/imports/new/")
    page.get_by_label("Members", exact=True).check()
    page.get_by_label("File", exact=True).set_input_files(str(big))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-form")).to_contain_text("larger than 100 MB")
    shoot("refused-in-browser")
    assert not Import.objects.exists()

    page.evaluate("document.querySelector('input[type=file]').removeAttribute('data-max-bytes')")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_have_text(FILE_TOO_LARGE)
    shoot("refused-by-server")
    assert not Import.objects.exists()


def test_a_second_manager_is_refused_while_an_import_runs(log_in, channel, editor, owner):
    """R-I16: the start page names the running import; a checked draft cannot start."""
    running = _draft(channel, editor, status=Import.Status.RUNNING, file_name="big.csv")
    waiting = _draft(
        channel,
        owner,
        mapping={"memberId": "memberId"},
        check_status=Import.CheckStatus.DONE,
        check_result={"rows": 1, "created": 1, "updated": 0, "failed": 0, "reasons": []},
    )
    page = log_in(owner)
    page.goto(f"/c/{channel.slug}/imports/new/")
    active = page.locator("#active-import")
    expect(active).to_contain_text("big.csv")
    expect(active).to_contain_text(editor.email)
    expect(page.get_by_label("File", exact=True)).to_have_count(0)
    active.get_by_role("link", name="See its progress").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Import #{running.pk}")

    page.goto(f"/c/{channel.slug}/imports/{waiting.pk}/check/")
    page.get_by_label("I understand that an import cannot be undone").check()
    page.get_by_role("button", name="Start import").click()
    expect(page.locator(".message.error")).to_contain_text("Another import is running")
    assert Import.objects.get(pk=waiting.pk).status == Import.Status.DRAFT
    assert refusals.IMPORT_ALREADY_ACTIVE.startswith("Another import is {status}")
