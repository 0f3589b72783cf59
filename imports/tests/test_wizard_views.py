"""The import wizard's pages with Django's test client: each view's permission, channel and
refusals, and the whole path from upload to a started import (R-I5..R-I12, R-I16, R-I17)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from contacts.models import Customer
from imports import checking, forms, lifecycle, refusals, wizard_views
from imports.engine import mapping as mapping_engine
from imports.engine import reading
from imports.models import Import
from tests.factories import MembershipFactory, UserFactory

MEMBERS = (
    "Customer ID,Full Name,E-mail,unsubscribeEmail,unsubscribeTexting,birthday\n"
    "M1,Kim Minji,kim@example.com,false,false,1990-01-02\n"
    "M2,Lee Seojun,lee@example.com,false,true,1991.02.03\n"
    "M3,Park Jiwoo,park@example.com,true,false,\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _csv(text: str = MEMBERS, name: str = "spring members.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _upload(client, kind="member", identifier="", text=MEMBERS, name="spring members.csv"):
    data = {"kind": kind, "identifier": identifier, "file": _csv(text, name)}
    return client.post(reverse("imports:new", args=["acme"]), data)


@pytest.fixture
def draft(client, channel, editor):
    client.force_login(editor)
    response = _upload(client)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Import.objects.get()


def _mapping_data(imp, **extra):
    """The mapping form as the page sends it: every column's select, the settings."""
    page = wizard_views.MappingPage(imp)
    data = {f"col-{i}": key for i, key in page.chosen.items()}
    data |= {"empty_cells": "keep", "tag": imp.tag, "action": "check"}
    return data | extra


WIZARD_URLS = [
    ("imports:new", False),
    ("imports:template", "member"),
    ("imports:mapping", True),
    ("imports:check", True),
    ("imports:reading", True),
    ("imports:start", True),
]


def _url(name, arg, imp):
    if arg is True:
        return reverse(name, args=["acme", imp.pk])
    if arg:
        return reverse(name, args=["acme", arg])
    return reverse(name, args=["acme"])


@pytest.mark.parametrize(("name", "arg"), WIZARD_URLS)
def test_a_manager_without_the_edit_permission_gets_403_on_every_wizard_url_R_I17(
    client, draft, viewer, name, arg
):
    client.force_login(viewer)
    url = _url(name, arg, draft)
    assert client.get(url).status_code in (403, 405)
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize(("name", "arg"), WIZARD_URLS)
def test_another_channels_manager_gets_404_on_every_wizard_url(client, draft, outsider, name, arg):
    client.force_login(outsider)
    assert client.post(_url(name, arg, draft), {}).status_code == 404


def test_the_import_button_is_shown_only_to_managers_who_may_edit(client, channel, editor, viewer):
    new_url = reverse("imports:new", args=["acme"])
    client.force_login(viewer)
    assert new_url not in client.get(reverse("contacts:list", args=["acme"])).content.decode()
    client.force_login(editor)
    page = client.get(reverse("contacts:list", args=["acme"])).content.decode()
    assert f'href="{new_url}">Import customers</a>' in page


def test_upload_stores_a_draft_with_its_kind_and_opens_the_mapping(draft):
    assert draft.status == Import.Status.DRAFT
    assert draft.kind == Import.Kind.MEMBER
    assert draft.file_name == "spring members.csv"
    assert not draft.mapping


def test_a_file_the_engine_cannot_read_is_refused_on_the_same_page(client, channel, editor):
    client.force_login(editor)
    response = _upload(client, text="Only one row, no customers\n", name="title.csv")
    assert response.status_code == 400
    assert reading.FILE_NO_DATA_ROWS in response.content.decode()
    assert not Import.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.csv"))  # the refused upload is gone


def test_a_lead_upload_needs_an_identifier(client, channel, editor):
    client.force_login(editor)
    response = _upload(client, kind="lead")
    assert response.status_code == 400
    assert forms.IDENTIFIER_REQUIRED in response.content.decode()
    assert not Import.objects.exists()


def test_the_start_page_names_the_running_import_and_offers_no_upload_R_I16(
    client, draft, owner, editor
):
    draft.status = Import.Status.RUNNING
    draft.save()
    client.force_login(owner)
    page = client.get(reverse("imports:new", args=["acme"])).content.decode()
    assert "spring members.csv" in page and "editor@example.com" in page
    assert reverse("imports:detail", args=["acme", draft.pk]) in page
    assert 'type="file"' not in page
    _upload(client)
    assert Import.objects.count() == 1


def test_mapping_lists_each_column_with_samples_and_suggestions_R_I5_R_I6(client, draft):
    page = client.get(reverse("imports:mapping", args=["acme", draft.pk])).content.decode()
    # The identifier column is fixed and first; suggested keys are preselected and marked.
    assert page.index("Customer ID") < page.index('aria-label="Full Name"')
    assert '<input type="hidden" name="col-0" value="memberId">' in page
    assert page.count('<span class="badge warn">suggested</span>') >= 2
    assert '<option value="name" selected>' in page
    assert "Kim Minji" in page and "Park Jiwoo" in page  # the preview rows
    assert 'value="createdAt"' not in page  # system keys are absent


def test_a_key_taken_twice_is_refused_on_submit_R_I5(client, draft):
    data = _mapping_data(draft, **{"col-1": "name", "col-2": "name"})
    response = client.post(reverse("imports:mapping", args=["acme", draft.pk]), data)
    assert response.status_code == 400
    expected = mapping_engine.KEY_MAPPED_TWICE.format(
        first="Full Name", second="E-mail", key="name"
    )
    assert escape(expected) in response.content.decode()


def test_create_key_adds_it_and_selects_it_for_the_column_R_I5(client, draft):
    data = _mapping_data(draft, action="create_key", new_key_name="birthday")
    data |= {"new_key_type": "date", "new_key_column": "5"}
    response = client.post(reverse("imports:mapping", args=["acme", draft.pk]), data)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.new_keys == {"birthday": "date"}
    assert '<option value="birthday" selected>' in response.content.decode()


def test_a_bad_new_key_is_refused_with_the_engines_reason(client, draft):
    data = _mapping_data(draft, action="create_key", new_key_name="email")
    data |= {"new_key_type": "string", "new_key_column": "5"}
    response = client.post(reverse("imports:mapping", args=["acme", draft.pk]), data)
    assert escape(mapping_engine.NEW_KEY_BUILTIN.format(key="email")) in response.content.decode()
    draft.refresh_from_db()
    assert draft.new_keys == {}


def _checked(client, draft, django_capture_on_commit_callbacks, **extra):
    data = _mapping_data(draft, **{"col-5": ""}) | extra
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("imports:mapping", args=["acme", draft.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert len(queued) == 1  # the check goes to the worker
    draft.refresh_from_db()
    assert draft.check_status == Import.CheckStatus.QUEUED
    checking.import_check_perform(import_id=draft.pk)  # what the worker does
    draft.refresh_from_db()
    return draft


def test_check_runs_in_the_worker_and_reports_failing_rows_with_their_cells_R_I11(
    client, draft, django_capture_on_commit_callbacks
):
    data = _mapping_data(draft, action="create_key", new_key_name="birthday")
    client.post(
        reverse("imports:mapping", args=["acme", draft.pk]),
        data | {"new_key_type": "date", "new_key_column": "5"},
    )
    _checked(client, draft, django_capture_on_commit_callbacks, **{"col-5": "birthday"})
    assert draft.check_status == Import.CheckStatus.DONE
    page = client.get(reverse("imports:check", args=["acme", draft.pk])).content.decode()
    assert draft.check_result["created"] == 2 and draft.check_result["failed"] == 1
    assert "1991.02.03" in page and "row 3" in page
    assert "I understand that an import cannot be undone" in page
    assert not Customer.objects.exists()  # nothing written


def test_check_progress_is_a_fragment_for_htmx_until_it_ends(client, draft):
    draft.mapping = {"Customer ID": "memberId"}
    draft.check_status = Import.CheckStatus.RUNNING
    draft.check_rows_done, draft.total_rows = 1, 3
    draft.save()
    url = reverse("imports:check", args=["acme", draft.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert 'role="progressbar"' in fragment.content.decode()
    assert 'aria-valuenow="33"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    draft.check_status = Import.CheckStatus.DONE
    draft.save()
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_start_needs_the_confirmation_then_queues_the_import_R_I12(
    client, draft, django_capture_on_commit_callbacks
):
    _checked(client, draft, django_capture_on_commit_callbacks)
    start = reverse("imports:start", args=["acme", draft.pk])
    response = client.post(start, {}, follow=True)
    assert forms.CONFIRM_REQUIRED in response.content.decode()
    assert Import.objects.get().status == Import.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(start, {"confirm": "on"})
    assert response["Location"] == reverse("imports:detail", args=["acme", draft.pk])
    assert Import.objects.get().status == Import.Status.QUEUED


def test_an_unchecked_import_cannot_be_started(client, draft):
    draft.mapping = {"Customer ID": "memberId"}
    draft.save()
    url = reverse("imports:start", args=["acme", draft.pk])
    response = client.post(url, {"confirm": "on"}, follow=True)
    assert lifecycle.CHECK_FIRST in response.content.decode()
    assert Import.objects.get().status == Import.Status.DRAFT


def test_a_second_manager_is_refused_while_an_import_runs_R_I16(
    client, channel, draft, owner, django_capture_on_commit_callbacks
):
    _checked(client, draft, django_capture_on_commit_callbacks)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False):
        second = _upload(client, name="second.csv")
    assert second.status_code == 302
    other = Import.objects.get(file_name="second.csv")
    _checked(client, other, django_capture_on_commit_callbacks)
    Import.objects.filter(pk=draft.pk).update(status=Import.Status.RUNNING)
    response = client.post(
        reverse("imports:start", args=["acme", other.pk]), {"confirm": "on"}, follow=True
    )
    assert "Another import is running in this channel" in response.content.decode()
    assert Import.objects.get(pk=other.pk).status == Import.Status.DRAFT


def test_reading_again_with_another_delimiter_resets_the_mapping_R_I22(client, draft):
    draft.mapping = {"Customer ID": "memberId"}
    draft.save()
    response = client.post(
        reverse("imports:reading", args=["acme", draft.pk]),
        {"encoding": "utf-8", "delimiter": ";"},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.delimiter == ";" and draft.mapping == {}
    assert wizard_views.READING_CHANGED in response.content.decode()


def test_a_started_import_leaves_the_wizard_for_its_page(client, draft):
    Import.objects.filter(pk=draft.pk).update(status=Import.Status.SUCCEEDED)
    for name in ("imports:mapping", "imports:check"):
        response = client.get(reverse(name, args=["acme", draft.pk]))
        assert response["Location"] == reverse("imports:detail", args=["acme", draft.pk])


def test_a_manager_whose_edit_permission_was_withdrawn_is_refused_by_the_service(
    client, channel, draft
):
    seat = MembershipFactory(channel=channel, user=UserFactory(email="x@example.com"))
    draft.mapping = {"Customer ID": "memberId"}
    draft.save()
    with pytest.raises(refusals.ImportRefused) as refusal:
        checking.import_check_request(imp=draft, by=seat.user)
    assert refusal.value.message == refusals.NO_EDIT_PERMISSION


def test_reading_again_refuses_an_unknown_delimiter(client, draft):
    with pytest.raises(refusals.ImportRefused) as refusal:
        lifecycle.import_reread(imp=draft, by=draft.started_by, encoding=None, delimiter="|")
    assert refusal.value.message == lifecycle.DELIMITER_UNKNOWN
    draft.refresh_from_db()
    assert draft.delimiter == ","


def test_a_check_that_breaks_fails_with_a_message_and_writes_nothing(draft, monkeypatch):
    draft.mapping = {"Customer ID": "memberId"}
    draft.check_status = Import.CheckStatus.QUEUED
    draft.save()

    def broken(**kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(checking, "import_check", broken)
    imp = checking.import_check_perform(import_id=draft.pk)
    assert imp.check_status == Import.CheckStatus.FAILED
    assert imp.check_error == checking.CHECK_CRASHED.format(error="ZeroDivisionError")
    assert not Customer.objects.exists()
