"""The customer import log pages: list, detail and the failed-rows download (R-I14)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from imports.models import Import, ImportConflict, ImportFailure
from imports.progress import import_progress
from imports.views import FAILURES_EXPIRED
from tests.factories import ChannelFactory, CustomerFactory


def _import(channel, user, **fields):
    values = {
        "kind": Import.Kind.MEMBER,
        "file_name": "spring.csv",
        "tag": "spring",
        "status": Import.Status.SUCCEEDED,
        "created_count": 7,
        "updated_count": 3,
        "failed_count": 2,
    } | fields
    return Import.objects.create(channel=channel, started_by=user, **values)


@pytest.fixture
def finished(channel, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    imp = _import(channel, owner)
    imp.failures_file.save("failed.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=False)
    imp.failures_expire_at = timezone.now() + timedelta(days=30)
    imp.save()
    ImportFailure.objects.create(
        import_run=imp, row_number=3, error_columns=["email"], error_reasons=["Bad email"]
    )
    ImportFailure.objects.create(
        import_run=imp, row_number=9, error_columns=["email"], error_reasons=["Bad email"]
    )
    return imp


def test_anonymous_is_sent_to_login(client, finished):
    response = client.get(reverse("imports:list", args=["acme"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ["imports:list", "imports:detail", "imports:failures"])
def test_another_channels_manager_gets_404(client, outsider, finished, name):
    client.force_login(outsider)
    args = ["acme"] if name == "imports:list" else ["acme", finished.pk]
    assert client.get(reverse(name, args=args)).status_code == 404


def test_import_of_another_channel_is_404_in_mine(client, owner, channel, other_channel):
    theirs = _import(other_channel, None)
    client.force_login(owner)
    assert client.get(reverse("imports:detail", args=["acme", theirs.pk])).status_code == 404
    assert client.get(reverse("imports:failures", args=["acme", theirs.pk])).status_code == 404


def test_R_I14_log_lists_the_channels_imports_with_counts_not_drafts(client, viewer, finished):
    _import(finished.channel, None, file_name="draft.csv", status=Import.Status.DRAFT)
    _import(ChannelFactory(), None, file_name="elsewhere.csv")
    client.force_login(viewer)
    response = client.get(reverse("imports:list", args=["acme"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "spring.csv" in page
    assert "draft.csv" not in page
    assert "elsewhere.csv" not in page


def test_R_I14_detail_shows_counts_reasons_and_first_rows(client, viewer, finished):
    member_a = CustomerFactory(channel=finished.channel, member_id="A")
    member_b = CustomerFactory(channel=finished.channel, member_id="B")
    ImportConflict.objects.create(
        import_run=finished, row_number=4, email_member_id=member_a.pk, mobile_member_id=member_b.pk
    )
    client.force_login(viewer)
    response = client.get(reverse("imports:detail", args=["acme", finished.pk]))
    assert response.status_code == 200
    assert response.context["reasons"] == [("email", "Bad email", 2, [3, 9])]
    page = response.content.decode()
    assert f"#{member_a.pk}" in page and f"#{member_b.pk}" in page
    # A manager without the edit permission is not offered the download.
    assert "Download failed rows" not in page


def test_R_I14_failure_table_names_the_column_and_each_row_once(client, viewer, channel):
    imp = _import(channel, None, failed_count=2)
    bad_date = ["birthday", "Use YYYY-MM-DD"]
    ImportFailure.objects.create(
        import_run=imp, row_number=5, errors=[bad_date, bad_date, ["email", "Bad email"]]
    )
    ImportFailure.objects.create(import_run=imp, row_number=7, errors=[bad_date])
    client.force_login(viewer)
    response = client.get(reverse("imports:detail", args=["acme", imp.pk]))
    assert response.context["reasons"] == [
        ("birthday", "Use YYYY-MM-DD", 2, [5, 7]),
        ("email", "Bad email", 1, [5]),
    ]


def test_the_detail_links_to_the_customers_of_the_imports_tag(client, viewer, channel):
    imp = _import(channel, None, tag="Spring list 2025")
    client.force_login(viewer)
    page = client.get(reverse("imports:detail", args=["acme", imp.pk])).content.decode()
    assert 'href="/c/acme/contacts/?tag=Spring%20list%202025">View customers</a>' in page
    assert "<strong>Succeeded</strong>" in page


def test_a_failed_import_says_why_in_words(client, viewer, channel):
    imp = _import(channel, None, status=Import.Status.FAILED, error_message="Row 9 broke.")
    client.force_login(viewer)
    page = client.get(reverse("imports:detail", args=["acme", imp.pk])).content.decode()
    assert "<strong>Failed: Row 9 broke.</strong>" in page


def test_active_import_shows_progress_and_refreshes_itself(client, viewer, channel):
    imp = _import(
        channel,
        None,
        status=Import.Status.RUNNING,
        total_rows=200,
        rows_done=50,
        started_at=timezone.now() - timedelta(seconds=10),
        heartbeat_at=timezone.now(),
    )
    client.force_login(viewer)
    response = client.get(reverse("imports:detail", args=["acme", imp.pk]))
    progress = import_progress(imp, imp.started_at + timedelta(seconds=10))
    assert (progress.percent, progress.rate, progress.left) == (25, 5, "30 s")
    assert response.context["progress"].percent == 25
    page = response.content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="25"' in page
    assert '<noscript><meta http-equiv="refresh"' in page  # without JavaScript
    assert 'hx-trigger="every 1s"' in page  # with it, htmx polls the fragment
    fragment = client.get(
        reverse("imports:detail", args=["acme", imp.pk]), headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.content.decode()
    Import.objects.filter(pk=imp.pk).update(status=Import.Status.SUCCEEDED)
    done = client.get(
        reverse("imports:detail", args=["acme", imp.pk]), headers={"HX-Request": "true"}
    )
    assert done["HX-Refresh"] == "true"


def test_R_I17_download_needs_the_edit_permission(client, viewer, finished):
    client.force_login(viewer)
    response = client.get(reverse("imports:failures", args=["acme", finished.pk]))
    assert response.status_code == 403


def test_R_I14_editor_downloads_the_failed_rows_file(client, editor, finished):
    client.force_login(editor)
    response = client.get(reverse("imports:failures", args=["acme", finished.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert "spring-failed-rows.xlsx" in response["Content-Disposition"]


def test_R_I14_download_after_30_days_is_refused(client, editor, finished):
    Import.objects.filter(pk=finished.pk).update(
        failures_expire_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(editor)
    response = client.get(reverse("imports:failures", args=["acme", finished.pk]))
    assert response.status_code == 404
    detail = client.get(reverse("imports:detail", args=["acme", finished.pk]))
    assert FAILURES_EXPIRED in detail.content.decode()
